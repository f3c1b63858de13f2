//! The customer admin views (`/admin/company/:company_id/…`): the users, the settings and the
//! activity log of one company, for its Admins and for the staff of its partner. The pages
//! exist only for those the memberships allow: anyone else sees "not found" and their browser
//! asks the server for nothing.

pub mod activity;
pub mod groups;
pub mod policies;
pub mod settings;
pub mod users;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared_types::CompanyId;

use crate::pages::not_found::NotFound;
use crate::pages::vault::until_unlocked;
use crate::services::Auth;
use crate::services::Services;
use crate::services::orgs::{Access, Orgs};

/// The company of the page's address.
pub fn company_of_path() -> Memo<Option<CompanyId>> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("company_id")
            .and_then(|id| id.parse().ok())
    })
}

/// The frame of a company admin page: its name, the tabs, the banner shown to partner staff,
/// and `children` only for those who may see it.
#[component]
pub fn CompanyAdmin(tab: &'static str, children: ChildrenFn) -> impl IntoView {
    // Read through a memo: a reload that brings the same memberships (e.g. after saving the
    // settings) must not rebuild the page and lose what it shows.
    let memberships = Orgs::get();
    let memberships = Memo::new(move |_| memberships.get());
    let company = company_of_path();
    let children = StoredValue::new(children);
    let status = Auth::get();
    move || {
        if let Some(waiting) = until_unlocked(status.get()) {
            return waiting;
        }
        let Some(id) = company.get() else {
            return view! { <NotFound /> }.into_any();
        };
        match memberships.get() {
            None => view! { <p class="page">"Loading…"</p> }.into_any(),
            Some(m) if !m.administers(id) => view! { <NotFound /> }.into_any(),
            Some(m) => {
                let own = m.company.as_ref().is_some_and(|c| c.id == id);
                let partner_name = m
                    .partner
                    .as_ref()
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                view! {
                    <section class="page" data-testid="company-admin">
                        <CompanyHeading company=id partner_name=(!own).then_some(partner_name) />
                        <nav class="tabs" aria-label="Company admin">
                            <a href=format!("/admin/company/{id}/users") class:active=tab == "users">"Users"</a>
                            <a href=format!("/admin/company/{id}/settings") class:active=tab == "settings">"Settings"</a>
                            <a href=format!("/admin/company/{id}/policies") class:active=tab == "policies">"Policies"</a>
                            <a href=format!("/admin/company/{id}/activity") class:active=tab == "activity">"Activity"</a>
                            {own.then(|| view! {
                                <a href=format!("/admin/company/{id}/groups") class:active=tab == "groups">"Groups"</a>
                            })}
                        </nav>
                        {children.with_value(|c| c())}
                    </section>
                }
                .into_any()
            }
        }
    }
}

/// The company's name, and for partner staff the notice that the visit is recorded.
#[component]
fn CompanyHeading(company: CompanyId, partner_name: Option<String>) -> impl IntoView {
    let services = Services::handle();
    let found = LocalResource::new(move || async move { services.orgs().settings(company).await });
    view! {
        <h1 data-testid="company-name">
            {move || found.get().and_then(Result::ok).map(|s| s.name).unwrap_or_else(|| "Company".to_owned())}
        </h1>
        {partner_name.map(|partner| view! {
            <p class="banner" data-testid="partner-banner">
                {move || {
                    let name = found.get().and_then(Result::ok).map(|s| s.name).unwrap_or_default();
                    format!("You are viewing {name} as {partner} staff. This visit is recorded in {name}'s activity log.")
                }}
            </p>
        })}
    }
}
