//! Shown for an address the app does not know.

use leptos::prelude::*;

/// The "not found" page.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <a href="/">"Go to your vault"</a> "."</p>
        </section>
    }
}
