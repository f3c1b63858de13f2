//! The open vault's interface: the navigation (profiles, folder tree, favourites, trash), the
//! item list with search, and the item pane (view, edit, history). They share one [`VaultUi`]
//! from context; all work goes through the [`VaultSession`] it holds.

pub mod detail;
pub mod form;
pub mod list;
pub mod nav;
pub mod share;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::RecordId;

use crate::services::preferences::DEFAULT_CLIPBOARD_CLEAR_SECONDS;
use crate::services::sync::{OpenVault, SyncEngine};
use crate::services::vault::model::ItemKind;
use crate::services::vault::{BrowserSession, RollbackNotice, Scope, VaultError};
use crate::services::{Services, clipboard};

pub use crate::services::sync::SyncState;

/// The session type the interface works with.
pub type Session = BrowserSession;

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
    /// When the last sync succeeded (ms).
    pub last_synced: RwSignal<Option<i64>>,
    /// Items whose change the server refused, with its reason.
    pub refused: RwSignal<BTreeMap<RecordId, String>>,
    /// The server was found serving older data than this browser had seen.
    pub rollback: RwSignal<Option<RollbackNotice>>,
    /// The vault's sync engine (it outlives this interface).
    engine: StoredValue<SyncEngine, LocalStorage>,
    /// Set when the keyboard opened an item: its view takes the focus once it is shown.
    pub focus_item: RwSignal<bool>,
    /// The app's services, kept here because keyboard shortcuts and tasks run outside the
    /// component tree, where the context cannot be read.
    services: Services,
}

impl VaultUi {
    /// Provides the interface state for the open vault: its session, and the sync status its
    /// engine keeps.
    pub fn provide(open: OpenVault) -> Self {
        let status = open.engine.status();
        let ui = Self {
            session: StoredValue::new_local(open.session),
            version: status.changes,
            scope: RwSignal::new(Scope::All),
            query: RwSignal::new(String::new()),
            selected: RwSignal::new(None),
            pane: RwSignal::new(Pane::View),
            notice: RwSignal::new(None),
            pending: status.pending,
            sync: status.state,
            last_synced: status.last_synced,
            refused: status.refused,
            rollback: status.rollback,
            engine: StoredValue::new_local(open.engine),
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

    /// How a record is named to the person: an item's title (quoted), else what it is.
    pub fn title_of(self, id: RecordId) -> String {
        self.session()
            .and_then(|s| {
                s.rows(&Scope::All, "")
                    .into_iter()
                    .chain(s.rows(&Scope::Trash, ""))
                    .find(|row| row.id == id)
            })
            .map_or_else(
                || "A folder or a past version".to_owned(),
                |row| format!("\u{201c}{}\u{201d}", row.summary.title),
            )
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

    /// Asks the engine for a sync now (it runs one at a time, and once more when asked while
    /// one runs).
    pub fn sync_now(self) {
        if let Some(engine) = self.engine.try_get_value() {
            engine.sync_now();
        }
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
    let time = |at_ms: i64| -> String {
        js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64))
            .to_locale_time_string("default")
            .into()
    };
    let last = move || {
        ui.last_synced
            .get()
            .map(|at| format!(" · last synced at {}", time(at)))
            .unwrap_or_default()
    };
    let sync_text = move || {
        let pending = ui.pending.with(BTreeSet::len);
        let refused = ui.refused.with(BTreeMap::len);
        match ui.sync.get() {
            SyncState::Starting | SyncState::Syncing => "Syncing…".to_owned(),
            SyncState::Synced { .. } if refused > 0 => format!(
                "{refused} change(s) refused by the server (see the red dots); edit them to try again{}",
                last()
            ),
            SyncState::Synced { .. } if pending > 0 => {
                format!("{pending} change(s) waiting to be sent{}", last())
            }
            SyncState::Synced { at_ms } => {
                format!("All changes saved · synced at {}", time(at_ms))
            }
            SyncState::Offline => format!(
                "Offline: {pending} change(s) kept in this browser, sent when the server is back{}",
                last()
            ),
            SyncState::Failed(message) => format!("Sync failed: {message}{}", last()),
            SyncState::DeviceOnly => format!(
                "On this device only: {pending} change(s) kept in this browser and not sent; turn sync back on in Account settings{}",
                last()
            ),
        }
    };
    let sync_class = move || match ui.sync.get() {
        SyncState::Synced { .. } if ui.pending.with(BTreeSet::is_empty) => "sync ok",
        SyncState::Synced { .. } if !ui.refused.with(BTreeMap::is_empty) => "sync failed",
        SyncState::Offline | SyncState::Failed(_) => "sync failed",
        _ => "sync pending",
    };
    let dismiss = move |_| {
        ui.rollback.set(None);
        if let Some(session) = ui.session() {
            spawn_local(async move {
                let _ = session.dismiss_rollback().await;
            });
        }
    };
    let rollback = move || {
        ui.rollback.get().map(|notice| {
            let older = (notice.records > 0).then(|| {
                view! {
                    "The server sent older data than this browser had already seen (at "
                    {time(notice.at_ms)}
                    "). It may have been restored from an old backup, or tampered with. "
                    "The newer copies kept here were sent to it again. "
                }
            });
            let findings = notice
                .findings
                .iter()
                .map(|finding| {
                    let what = finding.what.explain();
                    let name = ui.title_of(finding.record);
                    view! { <li>{format!("{name}: {what}")}</li> }
                })
                .collect_view();
            let containers = notice
                .containers
                .iter()
                .map(|finding| {
                    let name = ui
                        .session()
                        .map_or_else(String::new, |s| s.container_name(finding.container));
                    view! { <li>{format!("{name}: {}", finding.what.explain())}</li> }
                })
                .collect_view();
            view! {
                <div class="rollback" role="alert" data-testid="rollback">
                    <p>{older}"Tell your administrator."</p>
                    <ul>{containers}{findings}</ul>
                    <button type="button" class="button small" on:click=dismiss>"Dismiss"</button>
                </div>
            }
        })
    };
    view! {
        <div class="status-line">
            <span class=sync_class data-testid="sync-state">{sync_text}</span>
            {rollback}
            <button type="button" class="button small" on:click=move |_| ui.sync_now()>"Sync now"</button>
            <span class="notice" role="status" aria-live="polite" data-testid="notice">
                {move || ui.notice.get().unwrap_or_default()}
            </span>
        </div>
    }
}
