//! The sync engine of the open vault: one sync at a time (asked again while one runs, it runs
//! once more after it), retries after a growing delay, the server's change feed, a sync every
//! five minutes and whenever the network comes back. It publishes a ready-made [`SyncStatus`]
//! for the interface, which never looks at the server's errors or this browser's store itself.
//!
//! The engine lives as long as the unlocked vault, not as long as a page: it is made when the
//! vault opens and dropped (with its timers, listener and feed) when it locks. Its timers and
//! listeners hold it weakly, so dropping the last handle stops everything.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::{Rc, Weak};
use std::task::{Poll, Waker};

use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::RecordId;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::feed::ChangeFeed;
use crate::services::vault::{BrowserSession, RollbackNotice};
use crate::services::{mark, measure, now_ms};

/// How often the vault syncs when nothing else makes it (the change feed is the fast path).
const FALLBACK_MS: u32 = 5 * 60 * 1000;
/// How long after opening the first sync starts: the list paints first.
const FIRST_SYNC_MS: u32 = 100;

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
    /// The person chose to keep this browser's vault on this device only: nothing is sent or
    /// received.
    DeviceOnly,
    /// The server refused; the message says why.
    Failed(String),
}

/// What the interface shows of sync: signals that outlive every page.
#[derive(Clone, Copy)]
pub struct SyncStatus {
    /// Where the browser stands with the server.
    pub state: RwSignal<SyncState>,
    /// Items with a change not yet accepted by the server.
    pub pending: RwSignal<BTreeSet<RecordId>>,
    /// Items whose change the server refused, with its reason.
    pub refused: RwSignal<BTreeMap<RecordId, String>>,
    /// When the last sync succeeded (ms).
    pub last_synced: RwSignal<Option<i64>>,
    /// What the browser found the server doing that it should not (until dismissed).
    pub rollback: RwSignal<Option<RollbackNotice>>,
    /// Raised whenever what the vault holds may have changed, so that views read again.
    pub changes: RwSignal<u64>,
    /// Raised when the server says the account's access or company changed (and when the
    /// change feed comes back after a gap), so that its policies are read again.
    pub account_changes: RwSignal<u64>,
    /// Raised when a sync found that the account lost a profile, so that its keys are read
    /// again (and the Business profile it lacks is made).
    pub profiles_lost: RwSignal<u64>,
    /// Whether this browser keeps the vault on this device only (see
    /// [`SyncEngine::set_device_only`]).
    pub device_only: RwSignal<bool>,
}

impl SyncStatus {
    /// Fresh signals (made once, under the app's root).
    pub fn new() -> Self {
        Self {
            state: RwSignal::new(SyncState::Starting),
            pending: RwSignal::new(BTreeSet::new()),
            refused: RwSignal::new(BTreeMap::new()),
            last_synced: RwSignal::new(None),
            rollback: RwSignal::new(None),
            changes: RwSignal::new(0),
            account_changes: RwSignal::new(0),
            profiles_lost: RwSignal::new(0),
            device_only: RwSignal::new(false),
        }
    }

    /// Back to "not tried yet", for the next vault opened.
    pub fn reset(self) {
        self.state.set(SyncState::Starting);
        self.pending.set(BTreeSet::new());
        self.refused.set(BTreeMap::new());
        self.last_synced.set(None);
        self.rollback.set(None);
        self.device_only.set(false);
    }

    /// Tells the views that the vault changed.
    pub fn changed(self) {
        self.changes.try_update(|v| *v += 1);
    }
}

impl Default for SyncStatus {
    fn default() -> Self {
        Self::new()
    }
}

/// The engine. Cheap to clone (clones share one engine).
#[derive(Clone)]
pub struct SyncEngine(Rc<Inner>);

pub(super) struct Inner {
    session: BrowserSession,
    status: SyncStatus,
    state: RefCell<Runs>,
    feed: RefCell<Option<ChangeFeed>>,
    fallback: RefCell<Option<Interval>>,
    online: RefCell<Option<Listener>>,
}

/// A browser event listener.
type Listener = Closure<dyn FnMut(web_sys::Event)>;

