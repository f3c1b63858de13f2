//! Ed25519 signatures over typed statements, and public-key fingerprints.
//!
//! A statement is encoded canonically as `"strongroom/v1/sig/" || tag || fields` (fixed-length
//! fields; strings, blobs and lists prefixed by their length as a u32), so a signature over one
//! kind of statement can never verify as another. Signature layout (after the two header bytes):
//! the 64 Ed25519 bytes.
//!
//! Statements that others rely on name everything a replay could change: published keys carry
//! the email and a key epoch, access lists their epoch and key generation.

use ed25519_dalek::Signer;
use uuid::Uuid;

use crate::access_list::AccessList;
use crate::error::{Error, Result};
use crate::format::{BlobKind, DOMAIN, FORMAT_VERSION, Purpose, blob, header, strip_header};
use crate::hpke_wrap::{HpkeBinding, HpkeWrappedKey};
use crate::keys::{EncryptionPublicKey, SigningKey, VerifyingKey};
use crate::primitives::sha256;

/// Something an account vouches for with its signing key.
#[derive(Debug, Clone, Copy)]
pub enum Statement<'a> {
    /// "These are my public keys": an account binds its encryption key to its identity.
    AccountKeys {
        /// The account.
        account_id: Uuid,
        /// Its X25519 public key.
        encryption_key: &'a EncryptionPublicKey,
        /// Its Ed25519 public key.
        verifying_key: &'a VerifyingKey,
    },
    /// "These are my public keys, and each of my profile keys is wrapped with its kind bound
    /// ([`Purpose::PersonalProfileKey`], [`Purpose::BusinessProfileKey`])": what accounts sign
    /// since kinds are bound. A browser that checks it refuses a profile key wrapped the older
    /// way ([`Purpose::ProfileKey`]) for the account, so a server cannot relabel a profile.
    KindBoundAccountKeys {
        /// The account.
        account_id: Uuid,
        /// Its X25519 public key.
        encryption_key: &'a EncryptionPublicKey,
        /// Its Ed25519 public key.
        verifying_key: &'a VerifyingKey,
    },
    /// "I made this public key for this object": a group's or a company's recovery key.
    ObjectKey {
        /// What the key is for.
        purpose: Purpose,
        /// The group or company.
        object_id: Uuid,
        /// The public key.
        key: &'a EncryptionPublicKey,
    },
    /// "I wrapped this key to this recipient": a share, group or recovery key handed out.
    Wrapping {
        /// The context the key was wrapped for.
        binding: &'a HpkeBinding,
        /// The wrapping itself.
        wrapped: &'a HpkeWrappedKey,
    },
    /// "These are my public keys, for this address, at this epoch": what an account publishes
    /// for others to wrap keys to. The epoch only goes up, so an older statement cannot be served
    /// in place of a newer one to someone who has seen the newer.
    PublishedKeys {
        /// The account.
        account_id: Uuid,
        /// Goes up by one each time the account's key pairs change.
        key_epoch: u64,
        /// The account's email (trimmed and ASCII-lowercased when encoded).
        email: &'a str,
        /// Its X25519 public key.
        encryption_key: &'a EncryptionPublicKey,
        /// Its Ed25519 public key.
        verifying_key: &'a VerifyingKey,
    },
    /// "This company vouches for these keys of this member": signed with the company's signing
    /// key, so members of one company trust each other's keys without comparing fingerprints.
    KeyCertificate {
        /// The company.
        company_id: Uuid,
        /// The member's account.
        account_id: Uuid,
        /// The epoch of the published keys certified.
        key_epoch: u64,
        /// The member's email (trimmed and ASCII-lowercased when encoded).
        email: &'a str,
        /// The member's X25519 public key.
        encryption_key: &'a EncryptionPublicKey,
        /// The member's Ed25519 public key.
        verifying_key: &'a VerifyingKey,
    },
    /// "I made this signing key for this company": signed by the Admin whose browser made it.
    CompanyKey {
        /// The company.
        company_id: Uuid,
        /// The company's Ed25519 public key.
        verifying_key: &'a VerifyingKey,
    },
    /// "These are the members of this share or group, at this epoch and key generation": signed
    /// by a manager of the previous list.
    AccessList(&'a AccessList),
}

fn push_str(out: &mut Vec<u8>, value: &str) {
    out.extend_from_slice(&(value.len() as u32).to_be_bytes());
    out.extend_from_slice(value.as_bytes());
}

fn push_keys(
    out: &mut Vec<u8>,
    account_id: &Uuid,
    key_epoch: u64,
    email: &str,
    encryption_key: &EncryptionPublicKey,
    verifying_key: &VerifyingKey,
) {
    out.extend_from_slice(account_id.as_bytes());
    out.extend_from_slice(&key_epoch.to_be_bytes());
    push_str(out, &normalize_email(email));
    out.extend_from_slice(&encryption_key.to_bytes());
    out.extend_from_slice(&verifying_key.to_bytes());
}

/// The form of an email address that statements and key derivation use: trimmed and
/// ASCII-lowercased (the server normalises the same way).
pub fn normalize_email(email: &str) -> String {
    email.trim().to_ascii_lowercase()
}

