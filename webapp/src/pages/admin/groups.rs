//! A company's groups, for its own Admins (partner staff do not hold members' keys): make a
//! group, add and take away people, rename and delete. Everything is signed and wrapped in
//! this browser; people added while no manager's browser holding the group key was online
//! show as waiting until one is, and then get the key without anyone acting.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::CompanyId;
use shared_types::sharing::{GroupPerson, ListRole};

use super::{CompanyAdmin, company_of_path};
use crate::services::sharing::group_admin;
use crate::services::sync::{OpenVault, VaultService};
use crate::services::vault::CompanyGroup;
use crate::services::{Services, now_ms};

/// The groups page.
#[component]
pub fn CompanyGroupsPage() -> impl IntoView {
    view! { <CompanyAdmin tab="groups"><Groups /></CompanyAdmin> }
}

fn role_words(role: ListRole) -> &'static str {
    match role {
        ListRole::Manager => "Manager",
        ListRole::MemberManager => "Member and manager",
        _ => "Member",
    }
}

/// "As": the role the people typed into a group form get.
fn group_role_select(id: &'static str, role: RwSignal<String>) -> impl IntoView {
    view! {
        <label for=id>"As"</label>
        <select id=id prop:value=role on:change=move |ev| role.set(event_target_value(&ev))>
            <option value="member">"Members (receive the group's shares)"</option>
            <option value="manager">"Managers (change the group, hold its key)"</option>
            <option value="both">"Both"</option>
        </select>
    }
}

/// Runs `work` with the open vault, then syncs (so that grants and the next key go out) and
/// shows the outcome.
fn act<F>(
    vault: VaultService,
    busy: WriteSignal<bool>,
    outcome: WriteSignal<Option<Result<String, String>>>,
    refresh: WriteSignal<u32>,
    work: impl FnOnce(OpenVault) -> F + 'static,
) where
    F: std::future::Future<Output = Result<String, String>> + 'static,
{
    let Some(open) = vault.open_vault() else {
        return;
    };
    busy.set(true);
    outcome.set(None);
    spawn_local(async move {
        let engine = open.engine.clone();
        let result = work(open).await;
        // The group's keys and its next list are this browser's work, done in the sync.
        let _ = engine.sync_and_wait().await;
        busy.try_set(false);
        outcome.try_set(Some(result));
        refresh.try_update(|n| *n += 1);
    });
}

