//! Locks the vault after a period without activity (keys, pointer, scrolling) in this tab. The
//! delay is a preference of this browser ([`LockAfter`]).

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::services::auth::AuthStatus;
use crate::services::{Auth, Services, now_ms};

/// The inactivity delay in minutes (0: never), shared with the settings page.
#[derive(Clone, Copy)]
pub struct LockAfter(pub RwSignal<u32>);

/// Watches for inactivity while the vault is open. Renders nothing.
#[component]
pub fn IdleLock() -> impl IntoView {
    let status = Auth::get();
    let services = Services::handle();
    let minutes = RwSignal::new(crate::services::preferences::DEFAULT_LOCK_AFTER_MINUTES);
    provide_context(LockAfter(minutes));
    spawn_local(async move {
        if let Ok(stored) = services.all().preferences.lock_after_minutes().await {
            minutes.set(stored);
        }
    });
    let last_activity = StoredValue::new(now_ms());
    let touch = move || last_activity.set_value(now_ms());
    // An unlock counts as activity: the delay starts again from it.
    Effect::new(move |_| {
        if matches!(status.get(), AuthStatus::Unlocked(_)) {
            touch();
        }
    });
    for listener in [
        window_event_listener(leptos::ev::keydown, move |_| touch()),
        window_event_listener(leptos::ev::pointerdown, move |_| touch()),
        window_event_listener(leptos::ev::wheel, move |_| touch()),
    ] {
        on_cleanup(move || listener.remove());
    }
    set_interval(
        move || {
            let limit = minutes.get_untracked();
            if limit == 0 {
                return;
            }
            let idle_ms = now_ms() - last_activity.get_value();
            if let AuthStatus::Unlocked(keys) = status.get_untracked()
                && idle_ms >= f64::from(limit) * 60_000.0
            {
                // Dropping the keys from the signal zeroizes them.
                status.set(AuthStatus::Locked {
                    email: keys.email.clone(),
                });
            }
        },
        Duration::from_secs(5),
    );
}
