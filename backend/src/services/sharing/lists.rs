//! Signed access lists as the server checks them: their shape, their signer and their
//! signature. Only crafted clients are stopped here; browsers check every list again.

use std::collections::{HashMap, HashSet};

use sea_orm::ConnectionTrait;
use shared_types::sharing::{
    AccessListBody, EntryKind, KeyWrapping, ListEntry, ListKind, ListRole, MAX_GROUP_ENTRIES,
    MAX_SHARE_ENTRIES, SignedList,
};
use shared_types::vault::Role;
use shared_types::{AccountId, CompanyId, GroupId, ShareId};
use uuid::Uuid;
use wasm_crypto::{HpkeBinding, HpkeWrappedKey, Purpose, Signature, Statement, VerifyingKey};

use super::{groups, keys};
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

/// Checks a share list sent by `caller` and returns its entries (accounts and groups).
pub async fn check_share_list(
    db: &impl ConnectionTrait,
    caller: AccountId,
    signed: &SignedList,
    expected: &Expected,
) -> Result<Vec<ListEntry>, ApiError> {
    let list = &signed.list;
    if list.kind != ListKind::Share || list.object_id != expected.share.0 {
        return Err(bad("This list is not about this share."));
    }
    check_epoch(list.epoch, expected.epoch)?;
    if list.generation < expected.generation || list.group_key.is_some() {
        return Err(bad("This list names an older key generation."));
    }
    check_signer(signed, caller)?;
    if list.entries.len() > MAX_SHARE_ENTRIES {
        return Err(bad(
            "A shared folder has at most 500 recipients; share with a group instead.",
        ));
    }
    let mut seen = HashSet::new();
    let mut owners = 0;
    for entry in &list.entries {
        if !seen.insert(entry.id) {
            return Err(bad("A list names each recipient once."));
        }
        if container_role(entry.role).is_none() {
            return Err(bad("A share's recipients view, edit, manage or own it."));
        }
        match entry.kind {
            EntryKind::Account => {
                if keys::current(db, entry.id).await?.is_none() {
                    return Err(bad(
                        "One of the recipients has not published keys yet; they must sign in first.",
                    ));
                }
            }
            EntryKind::Group => {
                if entry.role == ListRole::Owner {
                    return Err(bad("Only the share's owner owns it."));
                }
                groups::check_shareable(db, caller, GroupId(entry.id)).await?;
            }
            EntryKind::Invitee => {
                if entry.role == ListRole::Owner {
                    return Err(bad("Only the share's owner owns it."));
                }
            }
        }
        if entry.role == ListRole::Owner {
            owners += 1;
            if entry.id != expected.owner.0 {
                return Err(bad("Only the share's owner owns it."));
            }
        }
    }
    if owners != 1 {
        return Err(bad("A share's list names its owner once."));
    }
    verify_list(db, caller, signed).await?;
    Ok(list.entries.clone())
}

fn check_epoch(epoch: u64, expected: u64) -> Result<(), ApiError> {
    if epoch != expected {
        return Err(ApiError::Conflict {
            code: "list_changed",
            message: "Someone else changed who has access meanwhile. Reload and try again.".into(),
        });
    }
    Ok(())
}

fn check_signer(signed: &SignedList, caller: AccountId) -> Result<(), ApiError> {
    if signed.signer != caller {
        return Err(bad("A list is signed by the manager who sends it."));
    }
    Ok(())
}

async fn verify_list(
    db: &impl ConnectionTrait,
    caller: AccountId,
    signed: &SignedList,
) -> Result<(), ApiError> {
    let signature = Signature::from_bytes(signed.signature.0.clone())
        .map_err(|_| bad("The list's signature is malformed."))?;
    verifying_key_of(db, caller)
        .await?
        .verify(
            &Statement::AccessList(&to_crypto(&signed.list)?),
            &signature,
        )
        .map_err(|_| bad("The list is not signed with your published keys."))
}

