//! A company's settings: its name, contact address and own domains; the tier is shown, set by
//! the partner.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::org::{Tier, UpdateCompanySettings};

use super::{CompanyAdmin, company_of_path};
use crate::pages::signup::ErrorLine;
use crate::services::Services;

/// The settings page.
#[component]
pub fn CompanySettingsPage() -> impl IntoView {
    view! { <CompanyAdmin tab="settings"><SettingsForm /></CompanyAdmin> }
}

#[component]
fn SettingsForm() -> impl IntoView {
    let services = Services::handle();
    let company = company_of_path();
    let (name, set_name) = signal(String::new());
    let (contact, set_contact) = signal(String::new());
    let (domains, set_domains) = signal(String::new());
    let (tier, set_tier) = signal(None::<Tier>);
    let (partner, set_partner) = signal(None::<String>);
    let (error, set_error) = signal(None::<String>);
    let (saved, set_saved) = signal(false);
    Effect::new(move |_| {
        let Some(id) = company.get() else { return };
        spawn_local(async move {
            match services.orgs().settings(id).await {
                Ok(s) => {
                    set_name.set(s.name);
                    set_contact.set(s.contact_email);
                    set_domains.set(s.domains.join("\n"));
                    set_tier.set(Some(s.tier));
                    set_partner.set(s.partner_name);
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = company.get_untracked() else {
            return;
        };
        set_saved.set(false);
        set_error.set(None);
        let request = UpdateCompanySettings {
            name: name.get_untracked(),
            contact_email: contact.get_untracked(),
            domains: Some(
                domains
                    .get_untracked()
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
        };
        spawn_local(async move {
            match services.orgs().save_settings(id, &request).await {
                Ok(s) => {
                    set_name.set(s.name);
                    set_contact.set(s.contact_email);
                    set_domains.set(s.domains.join("\n"));
                    set_saved.set(true);
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="form narrow" on:submit=save>
            <label for="company-name-input">"Company name"</label>
            <input autocomplete="off" id="company-name-input" required prop:value=name on:input=move |ev| set_name.set(event_target_value(&ev)) />
            <label for="company-contact">"Contact email"</label>
            <input autocomplete="off" id="company-contact" type="email" required prop:value=contact on:input=move |ev| set_contact.set(event_target_value(&ev)) />
            <label for="company-domains">"Company domains"</label>
            <textarea id="company-domains" rows="3" autocomplete="off" spellcheck="false" placeholder="acme.example"
                prop:value=domains on:input=move |ev| set_domains.set(event_target_value(&ev))></textarea>
            <p class="hint">"One per line. Under the policy \"Force business items into business profile\", items for these domains (and their subdomains) are kept in Business."</p>
            <p class="hint">
                "Tier: " {move || match tier.get() { Some(Tier::Advanced) => "Advanced", Some(Tier::Standard) => "Standard", None => "…" }}
                {move || partner.get().map(|p| format!(" (set by {p})"))}
            </p>
            <ErrorLine error=error />
            {move || saved.get().then(|| view! { <p class="ok" role="status">"Saved."</p> })}
            <button type="submit" class="button primary">"Save"</button>
        </form>
    }
}
