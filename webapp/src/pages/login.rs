//! Sign in: email and master password, then (for a browser new to the account) the emailed code.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use wasm_crypto::MasterPassword;

use crate::pages::signup::ErrorLine;
use crate::services::auth::{AuthStatus, LoginStep, PendingLogin};
use crate::services::device::browser_name;
use crate::services::{Auth, Services, now_ms, yield_to_browser};

/// The sign-in page.
#[component]
pub fn SignIn() -> impl IntoView {
    let services = Services::handle();
    let status = Auth::get();
    let (email, set_email) = signal(String::new());
    let (password, set_password) = signal(String::new());
    let (code, set_code) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let (asked, set_asked) = signal(None::<String>);
    let pending = StoredValue::new_local(None::<PendingLogin>);

    let finish = move |step: LoginStep| match step {
        LoginStep::Unlocked(keys) => {
            set_password.set(String::new());
            status.set(AuthStatus::Unlocked(keys));
        }
        LoginStep::NeedsCode {
            message,
            pending: waiting,
        } => {
            pending.set_value(Some(waiting));
            set_password.set(String::new());
            set_asked.set(Some(message));
        }
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        set_busy.set(true);
        let auth = services.auth();
        let master = MasterPassword::new(password.get_untracked());
        let email = email.get_untracked();
        spawn_local(async move {
            yield_to_browser().await;
            match auth
                .sign_in(&email, &master, now_ms(), &browser_name())
                .await
            {
                Ok(step) => finish(step),
                Err(e) => set_error.set(Some(e.to_string())),
            }
            set_busy.set(false);
        });
    };

    let submit_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(waiting) = pending.try_update_value(Option::take).flatten() else {
            return;
        };
        set_error.set(None);
        set_busy.set(true);
        let auth = services.auth();
        spawn_local(async move {
            match auth.sign_in_with_code(waiting, &code.get_untracked()).await {
                Ok(step) => finish(step),
                Err(e) => {
                    set_error.set(Some(e.to_string()));
                    // Start over: the code may be burned, and a new sign-in sends a new one.
                    set_asked.set(None);
                    set_code.set(String::new());
                }
            }
            set_busy.set(false);
        });
    };

    view! {
        <section class="page narrow">
            {move || matches!(status.get(), AuthStatus::Unlocked(_)).then(|| view! { <Redirect path="/" /> })}
            <h1>"Sign in"</h1>
            <Show
                when=move || asked.get().is_none()
                fallback=move || view! {
                    <form class="form" on:submit=submit_code>
                        <p data-testid="login-code-asked">{move || asked.get()}</p>
                        <label for="login-code">"Code from the email"</label>
                        <input id="login-code" name="code" inputmode="numeric" autocomplete="one-time-code" required
                            prop:value=code on:input=move |ev| set_code.set(event_target_value(&ev)) />
                        <ErrorLine error=error />
                        <button type="submit" class="button primary" disabled=busy>"Verify this browser"</button>
                    </form>
                }
            >
                <form class="form" on:submit=submit>
                    <label for="login-email">"Email"</label>
                    <input id="login-email" type="email" autocomplete="username" required
                        prop:value=email on:input=move |ev| set_email.set(event_target_value(&ev)) />
                    <label for="login-password">"Master password"</label>
                    <input id="login-password" type="password" autocomplete="current-password" required
                        prop:value=password on:input=move |ev| set_password.set(event_target_value(&ev)) />
                    <ErrorLine error=error />
                    <button type="submit" class="button primary" disabled=busy>
                        {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                    <p>"New to Strongroom? " <a href="/signup">"Create an account"</a></p>
                </form>
            </Show>
        </section>
    }
}
