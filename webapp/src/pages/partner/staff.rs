//! The partner's staff: invite with a role, move to another role, remove, resend or withdraw an
//! invitation.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::org::{InviteStaffRequest, MemberStatus, Permission, RoleView, StaffRow};
use shared_types::{PartnerRoleId, StaffId};

use super::{PartnerFrame, partner_of_path};
use crate::pages::signup::ErrorLine;
use crate::services::{Services, local_time};

/// The staff page.
#[component]
pub fn PartnerStaffPage() -> impl IntoView {
    view! {
        <PartnerFrame tab="staff" permission=Some(Permission::PartnerManageStaff)>
            <Staff />
        </PartnerFrame>
    }
}

#[component]
fn Staff() -> impl IntoView {
    let services = Services::handle();
    let partner = partner_of_path();
    let (version, set_version) = signal(0u32);
    let (error, set_error) = signal(None::<String>);
    let refresh = move || set_version.update(|v| *v += 1);
    let data = LocalResource::new(move || {
        let id = partner.get();
        version.track();
        async move {
            let Some(id) = id else {
                return Err(crate::api::ApiError::Unreachable);
            };
            let orgs = services.orgs();
            Ok((orgs.staff(id).await?, orgs.roles(id).await?))
        }
    });
    let act = move |run: &'static str, staff: StaffId, role: Option<PartnerRoleId>| {
        let Some(id) = partner.get_untracked() else {
            return;
        };
        set_error.set(None);
        spawn_local(async move {
            let orgs = services.orgs();
            let done = match (run, role) {
                ("role", Some(role)) => orgs.change_staff_role(id, staff, role).await.map(|_| ()),
                ("remove", _) => orgs.remove_staff(id, staff).await,
                (action, _) => orgs.staff_invitation(id, staff, action).await.map(|_| ()),
            };
            if let Err(e) = done {
                set_error.set(Some(e.to_string()));
            }
            refresh();
        });
    };
    let row = move |s: StaffRow, roles: Vec<RoleView>| {
        let id = s.id;
        let status = s.status;
        let current = s.role_id;
        view! {
            <tr data-testid="staff-row">
                <td>{s.email.clone()}</td>
                <td>{s.name.clone()}</td>
                <td>
                    <select aria-label=format!("Role of {}", s.email) disabled=status == MemberStatus::Removed
                        on:change=move |ev| {
                            if let Ok(role) = event_target_value(&ev).parse() {
                                act("role", id, Some(PartnerRoleId(role)));
                            }
                        }>
                        {roles.into_iter().map(|r| view! {
                            <option value=r.id.to_string() selected=r.id == current>{r.name}</option>
                        }).collect_view()}
                    </select>
                </td>
                <td>{match status { MemberStatus::Active => "Active", MemberStatus::Invited => "Invited", MemberStatus::Removed => "Removed" }}</td>
                <td>{match s.two_factor { Some(true) => "On", Some(false) => "Off", None => "—" }}</td>
                <td>{s.last_active.map(local_time).unwrap_or_else(|| "—".to_owned())}</td>
                <td class="actions">
                    {(status == MemberStatus::Invited).then(|| view! {
                        <button type="button" class="button" on:click=move |_| act("resend", id, None)>"Resend"</button>
                        <button type="button" class="button" on:click=move |_| act("revoke", id, None)>"Revoke"</button>
                    })}
                    {(status == MemberStatus::Active).then(|| view! {
                        <button type="button" class="button" on:click=move |_| act("remove", id, None)>"Remove"</button>
                    })}
                </td>
            </tr>
        }
    };
    view! {
        <ErrorLine error=error />
        {move || match data.get() {
            None => view! { <p>"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            Some(Ok((staff, roles))) => {
                let invite_roles = roles.clone();
                view! {
                    <table class="table">
                        <thead><tr><th>"Email"</th><th>"Name"</th><th>"Role"</th><th>"Status"</th><th>"2FA"</th><th>"Last active"</th><th></th></tr></thead>
                        <tbody>{staff.into_iter().map(|s| row(s, roles.clone())).collect_view()}</tbody>
                    </table>
                    <InviteStaff roles=invite_roles on_done=Callback::new(move |()| refresh()) />
                }
                .into_any()
            }
        }}
    }
}

#[component]
fn InviteStaff(roles: Vec<RoleView>, on_done: Callback<()>) -> impl IntoView {
    let services = Services::handle();
    let partner = partner_of_path();
    let first = roles
        .iter()
        .find(|r| r.builtin.is_some() && r.name == "Technician")
        .or(roles.first())
        .map(|r| r.id);
    let (email, set_email) = signal(String::new());
    let (name, set_name) = signal(String::new());
    let (role, set_role) = signal(first);
    let (error, set_error) = signal(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(id), Some(role)) = (partner.get_untracked(), role.get_untracked()) else {
            return;
        };
        let request = InviteStaffRequest {
            email: email.get_untracked(),
            name: name.get_untracked(),
            role_id: role,
        };
        spawn_local(async move {
            match services.orgs().invite_staff(id, &request).await {
                Ok(_) => {
                    set_email.set(String::new());
                    set_name.set(String::new());
                    set_error.set(None);
                    on_done.run(());
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="form narrow" on:submit=submit>
            <h2>"Invite staff"</h2>
            <label for="staff-email">"Email"</label>
            <input autocomplete="off" id="staff-email" type="email" required prop:value=email on:input=move |ev| set_email.set(event_target_value(&ev)) />
            <label for="staff-name">"Name (optional)"</label>
            <input autocomplete="off" id="staff-name" prop:value=name on:input=move |ev| set_name.set(event_target_value(&ev)) />
            <label for="staff-role">"Role"</label>
            <select id="staff-role" on:change=move |ev| set_role.set(event_target_value(&ev).parse().ok().map(PartnerRoleId))>
                {roles.into_iter().map(|r| view! { <option value=r.id.to_string() selected=Some(r.id) == first>{r.name}</option> }).collect_view()}
            </select>
            <ErrorLine error=error />
            <button type="submit" class="button primary">"Send invitation"</button>
        </form>
    }
}
