//! The access gate: which accounts may read or write which vault container. Every vault route
//! and the event stream ask here, and nowhere else, so the roles of shares and groups (later)
//! plug in at one place.
//!
//! Invariants:
//! - An account may read a container when it has a `vault_access` row with a role, and write
//!   it when that role is `write` or `owner`. A revoked access keeps its row without a role.
//! - A container the account cannot read gets the same treatment as one that does not exist:
//!   not served, not writable, and no reply tells the two apart.
//! - Each grant or revocation takes the next number of the account's access sequence, in the
//!   same transaction, so a browser that pulled the feed up to N learns every later change.
//!   Callers hold a transaction: the account row stays locked until it commits, which keeps the
//!   feed in commit order.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, sea_query::OnConflict,
};
use shared_types::vault::{ContainerAccess, ContainerKind, Role};
use shared_types::{AccountId, CompanyId, ContainerId};
use uuid::Uuid;

use crate::entity::{company_member, vault_access, vault_container};
use crate::error::ApiError;
use crate::services::accounts::now;

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Read => "read",
        Role::Write => "write",
        Role::Owner => "owner",
        Role::Manage => "manage",
    }
}

/// A role from its stored name.
pub fn role_of(name: &str) -> Option<Role> {
    match name {
        "read" => Some(Role::Read),
        "write" => Some(Role::Write),
        "owner" => Some(Role::Owner),
        "manage" => Some(Role::Manage),
        _ => None,
    }
}

fn kind_name(kind: ContainerKind) -> &'static str {
    match kind {
        ContainerKind::Profile => "profile",
        ContainerKind::Share => "share",
    }
}

fn kind_of(name: &str) -> Option<ContainerKind> {
    match name {
        "profile" => Some(ContainerKind::Profile),
        "share" => Some(ContainerKind::Share),
        _ => None,
    }
}

/// The containers the account can read, with its role in each.
pub async fn readable(
    db: &impl ConnectionTrait,
    account: AccountId,
) -> Result<BTreeMap<ContainerId, Role>, ApiError> {
    let rows: Vec<(Uuid, Option<String>)> = vault_access::Entity::find()
        .select_only()
        .column(vault_access::Column::ContainerId)
        .column(vault_access::Column::Role)
        .filter(vault_access::Column::AccountId.eq(account.0))
        .filter(vault_access::Column::Role.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, role)| Some((ContainerId(id), role_of(role.as_deref()?)?)))
        .collect())
}

/// The account's role in `container`, if it may read it.
pub async fn role_in(
    db: &impl ConnectionTrait,
    account: AccountId,
    container: ContainerId,
) -> Result<Option<Role>, ApiError> {
    let role: Option<Option<String>> = vault_access::Entity::find()
        .select_only()
        .column(vault_access::Column::Role)
        .filter(vault_access::Column::AccountId.eq(account.0))
        .filter(vault_access::Column::ContainerId.eq(container.0))
        .into_tuple()
        .one(db)
        .await?;
    Ok(role.flatten().as_deref().and_then(role_of))
}

/// Of `containers`, those an account with these `readable` roles (from [`readable`]) may
/// write. Decided from roles already read, so a push reads the account's access once.
pub fn writable(
    readable: &BTreeMap<ContainerId, Role>,
    containers: impl IntoIterator<Item = ContainerId>,
) -> HashSet<ContainerId> {
    containers
        .into_iter()
        .filter(|c| readable.get(c).is_some_and(|role| role.can_write()))
        .collect()
}

/// The company a container belongs to: a Business profile belongs to its owner's company while
/// the owner is an active member. The one place the organization backup and the policies ask.
pub async fn company_of_container(
    db: &impl ConnectionTrait,
    container: ContainerId,
) -> Result<Option<CompanyId>, ApiError> {
    let company: Option<Uuid> = company_member::Entity::find()
        .select_only()
        .column(company_member::Column::CompanyId)
        .filter(company_member::Column::BusinessContainerId.eq(container.0))
        .filter(company_member::Column::Status.eq(crate::services::orgs::ACTIVE))
        .into_tuple()
        .one(db)
        .await?;
    Ok(company.map(CompanyId))
}

/// Who can read each of `containers` (to tell their browsers of a change).
pub async fn readers(
    db: &impl ConnectionTrait,
    containers: impl IntoIterator<Item = ContainerId>,
) -> Result<HashMap<ContainerId, Vec<AccountId>>, ApiError> {
    let ids: Vec<Uuid> = containers.into_iter().map(|c| c.0).collect();
    let rows: Vec<(Uuid, Uuid)> = vault_access::Entity::find()
        .select_only()
        .column(vault_access::Column::ContainerId)
        .column(vault_access::Column::AccountId)
        .filter(vault_access::Column::ContainerId.is_in(ids))
        .filter(vault_access::Column::Role.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<ContainerId, Vec<AccountId>> = HashMap::new();
    for (container, account) in rows {
        out.entry(ContainerId(container))
            .or_default()
            .push(AccountId(account));
    }
    Ok(out)
}

/// PostgreSQL only: who can read `container`, each announced on `channel` with the payload
/// `{before}:{account}:{after}` by the same statement, so that telling other instances of a
/// change costs no round trip more than finding its readers.
pub async fn readers_announced(
    db: &impl ConnectionTrait,
    container: ContainerId,
    channel: &str,
    before: &str,
    after: &str,
) -> Result<Vec<AccountId>, ApiError> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT account_id, pg_notify($1, $2 || ':' || account_id::text || ':' || $3)::text \
             FROM vault_access WHERE container_id = $4 AND role IS NOT NULL",
            [
                channel.into(),
                before.into(),
                after.into(),
                container.0.into(),
            ],
        ))
        .await?;
    rows.iter()
        .map(|row| Ok(AccountId(row.try_get_by_index::<Uuid>(0)?)))
        .collect()
}

