//! The master password: Argon2id key derivation, the auth key / key-encryption key split, and
//! the password envelope that holds the account key.
//!
//! The Argon2id salt is not the stored salt alone but SHA-256 of a domain tag, the account's
//! email and the stored random salt. A server that hands every account the same salt therefore
//! still cannot test one password guess against many accounts at once.
//!
//! Password envelope layout (after the two header bytes):
//! `memory KiB (u32 BE) || iterations (u32 BE) || parallelism (u32 BE) || salt(16) || nonce(12)
//! || encrypted account key(32) || tag(16)`. Everything before the nonce is authenticated as
//! associated data, so the parameters travel with the envelope and cannot be altered.

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::format::{BlobKind, DOMAIN, blob, header, strip_header};
use crate::keys::SymmetricKey;
use crate::primitives::{
    KEY_LEN, NONCE_LEN, TAG_LEN, aes_gcm_open, aes_gcm_seal, argon2id, hkdf_sha256, random_array,
    sha256, take_array,
};
use crate::seal::to_key_bytes;

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory cost in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Degree of parallelism (lanes).
    pub parallelism: u32,
}

impl KdfParams {
    /// The parameters new accounts get: 64 MiB, 3 passes, 1 lane.
    pub const DEFAULT: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 1,
    };
    /// The weakest parameters this client accepts, whatever a server says.
    pub const MIN_MEMORY_KIB: u32 = 19 * 1024;
    /// The fewest passes this client accepts.
    pub const MIN_ITERATIONS: u32 = 2;
    /// The most memory this client will spend (1 GiB).
    pub const MAX_MEMORY_KIB: u32 = 1024 * 1024;
    /// The most passes this client will spend.
    pub const MAX_ITERATIONS: u32 = 10;
    /// The most lanes this client will use.
    pub const MAX_PARALLELISM: u32 = 16;

    /// Refuses parameters below the floor or above the ceiling.
    pub fn check(&self) -> Result<()> {
        if self.memory_kib < Self::MIN_MEMORY_KIB || self.iterations < Self::MIN_ITERATIONS {
            return Err(Error::KdfTooWeak {
                memory_kib: self.memory_kib,
                iterations: self.iterations,
                min_memory_kib: Self::MIN_MEMORY_KIB,
                min_iterations: Self::MIN_ITERATIONS,
            });
        }
        if self.parallelism == 0 {
            return Err(Error::Malformed(
                "key-derivation parallelism must be at least 1",
            ));
        }
        if self.memory_kib > Self::MAX_MEMORY_KIB
            || self.iterations > Self::MAX_ITERATIONS
            || self.parallelism > Self::MAX_PARALLELISM
        {
            return Err(Error::KdfTooCostly {
                memory_kib: self.memory_kib,
                iterations: self.iterations,
                parallelism: self.parallelism,
                max_memory_kib: Self::MAX_MEMORY_KIB,
                max_iterations: Self::MAX_ITERATIONS,
                max_parallelism: Self::MAX_PARALLELISM,
            });
        }
        Ok(())
    }

    /// True when these parameters cost at least as much as `other` in every dimension; a
    /// client uses it to notice a server trying to lower an account's parameters.
    pub fn at_least(&self, other: &KdfParams) -> bool {
        self.memory_kib >= other.memory_kib
            && self.iterations >= other.iterations
            && self.parallelism >= other.parallelism
    }
}

/// The per-account random salt of the key derivation (public).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordSalt([u8; 16]);

impl PasswordSalt {
    /// The salt's 16 bytes.
    pub fn to_bytes(&self) -> [u8; 16] {
        self.0
    }

    /// Reads a salt; it must be exactly 16 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        bytes
            .try_into()
            .map(Self)
            .map_err(|_| Error::Malformed("a salt must be 16 bytes"))
    }
}

/// Makes a new random salt.
pub fn make_password_salt() -> PasswordSalt {
    PasswordSalt(random_array())
}

/// A master password as typed. Zeroized on drop, never printed.
pub struct MasterPassword(Zeroizing<String>);

impl MasterPassword {
    /// Takes ownership of the typed password.
    pub fn new(password: String) -> Self {
        Self(Zeroizing::new(password))
    }
}

