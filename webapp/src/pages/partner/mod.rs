//! The partner views (`/partner/:partner_id/…`): the partner's customer companies, its staff
//! and its access roles. Shown only to the partner's staff, each page only to those whose role
//! allows it.

pub mod companies;
pub mod policies;
pub mod roles;
pub mod staff;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared_types::PartnerId;
use shared_types::org::Permission;

use crate::pages::not_found::NotFound;
use crate::pages::vault::until_unlocked;
use crate::services::Auth;
use crate::services::orgs::{Access, Orgs};

/// The partner of the page's address.
pub fn partner_of_path() -> Memo<Option<PartnerId>> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("partner_id")
            .and_then(|id| id.parse().ok())
    })
}

/// The frame of a partner page: its name, the tabs the person may open, and `children` only
/// when their role holds `permission`.
#[component]
pub fn PartnerFrame(
    tab: &'static str,
    permission: Option<Permission>,
    children: ChildrenFn,
) -> impl IntoView {
    // Read through a memo: a reload that brings the same memberships (e.g. after saving the
    // settings) must not rebuild the page and lose what it shows.
    let memberships = Orgs::get();
    let memberships = Memo::new(move |_| memberships.get());
    let partner = partner_of_path();
    let children = StoredValue::new(children);
    let status = Auth::get();
    move || {
        if let Some(waiting) = until_unlocked(status.get()) {
            return waiting;
        }
        let Some(id) = partner.get() else {
            return view! { <NotFound /> }.into_any();
        };
        match memberships.get() {
            None => view! { <p class="page">"Loading…"</p> }.into_any(),
            Some(m) if !m.staff_of(id, permission) => view! { <NotFound /> }.into_any(),
            Some(m) => {
                let name = m
                    .partner
                    .as_ref()
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                let may = |p: Permission| m.staff_of(id, Some(p));
                view! {
                    <section class="page" data-testid="partner-page">
                        <h1>{name}</h1>
                        <nav class="tabs" aria-label="Partner">
                            {may(Permission::CompaniesView).then(|| view! {
                                <a href=format!("/partner/{id}/companies") class:active=tab == "companies">"Companies"</a>
                            })}
                            {may(Permission::CompaniesView).then(|| view! {
                                <a href=format!("/partner/{id}/policies") class:active=tab == "policies">"Policies"</a>
                            })}
                            {may(Permission::PartnerManageStaff).then(|| view! {
                                <a href=format!("/partner/{id}/staff") class:active=tab == "staff">"Staff"</a>
                            })}
                            <a href=format!("/partner/{id}/roles") class:active=tab == "roles">"Roles"</a>
                        </nav>
                        {children.with_value(|c| c())}
                    </section>
                }
                .into_any()
            }
        }
    }
}

/// A permission as people read it.
pub fn permission_text(p: Permission) -> &'static str {
    match p {
        Permission::CompaniesView => "See companies and open their admin views",
        Permission::CompaniesCreate => "Create companies and change their name, tier and contact",
        Permission::CompaniesManageUsers => "Invite, change and remove companies' users",
        Permission::CompaniesManagePolicies => "Set companies' security policies",
        Permission::ReportsPasswordAuditing => "Read password-auditing reports",
        Permission::PartnerManageStaff => "Invite, change and remove staff",
        Permission::PartnerManageRoles => "Create and edit access roles",
    }
}