/// The account's access feed after `since`, oldest first, and the feed's newest revision.
pub async fn feed(
    db: &impl ConnectionTrait,
    account: AccountId,
    since: i64,
) -> Result<(Vec<ContainerAccess>, i64), ApiError> {
    let rows = vault_access::Entity::find()
        .find_also_related(vault_container::Entity)
        .filter(vault_access::Column::AccountId.eq(account.0))
        .filter(vault_access::Column::Revision.gt(since))
        .order_by_asc(vault_access::Column::Revision)
        .all(db)
        .await?;
    let mut entries = Vec::with_capacity(rows.len());
    for (access, container) in rows {
        let kind = container
            .as_ref()
            .and_then(|c| kind_of(&c.kind))
            .ok_or_else(|| {
                ApiError::Internal(
                    format!(
                        "vault container {} is missing or of an unknown kind",
                        access.container_id
                    )
                    .into(),
                )
            })?;
        entries.push(ContainerAccess {
            container_id: ContainerId(access.container_id),
            kind,
            role: access.role.as_deref().and_then(role_of),
            revision: access.revision,
        });
    }
    let head = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT vault_access_revision FROM account WHERE id = $1",
            [account.0.into()],
        ))
        .await?
        .map(|row| row.try_get_by_index::<i64>(0))
        .transpose()?;
    Ok((entries, head.unwrap_or(0)))
}

/// Makes a container owned by `owner` (who may read, write and share it), with an empty
/// revision sequence.
pub async fn create_container(
    txn: &impl ConnectionTrait,
    id: ContainerId,
    kind: ContainerKind,
    owner: AccountId,
) -> Result<(), ApiError> {
    vault_container::Entity::insert(vault_container::ActiveModel {
        id: Set(id.0),
        kind: Set(kind_name(kind).to_owned()),
        owner_id: Set(owner.0),
        revision: Set(0),
        checkpoint_revision: Set(None),
        checkpoint: Set(None),
        created_at: Set(now()),
    })
    .exec(txn)
    .await?;
    set_access(txn, id, owner, Some(Role::Owner)).await
}

/// Gives `account` `role` in the container (`None`: takes its access away), as the next entry
/// of its access feed. The caller tells the account's browsers once the transaction commits.
pub async fn set_access(
    txn: &impl ConnectionTrait,
    container: ContainerId,
    account: AccountId,
    role: Option<Role>,
) -> Result<(), ApiError> {
    let revision = next_access_revision(txn, account).await?;
    vault_access::Entity::insert(vault_access::ActiveModel {
        container_id: Set(container.0),
        account_id: Set(account.0),
        role: Set(role.map(|r| role_name(r).to_owned())),
        revision: Set(revision),
    })
    .on_conflict(
        OnConflict::columns([
            vault_access::Column::ContainerId,
            vault_access::Column::AccountId,
        ])
        .update_columns([vault_access::Column::Role, vault_access::Column::Revision])
        .to_owned(),
    )
    .exec(txn)
    .await?;
    Ok(())
}

async fn next_access_revision(
    txn: &impl ConnectionTrait,
    account: AccountId,
) -> Result<i64, ApiError> {
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            "UPDATE account SET vault_access_revision = vault_access_revision + 1 \
             WHERE id = $1 RETURNING vault_access_revision",
            [account.0.into()],
        ))
        .await?
        .ok_or_else(|| ApiError::Internal("access granted to an account that is gone".into()))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_kinds_round_trip_through_their_stored_names() {
        for role in [Role::Read, Role::Write, Role::Manage, Role::Owner] {
            assert_eq!(role_of(role_name(role)), Some(role));
        }
        assert_eq!(role_of("admin"), None);
        for kind in [ContainerKind::Profile, ContainerKind::Share] {
            assert_eq!(kind_of(kind_name(kind)), Some(kind));
        }
        assert_eq!(kind_of("group"), None);
    }

    #[test]
    fn only_containers_held_with_write_or_owner_are_writable() {
        let (read, write, own, other) = (
            ContainerId::new_v7(),
            ContainerId::new_v7(),
            ContainerId::new_v7(),
            ContainerId::new_v7(),
        );
        let readable =
            BTreeMap::from([(read, Role::Read), (write, Role::Write), (own, Role::Owner)]);
        let got = writable(&readable, [read, write, own, other]);
        assert_eq!(got, HashSet::from([write, own]));
    }

    #[test]
    fn only_write_and_owner_may_change_records() {
        assert!(!Role::Read.can_write());
        assert!(Role::Write.can_write());
        assert!(Role::Owner.can_write());
    }
}
