//! Signing up, confirming, signing in (with the new-browser code), unlocking (also offline),
//! locking and signing out. The master password is used only here, only in this browser.

use std::sync::Arc;

use shared_types::DeviceId;
use shared_types::account::{
    AccountBundle, AccountKeys, AuthKeyProof, ChangePasswordRequest, ConfirmEmailRequest,
    DeviceInfo, DeviceView, DisableTwoFactorRequest, EnableTwoFactorRequest, LoginRequest,
    OneTimeCode, ProfileKind, RecoveryCodes, SessionView, SignupRequest, TwoFactorSetup,
    TwoFactorStatus, codes,
};
use wasm_crypto::{LoginKeys, MasterPassword, PasswordSalt};

use crate::api::{ApiClient, ApiError};
use crate::cache::{Cache, CacheError, Store, Write};
use crate::services::device::DeviceService;
use crate::services::kdf_pin::{self, KdfPin};
use crate::services::keys::{self, KeyError, NewAccount, OlderWraps, VaultKeys, kdf_from_wire};
use crate::services::sharing::published;

const BUNDLE_KEY: &str = "bundle";

/// Where the person stands.
#[derive(Clone)]
pub enum AuthStatus {
    /// Reading this browser's storage.
    Loading,
    /// No account in this browser.
    SignedOut,
    /// An account is here but locked; the master password opens it (also offline).
    Locked {
        /// The account's email.
        email: String,
    },
    /// Open: the keys are in memory.
    Unlocked(Arc<VaultKeys>),
}

/// Why an account action failed; every message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The server refused or could not be reached.
    #[error("{0}")]
    Api(#[from] ApiError),
    /// The keys could not be made or opened.
    #[error("{0}")]
    Keys(#[from] KeyError),
    /// This browser's storage failed.
    #[error("{0}")]
    Cache(#[from] CacheError),
    /// The server offered weaker key derivation than this browser accepts for the account
    /// (below what it used before, or below what new accounts get). Nothing was derived or
    /// sent.
    #[error(
        "The server offered weaker password protection (key-derivation settings) than Strongroom accepts for this account. Strongroom refused before using your master password, to protect it. Contact your administrator."
    )]
    KdfLowered,
    /// The server offered another salt than the one this browser pinned for the account: a
    /// master-password change in another browser does that, and so would a server that is
    /// tampering. Nothing was derived or sent; the person confirms a change they made.
    #[error(
        "This account's password settings changed since this browser last signed in. A master password change in another browser does that. If you changed your master password, confirm below and sign in with the new one; if you did not, do not go on: the server may be tampering, so contact your administrator."
    )]
    KdfSaltChanged,
    /// The session ended on the server; sign in again.
    #[error("Your session has ended. Sign in again.")]
    SessionEnded,
}

/// A sign-up waiting for its email code.
pub struct PendingSignup {
    email: String,
    account: NewAccount,
    device: DeviceInfo,
}

/// A sign-in waiting for the new-browser code.
pub struct PendingLogin {
    email: String,
    keys: LoginKeys,
    device: DeviceInfo,
}

/// The code a pending sign-in sends next.
pub enum SecondStep {
    /// The code emailed for a new browser.
    EmailCode(String),
    /// The authenticator app's code.
    Authenticator(String),
    /// A one-time recovery code.
    Recovery(String),
}

/// The result of a sign-in attempt.
pub enum LoginStep {
    /// Signed in and unlocked.
    Unlocked(Arc<VaultKeys>),
    /// This browser must be verified: a code was emailed.
    NeedsCode {
        /// What the server said.
        message: String,
        /// Pass back with the code.
        pending: PendingLogin,
    },
    /// Two-factor authentication is on: an authenticator or recovery code is needed.
    NeedsTwoFactor {
        /// Pass back with the code.
        pending: PendingLogin,
    },
}

/// The account service.
#[derive(Clone)]
pub struct AuthService<C> {
    api: ApiClient,
    cache: C,
    device: DeviceService<C>,
}

/// Whether two key sets are the same, whatever order the profiles come in.
fn same_keys(a: &AccountKeys, b: &AccountKeys) -> bool {
    let sorted = |keys: &AccountKeys| {
        let mut keys = keys.clone();
        keys.profiles.sort_by_key(|p| p.id);
        keys
    };
    sorted(a) == sorted(b)
}

