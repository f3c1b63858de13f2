//! The open vault: its session and its sync engine, opened when the account is unlocked and
//! dropped (keys, indexes, timers, change feed) when it is locked or signed out, whatever page
//! is showing. Pages read it from [`VaultService`]; navigating between them never reopens the
//! vault or restarts its sync.

mod engine;
mod feed;

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use shared_types::account::ProfileKind;

use crate::services::auth::AuthStatus;
use crate::services::keys::VaultKeys;
use crate::services::vault::{BrowserSession, VaultSession};
use crate::services::{Auth, Services, now_ms};

pub use engine::{SyncEngine, SyncState, SyncStatus, backoff_ms};

/// The unlocked vault.
#[derive(Clone)]
pub struct OpenVault {
    /// The keys it was opened with.
    keys: Arc<VaultKeys>,
    /// The session: every read and change goes through it.
    pub session: BrowserSession,
    /// Its sync.
    pub engine: SyncEngine,
}

/// Where the vault stands.
#[derive(Clone)]
pub enum VaultState {
    /// Locked or signed out.
    Closed,
    /// Being opened with these keys.
    Opening(Arc<VaultKeys>),
    /// It could not be opened; the message says why.
    Failed(String),
    /// Open.
    Open(OpenVault),
}

/// The open vault for every page, from context.
#[derive(Clone, Copy)]
pub struct VaultService {
    state: RwSignal<VaultState, LocalStorage>,
    status: SyncStatus,
}

impl VaultService {
    /// Provides the service, and opens and closes the vault as the account is unlocked and
    /// locked. Called once, under the app's root, after [`Auth`] is provided.
    pub fn provide() {
        let service = Self {
            state: RwSignal::new_local(VaultState::Closed),
            status: SyncStatus::new(),
        };
        provide_context(service);
        let auth = Auth::get();
        let services = Services::handle();
        Effect::new(move |_| match auth.get() {
            AuthStatus::Unlocked(keys) => service.open(keys, services),
            _ => service.close(),
        });
        // An account without a Business profile (its company kept the old one when it removed
        // the person), or one whose sync found a profile taken away, reads its keys again and
        // makes a new Business profile; the vault then reopens with it.
        let lost = service.status.profiles_lost;
        Effect::new(move |before: Option<u64>| {
            let now = lost.get();
            if let AuthStatus::Unlocked(keys) = auth.get() {
                let no_business =
                    !(keys.profiles.iter()).any(|(_, k, _)| *k == ProfileKind::Business);
                if no_business || before.is_some_and(|b| b != now) {
                    spawn_local(async move {
                        match services.auth().refresh_profiles(&keys).await {
                            Ok(Some(fresh)) => {
                                // Only if the same keys are still in use.
                                if matches!(auth.get_untracked(), AuthStatus::Unlocked(k) if Arc::ptr_eq(&k, &keys))
                                {
                                    auth.set(AuthStatus::Unlocked(fresh));
                                }
                            }
                            Ok(None) => {}
                            Err(e) => leptos::logging::warn!(
                                "reading the account's profiles again failed: {e}"
                            ),
                        }
                    });
                }
            }
            now
        });
    }

    /// The service, from context.
    pub fn get() -> Self {
        expect_context::<Self>()
    }

    /// Where the vault stands (tracked).
    pub fn state(self) -> VaultState {
        self.state.get()
    }

    /// The open vault, if it is open (not tracked).
    pub fn open_vault(self) -> Option<OpenVault> {
        match self.state.get_untracked() {
            VaultState::Open(open) => Some(open),
            _ => None,
        }
    }

    /// What the interface shows of sync.
    pub fn status(self) -> SyncStatus {
        self.status
    }

    fn open(self, keys: Arc<VaultKeys>, services: Services) {
        let same = self.state.with_untracked(|state| match state {
            VaultState::Opening(k) => Arc::ptr_eq(k, &keys),
            VaultState::Open(open) => Arc::ptr_eq(&open.keys, &keys),
            _ => false,
        });
        if same {
            return;
        }
        self.state.set(VaultState::Opening(keys.clone()));
        self.status.reset();
        spawn_local(async move {
            let all = services.all();
            let opened =
                VaultSession::open(all.cache, all.api, keys.clone(), now_ms() as i64).await;
            // Locked (or opened with other keys) meanwhile: this one is not wanted any more.
            let wanted = self
                .state
                .with_untracked(|s| matches!(s, VaultState::Opening(k) if Arc::ptr_eq(k, &keys)));
            if !wanted {
                return;
            }
            if let Ok(session) = &opened {
                adopt_invite_fingerprint(session).await;
            }
            let device_only = (all.preferences.device_only(keys.account_id).await).unwrap_or(false);
            self.status.device_only.set(device_only);
            self.state.set(match opened {
                Ok(session) => VaultState::Open(OpenVault {
                    keys,
                    engine: SyncEngine::start(session.clone(), self.status),
                    session,
                }),
                Err(e) => VaultState::Failed(e.to_string()),
            });
        });
    }

    /// Closes the vault ahead of a sign-out, so that its sync stops writing into the storage
    /// about to be wiped (and holds no connection the wipe would wait for);
    /// [`VaultService::resume`] opens it again if the sign-out fails.
    pub fn suspend(self) {
        self.close();
    }

    /// Opens the vault again after [`VaultService::suspend`], if the account is still unlocked.
    pub fn resume(self) {
        if let AuthStatus::Unlocked(keys) = Auth::get().get_untracked() {
            self.open(keys, Services::handle());
        }
    }

    fn close(self) {
        let open = self
            .state
            .with_untracked(|s| !matches!(s, VaultState::Closed));
        if open {
            self.state.set(VaultState::Closed);
            self.status.reset();
        }
    }
}

/// Hands the company key fingerprint of the invitation link followed in this browser (kept by
/// the invitation page) to the vault, once.
async fn adopt_invite_fingerprint(session: &BrowserSession) {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return;
    };
    let key = crate::pages::invite::INVITE_FINGERPRINT;
    if let Ok(Some(fp)) = storage.get_item(key)
        && session.expect_company_fingerprint(&fp).await.is_ok()
    {
        let _ = storage.remove_item(key);
    }
}
