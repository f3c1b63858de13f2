//! The selected item: its fields (secrets hidden until revealed, each with a copy button, the
//! live authenticator code), its place, and its actions: edit, star, move, trash or restore, and
//! its history of past versions, each viewable and restorable.

use leptos::prelude::*;
use shared_types::account::ProfileKind;
use shared_types::{ContainerId, FolderId, RecordId};

use super::{Pane, VaultUi};
use crate::services::now_ms;
use crate::services::policies::{forced_business, page_disabled, sharing_disabled};
use crate::services::vault::Area;
use crate::services::vault::model::{CustomKind, FieldInput, HistoryReason, ItemData};
use crate::services::vault::totp;

/// What the item pane shows. The pane is drawn again only when this changes, so a sync or
/// another change that leaves the shown item as it was keeps what the person has open there (the
/// "Move to" dialog, the history, a revealed secret).
#[derive(Clone, PartialEq)]
enum Shown {
    /// The item is being read.
    Opening,
    /// No item is selected.
    Nothing,
    /// The item does not open; why.
    Damaged(String),
    /// The item.
    Item(RecordId, ContainerId, Box<ItemData>),
}

/// The item pane when nothing is being edited.
#[component]
pub fn ItemDetail() -> impl IntoView {
    let ui = VaultUi::get();
    let item = LocalResource::new(move || {
        let id = ui.selected.get();
        ui.version.track();
        let session = ui.session();
        async move {
            match (id, session) {
                (Some(id), Some(s)) => Some(s.item(id).await.map_err(|e| e.to_string())),
                (Some(_), None) => Some(Err("The vault is locked.".to_owned())),
                (None, _) => None,
            }
        }
    });
    let shown = Memo::new(move |_| match item.get() {
        None => Shown::Opening,
        Some(None) => Shown::Nothing,
        Some(Some(Err(message))) => Shown::Damaged(message),
        Some(Some(Ok(opened))) => {
            Shown::Item(opened.id, opened.container, Box::new(opened.data.clone()))
        }
    });
    move || {
        match shown.get() {
        Shown::Opening => view! { <p class="hint">"Opening…"</p> }.into_any(),
        Shown::Nothing => view! {
            <div class="empty-pane hint">
                <p>"Select an item to see it, or create one with “+ New item…”."</p>
                <p>"Keyboard: type to search, ↑ ↓ to choose, Enter to open, Ctrl+C to copy the password."</p>
            </div>
        }
        .into_any(),
        Shown::Damaged(message) => view! {
            <div class="card damaged-item" role="alert">
                <h2>"This item cannot be opened"</h2>
                <p>{message}</p>
                <p class="hint">"The rest of your vault is not affected."</p>
            </div>
        }
        .into_any(),
        Shown::Item(id, profile, data) => view! { <ItemView id=id profile=profile data=*data /> }.into_any(),
    }
    }
}

