//! Groups as a company's Admins and group managers handle them from the Groups page: made,
//! given people, taken people away from, renamed and deleted. Each person is looked up and
//! judged against the pins first, as for a share; what is wrapped and signed is made in the
//! vault (`services::vault::company`, `services::sharing::groups`).

use shared_types::sharing::{ListRole, RenameShareRequest};
use shared_types::{AccountId, CompanyId, GroupId};

use super::groups::make_group;
use super::shares::{addresses, recipient};
use crate::api::ApiClient;
use crate::services::vault::BrowserSession;

/// What the person chose for the people they add: `member`, `manager` or `both`.
pub fn group_role(choice: &str) -> ListRole {
    match choice {
        "manager" => ListRole::Manager,
        "both" => ListRole::MemberManager,
        _ => ListRole::Member,
    }
}

async fn pins(
    api: &ApiClient,
    session: &BrowserSession,
    text: &str,
    role: ListRole,
    now_ms: i64,
) -> Result<Vec<(super::trust::ContactPin, ListRole)>, String> {
    let mut out = Vec::new();
    for email in addresses(text) {
        // A group holds people of the company, who have accounts.
        let pin = recipient(api, session, &email, now_ms)
            .await?
            .ok_or_else(|| {
                format!("Nobody with the address {email} has a Strongroom account yet.")
            })?;
        out.push((pin, role));
    }
    Ok(out)
}

/// Makes a group named `name` in this account's company, managed by this account (also a
/// member when `i_am_member`), with the people typed in `text` as `role`.
pub async fn create_group(
    api: &ApiClient,
    session: &BrowserSession,
    (name, i_am_member): (&str, bool),
    (text, role): (&str, ListRole),
    now_ms: i64,
) -> Result<GroupId, String> {
    let (company, key) = session
        .directory_key()
        .ok_or_else(|| crate::services::vault::no_directory_key().to_string())?;
    let people = pins(api, session, text, role, now_ms).await?;
    let made = make_group(&session.keys(), (company, &key), name, i_am_member, &people)
        .map_err(|e| e.to_string())?;
    let meta = api
        .create_group(company, &made.request)
        .await
        .map_err(|e| e.to_string())?;
    Ok(meta.id)
}

/// Adds the people typed in `text` to a group this account manages.
pub async fn add_people(
    api: &ApiClient,
    session: &BrowserSession,
    group: GroupId,
    (text, role): (&str, ListRole),
    now_ms: i64,
) -> Result<(), String> {
    let people = pins(api, session, text, role, now_ms).await?;
    if people.is_empty() {
        return Err("Type the address of at least one person.".to_owned());
    }
    session
        .add_to_group(group, &people, now_ms)
        .await
        .map_err(|e| e.to_string())
}

/// Takes someone out of a group at once; the next key is made by a manager's browser at its
/// next sync, and the group's shares are re-keyed by their managers.
pub async fn remove_person(
    api: &ApiClient,
    company: CompanyId,
    group: GroupId,
    account: AccountId,
) -> Result<(), String> {
    api.remove_from_group(company, group, account)
        .await
        .map_err(|e| e.to_string())
}

/// Renames a group (its name sealed again with the directory key, at the next version).
pub async fn rename(
    api: &ApiClient,
    session: &BrowserSession,
    (company, group): (CompanyId, GroupId),
    current_version: i64,
    name: &str,
) -> Result<(), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the group a name.".to_owned());
    }
    let version = current_version + 1;
    let bound = u64::try_from(version).map_err(|_| "The group's name is damaged.".to_owned())?;
    let sealed = session
        .seal_group_name(group, bound, name)
        .map_err(|e| e.to_string())?;
    api.rename_group(
        company,
        group,
        &RenameShareRequest {
            sealed_name: sealed,
            name_version: version,
        },
    )
    .await
    .map_err(|e| e.to_string())
}

/// Deletes a group: it is taken off every share, whose managers then re-key them.
pub async fn delete(api: &ApiClient, company: CompanyId, group: GroupId) -> Result<(), String> {
    api.delete_group(company, group)
        .await
        .map_err(|e| e.to_string())
}
