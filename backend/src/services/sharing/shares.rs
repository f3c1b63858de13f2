//! Shares on the server: made from a signed list, given to recipients once a wrapping of the
//! key exists for them, taken away at once (unsigned) when a manager removes someone, a
//! recipient leaves or the owner deletes the share.
//!
//! Invariants:
//! - [`refresh`] is the only writer of a share's `vault_access` rows: an account may read the
//!   share when it is the owner, or an account principal holding a wrapping of the current key
//!   generation, with the role its list entry gives. Each change is an entry of that account's
//!   access feed, and its browsers are told after the commit (`Notifier::accounts_changed`).
//! - A new list is stored only at the next epoch (compare-and-set on `list_epoch`), signed by
//!   the caller (a manager) with their published keys, naming the same owner.
//! - A removal or a leave applies at once and marks the share for re-keying; the next signed
//!   list records it. Browsers never wrap to anyone the server took away.
//! - A deleted share keeps its row and its container, with every recipient's access revoked,
//!   its records and wrappings gone.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
};
use shared_types::sharing::{
    AccessListBody, CreateShareRequest, EntryKind, KeyWrapping, ListChangeRequest, ListRole,
    ShareMeta, SharePrincipal, SignedList,
};
use shared_types::vault::{ContainerKind, Role};
use shared_types::{AccountId, Base64Bytes, ContainerId, GroupId, ShareId};
use uuid::Uuid;

use super::lists::{Expected, check_share_list, check_wrappings, container_role, list_role};
use super::{groups, invitees};
use crate::entity::{
    account, share, share_key_wrapping as wrapping, share_list, share_principal as principal,
    vault_access, vault_container, vault_record,
};
use crate::error::ApiError;
use crate::services::accounts::now;
use crate::services::orgs::begin_as;
use crate::services::{access, policies};
use crate::state::AppState;

/// The most bytes a sealed share name may take.
const MAX_SEALED_NAME: usize = 1024;

pub(super) fn bad(message: &str) -> ApiError {
    ApiError::BadRequest(message.to_owned())
}

pub(super) fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Account => "account",
        EntryKind::Group => "group",
        EntryKind::Invitee => "invitee",
    }
}

fn kind_of(name: &str) -> Option<EntryKind> {
    match name {
        "account" => Some(EntryKind::Account),
        "group" => Some(EntryKind::Group),
        "invitee" => Some(EntryKind::Invitee),
        _ => None,
    }
}

pub(super) fn role_name(role: ListRole) -> &'static str {
    match role {
        ListRole::View => "view",
        ListRole::Edit => "edit",
        ListRole::Manage => "manage",
        ListRole::Owner => "owner",
        ListRole::Member => "member",
        ListRole::Manager => "manager",
        ListRole::MemberManager => "member_manager",
    }
}

pub(super) fn role_of(name: &str) -> Option<ListRole> {
    [
        ListRole::View,
        ListRole::Edit,
        ListRole::Manage,
        ListRole::Owner,
        ListRole::Member,
        ListRole::Manager,
        ListRole::MemberManager,
    ]
    .into_iter()
    .find(|r| role_name(*r) == name)
}

