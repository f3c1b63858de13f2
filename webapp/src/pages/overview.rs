//! The overview: whether the server answers, whether this browser's cryptography is sound, and
//! what this browser remembers about itself.

use leptos::prelude::*;

use crate::components::status_card::{CardState, StatusCard};
use crate::services::{Services, now_ms};

/// The overview page.
#[component]
pub fn Overview() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Overview"</h1>
            <div class="cards">
                <ServerCard />
                <CryptoCard />
                <BrowserCard />
            </div>
        </section>
    }
}

#[component]
fn ServerCard() -> impl IntoView {
    let status = Services::get().status;
    let health = LocalResource::new(move || {
        let status = status.clone();
        async move { status.server_health().await }
    });
    let state = Signal::derive(move || match health.get() {
        None => CardState::Pending,
        Some(Ok(_)) => CardState::Ok,
        Some(Err(_)) => CardState::Failed,
    });
    view! {
        <StatusCard id="server" title="Server" state=state>
            {move || match health.get() {
                None => view! { <p>"Asking the server…"</p> }.into_any(),
                Some(Ok(h)) => view! {
                    <dl class="facts">
                        <dt>"Status"</dt><dd data-testid="server-status">{h.status}</dd>
                        <dt>"Database"</dt><dd data-testid="server-database">{format!("{:?}", h.database).to_lowercase()}</dd>
                        <dt>"Schema version"</dt><dd>{h.schema_version}</dd>
                        <dt>"Server version"</dt><dd>{h.version}</dd>
                    </dl>
                }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            }}
            <button type="button" class="button" on:click=move |_| health.refetch()>
                "Check again"
            </button>
        </StatusCard>
    }
}

#[component]
fn CryptoCard() -> impl IntoView {
    let status = Services::get().status;
    // Runs after the first paint: the check includes one Argon2id derivation.
    let check = LocalResource::new(move || {
        let status = status.clone();
        async move { status.crypto_self_check() }
    });
    let state = Signal::derive(move || match check.get() {
        None => CardState::Pending,
        Some(c) if c.outcome.is_ok() => CardState::Ok,
        Some(_) => CardState::Failed,
    });
    view! {
        <StatusCard id="crypto" title="Cryptography in this browser" state=state>
            {move || match check.get() {
                None => view! { <p>"Running the self-check…"</p> }.into_any(),
                Some(c) => match c.outcome {
                    Ok(()) => view! {
                        <p data-testid="crypto-result">
                            {format!("Self-check passed in {:.0} ms: Argon2id, AES-256-GCM, HPKE and Ed25519 give exactly the expected results.", c.millis)}
                        </p>
                    }.into_any(),
                    Err(e) => view! {
                        <p class="error" role="alert" data-testid="crypto-result">
                            {format!("Self-check failed: {e}. Do not store secrets in this browser; try another browser or update this one.")}
                        </p>
                    }.into_any(),
                },
            }}
        </StatusCard>
    }
}

#[component]
fn BrowserCard() -> impl IntoView {
    let device = Services::get().device;
    let record = LocalResource::new(move || {
        let device = device.clone();
        async move { device.record_open(now_ms()).await }
    });
    let state = Signal::derive(move || match record.get() {
        None => CardState::Pending,
        Some(Ok(_)) => CardState::Ok,
        Some(Err(_)) => CardState::Failed,
    });
    view! {
        <StatusCard id="browser" title="This browser" state=state>
            {move || match record.get() {
                None => view! { <p>"Opening this browser's storage…"</p> }.into_any(),
                Some(Ok(r)) => view! {
                    <dl class="facts">
                        <dt>"Browser id"</dt><dd><code data-testid="device-id">{r.device_id.to_string()}</code></dd>
                        <dt>"First opened"</dt><dd>{format_time(r.first_opened_ms)}</dd>
                        <dt>"Opened"</dt><dd data-testid="device-opens">{times(r.opens)}</dd>
                    </dl>
                }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            }}
        </StatusCard>
    }
}

fn times(n: u64) -> String {
    match n {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}

fn format_time(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    String::from(date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))
}