/// The runs of the engine.
#[derive(Default)]
struct Runs {
    /// A sync runs.
    running: bool,
    /// Asked again while running.
    again: bool,
    /// Failed syncs in a row.
    failures: u32,
    /// The timer of the next try after a failure (dropping it cancels it).
    retry: Option<Timeout>,
    /// Runs finished, and how the last one ended.
    finished: u64,
    last: Option<Result<(), String>>,
    /// Waiting for the next run to finish.
    waiting: Vec<Waker>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let (Some(online), Some(window)) = (self.online.get_mut().take(), web_sys::window()) {
            let _ = window
                .remove_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        }
    }
}

impl SyncEngine {
    /// Starts syncing `session`: a first sync once the list has painted, then on every change
    /// announced by the server, every five minutes, and when the network comes back.
    pub fn start(session: BrowserSession, status: SyncStatus) -> Self {
        let engine = Self(Rc::new(Inner {
            session,
            status,
            state: RefCell::default(),
            feed: RefCell::new(None),
            fallback: RefCell::new(None),
            online: RefCell::new(None),
        }));
        let weak = Rc::downgrade(&engine.0);
        *engine.0.feed.borrow_mut() = Some(ChangeFeed::start(weak.clone()));
        let again = weak.clone();
        *engine.0.fallback.borrow_mut() = Some(Interval::new(FALLBACK_MS, move || {
            sync_weak(&again);
        }));
        let again = weak.clone();
        let online = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| sync_weak(&again));
        if let Some(window) = web_sys::window() {
            let _ =
                window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        }
        *engine.0.online.borrow_mut() = Some(online);
        Timeout::new(FIRST_SYNC_MS, move || sync_weak(&weak)).forget();
        engine
    }

    /// The session it syncs.
    pub fn session(&self) -> &BrowserSession {
        &self.0.session
    }

    /// What the interface shows.
    pub fn status(&self) -> SyncStatus {
        self.0.status
    }

    /// Sends what waits and receives what changed, then refreshes the status. Runs one sync at
    /// a time: asked while one runs, it runs once more after it. A sync that fails is tried
    /// again after a growing delay (1 s, 2 s, 4 s … up to a minute).
    pub fn sync_now(&self) {
        let status = self.0.status;
        if status.device_only.get_untracked() {
            status.state.try_set(SyncState::DeviceOnly);
            let engine = self.clone();
            spawn_local(async move { engine.refresh(false).await });
            return;
        }
        let start = {
            let mut runs = self.0.state.borrow_mut();
            if runs.running {
                runs.again = true;
                false
            } else {
                runs.running = true;
                runs.retry = None;
                true
            }
        };
        if !start {
            return;
        }
        status.state.try_set(SyncState::Syncing);
        mark("strongroom:sync-start");
        let engine = self.clone();
        spawn_local(async move { engine.run().await });
    }

    /// Keeps the vault on this device only (`true`: nothing is sent or received, changes wait
    /// in this browser) or syncs again (`false`: what waited is sent at once). The caller keeps
    /// the choice in the preferences.
    pub fn set_device_only(&self, on: bool) {
        self.0.status.device_only.set(on);
        self.sync_now();
    }

    /// Asks for a sync and waits for the run that includes it: `Err` says why it failed.
    pub async fn sync_and_wait(&self) -> Result<(), String> {
        if self.0.status.device_only.get_untracked() {
            self.sync_now();
            return Err("this browser keeps the vault on this device only".to_owned());
        }
        let asked_at = self.0.state.borrow().finished;
        self.sync_now();
        std::future::poll_fn(|cx| {
            let mut runs = self.0.state.borrow_mut();
            if runs.finished > asked_at {
                Poll::Ready(runs.last.clone().unwrap_or(Ok(())))
            } else {
                runs.waiting.push(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }

    async fn run(self) {
        let session = &self.0.session;
        let status = self.0.status;
        // Show what waits (yellow) while it is being sent.
        self.refresh(false).await;
        let mut result;
        let mut rounds = 0;
        loop {
            rounds += 1;
            // Views show what was pulled before the checkpoints are compared and left.
            result = session
                .sync_with(now_ms() as i64, || status.changed())
                .await;
            let again = std::mem::take(&mut self.0.state.borrow_mut().again);
            // Conflicts and rollbacks queue our side again: send it in the same run.
            let requeued = matches!(&result, Ok(r) if r.conflicts + r.rolled_back > 0);
            if result.is_err() || rounds >= 4 || !(again || requeued) {
                // A request this run will not serve any more is kept: the run's end starts
                // another for it (after a failure, the retry timer does).
                if again && result.is_ok() {
                    self.0.state.borrow_mut().again = true;
                }
                break;
            }
        }
        status.state.try_set(match &result {
            // Chosen while this run was on its way.
            _ if status.device_only.get_untracked() => SyncState::DeviceOnly,
            Ok(_) => SyncState::Synced {
                at_ms: now_ms() as i64,
            },
            Err(e) if e.is_offline() => SyncState::Offline,
            Err(e) => SyncState::Failed(e.to_string()),
        });
        if result.is_ok() {
            status.last_synced.try_set(Some(now_ms() as i64));
        }
        if matches!(&result, Ok(r) if r.profiles_lost) {
            status.profiles_lost.try_update(|v| *v += 1);
        }
        self.refresh(true).await;
        // Benchmarks read how long each sync took (the first one in a fresh browser is the
        // first full sync).
        mark("strongroom:sync-end");
        measure(
            "strongroom:sync",
            "strongroom:sync-start",
            "strongroom:sync-end",
        );
        status.changed();
        let (waiting, rerun) = {
            let mut runs = self.0.state.borrow_mut();
            runs.running = false;
            // Asked again while this run was finishing: it may not have seen that change.
            let rerun = std::mem::take(&mut runs.again);
            runs.failures = if result.is_ok() { 0 } else { runs.failures + 1 };
            runs.finished += 1;
            runs.last = Some(result.map(|_| ()).map_err(|e| e.to_string()));
            if runs.failures > 0 {
                let weak = Rc::downgrade(&self.0);
                runs.retry = Some(Timeout::new(backoff_ms(runs.failures), move || {
                    sync_weak(&weak);
                }));
            }
            (std::mem::take(&mut runs.waiting), rerun)
        };
        waiting.into_iter().for_each(Waker::wake);
        if rerun {
            self.sync_now();
        }
    }

    /// Reads what waits, what was refused and (after a sync) the notice into the status.
    async fn refresh(&self, notice: bool) {
        let session = &self.0.session;
        let status = self.0.status;
        if let Ok(ids) = session.pending_ids().await {
            status.pending.try_set(ids);
        }
        if let Ok(refused) = session.refused().await {
            status.refused.try_set(refused);
        }
        if notice && let Ok(found) = session.rollback_notice().await {
            status.rollback.try_set(found);
        }
    }
}

/// Syncs the engine behind `weak`, if it is still there.
pub(super) fn sync_weak(weak: &Weak<Inner>) {
    if let Some(inner) = weak.upgrade() {
        SyncEngine(inner).sync_now();
    }
}

/// The last revision `weak`'s session pulled of `container` (`None`: the engine is gone).
pub(super) fn pulled(weak: &Weak<Inner>, container: shared_types::ContainerId) -> Option<i64> {
    weak.upgrade().map(|inner| inner.session.pulled(container))
}

/// Tells whoever reads the account's policies that they may have changed.
pub(super) fn account_changed(weak: &Weak<Inner>) {
    if let Some(inner) = weak.upgrade() {
        inner.status.account_changes.try_update(|v| *v += 1);
    }
}

/// The engine's inner state, for the feed to hold weakly.
pub(super) type EngineRef = Weak<Inner>;

/// How long to wait after `failures` failures in a row: 1 s doubling up to a minute, with up
/// to a quarter more at random so that browsers do not all come back at once.
pub fn backoff_ms(failures: u32) -> u32 {
    let base = 1000u32
        .saturating_mul(1 << failures.saturating_sub(1).min(6))
        .min(60_000);
    let mut byte = [0u8; 1];
    let jitter = match getrandom::fill(&mut byte) {
        Ok(()) => base / 4 * u32::from(byte[0]) / 255,
        Err(_) => 0,
    };
    base + jitter
}
