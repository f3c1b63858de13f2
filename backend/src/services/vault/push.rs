//! Pushing: storing a browser's changes, each at the next revision of its container, and
//! answering each change as stored, in conflict or refused.
//!
//! Invariants:
//! - A push takes the rows of the containers it may write to (in id order, so two pushes never
//!   wait on each other in a circle) before it reads anything, and holds them until it
//!   commits. Pushes to other containers run at the same time; two pushes to one container run
//!   one after the other, so two changes on the same base revision cannot both pass the
//!   conflict check, and a revision committed later is never lower than one already visible.
//! - A record is found in whichever container the account can read it in: its live row, else
//!   its row in the container the change names. Records in containers the account cannot read
//!   are invisible: no reply tells whether they exist.
//! - A change naming a container the account may not write, or moving a record out of one, is
//!   refused (`not_writable`), like a malformed change, a kind change or a past version whose
//!   item is missing. Refusals never hold back the other changes.
//! - A change whose base revision is not the record's current revision (or that creates a
//!   record that exists) is a conflict: answered with the stored record, never written over it.
//! - A deletion keeps the row as a tombstone at a new revision; a move leaves one in the
//!   container the record left, so that its readers learn it is gone from there.
//! - Every stored change's id is kept (`vault_change`) in the same transaction as the change,
//!   for at least `CHANGE_MEMORY_DAYS` (forgotten every `FORGET_EVERY` revisions). A change id already kept is answered with the revision it got and
//!   is not checked or stored again; so a push resent after a lost reply or a killed server
//!   stores each change exactly once.
//! - After a push that stored something commits, every account that can read a changed
//!   container is told (see `services::notify`), on every instance sharing the database.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, Statement,
    TransactionTrait,
};
use shared_types::push_rules::{self, Held, Verdict, needed_parent, refuse, well_formed};
use shared_types::vault::{
    Accepted, CHANGE_MEMORY_DAYS, Conflict, PushRequest, PushResponse, RecordChange, RecordKind,
    Refusal, RefusalCode, Role,
};
use shared_types::{AccountId, ContainerId, RecordId};
use time::Duration;
use uuid::Uuid;

use super::check::check_request;
use super::{kind_name, kind_of, to_record};
use crate::entity::{profile, vault_access, vault_change, vault_record};
use crate::error::ApiError;
use crate::services::accounts::now;
use crate::services::notify::Notifier;
use crate::services::{access, policies};

/// The account's change ids older than [`CHANGE_MEMORY_DAYS`] are forgotten by the push that
/// takes a container it writes past a multiple of this: a statement saved on almost every push,
/// and an account that pushes a lot forgets as often.
const FORGET_EVERY: i64 = 64;

