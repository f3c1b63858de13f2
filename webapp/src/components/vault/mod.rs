//! The open vault's interface: the navigation (profiles, folder tree, favourites, trash), the
//! item list with search, and the item pane (view, edit, history). They share one [`VaultUi`]
//! from context; all work goes through the [`VaultSession`] it holds.

pub mod detail;
pub mod form;
pub mod list;
pub mod nav;

use std::collections::BTreeSet;
use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::RecordId;

use crate::api::ApiError;
use crate::cache::IndexedDbCache;
use crate::services::preferences::DEFAULT_CLIPBOARD_CLEAR_SECONDS;
use crate::services::vault::model::ItemKind;
use crate::services::vault::{Scope, VaultError, VaultSession};
use crate::services::{Services, clipboard, now_ms};

/// The session type the interface works with.
pub type Session = VaultSession<IndexedDbCache>;

/// What the item pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The selected item (or nothing).
    View,
    /// The form for a new item of this kind.
    New(ItemKind),
    /// The form editing the selected item.
    Edit(RecordId),
}

/// Where the browser stands with the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    /// Not tried yet.
    Starting,
    /// Sending and receiving.
    Syncing,
    /// Everything sent (`pending` is then 0) at this time (ms).
    Synced {
        /// When.
        at_ms: i64,
    },
    /// The server could not be reached; changes stay here.
    Offline,
    /// The server refused; the message says why.
    Failed(String),
}

/// The vault interface's shared state, from context.
#[derive(Clone, Copy)]
pub struct VaultUi {
    /// The open vault (dropped on lock with the component tree).
    pub session: StoredValue<Session, LocalStorage>,
    /// Raised after every change, so lists and views read again.
    pub version: RwSignal<u64>,
    /// Which items the list shows.
    pub scope: RwSignal<Scope>,
    /// The search text.
    pub query: RwSignal<String>,
    /// The selected item.
    pub selected: RwSignal<Option<RecordId>>,
    /// What the item pane shows.
    pub pane: RwSignal<Pane>,
    /// The last message for the person (done, or what went wrong).
    pub notice: RwSignal<Option<String>>,
    /// Items with a change not yet accepted by the server.
    pub pending: RwSignal<BTreeSet<RecordId>>,
    /// Sync with the server.
    pub sync: RwSignal<SyncState>,
    /// Set when the keyboard opened an item: its view takes the focus once it is shown.
    pub focus_item: RwSignal<bool>,
    /// The app's services, kept here because keyboard shortcuts and tasks run outside the
    /// component tree, where the context cannot be read.
    services: Services,
}

impl VaultUi {
    /// Provides the interface state for `session`.
    pub fn provide(session: Session) -> Self {
        let ui = Self {
            session: StoredValue::new_local(session),
            version: RwSignal::new(0),
            scope: RwSignal::new(Scope::All),
            query: RwSignal::new(String::new()),
            selected: RwSignal::new(None),
            pane: RwSignal::new(Pane::View),
            notice: RwSignal::new(None),
            pending: RwSignal::new(BTreeSet::new()),
            sync: RwSignal::new(SyncState::Starting),
            focus_item: RwSignal::new(false),
            services: Services::handle(),
        };
        provide_context(ui);
        ui
    }

    /// The interface state, from context.
    pub fn get() -> Self {
        expect_context::<Self>()
    }

    /// The session (`None` once the vault view is gone, e.g. after locking while a task was
    /// still running: that task then stops quietly).
    pub fn session(self) -> Option<Session> {
        self.session.try_get_value()
    }

    /// Shows `id` in the item pane. Neither the pane nor the item is drawn again when it is
    /// already shown, so what is open there (a dialog, the history) stays.
    pub fn show_item(self, id: RecordId) {
        if self.selected.get_untracked() != Some(id) {
            self.selected.set(Some(id));
        }
        if self.pane.get_untracked() != Pane::View {
            self.pane.set(Pane::View);
        }
    }

    /// Counts a change, so lists and views read again (nothing once the view is gone).
    pub fn changed(self) {
        self.version.try_update(|v| *v += 1);
    }