#[component]
fn Groups() -> impl IntoView {
    let services = Services::handle();
    let vault = VaultService::get();
    let company = company_of_path();
    let (version, set_version) = signal(0u32);
    let (busy, set_busy) = signal(false);
    let (outcome, set_outcome) = signal(None::<Result<String, String>>);
    let groups = LocalResource::new(move || {
        version.track();
        async move {
            let open = vault
                .open_vault()
                .ok_or_else(|| "Unlock the vault first.".to_owned())?;
            let _ = open.engine.sync_and_wait().await;
            open.session
                .company_groups(now_ms() as i64)
                .await
                .map_err(|e| e.to_string())
        }
    });
    let has_directory = move || {
        // Read again once the groups (and the sync before them) are in.
        groups.track();
        vault
            .open_vault()
            .is_some_and(|open| open.session.directory_key().is_some())
    };
    let name = RwSignal::new(String::new());
    let people = RwSignal::new(String::new());
    let role = RwSignal::new("member".to_owned());
    let me_too = RwSignal::new(false);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let api = services.all().api;
        let (group_name, text, chosen, member) = (
            name.get_untracked(),
            people.get_untracked(),
            group_admin::group_role(&role.get_untracked()),
            me_too.get_untracked(),
        );
        act(
            vault,
            set_busy,
            set_outcome,
            set_version,
            move |open| async move {
                // A company's first group may come before this browser's sync has made or
                // received the directory key: one sync first.
                if open.session.directory_key().is_none() {
                    let _ = open.engine.sync_and_wait().await;
                }
                group_admin::create_group(
                    &api,
                    &open.session,
                    (&group_name, member),
                    (&text, chosen),
                    now_ms() as i64,
                )
                .await?;
                name.try_set(String::new());
                people.try_set(String::new());
                Ok(format!("Group {} made.", group_name.trim()))
            },
        );
    };
    view! {
        <h2>"Groups"</h2>
        <p class="hint">"Share a folder with a group and everyone in it gets it. Groups and their names are encrypted in your browser; the server never sees a group's name."</p>
        {move || (!has_directory()).then(|| view! {
            <p class="notice" role="status">"The company's directory key has not reached this browser yet. An Admin's browser hands it on at its next sync; group names show once it has."</p>
        })}
        <form class="inline-form" aria-label="New group" on:submit=create>
            <label for="group-name">"New group"</label>
            <input autocomplete="off" id="group-name" required placeholder="Ops" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            <label for="group-people">"People (addresses)"</label>
            <input autocomplete="off" id="group-people" placeholder="bob@acme.example, carol@acme.example" prop:value=people
                on:input=move |ev| people.set(event_target_value(&ev)) />
            {group_role_select("group-role", role)}
            <label class="check"><input type="checkbox" prop:checked=me_too
                on:change=move |ev| me_too.set(event_target_checked(&ev)) />" I am a member too"</label>
            <button type="submit" class="button small primary" disabled=busy>"Make group"</button>
        </form>
        {move || outcome.get().map(|o| match o {
            Ok(m) => view! { <p class="notice" role="status">{m}</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        })}
        {move || match groups.get() {
            None => view! { <p>"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p>"No groups yet."</p> }.into_any(),
            Some(Ok(list)) => list
                .into_iter()
                .map(|g| view! {
                    <GroupCard group=g company=company.get_untracked() busy=busy
                        set_busy=set_busy set_outcome=set_outcome set_version=set_version />
                })
                .collect_view()
                .into_any(),
        }}
    }
}

#[component]
fn GroupCard(
    group: CompanyGroup,
    company: Option<CompanyId>,
    busy: ReadSignal<bool>,
    set_busy: WriteSignal<bool>,
    set_outcome: WriteSignal<Option<Result<String, String>>>,
    set_version: WriteSignal<u32>,
) -> impl IntoView {
    let services = Services::handle();
    let vault = VaultService::get();
    let Some(company) = company else {
        return ().into_any();
    };
    let id = group.id;
    let title = group
        .name
        .clone()
        .unwrap_or_else(|| "Unnamed group".to_owned());
    let managed = group.managed;
    let version = group.name_version;
    let me = vault.open_vault().map(|o| o.session.keys().account_id);
    let adding = RwSignal::new(String::new());
    let role = RwSignal::new("member".to_owned());
    let renaming = RwSignal::new(title.clone());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let api = services.all().api;
        let (text, chosen) = (
            adding.get_untracked(),
            group_admin::group_role(&role.get_untracked()),
        );
        act(
            vault,
            set_busy,
            set_outcome,
            set_version,
            move |open| async move {
                group_admin::add_people(&api, &open.session, id, (&text, chosen), now_ms() as i64)
                    .await?;
                adding.try_set(String::new());
                Ok("Added. They get the group's key from this browser now.".to_owned())
            },
        );
    };
    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let api = services.all().api;
        let new_name = renaming.get_untracked();
        act(
            vault,
            set_busy,
            set_outcome,
            set_version,
            move |open| async move {
                group_admin::rename(&api, &open.session, (company, id), version, &new_name).await?;
                Ok("Renamed.".to_owned())
            },
        );
    };
    let remove_group = move |_| {
        let api = services.all().api;
        act(
            vault,
            set_busy,
            set_outcome,
            set_version,
            move |_| async move {
                group_admin::delete(&api, company, id).await?;
                Ok("Group deleted. Its shared folders are re-keyed by their managers.".to_owned())
            },
        );
    };
    let person_row = move |p: GroupPerson| {
        let account = p.account;
        let email = p.email.clone();
        let take_out = move |_| {
            let api = services.all().api;
            let email = email.clone();
            act(
                vault,
                set_busy,
                set_outcome,
                set_version,
                move |_| async move {
                    group_admin::remove_person(&api, company, id, account).await?;
                    Ok(format!(
                        "{email} was taken out. The group gets a new key, and its shared folders are re-keyed."
                    ))
                },
            );
        };
        view! {
            <tr data-testid="group-person">
                <td>{p.email.clone()}</td>
                <td>{role_words(p.role)}</td>
                <td>{if p.has_key {
                    view! { <span class="tag">"Has the key"</span> }.into_any()
                } else {
                    view! { <span class="tag warning" title="No browser holding this group's key has been online since they were added.">"Waiting for access"</span> }.into_any()
                }}</td>
                <td>{(managed && Some(account) != me).then(|| view! {
                    <button type="button" class="button small" disabled=busy on:click=take_out>"Remove"</button>
                })}</td>
            </tr>
        }
    };
    view! {
        <section class="card" data-testid="group" aria-label=title.clone()>
            <h3>{title.clone()}
                {group.stale.then(|| view! { <span class="tag warning">"Making its next key…"</span> })}
            </h3>
            <table class="table">
                <thead><tr><th>"Person"</th><th>"Role"</th><th>"Key"</th><th></th></tr></thead>
                <tbody>{group.people.clone().into_iter().map(person_row).collect_view()}</tbody>
            </table>
            {managed.then(|| view! {
                <form class="inline-form" aria-label="Add people to the group" on:submit=add>
                    <label for=format!("add-{id}")>"Add people"</label>
                    <input autocomplete="off" id=format!("add-{id}") required placeholder="dave@acme.example" prop:value=adding
                        on:input=move |ev| adding.set(event_target_value(&ev)) />
                    {group_role_select("add-role", role)}
                    <button type="submit" class="button small" disabled=busy>"Add"</button>
                </form>
                <form class="inline-form" aria-label="Rename the group" on:submit=rename>
                    <label for=format!("rename-{id}")>"Name"</label>
                    <input autocomplete="off" id=format!("rename-{id}") required prop:value=renaming
                        on:input=move |ev| renaming.set(event_target_value(&ev)) />
                    <button type="submit" class="button small" disabled=busy>"Rename"</button>
                </form>
                <button type="button" class="button small danger" disabled=busy on:click=remove_group>"Delete group"</button>
            })}
        </section>
    }
    .into_any()
}