impl Statement<'_> {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(160);
        out.extend_from_slice(DOMAIN);
        out.extend_from_slice(b"/v1/sig/");
        out.push(FORMAT_VERSION);
        match self {
            Statement::AccountKeys {
                account_id,
                encryption_key,
                verifying_key,
            }
            | Statement::KindBoundAccountKeys {
                account_id,
                encryption_key,
                verifying_key,
            } => {
                out.push(match self {
                    Statement::AccountKeys { .. } => 1,
                    _ => 8,
                });
                out.extend_from_slice(account_id.as_bytes());
                out.extend_from_slice(&encryption_key.to_bytes());
                out.extend_from_slice(&verifying_key.to_bytes());
            }
            Statement::ObjectKey {
                purpose,
                object_id,
                key,
            } => {
                out.push(2);
                out.push(*purpose as u8);
                out.extend_from_slice(object_id.as_bytes());
                out.extend_from_slice(&key.to_bytes());
            }
            Statement::Wrapping { binding, wrapped } => {
                out.push(3);
                out.push(binding.purpose as u8);
                out.extend_from_slice(binding.object_id.as_bytes());
                out.extend_from_slice(binding.sender_id.as_bytes());
                out.extend_from_slice(binding.recipient_id.as_bytes());
                let bytes = wrapped.as_bytes();
                out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
                out.extend_from_slice(bytes);
            }
            Statement::PublishedKeys {
                account_id,
                key_epoch,
                email,
                encryption_key,
                verifying_key,
            } => {
                out.push(4);
                push_keys(
                    &mut out,
                    account_id,
                    *key_epoch,
                    email,
                    encryption_key,
                    verifying_key,
                );
            }
            Statement::KeyCertificate {
                company_id,
                account_id,
                key_epoch,
                email,
                encryption_key,
                verifying_key,
            } => {
                out.push(5);
                out.extend_from_slice(company_id.as_bytes());
                push_keys(
                    &mut out,
                    account_id,
                    *key_epoch,
                    email,
                    encryption_key,
                    verifying_key,
                );
            }
            Statement::CompanyKey {
                company_id,
                verifying_key,
            } => {
                out.push(6);
                out.extend_from_slice(company_id.as_bytes());
                out.extend_from_slice(&verifying_key.to_bytes());
            }
            Statement::AccessList(list) => {
                out.push(7);
                list.encode_into(&mut out);
            }
        }
        out
    }
}

blob!(
    /// An Ed25519 signature over a [`Statement`].
    Signature
);

const SIGNATURE_LEN: usize = 2 + 64;

impl Signature {
    /// Reads a signature, checking version, kind and length.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self> {
        strip_header(&bytes, BlobKind::Signature)?;
        if bytes.len() != SIGNATURE_LEN {
            return Err(Error::Malformed("a signature has the wrong length"));
        }
        Ok(Self(bytes))
    }
}

impl SigningKey {
    /// Signs `statement`.
    pub fn sign(&self, statement: &Statement<'_>) -> Signature {
        let sig = self.inner().sign(&statement.encode());
        let mut out = Vec::with_capacity(SIGNATURE_LEN);
        out.extend_from_slice(&header(BlobKind::Signature));
        out.extend_from_slice(&sig.to_bytes());
        Signature(out)
    }
}

impl VerifyingKey {
    /// Checks that `signature` is this key's signature over `statement` (strict verification:
    /// no malleable or small-order signatures).
    pub fn verify(&self, statement: &Statement<'_>, signature: &Signature) -> Result<()> {
        let body = strip_header(&signature.0, BlobKind::Signature)?;
        let sig = ed25519_dalek::Signature::from_slice(body).map_err(|_| Error::BadSignature)?;
        self.0
            .verify_strict(&statement.encode(), &sig)
            .map_err(|_| Error::BadSignature)
    }
}

/// A short, human-comparable fingerprint of an account's (or group's) public keys: six groups of
/// five digits (about 99 bits), read aloud or compared side by side to detect a swapped key.
pub fn derive_fingerprint(
    verifying_key: &VerifyingKey,
    encryption_key: &EncryptionPublicKey,
) -> String {
    digits(&sha256(&[
        DOMAIN,
        b"/v1/fingerprint",
        &verifying_key.to_bytes(),
        &encryption_key.to_bytes(),
    ]))
}

/// The fingerprint of a signing key alone (a company's), in the same six groups of five digits
/// but under its own domain string, so it never equals an account's fingerprint.
pub fn derive_signing_fingerprint(verifying_key: &VerifyingKey) -> String {
    digits(&sha256(&[
        DOMAIN,
        b"/v1/signing-fingerprint",
        &verifying_key.to_bytes(),
    ]))
}

fn digits(digest: &[u8; 32]) -> String {
    digest
        .chunks_exact(5)
        .take(6)
        .map(|chunk| {
            let value = chunk
                .iter()
                .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte));
            format!("{:05}", value % 100_000)
        })
        .collect::<Vec<_>>()
        .join(" ")
}
