//! Accounts and sign-in: what the browser sends and receives. The master password never appears
//! here; the auth key (a derived proof) and one-time codes do, and they redact themselves in
//! `Debug`.

use serde::{Deserialize, Serialize};

use crate::{AccountId, Base64Bytes, DeviceId, ProfileId};

/// Argon2id parameters of an account, as stored by the server. The client checks them against
/// its floor and ceiling and against what it last used; the server is not trusted with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory cost in KiB.
    pub memory_kib: u32,
    /// Passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// The weakest settings any account may have, and what new accounts get (64 MiB, 3 passes,
    /// 1 lane): the server makes no account below it and the browser derives nothing below it
    /// on a server's word. Raise both together (the browser's `KDF_FLOOR` is checked equal).
    pub const FLOOR: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 1,
    };
}

/// `POST /api/prelogin`: which key-derivation settings to use for an email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreloginRequest {
    /// The account's email.
    pub email: String,
}

/// The reply to [`PreloginRequest`]. For an unknown email the server answers with stable,
/// plausible made-up values, so the reply never tells whether an account exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreloginResponse {
    /// Argon2id parameters.
    pub kdf: KdfParams,
    /// The stored random salt (16 bytes).
    pub salt: Base64Bytes,
}

/// The auth key: proof of the master password, derived in the browser. Never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AuthKeyProof(pub Base64Bytes);

impl core::fmt::Debug for AuthKeyProof {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("AuthKeyProof(***)")
    }
}

/// A one-time code typed by a person (email code, authenticator code). Never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OneTimeCode(pub String);

impl core::fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("OneTimeCode(***)")
    }
}

/// The browser making a request: its random id (kept in IndexedDB) and a readable name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// The browser's id.
    pub id: DeviceId,
    /// "Chromium on Linux" and the like, shown in the list of verified browsers.
    pub name: String,
}

/// Personal or Business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileKind {
    /// The user's own vault.
    Personal,
    /// Business items: still private to the user unless shared.
    Business,
}

/// A profile and its key, wrapped by the account key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileKey {
    /// The profile's id.
    pub id: ProfileId,
    /// Which profile.
    pub kind: ProfileKind,
    /// The profile key wrapped by the account key.
    pub wrapped_key: Base64Bytes,
}

/// `PUT /api/account/profile-keys`: an account made before profile kinds were bound, migrated
/// by its browser: every profile key wrapped again with its kind in the binding, and the keys
/// signed as kind-bound (after which its browsers refuse a profile key wrapped the older way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindProfileKindsRequest {
    /// The account's signature over its keys as kind-bound.
    pub keys_signature: Base64Bytes,
    /// Every profile of the account, each key wrapped again.
    pub profiles: Vec<ProfileKey>,
}

/// An account's public keys and its wrapped private keys. Everything here is public or
/// encrypted; the server stores it as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountKeys {
    /// X25519 public key (receives shares and group keys).
    pub encryption_public_key: Base64Bytes,
    /// Ed25519 public key.
    pub verifying_key: Base64Bytes,
    /// The account's signature binding both public keys to its id.
    pub keys_signature: Base64Bytes,
    /// The X25519 private key wrapped by the account key.
    pub wrapped_encryption_key: Base64Bytes,
    /// The Ed25519 signing key wrapped by the account key.
    pub wrapped_signing_key: Base64Bytes,
    /// The Personal and Business profiles.
    pub profiles: Vec<ProfileKey>,
}

/// `POST /api/accounts`: create an account. Every key was made in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupRequest {
    /// Chosen by the browser (its keys are bound to it).
    pub account_id: AccountId,
    /// The email; it must be confirmed with a code before the account can be used.
    pub email: String,
    /// Proof of the master password.
    pub auth_key: AuthKeyProof,
    /// Argon2id parameters used.
    pub kdf: KdfParams,
    /// The salt used (16 bytes).
    pub salt: Base64Bytes,
    /// The account key sealed under the master password.
    pub password_envelope: Base64Bytes,
    /// Public and wrapped keys.
    pub keys: AccountKeys,
    /// The browser signing up.
    pub device: DeviceInfo,
}

/// `POST /api/accounts/confirm`: confirm the email with the code it received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmEmailRequest {
    /// The email.
    pub email: String,
    /// The code from the message.
    pub code: OneTimeCode,
    /// The browser confirming (it becomes a verified browser).
    pub device: DeviceInfo,
}

/// `POST /api/login`: sign in with the auth key, from a browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    /// The email.
    pub email: String,
    /// Proof of the master password.
    pub auth_key: AuthKeyProof,
    /// The browser signing in.
    pub device: DeviceInfo,
    /// The code emailed to verify a new browser, once asked for.
    #[serde(default)]
    pub email_code: Option<OneTimeCode>,
    /// The authenticator app's code, when two-factor authentication is on.
    #[serde(default)]
    pub totp_code: Option<OneTimeCode>,
    /// A one-time recovery code, instead of the authenticator's code.
    #[serde(default)]
    pub recovery_code: Option<OneTimeCode>,
}

/// `GET /api/account/2fa`: whether two-factor authentication is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    /// On or off.
    pub enabled: bool,
    /// Unused recovery codes left.
    pub recovery_codes_left: u32,
}

