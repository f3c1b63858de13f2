//! Ids derived from secrets or addresses, so that two browsers arrive at the same id without
//! telling the server what it stands for.

use uuid::{Builder, Uuid};

use crate::format::{DOMAIN, Purpose};
use crate::keys::SymmetricKey;
use crate::primitives::{hkdf_sha256, sha256};
use crate::sign::normalize_email;

fn custom_uuid(bytes: &[u8]) -> Uuid {
    let mut out = [0u8; 16];
    out.copy_from_slice(&bytes[..16]);
    Builder::from_custom_bytes(out).into_uuid()
}

/// A stable record id for `subject` (say, a contact's account id) in the container that `key`
/// seals: HKDF of the key, the purpose and the subject, as a version 8 UUID. Every browser that
/// holds the key derives the same id, and the server cannot tell whose record it is.
pub fn derive_record_id(key: &SymmetricKey, purpose: Purpose, subject: &[u8]) -> Uuid {
    let mut info = Vec::with_capacity(DOMAIN.len() + 16 + subject.len());
    info.extend_from_slice(DOMAIN);
    info.extend_from_slice(b"/v1/record-id");
    info.push(purpose as u8);
    info.extend_from_slice(subject);
    custom_uuid(hkdf_sha256(key.bytes(), &info).as_slice())
}

/// The id of an access-list entry for someone invited by email who has no account yet: a
/// version 8 UUID from SHA-256 of the normalised address.
pub fn derive_invitee_id(email: &str) -> Uuid {
    custom_uuid(&sha256(&[
        DOMAIN,
        b"/v1/invitee/",
        normalize_email(email).as_bytes(),
    ]))
}
