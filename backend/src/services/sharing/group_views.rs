//! Groups as they are read: by each person for the groups they are in (`GET /api/groups`), and
//! by a company's members for its groups (`GET /api/companies/{company_id}/groups`). Each view
//! carries the whole chain of signed lists, the people, and the group key wrapped to the caller
//! alone (every generation still kept), so a browser verifies everything it uses.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use shared_types::sharing::{EntryKind, GroupMeta, GroupPerson, KeyWrapping, SignedList};
use shared_types::{AccountId, Base64Bytes, CompanyId, GroupId};
use uuid::Uuid;

use super::groups::live_group;
use super::shares::{epoch_of, role_of};
use crate::entity::{
    account, company_group as group, group_key_wrapping as wrapping, group_list,
    group_member as person,
};
use crate::error::ApiError;

pub(super) fn signed_of(row: group_list::Model) -> Result<SignedList, ApiError> {
    Ok(SignedList {
        list: serde_json::from_str(&row.body).map_err(|e| ApiError::Internal(Box::new(e)))?,
        signer: AccountId(row.signer_id),
        signature: Base64Bytes(row.signature),
    })
}

/// The group as `caller` sees it: its chain of lists, its people, and the group key wrapped
/// to the caller (every generation kept).
pub async fn meta(
    db: &impl ConnectionTrait,
    company: CompanyId,
    id: GroupId,
    caller: AccountId,
) -> Result<GroupMeta, ApiError> {
    let found = live_group(db, company, id).await?;
    let lists = group_list::Entity::find()
        .filter(group_list::Column::GroupId.eq(id.0))
        .order_by_asc(group_list::Column::Epoch)
        .all(db)
        .await?
        .into_iter()
        .map(signed_of)
        .collect::<Result<Vec<_>, _>>()?;
    let held = wrapping::Entity::find()
        .filter(wrapping::Column::GroupId.eq(id.0))
        .order_by_desc(wrapping::Column::Generation)
        .all(db)
        .await?;
    let keyed: BTreeSet<Uuid> = held
        .iter()
        .filter(|w| w.generation == found.generation)
        .map(|w| w.account_id)
        .collect();
    let wrappings = held
        .into_iter()
        .filter(|w| w.account_id == caller.0)
        .map(|w| KeyWrapping {
            recipient: w.account_id,
            recipient_kind: EntryKind::Account,
            recipient_generation: 0,
            generation: epoch_of(w.generation),
            sender: AccountId(w.sender_id),
            wrapped: Base64Bytes(w.wrapped),
            signature: Base64Bytes(w.signature),
        })
        .collect();
    let rows = person::Entity::find()
        .filter(person::Column::GroupId.eq(id.0))
        .order_by_asc(person::Column::AddedAt)
        .all(db)
        .await?;
    let emails: BTreeMap<Uuid, String> = account::Entity::find()
        .filter(account::Column::Id.is_in(rows.iter().map(|p| p.account_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.email))
        .collect();
    let people = rows
        .into_iter()
        .filter_map(|p| {
            Some(GroupPerson {
                account: AccountId(p.account_id),
                email: emails.get(&p.account_id)?.clone(),
                role: role_of(&p.role)?,
                has_key: keyed.contains(&p.account_id),
            })
        })
        .collect();
    Ok(GroupMeta {
        id,
        company,
        sealed_name: Base64Bytes(found.sealed_name),
        name_version: found.name_version,
        lists,
        generation: epoch_of(found.generation),
        wrappings,
        people,
        list_stale: found.list_stale,
    })
}

/// `GET /api/companies/{company_id}/groups`: the company's groups, for its members (to share
/// with them) and its partner's staff.
pub async fn of_company(
    db: &impl ConnectionTrait,
    company: CompanyId,
    caller: AccountId,
) -> Result<Vec<GroupMeta>, ApiError> {
    let ids: Vec<Uuid> = group::Entity::find()
        .select_only()
        .column(group::Column::Id)
        .filter(group::Column::CompanyId.eq(company.0))
        .filter(group::Column::DeletedAt.is_null())
        .order_by_asc(group::Column::CreatedAt)
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(ids.len());
    for found in ids {
        out.push(meta(db, company, GroupId(found), caller).await?);
    }
    Ok(out)
}

/// `GET /api/groups`: the groups the caller is in, in every company.
pub async fn mine(
    db: &impl ConnectionTrait,
    caller: AccountId,
) -> Result<Vec<GroupMeta>, ApiError> {
    let ids: Vec<Uuid> = person::Entity::find()
        .select_only()
        .column(person::Column::GroupId)
        .filter(person::Column::AccountId.eq(caller.0))
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(ids.len());
    for found in group::Entity::find()
        .filter(group::Column::Id.is_in(ids))
        .filter(group::Column::DeletedAt.is_null())
        .order_by_asc(group::Column::CreatedAt)
        .all(db)
        .await?
    {
        out.push(meta(db, CompanyId(found.company_id), GroupId(found.id), caller).await?);
    }
    Ok(out)
}
