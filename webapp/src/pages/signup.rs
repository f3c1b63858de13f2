//! Create an account: email and master password (with a strength meter and reasons), then the
//! code sent to the email. All keys are made in this browser.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use wasm_crypto::MasterPassword;

use crate::components::strength_meter::StrengthMeter;
use crate::services::auth::{AuthStatus, PendingSignup};
use crate::services::device::browser_name;
use crate::services::strength::{check_new_password, estimate};
use crate::services::{Auth, Services, now_ms, yield_to_browser};

/// The sign-up page.
#[component]
pub fn SignUp() -> impl IntoView {
    let services = Services::handle();
    let status = Auth::get();
    let (email, set_email) = signal(String::new());
    let (password, set_password) = signal(String::new());
    let (confirm, set_confirm) = signal(String::new());
    let (code, set_code) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let (sent, set_sent) = signal(None::<String>);
    let pending = StoredValue::new_local(None::<PendingSignup>);
    let strength = Memo::new(move |_| estimate(&password.get(), &email.get()));
    // What the account is for: just the person, a company of their business, or an MSP.
    let (purpose, set_purpose) = signal(Purpose::Myself);
    let (organization, set_organization) = signal(String::new());
    let navigate = leptos_router::hooks::use_navigate();

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Err(problem) = check_new_password(
            &password.get_untracked(),
            &confirm.get_untracked(),
            &email.get_untracked(),
        ) {
            set_error.set(Some(problem));
            return;
        }
        set_error.set(None);
        set_busy.set(true);
        let auth = services.auth();
        let master = MasterPassword::new(password.get_untracked());
        let email = email.get_untracked();
        spawn_local(async move {
            yield_to_browser().await;
            match auth
                .sign_up(&email, &master, now_ms(), &browser_name())
                .await
            {
                Ok((waiting, message)) => {
                    pending.set_value(Some(waiting));
                    set_password.set(String::new());
                    set_confirm.set(String::new());
                    set_sent.set(Some(message));
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
            set_busy.set(false);
        });
    };

    let confirm_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(waiting) = pending.try_update_value(Option::take).flatten() else {
            return;
        };
        set_busy.set(true);
        let auth = services.auth();
        let orgs = services.orgs();
        let go = navigate.clone();
        spawn_local(async move {
            match auth.confirm(waiting, &code.get_untracked()).await {
                Ok(keys) => {
                    status.set(AuthStatus::Unlocked(keys));
                    // The organization is made once the account exists and is signed in; if
                    // that fails, the account stands and the set-up page offers it again.
                    let name = organization.get_untracked();
                    let made = match purpose.get_untracked() {
                        Purpose::Myself => return,
                        Purpose::Company => orgs.create_company(&name).await,
                        Purpose::Partner => orgs.create_partner(&name).await,
                    };
                    match made {
                        Ok(m) => {
                            let path = match (m.partner, m.company) {
                                (Some(p), _) => format!("/partner/{}/companies", p.id),
                                (None, Some(c)) => format!("/admin/company/{}/users", c.id),
                                _ => "/".to_owned(),
                            };
                            go(&path, Default::default());
                        }
                        Err(_) => go("/organizations/new", Default::default()),
                    }
                }
                Err((e, waiting)) => {
                    pending.set_value(Some(waiting));
                    set_error.set(Some(e.to_string()));
                }
            }
            set_busy.set(false);
        });
    };

    view! {
        <section class="page narrow">
            {move || matches!(status.get(), AuthStatus::Unlocked(_)).then(|| view! { <Redirect path="/" /> })}
            <h1>"Create your account"</h1>
            <Show
                when=move || sent.get().is_none()
                fallback=move || view! {
                    <form class="form" on:submit=confirm_code.clone()>
                        <p data-testid="signup-sent">{move || sent.get()}</p>
                        <label for="signup-code">"Code from the email"</label>
                        <input id="signup-code" name="code" inputmode="numeric" autocomplete="one-time-code" required
                            prop:value=code on:input=move |ev| set_code.set(event_target_value(&ev)) />
                        <ErrorLine error=error />
                        <button type="submit" class="button primary" disabled=busy>"Confirm email"</button>
                    </form>
                }
            >
                <form class="form" on:submit=create>
                    <p class="hint">"Your master password never leaves this browser, and Strongroom cannot reset it for you: choose one you will remember."</p>
                    <label for="signup-email">"Email"</label>
                    <input id="signup-email" type="email" autocomplete="username" required
                        prop:value=email on:input=move |ev| set_email.set(event_target_value(&ev)) />
                    <label for="signup-password">"Master password"</label>
                    <input id="signup-password" type="password" autocomplete="new-password" required
                        prop:value=password on:input=move |ev| set_password.set(event_target_value(&ev)) />
                    <StrengthMeter strength=strength typed=Signal::derive(move || !password.get().is_empty()) label="Password strength" />
                    <ul class="problems">
                        {move || if password.get().is_empty() { Vec::new() } else { strength.get().problems }
                            .into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                    </ul>
                    <label for="signup-confirm">"Confirm master password"</label>
                    <input id="signup-confirm" type="password" autocomplete="new-password" required
                        prop:value=confirm on:input=move |ev| set_confirm.set(event_target_value(&ev)) />
                    <fieldset class="choices">
                        <legend>"This account is for"</legend>
                        <label><input type="radio" name="purpose" checked=true on:change=move |_| set_purpose.set(Purpose::Myself) />" Me"</label>
                        <label><input type="radio" name="purpose" on:change=move |_| set_purpose.set(Purpose::Company) />" My business: create a company"</label>
                        <label><input type="radio" name="purpose" on:change=move |_| set_purpose.set(Purpose::Partner) />" My MSP: create a partner that looks after customers"</label>
                    </fieldset>
                    {move || (purpose.get() != Purpose::Myself).then(|| view! {
                        <label for="signup-organization">{if purpose.get() == Purpose::Partner { "Your MSP's name" } else { "Company name" }}</label>
                        <input autocomplete="organization" id="signup-organization" required prop:value=organization
                            on:input=move |ev| set_organization.set(event_target_value(&ev)) />
                    })}
                    <ErrorLine error=error />
                    <button type="submit" class="button primary" disabled=busy>
                        {move || if busy.get() { "Creating your keys…" } else { "Create account" }}
                    </button>
                    <p>"Already have an account? " <a href="/login">"Sign in"</a></p>
                </form>
            </Show>
        </section>
    }
}

/// What a new account is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Myself,
    Company,
    Partner,
}

/// An error line for a form, announced to assistive technology.
#[component]
pub fn ErrorLine(error: ReadSignal<Option<String>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|e| view! { <p class="error" role="alert">{e}</p> })
    }
}