impl core::fmt::Debug for MasterPassword {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("MasterPassword(***)")
    }
}

/// The 256-bit proof of the master password sent at sign-in. It never encrypts anything; the
/// server keeps only a salted hash of it.
pub struct AuthKey(Zeroizing<[u8; KEY_LEN]>);

impl AuthKey {
    /// The bytes to send to the server at sign-in or sign-up.
    pub fn as_login_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl core::fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("AuthKey(***)")
    }
}

/// What the master password yields: the auth key for the server and the key-encryption key that
/// opens the password envelope.
pub struct LoginKeys {
    params: KdfParams,
    salt: PasswordSalt,
    auth_key: AuthKey,
    key_encryption_key: Zeroizing<[u8; KEY_LEN]>,
}

impl core::fmt::Debug for LoginKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LoginKeys")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

const AUTH_KEY_INFO: &[u8] = b"strongroom/v1/auth-key";
const KEY_ENCRYPTION_KEY_INFO: &[u8] = b"strongroom/v1/key-encryption-key";

const ARGON2_SALT_DOMAIN: &[u8] = b"strongroom/v1/argon2id-salt";

/// The Argon2id salt: SHA-256(domain || email length (u32 BE) || email, ASCII-lowercased and
/// trimmed || stored salt).
fn argon2_salt(account_email: &str, salt: &PasswordSalt) -> [u8; 32] {
    let email = account_email.trim().to_ascii_lowercase();
    let email_len = u32::try_from(email.len()).unwrap_or(u32::MAX).to_be_bytes();
    sha256(&[ARGON2_SALT_DOMAIN, &email_len, email.as_bytes(), &salt.0])
}

/// Derives the login keys from the master password of the account `account_email`. Refuses
/// parameters outside the floor and ceiling before spending any work.
pub fn derive_login_keys(
    password: &MasterPassword,
    account_email: &str,
    params: &KdfParams,
    salt: &PasswordSalt,
) -> Result<LoginKeys> {
    params.check()?;
    let master = argon2id(
        password.0.as_bytes(),
        &argon2_salt(account_email, salt),
        params.memory_kib,
        params.iterations,
        params.parallelism,
    )?;
    Ok(LoginKeys {
        params: *params,
        salt: *salt,
        auth_key: AuthKey(hkdf_sha256(master.as_slice(), AUTH_KEY_INFO)),
        key_encryption_key: hkdf_sha256(master.as_slice(), KEY_ENCRYPTION_KEY_INFO),
    })
}

impl LoginKeys {
    /// The auth key to send at sign-in.
    pub fn auth_key(&self) -> &AuthKey {
        &self.auth_key
    }

    /// The parameters these keys were derived with.
    pub fn params(&self) -> KdfParams {
        self.params
    }

    /// The salt these keys were derived with.
    pub fn salt(&self) -> PasswordSalt {
        self.salt
    }

    #[cfg(test)]
    pub(crate) fn dangerous_key_encryption_key_bytes(&self) -> [u8; KEY_LEN] {
        *self.key_encryption_key
    }

    /// Seals the account key into a password envelope carrying these keys' parameters and salt.
    pub fn seal_account_key(&self, account_key: &SymmetricKey) -> PasswordEnvelope {
        self.seal_account_key_with_nonce(account_key, &random_array())
    }

    pub(crate) fn seal_account_key_with_nonce(
        &self,
        account_key: &SymmetricKey,
        nonce: &[u8; NONCE_LEN],
    ) -> PasswordEnvelope {
        let mut out = Vec::with_capacity(ENVELOPE_HEADER_LEN + NONCE_LEN + KEY_LEN + TAG_LEN);
        out.extend_from_slice(&header(BlobKind::PasswordEnvelope));
        out.extend_from_slice(&self.params.memory_kib.to_be_bytes());
        out.extend_from_slice(&self.params.iterations.to_be_bytes());
        out.extend_from_slice(&self.params.parallelism.to_be_bytes());
        out.extend_from_slice(&self.salt.0);
        let aad = envelope_aad(&out);
        out.extend_from_slice(nonce);
        out.extend_from_slice(&aes_gcm_seal(
            &self.key_encryption_key,
            nonce,
            &aad,
            account_key.bytes(),
        ));
        PasswordEnvelope(out)
    }

