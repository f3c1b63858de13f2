//! Symmetric sealing of records and wrapping of keys under a symmetric key (AES-256-GCM with a
//! random 96-bit nonce and associated data from the [`Binding`]).
//!
//! Layouts (after the two header bytes):
//! - sealed data: `nonce(12) || ciphertext || tag(16)`
//! - wrapped key: `key type(1) || nonce(12) || encrypted key(32) || tag(16)`

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::format::{Binding, BlobKind, blob, header, strip_header};
use crate::keys::{KeyMaterial, SymmetricKey};
use crate::primitives::{
    KEY_LEN, NONCE_LEN, TAG_LEN, aes_gcm_open, aes_gcm_seal, random_array, take_array,
};

blob!(
    /// A record sealed under a symmetric key. Only ciphertext: safe to store anywhere.
    SealedData
);
blob!(
    /// A key wrapped under a symmetric key.
    WrappedKey
);

impl SealedData {
    /// Reads sealed data, checking its version, kind and minimum length (not its contents).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self> {
        let body = strip_header(&bytes, BlobKind::SealedData)?;
        if body.len() < NONCE_LEN + TAG_LEN {
            return Err(Error::Malformed("sealed data is cut short"));
        }
        Ok(Self(bytes))
    }
}

impl WrappedKey {
    /// Reads a wrapped key, checking its version, kind and exact length.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self> {
        let body = strip_header(&bytes, BlobKind::WrappedKey)?;
        if body.len() != 1 + NONCE_LEN + KEY_LEN + TAG_LEN {
            return Err(Error::Malformed("a wrapped key has the wrong length"));
        }
        Ok(Self(bytes))
    }
}

/// Seals `plaintext` under `key`, bound to `binding`.
pub fn seal(key: &SymmetricKey, binding: &Binding, plaintext: &[u8]) -> SealedData {
    seal_with_nonce(key, binding, &random_array(), plaintext)
}

pub(crate) fn seal_with_nonce(
    key: &SymmetricKey,
    binding: &Binding,
    nonce: &[u8; NONCE_LEN],
    plaintext: &[u8],
) -> SealedData {
    let aad = binding.associated_data(BlobKind::SealedData, 0);
    let mut out = Vec::with_capacity(2 + NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(&header(BlobKind::SealedData));
    out.extend_from_slice(nonce);
    out.extend_from_slice(&aes_gcm_seal(key.bytes(), nonce, &aad, plaintext));
    SealedData(out)
}

/// Opens sealed data; fails with [`Error::Decrypt`] for a wrong key, altered bytes or another
/// binding.
pub fn open(
    key: &SymmetricKey,
    binding: &Binding,
    sealed: &SealedData,
) -> Result<Zeroizing<Vec<u8>>> {
    let body = strip_header(&sealed.0, BlobKind::SealedData)?;
    let (nonce, ciphertext) = take_array::<NONCE_LEN>(body, "sealed data is cut short")?;
    aes_gcm_open(
        key.bytes(),
        &nonce,
        &binding.associated_data(BlobKind::SealedData, 0),
        ciphertext,
    )
}

/// Wraps `key` under `wrapping_key`, bound to `binding`.
pub fn wrap<K: KeyMaterial>(wrapping_key: &SymmetricKey, binding: &Binding, key: &K) -> WrappedKey {
    wrap_with_nonce(wrapping_key, binding, &random_array(), key)
}

pub(crate) fn wrap_with_nonce<K: KeyMaterial>(
    wrapping_key: &SymmetricKey,
    binding: &Binding,
    nonce: &[u8; NONCE_LEN],
    key: &K,
) -> WrappedKey {
    let aad = binding.associated_data(BlobKind::WrappedKey, K::KEY_TYPE);
    let mut out = Vec::with_capacity(3 + NONCE_LEN + KEY_LEN + TAG_LEN);
    out.extend_from_slice(&header(BlobKind::WrappedKey));
    out.push(K::KEY_TYPE);
    out.extend_from_slice(nonce);
    out.extend_from_slice(&aes_gcm_seal(
        wrapping_key.bytes(),
        nonce,
        &aad,
        key.secret_bytes().as_slice(),
    ));
    WrappedKey(out)
}

/// Unwraps a key wrapped by [`wrap`] with the same wrapping key and binding.
pub fn unwrap<K: KeyMaterial>(
    wrapping_key: &SymmetricKey,
    binding: &Binding,
    wrapped: &WrappedKey,
) -> Result<K> {
    let body = strip_header(&wrapped.0, BlobKind::WrappedKey)?;
    let ([key_type], rest) = take_array::<1>(body, "a wrapped key is cut short")?;
    if key_type != K::KEY_TYPE {
        return Err(Error::Malformed("the wrapped key is of another type"));
    }
    let (nonce, ciphertext) = take_array::<NONCE_LEN>(rest, "a wrapped key is cut short")?;
    let aad = binding.associated_data(BlobKind::WrappedKey, K::KEY_TYPE);
    let plain = aes_gcm_open(wrapping_key.bytes(), &nonce, &aad, ciphertext)?;
    K::from_secret_bytes(to_key_bytes(&plain)?)
}

/// Copies exactly 32 decrypted bytes into a zeroizing array.
pub(crate) fn to_key_bytes(plain: &[u8]) -> Result<Zeroizing<[u8; KEY_LEN]>> {
    if plain.len() != KEY_LEN {
        return Err(Error::Decrypt);
    }
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    out.copy_from_slice(plain);
    Ok(out)
}
