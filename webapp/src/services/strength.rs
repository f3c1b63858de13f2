//! A master-password strength estimate with reasons a person can act on. It rates the search
//! space an attacker faces (character classes and length), then takes off for the patterns
//! attackers try first: common passwords, the email's name, repeats and runs.

/// The verdict on a password.
#[derive(Debug, Clone, PartialEq)]
pub struct Strength {
    /// Estimated guessing difficulty, in bits.
    pub bits: f64,
    /// 0 (too weak) to 4 (very strong), for the meter.
    pub score: u8,
    /// Why the password falls short; empty when it is acceptable.
    pub problems: Vec<String>,
}

impl Strength {
    /// Whether the password may be used as a master password.
    pub fn acceptable(&self) -> bool {
        self.problems.is_empty()
    }

    /// A word for the meter.
    pub fn label(&self) -> &'static str {
        ["Too weak", "Weak", "Fair", "Strong", "Very strong"][usize::from(self.score.min(4))]
    }
}

/// Checks a new master password typed twice: the same both times, and strong enough. The error
/// says what to change.
pub fn check_new_password(password: &str, confirmation: &str, email: &str) -> Result<(), String> {
    if password != confirmation {
        return Err("The two passwords are not the same.".to_owned());
    }
    let verdict = estimate(password, email);
    if !verdict.acceptable() {
        return Err(format!(
            "Choose a stronger master password. {}",
            verdict.problems.join(" ")
        ));
    }
    Ok(())
}

/// The fewest characters a master password may have.
pub const MIN_LENGTH: usize = 12;
/// The least estimated strength a master password may have.
pub const MIN_BITS: f64 = 60.0;

const COMMON: &[&str] = &[
    "password",
    "passw0rd",
    "123456",
    "12345678",
    "qwerty",
    "azerty",
    "letmein",
    "welcome",
    "admin",
    "iloveyou",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "master",
    "login",
    "abc123",
    "trustno1",
    "strongroom",
    "secret",
    "changeme",
    "default",
];

/// Estimates `password`'s strength for the account `email`.
pub fn estimate(password: &str, email: &str) -> Strength {
    let chars: Vec<char> = password.chars().collect();
    let mut pool = 0u32;
    if chars.iter().any(|c| c.is_ascii_lowercase()) {
        pool += 26;
    }
    if chars.iter().any(|c| c.is_ascii_uppercase()) {
        pool += 26;
    }
    if chars.iter().any(|c| c.is_ascii_digit()) {
        pool += 10;
    }
    if chars.iter().any(|c| c.is_ascii_punctuation() || *c == ' ') {
        pool += 33;
    }
    if chars.iter().any(|c| !c.is_ascii()) {
        pool += 100;
    }
    // Characters that repeat or continue a run (abc, 123, aaa) add little.
    let mut effective = 0.0;
    for (i, c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let weak = prev.is_some_and(|p| p == *c || (*c as i64 - p as i64).abs() == 1);
        effective += if weak { 0.25 } else { 1.0 };
    }
    let mut bits = effective * f64::from(pool.max(1)).log2();
    let mut problems = Vec::new();
    let lower = password.to_lowercase();
    if chars.len() < MIN_LENGTH {
        problems.push(format!(
            "Use at least {MIN_LENGTH} characters; a few unrelated words work well."
        ));
    }
    if let Some(word) = COMMON.iter().find(|w| lower.contains(*w)) {
        bits -= 20.0;
        problems.push(format!(
            "Avoid common passwords and words like \u{201c}{word}\u{201d}."
        ));
    }
    let name = email.split('@').next().unwrap_or_default().to_lowercase();
    if name.len() >= 3 && lower.contains(&name) {
        bits -= 15.0;
        problems.push("Do not use your email address or your name.".to_owned());
    }
    let bits = bits.max(0.0);
    if problems.is_empty() && bits < MIN_BITS {
        problems.push("Make it longer, or mix in words, numbers and symbols.".to_owned());
    }
    let score = match bits {
        b if b < 40.0 => 0,
        b if b < MIN_BITS => 1,
        b if b < 80.0 => 2,
        b if b < 110.0 => 3,
        _ => 4,
    };
    let score = if problems.is_empty() {
        score.max(2)
    } else {
        score.min(1)
    };
    Strength {
        bits,
        score,
        problems,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn short_common_and_personal_passwords_are_refused_with_reasons() {
        let short = estimate("Tr0ub4dor&3", "a@example.com");
        assert!(!short.acceptable());
        assert!(short.problems[0].contains("12 characters"));
        let common = estimate("MyPassword2026!!", "a@example.com");
        assert!(common.problems.iter().any(|p| p.contains("password")));
        let personal = estimate("alice-winter-2026-xyz", "alice@example.com");
        assert!(personal.problems.iter().any(|p| p.contains("email")));
        let runs = estimate("aaaaaaaaaaaaaaaaaaaa", "a@example.com");
        assert!(!runs.acceptable());
        assert_eq!(runs.score, 0);
    }

    #[test]
    fn a_new_password_must_match_its_confirmation_and_be_strong() {
        assert!(
            check_new_password(
                "correct horse battery staple",
                "correct horse battery staple",
                "a@b.c"
            )
            .is_ok()
        );
        assert!(
            check_new_password(
                "correct horse battery staple",
                "correct horse battery stapl",
                "a@b.c"
            )
            .unwrap_err()
            .contains("not the same")
        );
        assert!(
            check_new_password("short", "short", "a@b.c")
                .unwrap_err()
                .contains("stronger")
        );
    }

    #[test]
    fn long_passphrases_are_accepted() {
        let phrase = estimate("correct horse battery staple", "alice@example.com");
        assert!(phrase.acceptable(), "{phrase:?}");
        assert!(phrase.score >= 3);
        let mixed = estimate("v9#Lq2!mZ7@wR4", "alice@example.com");
        assert!(mixed.acceptable(), "{mixed:?}");
    }
}
