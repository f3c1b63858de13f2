//! Pulling: the records stored after the browser's cursor in each container the account can
//! read, and the account's access feed, all from one snapshot.
//!
//! Invariants:
//! - Only containers the access gate says the account can read are served; a cursor naming
//!   another container is ignored, exactly like one naming no container at all.
//! - A page holds at most `MAX_PULL_RECORDS` records and, beyond its first record, at most
//!   `MAX_PULL_BYTES` of data and keys; `more` says when it stopped early. Containers are
//!   visited in id order, each oldest revision first, and a container whose head is at the
//!   browser's cursor costs no query. Sizes are read first, so that no more ciphertext than the
//!   page is loaded.

use std::collections::BTreeMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    AccessMode, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, DbBackend,
    EntityTrait, IsolationLevel, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use shared_types::vault::{
    Checkpoint, ContainerAccess, ContainerKind, Cursor, MAX_PULL_BYTES, MAX_PULL_CONTAINERS,
    MAX_PULL_RECORDS, PullRequest, PullResponse,
};
use shared_types::{AccountId, Base64Bytes, ContainerId};
use uuid::Uuid;

use super::to_record;
use crate::entity::{vault_container, vault_record};
use crate::error::ApiError;
use crate::services::access;

/// One page of what changed after the request's cursors. See the module's invariants.
pub async fn pull(
    db: &DatabaseConnection,
    account: AccountId,
    request: PullRequest,
) -> Result<PullResponse, ApiError> {
    check(&request)?;
    let txn = read_snapshot(db).await?;
    let (mut access, access_head) = access::feed(&txn, account, request.access_since).await?;
    let readable = access::readable(&txn, account).await?;
    // A container the browser still follows but may no longer read, and whose access row is
    // gone with it (a share whose owner's account was deleted): told as a revocation, so the
    // browser forgets it as it would after any other.
    let told: std::collections::HashSet<ContainerId> =
        access.iter().map(|a| a.container_id).collect();
    for cursor in &request.cursors {
        if !told.contains(&cursor.container_id) && !readable.contains_key(&cursor.container_id) {
            access.push(ContainerAccess {
                container_id: cursor.container_id,
                kind: ContainerKind::Share,
                role: None,
                revision: access_head,
            });
        }
    }
    let containers: Vec<Head> = vault_container::Entity::find()
        .select_only()
        .column(vault_container::Column::Id)
        .column(vault_container::Column::Revision)
        .column(vault_container::Column::CheckpointRevision)
        .column(vault_container::Column::Checkpoint)
        .filter(vault_container::Column::Id.is_in(readable.keys().map(|c| c.0)))
        .order_by_asc(vault_container::Column::Id)
        .into_tuple()
        .all(&txn)
        .await?;
    let mut heads = Vec::with_capacity(containers.len());
    let mut checkpoints = Vec::new();
    for (id, revision, checkpoint_revision, checkpoint) in containers {
        heads.push((id, revision));
        if let (Some(revision), Some(sealed)) = (checkpoint_revision, checkpoint) {
            checkpoints.push(Checkpoint {
                container_id: ContainerId(id),
                revision,
                sealed: Base64Bytes(sealed),
            });
        }
    }
    let cursors: BTreeMap<ContainerId, i64> = request
        .cursors
        .iter()
        .map(|c| (c.container_id, c.revision))
        .collect();

    // Sizes first, container by container, until the page is full. One more than a page, to
    // learn whether another page follows.
    let mut sizes: Vec<(Uuid, i64, i64)> = Vec::new();
    let wanted = MAX_PULL_RECORDS + 1;
    for &(container, head) in &heads {
        let since = cursors.get(&ContainerId(container)).copied().unwrap_or(0);
        let have = u64::try_from(sizes.len()).expect("a page is short");
        if head <= since {
            continue;
        }
        if have >= wanted || page_length(sizes.iter().map(|s| s.2)).1 {
            break;
        }
        let rows: Vec<(i64, i64)> = vault_record::Entity::find()
            .select_only()
            .column(vault_record::Column::Revision)
            .expr(Expr::cust(
                "CAST(COALESCE(LENGTH(data), 0) + COALESCE(LENGTH(wrapped_key), 0) + COALESCE(LENGTH(mark), 0) AS BIGINT)",
            ))
            .filter(vault_record::Column::ContainerId.eq(container))
            .filter(vault_record::Column::Revision.gt(since))
            .order_by_asc(vault_record::Column::Revision)
            .limit(wanted - have)
            .into_tuple()
            .all(&txn)
            .await?;
        sizes.extend(rows.into_iter().map(|(rev, bytes)| (container, rev, bytes)));
    }
    let (count, more) = page_length(sizes.iter().map(|s| s.2));

    // The same snapshot: exactly the records whose sizes were counted, per container the
    // range from its cursor to the last revision counted.
    let mut ranges: BTreeMap<Uuid, i64> = BTreeMap::new();
    for &(container, revision, _) in &sizes[..count] {
        ranges.insert(container, revision);
    }
    let mut records = Vec::with_capacity(count);
    if !ranges.is_empty() {
        let mut any = Condition::any();
        for (&container, &last) in &ranges {
            let since = cursors.get(&ContainerId(container)).copied().unwrap_or(0);
            any = any.add(
                Condition::all()
                    .add(vault_record::Column::ContainerId.eq(container))
                    .add(vault_record::Column::Revision.gt(since))
                    .add(vault_record::Column::Revision.lte(last)),
            );
        }
        for row in vault_record::Entity::find()
            .filter(any)
            .order_by_asc(vault_record::Column::ContainerId)
            .order_by_asc(vault_record::Column::Revision)
            .all(&txn)
            .await?
        {
            records.push(to_record(row)?);
        }
    }
    txn.commit().await?;
    Ok(PullResponse {
        access,
        access_head,
        heads: heads
            .into_iter()
            .map(|(id, revision)| Cursor {
                container_id: ContainerId(id),
                revision,
            })
            .collect(),
        records,
        more,
        checkpoints,
    })
}

/// A readable container's id, head, and newest checkpoint (its revision and sealed digest).
type Head = (Uuid, i64, Option<i64>, Option<Vec<u8>>);

fn check(request: &PullRequest) -> Result<(), ApiError> {
    let bad = |m: &str| Err(ApiError::BadRequest(m.to_owned()));
    if request.access_since < 0 || request.cursors.iter().any(|c| c.revision < 0) {
        return bad("Cursors must be 0 (everything) or a revision from an earlier pull.");
    }
    if request.cursors.len() > MAX_PULL_CONTAINERS {
        return bad("A pull names at most 10,000 containers.");
    }
    Ok(())
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

/// How many of the records, with these sizes in page order, make one page, and whether
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn negative_cursors_and_too_many_containers_are_refused() {
        let cursor = |revision| Cursor {
            container_id: ContainerId::new_v7(),
            revision,
        };
        assert!(check(&PullRequest::default()).is_ok());
        let negative = PullRequest {
            access_since: 0,
            cursors: vec![cursor(-1)],
        };
        assert!(matches!(check(&negative), Err(ApiError::BadRequest(_))));
        let many = PullRequest {
            access_since: 0,
            cursors: (0..=MAX_PULL_CONTAINERS).map(|_| cursor(0)).collect(),
        };
        assert!(matches!(check(&many), Err(ApiError::BadRequest(_))));
        assert!(matches!(
            check(&PullRequest {
                access_since: -1,
                cursors: vec![]
            }),
            Err(ApiError::BadRequest(_))
        ));
    }
}
