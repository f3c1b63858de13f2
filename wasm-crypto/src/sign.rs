//! Ed25519 signatures over typed statements, and public-key fingerprints.
//!
//! A statement is encoded canonically as `"strongroom/v1/sig/" || tag || fields` (fixed-length
//! fields, blobs prefixed by their length), so a signature over one kind of statement can never
//! verify as another. Signature layout (after the two header bytes): the 64 Ed25519 bytes.

use ed25519_dalek::Signer;
use uuid::Uuid;

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
            } => {
                out.push(1);
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
    let digest = sha256(&[
        DOMAIN,
        b"/v1/fingerprint",
        &verifying_key.to_bytes(),
        &encryption_key.to_bytes(),
    ]);
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
