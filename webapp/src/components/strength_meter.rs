//! The master-password strength meter: a bar and a word, announced as they change.

use leptos::prelude::*;

use crate::services::strength::Strength;

/// Shows `strength` once something is typed (`typed`), labelled `label` for assistive technology.
#[component]
pub fn StrengthMeter(
    strength: Memo<Strength>,
    typed: Signal<bool>,
    label: &'static str,
) -> impl IntoView {
    view! {
        <div class="meter" aria-live="polite">
            <meter min="0" max="4" value=move || strength.get().score aria-label=label></meter>
            <span data-testid="strength-label">
                {move || if typed.get() { strength.get().label().to_owned() } else { String::new() }}
            </span>
        </div>
    }
}
