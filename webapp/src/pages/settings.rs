//! Account settings: this browser's preferences (when it locks, when it clears copied secrets),
//! the browsers that have signed in (with revoke), sign out everywhere, two-factor
//! authentication and changing the master password.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use shared_types::account::{DeviceView, RecoveryCodes, SessionView, TwoFactorSetup};
use wasm_crypto::MasterPassword;

use crate::components::company_policies::CompanyPoliciesCard;
use crate::components::idle_lock::LockAfter;
use crate::components::qr::QrCode;
use crate::components::sign_out::SignOutButton;
use crate::components::strength_meter::StrengthMeter;
use crate::pages::contacts::OwnFingerprint;
use crate::pages::signup::ErrorLine;
use crate::services::auth::AuthStatus;
use crate::services::policies::sync_required;
use crate::services::preferences::{
    CLIPBOARD_CLEAR_CHOICES, DEFAULT_CLIPBOARD_CLEAR_SECONDS, LOCK_AFTER_CHOICES,
};
use crate::services::strength::{check_new_password, estimate};
use crate::services::sync::VaultService;
use crate::services::{Auth, Services, yield_to_browser};

/// The settings page (only while the vault is open).
#[component]
pub fn Settings() -> impl IntoView {
    let status = Auth::get();
    move || {
        match status.get() {
        AuthStatus::Unlocked(_) => view! {
            <section class="page">
                <h1>"Account settings"</h1>
                <section class="card" role="region" aria-labelledby="fingerprint-title">
                    <h2 id="fingerprint-title">"Your fingerprint"</h2>
                    <p class="hint">"People who share with you can compare this with what their Contacts page shows for you, to be sure they have your real keys."</p>
                    <OwnFingerprint />
                </section>
                <CompanyPoliciesCard />
                <ThisBrowser />
                <Browsers />
                <Sessions />
                <TwoFactor />
                <ChangePassword />
            </section>
        }
        .into_any(),
        _ => view! { <Redirect path="/" /> }.into_any(),
    }
    }
}

use crate::services::local_time as when;