/// `POST /api/account/2fa/setup`: a new authenticator secret, not yet active.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorSetup {
    /// The secret in base32, for typing into an authenticator by hand.
    pub secret: String,
    /// The `otpauth://` URL, shown as a QR code.
    pub otpauth_url: String,
}

impl core::fmt::Debug for TwoFactorSetup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("TwoFactorSetup(***)")
    }
}

/// `POST /api/account/2fa/enable`: turns it on with a first code from the authenticator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnableTwoFactorRequest {
    /// A current code from the authenticator.
    pub code: OneTimeCode,
}

/// The one-time recovery codes, shown once when two-factor authentication is turned on.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryCodes {
    /// Each works once instead of an authenticator code.
    pub codes: Vec<String>,
}

impl core::fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RecoveryCodes({} codes)", self.codes.len())
    }
}

/// `POST /api/account/2fa/disable`: turning it off needs the master password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisableTwoFactorRequest {
    /// Proof of the master password.
    pub auth_key: AuthKeyProof,
}

/// What a signed-in browser needs to open the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountBundle {
    /// The account.
    pub account_id: AccountId,
    /// Its email.
    pub email: String,
    /// Argon2id parameters.
    pub kdf: KdfParams,
    /// The account key sealed under the master password.
    pub password_envelope: Base64Bytes,
    /// Public and wrapped keys.
    pub keys: AccountKeys,
    /// The account's current published keys, if any: the browser publishes its keys when this
    /// is missing or does not match them.
    #[serde(default)]
    pub published_keys: Option<crate::sharing::PublishedKeys>,
}

/// A browser that has signed in to the account, for the account settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    /// The browser's id.
    pub id: DeviceId,
    /// "Chrome on Windows" and the like.
    pub name: String,
    /// Whether it passed the emailed-code check.
    pub verified: bool,
    /// First sign-in (Unix seconds).
    pub first_seen: i64,
    /// Latest sign-in (Unix seconds).
    pub last_seen: i64,
    /// Whether this is the browser asking.
    pub current: bool,
}

/// A signed-in session, for the account settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// The session's id (not its token).
    pub id: uuid::Uuid,
    /// The browser it belongs to.
    pub device_name: String,
    /// When it began (Unix seconds).
    pub created: i64,
    /// When it was last used (Unix seconds, to the minute).
    pub last_used: i64,
    /// Whether this is the session asking.
    pub current: bool,
}

/// `POST /api/account/password`: a new master password. The account key stays; only its
/// password envelope changes, so no item is re-encrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePasswordRequest {
    /// Proof of the current master password.
    pub current_auth_key: AuthKeyProof,
    /// Proof of the new master password.
    pub new_auth_key: AuthKeyProof,
    /// Argon2id parameters of the new envelope.
    pub kdf: KdfParams,
    /// The new salt (16 bytes).
    pub salt: Base64Bytes,
    /// The account key sealed under the new master password.
    pub password_envelope: Base64Bytes,
}

/// A reply that only tells the person what happens next (e.g. "check your email").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextStep {
    /// What to do now, for a person.
    pub message: String,
}

/// Error codes of the account endpoints (in `ErrorBody::code`).
pub mod codes {
    /// Email or master password is wrong (never says which, nor whether the account exists).
    pub const INVALID_CREDENTIALS: &str = "invalid_credentials";
    /// This browser must be verified: a code was emailed; send it as `email_code`.
    pub const DEVICE_VERIFICATION_REQUIRED: &str = "device_verification_required";
    /// The code is wrong, expired or used.
    pub const INVALID_CODE: &str = "invalid_code";
    /// Two-factor authentication is on: send `totp_code` or `recovery_code`.
    pub const TWO_FACTOR_REQUIRED: &str = "two_factor_required";
    /// The email is not confirmed yet: a new code was emailed.
    pub const EMAIL_NOT_CONFIRMED: &str = "email_not_confirmed";
    /// Too many attempts; retry after the `Retry-After` seconds.
    pub const RATE_LIMITED: &str = "rate_limited";
    /// No valid session.
    pub const UNAUTHENTICATED: &str = "unauthenticated";
    /// The account has that profile already (or its id is taken).
    pub const PROFILE_EXISTS: &str = "profile_exists";
    /// The account's profiles changed while its browser was binding their kinds.
    pub const PROFILES_CHANGED: &str = "profiles_changed";
    /// The account's profile kinds are bound already (made so, or migrated by another browser).
    pub const KINDS_BOUND: &str = "kinds_bound";
    /// The account has no Business profile yet (its old one stayed with the company that
    /// removed it): the browser makes a new one when the vault opens.
    pub const BUSINESS_PROFILE_MISSING: &str = "business_profile_missing";
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn secrets_in_requests_never_print() {
        let request = LoginRequest {
            email: "a@example.com".into(),
            auth_key: AuthKeyProof(Base64Bytes(b"proof-bytes".to_vec())),
            device: DeviceInfo {
                id: DeviceId::new_v7(),
                name: "Chromium".into(),
            },
            email_code: Some(OneTimeCode("12345678".into())),
            totp_code: None,
            recovery_code: None,
        };
        let printed = format!("{request:?}");
        assert!(!printed.contains("12345678"), "{printed}");
        assert!(printed.contains("AuthKeyProof(***)"), "{printed}");
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(json["email_code"], "12345678");
    }
}