/// What a group list must be, beyond its signature.
pub struct GroupExpected {
    /// The group.
    pub group: GroupId,
    /// Its company: every account entry must be an active member of it.
    pub company: CompanyId,
    /// The epoch the list must have.
    pub epoch: u64,
    /// The key generation the list must name.
    pub generation: u64,
}

/// Checks a group list sent by `caller` and returns its entries (accounts only).
pub async fn check_group_list(
    db: &impl ConnectionTrait,
    caller: AccountId,
    signed: &SignedList,
    expected: &GroupExpected,
) -> Result<Vec<ListEntry>, ApiError> {
    let list = &signed.list;
    if list.kind != ListKind::Group || list.object_id != expected.group.0 {
        return Err(bad("This list is not about this group."));
    }
    check_epoch(list.epoch, expected.epoch)?;
    if list.generation != expected.generation {
        return Err(bad("This list names the wrong key generation."));
    }
    if list.group_key.is_none() {
        return Err(bad("A group's list names its public key."));
    }
    check_signer(signed, caller)?;
    if list.entries.len() > MAX_GROUP_ENTRIES {
        return Err(bad("A group has at most 1,000 people."));
    }
    let mut seen = HashSet::new();
    let mut managers = 0;
    for entry in &list.entries {
        if !seen.insert(entry.id) {
            return Err(bad("A list names each person once."));
        }
        if entry.kind != EntryKind::Account {
            return Err(bad("A group's members are people, not groups."));
        }
        match entry.role {
            ListRole::Manager | ListRole::MemberManager => managers += 1,
            ListRole::Member => {}
            _ => return Err(bad("A group's people are members, managers or both.")),
        }
        if !groups::is_active_member(db, expected.company, AccountId(entry.id)).await? {
            return Err(bad(
                "Only people who have joined the company can be in its groups.",
            ));
        }
        if keys::current(db, entry.id).await?.is_none() {
            return Err(bad(
                "One of the people has not published keys yet; they must sign in first.",
            ));
        }
    }
    if managers == 0 {
        return Err(bad("A group keeps at least one manager."));
    }
    verify_list(db, caller, signed).await?;
    Ok(list.entries.clone())
}

/// Checks wrappings of a share key or group key generation sent by `caller`: each to an entry
/// of `list` (an account, or for a share a group at its current key generation), sent and
/// signed by the caller. Returns them by recipient.
pub async fn check_wrappings(
    db: &impl ConnectionTrait,
    caller: AccountId,
    list: &AccessListBody,
    wrappings: &[KeyWrapping],
) -> Result<Vec<(Uuid, KeyWrapping)>, ApiError> {
    let named: HashMap<Uuid, EntryKind> = list
        .entries
        .iter()
        .filter(|e| e.kind != EntryKind::Invitee)
        .map(|e| (e.id, e.kind))
        .collect();
    let purpose = match list.kind {
        ListKind::Share => Purpose::ShareKey,
        ListKind::Group => Purpose::GroupPrivateKey,
    };
    let verifying = verifying_key_of(db, caller).await?;
    let mut out = Vec::with_capacity(wrappings.len());
    let mut seen = HashSet::new();
    for w in wrappings {
        if w.sender != caller {
            return Err(bad("A wrapping is sent by the manager who made it."));
        }
        if named.get(&w.recipient) != Some(&w.recipient_kind) || !seen.insert(w.recipient) {
            return Err(bad("A wrapping goes to a recipient of the list, once."));
        }
        let wanted_generation = match w.recipient_kind {
            EntryKind::Group => groups::generation_of(db, GroupId(w.recipient)).await?,
            _ => 0,
        };
        if w.recipient_generation != wanted_generation {
            return Err(bad(
                "A wrapping to a group uses the group's current key; reload and try again.",
            ));
        }
        let wrapped = HpkeWrappedKey::from_bytes(w.wrapped.0.clone())
            .map_err(|_| bad("A wrapped key is malformed."))?;
        let signature = Signature::from_bytes(w.signature.0.clone())
            .map_err(|_| bad("A wrapping's signature is malformed."))?;
        let binding = HpkeBinding {
            purpose,
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
