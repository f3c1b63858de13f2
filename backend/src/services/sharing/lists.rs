//! Signed access lists as the server checks them: their shape, their signer and their
//! signature. Only crafted clients are stopped here; browsers check every list again.

use std::collections::HashSet;

use sea_orm::ConnectionTrait;
use shared_types::sharing::{
    AccessListBody, EntryKind, KeyWrapping, ListKind, ListRole, MAX_SHARE_ENTRIES, SignedList,
};
use shared_types::vault::Role;
use shared_types::{AccountId, ShareId};
use uuid::Uuid;
use wasm_crypto::{HpkeBinding, HpkeWrappedKey, Purpose, Signature, Statement, VerifyingKey};

use super::keys;
use crate::error::ApiError;

fn bad(message: &str) -> ApiError {
    ApiError::BadRequest(message.to_owned())
}

/// The statement a list's signature covers.
pub fn to_crypto(body: &AccessListBody) -> Result<wasm_crypto::AccessList, ApiError> {
    body.statement()
        .ok_or_else(|| bad("The list's group key is not a public key."))
}

/// The container role a share-list role gives.
pub fn container_role(role: ListRole) -> Option<Role> {
    match role {
        ListRole::View => Some(Role::Read),
        ListRole::Edit => Some(Role::Write),
        ListRole::Manage => Some(Role::Manage),
        ListRole::Owner => Some(Role::Owner),
        ListRole::Member | ListRole::Manager | ListRole::MemberManager => None,
    }
}

/// The share-list role of a container role.
pub fn list_role(role: Role) -> ListRole {
    match role {
        Role::Read => ListRole::View,
        Role::Write => ListRole::Edit,
        Role::Manage => ListRole::Manage,
        Role::Owner => ListRole::Owner,
    }
}

async fn verifying_key_of(
    db: &impl ConnectionTrait,
    account: AccountId,
) -> Result<VerifyingKey, ApiError> {
    let published = keys::current(db, account.0)
        .await?
        .ok_or_else(|| bad("Publish your keys first: sign in again, then share."))?;
    VerifyingKey::from_bytes(&published.verifying_key.0)
        .map_err(|_| ApiError::Internal("a stored verifying key does not parse".into()))
}

/// What a share list must be, beyond its signature.
pub struct Expected {
    /// The share.
    pub share: ShareId,
    /// Its owner.
    pub owner: AccountId,
    /// The epoch the list must have.
    pub epoch: u64,
    /// The key generation in force (the list may not go below it).
    pub generation: u64,
}

/// Checks a share list sent by `caller` and returns the account entries it names.
pub async fn check_share_list(
    db: &impl ConnectionTrait,
    caller: AccountId,
    signed: &SignedList,
    expected: &Expected,
) -> Result<Vec<(AccountId, ListRole)>, ApiError> {
    let list = &signed.list;
    if list.kind != ListKind::Share || list.object_id != expected.share.0 {
        return Err(bad("This list is not about this share."));
    }
    if list.epoch != expected.epoch {
        return Err(ApiError::Conflict {
            code: "list_changed",
            message: "Someone else changed who has access meanwhile. Reload and try again.".into(),
        });
    }
    if list.generation < expected.generation || list.group_key.is_some() {
        return Err(bad("This list names an older key generation."));
    }
    if signed.signer != caller {
        return Err(bad("A list is signed by the manager who sends it."));
    }
    if list.entries.len() > MAX_SHARE_ENTRIES {
        return Err(bad(
            "A shared folder has at most 500 recipients; share with a group instead.",
        ));
    }
    let mut seen = HashSet::new();
    let mut accounts = Vec::new();
    let mut owners = 0;
    for entry in &list.entries {
        if !seen.insert(entry.id) {
            return Err(bad("A list names each recipient once."));
        }
        if container_role(entry.role).is_none() {
            return Err(bad("A share's recipients view, edit, manage or own it."));
        }
        if entry.kind != EntryKind::Account {
            return Err(bad(
                "Sharing with groups or with people who have no account is not available yet.",
            ));
        }
        if entry.role == ListRole::Owner {
            owners += 1;
            if entry.id != expected.owner.0 {
                return Err(bad("Only the share's owner owns it."));
            }
        }
        if keys::current(db, entry.id).await?.is_none() {
            return Err(bad(
                "One of the recipients has not published keys yet; they must sign in first.",
            ));
        }
        accounts.push((AccountId(entry.id), entry.role));
    }
    if owners != 1 {
        return Err(bad("A share's list names its owner once."));
    }
    let signature = Signature::from_bytes(signed.signature.0.clone())
        .map_err(|_| bad("The list's signature is malformed."))?;
    verifying_key_of(db, caller)
        .await?
        .verify(&Statement::AccessList(&to_crypto(list)?), &signature)
        .map_err(|_| bad("The list is not signed with your published keys."))?;
    Ok(accounts)
}

/// Checks wrappings of a share key generation sent by `caller`: each to an account of `list`,
/// sent and signed by the caller. Returns them by recipient.
pub async fn check_wrappings(
    db: &impl ConnectionTrait,
    caller: AccountId,
    list: &AccessListBody,
    wrappings: &[KeyWrapping],
) -> Result<Vec<(Uuid, KeyWrapping)>, ApiError> {
    let named: HashSet<Uuid> = list
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Account)
        .map(|e| e.id)
        .collect();
    let verifying = verifying_key_of(db, caller).await?;
    let mut out = Vec::with_capacity(wrappings.len());
    let mut seen = HashSet::new();
    for w in wrappings {
        if w.sender != caller || w.recipient_kind != EntryKind::Account {
            return Err(bad(
                "A wrapping is sent by the manager who made it, to an account.",
            ));
        }
        if !named.contains(&w.recipient) || !seen.insert(w.recipient) {
            return Err(bad("A wrapping goes to a recipient of the list, once."));
        }
        let wrapped = HpkeWrappedKey::from_bytes(w.wrapped.0.clone())
            .map_err(|_| bad("A wrapped key is malformed."))?;
        let signature = Signature::from_bytes(w.signature.0.clone())
            .map_err(|_| bad("A wrapping's signature is malformed."))?;
        let binding = HpkeBinding {
            purpose: Purpose::ShareKey,
            object_id: list.generation_id,
            sender_id: caller.0,
            recipient_id: w.recipient,
        };
        verifying
            .verify(
                &Statement::Wrapping {
                    binding: &binding,
                    wrapped: &wrapped,
                },
                &signature,
            )
            .map_err(|_| bad("A wrapping is not signed with your published keys."))?;
        out.push((w.recipient, w.clone()));
    }
    Ok(out)
}
