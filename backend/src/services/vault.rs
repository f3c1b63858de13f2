//! The vault records of an account: pull what changed after a revision, push changes.
//!
//! Invariants:
//! - The server stores ciphertext and ids only. It never logs a record's `key` or `data`, and
//!   its error messages name the change and the rule, never a value.
//! - A record is identified by (account, id): record ids are the browser's and are unique
//!   within an account only. Every read is filtered by the signed-in account, so an id another
//!   account uses is simply a different record: pushing it stores the pusher's own record, and
//!   no reply tells whether it exists elsewhere. A profile of another account gets the same
//!   reply as one that does not exist.
//! - Revisions come from one counter (the single `vault_revision` row). Each stored change
//!   takes the next number, in request order. Pushes hold that row for their whole
//!   transaction, so they run one after another: a revision committed later is never lower
//!   than one already visible, and a pull of "revision > N" never misses a record.
//! - A pull page holds at most `MAX_PULL_RECORDS` records and, beyond its first record, at most
//!   `MAX_PULL_BYTES` of data and keys; `more` says when it stopped early. Sizes are read first,
//!   in the same snapshot as the records, so that no more ciphertext than the page is loaded.
//! - A push is checked whole before anything is written: one invalid change refuses the whole
//!   request and nothing is stored.
//! - A past version (history) that is stored, not deleted, names as its parent an item of the
//!   same account: one stored and not a tombstone (nor deleted by the same push), or one the
//!   same push creates or edits. Deleting a past version needs no parent.
//! - A change whose base revision is not the record's current revision (or that creates a
//!   record that exists) is a conflict: answered with the stored record, never written over it.
//! - A deletion keeps the row as a tombstone (no key, no data) at a new revision, so that other
//!   browsers learn of it.
//! - Every stored change's id is kept (`vault_change`) in the same transaction as the change,
//!   for `CHANGE_MEMORY_DAYS`. A change id already kept is answered with the revision it got and
//!   is not checked or stored again; so a push resent after a lost reply or a killed server
//!   stores each change exactly once.
//! - After a push that stored something commits, the account's browsers are told (see
//!   `services::notify`), on every instance sharing the database.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::Expr;
use sea_orm::{
    AccessMode, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait, IsolationLevel, QueryFilter,
    QueryOrder, QuerySelect, Statement, TransactionTrait,
};
use shared_types::vault::{
    Accepted, CHANGE_MEMORY_DAYS, Conflict, MAX_PULL_BYTES, MAX_PULL_RECORDS, MAX_PUSH_CHANGES,
    MAX_RECORD_BYTES, PullResponse, PushRequest, PushResponse, RecordChange, RecordKind,
    VaultRecord, WRAPPED_KEY_BYTES,
};
use shared_types::{AccountId, Base64Bytes, ChangeId, ProfileId, RecordId};
use time::Duration;
use uuid::Uuid;

use crate::entity::{profile, vault_change, vault_record};
use crate::error::ApiError;
use crate::services::accounts::now;
use crate::services::notify::Notifier;

/// The smallest sealed blob: version (2) + nonce (12) + tag (16), with empty content.
const MIN_SEALED_BYTES: usize = 2 + 12 + 16;

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(message.into())
}

