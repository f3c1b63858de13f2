//! Input checks: what the server refuses at the door, before any work or storage. Sizes are the
//! browser's wire sizes; KDF settings must lie in the same range the client enforces; a password
//! envelope must carry the KDF settings and salt it is declared with.
//!
//! Every refusal is a `BadRequest` whose message tells the person what to do.

use shared_types::Base64Bytes;
use shared_types::account::{DeviceInfo, KdfParams, ProfileKind, SignupRequest};

use super::bad;
use crate::error::ApiError;

/// The same KDF floor ([`KdfParams::FLOOR`]: no account is made below what new accounts get)
/// and ceiling the client enforces; the server refuses anything outside.
const KDF_MAX_MEMORY_KIB: u32 = 1024 * 1024;

/// Wire sizes of the browser's blobs (see wasm-crypto's README): checked so that garbage is
/// refused at the door rather than stored.
pub(super) const AUTH_KEY_LEN: usize = 32;
pub(super) const SALT_LEN: usize = 16;
const PUBLIC_KEY_LEN: usize = 32;
pub(super) const SIGNATURE_LEN: usize = 66;
pub(super) const WRAPPED_KEY_LEN: usize = 63;
const ENVELOPE_LEN: usize = 90;

/// Trims and lower-cases (ASCII) an email and checks that it is an address. The browser mixes
/// the same form into the key derivation.
pub fn normalize_email(raw: &str) -> Result<String, ApiError> {
    let email = raw.trim().to_ascii_lowercase();
    if email.len() > 254 || email.parse::<lettre::Address>().is_err() {
        return Err(bad(
            "Enter a valid email address, such as name@example.com.",
        ));
    }
    Ok(email)
}

pub(super) fn check_len(value: &Base64Bytes, len: usize, what: &str) -> Result<(), ApiError> {
    if value.0.len() != len {
        return Err(bad(format!(
            "{what} has the wrong length; reload the page to update Strongroom."
        )));
    }
    Ok(())
}

fn check_kdf(kdf: &KdfParams) -> Result<(), ApiError> {
    let ok = (KdfParams::FLOOR.memory_kib..=KDF_MAX_MEMORY_KIB).contains(&kdf.memory_kib)
        && (KdfParams::FLOOR.iterations..=10).contains(&kdf.iterations)
        && (1..=16).contains(&kdf.parallelism);
    if ok {
        Ok(())
    } else {
        Err(bad(
            "The key-derivation settings are outside the allowed range.",
        ))
    }
}

pub(super) fn check_device(device: &DeviceInfo) -> Result<(), ApiError> {
    if device.name.chars().count() > 200 {
        return Err(bad("The browser name is too long."));
    }
    Ok(())
}

/// Checks a password envelope's size and that it carries the declared KDF settings and salt.
pub(super) fn check_envelope(
    envelope: &Base64Bytes,
    kdf: &KdfParams,
    salt: &Base64Bytes,
) -> Result<(), ApiError> {
    check_len(salt, SALT_LEN, "The salt")?;
    check_kdf(kdf)?;
    check_len(envelope, ENVELOPE_LEN, "The password envelope")?;
    let mut declared = Vec::with_capacity(30);
    declared.extend_from_slice(&[1, 3]);
    declared.extend_from_slice(&kdf.memory_kib.to_be_bytes());
    declared.extend_from_slice(&kdf.iterations.to_be_bytes());
    declared.extend_from_slice(&kdf.parallelism.to_be_bytes());
    declared.extend_from_slice(&salt.0);
    if envelope.0[..declared.len()] != declared[..] {
        return Err(bad(
            "The password envelope does not match the declared key-derivation settings.",
        ));
    }
    Ok(())
}

pub(crate) fn check_signup(req: &SignupRequest) -> Result<(), ApiError> {
    check_len(&req.auth_key.0, AUTH_KEY_LEN, "The auth key")?;
    check_envelope(&req.password_envelope, &req.kdf, &req.salt)?;
    let keys = &req.keys;
    check_len(
        &keys.encryption_public_key,
        PUBLIC_KEY_LEN,
        "The encryption key",
    )?;
    check_len(&keys.verifying_key, PUBLIC_KEY_LEN, "The verifying key")?;
    check_len(&keys.keys_signature, SIGNATURE_LEN, "The key signature")?;
    check_len(
        &keys.wrapped_encryption_key,
        WRAPPED_KEY_LEN,
        "The wrapped encryption key",
    )?;
    check_len(
        &keys.wrapped_signing_key,
        WRAPPED_KEY_LEN,
        "The wrapped signing key",
    )?;
    let kinds: Vec<ProfileKind> = keys.profiles.iter().map(|p| p.kind).collect();
    if kinds.len() != 2
        || !kinds.contains(&ProfileKind::Personal)
        || !kinds.contains(&ProfileKind::Business)
    {
        return Err(bad(
            "An account needs exactly one Personal and one Business profile.",
        ));
    }
    for p in &keys.profiles {
        check_len(&p.wrapped_key, WRAPPED_KEY_LEN, "A profile key")?;
    }
    check_device(&req.device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(
            normalize_email("  Alice@Example.COM ").ok(),
            Some("alice@example.com".into())
        );
        assert!(normalize_email("alice").is_err());
        assert!(normalize_email("").is_err());
        assert!(normalize_email(&format!("{}@example.com", "a".repeat(250))).is_err());
    }
}
