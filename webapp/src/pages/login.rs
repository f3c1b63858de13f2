//! Sign in: email and master password; then, when asked, the code emailed for a new browser and
//! the authenticator (or a recovery) code.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use wasm_crypto::MasterPassword;

use crate::pages::signup::ErrorLine;
use crate::services::auth::{AuthError, AuthStatus, LoginStep, PendingLogin, SecondStep};
use crate::services::device::browser_name;
use crate::services::{Auth, Services, now_ms, yield_to_browser};

/// Which step of signing in is on screen.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Credentials,
    EmailCode(String),
    TwoFactor,
}

/// The sign-in page.
#[component]
pub fn SignIn() -> impl IntoView {
    let services = Services::handle();
    let status = Auth::get();
    let (email, set_email) = signal(String::new());
    let (password, set_password) = signal(String::new());
    let (code, set_code) = signal(String::new());
    let (use_recovery, set_use_recovery) = signal(false);
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let (stage, set_stage) = signal(Stage::Credentials);
    // Shown after the server offered a salt other than the pinned one: the person says whether
    // they changed their master password elsewhere.
    let (salt_changed, set_salt_changed) = signal(false);
    let (salt_confirmed, set_salt_confirmed) = signal(false);
    let pending = StoredValue::new_local(None::<PendingLogin>);

    let advance = move |step: LoginStep| {
        set_code.set(String::new());
        match step {
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
                set_stage.set(Stage::EmailCode(message));
            }
            LoginStep::NeedsTwoFactor { pending: waiting } => {
                pending.set_value(Some(waiting));
                set_password.set(String::new());
                set_stage.set(Stage::TwoFactor);
            }
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
                .sign_in(
                    &email,
                    &master,
                    now_ms(),
                    &browser_name(),
                    salt_confirmed.get_untracked(),
                )
                .await
            {
                Ok(step) => advance(step),
                Err(e) => {
                    if e == AuthError::KdfSaltChanged {
                        set_salt_changed.set(true);
                    }
                    set_error.set(Some(e.to_string()));
                }
            }
            set_busy.set(false);
        });
    };

    let submit_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(waiting) = pending.try_update_value(Option::take).flatten() else {
            return;
        };
        let typed = code.get_untracked();
        let step = match stage.get_untracked() {
            Stage::EmailCode(_) => SecondStep::EmailCode(typed),
            _ if use_recovery.get_untracked() => SecondStep::Recovery(typed),
            _ => SecondStep::Authenticator(typed),
        };
        set_error.set(None);
        set_busy.set(true);
        let auth = services.auth();
        spawn_local(async move {
            match auth.continue_sign_in(waiting, step).await {
                Ok(step) => advance(step),
                Err(e) => {
                    set_error.set(Some(e.to_string()));
                    // Start over: an emailed code may be burned, and signing in again sends a new one.
                    set_stage.set(Stage::Credentials);
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
            {move || match stage.get() {
                Stage::Credentials => view! {
                    <form class="form" on:submit=submit>
                        <label for="login-email">"Email"</label>
                        <input id="login-email" type="email" autocomplete="username" required
                            prop:value=email on:input=move |ev| set_email.set(event_target_value(&ev)) />
                        <label for="login-password">"Master password"</label>
                        <input id="login-password" type="password" autocomplete="current-password" required
                            prop:value=password on:input=move |ev| set_password.set(event_target_value(&ev)) />
                        <ErrorLine error=error />
                        {move || salt_changed.get().then(|| view! {
                            <label class="checkbox" data-testid="confirm-new-salt">
                                <input type="checkbox" prop:checked=salt_confirmed
                                    on:change=move |ev| set_salt_confirmed.set(event_target_checked(&ev)) />
                                "I changed my master password in another browser"
                            </label>
                        })}
                        <button type="submit" class="button primary" disabled=busy>
                            {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                        </button>
                        <p>"New to Strongroom? " <a href="/signup">"Create an account"</a></p>
                    </form>
                }.into_any(),
                Stage::EmailCode(message) => view! {
                    <form class="form" on:submit=submit_code>
                        <p data-testid="login-code-asked">{message}</p>
                        <label for="login-code">"Code from the email"</label>
                        <input id="login-code" inputmode="numeric" autocomplete="one-time-code" required
                            prop:value=code on:input=move |ev| set_code.set(event_target_value(&ev)) />
                        <ErrorLine error=error />
                        <button type="submit" class="button primary" disabled=busy>"Verify this browser"</button>
                    </form>
                }.into_any(),
                Stage::TwoFactor => view! {
                    <form class="form" on:submit=submit_code>
                        <p>"Two-factor authentication is on for this account."</p>
                        <label for="login-second-factor">
                            {move || if use_recovery.get() { "Recovery code" } else { "Code from your authenticator app" }}
                        </label>
                        <input id="login-second-factor" autocomplete="one-time-code" required
                            prop:value=code on:input=move |ev| set_code.set(event_target_value(&ev)) />
                        <ErrorLine error=error />
                        <button type="submit" class="button primary" disabled=busy>"Continue"</button>
                        <button type="button" class="button" on:click=move |_| set_use_recovery.update(|r| *r = !*r)>
                            {move || if use_recovery.get() { "Use the authenticator app instead" } else { "Use a recovery code instead" }}
                        </button>
                    </form>
                }.into_any(),
            }}
        </section>
    }
}
