//! The frame every page sits in: the top bar (with the account's Lock and Sign out), the side
//! navigation and the main area.

use crate::components::sign_out::SignOutButton;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::services::Auth;
use crate::services::auth::AuthStatus;

/// The app frame around `children`.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    view! {
        <div class="app" data-app-ready="true">
            <header class="topbar">
                <a class="brand" href="/">
                    <img class="brand-mark" src="/favicon.svg" alt="" width="24" height="24" />
                    <span>"Strongroom"</span>
                </a>
                <span class="tagline">"Zero-knowledge password manager"</span>
                <AccountControls />
            </header>
            <div class="layout">
                <nav class="sidebar" aria-label="Main">
                    <ul>
                        <li>
                            <A href="/" exact=true>"Vault"</A>
                        </li>
                        <li>
                            <A href="/import">"Import"</A>
                        </li>
                        <li>
                            <A href="/settings">"Account settings"</A>
                        </li>
                        <li>
                            <A href="/status">"Status"</A>
                        </li>
                    </ul>
                </nav>
                <main class="content">{children()}</main>
            </div>
        </div>
    }
}

/// Who is signed in, with Lock and Sign out, while the vault is open.
#[component]
fn AccountControls() -> impl IntoView {
    let status = Auth::get();
    move || match status.get() {
        AuthStatus::Unlocked(keys) => {
            let email = keys.email.clone();
            // Locking drops the keys: the last reference goes and they are zeroized.
            let lock = move |_| {
                status.set(AuthStatus::Locked {
                    email: email.clone(),
                })
            };
            view! {
                <div class="account">
                    <span data-testid="account-email">{keys.email.clone()}</span>
                    <button type="button" class="button light" on:click=lock>"Lock"</button>
                    <SignOutButton class="button light" />
                </div>
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}
