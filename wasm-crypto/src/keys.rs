//! Key types. Secret keys zeroize on drop, print as `***`, cannot be cloned or serialized, and
//! compare in constant time. Public keys are plain values.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::primitives::{KEY_LEN, random_array};

/// A secret that can be wrapped ([`crate::wrap`], [`crate::wrap_to_public_key`]). Implemented
/// only by this crate's key types; their raw bytes are reachable only inside this crate.
pub trait KeyMaterial: Sized + private::Sealed {}

pub(crate) mod private {
    use super::*;

    /// The crate-private half of [`KeyMaterial`]: other crates cannot name this trait, so they
    /// can neither implement it nor call its methods.
    pub trait Sealed: Sized {
        /// Tag written into a wrapping so a key of one type never unwraps as another.
        const KEY_TYPE: u8;
        /// A copy of the key's 32 secret bytes.
        fn secret_bytes(&self) -> Zeroizing<[u8; KEY_LEN]>;
        /// Rebuilds the key from its 32 secret bytes.
        fn from_secret_bytes(bytes: Zeroizing<[u8; KEY_LEN]>) -> Result<Self>;
    }
}

macro_rules! redacted_debug {
    ($name:ident) => {
        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(concat!(stringify!($name), "(***)"))
            }
        }
    };
}

/// A 256-bit AES-GCM key: account key, profile key, item key, share key. A clone is zeroized
/// on drop like the original (the vault keeps a profile's key beside the account's keys).
#[derive(Clone)]
pub struct SymmetricKey(Zeroizing<[u8; KEY_LEN]>);
redacted_debug!(SymmetricKey);

/// Makes a new random symmetric key.
pub fn make_symmetric_key() -> SymmetricKey {
    SymmetricKey(Zeroizing::new(random_array()))
}

impl SymmetricKey {
    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl ConstantTimeEq for SymmetricKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.as_slice().ct_eq(other.0.as_slice())
    }
}

impl PartialEq for SymmetricKey {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}
impl Eq for SymmetricKey {}

impl KeyMaterial for SymmetricKey {}
impl private::Sealed for SymmetricKey {
    const KEY_TYPE: u8 = 1;
    fn secret_bytes(&self) -> Zeroizing<[u8; KEY_LEN]> {
        Zeroizing::new(*self.0)
    }
    fn from_secret_bytes(bytes: Zeroizing<[u8; KEY_LEN]>) -> Result<Self> {
        Ok(Self(bytes))
    }
}

/// An X25519 private key, used through HPKE to receive wrapped keys (shares, groups, recovery).
pub struct EncryptionPrivateKey(Zeroizing<[u8; KEY_LEN]>);
redacted_debug!(EncryptionPrivateKey);

/// An X25519 public key: what others wrap keys to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EncryptionPublicKey([u8; KEY_LEN]);

/// Makes a new random X25519 key pair.
pub fn make_encryption_key() -> EncryptionPrivateKey {
    EncryptionPrivateKey(Zeroizing::new(random_array()))
}

impl EncryptionPrivateKey {
    /// The matching public key.
    pub fn public_key(&self) -> EncryptionPublicKey {
        use hpke::{Kem as _, Serializable};
        let pk = crate::hpke_wrap::HpkeKem::sk_to_pk(&self.hpke_private());
        let mut out = [0u8; KEY_LEN];
        out.copy_from_slice(&pk.to_bytes());
        EncryptionPublicKey(out)
    }

    pub(crate) fn hpke_private(&self) -> crate::hpke_wrap::HpkePrivate {
        use hpke::Deserializable;
        crate::hpke_wrap::HpkePrivate::from_bytes(self.0.as_slice())
            .expect("any 32 bytes are a valid X25519 private key")
    }
}

impl ConstantTimeEq for EncryptionPrivateKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.as_slice().ct_eq(other.0.as_slice())
    }
}

impl KeyMaterial for EncryptionPrivateKey {}
impl private::Sealed for EncryptionPrivateKey {
    const KEY_TYPE: u8 = 2;
    fn secret_bytes(&self) -> Zeroizing<[u8; KEY_LEN]> {
        Zeroizing::new(*self.0)
    }
    fn from_secret_bytes(bytes: Zeroizing<[u8; KEY_LEN]>) -> Result<Self> {
        Ok(Self(bytes))
    }
}

impl EncryptionPublicKey {
    /// The key's 32 bytes.
    pub fn to_bytes(&self) -> [u8; KEY_LEN] {
        self.0
    }

    /// Reads a public key; refuses a wrong length or the all-zero point. (Other low-order points
    /// give an all-zero shared secret, which HPKE refuses when wrapping.)
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let array: [u8; KEY_LEN] = bytes.try_into().map_err(|_| Error::InvalidPublicKey)?;
        // All-zero output of a DH with a low-order point would make every wrapping to this key
        // readable by anyone; refuse such keys up front.
        if array.iter().all(|b| *b == 0) {
            return Err(Error::InvalidPublicKey);
        }
        Ok(Self(array))
    }
}

/// An Ed25519 signing key: signs an account's public keys and the key wrappings it hands out.
pub struct SigningKey(ed25519_dalek::SigningKey);
redacted_debug!(SigningKey);

/// An Ed25519 public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyingKey(pub(crate) ed25519_dalek::VerifyingKey);

/// Makes a new random Ed25519 signing key.
pub fn make_signing_key() -> SigningKey {
    let seed = Zeroizing::new(random_array::<KEY_LEN>());
    SigningKey(ed25519_dalek::SigningKey::from_bytes(&seed))
}

impl SigningKey {
    /// The matching public key.
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey(self.0.verifying_key())
    }

    pub(crate) fn inner(&self) -> &ed25519_dalek::SigningKey {
        &self.0
    }
}

impl ConstantTimeEq for SigningKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0
            .to_bytes()
            .as_slice()
            .ct_eq(other.0.to_bytes().as_slice())
    }
}

impl KeyMaterial for SigningKey {}
impl private::Sealed for SigningKey {
    const KEY_TYPE: u8 = 3;
    fn secret_bytes(&self) -> Zeroizing<[u8; KEY_LEN]> {
        Zeroizing::new(self.0.to_bytes())
    }
    fn from_secret_bytes(bytes: Zeroizing<[u8; KEY_LEN]>) -> Result<Self> {
        Ok(Self(ed25519_dalek::SigningKey::from_bytes(&bytes)))
    }
}

impl VerifyingKey {
    /// The key's 32 bytes.
    pub fn to_bytes(&self) -> [u8; KEY_LEN] {
        self.0.to_bytes()
    }

    /// Reads a public key; refuses bytes that are not a valid curve point.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let array: [u8; KEY_LEN] = bytes.try_into().map_err(|_| Error::InvalidPublicKey)?;
        ed25519_dalek::VerifyingKey::from_bytes(&array)
            .map(Self)
            .map_err(|_| Error::InvalidPublicKey)
    }
}

/// Builds a key from fixed bytes. Only for test vectors and the in-browser self-check.
pub(crate) fn dangerous_key_from_bytes<K: KeyMaterial>(bytes: [u8; KEY_LEN]) -> K {
    <K as private::Sealed>::from_secret_bytes(Zeroizing::new(bytes))
        .expect("fixed test keys are valid")
}
