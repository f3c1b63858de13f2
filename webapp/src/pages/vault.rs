//! The vault's home: the lock screen when locked, the open vault when unlocked.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use wasm_crypto::MasterPassword;

use crate::components::policy_notice::vault_held;
use crate::components::sign_out::SignOutButton;
use crate::components::vault::detail::ItemDetail;
use crate::components::vault::form::{EditItemForm, NewItemForm};
use crate::components::vault::list::ItemList;
use crate::components::vault::nav::VaultNav;
use crate::components::vault::{Pane, StatusLine, VaultUi};
use crate::services::sync::{OpenVault as OpenVaultState, VaultService, VaultState};

use crate::pages::signup::ErrorLine;
use crate::services::auth::{AuthError, AuthStatus};
use crate::services::{Auth, Services, yield_to_browser};

/// What a page that needs the open vault shows instead, while it is not open: the lock screen,
/// or the way to sign in. None once it is open.
pub fn until_unlocked(status: AuthStatus) -> Option<AnyView> {
    Some(match status {
        AuthStatus::Loading => view! { <p class="page">"Opening…"</p> }.into_any(),
        AuthStatus::SignedOut => view! { <Redirect path="/login" /> }.into_any(),
        AuthStatus::Locked { email } => view! { <LockScreen email=email /> }.into_any(),
        AuthStatus::Unlocked(_) => return None,
    })
}

/// The vault page.
#[component]
pub fn Vault() -> impl IntoView {
    let status = Auth::get();
    let held = vault_held();
    move || match status.get() {
        AuthStatus::Loading => view! { <p class="page">"Opening…"</p> }.into_any(),
        AuthStatus::SignedOut => view! { <Redirect path="/login" /> }.into_any(),
        AuthStatus::Locked { email } => view! { <LockScreen email=email /> }.into_any(),
        // The company asks for a step first (the server serves no vault data until then).
        AuthStatus::Unlocked(_) if held.get() => view! { <Redirect path="/settings" /> }.into_any(),
        AuthStatus::Unlocked(_) => view! { <OpenVault /> }.into_any(),
    }
}

/// The vault opened at unlock (by the vault service, whatever page was showing), then shown;
/// it syncs in the background.
#[component]
fn OpenVault() -> impl IntoView {
    let vault = VaultService::get();
    move || match vault.state() {
        VaultState::Closed | VaultState::Opening(_) => {
            view! { <p class="page">"Opening the vault…"</p> }.into_any()
        }
        VaultState::Failed(message) => view! {
            <section class="page narrow" role="alert">
                <h1>"The vault could not be opened"</h1>
                <p>{message}</p>
            </section>
        }
        .into_any(),
        VaultState::Open(open) => view! { <VaultScreen open=open /> }.into_any(),
    }
}

/// The open vault: navigation, list and item pane.
#[component]
fn VaultScreen(open: OpenVaultState) -> impl IntoView {
    let ui = VaultUi::provide(open);
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
                // Signed out in another tab meanwhile: what this unlock kept goes again.
                Ok(_) if matches!(status.try_get_untracked(), Some(AuthStatus::SignedOut)) => {
                    let _ = auth.forget_here().await;
                }
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