/// The account's records stored after revision `since`, oldest first: at most
/// [`MAX_PULL_RECORDS`] and, past the first, at most [`MAX_PULL_BYTES`] of data and keys, with
/// `more` set when others follow. Tombstones are included.
pub async fn pull(
    db: &DatabaseConnection,
    account_id: AccountId,
    since: i64,
) -> Result<PullResponse, ApiError> {
    if since < 0 {
        return Err(bad(
            "`since` must be 0 (everything) or a revision from an earlier pull.",
        ));
    }
    let txn = read_snapshot(db).await?;
    // Sizes first, so that the page is cut before any ciphertext is loaded. One more than a
    // page, to learn whether another page follows.
    let sizes: Vec<(i64, i64)> = vault_record::Entity::find()
        .select_only()
        .column(vault_record::Column::Revision)
        .expr(Expr::cust(
            "CAST(COALESCE(LENGTH(data), 0) + COALESCE(LENGTH(wrapped_key), 0) AS BIGINT)",
        ))
        .filter(vault_record::Column::AccountId.eq(account_id.0))
        .filter(vault_record::Column::Revision.gt(since))
        .order_by_asc(vault_record::Column::Revision)
        .limit(MAX_PULL_RECORDS + 1)
        .into_tuple()
        .all(&txn)
        .await?;
    let head: Option<i64> = vault_record::Entity::find()
        .select_only()
        .expr(sea_orm::sea_query::Func::max(Expr::col(
            vault_record::Column::Revision,
        )))
        .filter(vault_record::Column::AccountId.eq(account_id.0))
        .into_tuple()
        .one(&txn)
        .await?
        .flatten();
    let head = head.unwrap_or(0);
    let (count, more) = page_length(sizes.iter().map(|&(_, bytes)| bytes));
    let Some(&(last, _)) = count.checked_sub(1).and_then(|i| sizes.get(i)) else {
        txn.commit().await?;
        return Ok(PullResponse {
            records: Vec::new(),
            more: false,
            head,
        });
    };
    // The same snapshot: exactly the records whose sizes were counted.
    let records = vault_record::Entity::find()
        .filter(vault_record::Column::AccountId.eq(account_id.0))
        .filter(vault_record::Column::Revision.gt(since))
        .filter(vault_record::Column::Revision.lte(last))
        .order_by_asc(vault_record::Column::Revision)
        .all(&txn)
        .await?
        .into_iter()
        .map(to_record)
        .collect::<Result<Vec<_>, _>>()?;
    txn.commit().await?;
    Ok(PullResponse {
        records,
        more,
        head,
    })
}

/// A read-only transaction whose reads all see one snapshot. PostgreSQL needs REPEATABLE READ
/// for that; a SQLite transaction reads one snapshot already (and warns if given a level).
async fn read_snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, ApiError> {
    Ok(match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?
        }
        _ => db.begin().await?,
    })
}

/// How many of the records, with these sizes in revision order, make one page, and whether
/// records are left over: at most [`MAX_PULL_RECORDS`], and no more bytes than
/// [`MAX_PULL_BYTES`] unless the first record alone is larger.
fn page_length(sizes: impl IntoIterator<Item = i64>) -> (usize, bool) {
    let budget = i64::try_from(MAX_PULL_BYTES).expect("4 MiB fits in an i64");
    let limit = usize::try_from(MAX_PULL_RECORDS).expect("1000 fits in a usize");
    let mut total = 0i64;
    let mut count = 0;
    for bytes in sizes {
        total = total.saturating_add(bytes);
        if count == limit || (count > 0 && total > budget) {
            return (count, true);
        }
        count += 1;
    }
    (count, false)
}

