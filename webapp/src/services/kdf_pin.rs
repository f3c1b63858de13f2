//! The key-derivation pin: what this browser remembers per email so that a server cannot make
//! it derive (and send) an auth key more cheaply than before, or with a salt of its choosing.
//! Kept in [`Store::Account`] under `kdf:{email}`, and kept at sign-out (it belongs to the
//! browser, not to the session). Beside it, the profile-kind pin: the accounts this browser saw
//! with their profile kinds bound into their keys.

use serde::{Deserialize, Serialize};
use shared_types::account::{AccountBundle, KdfParams};
use shared_types::{AccountId, Base64Bytes};

use crate::cache::{Cache, CacheError, Store};
use crate::services::keys::{KeyError, OlderWraps, kdf_from_wire, kdf_to_wire};

/// Where pins are kept in [`Store::Account`].
pub const PREFIX: &str = "kdf:";

/// The weakest key derivation this browser performs on a server's word: what new accounts get.
/// A server cannot make a browser, even one that never saw the account, derive (and send) an
/// auth key more cheaply than this. Raise it together with [`wasm_crypto::KdfParams::DEFAULT`].
pub const KDF_FLOOR: wasm_crypto::KdfParams = wasm_crypto::KdfParams::DEFAULT;

/// The settings and salt of the password envelope that last opened here with the master
/// password. A server may raise the settings (a password change elsewhere does); lowering them
/// is refused, and a new salt needs the person's word that they changed their master password.
#[derive(Serialize, Deserialize)]
pub struct KdfPin {
    kdf: KdfParams,
    #[serde(default)]
    salt: Option<Base64Bytes>,
}

fn key(email: &str) -> String {
    format!("{PREFIX}{}", email.trim().to_ascii_lowercase())
}

fn damaged(e: wasm_crypto::Error) -> KeyError {
    KeyError::Damaged(e.to_string())
}

impl KdfPin {
    /// The pin of a bundle's envelope (its header is authenticated by the envelope's seal; the
    /// bundle's plain `kdf` field is never trusted).
    pub fn of(bundle: &AccountBundle) -> Result<Self, KeyError> {
        let envelope =
            wasm_crypto::PasswordEnvelope::from_bytes(bundle.password_envelope.0.clone())
                .map_err(damaged)?;
        Ok(Self {
            kdf: kdf_to_wire(envelope.params().map_err(damaged)?),
            salt: Some(envelope.salt().map_err(damaged)?.to_bytes().to_vec().into()),
        })
    }

    /// What this browser pinned for `email` (a damaged record counts as none; a pin written
    /// before salts were pinned holds the settings alone).
    pub async fn read(cache: &impl Cache, email: &str) -> Result<Option<Self>, CacheError> {
        let Some(bytes) = cache.get(Store::Account, &key(email)).await? else {
            return Ok(None);
        };
        Ok(serde_json::from_slice::<Self>(&bytes).ok().or_else(|| {
            let kdf = serde_json::from_slice::<KdfParams>(&bytes).ok()?;
            Some(Self { kdf, salt: None })
        }))
    }

    /// Pins this for `email`.
    pub async fn write(&self, cache: &impl Cache, email: &str) -> Result<(), CacheError> {
        let bytes = serde_json::to_vec(self).map_err(|e| CacheError::Corrupt(e.to_string()))?;
        cache.put(Store::Account, &key(email), &bytes).await
    }

    /// Whether `params` may be derived with: at least the floor, and at least what `pin` holds.
    pub fn allows(pin: Option<&Self>, params: &wasm_crypto::KdfParams) -> bool {
        params.at_least(&KDF_FLOOR)
            && pin.is_none_or(|pin| params.at_least(&kdf_from_wire(pin.kdf)))
    }

    /// Whether `offered` is another salt than the pinned one.
    pub fn salt_differs(pin: Option<&Self>, offered: &Base64Bytes) -> bool {
        pin.and_then(|pin| pin.salt.as_ref())
            .is_some_and(|pinned| pinned != offered)
    }
}

/// Where the profile-kind pins are kept in [`Store::Account`] (also kept at sign-out): one per
/// account this browser has opened with its keys signed as kind-bound. A server that later
/// serves the account's keys in the older form (whose profile kinds only it vouches for) is
/// refused here.
pub const KINDS_PREFIX: &str = "kinds:";

fn kinds_key(account: AccountId) -> String {
    format!("{KINDS_PREFIX}{}", account.0)
}

/// How this browser opens `account`'s profile keys wrapped the older way.
pub async fn older_wraps(cache: &impl Cache, account: AccountId) -> Result<OlderWraps, CacheError> {
    Ok(
        match cache.get(Store::Account, &kinds_key(account)).await? {
            Some(_) => OlderWraps::Refused,
            None => OlderWraps::Accepted,
        },
    )
}

/// Pins that `account` is kind-bound: the older form is refused here from now on.
pub async fn pin_kinds_bound(cache: &impl Cache, account: AccountId) -> Result<(), CacheError> {
    cache.put(Store::Account, &kinds_key(account), b"1").await
}
