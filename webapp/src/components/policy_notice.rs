//! What the member's company asks of them, above every page: a step to take before the vault
//! opens (two-factor set-up, a due master-password change), or a master-password change coming
//! due soon. The server refuses vault data until the step is taken; this says why and where.
//! An Admin of a company whose policies nobody has set yet is asked to review the recommended
//! ones.

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use shared_types::policy::Obligation;

use crate::services::policies::{Policies, owes_something};
use crate::services::{local_time, now_ms};

/// How many days ahead a coming master-password change is announced.
const WARN_DAYS: i64 = 14;

/// The notice (nothing when the company asks nothing now).
#[component]
pub fn PolicyNotice() -> impl IntoView {
    let mine = Policies::get();
    let location = use_location();
    // "Not now" holds until the page is reloaded.
    let (later, set_later) = signal(false);
    move || {
        let m = mine.get()?;
        // A step the vault waits for comes first.
        if m.review_pending
            && m.obligations.is_empty()
            && !later.get()
            && let Some(company) = m.company
            && !location.pathname.get().ends_with("/policies")
        {
            return Some(
                view! {
                    <div class="banner policy-notice" role="note" data-testid="policy-review">
                        "Your company's security policies have not been reviewed yet. "
                        <a href=format!("/admin/company/{company}/policies")>"Review the recommended policies"</a>
                        " "
                        <button type="button" class="button" on:click=move |_| set_later.set(true)>"Not now"</button>
                    </div>
                }
                .into_any(),
            );
        }
        if let Some(first) = m.obligations.first() {
            let text = match first {
                Obligation::SetUpTwoFactor => {
                    "Your company requires two-factor authentication. Set it up under Account settings to open your vault."
                }
                Obligation::ChangeMasterPassword => {
                    "Your company requires a new master password now. Change it under Account settings to open your vault."
                }
            };
            return Some(
                view! {
                    <div class="banner policy-notice" role="alert" data-testid="policy-obligation">
                        {text} " " <a href="/settings">"Account settings"</a>
                    </div>
                }
                .into_any(),
            );
        }
        let due = m.password_change_due?;
        // Whole days, to the nearest: the browser's clock and the server's differ a little.
        let days = ((due as f64 - now_ms() / 1000.0) / 86_400.0).round() as i64;
        (days < WARN_DAYS).then(|| {
            view! {
                <div class="banner policy-notice" role="status" data-testid="password-due">
                    {format!(
                        "Your company asks for a new master password every so often: change it by {} ({}).",
                        local_time(due),
                        match days { 0 => "today".to_owned(), 1 => "in 1 day".to_owned(), n => format!("in {n} days") }
                    )}
                    " " <a href="/settings">"Account settings"</a>
                </div>
            }
            .into_any()
        })
    }
}

/// Whether the company asks something of the member before the vault opens.
pub fn vault_held() -> Memo<bool> {
    let mine = Policies::get();
    Memo::new(move |_| mine.with(owes_something))
}
