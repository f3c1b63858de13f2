//! Strongroom's browser app. Components render and dispatch; services (provided through
//! context) do the work with `wasm-crypto`, the IndexedDB cache and the API client. Components
//! never call crypto, IndexedDB or fetch directly.

pub mod api;
pub mod cache;
pub mod components;
pub mod pages;
pub mod services;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::shell::Shell;
use crate::pages::{not_found::NotFound, overview::Overview};
use crate::services::Services;

/// The whole app: services in context, the shell, and the routes.
#[component]
pub fn App() -> impl IntoView {
    Services::provide_browser();
    view! {
        <Router>
            <Shell>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Overview />
                </Routes>
            </Shell>
        </Router>
    }
}
