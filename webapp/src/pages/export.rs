//! Export a profile, behind the master password: as an encrypted file protected by a password
//! chosen for it (imports back whole), or as a plain CSV in the importer's columns. The file is
//! made in this browser; nothing is sent. The company's "Disable exports" policy limits which
//! profiles a member may export (never for its Admins).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use shared_types::ProfileId;
use shared_types::account::ProfileKind;
use shared_types::policy::ExportLimit;
use wasm_bindgen::JsCast;
use wasm_crypto::MasterPassword;

use crate::components::strength_meter::StrengthMeter;
use crate::pages::signup::ErrorLine;
use crate::services::auth::AuthStatus;
use crate::services::policies::{Policies, export_limit};
use crate::services::strength::estimate;
use crate::services::sync::VaultService;
use crate::services::vault::export::{seal_file, to_csv};
use crate::services::{Auth, Services, now_ms, yield_to_browser};

/// The export page.
#[component]
pub fn Export() -> impl IntoView {
    let status = Auth::get();
    move || match status.get() {
        AuthStatus::Unlocked(_) => view! { <ExportForm /> }.into_any(),
        AuthStatus::Loading => view! { <p class="page">"Opening…"</p> }.into_any(),
        _ => view! { <Redirect path="/" /> }.into_any(),
    }
}

/// Whether the member may export a profile of `kind` under `limit`.
pub fn may_export(limit: ExportLimit, kind: ProfileKind) -> bool {
    match limit {
        ExportLimit::Off => true,
        ExportLimit::PersonalOnly => kind == ProfileKind::Personal,
        ExportLimit::NoProfiles => false,
    }
}

fn kind_label(kind: ProfileKind) -> &'static str {
    match kind {
        ProfileKind::Personal => "Personal",
        ProfileKind::Business => "Business",
    }
}

