//! The partner's customer companies: searchable, sortable, paged; create one and invite its
//! first Admin in one step; open any company's admin view.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::org::{
    CompanyPage, CompanyQuery, CompanySort, CompanySummary, CreatePartnerCompany, FirstAdmin,
    Permission, SortDir, Tier,
};

use super::{PartnerFrame, partner_of_path};
use crate::pages::signup::ErrorLine;
use crate::services::orgs::SEARCH_PAUSE_MS;
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
    let (q, set_q) = signal(String::new());
    let (typed, set_typed) = signal(String::new());
    let (sort, set_sort) = signal(CompanySort::Name);
    let (dir, set_dir) = signal(SortDir::Asc);
    let (page, set_page) = signal(1u32);
    // Asks the server once typing pauses, not at every key.
    let search = move |text: String| {
        set_typed.set(text.clone());
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(SEARCH_PAUSE_MS).await;
            if typed.get_untracked() == text {
                set_q.set(text);
                set_page.set(1);
            }
        });
    };
    let (version, set_version) = signal(0u32);
    let list = LocalResource::new(move || {
        let query = CompanyQuery {
            q: Some(q.get()).filter(|q| !q.trim().is_empty()),
            sort: sort.get(),
            dir: dir.get(),
            page: Some(page.get()),
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
    let sort_by = move |column: CompanySort| {
        if sort.get_untracked() == column {
            set_dir.update(|d| {
                *d = if *d == SortDir::Asc {
                    SortDir::Desc
                } else {
                    SortDir::Asc
                }
            });
        } else {
            set_sort.set(column);
            set_dir.set(SortDir::Asc);
        }
        set_page.set(1);
    };
    let header = move |label: &'static str, column: CompanySort| {
        view! {
            <th>
                <button type="button" class="sort" on:click=move |_| sort_by(column)>
                    {label}
                    {move || (sort.get() == column).then(|| if dir.get() == SortDir::Asc { " ▲" } else { " ▼" })}
                </button>
            </th>
        }
    };
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
        let pages = p.total.div_ceil(u64::from(p.per_page)).max(1);
        let at = p.page;
        view! {
            <table class="table" data-testid="company-table">
                <thead><tr>
                    {header("Company", CompanySort::Name)}
                    {header("Tier", CompanySort::Tier)}
                    {header("Users", CompanySort::Users)}
                    {header("Pending invitations", CompanySort::Pending)}
                    {header("Last activity", CompanySort::LastActive)}
                </tr></thead>
                <tbody>{p.rows.into_iter().map(row).collect_view()}</tbody>
            </table>
            <div class="pager">
                <button type="button" class="button" disabled=at <= 1 on:click=move |_| set_page.update(|p| *p = p.saturating_sub(1).max(1))>"Previous"</button>
                <span>{format!("Page {at} of {pages} ({} companies)", p.total)}</span>
                <button type="button" class="button" disabled=u64::from(at) >= pages on:click=move |_| set_page.update(|p| *p += 1)>"Next"</button>
            </div>
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
            <input class="search" type="search" placeholder="Search companies" aria-label="Search companies"
                prop:value=typed on:input=move |ev| search(event_target_value(&ev)) />
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
            <input id="company-new-name" required prop:value=name on:input=move |ev| set_name.set(event_target_value(&ev)) />
            <label for="company-new-tier">"Tier"</label>
            <select id="company-new-tier" on:change=move |ev| set_tier.set(if event_target_value(&ev) == "advanced" { Tier::Advanced } else { Tier::Standard })>
                <option value="standard">"Standard"</option>
                <option value="advanced">"Advanced"</option>
            </select>
            <label for="company-new-contact">"Contact email"</label>
            <input id="company-new-contact" type="email" required prop:value=contact on:input=move |ev| set_contact.set(event_target_value(&ev)) />
            <label for="company-new-admin">"First Admin's email (invited now)"</label>
            <input id="company-new-admin" type="email" prop:value=admin_email on:input=move |ev| set_admin_email.set(event_target_value(&ev)) />
            <label for="company-new-admin-name">"First Admin's name"</label>
            <input id="company-new-admin-name" prop:value=admin_name on:input=move |ev| set_admin_name.set(event_target_value(&ev)) />
            <ErrorLine error=error />
            {move || done.get().map(|d| view! { <p class="ok" role="status" data-testid="company-created">{d}</p> })}
            <button type="submit" class="button primary">"Create company"</button>
        </form>
    }
}
