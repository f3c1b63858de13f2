//! All of Strongroom's cryptography, in plain Rust that builds for the browser (wasm32) and
//! natively. Nothing here touches the DOM, storage or the network.
//!
//! The key hierarchy (see `ARCHITECTURE.md` and this crate's `README.md` for the wire format):
//! - the master password gives, through Argon2id and HKDF-SHA256, an [`AuthKey`] for the
//!   server and a key-encryption key that opens the [`PasswordEnvelope`] holding the account key;
//! - the account key [`wrap`]s the profile keys and the account's private keys;
//! - profile and share keys wrap per-item keys, and item keys [`seal`] whole records;
//! - keys cross accounts through HPKE ([`wrap_to_public_key`]) and are vouched for with Ed25519
//!   signatures over typed [`Statement`]s.
//!
//! Invariants: callers never choose nonces, salts or cipher parameters; every ciphertext is bound
//! to what it is ([`Binding`], [`HpkeBinding`]); secret types zeroize on drop, print as `***` and
//! cannot be cloned or serialized; every blob carries a format version and unknown versions are
//! refused.

mod access_list;
mod error;
mod export;
mod format;
mod hpke_wrap;
mod ids;
mod kdf;
mod keys;
mod primitives;
mod seal;
mod sign;
mod vectors;

pub use access_list::{AccessEntry, AccessList, AccessListKind, AccessRole, EntryKind};
pub use error::{Error, Result};
pub use export::{open_export, seal_export};
pub use format::{Binding, Purpose};
pub use hpke_wrap::{HpkeBinding, HpkeWrappedKey, unwrap_with_private_key, wrap_to_public_key};
pub use ids::{derive_invitee_id, derive_record_id};
pub use kdf::{
    AuthKey, KdfParams, LoginKeys, MasterPassword, PasswordEnvelope, PasswordSalt,
    derive_login_keys, make_password_envelope, make_password_salt, open_password_envelope,
};
pub use keys::{
    EncryptionPrivateKey, EncryptionPublicKey, KeyMaterial, SigningKey, SymmetricKey, VerifyingKey,
    make_encryption_key, make_signing_key, make_symmetric_key,
};
pub use primitives::Digest;
pub use seal::{SealedData, WrappedKey, open, seal, unwrap, wrap};
pub use sign::{
    Signature, Statement, derive_fingerprint, derive_signing_fingerprint, normalize_email,
};

/// Runs the fixed known-answer vectors and a fresh round trip of every operation. The web app
/// runs it at start-up to prove the browser computes exactly what the native build does.
pub fn self_test() -> Result<()> {
    vectors::check_all()
}

#[cfg(test)]
mod kdf_tests;
#[cfg(test)]
mod statement_tests;
#[cfg(test)]
mod tests;
