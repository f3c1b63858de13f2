//! The vault's home: the lock screen when locked, the open vault when unlocked.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use wasm_crypto::MasterPassword;

use crate::components::sign_out::SignOutButton;
use crate::components::vault::detail::ItemDetail;
use crate::components::vault::feed::ChangeFeed;
use crate::components::vault::form::{EditItemForm, NewItemForm};
use crate::components::vault::list::ItemList;
use crate::components::vault::nav::VaultNav;
use crate::components::vault::{Pane, Session, StatusLine, VaultUi};
use crate::services::keys::VaultKeys;
use crate::services::vault::VaultSession;

use crate::pages::signup::ErrorLine;
use crate::services::auth::{AuthError, AuthStatus};
use crate::services::{Auth, Services, now_ms, yield_to_browser};

/// The vault page.
#[component]
pub fn Vault() -> impl IntoView {
    let status = Auth::get();
    move || match status.get() {
        AuthStatus::Loading => view! { <p class="page">"Opening…"</p> }.into_any(),
        AuthStatus::SignedOut => view! { <Redirect path="/login" /> }.into_any(),
        AuthStatus::Locked { email } => view! { <LockScreen email=email /> }.into_any(),
        AuthStatus::Unlocked(keys) => view! { <OpenVault keys=keys /> }.into_any(),
    }
}

/// Opens the vault kept in this browser, then shows it and syncs in the background.
#[component]
fn OpenVault(keys: Arc<VaultKeys>) -> impl IntoView {
    let services = Services::handle();
    let session = LocalResource::new(move || {
        let keys = keys.clone();
        let services = services.all();
        async move {
            VaultSession::open(
                services.cache.clone(),
                services.api.clone(),
                keys,
                now_ms() as i64,
            )
            .await
            .map_err(|e| e.to_string())
        }
    });
    move || match session.get() {
        None => view! { <p class="page">"Opening the vault…"</p> }.into_any(),
        Some(Err(message)) => view! {
            <section class="page narrow" role="alert">
                <h1>"The vault could not be opened"</h1>
                <p>{message}</p>
            </section>
        }
        .into_any(),
        Some(Ok(session)) => view! { <VaultScreen session=session /> }.into_any(),
    }
}

/// The open vault: navigation, list and item pane.
#[component]
fn VaultScreen(session: Session) -> impl IntoView {
    let ui = VaultUi::provide(session);
    // The list paints first; the sync (which also checks the index against the records) follows.
    spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(100).await;
        ui.sync_now();
    });
    // Another browser's change arrives through the server's change feed; a sync also runs
    // every five minutes as a fallback, and as soon as the browser is back online.
    let feed = StoredValue::new_local(Some(ChangeFeed::start(ui)));
    let interval = set_interval_with_handle(move || ui.sync_now(), Duration::from_secs(300));
    let online = window_event_listener(leptos::ev::online, move |_| ui.sync_now());
    on_cleanup(move || {
        if let Ok(h) = interval {
            h.clear();
        }
        online.remove();
        feed.try_update_value(|f| f.take());
    });
    view! {
        <section class="vault" aria-label="Vault">
            <h1 class="visually-hidden">"Vault"</h1>
            <StatusLine />
            <div class="vault-columns">
                <VaultNav />
                <ItemList />
                <section class="item-pane" aria-label="Item">
                    {move || match ui.pane.get() {
                        Pane::View => view! { <ItemDetail /> }.into_any(),
                        Pane::New(kind) => view! { <NewItemForm kind=kind /> }.into_any(),
                        Pane::Edit(id) => view! { <EditItemForm id=id /> }.into_any(),
                    }}
                </section>
            </div>
        </section>
    }
}

/// Asks for the master password to open the account kept in this browser (also offline).
#[component]
fn LockScreen(email: String) -> impl IntoView {
    let services = Services::handle();
    let status = Auth::get();
    let (password, set_password) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let unlock = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        set_busy.set(true);
        let auth = services.auth();
        let master = MasterPassword::new(password.get_untracked());
        spawn_local(async move {
            yield_to_browser().await;
            match auth.unlock(&master).await {
                Ok(keys) => {
                    set_password.set(String::new());
                    status.set(AuthStatus::Unlocked(keys));
                }
                Err(AuthError::SessionEnded) => {
                    let _ = auth.sign_out().await;
                    status.set(AuthStatus::SignedOut);
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
            set_busy.set(false);
        });
    };
    view! {
        <section class="page narrow">
            <h1>"Vault locked"</h1>
            <form class="form" on:submit=unlock>
                <p>"Signed in as " <strong data-testid="locked-email">{email}</strong></p>
                <label for="unlock-password">"Master password"</label>
                <input id="unlock-password" type="password" autocomplete="current-password" required
                    prop:value=password on:input=move |ev| set_password.set(event_target_value(&ev)) />
                <ErrorLine error=error />
                <button type="submit" class="button primary" disabled=busy>
                    {move || if busy.get() { "Unlocking…" } else { "Unlock" }}
                </button>
                <SignOutButton class="button" />
            </form>
        </section>
    }
}
