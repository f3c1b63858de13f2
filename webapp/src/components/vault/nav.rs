//! The vault's navigation: all items, favourites, each profile with its folder tree, and the
//! trash. Items and folders are dropped on a folder or a profile to move them there; folders are
//! created, renamed and deleted here.

use leptos::prelude::*;
use shared_types::account::ProfileKind;
use shared_types::{FolderId, ProfileId, RecordId};

use super::VaultUi;
use crate::services::now_ms;
use crate::services::vault::Scope;

/// What is being dragged, as text in the drag data.
fn drag_payload(kind: &str, id: RecordId) -> String {
    format!("strongroom/{kind}:{id}")
}

/// Reads what was dropped: `("item" | "folder", id)`.
fn dropped(ev: &leptos::ev::DragEvent) -> Option<(String, RecordId)> {
    let text = ev.data_transfer()?.get_data("text/plain").ok()?;
    let (kind, id) = text.strip_prefix("strongroom/")?.split_once(':')?;
    Some((kind.to_owned(), id.parse().ok()?))
}

/// Starts dragging an item or folder.
pub fn start_drag(ev: &leptos::ev::DragEvent, kind: &str, id: RecordId) {
    if let Some(dt) = ev.data_transfer() {
        let _ = dt.set_data("text/plain", &drag_payload(kind, id));
        dt.set_effect_allowed("move");
    }
}

/// Moves whatever was dropped into `folder` of `profile`.
fn drop_into(ui: VaultUi, ev: leptos::ev::DragEvent, profile: ProfileId, folder: Option<FolderId>) {
    ev.prevent_default();
    let Some((kind, id)) = dropped(&ev) else {
        return;
    };
    let now = now_ms() as i64;
    match kind.as_str() {
        "item" => ui.act(
            "Item moved.",
            move |s| async move {
                if s.profile_of(id) == Some(profile) {
                    s.move_to_folder(id, folder, now).await
                } else {
                    s.move_to_profile(id, profile, folder, now).await
                }
            },
            |_| {},
        ),
        "folder" if Some(FolderId(id.0)) != folder => ui.act(
            "Folder moved.",
            move |s| async move {
                if s.profile_of(id) != Some(profile) {
                    return Err(crate::services::vault::VaultError::Invalid(
                        "Folders stay in their profile; move the items instead.".to_owned(),
                    ));
                }
                s.move_folder(FolderId(id.0), folder, now).await
            },
            |_| {},
        ),
        _ => {}
    }
}

fn allow_drop(ev: leptos::ev::DragEvent) {
    ev.prevent_default();
}

