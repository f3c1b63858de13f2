//! A company's security policies: standard and advanced ones grouped, each explained in one
//! sentence with the recommended value and who enforces it. Advanced policies are shown but
//! cannot be changed on a Standard company (the server refuses them too). A company whose
//! policies were never set is offered the recommended ones to review first.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::org::Tier;
use shared_types::policy::{
    CompanyPolicies, Enforcement, ExportLimit, Notifications, PolicyChange, PolicyKey, PolicySet,
    PolicyValue, Recommendation, Region, UpdatePolicies,
};

use super::{CompanyAdmin, company_of_path};
use crate::pages::signup::ErrorLine;
use crate::services::{Services, local_time};

/// The policies page.
#[component]
pub fn CompanyPoliciesPage() -> impl IntoView {
    view! { <CompanyAdmin tab="policies"><PoliciesForm /></CompanyAdmin> }
}

/// The recommended values a company of `tier` can take, set on `draft`. Returns how many
/// policies that changed.
pub fn use_recommended(draft: &mut PolicySet, tier: Tier) -> usize {
    let mut changed = 0;
    for key in PolicyKey::ALL {
        if tier == Tier::Standard && key.def().tier == Tier::Advanced {
            continue;
        }
        if let Recommendation::Value(value) = key.recommended()
            && draft.get(key) != value
        {
            draft.set(key, value);
            changed += 1;
        }
    }
    changed
}