/// Stores what it can of `request`'s changes for the account, in one transaction. See the
/// module's invariants. Refuses the whole request only when it is empty or too long.
pub async fn push(
    db: &DatabaseConnection,
    notifier: &Notifier,
    account: AccountId,
    request: PushRequest,
) -> Result<PushResponse, ApiError> {
    check_request(&request.changes)?;
    let (changes, mut refused) = well_formed(request.changes);
    let (changes, misplaced) = trust_only_in_personal(db, account, changes).await?;
    refused.extend(misplaced);
    let mut reply = PushResponse {
        accepted: Vec::with_capacity(changes.len()),
        conflicts: Vec::new(),
        refused: Vec::new(),
    };

    // Which containers to take: those the changes name, and those the records live in now (a
    // change naming another container moves its record). Read before the transaction: on
    // SQLite a transaction must write first, or it may fail to upgrade its read snapshot.
    let ids: Vec<Uuid> = changes.iter().map(|c| c.id.0).collect();
    let wanted = containers_to_take(db, account, &changes, &ids).await?;

    let txn = db.begin().await?;
    let mut heads: BTreeMap<ContainerId, i64> = BTreeMap::new();
    for container in wanted {
        if let Some(head) = take_container(&txn, container).await? {
            heads.insert(container, head);
        }
    }
    let mut readable = access::readable(&txn, account).await?;
    // Shares are read-only for members of a company that disabled sharing.
    for share in policies::read_only_shares(&txn, account, readable.keys().copied()).await? {
        readable.insert(share, Role::Read);
    }
    let writable = access::writable(&readable, heads.keys().copied());
    let replayed = stored_changes(&txn, account, &changes).await?;
    let mut rows: HashMap<Uuid, Vec<(vault_record::Model, Held)>> = HashMap::new();
    for row in vault_record::Entity::find()
        .filter(vault_record::Column::Id.is_in(ids))
        .filter(vault_record::Column::ContainerId.is_in(readable.keys().map(|c| c.0)))
        .all(&txn)
        .await?
    {
        let held = held(&row)?;
        rows.entry(row.id).or_default().push((row, held));
    }

    // Each change against what is stored, before anything is written.
    let mut candidates = Vec::with_capacity(changes.len());
    for change in changes {
        if let Some(row) = replayed.get(&change.change_id.0) {
            match push_rules::replayed(&change, RecordId(row.record_id)) {
                Ok(()) => reply.accepted.push(Accepted {
                    id: change.id,
                    change_id: change.change_id,
                    revision: row.revision,
                }),
                Err(refusal) => refused.push(refusal),
            }
            continue;
        }
        let stored = rows.get(&change.id.0).map(Vec::as_slice).unwrap_or(&[]);
        match place(&change, stored, &writable, &heads) {
            Ok(place) => candidates.push((change, place)),
            Err(refusal) => {
                refused.push(read_only_for_viewers(refusal, &change, stored, &readable))
            }
        }
    }
    let items = parent_items(&txn, &readable, &candidates).await?;

    let mut to_store = Vec::with_capacity(candidates.len());
    for (change, place) in candidates {
        if let Some(parent) = needed_parent(&change)
            && !items.contains(&parent.0)
        {
            refused.push(push_rules::missing_parent(&change));
            continue;
        }
        if place.verdict == Verdict::Store {
            to_store.push((change, place));
        } else {
            reply.conflicts.push(Conflict {
                id: change.id,
                current: place.current.map(to_record).transpose()?,
            });
        }
    }
    reply.refused = refused;
    if to_store.is_empty() {
        // Nothing to write: the containers stay where they were.
        txn.rollback().await?;
        return Ok(reply);
    }

    let stamp = now();
    let taken_at = heads.clone();
    let mut log = Vec::with_capacity(to_store.len());
    let mut touched: BTreeSet<ContainerId> = BTreeSet::new();
    for (change, place) in to_store {
        let revision = next(&mut heads, change.container_id)?;
        touched.insert(change.container_id);
        if let Some(current) = &place.current
            && current.container_id != change.container_id.0
        {
            // Moved: the container it left keeps a deletion, with the mark the browser sealed
            // for it.
            let left = ContainerId(current.container_id);
            let tombstone = vault_record::ActiveModel {
                container_id: Set(current.container_id),
                id: Set(current.id),
                kind: Set(current.kind.clone()),
                parent_id: Set(current.parent_id),
                revision: Set(next(&mut heads, left)?),
                wrapped_key: Set(None),
                data: Set(None),
                version: Set(change.version),
                mark: Set(change.mark.clone().map(|m| m.0)),
                updated_at: Set(stamp),
            };
            tombstone.update(&txn).await?;
            touched.insert(left);
        }
        let fields = vault_record::ActiveModel {
            container_id: Set(change.container_id.0),
            id: Set(change.id.0),
            kind: Set(kind_name(change.kind).to_owned()),
            parent_id: Set(change.parent_id.map(|p| p.0)),
            revision: Set(revision),
            wrapped_key: Set(change.key.map(|k| k.0)),
            // A live record keeps no mark: a move's mark went to the container it left.
            mark: Set(change.mark.filter(|_| change.data.is_none()).map(|m| m.0)),
            data: Set(change.data.map(|d| d.0)),
            version: Set(change.version),
            updated_at: Set(stamp),
        };
        if place.row_in_target {
            fields.update(&txn).await?;
        } else {
            fields.insert(&txn).await?;
        }
        log.push(vault_change::ActiveModel {
            account_id: Set(account.0),
            change_id: Set(change.change_id.0),
            record_id: Set(change.id.0),
            revision: Set(revision),
            created_at: Set(stamp),
        });
        reply.accepted.push(Accepted {
            id: change.id,
            change_id: change.change_id,
            revision,
        });
    }
    for container in &touched {
        set_head(&txn, *container, heads[container]).await?;
    }
    vault_change::Entity::insert_many(log).exec(&txn).await?;
    if touched
        .iter()
        .any(|c| heads[c] / FORGET_EVERY != taken_at[c] / FORGET_EVERY)
    {
        vault_change::Entity::delete_many()
            .filter(vault_change::Column::AccountId.eq(account.0))
            .filter(vault_change::Column::CreatedAt.lt(stamp - Duration::days(CHANGE_MEMORY_DAYS)))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    let changed: Vec<(ContainerId, i64)> = touched.iter().map(|c| (*c, heads[c])).collect();
    notifier.changed(db, &changed).await;
    Ok(reply)
}

/// Where a change lands, as far as the stored rows tell.
struct Place {
    /// The record as stored now (see `push_rules::current`).
    current: Option<vault_record::Model>,
    /// Whether the container the change names already has a row for the record.
    row_in_target: bool,
    /// Stored or a conflict (a refusal is no place).
    verdict: Verdict,
}

/// A stored row as the push rules see it.
fn held(row: &vault_record::Model) -> Result<Held, ApiError> {
    Ok(Held {
        container_id: ContainerId(row.container_id),
        kind: kind_of(&row.kind).ok_or_else(|| {
            ApiError::Internal(format!("vault record {} has an unknown kind", row.id).into())
        })?,
        revision: row.revision,
        live: row.data.is_some(),
    })
}

/// A refusal because the account may not write, told as "view only" when the account can
/// read the container it tried to change (a share it views).
fn read_only_for_viewers(
    mut refusal: Refusal,
    change: &RecordChange,
    stored: &[(vault_record::Model, Held)],
    readable: &BTreeMap<ContainerId, Role>,
) -> Refusal {
    let viewer = |c: ContainerId| readable.get(&c) == Some(&Role::Read);
    let views = viewer(change.container_id)
        || stored
            .iter()
            .any(|(_, held)| held.live && viewer(held.container_id));
    if refusal.code == RefusalCode::NotWritable && views {
        refusal.code = RefusalCode::ReadOnly;
        refusal.message = push_rules::READ_ONLY.to_owned();
    }
    refusal
}

/// Why a trust record outside the Personal profile is refused.
pub const TRUST_ONLY_IN_PERSONAL: &str =
    "A trust record lives only in the account's Personal profile.";

/// Refuses the trust records that name any container but the account's Personal profile:
/// that profile is never shared and never escrowed, so whom the person trusts stays theirs.
async fn trust_only_in_personal(
    db: &DatabaseConnection,
    account: AccountId,
    changes: Vec<RecordChange>,
) -> Result<(Vec<RecordChange>, Vec<Refusal>), ApiError> {
    if !changes.iter().any(|c| c.kind == RecordKind::Trust) {
        return Ok((changes, Vec::new()));
    }
    let personal = profile::Entity::find()
        .filter(profile::Column::AccountId.eq(account.0))
        .filter(profile::Column::Kind.eq("personal"))
        .one(db)
        .await?
        .map(|p| ContainerId(p.id));
    let (fit, misplaced): (Vec<_>, Vec<_>) = changes
        .into_iter()
        .partition(|c| c.kind != RecordKind::Trust || Some(c.container_id) == personal);
    let refused = misplaced
        .iter()
        .map(|c| refuse(c, RefusalCode::Invalid, TRUST_ONLY_IN_PERSONAL))
        .collect();
    Ok((fit, refused))
}

/// Judges the change by the push rules against its record's rows, given the containers the
/// account may write and those this push took.
fn place(
    change: &RecordChange,
    stored: &[(vault_record::Model, Held)],
    writable: &HashSet<ContainerId>,
    taken: &BTreeMap<ContainerId, i64>,
) -> Result<Place, Refusal> {
    let current = push_rules::current(stored, |(_, held)| *held, change.container_id);
    let row_in_target = stored
        .iter()
        .any(|(_, held)| held.container_id == change.container_id);
    let may_write = |c| writable.contains(&c);
    let verdict = match current {
        // The record moved into a container this push did not take after the push looked:
        // a conflict, and the browser sends its change again.
        Some((_, held))
            if !taken.contains_key(&held.container_id) && may_write(change.container_id) =>
        {
            Verdict::Conflict
        }
        _ => push_rules::judge(change, current.map(|(_, held)| *held), may_write),
    };
    match verdict {
        Verdict::Refuse(code, message) => Err(refuse(change, code, message)),
        verdict => Ok(Place {
            current: current.map(|(row, _)| row.clone()),
            row_in_target,
            verdict,
        }),
    }
}

/// The containers a push takes, in id order: of those the changes name and those their
/// records live in now, the ones the account can read. One statement; the account's roles are
/// read again once the containers are taken, and only those count.
async fn containers_to_take(
    db: &DatabaseConnection,
    account: AccountId,
    changes: &[RecordChange],
    ids: &[Uuid],
) -> Result<BTreeSet<ContainerId>, ApiError> {
    let named: BTreeSet<Uuid> = changes.iter().map(|c| c.container_id.0).collect();
    let living = Query::select()
        .column(vault_record::Column::ContainerId)
        .from(vault_record::Entity)
        .and_where(vault_record::Column::Id.is_in(ids.iter().copied()))
        .and_where(vault_record::Column::Data.is_not_null())
        .to_owned();
    let taken: Vec<Uuid> = vault_access::Entity::find()
        .select_only()
        .column(vault_access::Column::ContainerId)
        .filter(vault_access::Column::AccountId.eq(account.0))
        .filter(vault_access::Column::Role.is_not_null())
        .filter(
            Condition::any()
                .add(vault_access::Column::ContainerId.is_in(named))
                .add(vault_access::Column::ContainerId.in_subquery(living)),
        )
        .into_tuple()
        .all(db)
        .await?;
    Ok(taken.into_iter().map(ContainerId).collect())
}

/// Takes a container's row until the transaction ends and returns its last revision; `None`
/// when there is no such container.
async fn take_container(
    txn: &DatabaseTransaction,
    container: ContainerId,
) -> Result<Option<i64>, ApiError> {
    // A write, even of the same value: on PostgreSQL it locks the row, on SQLite it takes the
    // database's write lock (waiting out the busy timeout) as the transaction's first statement.
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            "UPDATE vault_container SET revision = revision WHERE id = $1 RETURNING revision",
            [container.0.into()],
        ))
        .await?;
    Ok(row.map(|r| r.try_get_by_index::<i64>(0)).transpose()?)
}

