//! Sharing a folder, leaving a share and deleting one, as the person does them from the vault.
//! Every recipient's keys are looked up and judged against the pins first: nothing is wrapped to
//! keys that changed or were replayed, and the person is told why.

use shared_types::sharing::ListRole;
use shared_types::{ContainerId, FolderId, ShareId};

use super::contacts::{self, Found};
use super::making::{GroupTarget, make_share};
use super::trust::{ContactPin, Judgement};
use crate::api::ApiClient;
use crate::services::vault::BrowserSession;

/// The pin to wrap to for `email`, after looking it up (and pinning it on first use).
pub(super) async fn recipient(
    api: &ApiClient,
    session: &BrowserSession,
    email: &str,
    now_ms: i64,
) -> Result<ContactPin, String> {
    match contacts::look_up(api, session, email, now_ms).await? {
        Found::Nobody => Err(format!(
            "Nobody with the address {email} has a Strongroom account yet. Ask them to sign up, then share again."
        )),
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
            .ok_or_else(|| format!("The keys of {email} could not be kept in this browser.")),
    }
}

/// A group a folder is shared with, and its role.
pub type GroupShare = (GroupTarget, ListRole);

/// Shares `folder` (with the folders inside it) as a new shared folder named `name`, with
/// each recipient (an address, or a group of the company verified from its lists) given a role. The share is made and signed here, sent, opened, and the
/// folder moved into it (sent at the next sync). Returns the share's container.
pub async fn share_folder(
    api: &ApiClient,
    session: &BrowserSession,
    folder: FolderId,
    name: &str,
    (recipients, groups): (&[(String, ListRole)], &[GroupShare]),
    now_ms: i64,
) -> Result<ContainerId, String> {
    let mut pins = Vec::with_capacity(recipients.len());
    for (email, role) in recipients {
        pins.push((recipient(api, session, email, now_ms).await?, *role));
    }
    let made = make_share(&session.keys(), name, &pins, groups).map_err(|e| e.to_string())?;
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
    Ok(container)
}

/// Adds people to a shared folder this person manages, each looked up and judged first.
pub async fn add_people(
    api: &ApiClient,
    session: &BrowserSession,
    share: ShareId,
    recipients: &[(String, ListRole)],
    now_ms: i64,
) -> Result<(), String> {
    let mut pins = Vec::with_capacity(recipients.len());
    for (email, role) in recipients {
        pins.push((recipient(api, session, email, now_ms).await?, *role));
    }
    session
        .add_to_share(share, &pins, now_ms)
        .await
        .map_err(|e| e.to_string())
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
