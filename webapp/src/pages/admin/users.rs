//! A company's users: the list (search, filter, sort, pages), invite one by email or many from
//! a CSV file (a preview lists each row's outcome before anything is sent), change a role,
//! resend or withdraw an invitation, and remove a user (converted to a personal account, or,
//! for an account the company made, deleted).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::MemberId;
use shared_types::org::{
    CompanyRole, CsvReport, CsvRowResult, InviteRequest, MemberPage, MemberQuery, MemberRow,
    MemberSort, MemberStatus, RemoveMemberRequest, RemoveMode,
};

use super::{CompanyAdmin, company_of_path};
use crate::components::list_controls::{ListState, Pager, SearchBox, SortHeader};
use crate::pages::signup::ErrorLine;
use crate::services::sync::VaultService;
use crate::services::{Services, local_time, mark, measure};

/// The users page.
#[component]
pub fn CompanyUsersPage() -> impl IntoView {
    view! { <CompanyAdmin tab="users"><Users /></CompanyAdmin> }
}

fn role_text(role: CompanyRole) -> &'static str {
    match role {
        CompanyRole::Admin => "Admin",
        CompanyRole::User => "User",
    }
}

fn status_text(status: MemberStatus) -> &'static str {
    match status {
        MemberStatus::Active => "Active",
        MemberStatus::Invited => "Invited",
        MemberStatus::Removed => "Removed",
    }
}

