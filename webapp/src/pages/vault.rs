//! The vault's home: the lock screen when locked, the profiles when open.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use shared_types::account::ProfileKind;
use wasm_crypto::MasterPassword;

use crate::pages::signup::ErrorLine;
use crate::services::auth::{AuthError, AuthStatus};
use crate::services::{Auth, Services, yield_to_browser};

/// The vault page.
#[component]
pub fn Vault() -> impl IntoView {
    let status = Auth::get();
    move || match status.get() {
        AuthStatus::Loading => view! { <p class="page">"Opening…"</p> }.into_any(),
        AuthStatus::SignedOut => view! { <Redirect path="/login" /> }.into_any(),
        AuthStatus::Locked { email } => view! { <LockScreen email=email /> }.into_any(),
        AuthStatus::Unlocked(keys) => {
            let profiles: Vec<_> = keys
                .profiles
                .iter()
                .map(|(_, kind, _)| match kind {
                    ProfileKind::Personal => "Personal",
                    ProfileKind::Business => "Business",
                })
                .collect();
            view! {
                <section class="page">
                    <h1>"Vault"</h1>
                    <div class="cards">
                        {profiles.into_iter().map(|name| view! {
                            <section class="card" role="region" aria-label=name>
                                <h2>{name}</h2>
                                <p class="hint">"No items yet."</p>
                            </section>
                        }).collect_view()}
                    </div>
                </section>
            }
            .into_any()
        }
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
    let sign_out = move |_| {
        let auth = services.auth();
        spawn_local(async move {
            match auth.sign_out().await {
                Ok(()) => status.set(AuthStatus::SignedOut),
                Err(e) => set_error.set(Some(e.to_string())),
            }
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
                <button type="button" class="button" on:click=sign_out>"Sign out"</button>
            </form>
        </section>
    }
}
