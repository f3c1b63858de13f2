//! Setting up an organization from a signed-in account: a partner (an MSP, who then makes its
//! customers' companies) or a company for one's own business.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_navigate;

use crate::pages::signup::ErrorLine;
use crate::services::auth::AuthStatus;
use crate::services::orgs::Orgs;
use crate::services::{Auth, Services};

/// The set-up page.
#[component]
pub fn NewOrganization() -> impl IntoView {
    let services = Services::handle();
    let status = Auth::get();
    let memberships = Orgs::get();
    let navigate = use_navigate();
    let (partner_name, set_partner_name) = signal(String::new());
    let (company_name, set_company_name) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let create = move |partner: bool| {
        set_error.set(None);
        set_busy.set(true);
        let orgs = services.orgs();
        let go = navigate.clone();
        let name = if partner {
            partner_name.get_untracked()
        } else {
            company_name.get_untracked()
        };
        spawn_local(async move {
            let made = if partner {
                orgs.create_partner(&name).await
            } else {
                orgs.create_company(&name).await
            };
            match made {
                Ok(m) => {
                    let path = match (partner, m.partner, m.company) {
                        (true, Some(p), _) => format!("/partner/{}/companies", p.id),
                        (false, _, Some(c)) => format!("/admin/company/{}/users", c.id),
                        _ => "/".to_owned(),
                    };
                    go(&path, Default::default());
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
            set_busy.set(false);
        });
    };
    let create_partner = create.clone();
    view! {
        <section class="page">
            {move || matches!(status.get(), AuthStatus::SignedOut).then(|| view! { <Redirect path="/login" /> })}
            <h1>"Set up your organization"</h1>
            <ErrorLine error=error />
            <div class="cards">
                {move || memberships.get().map(|m| m.partner.is_none()).unwrap_or(true).then(|| {
                    let create_partner = create_partner.clone();
                    view! {
                        <form class="form" data-testid="new-partner" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); create_partner(true); }>
                            <h2>"I am an MSP"</h2>
                            <p class="hint">"Create a partner: you become its Admin, then create your customers' companies and invite their people."</p>
                            <label for="partner-name">"Your MSP's name"</label>
                            <input autocomplete="off" id="partner-name" required prop:value=partner_name on:input=move |ev| set_partner_name.set(event_target_value(&ev)) />
                            <button type="submit" class="button primary" disabled=busy>"Create partner"</button>
                        </form>
                    }
                })}
                {move || memberships.get().map(|m| m.company.is_none()).unwrap_or(true).then(|| {
                    let create = create.clone();
                    view! {
                        <form class="form" data-testid="new-own-company" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); create(false); }>
                            <h2>"A company for my business"</h2>
                            <p class="hint">"Create a company: you become its Admin and invite your colleagues. Your Business profile belongs to it."</p>
                            <label for="own-company-name">"Company name"</label>
                            <input autocomplete="off" id="own-company-name" required prop:value=company_name on:input=move |ev| set_company_name.set(event_target_value(&ev)) />
                            <button type="submit" class="button primary" disabled=busy>"Create company"</button>
                        </form>
                    }
                })}
            </div>
        </section>
    }
}