#[component]
fn Browsers() -> impl IntoView {
    let services = Services::handle();
    let (error, set_error) = signal(None::<String>);
    let list = LocalResource::new(move || async move { services.auth().devices().await });
    let revoke = move |device: DeviceView| {
        spawn_local(async move {
            match services.auth().revoke_device(device.id).await {
                Ok(()) => list.refetch(),
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <section class="card" role="region" aria-labelledby="browsers-title">
            <h2 id="browsers-title">"Browsers"</h2>
            <p class="hint">"Browsers that have signed in to your account. Revoking one signs it out; it must be verified by email again."</p>
            {move || match list.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(devices)) => view! {
                    <table class="table">
                        <thead><tr><th>"Browser"</th><th>"First seen"</th><th>"Last seen"</th><th></th></tr></thead>
                        <tbody>
                            {devices.into_iter().map(|d| {
                                let label = d.name.clone();
                                let current = d.current;
                                let verified = d.verified;
                                view! {
                                    <tr>
                                        <td>
                                            {d.name.clone()}
                                            {current.then(|| view! { <span class="tag">"This browser"</span> })}
                                            {(!verified).then(|| view! { <span class="tag">"Not verified"</span> })}
                                        </td>
                                        <td>{when(d.first_seen)}</td>
                                        <td>{when(d.last_seen)}</td>
                                        <td>
                                            {(!current).then(|| {
                                                let device = d.clone();
                                                view! {
                                                    <button type="button" class="button"
                                                        aria-label=format!("Revoke {label}")
                                                        on:click=move |_| revoke(device.clone())>"Revoke"</button>
                                                }
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <ErrorLine error=error />
            <SignOutButton everywhere=true class="button" />
        </section>
    }
}

#[component]
fn ChangePassword() -> impl IntoView {
    let services = Services::handle();
    let status = Auth::get();
    let (current, set_current) = signal(String::new());
    let (new, set_new) = signal(String::new());
    let (confirm, set_confirm) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let (done, set_done) = signal(false);
    let (busy, set_busy) = signal(false);
    let email = move || match status.get() {
        AuthStatus::Unlocked(keys) => keys.email.clone(),
        _ => String::new(),
    };
    let strength = Memo::new(move |_| estimate(&new.get(), &email()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_done.set(false);
        if let Err(problem) =
            check_new_password(&new.get_untracked(), &confirm.get_untracked(), &email())
        {
            set_error.set(Some(problem));
            return;
        }
        let AuthStatus::Unlocked(keys) = status.get_untracked() else {
            return;
        };
        set_error.set(None);
        set_busy.set(true);
        let old = MasterPassword::new(current.get_untracked());
        let fresh = MasterPassword::new(new.get_untracked());
        spawn_local(async move {
            yield_to_browser().await;
            match services.auth().change_password(&keys, &old, &fresh).await {
                Ok(()) => {
                    set_current.set(String::new());
                    set_new.set(String::new());
                    set_confirm.set(String::new());
                    set_done.set(true);
                    // The company may have been waiting for this change.
                    let _ = services.policies().reload().await;
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
            set_busy.set(false);
        });
    };
    view! {
        <section class="card" role="region" aria-labelledby="password-title">
            <h2 id="password-title">"Master password"</h2>
            <form class="form flat" on:submit=submit>
                <label for="current-password">"Current master password"</label>
                <input id="current-password" type="password" autocomplete="current-password" required
                    prop:value=current on:input=move |ev| set_current.set(event_target_value(&ev)) />
                <label for="new-password">"New master password"</label>
                <input id="new-password" type="password" autocomplete="new-password" required
                    prop:value=new on:input=move |ev| set_new.set(event_target_value(&ev)) />
                <StrengthMeter strength=strength typed=Signal::derive(move || !new.get().is_empty()) label="New password strength" />
                <label for="confirm-password">"Confirm new master password"</label>
                <input id="confirm-password" type="password" autocomplete="new-password" required
                    prop:value=confirm on:input=move |ev| set_confirm.set(event_target_value(&ev)) />
                <ErrorLine error=error />
                {move || done.get().then(|| view! {
                    <p role="status" class="ok">"Master password changed. Every other browser was signed out."</p>
                })}
                <button type="submit" class="button primary" disabled=busy>
                    {move || if busy.get() { "Changing…" } else { "Change master password" }}
                </button>
            </form>
        </section>
    }
}

#[component]
fn TwoFactor() -> impl IntoView {
    let services = Services::handle();
    let (error, set_error) = signal(None::<String>);
    let (code, set_code) = signal(String::new());
    let (password, set_password) = signal(String::new());
    let (setup, set_setup) = signal(None::<TwoFactorSetup>);
    let (recovery, set_recovery) = signal(None::<RecoveryCodes>);
    let state =
        LocalResource::new(move || async move { services.auth().two_factor_status().await });
    let start = move |_| {
        set_error.set(None);
        spawn_local(async move {
            match services.auth().two_factor_setup().await {
                Ok(s) => set_setup.set(Some(s)),
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    let enable = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        spawn_local(async move {
            match services
                .auth()
                .two_factor_enable(&code.get_untracked())
                .await
            {
                Ok(codes) => {
                    set_setup.set(None);
                    set_code.set(String::new());
                    set_recovery.set(Some(codes));
                    state.refetch();
                    // The company may have been waiting for it.
                    let _ = services.policies().reload().await;
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    let disable = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        let master = MasterPassword::new(password.get_untracked());
        spawn_local(async move {
            yield_to_browser().await;
            match services.auth().two_factor_disable(&master).await {
                Ok(()) => {
                    set_password.set(String::new());
                    state.refetch();
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <section class="card" role="region" aria-labelledby="two-factor-title">
            <h2 id="two-factor-title">"Two-factor authentication"</h2>
            {move || recovery.get().map(|codes| view! {
                <div class="recovery" role="status">
                    <p><strong>"Two-factor authentication is on."</strong> " Save these recovery codes somewhere safe: each signs you in once if you lose your authenticator. They are shown only now."</p>
                    <ul class="codes">
                        {codes.codes.into_iter().map(|c| view! { <li data-testid="recovery-code"><code>{c}</code></li> }).collect_view()}
                    </ul>
                    <button type="button" class="button" on:click=move |_| set_recovery.set(None)>"I have saved them"</button>
                </div>
            })}
            {move || match (state.get(), setup.get()) {
                (None, _) => view! { <p>"Loading…"</p> }.into_any(),
                (Some(Err(e)), _) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                (Some(Ok(s)), _) if s.enabled => view! {
                    <p data-testid="two-factor-state">{format!("On. {} recovery codes left.", s.recovery_codes_left)}</p>
                    <form class="form flat" on:submit=disable>
                        <label for="two-factor-password">"Master password (to turn it off)"</label>
                        <input id="two-factor-password" type="password" autocomplete="current-password" required
                            prop:value=password on:input=move |ev| set_password.set(event_target_value(&ev)) />
                        <button type="submit" class="button">"Turn off two-factor authentication"</button>
                    </form>
                }.into_any(),
                (Some(Ok(_)), Some(pending)) => view! {
                    <p>"Scan this code with your authenticator app, or type the key, then enter the code it shows."</p>
                    <QrCode text=pending.otpauth_url.clone() label="QR code for your authenticator app" />
                    <p>"Key: " <code data-testid="totp-secret">{pending.secret.clone()}</code></p>
                    <form class="form flat" on:submit=enable>
                        <label for="two-factor-code">"Code from your authenticator app"</label>
                        <input id="two-factor-code" inputmode="numeric" autocomplete="one-time-code" required
                            prop:value=code on:input=move |ev| set_code.set(event_target_value(&ev)) />
                        <button type="submit" class="button primary">"Turn on"</button>
                    </form>
                }.into_any(),
                (Some(Ok(_)), None) => view! {
                    <p data-testid="two-factor-state">"Off. Turn it on to need a code from an authenticator app when signing in."</p>
                    <button type="button" class="button primary" on:click=start>"Set up two-factor authentication"</button>
                }.into_any(),
            }}
            <ErrorLine error=error />
        </section>
    }
}

#[component]
fn ThisBrowser() -> impl IntoView {
    let services = Services::handle();
    let minutes = expect_context::<LockAfter>().0;
    let (error, set_error) = signal(None::<String>);
    let choose = move |ev: leptos::ev::Event| {
        let Ok(chosen) = event_target_value(&ev).parse::<u32>() else {
            return;
        };
        spawn_local(async move {
            match services
                .all()
                .preferences
                .set_lock_after_minutes(chosen)
                .await
            {
                Ok(()) => minutes.set(chosen),
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    let clear_after = LocalResource::new(move || async move {
        services.all().preferences.clipboard_clear_seconds().await
    });
    let choose_clear = move |ev: leptos::ev::Event| {
        let Ok(chosen) = event_target_value(&ev).parse::<u32>() else {
            return;
        };
        spawn_local(async move {
            match services
                .all()
                .preferences
                .set_clipboard_clear_seconds(chosen)
                .await
            {
                Ok(()) => clear_after.refetch(),
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    let vault = VaultService::get();
    let device_only = vault.status().device_only;
    let required = sync_required();
    let choose_sync = move |on: bool| {
        let AuthStatus::Unlocked(keys) = Auth::get().get_untracked() else {
            return;
        };
        spawn_local(async move {
            match (services.all().preferences)
                .set_device_only(keys.account_id, on)
                .await
            {
                Ok(()) => match vault.open_vault() {
                    Some(open) => open.engine.set_device_only(on),
                    None => device_only.set(on),
                },
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    // Until it is read (or if it cannot be), the delay a copy would use.
    let clears_after = move |seconds: u32| {
        clear_after
            .get()
            .and_then(Result::ok)
            .unwrap_or(DEFAULT_CLIPBOARD_CLEAR_SECONDS)
            == seconds
    };
    view! {
        <section class="card" role="region" aria-labelledby="this-browser-title">
            <h2 id="this-browser-title">"This browser"</h2>
            <form class="form flat">
                <label for="lock-after">"Lock the vault after this long without activity"</label>
                <select id="lock-after" on:change=choose>
                    {LOCK_AFTER_CHOICES.iter().map(|(value, label)| view! {
                        <option value=value.to_string() selected=move || minutes.get() == *value>{*label}</option>
                    }).collect_view()}
                </select>
                <label for="clipboard-clear">"Clear copied secrets from the clipboard after"</label>
                <select id="clipboard-clear" on:change=choose_clear>
                    {CLIPBOARD_CLEAR_CHOICES.iter().map(|(value, label)| view! {
                        <option value=value.to_string() selected=move || clears_after(*value)>{*label}</option>
                    }).collect_view()}
                </select>
                <fieldset class="choices" data-testid="sync-choice">
                    <legend>"Sync"</legend>
                    <label>
                        <input type="radio" name="sync-mode" prop:checked=move || !device_only.get()
                            on:change=move |_| choose_sync(false) />
                        " Sync with the server: changes are backed up online and reach your other browsers"
                    </label>
                    <label>
                        <input type="radio" name="sync-mode" prop:checked=move || device_only.get()
                            disabled=required on:change=move |_| choose_sync(true) />
                        " Keep the vault on this device only: nothing is sent or received until sync is turned back on"
                    </label>
                    {move || required().then(|| view! {
                        <p class="hint" data-testid="sync-required">"Your company requires online backups and device sync (policy \"Online backups and device sync\"), so this browser keeps syncing."</p>
                    })}
                </fieldset>
            </form>
            <ErrorLine error=error />
        </section>
    }
}

#[component]
fn Sessions() -> impl IntoView {
    let services = Services::handle();
    let (error, set_error) = signal(None::<String>);
    let list = LocalResource::new(move || async move { services.auth().sessions().await });
    let end = move |session: SessionView| {
        spawn_local(async move {
            match services.auth().end_session(session.id).await {
                Ok(()) => list.refetch(),
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <section class="card" role="region" aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Sessions"</h2>
            <p class="hint">"Where your account is signed in now. Ending a session signs that browser out."</p>
            {move || match list.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(sessions)) => view! {
                    <table class="table">
                        <thead><tr><th>"Browser"</th><th>"Signed in"</th><th>"Last used"</th><th></th></tr></thead>
                        <tbody>
                            {sessions.into_iter().map(|s| {
                                let current = s.current;
                                let label = format!("End the session of {} from {}", s.device_name, when(s.created));
                                let session = s.clone();
                                view! {
                                    <tr>
                                        <td>{s.device_name.clone()}{current.then(|| view! { <span class="tag">"This session"</span> })}</td>
                                        <td>{when(s.created)}</td>
                                        <td>{when(s.last_used)}</td>
                                        <td>{(!current).then(|| view! {
                                            <button type="button" class="button" aria-label=label on:click=move |_| end(session.clone())>"End"</button>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <ErrorLine error=error />
        </section>
    }
}
