//! Groups on the server: people of one company who receive shares together. A group has a key
//! pair per generation; its private key is wrapped (signed) to each of its people, and a share
//! given to the group has its key wrapped to the group's public key.
//!
//! Invariants:
//! - Only active members of the company are in its groups: every list is checked, and someone
//!   who leaves the company is taken out of each group at once ([`on_member_removed`]).
//! - A list is stored only at the next epoch (compare-and-set on `list_epoch`), signed by the
//!   caller, a manager of the current list (the route's scope), with their published keys. A
//!   list at the same key generation only adds people or changes roles; one that drops anyone
//!   names the next generation with a new public key. A group keeps at least one manager.
//! - Taking someone out (a manager's `DELETE`, or leaving the company) applies at once and
//!   unsigned: their row and their wrappings of every generation go, the group is marked
//!   `list_stale` until a manager signs the next list with a new key, and every share of the
//!   group is refreshed (`shares::refresh`) and marked for re-keying.
//! - An account reads a share through a group when the group is on the share's list, the
//!   share's current key is wrapped to the group at some group generation, the account is a
//!   member (not only a manager) and holds the group key of that generation ([`readers_at`]).

use std::collections::BTreeSet;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QuerySelect,
};
use shared_types::sharing::{
    CreateGroupRequest, GrantRequest, GroupMeta, KeyWrapping, ListChangeRequest, ListRole,
    RenameShareRequest, SignedList,
};
use shared_types::{AccountId, Base64Bytes, CompanyId, ContainerId, GroupId, ShareId};
use uuid::Uuid;

use super::group_views;
use super::lists::{GroupExpected, check_group_list, check_wrappings};
use super::shares::{bad, epoch_of, mark_for_rekey, refresh, role_name, role_of, stored};
use crate::entity::{
    company_group as group, company_member, group_key_wrapping as wrapping, group_list,
    group_member as person, share, share_principal,
};
use crate::error::ApiError;
use crate::services::access;
use crate::services::accounts::now;
use crate::services::orgs::{ACTIVE, begin_as};
use crate::state::AppState;

/// The most bytes a sealed group name may take.
const MAX_SEALED_NAME: usize = 1024;

fn receives_shares(role: &str) -> bool {
    matches!(
        role_of(role),
        Some(ListRole::Member | ListRole::MemberManager)
    )
}

fn manages_with(role: &str) -> bool {
    matches!(
        role_of(role),
        Some(ListRole::Manager | ListRole::MemberManager)
    )
}

/// Whether `account` is an active member of `company`.
pub async fn is_active_member(
    db: &impl ConnectionTrait,
    company: CompanyId,
    account: AccountId,
) -> Result<bool, ApiError> {
    Ok(company_member::Entity::find()
        .select_only()
        .column(company_member::Column::Id)
        .filter(company_member::Column::CompanyId.eq(company.0))
        .filter(company_member::Column::AccountId.eq(account.0))
        .filter(company_member::Column::Status.eq(ACTIVE))
        .into_tuple::<Uuid>()
        .one(db)
        .await?
        .is_some())
}

/// Whether `account` manages the group (for `authz`).
pub async fn manages(
    db: &impl ConnectionTrait,
    id: GroupId,
    account: AccountId,
) -> Result<bool, ApiError> {
    Ok(person::Entity::find_by_id((id.0, account.0))
        .one(db)
        .await?
        .is_some_and(|p| manages_with(&p.role)))
}

async fn live(db: &impl ConnectionTrait, id: GroupId) -> Result<Option<group::Model>, ApiError> {
    Ok(group::Entity::find_by_id(id.0)
        .filter(group::Column::DeletedAt.is_null())
        .one(db)
        .await?)
}

pub(super) async fn live_group(
    db: &impl ConnectionTrait,
    company: CompanyId,
    id: GroupId,
) -> Result<group::Model, ApiError> {
    live(db, id)
        .await?
        .filter(|g| g.company_id == company.0)
        .ok_or(ApiError::NotFound)
}

fn gone() -> ApiError {
    bad("That group no longer exists; reload and choose again.")
}

/// The group's current key generation (a share's wrapping to it must use it).
pub async fn generation_of(db: &impl ConnectionTrait, id: GroupId) -> Result<u64, ApiError> {
    Ok(epoch_of(live(db, id).await?.ok_or_else(gone)?.generation))
}

