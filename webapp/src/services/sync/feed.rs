//! The server's change feed (`GET /api/vault/events`, server-sent events) for the open vault's
//! sync engine:
//! when another browser of the account stores a change, the server says so and this browser
//! pulls at once, without waiting for the five-minute fallback.
//!
//! The browser's `EventSource` reconnects by itself after a dropped stream. When it gives up
//! (the server refused the stream, e.g. because it was down when reconnecting), the feed is
//! opened again after a growing delay. Every reconnection syncs, to catch up on what was said
//! while nobody listened.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use shared_types::vault::ChangeNotice;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{EventSource, MessageEvent};

use super::engine::{EngineRef, account_changed, backoff_ms, pulled, sync_weak};

/// Listening to the feed; closes it when dropped.
pub struct ChangeFeed {
    state: Rc<RefCell<FeedState>>,
}

#[derive(Default)]
struct FeedState {
    source: Option<EventSource>,
    handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    retry: Option<Timeout>,
    failures: u32,
    opened_once: bool,
    stopped: bool,
}

impl FeedState {
    fn close(&mut self) {
        if let Some(source) = self.source.take() {
            source.close();
        }
        self.handlers.clear();
        self.retry = None;
    }
}

impl ChangeFeed {
    /// Starts listening for the account of `engine`'s session.
    pub(super) fn start(engine: EngineRef) -> Self {
        let state = Rc::new(RefCell::new(FeedState::default()));
        connect(&state, engine);
        Self { state }
    }
}

impl Drop for ChangeFeed {
    fn drop(&mut self) {
        let mut state = self.state.borrow_mut();
        state.stopped = true;
        state.close();
    }
}

fn connect(state: &Rc<RefCell<FeedState>>, engine: EngineRef) {
    let Ok(source) = EventSource::new("/api/vault/events") else {
        reconnect_later(state, engine);
        return;
    };
    let on_engine = engine.clone();
    let on_change = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let changed = event
            .dyn_ref::<MessageEvent>()
            .and_then(|m| m.data().as_string())
            .and_then(|data| serde_json::from_str::<ChangeNotice>(&data).ok())
            .and_then(|notice| notice.container);
        // Our own pushes are announced too: nothing to pull once we have that revision. A
        // notice of no container means the account's access or company changed.
        let behind = match changed {
            Some(c) => pulled(&on_engine, c.container_id).is_some_and(|p| c.revision > p),
            None => {
                account_changed(&on_engine);
                true
            }
        };
        if behind {
            sync_weak(&on_engine);
        }
    });
    let weak = Rc::downgrade(state);
    let open_engine = engine.clone();
    let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        let Some(state) = weak.upgrade() else {
            return;
        };
        let mut s = state.borrow_mut();
        s.failures = 0;
        // The first opening follows the sync the vault runs when shown; later ones catch up.
        if std::mem::replace(&mut s.opened_once, true) {
            drop(s);
            account_changed(&open_engine);
            sync_weak(&open_engine);
        }
    });
    let weak = Rc::downgrade(state);
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        let Some(state) = weak.upgrade() else {
            return;
        };
        let closed = state
            .borrow()
            .source
            .as_ref()
            .is_some_and(|s| s.ready_state() == EventSource::CLOSED);
        // Still CONNECTING: the browser retries by itself. Closed: open a new one later (the
        // handlers stay until then; this one is running).
        if closed {
            if let Some(source) = state.borrow_mut().source.take() {
                source.close();
            }
            reconnect_later(&state, engine.clone());
        }
    });
    let _ = source.add_event_listener_with_callback("changed", on_change.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    let mut s = state.borrow_mut();
    s.source = Some(source);
    s.handlers = vec![on_change, on_open, on_error];
}

fn reconnect_later(state: &Rc<RefCell<FeedState>>, engine: EngineRef) {
    let mut s = state.borrow_mut();
    if s.stopped {
        return;
    }
    s.failures += 1;
    let weak = Rc::downgrade(state);
    s.retry = Some(Timeout::new(backoff_ms(s.failures), move || {
        if let Some(state) = weak.upgrade()
            && !state.borrow().stopped
        {
            connect(&state, engine.clone());
        }
    }));
}
