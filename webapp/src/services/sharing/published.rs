//! This account's published keys (statement 4), and checking other accounts' statements.
//!
//! Invariants:
//! - The browser publishes its own keys when the server holds no statement of them, or serves
//!   one that is not exactly this account's keys, address and signature; it then publishes the
//!   next epoch, so a statement the server made up can never stay current.
//! - A statement served for someone else is used only after its signature verifies with the
//!   keys it names, and it names the account and address that were asked for.

use shared_types::account::AccountBundle;
use shared_types::sharing::PublishedKeys;
use shared_types::{AccountId, Base64Bytes};
use wasm_crypto::{
    EncryptionPublicKey, Statement, VerifyingKey, derive_fingerprint, normalize_email,
};

use crate::services::keys::VaultKeys;

/// This account's keys at `key_epoch`, signed.
pub fn statement_of(vault: &VaultKeys, key_epoch: u64) -> PublishedKeys {
    let encryption_key = vault.encryption_key.public_key();
    let verifying_key = vault.signing_key.verifying_key();
    let email = normalize_email(&vault.email);
    let signature = vault.signing_key.sign(&Statement::PublishedKeys {
        account_id: vault.account_id.0,
        key_epoch,
        email: &email,
        encryption_key: &encryption_key,
        verifying_key: &verifying_key,
    });
    PublishedKeys {
        account_id: vault.account_id,
        key_epoch,
        email,
        encryption_key: Base64Bytes(encryption_key.to_bytes().to_vec()),
        verifying_key: Base64Bytes(verifying_key.to_bytes().to_vec()),
        signature: Base64Bytes(signature.into_bytes()),
    }
}

/// The epoch this browser should publish its keys at, if the bundle shows they need publishing.
pub fn epoch_to_publish(vault: &VaultKeys, bundle: &AccountBundle) -> Option<u64> {
    match &bundle.published_keys {
        None => Some(1),
        Some(served) if *served == statement_of(vault, served.key_epoch) => None,
        Some(served) => Some(served.key_epoch.saturating_add(1)),
    }
}

/// Another account's published keys, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedKeys {
    /// The account.
    pub account_id: AccountId,
    /// The epoch of the statement.
    pub key_epoch: u64,
    /// The address the statement names.
    pub email: String,
    /// What to wrap keys to.
    pub encryption_key: EncryptionPublicKey,
    /// What checks the account's signatures.
    pub verifying_key: VerifyingKey,
    /// The six groups of five digits to compare out of band.
    pub fingerprint: String,
}

/// Why a served statement was not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeysRefused {
    /// The statement is malformed or its signature does not verify.
    #[error("The server sent keys for {0} that are not signed by that account.")]
    NotSigned(String),
    /// The statement is about someone other than the one asked for.
    #[error("The server sent keys for another account than {0}.")]
    OtherAccount(String),
}

/// Checks a statement served for `asked` (an address or an account id, whichever the browser
/// asked by).
pub fn verify(served: &PublishedKeys, asked: &Asked<'_>) -> Result<VerifiedKeys, KeysRefused> {
    let who = || asked.to_string();
    let names_asked = match asked {
        Asked::Email(email) => normalize_email(email) == normalize_email(&served.email),
        Asked::Account(id) => *id == served.account_id,
    };
    if !names_asked {
        return Err(KeysRefused::OtherAccount(who()));
    }
    let (encryption_key, verifying_key) = served
        .verified_keys()
        .ok_or_else(|| KeysRefused::NotSigned(who()))?;
    Ok(VerifiedKeys {
        account_id: served.account_id,
        key_epoch: served.key_epoch,
        email: normalize_email(&served.email),
        fingerprint: derive_fingerprint(&verifying_key, &encryption_key),
        encryption_key,
        verifying_key,
    })
}

/// Whom a lookup asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked<'a> {
    /// By address.
    Email(&'a str),
    /// By account id.
    Account(AccountId),
}

impl core::fmt::Display for Asked<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Asked::Email(email) => f.write_str(email),
            Asked::Account(id) => write!(f, "account {id}"),
        }
    }
}

#[cfg(test)]
#[path = "published_tests.rs"]
mod tests;