    /// Opens a password envelope. A wrong password gives [`Error::WrongPassword`]; so does an
    /// envelope made with other parameters or salt than these keys.
    pub fn open_account_key(&self, envelope: &PasswordEnvelope) -> Result<SymmetricKey> {
        let (params, salt, nonce, ciphertext) = envelope.parts()?;
        if params != self.params || salt != self.salt {
            return Err(Error::WrongPassword);
        }
        let aad = envelope_aad(&envelope.0[..ENVELOPE_HEADER_LEN]);
        let plain = aes_gcm_open(&self.key_encryption_key, &nonce, &aad, ciphertext)
            .map_err(|_| Error::WrongPassword)?;
        crate::keys::private::Sealed::from_secret_bytes(to_key_bytes(&plain)?)
    }
}

const ENVELOPE_HEADER_LEN: usize = 2 + 12 + 16;

fn envelope_aad(header_bytes: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(DOMAIN.len() + header_bytes.len());
    aad.extend_from_slice(DOMAIN);
    aad.extend_from_slice(header_bytes);
    aad
}

blob!(
    /// The account key sealed under the key-encryption key, with the KDF parameters and salt.
    PasswordEnvelope
);

impl PasswordEnvelope {
    /// Reads an envelope, checking version, kind and length (not the parameters: see
    /// [`open_password_envelope`]).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self> {
        strip_header(&bytes, BlobKind::PasswordEnvelope)?;
        if bytes.len() != ENVELOPE_HEADER_LEN + NONCE_LEN + KEY_LEN + TAG_LEN {
            return Err(Error::Malformed("a password envelope has the wrong length"));
        }
        Ok(Self(bytes))
    }

    /// The KDF parameters stored in the envelope.
    pub fn params(&self) -> Result<KdfParams> {
        self.parts().map(|(params, ..)| params)
    }

    /// The salt stored in the envelope.
    pub fn salt(&self) -> Result<PasswordSalt> {
        self.parts().map(|(_, salt, ..)| salt)
    }

    fn parts(&self) -> Result<(KdfParams, PasswordSalt, [u8; NONCE_LEN], &[u8])> {
        let body = strip_header(&self.0, BlobKind::PasswordEnvelope)?;
        const SHORT: &str = "a password envelope is cut short";
        let (m, body) = take_array::<4>(body, SHORT)?;
        let (t, body) = take_array::<4>(body, SHORT)?;
        let (p, body) = take_array::<4>(body, SHORT)?;
        let (salt, body) = take_array::<16>(body, SHORT)?;
        let (nonce, ciphertext) = take_array::<NONCE_LEN>(body, SHORT)?;
        let params = KdfParams {
            memory_kib: u32::from_be_bytes(m),
            iterations: u32::from_be_bytes(t),
            parallelism: u32::from_be_bytes(p),
        };
        Ok((params, PasswordSalt(salt), nonce, ciphertext))
    }
}

/// Makes a password envelope for `account_key` with a fresh salt; returns the login keys too, so
/// the caller can register the auth key.
pub fn make_password_envelope(
    password: &MasterPassword,
    account_email: &str,
    params: &KdfParams,
    account_key: &SymmetricKey,
) -> Result<(LoginKeys, PasswordEnvelope)> {
    let keys = derive_login_keys(password, account_email, params, &make_password_salt())?;
    let envelope = keys.seal_account_key(account_key);
    Ok((keys, envelope))
}

/// Opens a password envelope with the parameters it carries (refusing ones outside the floor and
/// ceiling). Returns the login keys and the account key.
pub fn open_password_envelope(
    password: &MasterPassword,
    account_email: &str,
    envelope: &PasswordEnvelope,
) -> Result<(LoginKeys, SymmetricKey)> {
    let (params, salt, ..) = envelope.parts()?;
    let keys = derive_login_keys(password, account_email, &params, &salt)?;
    let account_key = keys.open_account_key(envelope)?;
    Ok((keys, account_key))
}
