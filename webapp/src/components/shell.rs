//! The frame every page sits in: the top bar (with the account's Lock and Sign out), the side
//! navigation and the main area.

use crate::components::sign_out::SignOutButton;
use leptos::prelude::*;

use crate::components::policy_notice::PolicyNotice;
use leptos_router::components::A;

use shared_types::org::{CompanyRole, Permission};

use crate::services::auth::AuthStatus;
use crate::services::orgs::Orgs;
use crate::services::{Auth, Storage, StorageState};

/// The app frame around `children`.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    view! {
        <div class="app" data-app-ready="true">
            <header class="topbar">
                <a class="brand" href="/">
                    <img class="brand-mark" src="/favicon.svg" alt="" width="24" height="24" />
                    <span>"Strongroom"</span>
                </a>
                <span class="tagline">"Zero-knowledge password manager"</span>
                <AccountControls />
            </header>
            <StorageNotice />
            <div class="layout">
                <nav class="sidebar" aria-label="Main">
                    <ul>
                        <li>
                            <A href="/" exact=true>"Vault"</A>
                        </li>
                        <li>
                            <A href="/import">"Import"</A>
                        </li>
                        <li>
                            <A href="/export">"Export"</A>
                        </li>
                        <li>
                            <A href="/contacts">"Contacts"</A>
                        </li>
                        <li>
                            <A href="/settings">"Account settings"</A>
                        </li>
                        <li>
                            <A href="/status">"Status"</A>
                        </li>
                        <OrganizationLinks />
                    </ul>
                </nav>
                <main class="content"><PolicyNotice />{children()}</main>
            </div>
        </div>
    }
}

/// The company admin and partner links, for those whose memberships allow them, or the way to
/// set up an organization for those in none.
#[component]
fn OrganizationLinks() -> impl IntoView {
    let memberships = Orgs::get();
    move || {
        let m = memberships.get()?;
        let admin = m
            .company
            .as_ref()
            .filter(|c| c.role == CompanyRole::Admin)
            .map(|c| {
                view! {
                    <li><A href=format!("/admin/company/{}/users", c.id)>"Company admin"</A></li>
                }
            });
        let partner = m.partner.as_ref().map(|p| {
            let home = if p.permissions.contains(&Permission::CompaniesView) {
                "companies"
            } else {
                "roles"
            };
            view! {
                <li><A href=format!("/partner/{}/{home}", p.id)>"Partner"</A></li>
            }
        });
        let set_up = (m.company.is_none() && m.partner.is_none()).then(|| {
            view! {
                <li><A href="/organizations/new">"Set up an organization"</A></li>
            }
        });
        Some(view! { {admin} {partner} {set_up} })
    }
}

/// What to do when another tab holds this browser's store: close an older Strongroom that
/// holds up this one's upgrade, or reload after a newer one upgraded it.
#[component]
fn StorageNotice() -> impl IntoView {
    let storage = Storage::get();
    let reload = |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    };
    move || {
        match storage.get() {
        StorageState::Ready => ().into_any(),
        StorageState::Waiting => view! {
            <div class="storage-notice" role="alert" data-testid="storage-waiting">
                "Strongroom is open in another tab with an older version, and that tab holds up this one's update. Close the other tab (or reload it): this one then goes on by itself, and nothing is lost."
            </div>
        }
        .into_any(),
        StorageState::Superseded => view! {
            <div class="storage-notice" role="alert" data-testid="storage-superseded">
                "Strongroom was updated in another tab. Reload this tab to go on: everything you saved is kept. "
                <button type="button" class="button" on:click=reload>"Reload"</button>
            </div>
        }
        .into_any(),
    }
    }
}

/// Who is signed in, with Lock and Sign out, while the vault is open.
#[component]
fn AccountControls() -> impl IntoView {
    let status = Auth::get();
    move || match status.get() {
        AuthStatus::Unlocked(keys) => {
            let email = keys.email.clone();
            // Locking drops the keys: the last reference goes and they are zeroized.
            let lock = move |_| {
                status.set(AuthStatus::Locked {
                    email: email.clone(),
                })
            };
            view! {
                <div class="account">
                    <span data-testid="account-email">{keys.email.clone()}</span>
                    <button type="button" class="button light" on:click=lock>"Lock"</button>
                    <SignOutButton class="button light" />
                </div>
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}