    /// Runs a change; on success says `done`, refreshes every view and syncs; on failure shows
    /// why (nothing is lost: a failed change wrote nothing).
    pub fn act<F, Fut, T>(self, done: &'static str, change: F, then: impl FnOnce(T) + 'static)
    where
        F: FnOnce(Session) -> Fut + 'static,
        Fut: Future<Output = Result<T, VaultError>> + 'static,
        T: 'static,
    {
        let Some(session) = self.session() else {
            return;
        };
        spawn_local(async move {
            match change(session).await {
                Ok(value) => {
                    self.notice.try_set(Some(done.to_owned()));
                    self.changed();
                    then(value);
                    self.sync_now();
                }
                Err(e) => {
                    self.notice.try_set(Some(e.to_string()));
                }
            }
        });
    }

    /// Sends what waits and receives what changed, then refreshes.
    pub fn sync_now(self) {
        let Some(session) = self.session() else {
            return;
        };
        if self.sync.try_get_untracked() == Some(SyncState::Syncing) {
            return;
        }
        self.sync.set(SyncState::Syncing);
        spawn_local(async move {
            let result = session.sync(now_ms() as i64).await;
            self.sync.try_set(match result {
                Ok(_) => SyncState::Synced {
                    at_ms: now_ms() as i64,
                },
                Err(VaultError::Api(ApiError::Unreachable)) => SyncState::Offline,
                Err(e) => SyncState::Failed(e.to_string()),
            });
            if let Ok(ids) = session.pending_ids().await {
                self.pending.try_set(ids);
            }
            self.changed();
        });
    }

    /// Copies `text`; a secret is cleared from the clipboard after the chosen delay.
    pub fn copy(self, what: impl Into<String>, text: String, secret: bool) {
        let what = what.into();
        let prefs = self.services.all().preferences;
        spawn_local(async move {
            match clipboard::copy(&text).await {
                Ok(()) => {
                    let delay = if secret {
                        prefs
                            .clipboard_clear_seconds()
                            .await
                            .unwrap_or(DEFAULT_CLIPBOARD_CLEAR_SECONDS)
                    } else {
                        0
                    };
                    self.notice.try_set(Some(if delay > 0 {
                        format!("{what} copied. The clipboard is cleared in {delay} seconds.")
                    } else {
                        format!("{what} copied.")
                    }));
                    clipboard::clear_later(text, delay).await;
                }
                Err(e) => {
                    self.notice.try_set(Some(e.to_string()));
                }
            }
        });
    }
}

/// The status line: the last message, and where the vault stands with the server.
#[component]
pub fn StatusLine() -> impl IntoView {
    let ui = VaultUi::get();
    let sync_text = move || {
        let pending = ui.pending.with(BTreeSet::len);
        match ui.sync.get() {
            SyncState::Starting | SyncState::Syncing => "Syncing…".to_owned(),
            SyncState::Synced { .. } if pending > 0 => {
                format!("{pending} change(s) waiting to be sent")
            }
            SyncState::Synced { at_ms } => {
                let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
                format!(
                    "All changes saved · synced at {}",
                    date.to_locale_time_string("default")
                )
            }
            SyncState::Offline => format!(
                "Offline: {pending} change(s) kept in this browser, sent when the server is back"
            ),
            SyncState::Failed(message) => format!("Sync failed: {message}"),
        }
    };
    let sync_class = move || match ui.sync.get() {
        SyncState::Synced { .. } if ui.pending.with(BTreeSet::is_empty) => "sync ok",
        SyncState::Offline | SyncState::Failed(_) => "sync failed",
        _ => "sync pending",
    };
    view! {
        <div class="status-line">
            <span class=sync_class data-testid="sync-state">{sync_text}</span>
            <button type="button" class="button small" on:click=move |_| ui.sync_now()>"Sync now"</button>
            <span class="notice" role="status" aria-live="polite" data-testid="notice">
                {move || ui.notice.get().unwrap_or_default()}
            </span>
        </div>
    }
}
