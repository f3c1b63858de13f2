//! The page an invitation link opens (`/invite#token=…&fp=…`). The token lives in the link's
//! fragment, which no server ever sees; the page takes it out of the address bar at once (so
//! it stays out of history and bookmarks) and sends it only in POST bodies. It shows what the
//! invitation is for, then: sign up with the invited address (the link proves it; the browser
//! is verified with an emailed code as usual), sign in and accept, or accept at once when
//! already signed in with that address.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared_types::org::{InvitationKind, InvitationState, InvitationView};
use wasm_crypto::MasterPassword;

use crate::components::strength_meter::StrengthMeter;
use crate::pages::signup::ErrorLine;
use crate::services::auth::{AuthStatus, LoginStep, PendingLogin, SecondStep};
use crate::services::device::browser_name;
use crate::services::orgs::InviteFragment;
use crate::services::strength::{check_new_password, estimate};
use crate::services::{Auth, Services, now_ms, yield_to_browser};

/// Where the invitation's company key fingerprint waits in `localStorage` until the vault
/// opens (`services::sync` hands it to the vault, which checks the company key against it).
pub const INVITE_FINGERPRINT: &str = "strongroom:invite-fp";

/// The token in the page's fragment (`#token=…&fp=…`), taken out of the address bar; the
/// fingerprint, when the link has one, is kept for the vault.
fn take_token() -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let fragment = InviteFragment::parse(&hash);
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/invite"));
    }
    let fragment = fragment?;
    if let (Some(fp), Ok(Some(storage))) = (&fragment.fingerprint, window.local_storage()) {
        let _ = storage.set_item(INVITE_FINGERPRINT, fp);
    }
    Some(fragment.token)
}

/// Why a link cannot be used, for a person.
fn state_text(view: &InvitationView) -> Option<String> {
    let ask = view
        .inviter_email
        .as_ref()
        .map(|who| format!("Ask {who} to send you a new one."))
        .unwrap_or_else(|| "Ask your administrator to send you a new one.".to_owned());
    match view.state {
        InvitationState::Valid => None,
        InvitationState::Expired => Some(format!(
            "This invitation expired: links work for 7 days. {ask}"
        )),
        InvitationState::Used => {
            Some("This invitation was accepted already. Sign in to use Strongroom.".to_owned())
        }
        InvitationState::Revoked => Some(format!("This invitation was withdrawn. {ask}")),
        InvitationState::Replaced => Some(
            "A newer invitation was sent to you: open the link in the most recent email."
                .to_owned(),
        ),
    }
}

/// What the person does next on the page.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Form,
    EmailCode(String),
    TwoFactor,
    Joined(String),
}

/// The invitation page.
#[component]
pub fn Invite() -> impl IntoView {
    let services = Services::handle();
    let token = StoredValue::new(take_token());
    let lookup = LocalResource::new(move || async move {
        match token.get_value() {
            Some(raw) => services.orgs().lookup(&raw).await.map_err(|e| {
                if e.code() == Some("not_found") {
                    "This invitation link is not valid. Check that you opened the whole link from the email.".to_owned()
                } else {
                    e.to_string()
                }
            }),
            None => Err("This page opens from the link in an invitation email.".to_owned()),
        }
    });
    view! {
        <section class="page narrow" data-testid="invite-page">
            <h1>"Invitation"</h1>
            <Suspense fallback=|| view! { <p>"Reading the invitation…"</p> }>
                {move || lookup.get().map(|found| match found {
                    Err(message) => view! { <p class="error" role="alert" data-testid="invite-error">{message}</p> }.into_any(),
                    Ok(view) => match state_text(&view) {
                        Some(message) => view! { <p class="error" role="alert" data-testid="invite-error">{message}</p> }.into_any(),
                        None => view! { <Offer view=view token=token.get_value().unwrap_or_default() /> }.into_any(),
                    },
                })}
            </Suspense>
        </section>
    }
}

