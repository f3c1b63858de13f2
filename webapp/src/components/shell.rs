//! The frame every page sits in: the top bar, the side navigation and the main area.

use leptos::prelude::*;
use leptos_router::components::A;

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
            </header>
            <div class="layout">
                <nav class="sidebar" aria-label="Main">
                    <ul>
                        <li>
                            <A href="/" exact=true>"Overview"</A>
                        </li>
                    </ul>
                </nav>
                <main class="content">{children()}</main>
            </div>
        </div>
    }
}
