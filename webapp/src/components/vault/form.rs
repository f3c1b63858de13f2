//! The item form, for a new item of any kind or an edit: the kind's standard fields (secrets
//! with reveal and the generator), web addresses, notes, tags, favourite, custom fields, and the
//! profile and folder it goes into. Saving seals it in this browser.

use leptos::prelude::*;
use shared_types::account::ProfileKind;
use shared_types::{ContainerId, FolderId, RecordId};

use super::{Pane, VaultUi};
use crate::components::strength_meter::StrengthMeter;
use crate::services::generator::{Recipe, generate};
use crate::services::now_ms;
use crate::services::policies::forced_business;
use crate::services::strength::estimate;
use crate::services::vault::model::{CustomField, CustomKind, FieldInput, ItemData, ItemKind};
use crate::services::vault::totp;
use crate::services::vault::{Area, Scope};

/// What the form edits.
#[derive(Clone, PartialEq)]
struct Draft {
    data: ItemData,
    profile: ContainerId,
    /// One address per line.
    urls: String,
    /// Comma-separated.
    tags: String,
}

/// The form for a new item of `kind`.
#[component]
pub fn NewItemForm(kind: ItemKind) -> impl IntoView {
    let ui = VaultUi::get();
    let areas = ui.session.with_value(|s| s.writable_areas());
    let writable = |p: &ContainerId| areas.iter().any(|(a, _)| a == p);
    // A new item goes where the person is looking (when they may write there).
    let (profile, folder) = match ui.scope.get_untracked() {
        Scope::Container(p) if writable(&p) => (p, None),
        Scope::Folder(p, f) if writable(&p) => (p, Some(f)),
        _ => (areas[0].0, None),
    };
    let mut data = ItemData::new(kind, now_ms() as i64);
    data.folder = folder;
    view! { <ItemForm id=None draft=Draft { data, profile, urls: String::new(), tags: String::new() } /> }
}

/// The form editing an existing item.
#[component]
pub fn EditItemForm(id: RecordId) -> impl IntoView {
    let ui = VaultUi::get();
    let item = LocalResource::new(move || {
        let session = ui.session();
        async move {
            match session {
                Some(s) => s.item(id).await.map_err(|e| e.to_string()),
                None => Err("The vault is locked.".to_owned()),
            }
        }
    });
    move || match item.get() {
        None => view! { <p class="hint">"Opening…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error">{e}</p> }.into_any(),
        Some(Ok(opened)) => {
            let urls = opened.data.urls.join("\n");
            let tags = opened.data.tags.join(", ");
            let draft = Draft {
                data: opened.data.clone(),
                profile: opened.container,
                urls,
                tags,
            };
            view! { <ItemForm id=Some(id) draft=draft /> }.into_any()
        }
    }
}

fn split_urls(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn split_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    tags.dedup();
    tags
}

