//! The shared folder shown in the list: whose it is, what this person may do in it, who has
//! access (for its managers, who may remove people), and leaving or deleting it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::sharing::{EntryKind, ListRole, ShareMeta};
use shared_types::{ContainerId, ShareId};

use super::VaultUi;
use crate::services::Services;
use crate::services::policies::{check_recipients, sharing_disabled};
use crate::services::sharing::shares;
use crate::services::vault::{Area, Scope, SharedArea};

fn role_words(role: ListRole) -> &'static str {
    match role {
        ListRole::View => "view",
        ListRole::Edit => "edit",
        ListRole::Manage => "manage",
        ListRole::Owner => "own",
        ListRole::Member | ListRole::Manager | ListRole::MemberManager => "view",
    }
}

/// "They can": the role a share form gives the people it names (`view`, `edit`, `manage`).
pub fn role_select(id: &'static str, role: RwSignal<String>) -> impl IntoView {
    view! {
        <label for=id>"They can"</label>
        <select id=id prop:value=role on:change=move |ev| role.set(event_target_value(&ev))>
            <option value="view">"View (read and copy)"</option>
            <option value="edit">"Edit (change and add items)"</option>
            <option value="manage">"Manage (also who has access)"</option>
        </select>
    }
}

/// The panel above the list while a shared folder (or a folder in one) is selected.
#[component]
pub fn SharePanel() -> impl IntoView {
    let ui = VaultUi::get();
    let current = Memo::new(move |_| {
        ui.version.track();
        let container = match ui.scope.get() {
            Scope::Container(c) | Scope::Folder(c, _) => c,
            _ => return None,
        };
        match ui.session.with_value(|s| s.area(container)) {
            Some(Area::Shared(shared)) => Some((container, shared)),
            _ => None,
        }
    });
    move || {
        current
            .get()
            .map(|(container, shared)| view! { <ShareFacts container=container shared=shared /> })
    }
}