/// A valid invitation: what it is for, and the form to take it up.
#[component]
fn Offer(view: InvitationView, token: String) -> impl IntoView {
    let services = Services::handle();
    let status = Auth::get();
    let navigate = use_navigate();
    let (password, set_password) = signal(String::new());
    let (confirm, set_confirm) = signal(String::new());
    let (code, set_code) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let (step, set_step) = signal(Step::Form);
    let pending = StoredValue::new_local(None::<PendingLogin>);
    let token = StoredValue::new(token);
    let email = view.email.clone();
    let strength = Memo::new({
        let email = email.clone();
        move |_| estimate(&password.get(), &email)
    });
    let what = match view.kind {
        InvitationKind::Company => {
            format!("join {} as {}", view.organization_name, view.role_label)
        }
        InvitationKind::Partner => format!(
            "join the staff of {} as {}",
            view.organization_name, view.role_label
        ),
    };
    let has_account = view.has_account;

    // Joins once the vault is open with the invited address.
    let join = move || {
        set_busy.set(true);
        let orgs = services.orgs();
        let go = navigate.clone();
        spawn_local(async move {
            match orgs.accept(&token.get_value()).await {
                Ok(memberships) => {
                    let name = memberships
                        .company
                        .map(|c| c.name)
                        .or(memberships.partner.map(|p| p.name))
                        .unwrap_or_default();
                    set_step.set(Step::Joined(name));
                    go("/", Default::default());
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
            set_busy.set(false);
        });
    };
    let join_after = join.clone();
    let opened = use_navigate();
    let advance = move |next: LoginStep, then_accept: bool| {
        set_code.set(String::new());
        match next {
            LoginStep::Unlocked(keys) => {
                set_password.set(String::new());
                status.set(AuthStatus::Unlocked(keys));
                if then_accept {
                    join_after();
                } else {
                    // Joined by the sign-up itself: on to the vault.
                    let orgs = services.orgs();
                    spawn_local(async move {
                        let _ = orgs.reload().await;
                    });
                    set_step.set(Step::Joined(String::new()));
                    opened("/", Default::default());
                }
            }
            LoginStep::NeedsCode {
                message,
                pending: waiting,
            } => {
                pending.set_value(Some(waiting));
                set_password.set(String::new());
                set_step.set(Step::EmailCode(message));
            }
            LoginStep::NeedsTwoFactor { pending: waiting } => {
                pending.set_value(Some(waiting));
                set_password.set(String::new());
                set_step.set(Step::TwoFactor);
            }
        }
    };

    let sign_up = {
        let email = email.clone();
        let advance = advance.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if let Err(problem) =
                check_new_password(&password.get_untracked(), &confirm.get_untracked(), &email)
            {
                set_error.set(Some(problem));
                return;
            }
            set_error.set(None);
            set_busy.set(true);
            let auth = services.auth();
            let master = MasterPassword::new(password.get_untracked());
            let email = email.clone();
            let advance = advance.clone();
            spawn_local(async move {
                yield_to_browser().await;
                match auth
                    .sign_up_invited(
                        &token.get_value(),
                        &email,
                        &master,
                        now_ms(),
                        &browser_name(),
                    )
                    .await
                {
                    Ok(next) => advance(next, false),
                    Err(e) => set_error.set(Some(e.to_string())),
                }
                set_busy.set(false);
            });
        }
    };
    let sign_in = {
        let email = email.clone();
        let advance = advance.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            set_error.set(None);
            set_busy.set(true);
            let auth = services.auth();
            let master = MasterPassword::new(password.get_untracked());
            let email = email.clone();
            let advance = advance.clone();
            spawn_local(async move {
                yield_to_browser().await;
                match auth
                    .sign_in(&email, &master, now_ms(), &browser_name(), false)
                    .await
                {
                    Ok(next) => advance(next, true),
                    Err(e) => set_error.set(Some(e.to_string())),
                }
                set_busy.set(false);
            });
        }
    };
    let submit_code = {
        let advance = advance.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(waiting) = pending.try_update_value(Option::take).flatten() else {
                return;
            };
            let typed = code.get_untracked();
            let second = match step.get_untracked() {
                Step::EmailCode(_) => SecondStep::EmailCode(typed),
                _ => SecondStep::Authenticator(typed),
            };
            set_busy.set(true);
            let auth = services.auth();
            let advance = advance.clone();
            spawn_local(async move {
                match auth.continue_sign_in(waiting, second).await {
                    Ok(next) => advance(next, has_account),
                    Err(e) => {
                        set_error.set(Some(e.to_string()));
                        set_step.set(Step::Form);
                    }
                }
                set_busy.set(false);
            });
        }
    };

    let email_shown = email.clone();
    view! {
        <p data-testid="invite-offer">
            "You are invited to " {what} ", with the address " <strong>{email_shown}</strong> "."
        </p>
        {move || match step.get() {
            Step::Joined(_) => view! { <p class="ok" data-testid="invite-joined">"Welcome! Opening your vault…"</p> }.into_any(),
            Step::EmailCode(message) => view! {
                <form class="form" on:submit=submit_code.clone()>
                    <p data-testid="invite-code-asked">{message}</p>
                    <label for="invite-code">"Code from the email"</label>
                    <input id="invite-code" inputmode="numeric" autocomplete="one-time-code" required
                        prop:value=code on:input=move |ev| set_code.set(event_target_value(&ev)) />
                    <ErrorLine error=error />
                    <button type="submit" class="button primary" disabled=busy>"Verify this browser"</button>
                </form>
            }.into_any(),
            Step::TwoFactor => view! {
                <form class="form" on:submit=submit_code.clone()>
                    <label for="invite-totp">"Code from your authenticator app"</label>
                    <input id="invite-totp" autocomplete="one-time-code" required
                        prop:value=code on:input=move |ev| set_code.set(event_target_value(&ev)) />
                    <ErrorLine error=error />
                    <button type="submit" class="button primary" disabled=busy>"Continue"</button>
                </form>
            }.into_any(),
            Step::Form => match status.get() {
                AuthStatus::Unlocked(keys) if keys.email == email => {
                    let join = join.clone();
                    view! {
                        <div class="form">
                            <p>"You are signed in with this address."</p>
                            <ErrorLine error=error />
                            <button type="button" class="button primary" data-testid="invite-accept" disabled=busy
                                on:click=move |_| join()>"Accept the invitation"</button>
                        </div>
                    }.into_any()
                }
                AuthStatus::Unlocked(keys) => view! {
                    <p class="error" role="alert">
                        "You are signed in as " {keys.email.clone()} ". This invitation is for another address: sign out, then open the link in the email again."
                    </p>
                }.into_any(),
                _ if has_account => view! {
                    <form class="form" on:submit=sign_in.clone()>
                        <p>"This address has a Strongroom account. Sign in to accept."</p>
                        <label for="invite-password">"Master password"</label>
                        <input id="invite-password" type="password" autocomplete="current-password" required
                            prop:value=password on:input=move |ev| set_password.set(event_target_value(&ev)) />
                        <ErrorLine error=error />
                        <button type="submit" class="button primary" disabled=busy>"Sign in and accept"</button>
                    </form>
                }.into_any(),
                _ => view! {
                    <form class="form" on:submit=sign_up.clone()>
                        <p class="hint">"Choose a master password. It never leaves this browser, and nobody (not your administrator, not Strongroom) can reset it for you."</p>
                        <label for="invite-new-password">"Master password"</label>
                        <input id="invite-new-password" type="password" autocomplete="new-password" required
                            prop:value=password on:input=move |ev| set_password.set(event_target_value(&ev)) />
                        <StrengthMeter strength=strength typed=Signal::derive(move || !password.get().is_empty()) label="Password strength" />
                        <label for="invite-confirm">"Confirm master password"</label>
                        <input id="invite-confirm" type="password" autocomplete="new-password" required
                            prop:value=confirm on:input=move |ev| set_confirm.set(event_target_value(&ev)) />
                        <ErrorLine error=error />
                        <button type="submit" class="button primary" disabled=busy>
                            {move || if busy.get() { "Creating your keys…" } else { "Create account and join" }}
                        </button>
                    </form>
                }.into_any(),
            },
        }}
    }
}