#[component]
fn PoliciesForm() -> impl IntoView {
    let services = Services::handle();
    let company = company_of_path();
    let saved = RwSignal::new(None::<CompanyPolicies>);
    let draft = RwSignal::new(PolicySet::default());
    let (error, set_error) = signal(None::<String>);
    let (notice, set_notice) = signal(None::<String>);
    Effect::new(move |_| {
        let Some(id) = company.get() else { return };
        spawn_local(async move {
            match services.policies().company(id).await {
                Ok(found) => {
                    draft.set(found.set());
                    saved.set(Some(found));
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    });
    let tier = move || saved.with(|s| s.as_ref().map(|s| s.tier));
    let changes = move || {
        let Some(before) = saved.with(|s| s.as_ref().map(CompanyPolicies::set)) else {
            return Vec::new();
        };
        draft.with(|d| {
            PolicyKey::ALL
                .into_iter()
                .filter(|k| d.get(*k) != before.get(*k))
                .map(|key| PolicyChange {
                    key,
                    value: d.get(key),
                })
                .collect::<Vec<_>>()
        })
    };
    let never_set = move || {
        saved.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.policies.iter().all(|p| p.changed_at.is_none()))
        })
    };
    let recommend = move |_| {
        let Some(tier) = tier() else { return };
        let mut changed = 0;
        draft.update(|d| changed = use_recommended(d, tier));
        set_notice.set(Some(match changed {
            0 => "Every recommended value is set already.".to_owned(),
            1 => "1 policy set to its recommended value. Review it, then save.".to_owned(),
            n => format!("{n} policies set to their recommended values. Review them, then save."),
        }));
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = company.get_untracked() else {
            return;
        };
        let request = UpdatePolicies { changes: changes() };
        set_error.set(None);
        set_notice.set(None);
        spawn_local(async move {
            match services.policies().save(id, &request).await {
                Ok(found) => {
                    draft.set(found.set());
                    saved.set(Some(found));
                    set_notice.set(Some("Saved. Members' browsers apply it now.".into()));
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    let discard = move |_| {
        if let Some(s) = saved.get_untracked() {
            draft.set(s.set());
        }
        set_notice.set(None);
    };
    let rows = move |advanced: bool| {
        PolicyKey::ALL
            .into_iter()
            .filter(move |k| (k.def().tier == Tier::Advanced) == advanced)
            .map(|key| view! { <PolicyRow key=key draft=draft saved=saved /> })
            .collect_view()
    };
    view! {
        <form class="form policies" on:submit=save data-testid="policies-form">
            {move || never_set().then(|| view! {
                <div class="banner" data-testid="review-recommended">
                    <p>"This company's security policies have not been reviewed yet. Each policy below shows what we recommend; use the recommended values, look them over, then save."</p>
                    <button type="button" class="button primary" on:click=recommend>"Use recommended values"</button>
                </div>
            })}
            {move || (!never_set()).then(|| view! {
                <p><button type="button" class="button" on:click=recommend>"Use recommended values"</button></p>
            })}
            {move || saved.with(|s| s.as_ref().and_then(|s| s.template.clone())).map(|t| view! {
                <p class="hint" data-testid="policy-template">{format!("Set from the partner's template \"{}\". Changes made here show in the partner's drift report.", t.name)}</p>
            })}
            <h2>"Standard policies"</h2>
            {rows(false)}
            <h2>"Advanced policies"</h2>
            {move || (tier() == Some(Tier::Standard)).then(|| view! {
                <p class="hint" data-testid="advanced-locked">"This company is on the Standard tier: advanced policies need the Advanced tier, which its partner sets."</p>
            })}
            {rows(true)}
            <ErrorLine error=error />
            {move || notice.get().map(|n| view! { <p class="ok" role="status" data-testid="policies-notice">{n}</p> })}
            <div class="actions">
                <button type="submit" class="button primary" prop:disabled=move || changes().is_empty() data-testid="save-policies">
                    {move || match changes().len() {
                        0 => "Save".to_owned(),
                        1 => "Save 1 change".to_owned(),
                        n => format!("Save {n} changes"),
                    }}
                </button>
                <button type="button" class="button" on:click=discard prop:disabled=move || changes().is_empty()>"Discard changes"</button>
            </div>
        </form>
    }
}

/// One policy: its name, what it does, what we recommend, who enforces it, its editor, and
/// who last changed it.
#[component]
fn PolicyRow(
    key: PolicyKey,
    draft: RwSignal<PolicySet>,
    saved: RwSignal<Option<CompanyPolicies>>,
) -> impl IntoView {
    let def = key.def();
    let locked = move || {
        def.tier == Tier::Advanced
            && saved.with(|s| s.as_ref().is_none_or(|s| s.tier == Tier::Standard))
    };
    let recommended = match key.recommended() {
        Recommendation::Value(v) => format!("Recommended: {}.", v.describe()),
        Recommendation::CompanyChoice(why) => format!("Recommended: your choice. {why}"),
    };
    let enforcement = match def.enforcement {
        Enforcement::ServerAndBrowser => "Enforced by the server and the app.".to_owned(),
        Enforcement::Browser => "Enforced by the app in each member's browser.".to_owned(),
        Enforcement::WithFeature(feature) => format!(
            "Saved and delivered to every member's browser; not enforced yet: it takes effect with {feature}."
        ),
    };
    let last = move || {
        saved.with(|s| {
            s.as_ref()
                .and_then(|s| s.policies.iter().find(|p| p.key == key))
                .and_then(|p| Some((p.changed_at?, p.changed_by.clone().unwrap_or_default())))
        })
    };
    view! {
        <fieldset class="policy" data-testid=format!("policy-{}", key.name()) prop:disabled=locked>
            <legend>
                {def.title}
                {(def.tier == Tier::Advanced).then(|| view! { <span class="badge">"Advanced"</span> })}
            </legend>
            <p class="hint">{def.summary}</p>
            <PolicyEditor key=key draft=draft />
            <p class="hint">{recommended} " " {enforcement}</p>
            {move || last().map(|(at, by)| view! {
                <p class="hint">{format!("Last changed by {by}, {}.", local_time(at))}</p>
            })}
        </fieldset>
    }
}

fn lines(list: &[String]) -> String {
    list.join("\n")
}

fn parse_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The editor for a policy's value, by its shape.
#[component]
pub fn PolicyEditor(key: PolicyKey, draft: RwSignal<PolicySet>) -> impl IntoView {
    let value = move || draft.with(|d| d.get(key));
    let set = move |v: PolicyValue| draft.update(|d| d.set(key, v));
    let id = format!("policy-input-{}", key.name());
    match key.default_value() {
        PolicyValue::Switch(_) => view! {
            <label class="check">
                <input type="checkbox" id=id
                    prop:checked=move || value() == PolicyValue::Switch(true)
                    on:change=move |ev| set(PolicyValue::Switch(event_target_checked(&ev))) />
                " On"
            </label>
        }
        .into_any(),
        PolicyValue::Exports(_) => {
            let current = move || match value() {
                PolicyValue::Exports(ExportLimit::PersonalOnly) => "personal_only",
                PolicyValue::Exports(ExportLimit::NoProfiles) => "no_profiles",
                _ => "off",
            };
            view! {
                <select id=id prop:value=current on:change=move |ev| {
                    set(PolicyValue::Exports(match event_target_value(&ev).as_str() {
                        "personal_only" => ExportLimit::PersonalOnly,
                        "no_profiles" => ExportLimit::NoProfiles,
                        _ => ExportLimit::Off,
                    }))
                }>
                    <option value="off">"Off: members export any profile"</option>
                    <option value="personal_only">"Personal profile only"</option>
                    <option value="no_profiles">"No profiles"</option>
                </select>
            }
            .into_any()
        }
        PolicyValue::EveryDays(_) => {
            let days = move || match value() {
                PolicyValue::EveryDays(d) => d,
                _ => None,
            };
            view! {
                <label class="check">
                    <input type="checkbox" prop:checked=move || days().is_some()
                        on:change=move |ev| set(PolicyValue::EveryDays(event_target_checked(&ev).then_some(90))) />
                    " Require a change every "
                </label>
                <input autocomplete="off" id=id type="number" min="1" max="3650" class="days"
                    prop:disabled=move || days().is_none()
                    prop:value=move || days().unwrap_or(90).to_string()
                    on:change=move |ev| {
                        if let Ok(d) = event_target_value(&ev).parse::<u16>() {
                            set(PolicyValue::EveryDays(Some(d)));
                        }
                    } />
                " days"
            }
            .into_any()
        }
        PolicyValue::Recipients(_) | PolicyValue::UrlPatterns(_) => {
            let recipients = matches!(key.default_value(), PolicyValue::Recipients(_));
            let text = move || match value() {
                PolicyValue::Recipients(l) | PolicyValue::UrlPatterns(l) => lines(&l),
                _ => String::new(),
            };
            let placeholder = if recipients {
                "example.com\nboss@partner.example"
            } else {
                "intranet.example.com\npsa.example.com/admin/*"
            };
            view! {
                <textarea id=id rows="3" placeholder=placeholder autocomplete="off" spellcheck="false"
                    prop:value=text
                    on:change=move |ev| {
                        let list = parse_lines(&event_target_value(&ev));
                        set(if recipients { PolicyValue::Recipients(list) } else { PolicyValue::UrlPatterns(list) });
                    }></textarea>
                <p class="hint">{if recipients { "One domain or address per line; empty: anyone." } else { "One domain or page per line (* matches anything); empty: none." }}</p>
            }
            .into_any()
        }
        PolicyValue::Region(_) => {
            let current = move || match value() {
                PolicyValue::Region(r) => serde_json::to_value(r)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            view! {
                <select id=id prop:value=current on:change=move |ev| {
                    let chosen = serde_json::from_value::<Region>(serde_json::Value::String(event_target_value(&ev)));
                    if let Ok(region) = chosen {
                        set(PolicyValue::Region(region));
                    }
                }>
                    {Region::ALL.into_iter().map(|r| {
                        let name = serde_json::to_value(r).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                        view! { <option value=name>{r.label()}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        PolicyValue::Notifications(_) => {
            let current = move || match value() {
                PolicyValue::Notifications(n) => n,
                _ => Notifications::default(),
            };
            view! {
                <label class="check">
                    <input type="checkbox" id=id prop:checked=move || current().admins
                        on:change=move |ev| {
                            let mut n = current();
                            n.admins = event_target_checked(&ev);
                            set(PolicyValue::Notifications(n));
                        } />
                    " Email the company's Admins"
                </label>
                <textarea rows="2" placeholder="Also these addresses, one per line" autocomplete="off" spellcheck="false"
                    prop:value=move || lines(&current().addresses)
                    on:change=move |ev| {
                        let mut n = current();
                        n.addresses = parse_lines(&event_target_value(&ev));
                        set(PolicyValue::Notifications(n));
                    }></textarea>
            }
            .into_any()
        }
    }
}
