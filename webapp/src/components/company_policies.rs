//! "Your company's policies" in Account settings: what the member's company sets that touches
//! them, in plain words, so nobody meets a policy for the first time as a refusal.

use leptos::prelude::*;
use shared_types::policy::ExportLimit;

use crate::services::local_time;
use crate::services::policies::{Policies, export_limit};

/// The card (nothing for an account in no company).
#[component]
pub fn CompanyPoliciesCard() -> impl IntoView {
    let mine = Policies::get();
    move || {
        let m = mine.get()?;
        m.company?;
        let p = &m.policies;
        let mut lines: Vec<String> = Vec::new();
        if p.two_factor_required() {
            lines.push("Two-factor authentication is required.".into());
        }
        if let Some(days) = p.password_max_age_days() {
            let due = m
                .password_change_due
                .map(|d| format!(" Next change due {}.", local_time(d)))
                .unwrap_or_default();
            lines.push(format!(
                "The master password must change every {days} days.{due}"
            ));
        }
        if p.sharing_disabled() {
            lines.push("Sharing is disabled: shared folders are read-only.".into());
        } else if !p.share_recipients().is_empty() {
            lines.push(format!(
                "Sharing only with: {}.",
                p.share_recipients().join(", ")
            ));
        }
        if p.business_items_forced() && !m.company_domains.is_empty() {
            lines.push(format!(
                "Items for {} are kept in the Business profile.",
                m.company_domains.join(", ")
            ));
        }
        match export_limit(Some(&m)) {
            ExportLimit::Off => {}
            ExportLimit::PersonalOnly => {
                lines.push("Only the Personal profile may be exported.".into())
            }
            ExportLimit::NoProfiles => lines.push("Exports are disabled.".into()),
        }
        if p.sync_required() {
            lines.push("Online backup and sync must stay on.".into());
        }
        if p.business_removed_with_member() {
            lines.push("If you leave the company, your Business profile stays with it.".into());
        }
        if p.portal_restricted() && !m.admin {
            lines.push("The company's pages are for its Admins only.".into());
        }
        let pages = p.disabled_pages().to_vec();
        Some(view! {
            <section class="card" role="region" aria-labelledby="company-policies-title" data-testid="company-policies">
                <h2 id="company-policies-title">"Your company's policies"</h2>
                {if lines.is_empty() && pages.is_empty() {
                    view! { <p class="hint">"Your company sets no policy that changes how you use Strongroom."</p> }.into_any()
                } else {
                    view! { <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> }.into_any()
                }}
                {(!pages.is_empty()).then(|| view! {
                    <p>"Strongroom never offers to fill or save on these pages:"</p>
                    <ul data-testid="disabled-pages">{pages.into_iter().map(|page| view! { <li><code>{page}</code></li> }).collect_view()}</ul>
                })}
            </section>
        })
    }
}
