//! A titled card with a state badge (ok, pending, failed) and details.

use leptos::prelude::*;

/// The state a card shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardState {
    /// Still finding out.
    Pending,
    /// Works.
    Ok,
    /// Does not work; the details say why.
    Failed,
}

impl CardState {
    fn label(self) -> &'static str {
        match self {
            CardState::Pending => "Checking…",
            CardState::Ok => "OK",
            CardState::Failed => "Problem",
        }
    }

    fn class(self) -> &'static str {
        match self {
            CardState::Pending => "badge badge-pending",
            CardState::Ok => "badge badge-ok",
            CardState::Failed => "badge badge-failed",
        }
    }
}

/// A status card. `id` names the region for assistive technology and tests.
#[component]
pub fn StatusCard(
    id: &'static str,
    title: &'static str,
    #[prop(into)] state: Signal<CardState>,
    children: Children,
) -> impl IntoView {
    let heading_id = format!("{id}-title");
    let labelled_by = heading_id.clone();
    view! {
        <section class="card" role="region" aria-labelledby=labelled_by>
            <header class="card-header">
                <h2 id=heading_id>{title}</h2>
                <span class=move || state.get().class() data-testid=format!("{id}-state")>
                    {move || state.get().label()}
                </span>
            </header>
            <div class="card-body">{children()}</div>
        </section>
    }
}
