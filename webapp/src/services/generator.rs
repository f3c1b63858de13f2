//! Password and passphrase generation from the browser's CSPRNG, with no bias (rejection
//! sampling) and the exact entropy of what was generated, for the strength estimate.
//!
//! Passphrases are built from pronounceable made-up words (consonant–vowel syllables) rather
//! than a dictionary, so no word list has to ship with the app; their entropy is computed from
//! the syllable alphabet, not guessed.

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipe {
    /// Random characters.
    Password {
        /// How many characters (8–128).
        length: usize,
        /// A–Z.
        upper: bool,
        /// a–z.
        lower: bool,
        /// 0–9.
        digits: bool,
        /// Punctuation.
        symbols: bool,
    },
    /// Words separated by '-', one of them capitalised and one digit added.
    Passphrase {
        /// How many words (3–12).
        words: usize,
    },
}

impl Default for Recipe {
    fn default() -> Self {
        Recipe::Password {
            length: 20,
            upper: true,
            lower: true,
            digits: true,
            symbols: true,
        }
    }
}

const UPPER: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &str = "abcdefghijkmnopqrstuvwxyz";
const DIGITS: &str = "23456789";
const SYMBOLS: &str = "!#$%&*+-=?@^_~";
const CONSONANTS: &[u8] = b"bdfghjklmnprstvz";
const VOWELS: &[u8] = b"aeiou";
const SYLLABLES_PER_WORD: usize = 3;

/// Why nothing could be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeneratorError {
    /// No character set was chosen.
    #[error("Choose at least one kind of character.")]
    NothingChosen,
    /// The browser's random source failed.
    #[error("This browser's random number generator is not available.")]
    NoRandomness,
}

/// A generated secret and its entropy in bits.
pub struct Generated {
    /// The secret.
    pub value: String,
    /// Bits of entropy of the recipe.
    pub bits: f64,
}

impl core::fmt::Debug for Generated {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Generated(***, {:.0} bits)", self.bits)
    }
}

/// A uniform number below `n` (n ≥ 1).
fn below(n: usize) -> Result<usize, GeneratorError> {
    let n = n as u32;
    // Reject the top partial range so every value is equally likely.
    let zone = u32::MAX - u32::MAX % n;
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).map_err(|_| GeneratorError::NoRandomness)?;
        let v = u32::from_le_bytes(bytes);
        if v < zone {
            return Ok((v % n) as usize);
        }
    }
}

fn pick(set: &[u8]) -> Result<char, GeneratorError> {
    Ok(char::from(set[below(set.len())?]))
}

/// Generates a secret.
pub fn generate(recipe: Recipe) -> Result<Generated, GeneratorError> {
    match recipe {
        Recipe::Password {
            length,
            upper,
            lower,
            digits,
            symbols,
        } => {
            let length = length.clamp(8, 128);
            let sets: Vec<&[u8]> = [
                (upper, UPPER),
                (lower, LOWER),
                (digits, DIGITS),
                (symbols, SYMBOLS),
            ]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, set)| set.as_bytes())
            .collect();
            if sets.is_empty() {
                return Err(GeneratorError::NothingChosen);
            }
            let all: Vec<u8> = sets.concat();
            // One of each chosen kind, the rest from all, then shuffled.
            let mut chars = Vec::with_capacity(length);
            for set in &sets {
                chars.push(pick(set)?);
            }
            while chars.len() < length {
                chars.push(pick(&all)?);
            }
            for i in (1..chars.len()).rev() {
                chars.swap(i, below(i + 1)?);
            }
            // Conservative: counts the forced characters as if drawn from the whole set.
            let bits = length as f64 * (all.len() as f64).log2() - sets.len() as f64;
            Ok(Generated {
                value: chars.into_iter().collect(),
                bits,
            })
        }
        Recipe::Passphrase { words } => {
            let words = words.clamp(3, 12);
            let mut list = Vec::with_capacity(words);
            for _ in 0..words {
                let mut word = String::new();
                for _ in 0..SYLLABLES_PER_WORD {
                    word.push(pick(CONSONANTS)?);
                    word.push(pick(VOWELS)?);
                }
                list.push(word);
            }
            let capital = below(words)?;
            list[capital] = list[capital].to_uppercase();
            let digit = pick(DIGITS.as_bytes())?;
            let at = below(words)?;
            list[at].push(digit);
            let syllable_bits = ((CONSONANTS.len() * VOWELS.len()) as f64).log2();
            let bits = words as f64 * SYLLABLES_PER_WORD as f64 * syllable_bits
                + (words as f64).log2() * 2.0
                + (DIGITS.len() as f64).log2();
            Ok(Generated {
                value: list.join("-"),
                bits,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn passwords_have_the_length_and_every_chosen_kind() {
        for _ in 0..50 {
            let g = generate(Recipe::default()).unwrap();
            assert_eq!(g.value.chars().count(), 20);
            assert!(g.value.chars().any(|c| c.is_ascii_uppercase()));
            assert!(g.value.chars().any(|c| c.is_ascii_lowercase()));
            assert!(g.value.chars().any(|c| c.is_ascii_digit()));
            assert!(g.value.chars().any(|c| SYMBOLS.contains(c)));
            assert!(g.bits > 100.0);
        }
        let digits_only = Recipe::Password {
            length: 12,
            upper: false,
            lower: false,
            digits: true,
            symbols: false,
        };
        assert!(
            generate(digits_only)
                .unwrap()
                .value
                .chars()
                .all(|c| c.is_ascii_digit())
        );
        let none = Recipe::Password {
            length: 12,
            upper: false,
            lower: false,
            digits: false,
            symbols: false,
        };
        assert_eq!(generate(none).err(), Some(GeneratorError::NothingChosen));
    }

    #[test]
    fn passphrases_have_the_words_asked_for_and_differ_each_time() {
        let a = generate(Recipe::Passphrase { words: 5 }).unwrap();
        let b = generate(Recipe::Passphrase { words: 5 }).unwrap();
        assert_eq!(a.value.split('-').count(), 5);
        assert_ne!(a.value, b.value);
        assert!(a.bits > 80.0, "{}", a.bits);
    }

    #[test]
    fn draws_are_roughly_uniform() {
        let mut counts = [0u32; 6];
        for _ in 0..6000 {
            counts[below(6).unwrap()] += 1;
        }
        assert!(counts.iter().all(|c| (800..1200).contains(c)), "{counts:?}");
    }
}