/// Refuses a group that `caller` may not share with: one that does not exist, or of a company
/// the caller is not an active member of.
pub async fn check_shareable(
    db: &impl ConnectionTrait,
    caller: AccountId,
    id: GroupId,
) -> Result<(), ApiError> {
    let found = live(db, id).await?.ok_or_else(gone)?;
    if !is_active_member(db, CompanyId(found.company_id), caller).await? {
        return Err(bad(
            "You can share with the groups of your own company only.",
        ));
    }
    Ok(())
}

/// The accounts that read what is wrapped to the group's key of `generation`: its members
/// (not managers only) who hold that generation.
pub async fn readers_at(
    db: &impl ConnectionTrait,
    id: GroupId,
    generation: i64,
) -> Result<BTreeSet<Uuid>, ApiError> {
    if live(db, id).await?.is_none() {
        return Ok(BTreeSet::new());
    }
    let holders: BTreeSet<Uuid> = wrapping::Entity::find()
        .select_only()
        .column(wrapping::Column::AccountId)
        .filter(wrapping::Column::GroupId.eq(id.0))
        .filter(wrapping::Column::Generation.eq(generation))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(person::Entity::find()
        .filter(person::Column::GroupId.eq(id.0))
        .all(db)
        .await?
        .into_iter()
        .filter(|p| receives_shares(&p.role) && holders.contains(&p.account_id))
        .map(|p| p.account_id)
        .collect())
}