/// Refuses a bundle the server returned for another email than the one signed in with: the
/// pins are kept per email, and a variant spelling would leave the next sign-in without them.
fn check_email(bundle: &AccountBundle, email: &str) -> Result<(), AuthError> {
    if !bundle.email.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(KeyError::Damaged("the server returned another email's account".into()).into());
    }
    Ok(())
}

impl<C: Cache + Clone + 'static> AuthService<C> {
    /// A service over the API, this browser's store and its identity.
    pub fn new(api: ApiClient, cache: C) -> Self {
        Self {
            api,
            device: DeviceService::new(cache.clone()),
            cache,
        }
    }

    async fn device_info(&self, now_ms: f64, name: &str) -> Result<DeviceInfo, AuthError> {
        let record = self.device.current(now_ms).await?;
        Ok(DeviceInfo {
            id: record.device_id,
            name: name.to_owned(),
        })
    }

    /// The status at start: locked when an account's keys are cached here.
    pub async fn initial_status(&self) -> Result<AuthStatus, AuthError> {
        Ok(match self.cached_bundle().await? {
            Some(bundle) => AuthStatus::Locked {
                email: bundle.email,
            },
            None => AuthStatus::SignedOut,
        })
    }

    async fn cached_bundle(&self) -> Result<Option<AccountBundle>, AuthError> {
        let Some(bytes) = self.cache.get(Store::Account, BUNDLE_KEY).await? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| AuthError::Cache(CacheError::Corrupt(e.to_string())))
    }

    /// Keeps the bundle for offline unlock and pins the settings and salt of its envelope.
    /// Only for a bundle whose envelope opened here with the master password (or is the one
    /// that did): the envelope's header is authenticated by its seal, the bundle's plain `kdf`
    /// field is not, and is never trusted.
    /// A bundle signed kind-bound also pins the account as such.
    async fn keep(&self, bundle: &AccountBundle) -> Result<(), AuthError> {
        let pin = KdfPin::of(bundle)?;
        let bytes = serde_json::to_vec(bundle).map_err(|e| CacheError::Corrupt(e.to_string()))?;
        self.cache.put(Store::Account, BUNDLE_KEY, &bytes).await?;
        pin.write(&self.cache, &bundle.email).await?;
        if keys::signed_kind_bound(bundle) {
            kdf_pin::pin_kinds_bound(&self.cache, bundle.account_id).await?;
        }
        Ok(())
    }

    /// Makes the account's keys here and asks the server to create it; a code is emailed.
    pub async fn sign_up(
        &self,
        email: &str,
        password: &MasterPassword,
        now_ms: f64,
        device_name: &str,
    ) -> Result<(PendingSignup, String), AuthError> {
        let email = email.trim().to_ascii_lowercase();
        let account = keys::make_account(&email, password, wasm_crypto::KdfParams::DEFAULT)?;
        let device = self.device_info(now_ms, device_name).await?;
        let next = self
            .api
            .signup(&SignupRequest {
                account_id: account.vault.account_id,
                email: email.clone(),
                auth_key: AuthKeyProof(account.auth_key.clone()),
                kdf: account.kdf,
                salt: account.salt.clone(),
                password_envelope: account.envelope.clone(),
                keys: account.keys.clone(),
                device: device.clone(),
            })
            .await?;
        Ok((
            PendingSignup {
                email,
                account,
                device,
            },
            next.message,
        ))
    }

    /// Makes the account's keys here and creates it through an invitation link (which proves
    /// the address), then signs in: a new browser is verified with an emailed code as usual.
    pub async fn sign_up_invited(
        &self,
        token: &str,
        email: &str,
        password: &MasterPassword,
        now_ms: f64,
        device_name: &str,
    ) -> Result<LoginStep, AuthError> {
        let email = email.trim().to_ascii_lowercase();
        let account = keys::make_account(&email, password, wasm_crypto::KdfParams::DEFAULT)?;
        let device = self.device_info(now_ms, device_name).await?;
        self.api
            .signup_invited(&shared_types::org::InvitationSignupRequest {
                token: shared_types::org::InvitationToken(token.to_owned()),
                account: SignupRequest {
                    account_id: account.vault.account_id,
                    email: email.clone(),
                    auth_key: AuthKeyProof(account.auth_key.clone()),
                    kdf: account.kdf,
                    salt: account.salt.clone(),
                    password_envelope: account.envelope.clone(),
                    keys: account.keys.clone(),
                    device: device.clone(),
                },
            })
            .await?;
        self.finish_sign_in(
            PendingLogin {
                email,
                keys: account.login,
                device,
            },
            None,
        )
        .await
    }

    /// Confirms the email with its code; the account opens, unlocked.
    pub async fn confirm(
        &self,
        pending: PendingSignup,
        code: &str,
    ) -> Result<Arc<VaultKeys>, (AuthError, PendingSignup)> {
        let request = ConfirmEmailRequest {
            email: pending.email.clone(),
            code: OneTimeCode(code.to_owned()),
            device: pending.device.clone(),
        };
        match self.api.confirm_email(&request).await {
            Ok(bundle) => {
                // Kept (and its settings pinned) only as this browser made it.
                if bundle.account_id != pending.account.vault.account_id
                    || bundle.password_envelope != pending.account.envelope
                    || !same_keys(&bundle.keys, &pending.account.keys)
                    || check_email(&bundle, &pending.email).is_err()
                {
                    let e = KeyError::Damaged(
                        "the server returned other keys than this browser made".into(),
                    );
                    return Err((e.into(), pending));
                }
                if let Err(e) = self.keep(&bundle).await {
                    return Err((e, pending));
                }
                self.publish_keys(&pending.account.vault, &bundle).await;
                Ok(Arc::new(pending.account.vault))
            }
            Err(e) => Err((e.into(), pending)),
        }
    }

    /// Signs in with the master password. A new browser gets [`LoginStep::NeedsCode`].
    /// `new_salt_confirmed`: the person said they changed their master password elsewhere
    /// (after [`AuthError::KdfSaltChanged`]).
    pub async fn sign_in(
        &self,
        email: &str,
        password: &MasterPassword,
        now_ms: f64,
        device_name: &str,
        new_salt_confirmed: bool,
    ) -> Result<LoginStep, AuthError> {
        let email = email.trim().to_ascii_lowercase();
        let pre = self.api.prelogin(&email).await?;
        let offered = kdf_from_wire(pre.kdf);
        let pin = KdfPin::read(&self.cache, &email).await?;
        // Checked before anything is derived: the auth key sent next is what a server could
        // try to guess the master password from.
        if !KdfPin::allows(pin.as_ref(), &offered) {
            return Err(AuthError::KdfLowered);
        }
        if !new_salt_confirmed && KdfPin::salt_differs(pin.as_ref(), &pre.salt) {
            return Err(AuthError::KdfSaltChanged);
        }
        let salt =
            PasswordSalt::from_bytes(&pre.salt.0).map_err(|e| KeyError::Damaged(e.to_string()))?;
        let keys = wasm_crypto::derive_login_keys(password, &email, &offered, &salt)
            .map_err(|e| KeyError::Kdf(e.to_string()))?;
        let device = self.device_info(now_ms, device_name).await?;
        self.finish_sign_in(
            PendingLogin {
                email,
                keys,
                device,
            },
            None,
        )
        .await
    }

    /// Sends the next code (email, authenticator or recovery) for a pending sign-in.
    pub async fn continue_sign_in(
        &self,
        pending: PendingLogin,
        step: SecondStep,
    ) -> Result<LoginStep, AuthError> {
        self.finish_sign_in(pending, Some(step)).await
    }

    async fn finish_sign_in(
        &self,
        pending: PendingLogin,
        step: Option<SecondStep>,
    ) -> Result<LoginStep, AuthError> {
        let (mut email_code, mut totp_code, mut recovery_code) = (None, None, None);
        match step {
            Some(SecondStep::EmailCode(c)) => email_code = Some(OneTimeCode(c)),
            Some(SecondStep::Authenticator(c)) => totp_code = Some(OneTimeCode(c)),
            Some(SecondStep::Recovery(c)) => recovery_code = Some(OneTimeCode(c)),
            None => {}
        }
        let request = LoginRequest {
            email: pending.email.clone(),
            auth_key: AuthKeyProof(pending.keys.auth_key().as_login_bytes().to_vec().into()),
            device: pending.device.clone(),
            email_code,
            totp_code,
            recovery_code,
        };
        match self.api.login(&request).await {
            Ok(bundle) => {
                check_email(&bundle, &pending.email)?;
                let older = kdf_pin::older_wraps(&self.cache, bundle.account_id).await?;
                let mut vault = keys::open_bundle(&bundle, &pending.keys, older)?;
                self.keep(&bundle).await?;
                self.settle_kinds(&mut vault).await?;
                self.publish_keys(&vault, &bundle).await;
                Ok(LoginStep::Unlocked(Arc::new(vault)))
            }
            Err(e) if e.code() == Some(codes::DEVICE_VERIFICATION_REQUIRED) => {
                Ok(LoginStep::NeedsCode {
                    message: e.to_string(),
                    pending,
                })
            }
            Err(e) if e.code() == Some(codes::TWO_FACTOR_REQUIRED) => {
                Ok(LoginStep::NeedsTwoFactor { pending })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Opens the cached account with the master password. Works offline; online, it also checks
    /// that the session is still valid and refreshes the cached keys.
    pub async fn unlock(&self, password: &MasterPassword) -> Result<Arc<VaultKeys>, AuthError> {
        let bundle = self.cached_bundle().await?.ok_or(AuthError::SessionEnded)?;
        let older = kdf_pin::older_wraps(&self.cache, bundle.account_id).await?;
        let mut vault = keys::unlock_bundle(&bundle, password, older)?;
        match self.api.account().await {
            Ok(fresh) if fresh.account_id == bundle.account_id => {
                // The server's copy is adopted only with the envelope that opened here, or one
                // that opens with the password just typed at no weaker settings than pinned,
                // and only if its keys open as these did; any other is the server's word alone
                // and is not kept.
                // Kinds only the server vouches for (not kind-bound yet) must match what opened.
                let reopened = keys::reopen(&fresh, &vault, older)
                    .ok()
                    .filter(|r| r.kinds_bound || keys::same_kinds(&vault, r));
                let adopt = match reopened {
                    Some(reopened) => (self.opens_here(&bundle, &fresh, password, &vault).await?)
                        .then_some(reopened),
                    None => None,
                };
                if let Some(reopened) = adopt {
                    self.keep(&fresh).await?;
                    if reopened.kinds_bound {
                        vault = reopened;
                    }
                } else {
                    leptos::logging::warn!(
                        "the server served account keys that do not open as the kept ones did here; kept those"
                    );
                }
                self.settle_kinds(&mut vault).await?;
                self.publish_keys(&vault, &fresh).await;
            }
            Ok(_) => return Err(AuthError::SessionEnded),
            Err(e) if e.code() == Some(codes::UNAUTHENTICATED) => {
                return Err(AuthError::SessionEnded);
            }
            // Offline or the server is down: the vault still opens from this browser.
            Err(_) => {}
        }
        Ok(Arc::new(vault))
    }

    /// Whether the server's `fresh` bundle may replace the kept one: the same envelope, or one
    /// that opens with `password` to the same account key at settings no weaker than pinned.
    async fn opens_here(
        &self,
        kept: &AccountBundle,
        fresh: &AccountBundle,
        password: &MasterPassword,
        vault: &VaultKeys,
    ) -> Result<bool, AuthError> {
        if fresh.password_envelope == kept.password_envelope {
            return Ok(true);
        }
        let Ok(envelope) =
            wasm_crypto::PasswordEnvelope::from_bytes(fresh.password_envelope.0.clone())
        else {
            return Ok(false);
        };
        let Ok(params) = envelope.params() else {
            return Ok(false);
        };
        let pin = KdfPin::read(&self.cache, &kept.email).await?;
        if !KdfPin::allows(pin.as_ref(), &params) {
            return Ok(false);
        }
        Ok(fresh.email == kept.email && Self::open_envelope(fresh, vault, password).is_ok())
    }

    /// Reads the unlocked account's profiles again (after the server took one away) and makes
    /// the Business profile it lacks, if it lacks one: a member removed from a company under
    /// "Remove business profile items when users are removed" starts an empty one. Returns the
    /// account's keys when its profiles changed. A bundle under another master password is left
    /// for the next unlock.
    pub async fn refresh_profiles(
        &self,
        vault: &VaultKeys,
    ) -> Result<Option<Arc<VaultKeys>>, AuthError> {
        let cached = self.cached_bundle().await?.ok_or(AuthError::SessionEnded)?;
        let mut fresh = self.api.account().await?;
        if fresh.account_id != vault.account_id
            || fresh.password_envelope != cached.password_envelope
        {
            return Ok(None);
        }
        if !fresh
            .keys
            .profiles
            .iter()
            .any(|p| p.kind == ProfileKind::Business)
        {
            let profile = keys::make_profile(vault, ProfileKind::Business);
            fresh = match self.api.add_profile(&profile).await {
                Ok(bundle) => bundle,
                // Another tab or browser made it first.
                Err(e) if e.code() == Some(codes::PROFILE_EXISTS) => self.api.account().await?,
                Err(e) => return Err(e.into()),
            };
        }
        let older = kdf_pin::older_wraps(&self.cache, vault.account_id).await?;
        let opened = keys::reopen(&fresh, vault, older)?;
        if !opened.kinds_bound && !keys::same_kinds(vault, &opened) {
            return Err(KeyError::Damaged(
                "the server changed the kind of a profile this browser opened".into(),
            )
            .into());
        }
        self.keep(&fresh).await?;
        Ok((!keys::same_profiles(&opened, vault)).then(|| Arc::new(opened)))
    }

    /// Migrates an account made before kinds were bound (its profile keys wrapped again with
    /// their kind, the keys signed as kind-bound), keeping the server's reply only if it opens
    /// kind-bound with the same profiles and the envelope kept here; keeping it pins the account
    /// kind-bound (as keeping any kind-bound bundle does). Offline, or refused (its profiles
    /// changed meanwhile), the migration waits for the next unlock.
    async fn settle_kinds(&self, vault: &mut VaultKeys) -> Result<(), AuthError> {
        if vault.kinds_bound {
            return Ok(());
        }
        let migrated = match self.api.bind_profile_kinds(&keys::bind_kinds(vault)).await {
            Ok(bundle) => Ok(bundle),
            // Another browser (or tab) migrated it first: its keys as they are now.
            Err(e) if e.code() == Some(codes::KINDS_BOUND) => self.api.account().await,
            Err(e) => Err(e),
        };
        let migrated = match migrated {
            Ok(bundle) => bundle,
            Err(e) => {
                leptos::logging::warn!("binding the profile kinds waits: {e}");
                return Ok(());
            }
        };
        let kept = self.cached_bundle().await?;
        let same = keys::reopen(&migrated, vault, OlderWraps::Refused)
            .is_ok_and(|opened| keys::same_profiles(&opened, vault));
        if !same || kept.is_none_or(|kept| kept.password_envelope != migrated.password_envelope) {
            leptos::logging::warn!(
                "the server's reply to binding the profile kinds does not open as sent; not kept"
            );
            return Ok(());
        }
        self.keep(&migrated).await?;
        vault.kinds_bound = true;
        Ok(())
    }

    /// Publishes this account's keys for others to share with, when the server holds no
    /// statement of them or serves one that is not exactly ours. A failure only waits for the
    /// next sign-in or unlock: nothing else depends on it here.
    async fn publish_keys(&self, vault: &VaultKeys, bundle: &AccountBundle) {
        let Some(epoch) = published::epoch_to_publish(vault, bundle) else {
            return;
        };
        let statement = published::statement_of(vault, epoch);
        if let Err(e) = self.api.publish_keys(&statement).await {
            leptos::logging::warn!("publishing this account's keys failed: {e}");
        }
    }

    /// The browsers that have signed in to this account.
    pub async fn devices(&self) -> Result<Vec<DeviceView>, AuthError> {
        Ok(self.api.devices().await?)
    }

    /// Forgets another browser: it must verify by email again.
    pub async fn revoke_device(&self, id: DeviceId) -> Result<(), AuthError> {
        Ok(self.api.revoke_device(id).await?)
    }

    /// The account's live sessions.
    pub async fn sessions(&self) -> Result<Vec<SessionView>, AuthError> {
        Ok(self.api.sessions().await?)
    }

    /// Ends another session of the account.
    pub async fn end_session(&self, id: uuid::Uuid) -> Result<(), AuthError> {
        Ok(self.api.end_session(id).await?)
    }

    /// Ends every session of the account (this one too) and forgets the account here. This is
    /// the server's work: when it cannot be done, nothing changes here and the error says why
    /// (a plain sign-out still works offline).
    pub async fn sign_out_everywhere(&self) -> Result<(), AuthError> {
        self.api.logout_everywhere().await?;
        self.forget_here().await
    }

    /// Forgets the account and its vault in this browser: every store is emptied, then the
    /// database itself deleted (emptied pages stay in the browser's files until it compacts
    /// them), and only what belongs to the browser rather than the account is written back: its
    /// identity and preferences, the key-derivation settings last seen per email (the floor a
    /// server must not go below at the next sign-in), and which accounts it saw kind-bound.
    pub(crate) async fn forget_here(&self) -> Result<(), AuthError> {
        let keeps = |store: Store, key: &str| match store {
            Store::Meta => {
                key == crate::services::device::KEY
                    || crate::services::preferences::is_browser_setting(key)
            }
            Store::Account => {
                key.starts_with(kdf_pin::PREFIX) || key.starts_with(kdf_pin::KINDS_PREFIX)
            }
            _ => false,
        };
        // The other tabs drop their keys first, so that none writes the vault back meanwhile.
        crate::services::other_tabs::announce_signed_out();
        let mut kept = Vec::new();
        let mut wipe = Vec::new();
        for store in Store::ALL {
            if !matches!(store, Store::Meta | Store::Account) {
                wipe.push(Write::Clear(store));
                continue;
            }
            for (key, value) in self.cache.get_prefix(store, "").await? {
                if keeps(store, &key) {
                    kept.push(Write::Put(store, key, value));
                } else {
                    wipe.push(Write::Delete(store, key));
                }
            }
        }
        // Everything of the account goes first, in one write; what belongs to the browser stays,
        // so that it survives a deletion that has to wait and never comes.
        self.cache.write(wipe).await?;
        if let Some(storage) = crate::cache::local_storage() {
            let _ = storage.remove_item(crate::pages::invite::INVITE_FINGERPRINT);
        }
        // When the deletion waits (for a connection still open: this page's until the browser
        // collects it, or another tab's), the sign-out goes on, and the browser's own entries
        // go into the new database before anything reads it, even if this page is gone by then.
        self.cache.destroy(kept).await?;
        // Again, for a tab that was still opening its vault when the first word came.
        crate::services::other_tabs::announce_signed_out();
        Ok(())
    }

    /// Checks the master password of the unlocked account in this browser alone (for steps
    /// such as an export that ask for it again); returns its login keys.
    pub async fn confirm_password(
        &self,
        vault: &VaultKeys,
        password: &MasterPassword,
    ) -> Result<wasm_crypto::LoginKeys, AuthError> {
        let bundle = self.cached_bundle().await?.ok_or(AuthError::SessionEnded)?;
        Self::open_envelope(&bundle, vault, password)
    }

    fn open_envelope(
        bundle: &AccountBundle,
        vault: &VaultKeys,
        password: &MasterPassword,
    ) -> Result<wasm_crypto::LoginKeys, AuthError> {
        let envelope =
            wasm_crypto::PasswordEnvelope::from_bytes(bundle.password_envelope.0.clone())
                .map_err(|e| KeyError::Damaged(e.to_string()))?;
        let (keys, account_key) =
            wasm_crypto::open_password_envelope(password, &bundle.email, &envelope).map_err(
                |e| match e {
                    wasm_crypto::Error::WrongPassword => AuthError::Keys(KeyError::WrongPassword),
                    other => AuthError::Keys(KeyError::Damaged(other.to_string())),
                },
            )?;
        if account_key != vault.account_key {
            return Err(
                KeyError::Damaged("the stored envelope holds another account key".into()).into(),
            );
        }
        Ok(keys)
    }

    /// Replaces the master password: the same account key under a new envelope with a fresh
    /// salt, so no item changes. The server ends every other session.
    pub async fn change_password(
        &self,
        vault: &VaultKeys,
        current: &MasterPassword,
        new: &MasterPassword,
    ) -> Result<(), AuthError> {
        let mut bundle = self.cached_bundle().await?.ok_or(AuthError::SessionEnded)?;
        let current_keys = Self::open_envelope(&bundle, vault, current)?;
        let (new_keys, new_envelope) = wasm_crypto::make_password_envelope(
            new,
            &bundle.email,
            &wasm_crypto::KdfParams::DEFAULT,
            &vault.account_key,
        )
        .map_err(|e| KeyError::Kdf(e.to_string()))?;
        let request = ChangePasswordRequest {
            current_auth_key: AuthKeyProof(
                current_keys.auth_key().as_login_bytes().to_vec().into(),
            ),
            new_auth_key: AuthKeyProof(new_keys.auth_key().as_login_bytes().to_vec().into()),
            kdf: keys::kdf_to_wire(new_keys.params()),
            salt: new_keys.salt().to_bytes().to_vec().into(),
            password_envelope: new_envelope.into_bytes().into(),
        };
        // The server ends every session and signs this browser in again (new cookie).
        let fresh = self.api.change_password(&request).await?;
        if fresh.account_id != bundle.account_id
            || fresh.password_envelope != request.password_envelope
        {
            return Err(
                KeyError::Damaged("the server returned another account's keys".into()).into(),
            );
        }
        bundle.kdf = fresh.kdf;
        bundle.password_envelope = fresh.password_envelope;
        self.keep(&bundle).await
    }

    /// Whether two-factor authentication is on.
    pub async fn two_factor_status(&self) -> Result<TwoFactorStatus, AuthError> {
        Ok(self.api.two_factor_status().await?)
    }

    /// Starts setting up an authenticator app.
    pub async fn two_factor_setup(&self) -> Result<TwoFactorSetup, AuthError> {
        Ok(self.api.two_factor_setup().await?)
    }

    /// Turns two-factor authentication on with a first code; returns the recovery codes.
    pub async fn two_factor_enable(&self, code: &str) -> Result<RecoveryCodes, AuthError> {
        Ok(self
            .api
            .two_factor_enable(&EnableTwoFactorRequest {
                code: OneTimeCode(code.to_owned()),
            })
            .await?)
    }

    /// Turns two-factor authentication off; needs the master password.
    pub async fn two_factor_disable(&self, password: &MasterPassword) -> Result<(), AuthError> {
        let bundle = self.cached_bundle().await?.ok_or(AuthError::SessionEnded)?;
        let envelope =
            wasm_crypto::PasswordEnvelope::from_bytes(bundle.password_envelope.0.clone())
                .map_err(|e| KeyError::Damaged(e.to_string()))?;
        let (keys, _) = wasm_crypto::open_password_envelope(password, &bundle.email, &envelope)
            .map_err(|e| match e {
                wasm_crypto::Error::WrongPassword => AuthError::Keys(KeyError::WrongPassword),
                other => AuthError::Keys(KeyError::Damaged(other.to_string())),
            })?;
        Ok(self
            .api
            .two_factor_disable(&DisableTwoFactorRequest {
                auth_key: AuthKeyProof(keys.auth_key().as_login_bytes().to_vec().into()),
            })
            .await?)
    }

    /// How many changes made in this browser wait to be sent: signing out would delete them.
    pub async fn unsent_changes(&self) -> Result<usize, AuthError> {
        Ok(self.cache.keys(Store::Outbox).await?.len())
    }

    /// Signs out: asks the server to end the session and forgets the account here whatever it
    /// answers, or if it does not answer at all: the local wipe never depends on the server.
    /// (A session the server failed to end expires by itself; "Sign out everywhere" ends it.)
    pub async fn sign_out(&self) -> Result<(), AuthError> {
        let _ = self.api.logout().await;
        self.forget_here().await
    }
}
