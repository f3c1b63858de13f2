//! Sharing a folder, leaving a share and deleting one, as the person does them from the vault.
//! Every recipient's keys are looked up and judged against the pins first: nothing is wrapped to
//! keys that changed or were replayed, and the person is told why. Addresses without an account
//! are invited by email and join once they have keys (see `vault::share_lists`).

use shared_types::sharing::ListRole;
use shared_types::{ContainerId, FolderId, ShareId};

use super::contacts::{self, Found};
use super::making::{GroupTarget, make_share};
use super::trust::{ContactPin, Judgement};
use crate::api::ApiClient;
use crate::services::vault::BrowserSession;

/// The pin to wrap to for `email`, after looking it up (and pinning it on first use); None
/// when nobody with that address has an account yet (they are invited by email).
pub(super) async fn recipient(
    api: &ApiClient,
    session: &BrowserSession,
    email: &str,
    now_ms: i64,
) -> Result<Option<ContactPin>, String> {
    match contacts::look_up(api, session, email, now_ms).await? {
        Found::Nobody => Ok(None),
        Found::Refused(refused) => Err(refused.to_string()),
        Found::Judged {
            judgement: Judgement::Changed { .. },
            ..
        } => Err(format!(
            "The keys of {email} changed since you accepted them. Compare fingerprints with them on the Contacts page before sharing; nothing was shared."
        )),
        Found::Judged {
            judgement: Judgement::Rollback,
            ..
        } => Err(format!(
            "The server sent older keys for {email} than the ones you accepted; nothing was shared."
        )),
        Found::Judged { served, .. } => session
            .contact(served.account_id)
            .map(Some)
            .ok_or_else(|| format!("The keys of {email} could not be kept in this browser.")),
    }
}

/// People to share with: the pins of those with an account, and the addresses of the others.
type People = (Vec<(ContactPin, ListRole)>, Vec<(String, ListRole)>);

/// Looks each address up: a pin for those with an account, an invitation for the others.
async fn resolve(
    api: &ApiClient,
    session: &BrowserSession,
    recipients: &[(String, ListRole)],
    now_ms: i64,
) -> Result<People, String> {
    let mut pins = Vec::with_capacity(recipients.len());
    let mut invited = Vec::new();
    for (email, role) in recipients {
        match recipient(api, session, email, now_ms).await? {
            Some(pin) => pins.push((pin, *role)),
            None => invited.push((email.trim().to_owned(), *role)),
        }
    }
    Ok((pins, invited))
}

/// A group a folder is shared with, and its role.
pub type GroupShare = (GroupTarget, ListRole);

/// Shares `folder` (with the folders inside it) as a new shared folder named `name`, with
/// each recipient (an address, or a group of the company verified from its lists) given a role. The share is made and signed here, sent, opened, and the
/// folder moved into it (sent at the next sync). Addresses without an account are invited by
/// email. Returns the share's container and the addresses invited.
pub async fn share_folder(
    api: &ApiClient,
    session: &BrowserSession,
    folder: FolderId,
    name: &str,
    (recipients, groups): (&[(String, ListRole)], &[GroupShare]),
    now_ms: i64,
) -> Result<(ContainerId, Vec<String>), String> {
    let (pins, invited) = resolve(api, session, recipients, now_ms).await?;
    let made =
        make_share(&session.keys(), name, (&pins, groups), &invited).map_err(|e| e.to_string())?;
    let meta = api
        .create_share(&made.request)
        .await
        .map_err(|e| e.to_string())?;
    let container = session
        .adopt_share(meta, now_ms)
        .await
        .map_err(|e| e.to_string())?;
    session
        .move_folder_to_container(folder, container, now_ms)
        .await
        .map_err(|e| e.to_string())?;
    Ok((container, invited.into_iter().map(|(e, _)| e).collect()))
}

/// Adds people to a shared folder this person manages, each looked up and judged first;
/// addresses without an account are invited by email. Returns the addresses invited.
pub async fn add_people(
    api: &ApiClient,
    session: &BrowserSession,
    share: ShareId,
    recipients: &[(String, ListRole)],
    now_ms: i64,
) -> Result<Vec<String>, String> {
    let (pins, invited) = resolve(api, session, recipients, now_ms).await?;
    session
        .add_to_share(share, &pins, &invited, now_ms)
        .await
        .map_err(|e| e.to_string())?;
    Ok(invited.into_iter().map(|(e, _)| e).collect())
}

/// The notice after sharing with `with`, of whom `invited` had no account.
pub fn shared_notice(with: &[String], invited: &[String]) -> String {
    let mut text = format!("Shared with {}.", with.join(", "));
    if !invited.is_empty() {
        text.push_str(&format!(
            " {} {} no Strongroom account yet: invited by email, they get access once they sign up.",
            invited.join(", "),
            if invited.len() == 1 { "has" } else { "have" }
        ));
    }
    text
}

/// Splits what the person typed into addresses (commas, semicolons, spaces or lines).
pub fn addresses(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split([',', ';', ' ', '\n', '\t'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    out.dedup();
    out
}

/// The people typed into a share form, each with the role chosen there (`view`, `edit` or
/// `manage`; anything else reads as edit).
pub fn recipients(text: &str, role: &str) -> Vec<(String, ListRole)> {
    let role = share_role(role);
    addresses(text).into_iter().map(|a| (a, role)).collect()
}

/// The share role chosen in a form (`view`, `edit` or `manage`; anything else reads as edit).
pub fn share_role(choice: &str) -> ListRole {
    match choice {
        "view" => ListRole::View,
        "manage" => ListRole::Manage,
        _ => ListRole::Edit,
    }
}

/// Leaves a share (anyone but its owner); the share is forgotten here at the next sync.
pub async fn leave(api: &ApiClient, share: ShareId) -> Result<(), String> {
    api.leave_share(share).await.map_err(|e| e.to_string())
}

/// Deletes a share (its owner): nobody can open it any more, and its items are gone.
pub async fn delete(api: &ApiClient, share: ShareId) -> Result<(), String> {
    api.delete_share(share).await.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::addresses;

    #[test]
    fn addresses_are_split_on_commas_spaces_and_lines() {
        assert_eq!(
            addresses(" a@x.com, b@x.com;c@x.com\n\nd@x.com  "),
            vec!["a@x.com", "b@x.com", "c@x.com", "d@x.com"]
        );
        assert!(addresses(" , ").is_empty());
    }
}
