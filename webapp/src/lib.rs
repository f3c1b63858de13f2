//! Strongroom's browser app. Components render and dispatch; services (provided through
//! context) do the work with `wasm-crypto`, the IndexedDB cache and the API client. Components
//! never call crypto, IndexedDB or fetch directly.

pub mod api;
pub mod cache;
pub mod components;
pub mod pages;
pub mod services;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::idle_lock::IdleLock;
use crate::components::shell::Shell;
use crate::pages::admin::{
    activity::CompanyActivityPage, groups::CompanyGroupsPage, policies::CompanyPoliciesPage,
    settings::CompanySettingsPage, users::CompanyUsersPage,
};
use crate::pages::partner::{
    companies::PartnerCompaniesPage, policies::PartnerPoliciesPage, roles::PartnerRolesPage,
    staff::PartnerStaffPage,
};
use crate::pages::{
    contacts::Contacts, export::Export, import::Import, invite::Invite, login::SignIn,
    not_found::NotFound, organizations::NewOrganization, overview::Overview, settings::Settings,
    signup::SignUp, vault::Vault,
};
use crate::services::auth::AuthStatus;
use crate::services::{Auth, Services};

/// The whole app: services in context, the shell, and the routes.
#[component]
pub fn App() -> impl IntoView {
    Services::provide_browser();
    let auth = Services::get().auth;
    let status = Auth::get();
    services::other_tabs::follow_sign_outs(status, Services::get().cache);
    spawn_local(async move {
        // A damaged store reads as signed out: the person can sign in again.
        let initial = auth.initial_status().await.unwrap_or(AuthStatus::SignedOut);
        status.set(initial);
    });
    spawn_local(async {
        if let Err(e) = services::offline::register_service_worker().await {
            leptos::logging::warn!("the app will not start offline: {e}");
        }
    });
    view! {
        <IdleLock />
        <Router>
            <Shell>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Vault />
                    <Route path=path!("/login") view=SignIn />
                    <Route path=path!("/signup") view=SignUp />
                    <Route path=path!("/status") view=Overview />
                    <Route path=path!("/settings") view=Settings />
                    <Route path=path!("/contacts") view=Contacts />
                    <Route path=path!("/import") view=Import />
                    <Route path=path!("/export") view=Export />
                    <Route path=path!("/invite") view=Invite />
                    <Route path=path!("/organizations/new") view=NewOrganization />
                    <Route path=path!("/admin/company/:company_id/users") view=CompanyUsersPage />
                    <Route path=path!("/admin/company/:company_id/settings") view=CompanySettingsPage />
                    <Route path=path!("/admin/company/:company_id/policies") view=CompanyPoliciesPage />
                    <Route path=path!("/admin/company/:company_id/activity") view=CompanyActivityPage />
                    <Route path=path!("/admin/company/:company_id/groups") view=CompanyGroupsPage />
                    <Route path=path!("/partner/:partner_id/companies") view=PartnerCompaniesPage />
                    <Route path=path!("/partner/:partner_id/policies") view=PartnerPoliciesPage />
                    <Route path=path!("/partner/:partner_id/staff") view=PartnerStaffPage />
                    <Route path=path!("/partner/:partner_id/roles") view=PartnerRolesPage />
                </Routes>
            </Shell>
        </Router>
    }
}

#[cfg(test)]
mod form_fields_tests;
