//! The partner's policy templates: named sets of policies, applied to many companies at once
//! after a preview of what changes in each, and the drift report of companies whose policies
//! no longer match the template they follow, with reconcile per company or for all.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::org::{CompanyQuery, CompanySummary, Permission, Tier};
use shared_types::policy::{CompanyPlan, PolicySet, PolicyTemplate, SaveTemplate};
use shared_types::{CompanyId, PolicyTemplateId};

use super::{PartnerFrame, partner_of_path};
use crate::pages::admin::policies::{PolicyEditor, use_recommended};
use crate::pages::signup::ErrorLine;
use crate::services::Services;
use crate::services::orgs::{Access, Orgs};

/// The policy templates page.
#[component]
pub fn PartnerPoliciesPage() -> impl IntoView {
    view! {
        <PartnerFrame tab="policies" permission=Some(Permission::CompaniesView)>
            <Templates />
        </PartnerFrame>
    }
}

/// What is being edited: a new template (None) or one of the list.
#[derive(Clone)]
struct Editing {
    id: Option<PolicyTemplateId>,
    name: RwSignal<String>,
    draft: RwSignal<PolicySet>,
}

#[component]
fn Templates() -> impl IntoView {
    let services = Services::handle();
    let partner = partner_of_path();
    let memberships = Orgs::get();
    let (version, set_version) = signal(0u32);
    let (error, set_error) = signal(None::<String>);
    let (notice, set_notice) = signal(None::<String>);
    let editing = RwSignal::new(None::<Editing>);
    let applying = RwSignal::new(None::<PolicyTemplate>);
    let refresh = move || set_version.update(|v| *v += 1);
    let may_manage = move || {
        partner
            .get()
            .zip(memberships.get())
            .is_some_and(|(id, m)| m.staff_of(id, Some(Permission::CompaniesManagePolicies)))
    };
    let templates = LocalResource::new(move || {
        let id = partner.get();
        version.track();
        async move {
            match id {
                Some(id) => services.policies().templates(id).await,
                None => Ok(Vec::new()),
            }
        }
    });
    let drift = LocalResource::new(move || {
        let id = partner.get();
        version.track();
        async move {
            match id {
                Some(id) => services.policies().drift(id).await,
                None => Ok(Vec::new()),
            }
        }
    });
    let start_new = move |_| {
        let draft = RwSignal::new(PolicySet::default());
        editing.set(Some(Editing {
            id: None,
            name: RwSignal::new(String::new()),
            draft,
        }));
    };
    let delete = move |t: PolicyTemplate| {
        let Some(id) = partner.get_untracked() else {
            return;
        };
        let confirmed = window()
            .confirm_with_message(&format!(
                "Delete the template \"{}\"? Its {} companies keep their policies and follow no template.",
                t.name, t.companies
            ))
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        spawn_local(async move {
            match services.policies().delete_template(id, t.id).await {
                Ok(()) => set_error.set(None),
                Err(e) => set_error.set(Some(e.to_string())),
            }
            refresh();
        });
    };
    let reconcile = move |companies: Vec<CompanyId>| {
        let Some(id) = partner.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match services.policies().reconcile(id, companies).await {
                Ok(done) => {
                    set_error.set(None);
                    set_notice.set(Some(match done.len() {
                        1 => "1 company matches its template again.".to_owned(),
                        n => format!("{n} companies match their templates again."),
                    }));
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
            refresh();
        });
    };
    view! {
        <section class="card" aria-labelledby="templates-title" data-testid="policy-templates">
            <h2 id="templates-title">"Policy templates"</h2>
            <p class="hint">"A template is a set of security policies you apply to many companies at once. Advanced policies of a template apply only to Advanced companies."</p>
            <ErrorLine error=error />
            {move || notice.get().map(|n| view! { <p class="ok" role="status" data-testid="templates-notice">{n}</p> })}
            {move || match templates.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="hint">"No templates yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <table class="table" aria-label="Templates">
                        <thead><tr><th>"Template"</th><th>"Companies"</th><th>"Policies set"</th><th></th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|t| {
                                let for_edit = t.clone();
                                let for_apply = t.clone();
                                let for_delete = t.clone();
                                view! {
                                    <tr>
                                        <td>{t.name.clone()}</td>
                                        <td>{t.companies}</td>
                                        <td>{t.policies.changed().count()}</td>
                                        <td class="actions">
                                            {move || may_manage().then(|| {
                                                let for_edit = for_edit.clone();
                                                let for_apply = for_apply.clone();
                                                let for_delete = for_delete.clone();
                                                view! {
                                                    <button type="button" class="button small" on:click=move |_| {
                                                        editing.set(Some(Editing {
                                                            id: Some(for_edit.id),
                                                            name: RwSignal::new(for_edit.name.clone()),
                                                            draft: RwSignal::new(for_edit.policies.clone()),
                                                        }));
                                                    }>"Edit"</button>
                                                    <button type="button" class="button small primary" on:click=move |_| applying.set(Some(for_apply.clone()))>"Apply to companies…"</button>
                                                    <button type="button" class="button small danger" on:click=move |_| delete(for_delete.clone())>"Delete"</button>
                                                }
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            {move || may_manage().then(|| view! {
                <button type="button" class="button" on:click=start_new>"New template"</button>
            })}
        </section>
        {move || editing.get().map(|e| view! { <TemplateEditor editing=e close=move || { editing.set(None); refresh(); } /> })}
        {move || applying.get().map(|t| view! { <ApplyTemplate template=t close=move || { applying.set(None); refresh(); } /> })}
        <section class="card" aria-labelledby="drift-title" data-testid="policy-drift">
            <h2 id="drift-title">"Drift report"</h2>
            <p class="hint">"Companies whose policies no longer match the template they follow, for example after someone changed them by hand."</p>
            {move || match drift.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="ok" data-testid="no-drift">"Every company matches its template."</p> }.into_any(),
                Some(Ok(list)) => {
                    let all: Vec<CompanyId> = list.iter().map(|p| p.company).collect();
                    view! {
                        <table class="table" aria-label="Drift">
                            <thead><tr><th>"Company"</th><th>"Template"</th><th>"Differences"</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|p| {
                                    let company = p.company;
                                    view! {
                                        <tr data-testid="drift-row">
                                            <td>{p.name.clone()}</td>
                                            <td>{p.template.name.clone()}</td>
                                            <td><PlanChanges plan=p.clone() drift=true /></td>
                                            <td>{move || may_manage().then(|| view! {
                                                <button type="button" class="button small" on:click=move |_| reconcile(vec![company])>"Reconcile"</button>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        {move || may_manage().then(|| {
                            let all = all.clone();
                            view! {
                                <button type="button" class="button primary" on:click=move |_| reconcile(all.clone())>"Reconcile all"</button>
                            }
                        })}
                    }.into_any()
                }
            }}
        </section>
    }
}

/// The differences of one company: "policy: company value → template value" (a drift) or
/// "policy: now → after" (a preview), and the advanced policies left alone on Standard.
#[component]
fn PlanChanges(plan: CompanyPlan, drift: bool) -> impl IntoView {
    let skipped = plan.skipped.clone();
    view! {
        <ul class="plain">
            {plan.changes.into_iter().map(|d| view! {
                <li data-testid="policy-diff">{format!(
                    "{}: {} {} {}",
                    d.key.def().title,
                    d.company.describe(),
                    if drift { "here, template says" } else { "→" },
                    d.template.describe()
                )}</li>
            }).collect_view()}
        </ul>
        {(!skipped.is_empty()).then(|| view! {
            <p class="hint">{format!(
                "Left alone on the Standard tier: {}.",
                skipped.iter().map(|k| k.def().title).collect::<Vec<_>>().join(", ")
            )}</p>
        })}
    }
}

/// A template's name and values.
#[component]
fn TemplateEditor(editing: Editing, close: impl Fn() + Copy + 'static) -> impl IntoView {
    let services = Services::handle();
    let partner = partner_of_path();
    let (error, set_error) = signal(None::<String>);
    let Editing { id, name, draft } = editing;
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(partner) = partner.get_untracked() else {
            return;
        };
        let request = SaveTemplate {
            name: name.get_untracked(),
            policies: draft.get_untracked(),
        };
        spawn_local(async move {
            match services
                .policies()
                .save_template(partner, id, &request)
                .await
            {
                Ok(_) => close(),
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    let recommend = move |_| {
        draft.update(|d| {
            use_recommended(d, Tier::Advanced);
        })
    };
    view! {
        <form class="card form" aria-label="Template" on:submit=save data-testid="template-editor">
            <h2>{if id.is_some() { "Edit template" } else { "New template" }}</h2>
            <label for="template-name">"Name"</label>
            <input id="template-name" required autocomplete="off" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            <p><button type="button" class="button" on:click=recommend>"Use recommended values"</button></p>
            {shared_types::policy::PolicyKey::ALL.into_iter().map(|key| {
                let def = key.def();
                view! {
                    <fieldset class="policy" data-testid=format!("policy-{}", key.name())>
                        <legend>
                            {def.title}
                            {(def.tier == Tier::Advanced).then(|| view! { <span class="badge">"Advanced"</span> })}
                        </legend>
                        <p class="hint">{def.summary}</p>
                        <PolicyEditor key=key draft=draft />
                    </fieldset>
                }
            }).collect_view()}
            <ErrorLine error=error />
            <div class="actions">
                <button type="submit" class="button primary">"Save template"</button>
                <button type="button" class="button" on:click=move |_| close()>"Cancel"</button>
            </div>
        </form>
    }
}

/// Choosing companies for a template, the preview of what changes in each, and applying it.
#[component]
fn ApplyTemplate(template: PolicyTemplate, close: impl Fn() + Copy + 'static) -> impl IntoView {
    let services = Services::handle();
    let partner = partner_of_path();
    let (error, set_error) = signal(None::<String>);
    let (search, set_search) = signal(String::new());
    let chosen = RwSignal::new(BTreeSet::<CompanyId>::new());
    let preview = RwSignal::new(None::<Vec<CompanyPlan>>);
    let template_id = template.id;
    let companies = LocalResource::new(move || {
        let id = partner.get();
        let q = search.get();
        async move {
            let Some(id) = id else {
                return Ok(Vec::new());
            };
            let query = CompanyQuery {
                q: (!q.trim().is_empty()).then_some(q),
                per_page: Some(100),
                ..CompanyQuery::default()
            };
            services.orgs().companies(id, &query).await.map(|p| p.rows)
        }
    });
    let run = move |apply: bool| {
        let Some(id) = partner.get_untracked() else {
            return;
        };
        let list: Vec<CompanyId> = chosen.get_untracked().into_iter().collect();
        spawn_local(async move {
            match services
                .policies()
                .template_to_companies(id, template_id, list, apply)
                .await
            {
                Ok(plans) if apply => {
                    let _ = plans;
                    close();
                }
                Ok(plans) => {
                    set_error.set(None);
                    preview.set(Some(plans));
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    let toggle = move |company: CompanyId, on: bool| {
        preview.set(None);
        chosen.update(|c| {
            if on {
                c.insert(company);
            } else {
                c.remove(&company);
            }
        });
    };
    let row = move |c: CompanySummary| {
        let id = c.id;
        view! {
            <li>
                <label class="check">
                    <input type="checkbox" prop:checked=move || chosen.with(|s| s.contains(&id))
                        on:change=move |ev| toggle(id, event_target_checked(&ev)) />
                    {format!(" {} ({})", c.name, match c.tier { Tier::Advanced => "Advanced", Tier::Standard => "Standard" })}
                </label>
            </li>
        }
    };
    view! {
        <section class="card" aria-label="Apply template" data-testid="apply-template">
            <h2>{format!("Apply \"{}\"", template.name)}</h2>
            <input type="search" aria-label="Search companies" placeholder="Search companies" autocomplete="off"
                prop:value=search on:input=move |ev| set_search.set(event_target_value(&ev)) />
            {move || match companies.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(rows)) => {
                    let ids: Vec<CompanyId> = rows.iter().map(|c| c.id).collect();
                    view! {
                        <p><button type="button" class="button small" on:click=move |_| {
                            preview.set(None);
                            chosen.update(|c| c.extend(ids.iter().copied()));
                        }>"Select all shown"</button></p>
                        <ul class="plain">{rows.into_iter().map(row).collect_view()}</ul>
                    }.into_any()
                }
            }}
            {move || preview.get().map(|plans| view! {
                <table class="table" aria-label="Preview">
                    <thead><tr><th>"Company"</th><th>"What changes"</th></tr></thead>
                    <tbody>
                        {plans.into_iter().map(|p| view! {
                            <tr data-testid="preview-row">
                                <td>{p.name.clone()}</td>
                                <td>
                                    {p.changes.is_empty().then(|| view! { <span class="hint">"Nothing: it matches already."</span> })}
                                    <PlanChanges plan=p drift=false />
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            <ErrorLine error=error />
            <div class="actions">
                <button type="button" class="button" prop:disabled=move || chosen.with(BTreeSet::is_empty)
                    on:click=move |_| run(false)>"Preview"</button>
                <button type="button" class="button primary" prop:disabled=move || preview.with(Option::is_none)
                    on:click=move |_| run(true)>
                    {move || format!("Apply to {} companies", chosen.with(BTreeSet::len))}
                </button>
                <button type="button" class="button" on:click=move |_| close()>"Cancel"</button>
            </div>
        </section>
    }
}