/// A readable item.
#[component]
fn ItemView(id: RecordId, profile: ContainerId, data: ItemData) -> impl IntoView {
    let ui = VaultUi::get();
    // A viewer of a shared folder reads and copies; nothing else.
    // Read again when the company's policies change (sharing disabled makes shares read-only).
    let sharing_off = sharing_disabled();
    let editable = move || {
        let off = sharing_off();
        ui.session.with_value(|s| s.can_edit_with(profile, off))
    };
    let (show_history, set_show_history) = signal(false);
    let (moving, set_moving) = signal(false);
    let kind = data.kind;
    let in_trash = data.in_trash();
    let favourite = data.favourite;
    // Read again after every change: a folder on the path may be renamed or moved.
    let folder = data.folder;
    let place = move || {
        ui.version.track();
        ui.session.with_value(|s| {
            let profile_name = s.area(profile).map(|a| a.label()).unwrap_or_default();
            let path = folder
                .and_then(|f| s.folders().into_iter().find(|n| n.id == f))
                .map(|n| format!(" / {}", n.path))
                .unwrap_or_default();
            format!("{profile_name}{path}")
        })
    };
    let fields = kind
        .fields()
        .iter()
        .filter(|f| !data.field(f.key).is_empty())
        .map(|f| {
            view! { <FieldRow label=f.label.to_owned() input=f.input value=data.field(f.key).to_owned() /> }
        })
        .collect_view();
    let urls = data
        .urls
        .iter()
        .map(|u| {
            let href = if u.contains("://") {
                u.clone()
            } else {
                format!("https://{u}")
            };
            let safe = href.starts_with("https://") || href.starts_with("http://");
            let copy_value = u.clone();
            view! {
                <dt>"Website"</dt>
                <dd class="field">
                    {if safe {
                        view! { <a href=href target="_blank" rel="noopener noreferrer">{u.clone()}</a> }.into_any()
                    } else {
                        view! { <span>{u.clone()}</span> }.into_any()
                    }}
                    <button type="button" class="button small" on:click=move |_| ui.copy("Address", copy_value.clone(), false)>"Copy"</button>
                    {
                        let url = u.clone();
                        move || page_disabled(&url).then(|| view! {
                            <span class="badge" data-testid="page-disabled" title="Your company's policy: Strongroom never offers to fill or save on this page.">"No fill or save here"</span>
                        })
                    }
                </dd>
            }
        })
        .collect_view();
    let custom = data
        .custom
        .iter()
        .map(|c| {
            let input = match c.kind {
                CustomKind::Hidden => FieldInput::Secret,
                _ => FieldInput::Text,
            };
            let value = match c.kind {
                CustomKind::Boolean if c.value == "true" => "Yes".to_owned(),
                CustomKind::Boolean => "No".to_owned(),
                _ => c.value.clone(),
            };
            view! { <FieldRow label=c.label.clone() input=input value=value /> }
        })
        .collect_view();
    let tags = data.tags.clone();
    let notes = data.notes.clone();
    let now = move || now_ms() as i64;
    // Opened with Enter from the list: the item takes the focus once it is shown, so Tab
    // reaches its actions next.
    let heading = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        if ui.focus_item.get()
            && ui.selected.get_untracked() == Some(id)
            && let Some(h) = heading.get()
        {
            let _ = h.focus();
            ui.focus_item.set(false);
        }
    });
    view! {
        <article class="item-view" aria-labelledby="item-title">
            <header class="item-head">
                <div>
                    <h2 id="item-title" tabindex="-1" node_ref=heading>{data.title.clone()}</h2>
                    <p class="hint"><span data-testid="item-kind">{kind.label()}</span>" · "<span data-testid="item-place">{place}</span></p>
                </div>
                <div class="actions">
                    {move || if !editable() {
                        view! {
                            <span class="badge" title=shared_types::push_rules::READ_ONLY>"View only"</span>
                        }.into_any()
                    } else if in_trash {
                        view! {
                            <button type="button" class="button primary" on:click=move |_| {
                                let t = now();
                                ui.act("Item restored from the trash.", move |s| async move { s.restore_item(id, t).await }, |_| {});
                            }>"Restore"</button>
                            <button type="button" class="button danger" on:click=move |_| {
                                let confirmed = window().confirm_with_message("Delete this item and its history for good? This cannot be undone.").unwrap_or(false);
                                if confirmed {
                                    ui.act("Item deleted for good.", move |s| async move { s.purge_item(id).await }, move |_| ui.selected.set(None));
                                }
                            }>"Delete for good"</button>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="button primary" on:click=move |_| ui.pane.set(Pane::Edit(id))>"Edit"</button>
                            <button type="button" class="button" aria-pressed=favourite.to_string() on:click=move |_| {
                                let t = now();
                                ui.act(if favourite { "Removed from favourites." } else { "Added to favourites." },
                                    move |s| async move { s.set_favourite(id, !favourite, t).await }, |_| {});
                            }>{if favourite { "★ Unstar" } else { "☆ Star" }}</button>
                            <button type="button" class="button" on:click=move |_| set_moving.set(true)>"Move to…"</button>
                            <button type="button" class="button danger" on:click=move |_| {
                                let t = now();
                                ui.act("Item moved to the trash. It can be restored for 30 days.",
                                    move |s| async move { s.trash_item(id, t).await }, move |_| ui.selected.set(None));
                            }>"Delete"</button>
                        }.into_any()
                    }}
                </div>
            </header>
            <Show when=move || moving.get()>
                <MoveDialog id=id profile=profile folder=data.folder urls=data.urls.clone() close=move || set_moving.set(false) />
            </Show>
            <dl class="facts item-fields">
                {urls}
                {fields}
                {custom}
                {(!tags.is_empty()).then(|| view! {
                    <dt>"Tags"</dt>
                    <dd>{tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}</dd>
                })}
            </dl>
            {(!notes.is_empty()).then(|| view! {
                <h3>"Notes"</h3>
                <pre class="notes">{notes.clone()}</pre>
            })}
            <button type="button" class="button small" aria-expanded=move || show_history.get().to_string()
                on:click=move |_| set_show_history.update(|v| *v = !*v)>
                {move || if show_history.get() { "Hide history" } else { "History" }}
            </button>
            <Show when=move || show_history.get()>
                <History id=id />
            </Show>
        </article>
    }
}