#[component]
fn ShareFacts(container: ContainerId, shared: SharedArea) -> impl IntoView {
    let ui = VaultUi::get();
    let services = Services::handle();
    let share = ShareId(container.0);
    let (me, owner_email) = ui.session.with_value(|s| {
        let me = s.keys().account_id;
        (me, s.contact(shared.owner).map(|p| p.email))
    });
    let owned = shared.owner == me;
    let manages = matches!(shared.role, ListRole::Owner | ListRole::Manage);
    let sharing_off = sharing_disabled();
    let (error, set_error) = signal(None::<String>);
    let meta = LocalResource::new(move || {
        ui.version.track();
        let api = services.all().api;
        async move {
            if manages {
                api.share(share).await.map_err(|e| e.to_string())
            } else {
                Err(String::new())
            }
        }
    });
    let whose = if owned {
        "You own it".to_owned()
    } else {
        format!(
            "Shared with you by {}",
            owner_email.unwrap_or_else(|| "its owner".to_owned())
        )
    };
    let leave_or_delete = move |_| {
        let question = if owned {
            "Delete this shared folder and its items for everyone who has access? This cannot be undone."
        } else {
            "Leave this shared folder? It disappears from this browser and your others; the owner can share it with you again."
        };
        if !window().confirm_with_message(question).unwrap_or(false) {
            return;
        }
        let api = services.all().api;
        spawn_local(async move {
            let done = if owned {
                shares::delete(&api, share).await
            } else {
                shares::leave(&api, share).await
            };
            match done {
                Ok(()) => {
                    ui.notice.try_set(Some(if owned {
                        "The shared folder was deleted.".to_owned()
                    } else {
                        "You left the shared folder.".to_owned()
                    }));
                    ui.scope.try_set(Scope::All);
                    ui.sync_now();
                }
                Err(e) => {
                    set_error.try_set(Some(e));
                }
            }
        });
    };
    let remove = move |principal: uuid::Uuid, email: String| {
        let question =
            format!("Remove {email}? They can no longer open this shared folder from any browser.");
        if !window().confirm_with_message(&question).unwrap_or(false) {
            return;
        }
        let api = services.all().api;
        spawn_local(async move {
            match api.remove_share_principal(share, principal).await {
                Ok(()) => {
                    ui.notice.try_set(Some(format!("{email} was removed.")));
                    ui.changed();
                    ui.sync_now();
                }
                Err(e) => {
                    set_error.try_set(Some(e.to_string()));
                }
            }
        });
    };
    let who = move |meta: ShareMeta| {
        let rows = meta
            .principals
            .iter()
            .map(|p| {
                let email = p.email.clone().unwrap_or_else(|| match p.kind {
                    EntryKind::Group => "A group".to_owned(),
                    _ => "Someone".to_owned(),
                });
                let is_owner = p.role == ListRole::Owner;
                let id = p.id;
                let email_for_remove = email.clone();
                view! {
                    <tr>
                        <td>{email.clone()}</td>
                        <td>{if is_owner { "Owner".to_owned() } else { format!("Can {}", role_words(p.role)) }}</td>
                        <td>{match (p.has_key, p.kind) {
                            (true, _) => "",
                            (false, EntryKind::Invitee) => "Invited by email: joins once they have signed up",
                            (false, _) => "Waiting for a manager's browser to hand over the key",
                        }}</td>
                        <td>{(!is_owner && id != me.0).then(|| view! {
                            <button type="button" class="button small danger"
                                on:click=move |_| remove(id, email_for_remove.clone())>"Remove"</button>
                        })}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="who-has-access" aria-label="Who has access">
                <tbody>{rows}</tbody>
            </table>
            {meta.rekey_pending.then(|| view! {
                <p class="hint">"Someone was removed: their access ended at once, and the key will be replaced by a manager's browser."</p>
            })}
        }
    };
    let renaming = RwSignal::new(None::<String>);
    let adding = RwSignal::new(false);
    let addresses = RwSignal::new(String::new());
    let role = RwSignal::new("edit".to_owned());
    let (busy, set_busy) = signal(false);
    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(name), Some(session)) = (renaming.get_untracked(), ui.session()) else {
            return;
        };
        set_busy.set(true);
        spawn_local(async move {
            let result = session
                .rename_shared(share, &name, crate::services::now_ms() as i64)
                .await;
            set_busy.try_set(false);
            match result {
                Ok(()) => {
                    renaming.try_set(None);
                    ui.notice
                        .try_set(Some("The shared folder was renamed.".to_owned()));
                    ui.changed();
                }
                Err(e) => {
                    set_error.try_set(Some(e.to_string()));
                }
            }
        });
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(session) = ui.session() else {
            return;
        };
        let people = shares::recipients(&addresses.get_untracked(), &role.get_untracked());
        if people.is_empty() {
            set_error.set(Some("Add the address of at least one person.".to_owned()));
            return;
        }
        if let Err(problem) = check_recipients(people.iter().map(|(a, _)| a)) {
            set_error.set(Some(problem));
            return;
        }
        let api = services.all().api;
        set_busy.set(true);
        set_error.set(None);
        spawn_local(async move {
            let now = crate::services::now_ms() as i64;
            let result = shares::add_people(&api, &session, share, &people, now).await;
            set_busy.try_set(false);
            match result {
                Ok(invited) => {
                    adding.try_set(false);
                    addresses.try_set(String::new());
                    let names: Vec<String> = people.iter().map(|(a, _)| a.clone()).collect();
                    ui.notice
                        .try_set(Some(shares::shared_notice(&names, &invited)));
                    ui.changed();
                    ui.sync_now();
                }
                Err(e) => {
                    set_error.try_set(Some(e));
                }
            }
        });
    };
    let name_now = shared.name.to_string();
    view! {
        <section class="share-panel card" aria-label="Shared folder">
            <p>
                <strong>{shared.name.to_string()}</strong>
                " · "{whose}" · "
                <span data-testid="share-role">{format!("You can {}", role_words(shared.role))}</span>
            </p>
            {move || sharing_off().then(|| view! {
                <p class="hint" data-testid="sharing-disabled">"Your company has disabled sharing: this shared folder is read-only, and nobody new can be added."</p>
            })}
            {manages.then(|| view! {
                <div class="actions">
                    <button type="button" class="button small"
                        on:click=move |_| { adding.set(false); renaming.set(Some(name_now.clone())); }>"Rename"</button>
                    {move || (!sharing_off()).then(|| view! {
                        <button type="button" class="button small"
                            on:click=move |_| { renaming.set(None); adding.set(true); }>"Add people"</button>
                    })}
                </div>
                <Show when=move || renaming.get().is_some()>
                    <form class="inline-form" role="dialog" aria-label="Rename shared folder" on:submit=rename>
                        <label for="share-rename">"Name"</label>
                        <input autocomplete="off" id="share-rename" required autofocus
                            prop:value=move || renaming.get().unwrap_or_default()
                            on:input=move |ev| renaming.set(Some(event_target_value(&ev))) />
                        <button type="submit" class="button small primary" disabled=busy>"Rename"</button>
                        <button type="button" class="button small" on:click=move |_| renaming.set(None)>"Cancel"</button>
                    </form>
                </Show>
                <Show when=move || adding.get()>
                    <form class="inline-form share-form" role="dialog" aria-label="Add people" on:submit=add>
                        <label for="share-add">"Addresses"</label>
                        <input autocomplete="off" id="share-add" required autofocus placeholder="carol@example.com"
                            prop:value=addresses on:input=move |ev| addresses.set(event_target_value(&ev)) />
                        {role_select("share-add-role", role)}
                        <button type="submit" class="button small primary" disabled=busy>"Add"</button>
                        <button type="button" class="button small" on:click=move |_| adding.set(false)>"Cancel"</button>
                    </form>
                </Show>
                <details>
                    <summary>"Who has access"</summary>
                    {move || match meta.get() {
                        None => view! { <p class="hint">"Loading…"</p> }.into_any(),
                        Some(Ok(meta)) => who(meta).into_any(),
                        Some(Err(e)) => view! { <p class="error">{e}</p> }.into_any(),
                    }}
                </details>
            })}
            <button type="button" class="button small" on:click=leave_or_delete>
                {if owned { "Delete shared folder" } else { "Leave shared folder" }}
            </button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}
