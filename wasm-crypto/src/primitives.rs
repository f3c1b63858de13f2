//! Raw primitives. Private to the crate: callers never pick nonces, salts or KDF parameters, and
//! never see an unauthenticated cipher.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Length of an AES-256-GCM nonce.
pub(crate) const NONCE_LEN: usize = 12;
/// Length of an AES-256-GCM tag.
pub(crate) const TAG_LEN: usize = 16;
/// Length of every symmetric key and of every 32-byte secret.
pub(crate) const KEY_LEN: usize = 32;

/// Fills `N` bytes from the platform's cryptographic random source.
pub(crate) fn random_array<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    getrandom::fill(&mut out)
        .expect("the platform's cryptographic random source must be available");
    out
}

/// AES-256-GCM encryption with an explicit nonce; returns ciphertext || tag.
pub(crate) fn aes_gcm_seal(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Vec<u8> {
    let cipher = Aes256Gcm::new(&(*key).into());
    cipher
        .encrypt(
            &Nonce::from(*nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("AES-GCM encryption cannot fail for inputs below 64 GiB")
}

/// AES-256-GCM decryption of ciphertext || tag; any failure is `Error::Decrypt`.
pub(crate) fn aes_gcm_open(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let cipher = Aes256Gcm::new(&(*key).into());
    cipher
        .decrypt(
            &Nonce::from(*nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| Error::Decrypt)
}

/// HKDF-SHA256 expansion of `ikm` into a 32-byte key for `info`.
pub(crate) fn hkdf_sha256(ikm: &[u8], info: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    let hk = Hkdf::<Sha256>::new(None, ikm);
    let mut okm = Zeroizing::new([0u8; KEY_LEN]);
    hk.expand(info, okm.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    okm
}

/// Argon2id (version 0x13) with a 32-byte output.
pub(crate) fn argon2id(
    password: &[u8],
    salt: &[u8],
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
) -> Result<Zeroizing<[u8; KEY_LEN]>> {
    let params = argon2::Params::new(memory_kib, iterations, parallelism, Some(KEY_LEN))
        .map_err(|_| Error::Malformed("invalid key-derivation parameters"))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    argon
        .hash_password_into(password, salt, out.as_mut())
        .map_err(|_| Error::Malformed("invalid key-derivation input"))?;
    Ok(out)
}

/// SHA-256 of the concatenation of `parts`.
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    use sha2::Digest;
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// A SHA-256 digest of public data, fed piece by piece (a container's checkpoint). Not for
/// secrets: it keeps no key and zeroizes nothing.
#[derive(Default)]
pub struct Digest(Sha256);

impl Digest {
    /// An empty digest.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        sha2::Digest::update(&mut self.0, bytes);
    }

    /// The digest of everything added.
    pub fn finish(self) -> [u8; 32] {
        sha2::Digest::finalize(self.0).into()
    }
}

/// Splits `bytes` at `n`, or fails with `what` when it is too short.
pub(crate) fn take<'a>(
    bytes: &'a [u8],
    n: usize,
    what: &'static str,
) -> Result<(&'a [u8], &'a [u8])> {
    if bytes.len() < n {
        return Err(Error::Malformed(what));
    }
    Ok(bytes.split_at(n))
}

/// Reads exactly `N` bytes from the front of `bytes`.
pub(crate) fn take_array<'a, const N: usize>(
    bytes: &'a [u8],
    what: &'static str,
) -> Result<([u8; N], &'a [u8])> {
    let (head, rest) = take(bytes, N, what)?;
    let mut out = [0u8; N];
    out.copy_from_slice(head);
    Ok((out, rest))
}