/// One field: label, value (hidden when secret), reveal and copy.
#[component]
fn FieldRow(label: String, input: FieldInput, value: String) -> impl IntoView {
    let ui = VaultUi::get();
    let (revealed, set_revealed) = signal(false);
    let secret = input.is_secret();
    let copy_value = value.clone();
    let what = label.clone();
    let shown = {
        let value = value.clone();
        move || {
            if secret && !revealed.get() {
                "••••••••••".to_owned()
            } else {
                value.clone()
            }
        }
    };
    let totp_view = (input == FieldInput::Totp).then(|| {
        let seed = value.clone();
        view! { <LiveCode seed=seed /> }
    });
    view! {
        <dt>{label.clone()}</dt>
        <dd class="field" data-testid=format!("field-{label}")>
            {match input {
                FieldInput::SecretBlock => view! { <pre class="value secret-block">{shown}</pre> }.into_any(),
                _ => view! { <span class="value">{shown}</span> }.into_any(),
            }}
            {secret.then(|| view! {
                <button type="button" class="button small" aria-pressed=move || revealed.get().to_string()
                    on:click=move |_| set_revealed.update(|r| *r = !*r)>
                    {move || if revealed.get() { "Hide" } else { "Reveal" }}
                </button>
            })}
            <button type="button" class="button small" aria-label=format!("Copy {label}")
                on:click=move |_| ui.copy(what.clone(), copy_value.clone(), secret)>"Copy"</button>
            {totp_view}
        </dd>
    }
}

/// The current authenticator code, refreshed every second.
#[component]
fn LiveCode(seed: String) -> impl IntoView {
    let ui = VaultUi::get();
    let now = RwSignal::new(now_ms());
    let handle =
        set_interval_with_handle(move || now.set(now_ms()), std::time::Duration::from_secs(1));
    on_cleanup(move || {
        if let Ok(h) = handle {
            h.clear();
        }
    });
    let code = move || totp::live_code(&seed, (now.get() / 1000.0) as u64);
    move || match code() {
        Ok(live) => {
            let digits = live.code.clone();
            view! {
                <span class="totp" data-testid="totp-code">{live.code.clone()}</span>
                <span class="hint">{format!("{} s", live.seconds_left)}</span>
                <button type="button" class="button small" on:click=move |_| ui.copy("Code", digits.clone(), true)>"Copy code"</button>
            }
            .into_any()
        }
        Err(e) => view! { <span class="error">{e.to_string()}</span> }.into_any(),
    }
}

