//! The partner's access roles: the built-in Admin and Technician (read-only), and custom roles
//! made from the list of permissions. Permissions a chosen one implies are ticked and locked.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::PartnerRoleId;
use shared_types::org::{Permission, RoleRequest, RoleView};

use super::{PartnerFrame, partner_of_path, permission_text};
use crate::pages::signup::ErrorLine;
use crate::services::Services;
use crate::services::orgs::{Access, Orgs};

/// The roles page.
#[component]
pub fn PartnerRolesPage() -> impl IntoView {
    view! {
        <PartnerFrame tab="roles" permission=None>
            <Roles />
        </PartnerFrame>
    }
}

#[component]
fn Roles() -> impl IntoView {
    let services = Services::handle();
    let partner = partner_of_path();
    let memberships = Orgs::get();
    let (version, set_version) = signal(0u32);
    let (error, set_error) = signal(None::<String>);
    let editing = RwSignal::new(None::<Option<RoleView>>);
    let refresh = move || set_version.update(|v| *v += 1);
    let roles = LocalResource::new(move || {
        let id = partner.get();
        version.track();
        async move {
            match id {
                Some(id) => services.orgs().roles(id).await,
                None => Ok(Vec::new()),
            }
        }
    });
    let may_edit = move || {
        partner
            .get()
            .zip(memberships.get())
            .is_some_and(|(id, m)| m.staff_of(id, Some(Permission::PartnerManageRoles)))
    };
    let delete = move |role: PartnerRoleId| {
        let Some(id) = partner.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match services.orgs().delete_role(id, role).await {
                Ok(()) => set_error.set(None),
                Err(e) => set_error.set(Some(e.to_string())),
            }
            refresh();
        });
    };
    let row = move |r: RoleView| {
        let custom = r.builtin.is_none();
        let id = r.id;
        let edit_role = r.clone();
        view! {
            <tr data-testid="role-row">
                <td>{r.name.clone()}{(!custom).then(|| view! { <span class="tag">"Built-in"</span> })}</td>
                <td>{r.permissions.iter().map(|p| permission_text(*p)).collect::<Vec<_>>().join("; ")}</td>
                <td>{r.staff_count}</td>
                <td class="actions">
                    {(custom && may_edit()).then(|| view! {
                        <button type="button" class="button" on:click=move |_| editing.set(Some(Some(edit_role.clone())))>"Edit"</button>
                        <button type="button" class="button" on:click=move |_| delete(id)>"Delete"</button>
                    })}
                </td>
            </tr>
        }
    };
    view! {
        <ErrorLine error=error />
        {move || match roles.get() {
            None => view! { <p>"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            Some(Ok(list)) => view! {
                <table class="table">
                    <thead><tr><th>"Role"</th><th>"Allows"</th><th>"Staff"</th><th></th></tr></thead>
                    <tbody>{list.into_iter().map(row).collect_view()}</tbody>
                </table>
            }.into_any(),
        }}
        {move || may_edit().then(|| view! {
            <button type="button" class="button" on:click=move |_| editing.set(Some(None))>"New role"</button>
        })}
        {move || editing.get().map(|role| view! {
            <RoleEditor role=role on_done=Callback::new(move |()| { editing.set(None); refresh(); }) />
        })}
    }
}

#[component]
fn RoleEditor(role: Option<RoleView>, on_done: Callback<()>) -> impl IntoView {
    let services = Services::handle();
    let partner = partner_of_path();
    let id = role.as_ref().map(|r| r.id);
    let (name, set_name) = signal(role.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let chosen = RwSignal::new(role.map(|r| r.permissions).unwrap_or_default());
    let (error, set_error) = signal(None::<String>);
    let implied = move |p: Permission| {
        chosen
            .get()
            .iter()
            .any(|held| *held != p && held.implied().contains(&p))
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(partner) = partner.get_untracked() else {
            return;
        };
        let request = RoleRequest {
            name: name.get_untracked(),
            permissions: chosen.get_untracked(),
        };
        spawn_local(async move {
            match services.orgs().save_role(partner, id, &request).await {
                Ok(_) => on_done.run(()),
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="form narrow" on:submit=save data-testid="role-editor">
            <h2>{if id.is_some() { "Edit role" } else { "New role" }}</h2>
            <label for="role-name">"Name"</label>
            <input autocomplete="off" id="role-name" required prop:value=name on:input=move |ev| set_name.set(event_target_value(&ev)) />
            {Permission::ALL.into_iter().map(|p| view! {
                <label>
                    <input type="checkbox" data-permission=p.name()
                        prop:checked=move || chosen.get().contains(&p) || implied(p)
                        disabled=move || implied(p)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| {
                                c.retain(|q| *q != p);
                                if on { c.push(p); }
                            });
                        } />
                    " " {permission_text(p)}
                </label>
            }).collect_view()}
            <ErrorLine error=error />
            <button type="submit" class="button primary">"Save role"</button>
        </form>
    }
}
