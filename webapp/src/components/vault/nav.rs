//! The vault's navigation: all items, favourites, each profile with its folder tree, the shared
//! folders (each with its tree, under the name its owner gave it), and the trash. Items and
//! folders are dropped on a folder, a profile or a shared folder to move them there; folders are
//! created, renamed, deleted and shared here.

use leptos::prelude::*;
use shared_types::{ContainerId, FolderId, RecordId};

use super::VaultUi;
use crate::services::policies::{check_recipients, sharing_disabled};
use crate::services::sharing::shares;
use crate::services::vault::{FolderNode, Scope};
use crate::services::{Services, now_ms};

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

/// Moves whatever was dropped into `folder` of `container`.
fn drop_into(
    ui: VaultUi,
    ev: leptos::ev::DragEvent,
    container: ContainerId,
    folder: Option<FolderId>,
) {
    ev.prevent_default();
    let Some((kind, id)) = dropped(&ev) else {
        return;
    };
    let now = now_ms() as i64;
    match kind.as_str() {
        "item" => ui.act(
            "Item moved.",
            move |s| async move {
                if s.container_of(id) == Some(container) {
                    s.move_to_folder(id, folder, now).await
                } else {
                    s.move_to_container(id, container, folder, now).await
                }
            },
            |_| {},
        ),
        "folder" if Some(FolderId(id.0)) != folder => ui.act(
            "Folder moved.",
            move |s| async move {
                if s.container_of(id) != Some(container) {
                    return Err(crate::services::vault::VaultError::Invalid(
                        "Folders stay where they are; move the items instead, or share the folder."
                            .to_owned(),
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

/// What the navigation's inline forms are doing; one form is open at a time.
#[derive(Clone, Copy)]
struct Forms {
    /// A folder being created: where, inside what.
    adding: RwSignal<Option<(ContainerId, Option<FolderId>)>>,
    /// The name typed for a new or renamed folder.
    new_name: RwSignal<String>,
    renaming: RwSignal<Option<FolderId>>,
    moving: RwSignal<Option<FolderId>>,
    destination: RwSignal<String>,
    /// A folder being shared.
    sharing: RwSignal<Option<FolderId>>,
}

impl Forms {
    fn close(self) {
        self.adding.set(None);
        self.renaming.set(None);
        self.moving.set(None);
        self.sharing.set(None);
    }
}

fn scope_button(ui: VaultUi, scope: Scope, label: String) -> impl IntoView {
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
}

/// The navigation pane.
#[component]
pub fn VaultNav() -> impl IntoView {
    let ui = VaultUi::get();
    let sharing_off = sharing_disabled();
    let profiles = ui.session.with_value(|s| s.profiles());
    let folders = Memo::new(move |_| {
        ui.version.track();
        ui.session.with_value(|s| s.folders())
    });
    let shared = Memo::new(move |_| {
        ui.version.track();
        ui.session.with_value(|s| s.shared())
    });
    let notices = Memo::new(move |_| {
        ui.version.track();
        ui.session.with_value(|s| s.share_notices())
    });
    let company_problem = Memo::new(move |_| {
        ui.version.track();
        ui.session
            .with_value(|s| s.company_key_problem())
            .map(|p| p.explain())
    });
    let forms = Forms {
        adding: RwSignal::new(None),
        new_name: RwSignal::new(String::new()),
        renaming: RwSignal::new(None),
        moving: RwSignal::new(None),
        destination: RwSignal::new(String::new()),
        sharing: RwSignal::new(None),
    };
    view! {
        <nav class="vault-nav" aria-label="Vault">
            {move || company_problem.get().map(|text| view! {
                <p class="error" role="alert" data-testid="company-key-problem">{text}</p>
            })}
            {scope_button(ui, Scope::All, "All items".to_owned())}
            {scope_button(ui, Scope::Favourites, "Favourites".to_owned())}
            {profiles.into_iter().map(|(profile, kind)| {
                let label = match kind {
                    shared_types::account::ProfileKind::Personal => "Personal",
                    shared_types::account::ProfileKind::Business => "Business",
                };
                area_view(ui, forms, folders, profile, label.to_owned(), true, false)
            }).collect_view()}
            <Show when=move || shared.with(|s| !s.is_empty()) || notices.with(|n| !n.is_empty())>
                <div class="nav-shared" role="group" aria-label="Shared folders">
                    <h3 class="nav-heading">"Shared folders"</h3>
                    <For
                        each=move || {
                            let off = sharing_off();
                            shared.get().into_iter().map(move |(id, area)| (id, area, off)).collect::<Vec<_>>()
                        }
                        key=|(id, area, off)| (*id, area.name.clone(), area.role, *off)
                        let:share
                    >
                        {area_view(ui, forms, folders, share.0, share.1.name.to_string(), ui.session.with_value(|s| s.can_edit_with(share.0, share.2)), true)}
                    </For>
                    <For each=move || notices.get() key=|n| (n.share, n.explain()) let:notice>
                        <p class="hint share-notice" data-testid="share-notice">{notice.explain()}</p>
                    </For>
                </div>
            </Show>
            {scope_button(ui, Scope::Trash, "Trash".to_owned())}
        </nav>
    }
}

/// One profile or shared folder with its folder tree and the forms that change it.
fn area_view(
    ui: VaultUi,
    forms: Forms,
    folders: Memo<Vec<FolderNode>>,
    profile: ContainerId,
    label: String,
    editable: bool,
    shared: bool,
) -> impl IntoView {
    let sharing_off = sharing_disabled();
    let Forms {
        adding,
        new_name,
        renaming,
        moving,
        destination,
        sharing,
    } = forms;
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
                adding.set(None);
                new_name.set(String::new());
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
                renaming.set(None);
                new_name.set(String::new());
            },
        );
    };
    let in_here = move |f: FolderId| {
        ui.session.with_value(|s| s.container_of(RecordId(f.0))) == Some(profile)
    };
    let group_label = label.clone();
    view! {
        <div class="nav-profile" role="group" aria-label=group_label data-shared=shared.to_string()>
            <div class="nav-row"
                on:dragover=allow_drop
                on:drop=move |ev| drop_into(ui, ev, profile, None)>
                {scope_button(ui, Scope::Container(profile), label.clone())}
                {editable.then(|| {
                    let label = label.clone();
                    view! {
                        <button type="button" class="icon-button" title=format!("New folder in {label}")
                            aria-label=format!("New folder in {label}")
                            on:click=move |_| { forms.close(); new_name.set(String::new()); adding.set(Some((profile, None))); }>"+"</button>
                    }
                })}
            </div>
            <ul class="folder-tree" role="tree" aria-label=format!("{label} folders")>
                <For
                    each=move || folders.get().into_iter().filter(move |f| f.container == profile)
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
                        let name_for_share = folder.name.clone();
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
                                    <Show when=move || editable && selected()>
                                        <button type="button" class="icon-button" aria-label="New folder inside"
                                            title="New folder inside"
                                            on:click=move |_| { forms.close(); new_name.set(String::new()); adding.set(Some((profile, Some(id)))); }>"+"</button>
                                        <button type="button" class="icon-button" aria-label="Rename folder" title="Rename folder"
                                            on:click={
                                                let name = name_for_rename.clone();
                                                move |_| { forms.close(); new_name.set(name.clone()); renaming.set(Some(id)); }
                                            }>"✎"</button>
                                        <button type="button" class="icon-button" aria-label="Move folder" title="Move folder to…"
                                            on:click=move |_| { forms.close(); destination.set(String::new()); moving.set(Some(id)); }>"⇄"</button>
                                        {
                                            let name = name_for_share.clone();
                                            move || (!shared && !sharing_off()).then(|| {
                                                let name = name.clone();
                                                view! {
                                                    <button type="button" class="icon-button" aria-label="Share folder" title="Share this folder…"
                                                        on:click=move |_| { forms.close(); new_name.set(name.clone()); sharing.set(Some(id)); }>"⇪"</button>
                                                }
                                            })
                                        }
                                        <button type="button" class="icon-button" aria-label="Delete folder" title="Delete folder (its items go to the trash)"
                                            on:click=move |_| {
                                                let now = now_ms() as i64;
                                                ui.act("Folder deleted; its items are in the trash.",
                                                    move |s| async move { s.delete_folder(id, now).await },
                                                    move |_| ui.scope.set(Scope::Container(profile)));
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
                    <input autocomplete="off" id=format!("new-folder-{profile}") required autofocus
                        prop:value=new_name on:input=move |ev| new_name.set(event_target_value(&ev)) />
                    <button type="submit" class="button small primary">"Create"</button>
                    <button type="button" class="button small" on:click=move |_| adding.set(None)>"Cancel"</button>
                </form>
            </Show>
            <Show when=move || renaming.get().is_some_and(in_here)>
                <form class="inline-form" on:submit=rename>
                    <label for=format!("rename-folder-{profile}")>"Folder name"</label>
                    <input autocomplete="off" id=format!("rename-folder-{profile}") required autofocus
                        prop:value=new_name on:input=move |ev| new_name.set(event_target_value(&ev)) />
                    <button type="submit" class="button small primary">"Rename"</button>
                    <button type="button" class="button small" on:click=move |_| renaming.set(None)>"Cancel"</button>
                </form>
            </Show>
            <Show when=move || moving.get().is_some_and(in_here)>
                <form class="inline-form" role="dialog" aria-label="Move folder"
                    on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        let Some(folder) = moving.get_untracked() else { return };
                        let parent = destination.get_untracked().parse::<FolderId>().ok();
                        let now = now_ms() as i64;
                        ui.act("Folder moved.", move |s| async move { s.move_folder(folder, parent, now).await },
                            move |_| moving.set(None));
                    }>
                    <label for=format!("move-folder-{profile}")>"Move folder to"</label>
                    <select id=format!("move-folder-{profile}") prop:value=destination
                        on:change=move |ev| destination.set(event_target_value(&ev))>
                        <option value="">{if shared { "(top of the shared folder)" } else { "(top of the profile)" }}</option>
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
                    <button type="button" class="button small" on:click=move |_| moving.set(None)>"Cancel"</button>
                </form>
            </Show>
            <Show when=move || sharing.get().is_some_and(in_here)>
                <ShareFolderForm forms=forms />
            </Show>
        </div>
    }
}

/// The form that shares a folder: the shared folder's name, the recipients and their role.
#[component]
fn ShareFolderForm(forms: Forms) -> impl IntoView {
    let ui = VaultUi::get();
    let services = Services::handle();
    let recipients = RwSignal::new(String::new());
    let role = RwSignal::new("edit".to_owned());
    let group = RwSignal::new(String::new());
    let (busy, set_busy) = signal(false);
    let (error, set_error) = signal(None::<String>);
    // The company's groups, each verified from its lists (none outside a company).
    let groups = LocalResource::new(move || {
        ui.version.track();
        async move {
            match ui.session() {
                Some(session) => session
                    .company_groups(now_ms() as i64)
                    .await
                    .unwrap_or_default(),
                None => Vec::new(),
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(folder) = forms.sharing.get_untracked() else {
            return;
        };
        let Some(session) = ui.session() else {
            return;
        };
        let name = forms.new_name.get_untracked();
        let list = shares::recipients(&recipients.get_untracked(), &role.get_untracked());
        if let Err(problem) = check_recipients(list.iter().map(|(a, _)| a)) {
            set_error.set(Some(problem));
            return;
        }
        let chosen = group.get_untracked();
        let picked: Vec<_> = (groups.get_untracked().unwrap_or_default().into_iter())
            .filter(|g| g.id.to_string() == chosen)
            .collect();
        if let Some(g) = picked.iter().find(|g| g.stale) {
            set_error.set(Some(format!(
                "{} waits for its next key after someone was taken out; try again in a moment.",
                g.name.clone().unwrap_or_else(|| "This group".to_owned())
            )));
            return;
        }
        let targets: Vec<_> = (picked.iter())
            .map(|g| (g.target.clone(), shares::share_role(&role.get_untracked())))
            .collect();
        let with: Vec<String> = (list.iter().map(|(a, _)| a.clone()))
            .chain(
                picked
                    .iter()
                    .map(|g| g.name.clone().unwrap_or_else(|| "a group".to_owned())),
            )
            .collect();
        if with.is_empty() {
            set_error.set(Some(
                "Add the address of at least one person, or a group, to share with.".to_owned(),
            ));
            return;
        }
        set_busy.set(true);
        set_error.set(None);
        let api = services.all().api;
        leptos::task::spawn_local(async move {
            let now = now_ms() as i64;
            let result =
                shares::share_folder(&api, &session, folder, &name, (&list, &targets), now).await;
            set_busy.try_set(false);
            match result {
                Ok((container, invited)) => {
                    forms.sharing.try_set(None);
                    ui.notice
                        .try_set(Some(shares::shared_notice(&with, &invited)));
                    ui.scope.try_set(Scope::Container(container));
                    ui.changed();
                    ui.sync_now();
                }
                Err(e) => {
                    set_error.try_set(Some(e));
                    // A share made before the failure shows up in the list.
                    ui.changed();
                }
            }
        });
    };
    view! {
        <form class="inline-form share-form" role="dialog" aria-label="Share folder" on:submit=submit>
            <label for="share-name">"Shared folder name"</label>
            <input autocomplete="off" id="share-name" required prop:value=forms.new_name
                on:input=move |ev| forms.new_name.set(event_target_value(&ev)) />
            <label for="share-recipients">"Share with (addresses)"</label>
            <input autocomplete="off" id="share-recipients" autofocus placeholder="bob@example.com, carol@example.com"
                prop:value=recipients on:input=move |ev| recipients.set(event_target_value(&ev)) />
            {move || {
                let list = groups.get().unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <label for="share-group">"And a group"</label>
                    <select id="share-group" prop:value=group on:change=move |ev| group.set(event_target_value(&ev))>
                        <option value="">"No group"</option>
                        {list.into_iter().map(|g| {
                            let label = format!(
                                "{} ({} people)",
                                g.name.clone().unwrap_or_else(|| "Unnamed group".to_owned()),
                                g.people.len()
                            );
                            view! { <option value=g.id.to_string()>{label}</option> }
                        }).collect_view()}
                    </select>
                })
            }}
            {super::share::role_select("share-role", role)}
            <p class="hint">"The folder, its folders and their items move into the shared folder. Keys are checked against your contacts; a changed key stops the share."</p>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit" class="button small primary" disabled=busy>
                {move || if busy.get() { "Sharing…" } else { "Share" }}
            </button>
            <button type="button" class="button small" on:click=move |_| forms.sharing.set(None)>"Cancel"</button>
        </form>
    }
}