/// The "Move to" dialog: a profile and a folder.
#[component]
fn MoveDialog(
    id: RecordId,
    profile: ContainerId,
    folder: Option<FolderId>,
    urls: Vec<String>,
    close: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let ui = VaultUi::get();
    let profiles = ui.session.with_value(|s| s.writable_areas());
    let personal: Option<ContainerId> = (profiles.iter())
        .find(|(_, a)| matches!(a, Area::Profile(ProfileKind::Personal)))
        .map(|(p, _)| *p);
    let (error, set_error) = signal(None::<String>);
    let folders = ui.session.with_value(|s| s.folders());
    let current = format!(
        "{profile}|{}",
        folder.map(|f| f.to_string()).unwrap_or_default()
    );
    let (choice, set_choice) = signal(current);
    let submit = {
        let close = close.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let value = choice.get_untracked();
            let Some((p, f)) = value.split_once('|') else {
                return;
            };
            let (Ok(target), folder) = (p.parse::<ContainerId>(), f.parse::<FolderId>().ok())
            else {
                return;
            };
            if Some(target) == personal
                && target != profile
                && let Some(domain) = forced_business(&urls)
            {
                set_error.set(Some(format!(
                    "Your company keeps items for {domain} in the Business profile; this one cannot move to Personal."
                )));
                return;
            }
            let t = now_ms() as i64;
            let close = close.clone();
            ui.act(
                "Item moved.",
                move |s| async move {
                    if target == profile {
                        s.move_to_folder(id, folder, t).await
                    } else {
                        s.move_to_container(id, target, folder, t).await
                    }
                },
                move |_| close(),
            );
        }
    };
    view! {
        <form class="dialog form" role="dialog" aria-label="Move to" on:submit=submit>
            <label for="move-target">"Move to"</label>
            <select id="move-target" prop:value=choice on:change=move |ev| set_choice.set(event_target_value(&ev))>
                {profiles.into_iter().map(|(p, area)| {
                    let top = format!("{p}|");
                    let name = area.label();
                    let inside = folders.iter().filter(|f| f.container == p).map(|f| {
                        let value = format!("{p}|{}", f.id);
                        view! { <option value=value>{format!("{name} / {}", f.path)}</option> }
                    }).collect_view();
                    view! { <option value=top>{name.clone()}</option> {inside} }
                }).collect_view()}
            </select>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="actions">
                <button type="submit" class="button primary">"Move"</button>
                <button type="button" class="button" on:click=move |_| close()>"Cancel"</button>
            </div>
        </form>
    }
}

/// Past versions of an item, newest first.
#[component]
fn History(id: RecordId) -> impl IntoView {
    let ui = VaultUi::get();
    let versions = LocalResource::new(move || {
        ui.version.track();
        let session = ui.session();
        async move {
            match session {
                Some(s) => s.history(id).await.map_err(|e| e.to_string()),
                None => Err("The vault is locked.".to_owned()),
            }
        }
    });
    let (open_version, set_open_version) = signal(None::<RecordId>);
    move || {
        match versions.get() {
        None => view! { <p class="hint">"Reading history…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error">{e}</p> }.into_any(),
        Some(Ok(list)) if list.is_empty() => {
            view! { <p class="hint">"No earlier versions yet: every saved change will be kept here."</p> }.into_any()
        }
        Some(Ok(list)) => view! {
            <ol class="history" aria-label="History">
                {list.into_iter().map(|v| {
                    let vid = v.id;
                    let when = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(v.history.replaced_at as f64))
                        .to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED);
                    let reason = match v.history.reason {
                        HistoryReason::Edit => "Replaced by an edit",
                        HistoryReason::Restore => "Replaced by a restore",
                        HistoryReason::Conflict => "Conflict: changed in another browser at the same time",
                    };
                    let item = v.history.item.clone();
                    let title = item.title.clone();
                    let notes = item.notes.clone();
                    let fields = move || item.kind.fields().iter().filter(|f| !item.field(f.key).is_empty()).map(|f| {
                        view! { <FieldRow label=f.label.to_owned() input=f.input value=item.field(f.key).to_owned() /> }
                    }).collect_view();
                    view! {
                        <li class="version" class:conflict=v.history.reason == HistoryReason::Conflict>
                            <div class="version-head">
                                <span><strong>{title}</strong>" · "{String::from(when)}" · "{reason}</span>
                                <button type="button" class="button small" on:click=move |_| set_open_version.update(|o| *o = if *o == Some(vid) { None } else { Some(vid) })>"View"</button>
                                <button type="button" class="button small" on:click=move |_| {
                                    let t = now_ms() as i64;
                                    ui.act("Version restored; the replaced one is kept in the history.",
                                        move |s| async move { s.restore_version(id, vid, t).await }, |_| {});
                                }>"Restore this version"</button>
                            </div>
                            <Show when=move || open_version.get() == Some(vid)>
                                <dl class="facts">{fields.clone()}</dl>
                                {(!notes.is_empty()).then(|| view! { <pre class="notes">{notes.clone()}</pre> })}
                            </Show>
                        </li>
                    }
                }).collect_view()}
            </ol>
        }
        .into_any(),
    }
    }
}
