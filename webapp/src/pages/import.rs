//! Import items from a CSV file (Strongroom's, Bitwarden's, or any with a header line) into a
//! profile. The file is read and sealed in this browser; only ciphertext is sent.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Redirect};
use shared_types::ProfileId;
use shared_types::account::ProfileKind;
use wasm_bindgen_futures::JsFuture;
use wasm_crypto::MasterPassword;

use crate::services::auth::AuthStatus;
use crate::services::policies::forced_business;
use crate::services::sync::VaultService;
use crate::services::vault::export::{is_export_file, open_file};
use crate::services::vault::import::items_from_csv;
use crate::services::{Auth, now_ms, yield_to_browser};

async fn read_file(input: &web_sys::HtmlInputElement) -> Result<String, String> {
    let file = input
        .files()
        .and_then(|files| files.get(0))
        .ok_or("Choose a file first.")?;
    JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| "The file could not be read as text.".to_owned())
}

/// The import page.
#[component]
pub fn Import() -> impl IntoView {
    let status = Auth::get();
    move || match status.get() {
        AuthStatus::Unlocked(_) => view! { <ImportForm /> }.into_any(),
        AuthStatus::Loading => view! { <p class="page">"Opening…"</p> }.into_any(),
        _ => view! { <Redirect path="/" /> }.into_any(),
    }
}

#[component]
fn ImportForm() -> impl IntoView {
    let vault = VaultService::get();
    let status = Auth::get();
    let file_ref = NodeRef::<leptos::html::Input>::new();
    let profiles = match status.get_untracked() {
        AuthStatus::Unlocked(keys) => keys
            .profiles
            .iter()
            .map(|(id, kind, _)| (*id, *kind))
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let (profile, set_profile) = signal(profiles.first().map(|(id, _)| *id));
    let (busy, set_busy) = signal(false);
    let (error, set_error) = signal(None::<String>);
    let (done, set_done) = signal(None::<String>);
    let (encrypted, set_encrypted) = signal(false);
    let (file_password, set_file_password) = signal(String::new());
    let chose_file = move |_| {
        let Some(input) = file_ref.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let found = read_file(&input)
                .await
                .is_ok_and(|text| is_export_file(&text));
            set_encrypted.try_set(found);
        });
    };
    let kinds = profiles.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(input), Some(target)) = (file_ref.get_untracked(), profile.get_untracked())
        else {
            return;
        };
        let target_kind = kinds
            .iter()
            .find(|(id, _)| *id == target)
            .map(|(_, kind)| *kind);
        set_error.set(None);
        set_done.set(None);
        set_busy.set(true);
        spawn_local(async move {
            let result = async {
                let text = read_file(&input).await?;
                let now = now_ms() as i64;
                let items = if is_export_file(&text) {
                    yield_to_browser().await;
                    let password = MasterPassword::new(file_password.get_untracked());
                    open_file(&text, &password)
                } else {
                    items_from_csv(&text, now)
                }
                .map_err(|e| e.to_string())?;
                if target_kind == Some(ProfileKind::Personal) {
                    let forced: Vec<_> = items
                        .iter()
                        .filter_map(|i| forced_business(&i.data.urls))
                        .collect();
                    if let Some(domain) = forced.first() {
                        return Err(format!(
                            "{} of these items are for your company's domains (such as {domain}), and your company keeps those in the Business profile. Nothing was imported; import the file into Business.",
                            forced.len()
                        ));
                    }
                }
                let open = vault
                    .open_vault()
                    .ok_or("The vault is still opening; try again in a moment.")?;
                let count = open
                    .session
                    .import_items(target.into(), items, now)
                    .await
                    .map_err(|e| e.to_string())?;
                let sent = match open.engine.sync_and_wait().await {
                    Ok(()) => "and sent to the server".to_owned(),
                    Err(e) => format!("and kept in this browser; they are sent later ({e})"),
                };
                Ok::<_, String>(format!("Imported {count} items {sent}."))
            }
            .await;
            set_busy.try_set(false);
            match result {
                Ok(message) => {
                    set_done.try_set(Some(message));
                }
                Err(message) => {
                    set_error.try_set(Some(message));
                }
            }
        });
    };
    view! {
        <section class="page narrow">
            <h1>"Import items"</h1>
            <p class="hint">"A Strongroom export file (encrypted, with its password), or a CSV file with a header line: title (or name), url, username, password, totp, notes, folder (a path such as Clients/Acme), tags, favorite, type, fields (one \"name: value\" per line). Exports from Bitwarden work as they are. The file is read and encrypted in this browser."</p>
            <form class="form" on:submit=submit>
                <label for="import-file">"File"</label>
                <input id="import-file" type="file" accept=".csv,.json,text/csv,application/json" node_ref=file_ref required on:change=chose_file />
                <Show when=move || encrypted.get()>
                    <label for="import-file-password">"The export file's password"</label>
                    <input id="import-file-password" type="text" class="masked" autocomplete="off" spellcheck="false" autocapitalize="off" required
                        prop:value=file_password on:input=move |ev| set_file_password.set(event_target_value(&ev)) />
                </Show>
                <label for="import-profile">"Into profile"</label>
                <select id="import-profile" on:change=move |ev| set_profile.set(event_target_value(&ev).parse::<ProfileId>().ok())>
                    {profiles.iter().map(|(id, kind)| view! {
                        <option value=id.to_string()>{match kind { ProfileKind::Personal => "Personal", ProfileKind::Business => "Business" }}</option>
                    }).collect_view()}
                </select>
                <p class="error" role="alert">{move || error.get()}</p>
                <button type="submit" class="button primary" disabled=busy>{move || if busy.get() { "Importing…" } else { "Import" }}</button>
            </form>
            <Show when=move || done.get().is_some()>
                <p class="ok" role="status" data-testid="import-done">{move || done.get()}</p>
                <A href="/">"Open the vault"</A>
            </Show>
        </section>
    }
}