async fn set_head(
    txn: &DatabaseTransaction,
    container: ContainerId,
    revision: i64,
) -> Result<(), ApiError> {
    txn.execute_raw(Statement::from_sql_and_values(
        txn.get_database_backend(),
        "UPDATE vault_container SET revision = $2 WHERE id = $1",
        [container.0.into(), revision.into()],
    ))
    .await?;
    Ok(())
}

/// The next revision of a taken container.
fn next(heads: &mut BTreeMap<ContainerId, i64>, container: ContainerId) -> Result<i64, ApiError> {
    let head = heads
        .get_mut(&container)
        .ok_or_else(|| ApiError::Internal("a push wrote to a container it had not taken".into()))?;
    *head += 1;
    Ok(*head)
}

/// Of the request's change ids, those an earlier push by the account stored, by change id.
async fn stored_changes(
    txn: &DatabaseTransaction,
    account: AccountId,
    changes: &[RecordChange],
) -> Result<HashMap<Uuid, vault_change::Model>, ApiError> {
    let ids: Vec<Uuid> = changes.iter().map(|c| c.change_id.0).collect();
    Ok(vault_change::Entity::find()
        .filter(vault_change::Column::AccountId.eq(account.0))
        .filter(vault_change::Column::ChangeId.is_in(ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|row| (row.change_id, row))
        .collect())
}

/// Which of the parents the changes need are items after this push, were every candidate
/// stored: an item the push creates or edits, or a live item in a readable container that the
/// push leaves alone. Reads ids only, never content.
async fn parent_items(
    txn: &DatabaseTransaction,
    readable: &BTreeMap<ContainerId, shared_types::vault::Role>,
    candidates: &[(RecordChange, Place)],
) -> Result<HashSet<Uuid>, ApiError> {
    let pushed: HashMap<Uuid, &RecordChange> =
        candidates.iter().map(|(c, _)| (c.id.0, c)).collect();
    let mut items = HashSet::new();
    let mut unpushed = HashSet::new();
    for parent in candidates
        .iter()
        .filter_map(|(c, _)| needed_parent(c))
        .map(|p| p.0)
    {
        match pushed.get(&parent) {
            Some(change) if change.kind == RecordKind::Item && change.data.is_some() => {
                items.insert(parent);
            }
            // Pushed as something else, or deleted by this push.
            Some(_) => {}
            None => {
                unpushed.insert(parent);
            }
        }
    }
    if !unpushed.is_empty() {
        let stored: Vec<Uuid> = vault_record::Entity::find()
            .select_only()
            .column(vault_record::Column::Id)
            .filter(vault_record::Column::ContainerId.is_in(readable.keys().map(|c| c.0)))
            .filter(vault_record::Column::Id.is_in(unpushed))
            .filter(vault_record::Column::Kind.eq(kind_name(RecordKind::Item)))
            .filter(vault_record::Column::Data.is_not_null())
            .into_tuple()
            .all(txn)
            .await?;
        items.extend(stored);
    }
    Ok(items)
}
