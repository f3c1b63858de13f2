//! Signing out, here or everywhere. Signing out deletes this browser's copy of the vault,
//! changes not yet sent included, so when some wait to be sent the person is told how many
//! and chooses: stay signed in (they go out once the server is reachable), or sign out anyway.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::pages::signup::ErrorLine;
use crate::services::auth::AuthStatus;
use crate::services::sync::VaultService;
use crate::services::{Auth, Services};

/// A "Sign out" (or "Sign out everywhere") button with its warning and errors.
#[component]
pub fn SignOutButton(
    /// End every session of the account, not only this one.
    #[prop(optional)]
    everywhere: bool,
    /// The button's classes.
    #[prop(into)]
    class: String,
) -> impl IntoView {
    let services = Services::handle();
    let status = Auth::get();
    let vault = VaultService::get();
    let (unsent, set_unsent) = signal(None::<usize>);
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let sign_out = move |confirmed: bool| {
        let auth = services.auth();
        set_error.set(None);
        set_unsent.set(None);
        set_busy.set(true);
        spawn_local(async move {
            if !confirmed {
                match auth.unsent_changes().await {
                    Ok(0) => {}
                    Ok(n) => {
                        set_unsent.try_set(Some(n));
                        set_busy.try_set(false);
                        return;
                    }
                    Err(e) => {
                        set_error.try_set(Some(e.to_string()));
                        set_busy.try_set(false);
                        return;
                    }
                }
            }
            // The vault's sync stops first: nothing of it is written back while it is wiped.
            vault.suspend();
            let result = if everywhere {
                auth.sign_out_everywhere().await
            } else {
                auth.sign_out().await
            };
            match result {
                Ok(()) => {
                    status.try_set(AuthStatus::SignedOut);
                }
                Err(e) => {
                    vault.resume();
                    set_error.try_set(Some(e.to_string()));
                }
            }
            set_busy.try_set(false);
        });
    };
    let label = if everywhere {
        "Sign out everywhere"
    } else {
        "Sign out"
    };
    let warning = move || {
        unsent.get().map(|n| {
            let changes = if n == 1 {
                "1 change made in this browser has".to_owned()
            } else {
                format!("{n} changes made in this browser have")
            };
            view! {
                <div class="unsent-warning" role="alert" data-testid="unsent-warning">
                    <p>
                        {changes}
                        " not reached the server yet. Signing out deletes them from this browser for good. "
                        "Stay signed in and they are sent as soon as the server can be reached."
                    </p>
                    <button type="button" class="button primary" on:click=move |_| set_unsent.set(None)>
                        "Stay signed in"
                    </button>
                    <button type="button" class="button danger" disabled=busy on:click=move |_| sign_out(true)>
                        "Sign out anyway"
                    </button>
                </div>
            }
        })
    };
    view! {
        <button type="button" class=class disabled=busy on:click=move |_| sign_out(false)>
            {label}
        </button>
        {warning}
        <ErrorLine error=error />
    }
}
