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
use shared_types::{AccountId, Base64Bytes, CompanyId};
use wasm_crypto::{
    EncryptionPublicKey, VerifyingKey, derive_fingerprint, derive_signing_fingerprint,
};

use super::published::VerifiedKeys;

/// What a trust record says. Tagged, so kinds added later (a pinned company key, the newest
/// list seen of a share) read as unknown in this version and are kept untouched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TrustData {
    /// A contact's pinned keys.
    Contact(ContactPin),
    /// The pinned signing key of the person's company.
    Company(CompanyPin),
}

impl TrustData {
    /// The contact pin this record holds, if it is one.
    pub fn contact(&self) -> Option<&ContactPin> {
        match self {
            TrustData::Contact(pin) => Some(pin),
            TrustData::Company(_) => None,
        }
    }

    /// The company pin this record holds, if it is one.
    pub fn company(&self) -> Option<&CompanyPin> {
        match self {
            TrustData::Company(pin) => Some(pin),
            TrustData::Contact(_) => None,
        }
    }
}

/// How a company's signing key came to be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompanyPinSource {
    /// This person's browser made it.
    Made,
    /// It matched the fingerprint in the invitation link this person followed (outside the
    /// server's control when the link was copied by an Admin; see the design, §2.5).
    LinkFragment,
    /// Accepted the first time it was seen.
    FirstUse,
    /// The person compared its fingerprint with an Admin's, outside Strongroom.
    Compared,
}

/// The signing key accepted for the person's company: it certifies members' keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyPin {
    /// The company.
    pub company: CompanyId,
    /// Its Ed25519 public key.
    pub verifying_key: Base64Bytes,
    /// The Admin whose statement made it.
    pub maker: AccountId,
    /// When it was pinned (ms).
    pub pinned_at: i64,
    /// How.
    pub via: CompanyPinSource,
}

impl CompanyPin {
    /// The pinned key, if the stored bytes still parse.
    pub fn key(&self) -> Option<VerifyingKey> {
        VerifyingKey::from_bytes(&self.verifying_key.0).ok()
    }

    /// The key's 6×5-digit fingerprint, to compare in person or against an invitation link.
    pub fn fingerprint(&self) -> String {
        self.key()
            .map(|k| derive_signing_fingerprint(&k))
            .unwrap_or_else(|| "damaged".to_owned())
    }

    /// The subject its record id derives from.
    pub fn subject(company: CompanyId) -> Vec<u8> {
        let mut subject = b"company:".to_vec();
        subject.extend_from_slice(company.0.as_bytes());
        subject
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
    /// Certified by the pinned signing key of the person's company.
    Certified,
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
    /// No pin yet, and the person's company certifies these keys: pinned as certified.
    NewCertified,
    /// The pinned keys, under a newer statement (say, a new address): the pin follows it.
    Updated,
    /// The pinned keys, trusted on first use, now certified by the person's company: the pin
    /// records it.
    NowCertified,
    /// Other keys than the pinned ones: blocking until the person compares fingerprints.
    Changed {
        /// The fingerprint of the pinned keys.
        pinned: String,
        /// The fingerprint of the served keys.
        served: String,
    },
    /// Other keys than the pinned ones, under a newer statement the person's company
    /// certifies: accepted, with a notice.
    Recertified {
        /// The fingerprint of the pinned keys.
        pinned: String,
        /// The fingerprint of the served keys.
        served: String,
    },
    /// An older statement than the pinned one: an old key is being replayed. Refused.
    Rollback,
}

/// Judges `served` (already verified, see [`super::published::verify`]) against `pin`;
/// `certified` says whether the pinned company key certifies exactly these keys.
pub fn judge(pin: Option<&ContactPin>, served: &VerifiedKeys, certified: bool) -> Judgement {
    let Some(pin) = pin else {
        return if certified {
            Judgement::NewCertified
        } else {
            Judgement::New
        };
    };
    if served.key_epoch < pin.key_epoch {
        return Judgement::Rollback;
    }
    if !pin.same_keys(served) {
        let (pinned, served_fp) = (pin.fingerprint(), served.fingerprint.clone());
        // Only a newer statement: a certificate never makes the pinned epoch's keys change.
        return if certified && served.key_epoch > pin.key_epoch {
            Judgement::Recertified {
                pinned,
                served: served_fp,
            }
        } else {
            Judgement::Changed {
                pinned,
                served: served_fp,
            }
        };
    }
    if certified && pin.source == PinSource::FirstUse {
        Judgement::NowCertified
    } else if served.key_epoch == pin.key_epoch && served.email == pin.email {
        Judgement::Same
    } else {
        Judgement::Updated
    }
}

#[cfg(test)]
#[path = "trust_tests.rs"]
mod tests;