#[component]
fn Users() -> impl IntoView {
    let services = Services::handle();
    let company = company_of_path();
    let list_state = ListState::new(MemberSort::Email);
    let (status, set_status) = signal(None::<MemberStatus>);
    let (version, set_version) = signal(0u32);
    let (error, set_error) = signal(None::<String>);
    let removing = RwSignal::new(None::<MemberRow>);
    let refresh = move || set_version.update(|v| *v += 1);
    let list = LocalResource::new(move || {
        let query = MemberQuery {
            q: list_state.search_text(),
            status: status.get(),
            sort: list_state.sort.get(),
            dir: list_state.dir.get(),
            page: Some(list_state.page.get()),
            per_page: Some(50),
        };
        let id = company.get();
        version.track();
        mark("admin-list-requested");
        async move {
            match id {
                Some(id) => services.orgs().members(id, &query).await,
                None => Err(crate::api::ApiError::Unreachable),
            }
        }
    });
    let act = move |member: MemberId, action: &'static str| {
        let Some(id) = company.get_untracked() else {
            return;
        };
        set_error.set(None);
        spawn_local(async move {
            match services.orgs().member_invitation(id, member, action).await {
                Ok(_) => refresh(),
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    // A link to pass on by hand, with this Admin's pinned company key fingerprint.
    let copied = RwSignal::new(None::<(String, String, bool)>);
    let vault = VaultService::get();
    let copy_link = move |member: MemberId, email: String| {
        let Some(id) = company.get_untracked() else {
            return;
        };
        set_error.set(None);
        let fingerprint = vault
            .open_vault()
            .and_then(|open| open.session.company_pin(id))
            .map(|pin| pin.fingerprint());
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        spawn_local(async move {
            let orgs = services.orgs();
            match orgs
                .copy_invitation_link(id, member, &origin, fingerprint.as_deref())
                .await
            {
                Ok(link) => {
                    copied.set(Some((email, link, fingerprint.is_some())));
                    refresh();
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    let change_role = move |member: MemberId, role: CompanyRole| {
        let Some(id) = company.get_untracked() else {
            return;
        };
        set_error.set(None);
        spawn_local(async move {
            match services.orgs().change_role(id, member, role).await {
                Ok(_) => refresh(),
                Err(e) => {
                    set_error.set(Some(e.to_string()));
                    refresh();
                }
            }
        });
    };
    let row = move |m: MemberRow| {
        let id = m.id;
        let email = m.email.clone();
        let status = m.status;
        let role = m.role;
        let member = m.clone();
        view! {
            <tr data-testid="member-row" data-email=email.clone()>
                <td>{m.email.clone()}</td>
                <td>{m.name.clone()}</td>
                <td>
                    {(status != MemberStatus::Removed).then(|| view! {
                        <select aria-label=format!("Role of {email}") data-testid="member-role"
                            on:change=move |ev| {
                                let role = if event_target_value(&ev) == "admin" { CompanyRole::Admin } else { CompanyRole::User };
                                change_role(id, role);
                            }>
                            <option value="user" selected=role == CompanyRole::User>"User"</option>
                            <option value="admin" selected=role == CompanyRole::Admin>"Admin"</option>
                        </select>
                    })}
                    {(status == MemberStatus::Removed).then(|| role_text(role))}
                </td>
                <td data-testid="member-status">
                    {status_text(status)}
                    {m.invitation.as_ref().filter(|i| i.expired).map(|_| view! { <span class="tag">"Link expired"</span> })}
                    {m.invitation.as_ref().filter(|i| i.sent_at.is_none()).map(|_| view! { <span class="tag">"Sending…"</span> })}
                </td>
                <td>{match m.two_factor { Some(true) => "On", Some(false) => "Off", None => "—" }}</td>
                <td>{m.last_active.map(local_time).unwrap_or_else(|| "—".to_owned())}</td>
                <td>{m.verified_browsers}</td>
                <td class="actions">
                    {(status == MemberStatus::Invited).then(|| view! {
                        <button type="button" class="button" data-testid="member-copy-link"
                            on:click={
                                let email = email.clone();
                                move |_| copy_link(id, email.clone())
                            }>"Copy link"</button>
                        <button type="button" class="button" on:click=move |_| act(id, "resend")>"Resend"</button>
                        <button type="button" class="button" on:click=move |_| act(id, "revoke")>"Revoke"</button>
                    })}
                    {(status == MemberStatus::Active).then(|| view! {
                        <button type="button" class="button" data-testid="member-remove"
                            on:click=move |_| removing.set(Some(member.clone()))>"Remove"</button>
                    })}
                </td>
            </tr>
        }
    };
    let shown = move |p: MemberPage| {
        view! {
            <p class="hint" data-testid="member-counts">
                {format!("{} active, {} invited, {} removed", p.counts.active, p.counts.invited, p.counts.removed)}
            </p>
            <table class="table" data-testid="member-table">
                <thead><tr>
                    <SortHeader list=list_state label="Email" column=MemberSort::Email />
                    <SortHeader list=list_state label="Name" column=MemberSort::Name />
                    <SortHeader list=list_state label="Role" column=MemberSort::Role />
                    <SortHeader list=list_state label="Status" column=MemberSort::Status />
                    <th>"2FA"</th>
                    <SortHeader list=list_state label="Last active" column=MemberSort::LastActive />
                    <th>"Verified browsers"</th>
                    <th></th>
                </tr></thead>
                <tbody>{p.rows.into_iter().map(row).collect_view()}</tbody>
            </table>
            <Pager list=list_state page=p.page per_page=p.per_page total=p.total noun="users" />
        }
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = list.get() {
            // After the rows are in the page: the benchmark's "painted" measure.
            request_animation_frame(|| {
                mark("admin-list-painted");
                measure("admin-list", "admin-list-requested", "admin-list-painted");
            });
        }
    });
    view! {
        <div class="toolbar">
            <SearchBox list=list_state label="Search users" />
            <select aria-label="Show" on:change=move |ev| {
                set_status.set(match event_target_value(&ev).as_str() {
                    "active" => Some(MemberStatus::Active),
                    "invited" => Some(MemberStatus::Invited),
                    "removed" => Some(MemberStatus::Removed),
                    _ => None,
                });
                list_state.page.set(1);
            }>
                <option value="all">"Everyone"</option>
                <option value="active">"Active"</option>
                <option value="invited">"Invited"</option>
                <option value="removed">"Removed"</option>
            </select>
        </div>
        <ErrorLine error=error />
        {move || copied.get().map(|(email, link, with_fp)| view! {
            <div class="panel" role="status" data-testid="copied-link">
                <p>{format!("Give this link to {email} yourself (in person, by phone or chat). It works once, for 7 days; the link mailed before no longer works.")}</p>
                <input autocomplete="off" class="input" readonly aria-label="Invitation link" data-testid="copied-link-text" prop:value=link.clone() />
                <button type="button" class="button" on:click={
                    let link = link.clone();
                    move |_| {
                        let link = link.clone();
                        spawn_local(async move {
                            let _ = crate::services::clipboard::copy(&link).await;
                        });
                    }
                }>"Copy"</button>
                <p class="hint">{if with_fp {
                    "The link carries your company key's fingerprint: their browser checks the key the server gives it against it."
                } else {
                    "Your browser has not pinned this company's key (yet), so the link cannot carry its fingerprint."
                }}</p>
            </div>
        })}
        {move || match list.get() {
            None => view! { <p>"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            Some(Ok(p)) => shown(p).into_any(),
        }}
        <RemoveDialog removing=removing on_done=Callback::new(move |()| refresh()) />
        <div class="cards">
            <InviteOne on_done=Callback::new(move |()| refresh()) />
            <InviteCsv on_done=Callback::new(move |()| refresh()) />
        </div>
    }
}

#[component]
fn InviteOne(on_done: Callback<()>) -> impl IntoView {
    let services = Services::handle();
    let company = company_of_path();
    let (email, set_email) = signal(String::new());
    let (name, set_name) = signal(String::new());
    let (role, set_role) = signal(CompanyRole::User);
    let (error, set_error) = signal(None::<String>);
    let (sent, set_sent) = signal(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = company.get_untracked() else {
            return;
        };
        set_error.set(None);
        set_sent.set(None);
        let request = InviteRequest {
            email: email.get_untracked(),
            name: name.get_untracked(),
            role: role.get_untracked(),
        };
        spawn_local(async move {
            match services.orgs().invite(id, &request).await {
                Ok(row) => {
                    set_sent.set(Some(format!("Invitation sent to {}.", row.email)));
                    set_email.set(String::new());
                    set_name.set(String::new());
                    on_done.run(());
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="form" on:submit=submit data-testid="invite-one">
            <h2>"Invite a user"</h2>
            <label for="invite-email">"Email"</label>
            <input autocomplete="off" id="invite-email" type="email" required prop:value=email on:input=move |ev| set_email.set(event_target_value(&ev)) />
            <label for="invite-name">"Name (optional)"</label>
            <input autocomplete="off" id="invite-name" prop:value=name on:input=move |ev| set_name.set(event_target_value(&ev)) />
            <label for="invite-role">"Role"</label>
            <select id="invite-role" on:change=move |ev| set_role.set(if event_target_value(&ev) == "admin" { CompanyRole::Admin } else { CompanyRole::User })>
                <option value="user">"User"</option>
                <option value="admin">"Admin"</option>
            </select>
            <ErrorLine error=error />
            {move || sent.get().map(|s| view! { <p class="ok" role="status" data-testid="invite-sent">{s}</p> })}
            <button type="submit" class="button primary">"Send invitation"</button>
        </form>
    }
}

/// Reads a chosen file's text.
async fn file_text(file: web_sys::File) -> Result<String, String> {
    let promise = file.text();
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| {
            "The file could not be read. Choose a CSV file saved as text (UTF-8).".to_owned()
        })
}

#[component]
fn InviteCsv(on_done: Callback<()>) -> impl IntoView {
    let services = Services::handle();
    let company = company_of_path();
    let text = StoredValue::new(None::<String>);
    let (report, set_report) = signal(None::<CsvReport>);
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let run = move |commit: bool| {
        let (Some(id), Some(csv)) = (company.get_untracked(), text.get_value()) else {
            return;
        };
        set_error.set(None);
        set_busy.set(true);
        spawn_local(async move {
            match services.orgs().invite_csv(id, csv, commit).await {
                Ok(found) => {
                    if found.committed {
                        on_done.run(());
                    }
                    set_report.set(Some(found));
                }
                Err(e) => {
                    set_report.set(None);
                    set_error.set(Some(e.to_string()));
                }
            }
            set_busy.set(false);
        });
    };
    let chosen = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        set_report.set(None);
        spawn_local(async move {
            match file_text(file).await {
                Ok(csv) => {
                    text.set_value(Some(csv));
                    run(false);
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let refused = move |r: &CsvReport| {
        r.rows
            .iter()
            .filter_map(|row| match &row.result {
                CsvRowResult::Refused(reason) => Some(view! {
                    <tr data-testid="csv-refused"><td>{row.line}</td><td>{row.email.clone()}</td><td>{reason.clone()}</td></tr>
                }),
                _ => None,
            })
            .collect_view()
    };
    view! {
        <div class="form" data-testid="invite-csv">
            <h2>"Invite from a CSV file"</h2>
            <p class="hint">"The first line names the columns: email, name and role (Admin or User; User when left out)."</p>
            <input type="file" accept=".csv,text/csv" aria-label="CSV file" on:change=chosen />
            <ErrorLine error=error />
            {move || report.get().map(|r| {
                let summary = if r.committed {
                    format!("{} invited. {} rows left out.", r.invited, r.refused)
                } else {
                    format!("{} will be invited. {} rows will be left out.", r.invited, r.refused)
                };
                let committed = r.committed;
                let count = r.invited;
                view! {
                    <p data-testid="csv-summary" role="status">{summary}</p>
                    {(r.refused > 0).then(|| view! {
                        <table class="table">
                            <thead><tr><th>"Line"</th><th>"Email"</th><th>"Why"</th></tr></thead>
                            <tbody>{refused(&r)}</tbody>
                        </table>
                    })}
                    {(!committed && count > 0).then(|| view! {
                        <button type="button" class="button primary" data-testid="csv-commit" disabled=busy
                            on:click=move |_| run(true)>{format!("Invite {count} users")}</button>
                    })}
                }
            })}
        </div>
    }
}

#[component]
fn RemoveDialog(removing: RwSignal<Option<MemberRow>>, on_done: Callback<()>) -> impl IntoView {
    let services = Services::handle();
    let company = company_of_path();
    let (mode, set_mode) = signal(RemoveMode::ConvertToPersonal);
    let (typed, set_typed) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let close = move || {
        removing.set(None);
        set_typed.set(String::new());
        set_error.set(None);
        set_mode.set(RemoveMode::ConvertToPersonal);
    };
    move || {
        removing.get().map(|member| {
            let email = member.email.clone();
            let confirm_email = email.clone();
            let id = member.id;
            let remove = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let Some(company) = company.get_untracked() else { return };
                if typed.get_untracked().trim().to_ascii_lowercase() != confirm_email {
                    set_error.set(Some("Type the user's email address to confirm.".to_owned()));
                    return;
                }
                let request = RemoveMemberRequest { mode: mode.get_untracked() };
                spawn_local(async move {
                    match services.orgs().remove(company, id, &request).await {
                        Ok(()) => {
                            close();
                            on_done.run(());
                        }
                        Err(e) => set_error.set(Some(e.to_string())),
                    }
                });
            };
            view! {
                <form class="form dialog" role="dialog" aria-label="Remove user" on:submit=remove data-testid="remove-dialog">
                    <h2>{format!("Remove {email}")}</h2>
                    <label>
                        <input type="radio" name="remove-mode" checked=move || mode.get() == RemoveMode::ConvertToPersonal
                            on:change=move |_| set_mode.set(RemoveMode::ConvertToPersonal) />
                        " Convert to a personal account: they keep their account, their Personal profile and their items."
                    </label>
                    {member.can_delete_account.then(|| view! {
                        <label>
                            <input type="radio" name="remove-mode" checked=move || mode.get() == RemoveMode::DeleteAccount
                                on:change=move |_| set_mode.set(RemoveMode::DeleteAccount) />
                            " Delete their account, with everything in it. This cannot be undone."
                        </label>
                    })}
                    <label for="remove-confirm">"Type their email address to confirm"</label>
                    <input autocomplete="off" id="remove-confirm" prop:value=typed on:input=move |ev| set_typed.set(event_target_value(&ev)) />
                    <ErrorLine error=error />
                    <div class="actions">
                        <button type="submit" class="button danger">"Remove"</button>
                        <button type="button" class="button" on:click=move |_| close()>"Cancel"</button>
                    </div>
                </form>
            }
        })
    }
}