#[component]
fn ExportForm() -> impl IntoView {
    let services = Services::handle();
    let vault = VaultService::get();
    let status = Auth::get();
    let mine = Policies::get();
    let mut profiles = match status.get_untracked() {
        AuthStatus::Unlocked(keys) => keys
            .profiles
            .iter()
            .map(|(id, kind, _)| (*id, *kind))
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    profiles.sort_by_key(|(_, kind)| *kind != ProfileKind::Personal);
    // None until the company's policies are read (an export must not slip through before).
    let limit = Memo::new(move |_| mine.with(|m| m.as_ref().map(|m| export_limit(Some(m)))));
    let allowed = Memo::new(move |_| {
        let limit = limit.get();
        profiles
            .iter()
            .copied()
            .filter(|(_, kind)| limit.is_some_and(|l| may_export(l, *kind)))
            .collect::<Vec<_>>()
    });
    let (profile, set_profile) = signal(None::<ProfileId>);
    let chosen = move || {
        let list = allowed.get();
        profile
            .get()
            .filter(|p| list.iter().any(|(id, _)| id == p))
            .or_else(|| list.first().map(|(id, _)| *id))
    };
    let (encrypted, set_encrypted) = signal(true);
    let (file_password, set_file_password) = signal(String::new());
    let (confirm, set_confirm) = signal(String::new());
    let (master, set_master) = signal(String::new());
    let (busy, set_busy) = signal(false);
    let (error, set_error) = signal(None::<String>);
    let (done, set_done) = signal(None::<String>);
    let email = move || match status.get() {
        AuthStatus::Unlocked(keys) => keys.email.clone(),
        _ => String::new(),
    };
    let strength = Memo::new(move |_| estimate(&file_password.get(), &email()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        set_done.set(None);
        let Some(target) = chosen() else {
            return;
        };
        let AuthStatus::Unlocked(keys) = status.get_untracked() else {
            return;
        };
        let Some(kind) = keys
            .profiles
            .iter()
            .find(|(id, ..)| *id == target)
            .map(|(_, kind, _)| *kind)
        else {
            return;
        };
        let encrypt = encrypted.get_untracked();
        if encrypt {
            if file_password.get_untracked() != confirm.get_untracked() {
                set_error.set(Some("The two file passwords are not the same.".into()));
                return;
            }
            let verdict = strength.get_untracked();
            if !verdict.acceptable() {
                set_error.set(Some(format!(
                    "Choose a stronger password for the file. {}",
                    verdict.problems.join(" ")
                )));
                return;
            }
        }
        let master_password = MasterPassword::new(master.get_untracked());
        let file_password = MasterPassword::new(file_password.get_untracked());
        set_busy.set(true);
        spawn_local(async move {
            yield_to_browser().await;
            let result = async {
                services
                    .auth()
                    .confirm_password(&keys, &master_password)
                    .await
                    .map_err(|e| e.to_string())?;
                // The policies may have changed while the password was checked.
                if !limit.get_untracked().is_some_and(|l| may_export(l, kind)) {
                    return Err("Your company does not let you export this profile.".to_owned());
                }
                let open = vault
                    .open_vault()
                    .ok_or("The vault is still opening; try again in a moment.")?;
                let items = open
                    .session
                    .export_items(target.into())
                    .await
                    .map_err(|e| e.to_string())?;
                let count = items.len();
                let now = now_ms() as i64;
                let day = js_sys::Date::new_0()
                    .to_iso_string()
                    .as_string()
                    .unwrap_or_default();
                let day = day.get(..10).unwrap_or("export");
                let base = format!("strongroom-{}-{day}", kind_label(kind).to_lowercase());
                let name = if encrypt {
                    let text =
                        seal_file(&file_password, kind, items, now).map_err(|e| e.to_string())?;
                    let name = format!("{base}.json");
                    download(&name, "application/json", &text)?;
                    name
                } else {
                    let name = format!("{base}.csv");
                    download(&name, "text/csv", &to_csv(&items))?;
                    name
                };
                Ok::<_, String>(format!(
                    "Exported {count} items from {} to {name}.",
                    kind_label(kind)
                ))
            }
            .await;
            set_busy.try_set(false);
            set_master.try_set(String::new());
            match result {
                Ok(message) => {
                    set_file_password.try_set(String::new());
                    set_confirm.try_set(String::new());
                    set_done.try_set(Some(message));
                }
                Err(message) => {
                    set_error.try_set(Some(message));
                }
            }
        });
    };
    let limit_notice = move || match limit.get() {
        None => Some(
            "Reading your company's policies… Exports open once they are read (this browser needs to reach the server once).",
        ),
        Some(ExportLimit::NoProfiles) => Some(
            "Your company has turned exports off (policy \"Disable exports\"). Ask one of its Admins if you need a copy of your items.",
        ),
        Some(ExportLimit::PersonalOnly) => Some(
            "Your company lets you export your Personal profile only (policy \"Disable exports\").",
        ),
        Some(ExportLimit::Off) => None,
    };
    view! {
        <section class="page narrow">
            <h1>"Export items"</h1>
            <p class="hint">"Keep a copy of a profile, or move it to another account. The file is made in this browser; items in the trash and past versions are left out."</p>
            {move || limit_notice().map(|text| view! { <p class="notice" data-testid="export-limit">{text}</p> })}
            <Show when=move || !allowed.get().is_empty()>
                <form class="form" on:submit=submit>
                    <label for="export-profile">"Profile"</label>
                    <select id="export-profile" on:change=move |ev| set_profile.set(event_target_value(&ev).parse::<ProfileId>().ok())>
                        {move || allowed.get().into_iter().map(|(id, kind)| view! {
                            <option value=id.to_string() selected=move || chosen() == Some(id)>{kind_label(kind)}</option>
                        }).collect_view()}
                    </select>
                    <fieldset class="choices">
                        <legend>"Format"</legend>
                        <label>
                            <input type="radio" name="export-format" value="encrypted" prop:checked=encrypted
                                on:change=move |_| set_encrypted.set(true) />
                            " Encrypted file (recommended): every field, folder and tag, protected by a password you choose; Import reads it back"
                        </label>
                        <label>
                            <input type="radio" name="export-format" value="csv" prop:checked=move || !encrypted.get()
                                on:change=move |_| set_encrypted.set(false) />
                            " CSV: readable by other password managers and spreadsheets"
                        </label>
                    </fieldset>
                    <Show when=move || encrypted.get()
                        fallback=|| view! { <p class="warning" role="note">"A CSV file is not encrypted: anyone who gets it can read every password in it. Delete it once you have used it."</p> }>
                        <label for="export-file-password">"Password for the file"</label>
                        <input id="export-file-password" type="text" class="masked" autocomplete="off" spellcheck="false" autocapitalize="off" required
                            prop:value=file_password on:input=move |ev| set_file_password.set(event_target_value(&ev)) />
                        <StrengthMeter strength=strength typed=Signal::derive(move || !file_password.get().is_empty()) label="File password strength" />
                        <label for="export-file-confirm">"Confirm the file's password"</label>
                        <input id="export-file-confirm" type="text" class="masked" autocomplete="off" spellcheck="false" autocapitalize="off" required
                            prop:value=confirm on:input=move |ev| set_confirm.set(event_target_value(&ev)) />
                        <p class="hint">"Without this password the file cannot be opened by anyone, including us."</p>
                    </Show>
                    <label for="export-master">"Your master password"</label>
                    <input id="export-master" type="password" autocomplete="current-password" required
                        prop:value=master on:input=move |ev| set_master.set(event_target_value(&ev)) />
                    <ErrorLine error=error />
                    <button type="submit" class="button primary" disabled=busy>
                        {move || if busy.get() { "Exporting…" } else { "Export" }}
                    </button>
                </form>
            </Show>
            {move || done.get().map(|message| view! { <p class="ok" role="status" data-testid="export-done">{message}</p> })}
        </section>
    }
}

/// Hands `text` to the browser as a download named `name`.
fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let failed = |_| "The browser refused to save the file.".to_owned();
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(failed)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("No document to save from.")?;
    let link = document
        .create_element("a")
        .map_err(failed)?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "The browser refused to save the file.".to_owned())?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
