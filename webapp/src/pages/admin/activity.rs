//! A company's activity log: every admin action and every visit of its partner's staff.

use leptos::prelude::*;
use shared_types::org::{AccessLogEntry, ActivityQuery};

use super::{CompanyAdmin, company_of_path};
use crate::services::{Services, local_time};

/// The activity page.
#[component]
pub fn CompanyActivityPage() -> impl IntoView {
    view! { <CompanyAdmin tab="activity"><ActivityList /></CompanyAdmin> }
}

fn action_text(action: &str) -> &str {
    match action {
        "company.created" => "Company created",
        "company.settings_changed" => "Settings changed",
        "company.tier_changed" => "Tier changed",
        "member.invited" => "User invited",
        "members.invited_csv" => "Users invited from a file",
        "invitation.resent" => "Invitation sent again",
        "invitation.link_copied" => "Invitation link copied",
        "invitation.revoked" => "Invitation withdrawn",
        "member.joined" => "User joined",
        "member.role_changed" => "Role changed",
        "member.removed" => "User removed",
        "admin_view.opened" => "Partner staff opened the admin view",
        other => other,
    }
}

#[component]
fn ActivityList() -> impl IntoView {
    let services = Services::handle();
    let company = company_of_path();
    let entries = LocalResource::new(move || async move {
        match company.get() {
            Some(id) => {
                services
                    .orgs()
                    .activity(id, &ActivityQuery::default())
                    .await
            }
            None => Ok(Vec::new()),
        }
    });
    let row = |e: AccessLogEntry| {
        view! {
            <tr data-testid="activity-row">
                <td>{local_time(e.at)}</td>
                <td>{e.actor_email.clone()}{e.via_partner.then(|| view! { <span class="tag">"Partner"</span> })}</td>
                <td>{action_text(&e.action).to_owned()}</td>
                <td>{e.detail.clone()}</td>
            </tr>
        }
    };
    move || {
        match entries.get() {
        None => view! { <p>"Loading…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        Some(Ok(list)) => view! {
            <table class="table">
                <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Details"</th></tr></thead>
                <tbody>{list.into_iter().map(row).collect_view()}</tbody>
            </table>
        }
        .into_any(),
    }
    }
}