/// Stores `request`'s changes for the account in one transaction, each at a new revision in
/// request order, except those that conflict and those already stored by an earlier push of
/// the same change id (answered with the revision they got then). Refuses the whole request,
/// storing nothing, when any change is invalid, names a profile that is not the account's,
/// stores a past version whose parent is not one of the account's items, or reuses a change
/// id for another record. When something was stored, every browser of the account is told.
pub async fn push(
    db: &DatabaseConnection,
    notifier: &Notifier,
    account_id: AccountId,
    request: PushRequest,
) -> Result<PushResponse, ApiError> {
    let changes = request.changes;
    check_changes(&changes)?;

    let txn = db.begin().await?;
    // Take the counter row before reading anything. On PostgreSQL this row lock makes
    // concurrent pushes wait for each other, so two pushes on the same base revision cannot
    // both pass the conflict check below (a lost update), and a change sent twice at once is
    // stored by the first and recognised by the second. On SQLite a write as the first
    // statement takes the database's write lock (waiting out the busy timeout) instead of
    // failing when a read snapshot would have to be upgraded after another writer committed.
    // The lock is held until commit, which is also what keeps revisions in commit order.
    bump_revision(&txn, 0).await?;

    // Changes an earlier push stored: answered as they were, never checked or stored again
    // (what they named may have changed since).
    let replayed = stored_changes(&txn, account_id, &changes).await?;
    let mut accepted = Vec::with_capacity(changes.len());
    let mut fresh = Vec::with_capacity(changes.len());
    for (i, change) in changes.into_iter().enumerate() {
        match replayed.get(&change.change_id.0) {
            Some(row) if row.record_id != change.id.0 => {
                return Err(bad(format!(
                    "changes[{i}]: its change_id was already used for another record; every change needs a new id."
                )));
            }
            Some(row) => accepted.push(Accepted {
                id: change.id,
                change_id: change.change_id,
                revision: row.revision,
            }),
            None => fresh.push((i, change)),
        }
    }

    let profiles: HashSet<Uuid> = profile::Entity::find()
        .select_only()
        .column(profile::Column::Id)
        .filter(profile::Column::AccountId.eq(account_id.0))
        .into_tuple::<Uuid>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let ids: Vec<Uuid> = fresh.iter().map(|(_, c)| c.id.0).collect();
    let mut stored: HashMap<Uuid, vault_record::Model> = vault_record::Entity::find()
        .filter(vault_record::Column::AccountId.eq(account_id.0))
        .filter(vault_record::Column::Id.is_in(ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let items = parent_items(&txn, account_id, fresh.iter().map(|(_, c)| c)).await?;

    // Every change is checked against what is stored before anything is written.
    for (i, change) in &fresh {
        if !profiles.contains(&change.container_id.0) {
            return Err(bad(format!(
                "changes[{i}]: its profile (container_id) is not yours or does not exist."
            )));
        }
        if let Some(row) = stored.get(&change.id.0)
            && row.kind != kind_name(change.kind)
        {
            return Err(bad(format!(
                "changes[{i}]: a record never changes kind; this one is stored as a {}.",
                row.kind
            )));
        }
        if let Some(parent) = needed_parent(change)
            && !items.contains(&parent)
        {
            return Err(bad(format!(
                "changes[{i}]: a past version's parent_id must name one of your items; push the item first or in the same push."
            )));
        }
    }

    let mut to_store = Vec::with_capacity(fresh.len());
    let mut conflicts = Vec::new();
    for (_, change) in fresh {
        let current = stored.remove(&change.id.0);
        let fits = match (change.base_revision, &current) {
            // New, or the deletion of a record this server never had (kept as a tombstone
            // anyway, so deleting twice is harmless).
            (None, None) => true,
            (Some(base), Some(row)) => row.revision == base,
            (None, Some(_)) | (Some(_), None) => false,
        };
        if fits {
            to_store.push((change, current));
        } else {
            conflicts.push(Conflict {
                id: change.id,
                current: current.map(to_record).transpose()?,
            });
        }
    }
    if to_store.is_empty() {
        // Nothing to write: the counter stays where it was.
        txn.rollback().await?;
        return Ok(PushResponse {
            accepted,
            conflicts,
        });
    }

    let count = i64::try_from(to_store.len()).expect("a push holds at most 500 changes");
    let last = bump_revision(&txn, count).await?;
    let stamp = now();
    let mut log = Vec::with_capacity(to_store.len());
    for (revision, (change, current)) in (last - count + 1..).zip(to_store) {
        let fields = vault_record::ActiveModel {
            id: Set(change.id.0),
            account_id: Set(account_id.0),
            kind: Set(kind_name(change.kind).to_owned()),
            container_id: Set(change.container_id.0),
            parent_id: Set(change.parent_id.map(|p| p.0)),
            revision: Set(revision),
            wrapped_key: Set(change.key.map(|k| k.0)),
            data: Set(change.data.map(|d| d.0)),
            updated_at: Set(stamp),
        };
        if current.is_some() {
            fields.update(&txn).await?;
        } else {
            fields.insert(&txn).await?;
        }
        log.push(vault_change::ActiveModel {
            account_id: Set(account_id.0),
            change_id: Set(change.change_id.0),
            record_id: Set(change.id.0),
            revision: Set(revision),
            created_at: Set(stamp),
        });
        accepted.push(Accepted {
            id: change.id,
            change_id: change.change_id,
            revision,
        });
    }
    vault_change::Entity::insert_many(log).exec(&txn).await?;
    vault_change::Entity::delete_many()
        .filter(vault_change::Column::AccountId.eq(account_id.0))
        .filter(vault_change::Column::CreatedAt.lt(stamp - Duration::days(CHANGE_MEMORY_DAYS)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    notifier.changed(db, account_id, last).await;
    Ok(PushResponse {
        accepted,
        conflicts,
    })
}

/// Of the request's change ids, those an earlier push stored, by change id.
async fn stored_changes(
    txn: &DatabaseTransaction,
    account_id: AccountId,
    changes: &[RecordChange],
) -> Result<HashMap<Uuid, vault_change::Model>, ApiError> {
    let ids: Vec<Uuid> = changes.iter().map(|c| c.change_id.0).collect();
    Ok(vault_change::Entity::find()
        .filter(vault_change::Column::AccountId.eq(account_id.0))
        .filter(vault_change::Column::ChangeId.is_in(ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|row| (row.change_id, row))
        .collect())
}

/// The item a change needs to exist: a past version's parent, unless the change deletes it.
fn needed_parent(change: &RecordChange) -> Option<Uuid> {
    match (change.kind, &change.data) {
        (RecordKind::History, Some(_)) => change.parent_id.map(|p| p.0),
        _ => None,
    }
}

/// Which of the parents the changes need are items of the account after this push, were every
/// change stored: an item the push creates or edits, or a stored item (not a tombstone) that
/// the push leaves alone. Reads ids only, never content.
async fn parent_items<'a>(
    txn: &DatabaseTransaction,
    account_id: AccountId,
    changes: impl Iterator<Item = &'a RecordChange> + Clone,
) -> Result<HashSet<Uuid>, ApiError> {
    let pushed: HashMap<Uuid, &RecordChange> = changes.clone().map(|c| (c.id.0, c)).collect();
    let mut items = HashSet::new();
    let mut unpushed = HashSet::new();
    for parent in changes.filter_map(needed_parent) {
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
            .filter(vault_record::Column::AccountId.eq(account_id.0))
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

/// Adds `count` to the revision counter and returns its new value, the last revision handed
/// out. The row stays locked until the transaction ends.
async fn bump_revision(txn: &DatabaseTransaction, count: i64) -> Result<i64, ApiError> {
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            "UPDATE vault_revision SET value = value + $1 WHERE id = 1 RETURNING value",
            [count.into()],
        ))
        .await?
        .ok_or_else(|| {
            ApiError::Internal("the vault_revision row is missing (the migration seeds it)".into())
        })?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// Checks what can be checked without the database: sizes, keys, parents, duplicates.
fn check_changes(changes: &[RecordChange]) -> Result<(), ApiError> {
    if changes.is_empty() {
        return Err(bad("A push needs at least one change."));
    }
    if changes.len() > MAX_PUSH_CHANGES {
        return Err(bad(format!(
            "A push carries at most {MAX_PUSH_CHANGES} changes; send the rest in another push."
        )));
    }
    let mut seen: HashMap<RecordId, usize> = HashMap::with_capacity(changes.len());
    let mut seen_changes: HashMap<ChangeId, usize> = HashMap::with_capacity(changes.len());
    for (i, change) in changes.iter().enumerate() {
        if let Some(first) = seen.insert(change.id, i) {
            return Err(bad(format!(
                "changes[{i}]: the same record as changes[{first}]; send each record once per push."
            )));
        }
        if let Some(first) = seen_changes.insert(change.change_id, i) {
            return Err(bad(format!(
                "changes[{i}]: the same change_id as changes[{first}]; every change needs its own id."
            )));
        }
        check_change(i, change)?;
    }
    Ok(())
}

fn check_change(i: usize, change: &RecordChange) -> Result<(), ApiError> {
    if change.base_revision.is_some_and(|base| base < 1) {
        return Err(bad(format!(
            "changes[{i}]: base_revision must be a revision the server gave (1 or more), or null for a new record."
        )));
    }
    match (change.kind, change.parent_id) {
        (RecordKind::History, None) => {
            return Err(bad(format!(
                "changes[{i}]: a past version needs the id of its item (parent_id)."
            )));
        }
        (RecordKind::Item | RecordKind::Folder, Some(_)) => {
            return Err(bad(format!(
                "changes[{i}]: only a past version (history) has a parent_id."
            )));
        }
        _ => {}
    }
    let Some(data) = &change.data else {
        if change.key.is_some() {
            return Err(bad(format!("changes[{i}]: a deletion carries no key.")));
        }
        return Ok(());
    };
    if data.0.len() > MAX_RECORD_BYTES {
        return Err(bad(format!(
            "changes[{i}]: the sealed data is larger than {MAX_RECORD_BYTES} bytes; shorten the record."
        )));
    }
    if data.0.len() < MIN_SEALED_BYTES {
        return Err(bad(format!(
            "changes[{i}]: the data is too short to be a sealed record."
        )));
    }
    match (change.kind, &change.key) {
        (RecordKind::Item, Some(key)) if key.0.len() == WRAPPED_KEY_BYTES => Ok(()),
        (RecordKind::Item, _) => Err(bad(format!(
            "changes[{i}]: an item needs its wrapped key ({WRAPPED_KEY_BYTES} bytes)."
        ))),
        (RecordKind::Folder | RecordKind::History, Some(_)) => Err(bad(format!(
            "changes[{i}]: only an item carries a key; a folder or past version has none."
        ))),
        (RecordKind::Folder | RecordKind::History, None) => Ok(()),
    }
}

fn kind_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Item => "item",
        RecordKind::Folder => "folder",
        RecordKind::History => "history",
    }
}

fn kind_of(name: &str) -> Option<RecordKind> {
    match name {
        "item" => Some(RecordKind::Item),
        "folder" => Some(RecordKind::Folder),
        "history" => Some(RecordKind::History),
        _ => None,
    }
}

/// A stored record as the API sends it.
pub fn to_record(row: vault_record::Model) -> Result<VaultRecord, ApiError> {
    let kind = kind_of(&row.kind).ok_or_else(|| {
        ApiError::Internal(format!("vault record {} has an unknown kind", row.id).into())
    })?;
    Ok(VaultRecord {
        id: RecordId(row.id),
        kind,
        container_id: ProfileId(row.container_id),
        parent_id: row.parent_id.map(RecordId),
        revision: row.revision,
        key: row.wrapped_key.map(Base64Bytes),
        data: row.data.map(Base64Bytes),
        updated_at: row.updated_at.unix_timestamp(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn change(kind: RecordKind) -> RecordChange {
        RecordChange {
            change_id: ChangeId::new_v7(),
            id: RecordId::new_v7(),
            kind,
            container_id: ProfileId::new_v7(),
            parent_id: (kind == RecordKind::History).then(RecordId::new_v7),
            base_revision: None,
            key: (kind == RecordKind::Item).then(|| Base64Bytes(vec![7; WRAPPED_KEY_BYTES])),
            data: Some(Base64Bytes(vec![9; MIN_SEALED_BYTES])),
        }
    }

    fn refused(change: &RecordChange) -> String {
        match check_change(3, change) {
            Err(ApiError::BadRequest(message)) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn well_formed_changes_and_deletions_pass() {
        for kind in [RecordKind::Item, RecordKind::Folder, RecordKind::History] {
            check_change(0, &change(kind)).unwrap();
            let mut deletion = change(kind);
            deletion.key = None;
            deletion.data = None;
            deletion.base_revision = Some(1);
            check_change(0, &deletion).unwrap();
        }
        let mut largest = change(RecordKind::Folder);
        largest.data = Some(Base64Bytes(vec![0; MAX_RECORD_BYTES]));
        check_change(0, &largest).unwrap();
    }

    #[test]
    fn each_rule_names_the_change_and_never_its_values() {
        let mut cases = Vec::new();
        let mut c = change(RecordKind::Item);
        c.key = Some(Base64Bytes(vec![7; WRAPPED_KEY_BYTES - 1]));
        cases.push((c, "wrapped key"));
        let mut c = change(RecordKind::Item);
        c.key = None;
        cases.push((c, "wrapped key"));
        let mut c = change(RecordKind::Folder);
        c.key = Some(Base64Bytes(vec![7; WRAPPED_KEY_BYTES]));
        cases.push((c, "only an item carries a key"));
        let mut c = change(RecordKind::History);
        c.parent_id = None;
        cases.push((c, "parent_id"));
        let mut c = change(RecordKind::Item);
        c.parent_id = Some(RecordId::new_v7());
        cases.push((c, "only a past version"));
        let mut c = change(RecordKind::Folder);
        c.data = Some(Base64Bytes(vec![9; MAX_RECORD_BYTES + 1]));
        cases.push((c, "larger than"));
        let mut c = change(RecordKind::Folder);
        c.data = Some(Base64Bytes(vec![9; MIN_SEALED_BYTES - 1]));
        cases.push((c, "too short"));
        let mut c = change(RecordKind::Item);
        c.data = None;
        cases.push((c, "a deletion carries no key"));
        let mut c = change(RecordKind::Folder);
        c.base_revision = Some(0);
        cases.push((c, "base_revision"));
        for (c, expected) in cases {
            let message = refused(&c);
            assert!(message.starts_with("changes[3]:"), "{message}");
            assert!(message.contains(expected), "{message}");
            assert!(!message.contains(&c.id.to_string()), "{message}");
        }
    }

    #[test]
    fn a_push_is_refused_whole_when_empty_too_long_or_repeating_a_record() {
        assert!(matches!(check_changes(&[]), Err(ApiError::BadRequest(_))));
        let many: Vec<_> = (0..=MAX_PUSH_CHANGES)
            .map(|_| change(RecordKind::Folder))
            .collect();
        assert!(matches!(check_changes(&many), Err(ApiError::BadRequest(_))));
        check_changes(&many[..MAX_PUSH_CHANGES]).unwrap();
        let first = change(RecordKind::Folder);
        let mut again = change(RecordKind::Folder);
        again.id = first.id;
        match check_changes(&[first.clone(), change(RecordKind::Item), again]) {
            Err(ApiError::BadRequest(message)) => {
                assert!(message.contains("changes[2]") && message.contains("changes[0]"))
            }
            other => panic!("{other:?}"),
        }
        let mut same_change = change(RecordKind::Folder);
        same_change.change_id = first.change_id;
        match check_changes(&[first, same_change]) {
            Err(ApiError::BadRequest(message)) => {
                assert!(message.contains("changes[1]") && message.contains("change_id"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_page_stops_at_the_record_count_or_the_byte_budget() {
        let budget = MAX_PULL_BYTES as i64;
        let limit = MAX_PULL_RECORDS as usize;
        assert_eq!(page_length([]), (0, false));
        assert_eq!(page_length([10, 20, 30]), (3, false));
        assert_eq!(page_length(vec![1; limit]), (limit, false));
        assert_eq!(page_length(vec![1; limit + 1]), (limit, true));
        // Exactly the budget fits; one byte more starts the next page.
        assert_eq!(page_length([budget - 10, 10]), (2, false));
        assert_eq!(page_length([budget - 10, 11, 1]), (1, true));
        assert_eq!(page_length([budget - 10, 10, 1]), (2, true));
        // A first record over the budget still makes a page, alone.
        assert_eq!(page_length([budget + 1, 1]), (1, true));
        assert_eq!(page_length([budget + 1]), (1, false));
    }

    #[test]
    fn only_a_stored_past_version_needs_its_parent() {
        let history = change(RecordKind::History);
        assert_eq!(needed_parent(&history), history.parent_id.map(|p| p.0));
        let deleted = RecordChange {
            data: None,
            ..history
        };
        assert_eq!(needed_parent(&deleted), None);
        assert_eq!(needed_parent(&change(RecordKind::Item)), None);
    }

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in [RecordKind::Item, RecordKind::Folder, RecordKind::History] {
            assert_eq!(kind_of(kind_name(kind)), Some(kind));
        }
        assert_eq!(kind_of("note"), None);
    }
}
