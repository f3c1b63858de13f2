//! Storing checkpoints: a browser that holds all of a container seals a digest of it, bound to
//! the revision it describes, and the server keeps the newest.
//!
//! Invariants:
//! - A checkpoint is stored only for a container the account can write, and only while the
//!   container is still at the revision it describes: the check and the write are one
//!   conditional update, so a push committing meanwhile makes it a no-op, never a checkpoint
//!   of a state that no longer exists.
//! - The server never opens or judges a checkpoint; browsers do.

use std::collections::HashSet;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use shared_types::vault::{
    CheckpointRequest, CheckpointResponse, MAX_CHECKPOINT_BYTES, MAX_PULL_CONTAINERS,
};
use shared_types::{AccountId, ContainerId};

use crate::entity::vault_container;
use crate::error::ApiError;
use crate::services::access;
use shared_types::push_rules::MIN_SEALED_BYTES;

/// Stores each checkpoint whose container the account can write and that is still at the
/// checkpoint's revision.
pub async fn store(
    db: &DatabaseConnection,
    account: AccountId,
    request: CheckpointRequest,
) -> Result<CheckpointResponse, ApiError> {
    check(&request)?;
    let readable = access::readable(db, account).await?;
    let writable = access::writable(
        &readable,
        request.checkpoints.iter().map(|c| c.container_id),
    );
    let mut stored = Vec::new();
    for checkpoint in request.checkpoints {
        if !writable.contains(&checkpoint.container_id) {
            continue;
        }
        let done = vault_container::Entity::update_many()
            .col_expr(
                vault_container::Column::CheckpointRevision,
                Expr::value(checkpoint.revision),
            )
            .col_expr(
                vault_container::Column::Checkpoint,
                Expr::value(checkpoint.sealed.0),
            )
            .filter(vault_container::Column::Id.eq(checkpoint.container_id.0))
            .filter(vault_container::Column::Revision.eq(checkpoint.revision))
            .exec(db)
            .await?;
        if done.rows_affected == 1 {
            stored.push(checkpoint.container_id);
        }
    }
    Ok(CheckpointResponse { stored })
}

fn check(request: &CheckpointRequest) -> Result<(), ApiError> {
    let bad = |m: &str| Err(ApiError::BadRequest(m.to_owned()));
    if request.checkpoints.len() > MAX_PULL_CONTAINERS {
        return bad("A request carries at most 10,000 checkpoints.");
    }
    let mut seen: HashSet<ContainerId> = HashSet::new();
    for checkpoint in &request.checkpoints {
        if !seen.insert(checkpoint.container_id) {
            return bad("A request carries at most one checkpoint per container.");
        }
        if checkpoint.revision < 1 {
            return bad("A checkpoint describes a revision the server gave (1 or more).");
        }
        if !(MIN_SEALED_BYTES..=MAX_CHECKPOINT_BYTES).contains(&checkpoint.sealed.0.len()) {
            return bad("A checkpoint must be a sealed blob of at most 256 bytes.");
        }
    }
    Ok(())
}