pub(super) fn epoch_of(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

pub(super) fn stored(value: u64) -> Result<i64, ApiError> {
    i64::try_from(value).map_err(|_| bad("A number in the list is too large."))
}

pub(super) async fn live_share(
    db: &impl ConnectionTrait,
    id: ShareId,
) -> Result<share::Model, ApiError> {
    share::Entity::find_by_id(id.0)
        .filter(share::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Gives and takes the share's container access so that it matches its principals and
/// wrappings (see the module's invariants); returns the accounts whose access changed.
pub async fn refresh(txn: &DatabaseTransaction, id: ShareId) -> Result<Vec<AccountId>, ApiError> {
    let found = live_share(txn, id).await?;
    let current: Vec<wrapping::Model> = wrapping::Entity::find()
        .filter(wrapping::Column::ShareId.eq(id.0))
        .filter(wrapping::Column::Generation.eq(found.generation))
        .all(txn)
        .await?;
    let holders: BTreeSet<Uuid> = current.iter().map(|w| w.recipient_id).collect();
    let mut wanted: BTreeMap<Uuid, Option<Role>> = BTreeMap::new();
    let mut give = |account: Uuid, role: Option<Role>| {
        let entry = wanted.entry(account).or_insert(None);
        *entry = (*entry).max(role);
    };
    for p in principal::Entity::find()
        .filter(principal::Column::ShareId.eq(id.0))
        .all(txn)
        .await?
    {
        let role = role_of(&p.role).and_then(container_role);
        match kind_of(&p.kind) {
            Some(EntryKind::Account) => {
                let keyed = holders.contains(&p.principal_id) || p.principal_id == found.owner_id;
                give(p.principal_id, role.filter(|_| keyed));
            }
            Some(EntryKind::Group) => {
                let wrapped_at = current
                    .iter()
                    .find(|w| w.recipient_id == p.principal_id)
                    .map(|w| w.recipient_generation);
                if let Some(generation) = wrapped_at {
                    for account in
                        groups::readers_at(txn, GroupId(p.principal_id), generation).await?
                    {
                        give(account, role);
                    }
                }
            }
            Some(EntryKind::Invitee) | None => {}
        }
    }
    give(found.owner_id, Some(Role::Owner));
    let held: BTreeMap<Uuid, Option<Role>> = vault_access::Entity::find()
        .filter(vault_access::Column::ContainerId.eq(id.0))
        .all(txn)
        .await?
        .into_iter()
        .map(|a| (a.account_id, a.role.as_deref().and_then(access::role_of)))
        .collect();
    let mut changed = Vec::new();
    let accounts: BTreeSet<Uuid> = wanted.keys().chain(held.keys()).copied().collect();
    for account in accounts {
        let want = wanted.get(&account).copied().flatten();
        let have = held.get(&account).copied().flatten();
        if want != have {
            access::set_access(txn, ContainerId(id.0), AccountId(account), want).await?;
            changed.push(AccountId(account));
        }
    }
    Ok(changed)
}

pub(super) async fn store_list(
    txn: &DatabaseTransaction,
    id: ShareId,
    signed: &SignedList,
    caller: AccountId,
    given: &BTreeMap<Uuid, String>,
) -> Result<(), ApiError> {
    // Invitees the list keeps keep their address; those it adds bring theirs.
    let mut emails = invitees::current(txn, id).await?;
    emails.extend(given.iter().map(|(k, v)| (*k, v.clone())));
    let missing = (signed.list.entries.iter())
        .any(|e| e.kind == EntryKind::Invitee && !emails.contains_key(&e.id));
    if missing {
        return Err(bad(
            "Send the address of each person the list invites; reload and try again.",
        ));
    }
    let body = serde_json::to_string(&signed.list).map_err(|e| ApiError::Internal(Box::new(e)))?;
    share_list::Entity::insert(share_list::ActiveModel {
        share_id: Set(id.0),
        epoch: Set(stored(signed.list.epoch)?),
        body: Set(body),
        signer_id: Set(signed.signer.0),
        signature: Set(signed.signature.0.clone()),
        created_at: Set(now()),
    })
    .exec_without_returning(txn)
    .await?;
    principal::Entity::delete_many()
        .filter(principal::Column::ShareId.eq(id.0))
        .exec(txn)
        .await?;
    let rows: Vec<principal::ActiveModel> = signed
        .list
        .entries
        .iter()
        .map(|e| principal::ActiveModel {
            share_id: Set(id.0),
            principal_id: Set(e.id),
            kind: Set(kind_name(e.kind).to_owned()),
            role: Set(role_name(e.role).to_owned()),
            email: Set((e.kind == EntryKind::Invitee)
                .then(|| emails.get(&e.id).cloned())
                .flatten()),
            added_by: Set(Some(caller.0)),
            added_at: Set(now()),
        })
        .collect();
    principal::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

pub(super) async fn store_wrappings(
    txn: &DatabaseTransaction,
    id: ShareId,
    generation: i64,
    wrappings: Vec<(Uuid, KeyWrapping)>,
) -> Result<(), ApiError> {
    if wrappings.is_empty() {
        return Ok(());
    }
    let rows: Vec<wrapping::ActiveModel> = wrappings
        .into_iter()
        .map(|(recipient, w)| wrapping::ActiveModel {
            share_id: Set(id.0),
            generation: Set(generation),
            recipient_id: Set(recipient),
            recipient_kind: Set(kind_name(w.recipient_kind).to_owned()),
            recipient_generation: Set(i64::try_from(w.recipient_generation).unwrap_or(0)),
            sender_id: Set(w.sender.0),
            wrapped: Set(w.wrapped.0),
            signature: Set(w.signature.0),
            created_at: Set(now()),
        })
        .collect();
    wrapping::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                wrapping::Column::ShareId,
                wrapping::Column::Generation,
                wrapping::Column::RecipientId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// `POST /api/shares`.
pub async fn create(
    state: &AppState,
    caller: AccountId,
    req: CreateShareRequest,
) -> Result<ShareMeta, ApiError> {
    if req.sealed_name.0.len() > MAX_SEALED_NAME || req.sealed_name.0.len() < 30 {
        return Err(bad("The share's name must be sealed, and short."));
    }
    let asked = invitees::addresses(&req.list.list, &req.invitees)?;
    invitees::limit(&state.db, caller, asked.len()).await?;
    let (txn, _) = begin_as(&state.db, caller).await?;
    if vault_container::Entity::find_by_id(req.id.0)
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict {
            code: "id_taken",
            message: "This id is already used; your browser makes a new one when you try again."
                .into(),
        });
    }
    check_share_list(
        &txn,
        caller,
        &req.list,
        &Expected {
            share: req.id,
            owner: caller,
            epoch: 1,
            generation: 1,
        },
    )
    .await?;
    if req.list.list.generation != 1 {
        return Err(bad("A new share starts at key generation 1."));
    }
    policies::check_new_recipients(
        &txn,
        (caller, caller),
        (true, &req.list.list.entries),
        &asked,
    )
    .await?;
    let wrappings = check_wrappings(&txn, caller, &req.list.list, &req.wrappings).await?;
    let invited = invitees::addresses(&req.list.list, &req.invitees)?;
    if !wrappings.iter().any(|(r, _)| *r == caller.0) {
        return Err(bad(
            "Wrap the share key to yourself too, for your other browsers.",
        ));
    }
    access::create_container(&txn, ContainerId(req.id.0), ContainerKind::Share, caller).await?;
    share::Entity::insert(share::ActiveModel {
        id: Set(req.id.0),
        owner_id: Set(caller.0),
        sealed_name: Set(req.sealed_name.0.clone()),
        name_version: Set(1),
        list_epoch: Set(1),
        generation: Set(1),
        generation_id: Set(req.list.list.generation_id),
        rekey_pending: Set(false),
        company_id: Set(None),
        created_at: Set(now()),
        deleted_at: Set(None),
        rekey_lease_by: Set(None),
        rekey_lease_until: Set(None),
        rekey_from_revision: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    store_list(&txn, req.id, &req.list, caller, &invited).await?;
    store_wrappings(&txn, req.id, 1, wrappings).await?;
    let new = invitees::new_ones(&BTreeSet::new(), &invited);
    invitees::mail_new(&txn, req.id, &new).await?;
    let mut changed = refresh(&txn, req.id).await?;
    txn.commit().await?;
    if !new.is_empty() {
        state.outbox.wake();
    }
    changed.push(caller);
    state.notifier.accounts_changed(&state.db, &changed).await;
    meta(&state.db, req.id, caller, Role::Owner).await
}

/// `POST /api/shares/{share_id}/lists`: the next signed list, by a manager.
pub async fn change_list(
    state: &AppState,
    id: ShareId,
    caller: AccountId,
    req: ListChangeRequest,
) -> Result<ShareMeta, ApiError> {
    let invited = invitees::addresses(&req.list.list, &req.invitees)?;
    let already: BTreeSet<Uuid> = invitees::current(&state.db, id)
        .await?
        .into_keys()
        .collect();
    invitees::limit(
        &state.db,
        caller,
        invitees::new_ones(&already, &invited).len(),
    )
    .await?;
    let (txn, _) = begin_as(&state.db, caller).await?;
    let found = live_share(&txn, id).await?;
    let next = epoch_of(found.list_epoch) + 1;
    let entries = check_share_list(
        &txn,
        caller,
        &req.list,
        &Expected {
            share: id,
            owner: AccountId(found.owner_id),
            epoch: next,
            generation: epoch_of(found.generation),
        },
    )
    .await?;
    if req.list.list.generation != epoch_of(found.generation)
        || req.list.list.generation_id != found.generation_id
    {
        return Err(bad("Re-keying goes through its own request."));
    }
    let wrappings = check_wrappings(&txn, caller, &req.list.list, &req.wrappings).await?;
    let moved = share::Entity::update_many()
        .col_expr(
            share::Column::ListEpoch,
            sea_orm::sea_query::Expr::value(stored(next)?),
        )
        .filter(share::Column::Id.eq(id.0))
        .filter(share::Column::ListEpoch.eq(found.list_epoch))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(ApiError::Conflict {
            code: "list_changed",
            message: "Someone else changed who has access meanwhile. Reload and try again.".into(),
        });
    }
    let before_rows = principal::Entity::find()
        .filter(principal::Column::ShareId.eq(id.0))
        .all(&txn)
        .await?;
    let before: BTreeSet<Uuid> = before_rows.iter().map(|p| p.principal_id).collect();
    let after: BTreeSet<Uuid> = entries.iter().map(|e| e.id).collect();
    let added: Vec<_> = (req.list.list.entries.iter())
        .filter(|e| !before.contains(&e.id))
        .cloned()
        .collect();
    policies::check_new_recipients(
        &txn,
        (caller, AccountId(found.owner_id)),
        (false, &added),
        &invited,
    )
    .await?;
    store_list(&txn, id, &req.list, caller, &invited).await?;
    store_wrappings(&txn, id, found.generation, wrappings).await?;
    // An invitee replaced by their account never held the key: no re-key for them.
    let gone: Vec<Uuid> = before.difference(&after).copied().collect();
    let invited_before = invitees::current_from(&before_rows);
    if gone.iter().any(|g| !invited_before.contains(g)) {
        mark_for_rekey(&txn, id).await?;
    }
    let new = invitees::new_ones(&before, &invited);
    invitees::mail_new(&txn, id, &new).await?;
    let changed = refresh(&txn, id).await?;
    txn.commit().await?;
    if !new.is_empty() {
        state.outbox.wake();
    }
    state.notifier.accounts_changed(&state.db, &changed).await;
    let role = access::role_in(&state.db, caller, id.into())
        .await?
        .ok_or(ApiError::NotFound)?;
    meta(&state.db, id, caller, role).await
}

/// The list stored at `epoch`.
pub(super) async fn current_list(
    db: &impl ConnectionTrait,
    id: ShareId,
    epoch: i64,
) -> Result<AccessListBody, ApiError> {
    let row = share_list::Entity::find_by_id((id.0, epoch))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Internal("a share's current list is missing".into()))?;
    serde_json::from_str(&row.body).map_err(|e| ApiError::Internal(Box::new(e)))
}

pub(super) async fn mark_for_rekey(txn: &DatabaseTransaction, id: ShareId) -> Result<(), ApiError> {
    share::Entity::update_many()
        .col_expr(
            share::Column::RekeyPending,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(share::Column::Id.eq(id.0))
        .exec(txn)
        .await?;
    Ok(())
}

/// Takes `principal` off the share at once (unsigned; the next signed list records it).
async fn take_off(
    state: &AppState,
    id: ShareId,
    caller: AccountId,
    principal_id: Uuid,
) -> Result<(), ApiError> {
    let (txn, _) = begin_as(&state.db, caller).await?;
    let found = live_share(&txn, id).await?;
    if principal_id == found.owner_id {
        return Err(bad(
            "The owner cannot be taken off a share; the owner can delete it instead.",
        ));
    }
    let removed = principal::Entity::delete_many()
        .filter(principal::Column::ShareId.eq(id.0))
        .filter(principal::Column::PrincipalId.eq(principal_id))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(ApiError::NotFound);
    }
    mark_for_rekey(&txn, id).await?;
    let changed = refresh(&txn, id).await?;
    txn.commit().await?;
    state.notifier.accounts_changed(&state.db, &changed).await;
    Ok(())
}

/// `DELETE /api/shares/{share_id}/principals/{principal_id}`, by a manager.
pub async fn remove_principal(
    state: &AppState,
    id: ShareId,
    caller: AccountId,
    principal_id: Uuid,
) -> Result<(), ApiError> {
    take_off(state, id, caller, principal_id).await
}

/// `POST /api/shares/{share_id}/leave`, by a recipient who is not the owner.
pub async fn leave(state: &AppState, id: ShareId, caller: AccountId) -> Result<(), ApiError> {
    take_off(state, id, caller, caller.0).await
}

/// `DELETE /api/shares/{share_id}`, by the owner.
pub async fn delete(state: &AppState, id: ShareId, caller: AccountId) -> Result<(), ApiError> {
    let (txn, _) = begin_as(&state.db, caller).await?;
    live_share(&txn, id).await?;
    share::Entity::update_many()
        .col_expr(
            share::Column::DeletedAt,
            sea_orm::sea_query::Expr::value(now()),
        )
        .filter(share::Column::Id.eq(id.0))
        .exec(&txn)
        .await?;
    let container = ContainerId(id.0);
    let readers = access::readers(&txn, [container])
        .await?
        .remove(&container)
        .unwrap_or_default();
    for account in &readers {
        access::set_access(&txn, container, *account, None).await?;
    }
    vault_record::Entity::delete_many()
        .filter(vault_record::Column::ContainerId.eq(id.0))
        .exec(&txn)
        .await?;
    wrapping::Entity::delete_many()
        .filter(wrapping::Column::ShareId.eq(id.0))
        .exec(&txn)
        .await?;
    principal::Entity::delete_many()
        .filter(principal::Column::ShareId.eq(id.0))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    state.notifier.accounts_changed(&state.db, &readers).await;
    Ok(())
}

/// `GET /api/shares`: the shares the caller can open.
pub async fn mine(
    db: &impl ConnectionTrait,
    caller: AccountId,
) -> Result<Vec<ShareMeta>, ApiError> {
    let readable = access::readable(db, caller).await?;
    let ids: Vec<Uuid> = readable.keys().map(|c| c.0).collect();
    let shares = share::Entity::find()
        .filter(share::Column::Id.is_in(ids))
        .filter(share::Column::DeletedAt.is_null())
        .order_by_asc(share::Column::CreatedAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(shares.len());
    for found in shares {
        if let Some(role) = readable.get(&ContainerId(found.id)) {
            out.push(meta(db, ShareId(found.id), caller, *role).await?);
        }
    }
    Ok(out)
}

/// A share as `caller` (whose role is `role`) sees it.
pub async fn meta(
    db: &impl ConnectionTrait,
    id: ShareId,
    caller: AccountId,
    role: Role,
) -> Result<ShareMeta, ApiError> {
    let found = live_share(db, id).await?;
    let mut lists = Vec::new();
    for row in share_list::Entity::find()
        .filter(share_list::Column::ShareId.eq(id.0))
        .order_by_asc(share_list::Column::Epoch)
        .all(db)
        .await?
    {
        lists.push(SignedList {
            list: serde_json::from_str(&row.body).map_err(|e| ApiError::Internal(Box::new(e)))?,
            signer: AccountId(row.signer_id),
            signature: Base64Bytes(row.signature),
        });
    }
    // Every generation not retired yet: the current one, and older ones while a re-key runs.
    let held: Vec<wrapping::Model> = wrapping::Entity::find()
        .filter(wrapping::Column::ShareId.eq(id.0))
        .order_by_desc(wrapping::Column::Generation)
        .all(db)
        .await?;
    let keyed: BTreeSet<Uuid> = held
        .iter()
        .filter(|w| w.generation == found.generation)
        .map(|w| w.recipient_id)
        .collect();
    let mut mine = Vec::new();
    for w in &held {
        let reaches = match kind_of(&w.recipient_kind) {
            Some(EntryKind::Account) => w.recipient_id == caller.0,
            Some(EntryKind::Group) => {
                groups::readers_at(db, GroupId(w.recipient_id), w.recipient_generation)
                    .await?
                    .contains(&caller.0)
            }
            _ => false,
        };
        if reaches {
            mine.push(w);
        }
    }
    let wrappings = mine
        .into_iter()
        .map(|w| KeyWrapping {
            recipient: w.recipient_id,
            recipient_kind: kind_of(&w.recipient_kind).unwrap_or(EntryKind::Account),
            recipient_generation: epoch_of(w.recipient_generation),
            generation: epoch_of(w.generation),
            sender: AccountId(w.sender_id),
            wrapped: Base64Bytes(w.wrapped.clone()),
            signature: Base64Bytes(w.signature.clone()),
        })
        .collect();
    let invitees_ready = if role >= Role::Manage {
        invitees::ready(db, id).await?
    } else {
        Vec::new()
    };
    let principals = if role >= Role::Manage {
        let rows = principal::Entity::find()
            .filter(principal::Column::ShareId.eq(id.0))
            .all(db)
            .await?;
        let emails: BTreeMap<Uuid, String> = account::Entity::find()
            .filter(account::Column::Id.is_in(rows.iter().map(|p| p.principal_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.email))
            .collect();
        rows.into_iter()
            .filter_map(|p| {
                Some(SharePrincipal {
                    id: p.principal_id,
                    kind: kind_of(&p.kind)?,
                    role: role_of(&p.role)?,
                    email: p.email.or_else(|| emails.get(&p.principal_id).cloned()),
                    has_key: keyed.contains(&p.principal_id),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ShareMeta {
        id,
        owner: AccountId(found.owner_id),
        role: list_role(role),
        sealed_name: Base64Bytes(found.sealed_name),
        name_version: found.name_version,
        lists,
        generation: epoch_of(found.generation),
        wrappings,
        principals,
        rekey_pending: found.rekey_pending,
        invitees_ready,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_roles_round_trip_through_their_stored_names() {
        for kind in [EntryKind::Account, EntryKind::Group, EntryKind::Invitee] {
            assert_eq!(kind_of(kind_name(kind)), Some(kind));
        }
        for role in [
            ListRole::View,
            ListRole::Edit,
            ListRole::Manage,
            ListRole::Owner,
            ListRole::Member,
            ListRole::Manager,
            ListRole::MemberManager,
        ] {
            assert_eq!(role_of(role_name(role)), Some(role));
        }
    }
}