async fn store_list(
    txn: &DatabaseTransaction,
    id: GroupId,
    signed: &SignedList,
    caller: AccountId,
) -> Result<(), ApiError> {
    let body = serde_json::to_string(&signed.list).map_err(|e| ApiError::Internal(Box::new(e)))?;
    group_list::Entity::insert(group_list::ActiveModel {
        group_id: Set(id.0),
        epoch: Set(stored(signed.list.epoch)?),
        body: Set(body),
        signer_id: Set(signed.signer.0),
        signature: Set(signed.signature.0.clone()),
        created_at: Set(now()),
    })
    .exec_without_returning(txn)
    .await?;
    person::Entity::delete_many()
        .filter(person::Column::GroupId.eq(id.0))
        .exec(txn)
        .await?;
    let rows: Vec<person::ActiveModel> = signed
        .list
        .entries
        .iter()
        .map(|e| person::ActiveModel {
            group_id: Set(id.0),
            account_id: Set(e.id),
            role: Set(role_name(e.role).to_owned()),
            added_by: Set(Some(caller.0)),
            added_at: Set(now()),
        })
        .collect();
    person::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

async fn store_wrappings(
    txn: &DatabaseTransaction,
    id: GroupId,
    generation: u64,
    wrappings: Vec<(Uuid, KeyWrapping)>,
) -> Result<(), ApiError> {
    if wrappings.is_empty() {
        return Ok(());
    }
    let generation = stored(generation)?;
    let rows: Vec<wrapping::ActiveModel> = wrappings
        .into_iter()
        .map(|(account, w)| wrapping::ActiveModel {
            group_id: Set(id.0),
            generation: Set(generation),
            account_id: Set(account),
            sender_id: Set(w.sender.0),
            wrapped: Set(w.wrapped.0),
            signature: Set(w.signature.0),
            created_at: Set(now()),
        })
        .collect();
    wrapping::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                wrapping::Column::GroupId,
                wrapping::Column::Generation,
                wrapping::Column::AccountId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// The live shares that name the group.
async fn shares_of(db: &impl ConnectionTrait, id: GroupId) -> Result<Vec<ShareId>, ApiError> {
    let named: Vec<Uuid> = share_principal::Entity::find()
        .select_only()
        .column(share_principal::Column::ShareId)
        .filter(share_principal::Column::PrincipalId.eq(id.0))
        .filter(share_principal::Column::Kind.eq("group"))
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    Ok(share::Entity::find()
        .select_only()
        .column(share::Column::Id)
        .filter(share::Column::Id.is_in(named))
        .filter(share::Column::DeletedAt.is_null())
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .map(ShareId)
        .collect())
}

/// Refreshes the access of every share of the group, marking each for re-keying when someone
/// was taken out; returns the accounts whose access changed and, when the group's key changes
/// or someone left, everyone who reads those shares (their managers' browsers re-key them).
async fn refresh_shares(
    txn: &DatabaseTransaction,
    id: GroupId,
    someone_left: bool,
    key_changed: bool,
) -> Result<Vec<AccountId>, ApiError> {
    let mut changed = BTreeSet::new();
    let shares = shares_of(txn, id).await?;
    for found in &shares {
        if someone_left {
            mark_for_rekey(txn, *found).await?;
        }
        changed.extend(refresh(txn, *found).await?);
    }
    if someone_left || key_changed {
        let readers = access::readers(txn, shares.iter().map(|s| ContainerId(s.0))).await?;
        changed.extend(readers.into_values().flatten());
    }
    Ok(changed.into_iter().collect())
}

/// The group's people now (to tell their browsers after a change).
async fn people_of(db: &impl ConnectionTrait, id: GroupId) -> Result<Vec<AccountId>, ApiError> {
    Ok(person::Entity::find()
        .filter(person::Column::GroupId.eq(id.0))
        .all(db)
        .await?
        .into_iter()
        .map(|p| AccountId(p.account_id))
        .collect())
}

fn check_sealed_name(sealed: &Base64Bytes) -> Result<(), ApiError> {
    if sealed.0.len() > MAX_SEALED_NAME || sealed.0.len() < 30 {
        return Err(bad("The group's name must be sealed, and short."));
    }
    Ok(())
}

async fn tell(state: &AppState, mut accounts: Vec<AccountId>) {
    accounts.sort();
    accounts.dedup();
    state.notifier.accounts_changed(&state.db, &accounts).await;
}

/// `POST /api/companies/{company_id}/groups`, by one of the company's own Admins.
pub async fn create(
    state: &AppState,
    company: CompanyId,
    caller: AccountId,
    req: CreateGroupRequest,
) -> Result<GroupMeta, ApiError> {
    check_sealed_name(&req.sealed_name)?;
    let (txn, _) = begin_as(&state.db, caller).await?;
    if group::Entity::find_by_id(req.id.0)
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
    let entries = check_group_list(
        &txn,
        caller,
        &req.list,
        &GroupExpected {
            group: req.id,
            company,
            epoch: 1,
            generation: 1,
        },
    )
    .await?;
    if !entries
        .iter()
        .any(|e| e.id == caller.0 && manages_with(role_name(e.role)))
    {
        return Err(bad("Whoever makes a group manages it."));
    }
    let wrappings = check_wrappings(&txn, caller, &req.list.list, &req.wrappings).await?;
    if !wrappings.iter().any(|(r, _)| *r == caller.0) {
        return Err(bad(
            "Wrap the group key to yourself too, for your other browsers.",
        ));
    }
    let public_key = req
        .list
        .list
        .group_key
        .clone()
        .ok_or_else(|| bad("A group's list names its public key."))?;
    group::Entity::insert(group::ActiveModel {
        id: Set(req.id.0),
        company_id: Set(company.0),
        sealed_name: Set(req.sealed_name.0.clone()),
        name_version: Set(1),
        list_epoch: Set(1),
        generation: Set(1),
        generation_id: Set(req.list.list.generation_id),
        public_key: Set(public_key.0),
        list_stale: Set(false),
        created_by: Set(caller.0),
        created_at: Set(now()),
        deleted_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    store_list(&txn, req.id, &req.list, caller).await?;
    store_wrappings(&txn, req.id, 1, wrappings).await?;
    txn.commit().await?;
    tell(state, people_of(&state.db, req.id).await?).await;
    group_views::meta(&state.db, company, req.id, caller).await
}

/// `POST /api/companies/{company_id}/groups/{group_id}/lists`: the next signed list, by a
/// manager; at the next key generation when it drops anyone.
pub async fn change_list(
    state: &AppState,
    company: CompanyId,
    id: GroupId,
    caller: AccountId,
    req: ListChangeRequest,
) -> Result<GroupMeta, ApiError> {
    let (txn, _) = begin_as(&state.db, caller).await?;
    let found = live_group(&txn, company, id).await?;
    let current = epoch_of(found.generation);
    let generation = req.list.list.generation;
    if generation != current && generation != current + 1 {
        return Err(bad("This list names the wrong key generation."));
    }
    let next = epoch_of(found.list_epoch) + 1;
    let entries = check_group_list(
        &txn,
        caller,
        &req.list,
        &GroupExpected {
            group: id,
            company,
            epoch: next,
            generation,
        },
    )
    .await?;
    let public_key = req.list.list.group_key.clone().map(|k| k.0);
    let rotates = generation == current + 1;
    if rotates == (req.list.list.generation_id == found.generation_id)
        || rotates == (public_key.as_deref() == Some(&found.public_key[..]))
    {
        return Err(bad(
            "A new key generation has a new id and a new public key; the same one keeps both.",
        ));
    }
    let before: BTreeSet<Uuid> = people_of(&txn, id).await?.iter().map(|a| a.0).collect();
    let after: BTreeSet<Uuid> = entries.iter().map(|e| e.id).collect();
    let removed: Vec<Uuid> = before.difference(&after).copied().collect();
    if !rotates && (!removed.is_empty() || found.list_stale) {
        return Err(bad(
            "Taking someone out of a group needs a new group key, so that they cannot read what comes next.",
        ));
    }
    let wrappings = check_wrappings(&txn, caller, &req.list.list, &req.wrappings).await?;
    if rotates && after.contains(&caller.0) && !wrappings.iter().any(|(r, _)| *r == caller.0) {
        return Err(bad(
            "Wrap the new group key to yourself too, for your other browsers.",
        ));
    }
    let moved = group::Entity::update_many()
        .col_expr(group::Column::ListEpoch, Expr::value(stored(next)?))
        .col_expr(group::Column::Generation, Expr::value(stored(generation)?))
        .col_expr(
            group::Column::GenerationId,
            Expr::value(req.list.list.generation_id),
        )
        .col_expr(group::Column::PublicKey, Expr::value(public_key))
        .col_expr(
            group::Column::ListStale,
            Expr::value(found.list_stale && !rotates),
        )
        .filter(group::Column::Id.eq(id.0))
        .filter(group::Column::ListEpoch.eq(found.list_epoch))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(ApiError::Conflict {
            code: "list_changed",
            message: "Someone else changed this group meanwhile. Reload and try again.".into(),
        });
    }
    wrapping::Entity::delete_many()
        .filter(wrapping::Column::GroupId.eq(id.0))
        .filter(wrapping::Column::AccountId.is_in(removed.iter().copied()))
        .exec(&txn)
        .await?;
    store_list(&txn, id, &req.list, caller).await?;
    store_wrappings(&txn, id, generation, wrappings).await?;
    let mut changed = refresh_shares(&txn, id, !removed.is_empty(), rotates).await?;
    txn.commit().await?;
    changed.extend(people_of(&state.db, id).await?);
    changed.extend(removed.into_iter().map(AccountId));
    tell(state, changed).await;
    group_views::meta(&state.db, company, id, caller).await
}

/// `POST /api/companies/{company_id}/groups/{group_id}/wrappings`: the current group key
/// wrapped to people of the list who had none yet (a pending grant), by any manager.
pub async fn grant(
    state: &AppState,
    company: CompanyId,
    id: GroupId,
    caller: AccountId,
    req: GrantRequest,
) -> Result<(), ApiError> {
    let (txn, _) = begin_as(&state.db, caller).await?;
    let found = live_group(&txn, company, id).await?;
    let list = list_at(&txn, id, found.list_epoch).await?;
    let wrappings = check_wrappings(&txn, caller, &list.list, &req.wrappings).await?;
    let held: BTreeSet<Uuid> = wrapping::Entity::find()
        .filter(wrapping::Column::GroupId.eq(id.0))
        .filter(wrapping::Column::Generation.eq(found.generation))
        .all(&txn)
        .await?
        .into_iter()
        .map(|w| w.account_id)
        .collect();
    if wrappings.iter().any(|(r, _)| held.contains(r)) {
        return Err(bad("That person already has the group key."));
    }
    let recipients: Vec<AccountId> = wrappings.iter().map(|(r, _)| AccountId(*r)).collect();
    store_wrappings(&txn, id, epoch_of(found.generation), wrappings).await?;
    let mut changed = refresh_shares(&txn, id, false, false).await?;
    txn.commit().await?;
    changed.extend(recipients);
    tell(state, changed).await;
    Ok(())
}

/// `PUT /api/companies/{company_id}/groups/{group_id}/name`, by a manager.
pub async fn rename(
    state: &AppState,
    company: CompanyId,
    id: GroupId,
    caller: AccountId,
    req: RenameShareRequest,
) -> Result<(), ApiError> {
    check_sealed_name(&req.sealed_name)?;
    let (txn, _) = begin_as(&state.db, caller).await?;
    let found = live_group(&txn, company, id).await?;
    let moved = group::Entity::update_many()
        .col_expr(group::Column::SealedName, Expr::value(req.sealed_name.0))
        .col_expr(group::Column::NameVersion, Expr::value(req.name_version))
        .filter(group::Column::Id.eq(id.0))
        .filter(group::Column::NameVersion.eq(req.name_version - 1))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 || req.name_version != found.name_version + 1 {
        return Err(ApiError::Conflict {
            code: "name_changed",
            message: "Someone else renamed this group meanwhile. Reload and try again.".into(),
        });
    }
    txn.commit().await?;
    tell(state, people_of(&state.db, id).await?).await;
    Ok(())
}

/// Takes `account` out of the group at once (unsigned): see the module's invariants.
async fn take_out(
    txn: &DatabaseTransaction,
    id: GroupId,
    account: AccountId,
) -> Result<Vec<AccountId>, ApiError> {
    let removed = person::Entity::delete_many()
        .filter(person::Column::GroupId.eq(id.0))
        .filter(person::Column::AccountId.eq(account.0))
        .exec(txn)
        .await?;
    if removed.rows_affected == 0 {
        return Ok(Vec::new());
    }
    wrapping::Entity::delete_many()
        .filter(wrapping::Column::GroupId.eq(id.0))
        .filter(wrapping::Column::AccountId.eq(account.0))
        .exec(txn)
        .await?;
    group::Entity::update_many()
        .col_expr(group::Column::ListStale, Expr::value(true))
        .filter(group::Column::Id.eq(id.0))
        .exec(txn)
        .await?;
    let mut changed = refresh_shares(txn, id, true, false).await?;
    changed.push(account);
    Ok(changed)
}

/// `DELETE /api/companies/{company_id}/groups/{group_id}/members/{account_id}`, by a manager.
pub async fn remove_person(
    state: &AppState,
    company: CompanyId,
    id: GroupId,
    caller: AccountId,
    account: AccountId,
) -> Result<(), ApiError> {
    let (txn, _) = begin_as(&state.db, caller).await?;
    live_group(&txn, company, id).await?;
    let people = person::Entity::find()
        .filter(person::Column::GroupId.eq(id.0))
        .all(&txn)
        .await?;
    let target = people
        .iter()
        .find(|p| p.account_id == account.0)
        .ok_or(ApiError::NotFound)?;
    if manages_with(&target.role) && people.iter().filter(|p| manages_with(&p.role)).count() == 1 {
        return Err(bad("Make another member a manager first."));
    }
    let mut changed = take_out(&txn, id, account).await?;
    txn.commit().await?;
    changed.extend(people_of(&state.db, id).await?);
    tell(state, changed).await;
    Ok(())
}

/// `DELETE /api/companies/{company_id}/groups/{group_id}`, by a manager: the group is taken off
/// every share (which is marked for re-keying) and its people lose its key.
pub async fn delete(
    state: &AppState,
    company: CompanyId,
    id: GroupId,
    caller: AccountId,
) -> Result<(), ApiError> {
    let (txn, _) = begin_as(&state.db, caller).await?;
    live_group(&txn, company, id).await?;
    let shares = shares_of(&txn, id).await?;
    let mut changed = people_of(&txn, id).await?;
    share_principal::Entity::delete_many()
        .filter(share_principal::Column::PrincipalId.eq(id.0))
        .exec(&txn)
        .await?;
    group::Entity::update_many()
        .col_expr(group::Column::DeletedAt, Expr::value(now()))
        .filter(group::Column::Id.eq(id.0))
        .exec(&txn)
        .await?;
    person::Entity::delete_many()
        .filter(person::Column::GroupId.eq(id.0))
        .exec(&txn)
        .await?;
    wrapping::Entity::delete_many()
        .filter(wrapping::Column::GroupId.eq(id.0))
        .exec(&txn)
        .await?;
    for found in shares {
        mark_for_rekey(&txn, found).await?;
        changed.extend(refresh(&txn, found).await?);
    }
    txn.commit().await?;
    tell(state, changed).await;
    Ok(())
}

/// Takes an account that left `company` out of each of its groups, in the removal's
/// transaction; returns the accounts to tell after the commit.
pub async fn on_member_removed(
    txn: &DatabaseTransaction,
    company: CompanyId,
    account: AccountId,
) -> Result<Vec<AccountId>, ApiError> {
    let groups: Vec<Uuid> = group::Entity::find()
        .select_only()
        .column(group::Column::Id)
        .filter(group::Column::CompanyId.eq(company.0))
        .filter(group::Column::DeletedAt.is_null())
        .into_tuple::<Uuid>()
        .all(txn)
        .await?;
    let mut changed = Vec::new();
    for found in groups {
        changed.extend(take_out(txn, GroupId(found), account).await?);
    }
    Ok(changed)
}

async fn list_at(
    db: &impl ConnectionTrait,
    id: GroupId,
    epoch: i64,
) -> Result<SignedList, ApiError> {
    let row = group_list::Entity::find_by_id((id.0, epoch))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Internal("a group's current list is missing".into()))?;
    super::group_views::signed_of(row)
}
