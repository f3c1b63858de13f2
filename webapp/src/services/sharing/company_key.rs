//! The company signing key, as a browser makes and checks it: made by the first Admin's
//! browser, pinned by every member's browser (from the invitation link's fingerprint when it
//! has one, else on first use), and used by Admins' browsers to certify members' published keys,
//! so that members of one company trust each other's keys without comparing fingerprints.
//!
//! Invariants:
//! - A served company key is used only when its statement is signed by the Admin it names,
//!   whose keys this browser trusts, and when it is the key pinned here; a different key is a
//!   problem to show, never a reason to pin again.
//! - A link's fingerprint that does not match the served key blocks: nothing is pinned.
//! - A certificate is signed only over published keys that verify and are exactly the keys
//!   pinned here for that person (or this browser's own).

use shared_types::sharing::{
    CompanyKey, CreateCompanyKeyRequest, EntryKind, KeyCertificate, PublishedKeys,
};
use shared_types::{AccountId, Base64Bytes, CompanyId};
use wasm_crypto::{
    Purpose, SigningKey, Statement, VerifyingKey, derive_signing_fingerprint, make_signing_key,
};

use super::making::{Recipient, wrap_key};
use super::trust::{CompanyPin, CompanyPinSource};
use crate::services::keys::VaultKeys;

/// A new company key made here, with the request that stores it.
pub fn make_company_key(
    me: &VaultKeys,
    company: CompanyId,
) -> (SigningKey, CreateCompanyKeyRequest) {
    let key = make_signing_key();
    let verifying = key.verifying_key();
    let signature = me.signing_key.sign(&Statement::CompanyKey {
        company_id: company.0,
        verifying_key: &verifying,
    });
    let wrapping = wrap_signing_key(
        me,
        company,
        &key,
        me.account_id,
        &me.encryption_key.public_key(),
    );
    let request = CreateCompanyKeyRequest {
        key: CompanyKey {
            company,
            verifying_key: Base64Bytes(verifying.to_bytes().to_vec()),
            maker: me.account_id,
            signature: Base64Bytes(signature.into_bytes()),
        },
        wrapping,
    };
    (key, request)
}

/// The company key `key` of `company` wrapped to `to` (an Admin) and signed here.
pub fn wrap_signing_key(
    me: &VaultKeys,
    company: CompanyId,
    key: &SigningKey,
    to: AccountId,
    public: &wasm_crypto::EncryptionPublicKey,
) -> shared_types::sharing::KeyWrapping {
    wrap_key(
        me,
        (Purpose::CompanySigningKey, key),
        (1, company.0),
        Recipient {
            id: to.0,
            kind: EntryKind::Account,
            generation: 0,
        },
        public,
    )
}

/// The served company key of `company`, if its statement is signed by `maker` (the key trusted
/// here for the Admin it names).
pub fn verify_company_key(
    served: &CompanyKey,
    company: CompanyId,
    maker: &VerifyingKey,
) -> Option<VerifyingKey> {
    if served.company != company {
        return None;
    }
    let key = VerifyingKey::from_bytes(&served.verifying_key.0).ok()?;
    let signature = wasm_crypto::Signature::from_bytes(served.signature.0.clone()).ok()?;
    maker
        .verify(
            &Statement::CompanyKey {
                company_id: company.0,
                verifying_key: &key,
            },
            &signature,
        )
        .ok()?;
    Some(key)
}

/// What a verified served company key means against the pin and the invitation's fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompanyKeyJudgement {
    /// The pinned key.
    Same,
    /// No pin yet: pin it, this way.
    Pin(CompanyPinSource),
    /// Another key than the pinned one, or than the invitation's fingerprint: blocking.
    Mismatch {
        /// The fingerprint expected (pinned or from the link).
        expected: String,
        /// The served key's fingerprint.
        served: String,
    },
}

/// Judges `served` against `pin` and the fingerprint of the invitation link this browser
/// followed (`link_fp`, 30 digits with or without spaces).
pub fn judge_company_key(
    pin: Option<&CompanyPin>,
    served: &VerifyingKey,
    link_fp: Option<&str>,
) -> CompanyKeyJudgement {
    let served_fp = derive_signing_fingerprint(served);
    if let Some(pin) = pin {
        return if pin.verifying_key.0 == served.to_bytes() {
            CompanyKeyJudgement::Same
        } else {
            CompanyKeyJudgement::Mismatch {
                expected: pin.fingerprint(),
                served: served_fp,
            }
        };
    }
    match link_fp {
        Some(fp) if digits(fp) == digits(&served_fp) => {
            CompanyKeyJudgement::Pin(CompanyPinSource::LinkFragment)
        }
        Some(fp) => CompanyKeyJudgement::Mismatch {
            expected: fp.to_owned(),
            served: served_fp,
        },
        None => CompanyKeyJudgement::Pin(CompanyPinSource::FirstUse),
    }
}

fn digits(fp: &str) -> String {
    fp.chars().filter(char::is_ascii_digit).collect()
}

/// The company key `key` of `company` certifies `keys` (which must verify).
pub fn certify(
    key: &SigningKey,
    company: CompanyId,
    keys: &PublishedKeys,
) -> Option<KeyCertificate> {
    let (encryption_key, verifying_key) = keys.verified_keys()?;
    let signature = key.sign(&Statement::KeyCertificate {
        company_id: company.0,
        account_id: keys.account_id.0,
        key_epoch: keys.key_epoch,
        email: &keys.email,
        encryption_key: &encryption_key,
        verifying_key: &verifying_key,
    });
    Some(KeyCertificate {
        company,
        account_id: keys.account_id,
        key_epoch: keys.key_epoch,
        signature: Base64Bytes(signature.into_bytes()),
    })
}

/// Whether `certificate`, served as this account's with the statement it is over, vouches
/// for keys that are not this browser's: someone planted keys in this person's name and got
/// them certified. (A certificate that does not verify over what is served proves nothing and
/// is ignored.)
pub fn certificate_not_mine(
    me: &VaultKeys,
    company_key: &VerifyingKey,
    certificate: &KeyCertificate,
    certified: &PublishedKeys,
) -> bool {
    certified.account_id == me.account_id
        && certificate.certifies(company_key, certified)
        && (certified.encryption_key.0 != me.encryption_key.public_key().to_bytes()
            || certified.verifying_key.0 != me.signing_key.verifying_key().to_bytes())
}

#[cfg(test)]
#[path = "company_key_tests.rs"]
mod tests;
