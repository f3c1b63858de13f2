//! The trust store: the keys this person has accepted for each contact (trust on first use),
//! kept as sealed records of the Personal profile, so they sync to the person's other browsers,
//! keep versions and are covered by checkpoints (a server that hides a pin from a new browser
//! is caught there, instead of turning "keys changed" into "new contact").
//!
//! Invariants:
//! - [`judge`] is the one place that decides what served keys mean against a pin; it is pure.
//! - Nothing is ever wrapped to keys judged [`Judgement::Changed`] or [`Judgement::Rollback`]
//!   until the person confirms the change; a confirmation pins them as compared.
//! - A record's id derives from the Personal key and the contact's account id, so two browsers
//!   that pin the same contact write the same record and meet in the usual conflict path.

use serde::{Deserialize, Serialize};
use shared_types::{AccountId, Base64Bytes};
use wasm_crypto::{EncryptionPublicKey, VerifyingKey, derive_fingerprint};

use super::published::VerifiedKeys;

/// What a trust record says. Tagged, so kinds added later (a pinned company key, the newest
/// list seen of a share) read as unknown in this version and are kept untouched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TrustData {
    /// A contact's pinned keys.
    Contact(ContactPin),
}

impl TrustData {
    /// The contact pin this record holds, if it is one.
    pub fn contact(&self) -> Option<&ContactPin> {
        match self {
            TrustData::Contact(pin) => Some(pin),
        }
    }
}

/// How a contact's keys came to be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinSource {
    /// Accepted the first time they were seen.
    FirstUse,
    /// The person compared the fingerprint with the contact's, outside Strongroom.
    Compared,
}

/// The keys accepted for one contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPin {
    /// The contact's account.
    pub account_id: AccountId,
    /// The address the accepted statement named.
    pub email: String,
    /// The epoch of the accepted statement.
    pub key_epoch: u64,
    /// The accepted X25519 key.
    pub encryption_key: Base64Bytes,
    /// The accepted Ed25519 key.
    pub verifying_key: Base64Bytes,
    /// When these keys were first accepted (ms).
    pub pinned_at: i64,
    /// How.
    pub source: PinSource,
}

impl ContactPin {
    /// A pin of `keys`, made now.
    pub fn of(keys: &VerifiedKeys, source: PinSource, now_ms: i64) -> Self {
        Self {
            account_id: keys.account_id,
            email: keys.email.clone(),
            key_epoch: keys.key_epoch,
            encryption_key: Base64Bytes(keys.encryption_key.to_bytes().to_vec()),
            verifying_key: Base64Bytes(keys.verifying_key.to_bytes().to_vec()),
            pinned_at: now_ms,
            source,
        }
    }

    /// The fingerprint of the pinned keys (or a note that the stored keys are damaged).
    pub fn fingerprint(&self) -> String {
        match (
            VerifyingKey::from_bytes(&self.verifying_key.0),
            EncryptionPublicKey::from_bytes(&self.encryption_key.0),
        ) {
            (Ok(v), Ok(e)) => derive_fingerprint(&v, &e),
            _ => "damaged".to_owned(),
        }
    }

    fn same_keys(&self, keys: &VerifiedKeys) -> bool {
        self.account_id == keys.account_id
            && self.encryption_key.0 == keys.encryption_key.to_bytes()
            && self.verifying_key.0 == keys.verifying_key.to_bytes()
    }

    /// The subject its record id derives from.
    pub fn subject(account: AccountId) -> Vec<u8> {
        let mut subject = b"contact:".to_vec();
        subject.extend_from_slice(account.0.as_bytes());
        subject
    }
}

/// What served keys mean against the pin held for that contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Exactly the pinned keys.
    Same,
    /// No pin yet: pinned on first use.
    New,
    /// The pinned keys, under a newer statement (say, a new address): the pin follows it.
    Updated,
    /// Other keys than the pinned ones: blocking until the person compares fingerprints.
    Changed {
        /// The fingerprint of the pinned keys.
        pinned: String,
        /// The fingerprint of the served keys.
        served: String,
    },
    /// An older statement than the pinned one: an old key is being replayed. Refused.
    Rollback,
}

/// Judges `served` (already verified, see [`super::published::verify`]) against `pin`.
pub fn judge(pin: Option<&ContactPin>, served: &VerifiedKeys) -> Judgement {
    let Some(pin) = pin else {
        return Judgement::New;
    };
    if served.key_epoch < pin.key_epoch {
        return Judgement::Rollback;
    }
    if !pin.same_keys(served) {
        return Judgement::Changed {
            pinned: pin.fingerprint(),
            served: served.fingerprint.clone(),
        };
    }
    if served.key_epoch == pin.key_epoch && served.email == pin.email {
        Judgement::Same
    } else {
        Judgement::Updated
    }
}

#[cfg(test)]
#[path = "trust_tests.rs"]
mod tests;