#[component]
fn ItemForm(id: Option<RecordId>, draft: Draft) -> impl IntoView {
    let ui = VaultUi::get();
    let kind = draft.data.kind;
    let draft = RwSignal::new(draft);
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let profiles = ui.session.with_value(|s| s.writable_areas());
    let folders = ui.session.with_value(|s| s.folders());
    let original_profile = draft.with_untracked(|d| d.profile);
    let profiles_for_save = profiles.clone();

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let d = draft.get_untracked();
        if let Some(seed) = d.data.fields.get("totp")
            && let Err(e) = totp::validate(seed)
        {
            set_error.set(Some(e.to_string()));
            return;
        }
        let mut data = d.data.clone();
        data.urls = split_urls(&d.urls);
        data.tags = split_tags(&d.tags);
        data.custom
            .retain(|c| !c.label.trim().is_empty() || !c.value.is_empty());
        if data.custom.iter().any(|c| c.label.trim().is_empty()) {
            set_error.set(Some("Give every custom field a name.".to_owned()));
            return;
        }
        // The company keeps items for its own domains in Business: a new one goes there, and
        // an item is not moved out to Personal.
        let mut profile = d.profile;
        let mut saved_note = "Saved.".to_owned();
        let kind_of = |p: ContainerId| {
            profiles_for_save
                .iter()
                .find(|(id, _)| *id == p)
                .and_then(|(_, a)| match a {
                    Area::Profile(kind) => Some(*kind),
                    Area::Shared(_) => None,
                })
        };
        if kind_of(profile) == Some(ProfileKind::Personal)
            && let Some(domain) = forced_business(&data.urls)
        {
            let business = profiles_for_save
                .iter()
                .find(|(p, _)| kind_of(*p) == Some(ProfileKind::Business))
                .map(|(p, _)| *p);
            match business {
                Some(business) if id.is_none() => {
                    profile = business;
                    data.folder = None;
                    saved_note =
                        format!("Saved in Business: your company keeps items for {domain} there.");
                }
                _ if original_profile != profile => {
                    set_error.set(Some(format!(
                        "Your company keeps items for {domain} in the Business profile; this one cannot move to Personal."
                    )));
                    return;
                }
                _ => {}
            }
        }
        set_error.set(None);
        set_busy.set(true);
        let now = now_ms() as i64;
        let Some(session) = ui.session() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let result = session.save_item(id, profile, data, now).await;
            set_busy.try_set(false);
            match result {
                Ok(saved) => {
                    ui.notice.try_set(Some(saved_note));
                    ui.selected.try_set(Some(saved));
                    ui.pane.try_set(Pane::View);
                    ui.changed();
                    ui.sync_now();
                }
                Err(e) => {
                    set_error.try_set(Some(e.to_string()));
                }
            }
        });
    };

    let standard = kind
        .fields()
        .iter()
        .map(|spec| {
            let key = spec.key;
            let input_id = format!("field-{key}");
            let value = move || draft.with(|d| d.data.field(key).to_owned());
            let set = move |v: String| draft.update(|d| d.data.set_field(key, v));
            let control = match spec.input {
                FieldInput::Choice(options) => view! {
                    <select id=input_id.clone() prop:value=value on:change=move |ev| set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {options.iter().map(|o| view! { <option value=*o>{*o}</option> }).collect_view()}
                    </select>
                }
                .into_any(),
                FieldInput::SecretBlock => view! {
                    <textarea id=input_id.clone() rows="5" class="mono" spellcheck="false" autocomplete="off"
                        prop:value=value on:input=move |ev| set(event_target_value(&ev))></textarea>
                }
                .into_any(),
                FieldInput::Secret => view! {
                    <SecretInput id=input_id.clone() value=Signal::derive(value) set=Callback::new(set) />
                }
                .into_any(),
                other => {
                    let (ty, mode) = match other {
                        FieldInput::Number => ("text", "numeric"),
                        FieldInput::Email => ("email", "email"),
                        _ => ("text", "text"),
                    };
                    view! {
                        <input id=input_id.clone() type=ty inputmode=mode autocomplete="off" spellcheck="false"
                            prop:value=value on:input=move |ev| set(event_target_value(&ev)) />
                    }
                    .into_any()
                }
            };
            view! {
                <label for=input_id>{spec.label}</label>
                {control}
            }
        })
        .collect_view();

    let custom_rows = move || draft.with(|d| d.data.custom.len());

    view! {
        <form class="form item-form" on:submit=save aria-label=format!("{} form", kind.label())>
            <h2>{if id.is_some() { format!("Edit {}", kind.label().to_lowercase()) } else { format!("New {}", kind.label().to_lowercase()) }}</h2>
            <label for="field-title">"Title"</label>
            <input id="field-title" required autocomplete="off"
                prop:value=move || draft.with(|d| d.data.title.clone())
                on:input=move |ev| draft.update(|d| d.data.title = event_target_value(&ev)) />
            <div class="two">
                <div>
                    <label for="field-profile">"Profile"</label>
                    <select id="field-profile"
                        prop:value=move || draft.with(|d| d.profile.to_string())
                        on:change=move |ev| {
                            if let Ok(p) = event_target_value(&ev).parse::<ContainerId>() {
                                draft.update(|d| { d.profile = p; d.data.folder = None; });
                            }
                        }>
                        {profiles.iter().map(|(p, area)| view! {
                            <option value=p.to_string()>{area.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="field-folder">"Folder"</label>
                    <select id="field-folder"
                        prop:value=move || draft.with(|d| d.data.folder.map(|f| f.to_string()).unwrap_or_default())
                        on:change=move |ev| {
                            let folder = event_target_value(&ev).parse::<FolderId>().ok();
                            draft.update(|d| d.data.folder = folder);
                        }>
                        <option value="">"(none)"</option>
                        {move || {
                            let profile = draft.with(|d| d.profile);
                            folders.iter().filter(|f| f.container == profile).map(|f| view! {
                                <option value=f.id.to_string()>{f.path.clone()}</option>
                            }).collect_view()
                        }}
                    </select>
                </div>
            </div>
            {kind.has_urls().then(|| view! {
                <label for="field-urls">"Websites (one per line)"</label>
                <textarea autocomplete="off" id="field-urls" rows="2" spellcheck="false"
                    prop:value=move || draft.with(|d| d.urls.clone())
                    on:input=move |ev| draft.update(|d| d.urls = event_target_value(&ev))></textarea>
            })}
            {standard}
            <label for="field-notes">"Notes"</label>
            <textarea autocomplete="off" id="field-notes" rows="4"
                prop:value=move || draft.with(|d| d.data.notes.clone())
                on:input=move |ev| draft.update(|d| d.data.notes = event_target_value(&ev))></textarea>
            <label for="field-tags">"Tags (comma-separated)"</label>
            <input id="field-tags" autocomplete="off"
                prop:value=move || draft.with(|d| d.tags.clone())
                on:input=move |ev| draft.update(|d| d.tags = event_target_value(&ev)) />
            <label class="check">
                <input type="checkbox" prop:checked=move || draft.with(|d| d.data.favourite)
                    on:change=move |ev| draft.update(|d| d.data.favourite = event_target_checked(&ev)) />
                "Favourite"
            </label>
            <fieldset class="custom-fields">
                <legend>"Custom fields"</legend>
                {move || (0..custom_rows()).map(|i| view! { <CustomFieldRow index=i draft=draft /> }).collect_view()}
                <button type="button" class="button small" on:click=move |_| draft.update(|d| d.data.custom.push(CustomField {
                    label: String::new(), kind: CustomKind::Text, value: String::new(),
                }))>"Add custom field"</button>
            </fieldset>
            <p class="error" role="alert">{move || error.get()}</p>
            <div class="actions">
                <button type="submit" class="button primary" disabled=busy>{move || if busy.get() { "Saving…" } else { "Save" }}</button>
                <button type="button" class="button" on:click=move |_| ui.pane.set(Pane::View)>"Cancel"</button>
            </div>
        </form>
    }
}

#[component]
fn CustomFieldRow(index: usize, draft: RwSignal<Draft>) -> impl IntoView {
    let get = move |f: fn(&CustomField) -> String| {
        move || draft.with(|d| d.data.custom.get(index).map(f).unwrap_or_default())
    };
    let update = move |f: Box<dyn FnOnce(&mut CustomField)>| {
        draft.update(|d| {
            if let Some(c) = d.data.custom.get_mut(index) {
                f(c)
            }
        })
    };
    let kind = move || draft.with(|d| d.data.custom.get(index).map(|c| c.kind));
    let n = index + 1;
    view! {
        <div class="custom-row" role="group" aria-label=format!("Custom field {n}")>
            <input autocomplete="off" aria-label=format!("Custom field {n} name") placeholder="Name"
                prop:value=get(|c| c.label.clone())
                on:input=move |ev| { let v = event_target_value(&ev); update(Box::new(move |c| c.label = v)) } />
            <select aria-label=format!("Custom field {n} type")
                prop:value=move || match kind() { Some(CustomKind::Hidden) => "hidden", Some(CustomKind::Boolean) => "boolean", _ => "text" }
                on:change=move |ev| {
                    let k = match event_target_value(&ev).as_str() { "hidden" => CustomKind::Hidden, "boolean" => CustomKind::Boolean, _ => CustomKind::Text };
                    update(Box::new(move |c| { c.kind = k; if k == CustomKind::Boolean { c.value = "false".to_owned(); } }))
                }>
                <option value="text">"Text"</option>
                <option value="hidden">"Hidden"</option>
                <option value="boolean">"Yes/no"</option>
            </select>
            {move || match kind() {
                Some(CustomKind::Boolean) => view! {
                    <input type="checkbox" aria-label=format!("Custom field {n} value")
                        prop:checked=move || draft.with(|d| d.data.custom.get(index).is_some_and(|c| c.value == "true"))
                        on:change=move |ev| { let v = event_target_checked(&ev); update(Box::new(move |c| c.value = v.to_string())) } />
                }.into_any(),
                k => view! {
                    <input type="text" class:masked=k == Some(CustomKind::Hidden)
                        spellcheck="false" autocapitalize="off"
                        aria-label=format!("Custom field {n} value") autocomplete="off"
                        prop:value=get(|c| c.value.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); update(Box::new(move |c| c.value = v)) } />
                }.into_any(),
            }}
            <button type="button" class="button small" aria-label=format!("Remove custom field {n}")
                on:click=move |_| draft.update(|d| { if index < d.data.custom.len() { d.data.custom.remove(index); } })>"Remove"</button>
        </div>
    }
}

/// A secret input with reveal, the generator and a strength estimate.
#[component]
fn SecretInput(id: String, value: Signal<String>, set: Callback<String>) -> impl IntoView {
    let (revealed, set_revealed) = signal(false);
    let (open, set_open) = signal(false);
    let (recipe, set_recipe) = signal(Recipe::default());
    let (gen_error, set_gen_error) = signal(None::<String>);
    let strength = Memo::new(move |_| estimate(&value.get(), ""));
    let run = move || match generate(recipe.get_untracked()) {
        Ok(g) => {
            set_gen_error.set(None);
            set.run(g.value.clone());
            set_revealed.set(true);
        }
        Err(e) => set_gen_error.set(Some(e.to_string())),
    };
    let length = move || match recipe.get() {
        Recipe::Password { length, .. } => length,
        Recipe::Passphrase { words } => words,
    };
    let flag = move |which: u8| {
        move || match recipe.get() {
            Recipe::Password {
                upper,
                lower,
                digits,
                symbols,
                ..
            } => [upper, lower, digits, symbols][usize::from(which)],
            Recipe::Passphrase { .. } => false,
        }
    };
    let toggle = move |which: u8| {
        move |_| {
            set_recipe.update(|r| {
                if let Recipe::Password {
                    upper,
                    lower,
                    digits,
                    symbols,
                    ..
                } = r
                {
                    let f = [upper, lower, digits, symbols];
                    let target = f.into_iter().nth(usize::from(which));
                    if let Some(t) = target {
                        *t = !*t;
                    }
                }
            });
            run();
        }
    };
    let gen_id = format!("{id}-generator");
    view! {
        <div class="secret-input">
            // Never a password-type field: the browser's own password manager would offer to
            // save the item as a site password, and keep it (and its username) in the profile.
            // Hidden is a mask drawn over a text field.
            <input id=id.clone() type="text" class:masked=move || !revealed.get()
                autocomplete="off" spellcheck="false" autocapitalize="off"
                prop:value=value on:input=move |ev| set.run(event_target_value(&ev)) />
            <button type="button" class="button small" aria-pressed=move || revealed.get().to_string()
                on:click=move |_| set_revealed.update(|r| *r = !*r)>{move || if revealed.get() { "Hide" } else { "Reveal" }}</button>
            <button type="button" class="button small" aria-expanded=move || open.get().to_string() aria-controls=gen_id.clone()
                on:click=move |_| { set_open.update(|o| *o = !*o); if open.get_untracked() && value.get_untracked().is_empty() { run(); } }>"Generate"</button>
        </div>
        <StrengthMeter strength=strength typed=Signal::derive(move || !value.with(String::is_empty)) label="Password strength" />
        <Show when=move || open.get()>
            <div class="generator" id=gen_id.clone() role="group" aria-label="Generator">
                <div class="gen-kinds">
                    <label class="check"><input type="radio" name=format!("{id}-kind") prop:checked=move || matches!(recipe.get(), Recipe::Password { .. })
                        on:change=move |_| { set_recipe.set(Recipe::default()); run(); } />"Password"</label>
                    <label class="check"><input type="radio" name=format!("{id}-kind") prop:checked=move || matches!(recipe.get(), Recipe::Passphrase { .. })
                        on:change=move |_| { set_recipe.set(Recipe::Passphrase { words: 5 }); run(); } />"Passphrase"</label>
                </div>
                <label class="check">
                    {move || if matches!(recipe.get(), Recipe::Password { .. }) { "Length" } else { "Words" }}
                    <input type="range" aria-label="Length" min=move || if matches!(recipe.get(), Recipe::Password { .. }) { "8" } else { "3" }
                        max=move || if matches!(recipe.get(), Recipe::Password { .. }) { "64" } else { "12" }
                        prop:value=move || length().to_string()
                        on:input=move |ev| {
                            let n: usize = event_target_value(&ev).parse().unwrap_or(20);
                            set_recipe.update(|r| match r { Recipe::Password { length, .. } => *length = n, Recipe::Passphrase { words } => *words = n });
                            run();
                        } />
                    <span>{length}</span>
                </label>
                <Show when=move || matches!(recipe.get(), Recipe::Password { .. })>
                    <label class="check"><input type="checkbox" prop:checked=flag(0) on:change=toggle(0) />"A–Z"</label>
                    <label class="check"><input type="checkbox" prop:checked=flag(1) on:change=toggle(1) />"a–z"</label>
                    <label class="check"><input type="checkbox" prop:checked=flag(2) on:change=toggle(2) />"0–9"</label>
                    <label class="check"><input type="checkbox" prop:checked=flag(3) on:change=toggle(3) />"!#$%"</label>
                </Show>
                <button type="button" class="button small" on:click=move |_| run()>"Generate again"</button>
                <p class="error">{move || gen_error.get()}</p>
            </div>
        </Show>
    }
}