/// The navigation pane.
#[component]
pub fn VaultNav() -> impl IntoView {
    let ui = VaultUi::get();
    let profiles = ui.session.with_value(|s| s.profiles());
    let folders = Memo::new(move |_| {
        ui.version.track();
        ui.session.with_value(|s| s.folders())
    });
    let (adding, set_adding) = signal(None::<(ProfileId, Option<FolderId>)>);
    let (new_name, set_new_name) = signal(String::new());
    let (renaming, set_renaming) = signal(None::<FolderId>);
    let (moving, set_moving) = signal(None::<FolderId>);
    let (destination, set_destination) = signal(String::new());
    let scope_button = move |scope: Scope, label: &'static str| {
        let selected = {
            let scope = scope.clone();
            move || ui.scope.get() == scope
        };
        view! {
            <button type="button" class="nav-item" class:selected=selected.clone()
                aria-current=move || selected().then_some("true")
                on:click=move |_| { ui.scope.set(scope.clone()); ui.selected.set(None); }>
                {label}
            </button>
        }
    };
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((profile, parent)) = adding.get_untracked() else {
            return;
        };
        let name = new_name.get_untracked();
        let now = now_ms() as i64;
        ui.act(
            "Folder created.",
            move |s| async move { s.create_folder(profile, &name, parent, now).await },
            move |_| {
                set_adding.set(None);
                set_new_name.set(String::new());
            },
        );
    };
    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(folder) = renaming.get_untracked() else {
            return;
        };
        let name = new_name.get_untracked();
        let now = now_ms() as i64;
        ui.act(
            "Folder renamed.",
            move |s| async move { s.rename_folder(folder, &name, now).await },
            move |_| {
                set_renaming.set(None);
                set_new_name.set(String::new());
            },
        );
    };
    view! {
        <nav class="vault-nav" aria-label="Vault">
            {scope_button(Scope::All, "All items")}
            {scope_button(Scope::Favourites, "Favourites")}
            {profiles.into_iter().map(|(profile, kind)| {
                let label = match kind {
                    ProfileKind::Personal => "Personal",
                    ProfileKind::Business => "Business",
                };
                view! {
                    <div class="nav-profile" role="group" aria-label=label>
                        <div class="nav-row"
                            on:dragover=allow_drop
                            on:drop=move |ev| drop_into(ui, ev, profile, None)>
                            {scope_button(Scope::Profile(profile), label)}
                            <button type="button" class="icon-button" title=format!("New folder in {label}")
                                aria-label=format!("New folder in {label}")
                                on:click=move |_| { set_renaming.set(None); set_new_name.set(String::new()); set_adding.set(Some((profile, None))); }>"+"</button>
                        </div>
                        <ul class="folder-tree" role="tree" aria-label=format!("{label} folders")>
                            <For
                                each=move || folders.get().into_iter().filter(move |f| f.profile == profile)
                                key=|f| (f.id, f.name.clone(), f.depth, f.parent)
                                let:folder
                            >
                                {
                                    let id = folder.id;
                                    let scope = Scope::Folder(profile, id);
                                    let selected = {
                                        let scope = scope.clone();
                                        move || ui.scope.get() == scope
                                    };
                                    let name = folder.name.clone();
                                    let name_for_rename = folder.name.clone();
                                    view! {
                                        <li role="treeitem" aria-label=folder.path.clone()
                                            style:padding-left=format!("{}rem", 0.75 * folder.depth as f64)>
                                            <div class="nav-row folder" draggable="true"
                                                on:dragstart=move |ev| start_drag(&ev, "folder", RecordId(id.0))
                                                on:dragover=allow_drop
                                                on:drop=move |ev| drop_into(ui, ev, profile, Some(id))>
                                                <button type="button" class="nav-item" class:selected=selected.clone()
                                                    on:click=move |_| { ui.scope.set(scope.clone()); ui.selected.set(None); }>
                                                    {name}
                                                </button>
                                                <Show when=selected.clone()>
                                                    <button type="button" class="icon-button" aria-label="New folder inside"
                                                        title="New folder inside"
                                                        on:click=move |_| { set_renaming.set(None); set_new_name.set(String::new()); set_adding.set(Some((profile, Some(id)))); }>"+"</button>
                                                    <button type="button" class="icon-button" aria-label="Rename folder" title="Rename folder"
                                                        on:click={
                                                            let name = name_for_rename.clone();
                                                            move |_| { set_adding.set(None); set_new_name.set(name.clone()); set_renaming.set(Some(id)); }
                                                        }>"✎"</button>
                                                    <button type="button" class="icon-button" aria-label="Move folder" title="Move folder to…"
                                                        on:click=move |_| { set_adding.set(None); set_renaming.set(None); set_destination.set(String::new()); set_moving.set(Some(id)); }>"⇄"</button>
                                                    <button type="button" class="icon-button" aria-label="Delete folder" title="Delete folder (its items go to the trash)"
                                                        on:click=move |_| {
                                                            let now = now_ms() as i64;
                                                            ui.act("Folder deleted; its items are in the trash.",
                                                                move |s| async move { s.delete_folder(id, now).await },
                                                                move |_| ui.scope.set(Scope::Profile(profile)));
                                                        }>"🗑"</button>
                                                </Show>
                                            </div>
                                        </li>
                                    }
                                }
                            </For>
                        </ul>
                        <Show when=move || adding.get().is_some_and(|(p, _)| p == profile)>
                            <form class="inline-form" on:submit=create>
                                <label for=format!("new-folder-{profile}")>
                                    {move || match adding.get().and_then(|(_, parent)| parent) {
                                        Some(_) => "New folder inside",
                                        None => "New folder",
                                    }}
                                </label>
                                <input id=format!("new-folder-{profile}") required autofocus
                                    prop:value=new_name on:input=move |ev| set_new_name.set(event_target_value(&ev)) />
                                <button type="submit" class="button small primary">"Create"</button>
                                <button type="button" class="button small" on:click=move |_| set_adding.set(None)>"Cancel"</button>
                            </form>
                        </Show>
                        <Show when=move || renaming.get().is_some_and(|f| ui.session.with_value(|s| s.profile_of(RecordId(f.0))) == Some(profile))>
                            <form class="inline-form" on:submit=rename>
                                <label for=format!("rename-folder-{profile}")>"Folder name"</label>
                                <input id=format!("rename-folder-{profile}") required autofocus
                                    prop:value=new_name on:input=move |ev| set_new_name.set(event_target_value(&ev)) />
                                <button type="submit" class="button small primary">"Rename"</button>
                                <button type="button" class="button small" on:click=move |_| set_renaming.set(None)>"Cancel"</button>
                            </form>
                        </Show>
                        <Show when=move || moving.get().is_some_and(|f| ui.session.with_value(|s| s.profile_of(RecordId(f.0))) == Some(profile))>
                            <form class="inline-form" role="dialog" aria-label="Move folder"
                                on:submit=move |ev: leptos::ev::SubmitEvent| {
                                    ev.prevent_default();
                                    let Some(folder) = moving.get_untracked() else { return };
                                    let parent = destination.get_untracked().parse::<FolderId>().ok();
                                    let now = now_ms() as i64;
                                    ui.act("Folder moved.", move |s| async move { s.move_folder(folder, parent, now).await },
                                        move |_| set_moving.set(None));
                                }>
                                <label for=format!("move-folder-{profile}")>"Move folder to"</label>
                                <select id=format!("move-folder-{profile}") prop:value=destination
                                    on:change=move |ev| set_destination.set(event_target_value(&ev))>
                                    <option value="">"(top of the profile)"</option>
                                    {move || {
                                        let Some(moved) = moving.get() else { return Vec::new() };
                                        ui.version.track();
                                        ui.session.with_value(|s| s.folder_destinations(moved))
                                            .into_iter()
                                            .map(|f| view! { <option value=f.id.to_string()>{f.path.clone()}</option> })
                                            .collect::<Vec<_>>()
                                    }}
                                </select>
                                <button type="submit" class="button small primary">"Move"</button>
                                <button type="button" class="button small" on:click=move |_| set_moving.set(None)>"Cancel"</button>
                            </form>
                        </Show>
                    </div>
                }
            }).collect_view()}
            {scope_button(Scope::Trash, "Trash")}
        </nav>
    }
}
