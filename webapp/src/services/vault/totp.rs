//! The live code of an item's authenticator key (RFC 6238). People paste either the base32 key a
//! site shows or the whole `otpauth://` link from its QR code; both are accepted.

use totp_rs::{Algorithm, Builder, Secret};

/// A code and how long it stays valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveCode {
    /// The digits.
    pub code: String,
    /// Seconds until the next code.
    pub seconds_left: u64,
    /// The length of one step in seconds.
    pub period: u64,
}

/// Why a key gives no code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// Not base32 and not an `otpauth://totp/` link.
    #[error(
        "This authenticator key is not valid. Paste the key the site shows (letters A–Z and digits 2–7) or its otpauth:// link."
    )]
    Invalid,
}

struct Params {
    secret: Vec<u8>,
    digits: u8,
    period: u64,
    algorithm: Algorithm,
}

fn decode_base32(text: &str) -> Result<Vec<u8>, TotpError> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if cleaned.is_empty() {
        return Err(TotpError::Invalid);
    }
    let secret = Secret::try_from_base32(&cleaned).map_err(|_| TotpError::Invalid)?;
    let bytes = secret.as_bytes().to_vec();
    if bytes.len() < 10 {
        return Err(TotpError::Invalid);
    }
    Ok(bytes)
}

fn parse(seed: &str) -> Result<Params, TotpError> {
    let seed = seed.trim();
    let Some(rest) = seed
        .strip_prefix("otpauth://totp/")
        .or_else(|| seed.strip_prefix("OTPAUTH://TOTP/"))
    else {
        return Ok(Params {
            secret: decode_base32(seed)?,
            digits: 6,
            period: 30,
            algorithm: Algorithm::SHA1,
        });
    };
    let query = rest.split_once('?').map(|(_, q)| q).unwrap_or("");
    let mut params = Params {
        secret: Vec::new(),
        digits: 6,
        period: 30,
        algorithm: Algorithm::SHA1,
    };
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name.to_ascii_lowercase().as_str() {
            "secret" => params.secret = decode_base32(value)?,
            "digits" => {
                params.digits = value
                    .parse()
                    .ok()
                    .filter(|d| (6..=8).contains(d))
                    .ok_or(TotpError::Invalid)?
            }
            "period" => {
                params.period = value
                    .parse()
                    .ok()
                    .filter(|p| (1..=300).contains(p))
                    .ok_or(TotpError::Invalid)?
            }
            "algorithm" => {
                params.algorithm = match value.to_ascii_uppercase().as_str() {
                    "SHA1" => Algorithm::SHA1,
                    "SHA256" => Algorithm::SHA256,
                    "SHA512" => Algorithm::SHA512,
                    _ => return Err(TotpError::Invalid),
                }
            }
            _ => {}
        }
    }
    if params.secret.is_empty() {
        return Err(TotpError::Invalid);
    }
    Ok(params)
}

/// Checks a key without computing a code (for the form).
pub fn validate(seed: &str) -> Result<(), TotpError> {
    parse(seed).map(|_| ())
}

/// The code for `seed` at `unix_secs`.
pub fn live_code(seed: &str, unix_secs: u64) -> Result<LiveCode, TotpError> {
    let p = parse(seed)?;
    let totp = Builder::new()
        .with_algorithm(p.algorithm)
        .with_digits(p.digits)
        .with_step_duration(p.period)
        .with_secret(p.secret)
        // Many sites hand out 80-bit keys, shorter than RFC 4226 recommends; they still work.
        .build_noncompliant();
    Ok(LiveCode {
        code: totp.generate(unix_secs).to_string(),
        seconds_left: p.period - unix_secs % p.period,
        period: p.period,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    // RFC 6238 appendix B: the key "12345678901234567890", SHA-1, 8 digits.
    const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn matches_the_rfc_vectors() {
        let url = format!("otpauth://totp/Example:alice?secret={RFC_KEY}&digits=8&period=30");
        assert_eq!(live_code(&url, 59).unwrap().code, "94287082");
        assert_eq!(live_code(&url, 1111111109).unwrap().code, "07081804");
        assert_eq!(live_code(&url, 2000000000).unwrap().code, "69279037");
    }

    #[test]
    fn accepts_keys_as_people_paste_them() {
        let spaced = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq";
        let code = live_code(spaced, 59).unwrap();
        assert_eq!(code.code.len(), 6);
        assert_eq!(code.code, live_code(RFC_KEY, 59).unwrap().code);
        assert_eq!(code.seconds_left, 1);
    }

    #[test]
    fn refuses_what_is_not_a_key() {
        assert_eq!(validate("not a key!"), Err(TotpError::Invalid));
        assert_eq!(validate(""), Err(TotpError::Invalid));
        assert_eq!(
            validate("otpauth://totp/x?digits=6"),
            Err(TotpError::Invalid)
        );
        assert_eq!(
            validate(&format!("otpauth://totp/x?secret={RFC_KEY}&digits=12")),
            Err(TotpError::Invalid)
        );
    }
}
