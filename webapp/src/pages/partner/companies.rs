//! The partner's customer companies: searchable, sortable, paged; create one and invite its
//! first Admin in one step; open any company's admin view.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::org::{
    CompanyPage, CompanyQuery, CompanySort, CompanySummary, CreatePartnerCompany, FirstAdmin,
    Permission, Tier,
};

use super::{PartnerFrame, partner_of_path};
use crate::components::list_controls::{ListState, Pager, SearchBox, SortHeader};
use crate::pages::signup::ErrorLine;
use crate::services::orgs::{Access, Orgs};
use crate::services::{Services, local_time, mark, measure};

/// The companies page.
#[component]
pub fn PartnerCompaniesPage() -> impl IntoView {
    view! {
        <PartnerFrame tab="companies" permission=Some(Permission::CompaniesView)>
            <Companies />
        </PartnerFrame>
    }
}

fn tier_text(tier: Tier) -> &'static str {
    match tier {
        Tier::Standard => "Standard",
        Tier::Advanced => "Advanced",
    }
}

#[component]
fn Companies() -> impl IntoView {
    let services = Services::handle();
    let partner = partner_of_path();
    let memberships = Orgs::get();
    let list_state = ListState::new(CompanySort::Name);
    let (version, set_version) = signal(0u32);
    let list = LocalResource::new(move || {
        let query = CompanyQuery {
            q: list_state.search_text(),
            sort: list_state.sort.get(),
            dir: list_state.dir.get(),
            page: Some(list_state.page.get()),
            per_page: Some(50),
        };
        let id = partner.get();
        version.track();
        mark("admin-list-requested");
        async move {
            match id {
                Some(id) => services.orgs().companies(id, &query).await,
                None => Err(crate::api::ApiError::Unreachable),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = list.get() {
            request_animation_frame(|| {
                mark("admin-list-painted");
                measure("admin-list", "admin-list-requested", "admin-list-painted");
            });
        }
    });
    let row = |c: CompanySummary| {
        view! {
            <tr data-testid="company-row">
                <td><a href=format!("/admin/company/{}/users", c.id)>{c.name.clone()}</a></td>
                <td>{tier_text(c.tier)}</td>
                <td>{c.users}</td>
                <td>{c.pending_invitations}</td>
                <td>{c.last_active.map(local_time).unwrap_or_else(|| "—".to_owned())}</td>
            </tr>
        }
    };
    let shown = move |p: CompanyPage| {
        view! {
            <table class="table" data-testid="company-table">
                <thead><tr>
                    <SortHeader list=list_state label="Company" column=CompanySort::Name />
                    <SortHeader list=list_state label="Tier" column=CompanySort::Tier />
                    <SortHeader list=list_state label="Users" column=CompanySort::Users />
                    <SortHeader list=list_state label="Pending invitations" column=CompanySort::Pending />
                    <SortHeader list=list_state label="Last activity" column=CompanySort::LastActive />
                </tr></thead>
                <tbody>{p.rows.into_iter().map(row).collect_view()}</tbody>
            </table>
            <Pager list=list_state page=p.page per_page=p.per_page total=p.total noun="companies" />
        }
    };
    let may_create = move || {
        let id = partner.get()?;
        memberships
            .get()
            .filter(|m| m.staff_of(id, Some(Permission::CompaniesCreate)))
            .map(|_| view! { <NewCompany on_done=Callback::new(move |()| set_version.update(|v| *v += 1)) /> })
    };
    view! {
        <div class="toolbar">
            <SearchBox list=list_state label="Search companies" />
        </div>
        {move || match list.get() {
            None => view! { <p>"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            Some(Ok(p)) => shown(p).into_any(),
        }}
        {may_create}
    }
}

#[component]
fn NewCompany(on_done: Callback<()>) -> impl IntoView {
    let services = Services::handle();
    let partner = partner_of_path();
    let (name, set_name) = signal(String::new());
    let (tier, set_tier) = signal(Tier::Standard);
    let (contact, set_contact) = signal(String::new());
    let (admin_email, set_admin_email) = signal(String::new());
    let (admin_name, set_admin_name) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let (done, set_done) = signal(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = partner.get_untracked() else {
            return;
        };
        set_error.set(None);
        set_done.set(None);
        let first = admin_email.get_untracked();
        let request = CreatePartnerCompany {
            name: name.get_untracked(),
            tier: tier.get_untracked(),
            contact_email: contact.get_untracked(),
            first_admin: (!first.trim().is_empty()).then(|| FirstAdmin {
                email: first,
                name: admin_name.get_untracked(),
            }),
        };
        spawn_local(async move {
            match services.orgs().create_customer(id, &request).await {
                Ok(made) => {
                    set_done.set(Some(if made.pending_invitations > 0 {
                        format!("{} created; its first Admin was invited.", made.name)
                    } else {
                        format!("{} created.", made.name)
                    }));
                    for clear in [set_name, set_contact, set_admin_email, set_admin_name] {
                        clear.set(String::new());
                    }
                    on_done.run(());
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="form narrow" on:submit=submit data-testid="new-company">
            <h2>"New customer company"</h2>
            <label for="company-new-name">"Company name"</label>
            <input autocomplete="off" id="company-new-name" required prop:value=name on:input=move |ev| set_name.set(event_target_value(&ev)) />
            <label for="company-new-tier">"Tier"</label>
            <select id="company-new-tier" on:change=move |ev| set_tier.set(if event_target_value(&ev) == "advanced" { Tier::Advanced } else { Tier::Standard })>
                <option value="standard">"Standard"</option>
                <option value="advanced">"Advanced"</option>
            </select>
            <label for="company-new-contact">"Contact email"</label>
            <input autocomplete="off" id="company-new-contact" type="email" required prop:value=contact on:input=move |ev| set_contact.set(event_target_value(&ev)) />
            <label for="company-new-admin">"First Admin's email (invited now)"</label>
            <input autocomplete="off" id="company-new-admin" type="email" prop:value=admin_email on:input=move |ev| set_admin_email.set(event_target_value(&ev)) />
            <label for="company-new-admin-name">"First Admin's name"</label>
            <input autocomplete="off" id="company-new-admin-name" prop:value=admin_name on:input=move |ev| set_admin_name.set(event_target_value(&ev)) />
            <ErrorLine error=error />
            {move || done.get().map(|d| view! { <p class="ok" role="status" data-testid="company-created">{d}</p> })}
            <button type="submit" class="button primary">"Create company"</button>
        </form>
    }
}
