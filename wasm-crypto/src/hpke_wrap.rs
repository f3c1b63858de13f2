//! Wrapping a key to someone's public key with HPKE (RFC 9180, base mode,
//! DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM).
//!
//! Layout (after the two header bytes): `key type(1) || encapsulated key(32) || encrypted
//! key(32) || tag(16)`. The HPKE `info` binds the purpose, the object, the sender and the
//! recipient; the header bytes are the HPKE associated data.
//!
//! HPKE base mode does not authenticate the sender: anyone (a malicious server included) can
//! wrap a key of their choosing to a public key. So every wrapping is signed by its sender
//! ([`Statement::Wrapping`]) and unwrapping verifies that signature first: a recipient never
//! starts using a key it cannot attribute to a known account.
//!
//! Keys that rotate (a share key after a recipient is removed) get a new `object_id` per
//! generation, so an old wrapping never opens under the new key's binding.

use hpke::{Deserializable, OpModeR, OpModeS, Serializable};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::format::{BlobKind, DOMAIN, FORMAT_VERSION, Purpose, blob, header, strip_header};
use crate::keys::{
    EncryptionPrivateKey, EncryptionPublicKey, KeyMaterial, SigningKey, VerifyingKey,
};
use crate::primitives::{KEY_LEN, TAG_LEN, take_array};
use crate::seal::to_key_bytes;
use crate::sign::{Signature, Statement};

pub(crate) type HpkeKem = hpke::kem::X25519HkdfSha256;
pub(crate) type HpkePrivate = <HpkeKem as hpke::Kem>::PrivateKey;
type HpkePublic = <HpkeKem as hpke::Kem>::PublicKey;
type HpkeEncapped = <HpkeKem as hpke::Kem>::EncappedKey;
type HpkeKdf = hpke::kdf::HkdfSha256;
type HpkeAead = hpke::aead::AesGcm256;

const ENCAPPED_LEN: usize = 32;

/// Who wraps which key to whom, and for what. Bound into the HPKE `info`, so a wrapping made for
/// one recipient, object or purpose does not open for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HpkeBinding {
    /// What the wrapped key is for.
    pub purpose: Purpose,
    /// The object whose key is wrapped (share, group, company).
    pub object_id: Uuid,
    /// The account that made the wrapping.
    pub sender_id: Uuid,
    /// The account or group the key is wrapped to.
    pub recipient_id: Uuid,
}

impl HpkeBinding {
    fn info(&self, key_type: u8) -> Vec<u8> {
        let mut info = Vec::with_capacity(DOMAIN.len() + 8 + 48);
        info.extend_from_slice(DOMAIN);
        info.extend_from_slice(b"/hpke");
        info.extend_from_slice(&[FORMAT_VERSION, key_type, self.purpose as u8]);
        info.extend_from_slice(self.object_id.as_bytes());
        info.extend_from_slice(self.sender_id.as_bytes());
        info.extend_from_slice(self.recipient_id.as_bytes());
        info
    }
}

blob!(
    /// A key wrapped to a public key with HPKE.
    HpkeWrappedKey
);

const WRAPPED_LEN: usize = 3 + ENCAPPED_LEN + KEY_LEN + TAG_LEN;

impl HpkeWrappedKey {
    /// Reads an HPKE-wrapped key, checking version, kind and length.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self> {
        strip_header(&bytes, BlobKind::HpkeWrappedKey)?;
        if bytes.len() != WRAPPED_LEN {
            return Err(Error::Malformed("an HPKE-wrapped key has the wrong length"));
        }
        Ok(Self(bytes))
    }
}

fn aad(key_type: u8) -> [u8; 3] {
    let [version, kind] = header(BlobKind::HpkeWrappedKey);
    [version, kind, key_type]
}

/// Wraps `key` to `recipient` for the context in `binding`, signed by the sender's signing key
/// (the account named by `binding.sender_id`). Returns the wrapping and its signature.
pub fn wrap_to_public_key<K: KeyMaterial>(
    recipient: &EncryptionPublicKey,
    binding: &HpkeBinding,
    key: &K,
    sender: &SigningKey,
) -> Result<(HpkeWrappedKey, Signature)> {
    let wrapped = seal_to_public_key(recipient, binding, key)?;
    let signature = sender.sign(&Statement::Wrapping {
        binding,
        wrapped: &wrapped,
    });
    Ok((wrapped, signature))
}

/// HPKE sealing without the signature.
pub(crate) fn seal_to_public_key<K: KeyMaterial>(
    recipient: &EncryptionPublicKey,
    binding: &HpkeBinding,
    key: &K,
) -> Result<HpkeWrappedKey> {
    let pk = HpkePublic::from_bytes(&recipient.to_bytes()).map_err(|_| Error::InvalidPublicKey)?;
    let aad = aad(K::KEY_TYPE);
    let (encapped, ciphertext) = hpke::single_shot_seal::<HpkeAead, HpkeKdf, HpkeKem>(
        &OpModeS::Base,
        &pk,
        &binding.info(K::KEY_TYPE),
        key.secret_bytes().as_slice(),
        &aad,
    )
    .map_err(|_| Error::InvalidPublicKey)?;
    let mut out = Vec::with_capacity(WRAPPED_LEN);
    out.extend_from_slice(&aad);
    out.extend_from_slice(&encapped.to_bytes());
    out.extend_from_slice(&ciphertext);
    Ok(HpkeWrappedKey(out))
}

/// Unwraps a key wrapped to the public key of `private_key` with the same binding, after
/// checking that `sender` (the verifying key of the account `binding.sender_id`, which the caller
/// has established) signed exactly this wrapping. An unsigned or re-attributed wrapping gives
/// [`Error::BadSignature`] before any decryption.
pub fn unwrap_with_private_key<K: KeyMaterial>(
    private_key: &EncryptionPrivateKey,
    binding: &HpkeBinding,
    wrapped: &HpkeWrappedKey,
    signature: &Signature,
    sender: &VerifyingKey,
) -> Result<K> {
    sender.verify(&Statement::Wrapping { binding, wrapped }, signature)?;
    open_with_private_key(private_key, binding, wrapped)
}

/// HPKE opening without the signature check; only for [`unwrap_with_private_key`] and tests.
pub(crate) fn open_with_private_key<K: KeyMaterial>(
    private_key: &EncryptionPrivateKey,
    binding: &HpkeBinding,
    wrapped: &HpkeWrappedKey,
) -> Result<K> {
    let body = strip_header(&wrapped.0, BlobKind::HpkeWrappedKey)?;
    let ([key_type], body) = take_array::<1>(body, "an HPKE-wrapped key is cut short")?;
    if key_type != K::KEY_TYPE {
        return Err(Error::Malformed("the wrapped key is of another type"));
    }
    let (encapped, ciphertext) =
        take_array::<ENCAPPED_LEN>(body, "an HPKE-wrapped key is cut short")?;
    let encapped = HpkeEncapped::from_bytes(&encapped).map_err(|_| Error::Decrypt)?;
    let plain = hpke::single_shot_open::<HpkeAead, HpkeKdf, HpkeKem>(
        &OpModeR::Base,
        &private_key.hpke_private(),
        &encapped,
        &binding.info(K::KEY_TYPE),
        ciphertext,
        &aad(K::KEY_TYPE),
    )
    .map(zeroize::Zeroizing::new)
    .map_err(|_| Error::Decrypt)?;
    K::from_secret_bytes(to_key_bytes(&plain)?)
}
