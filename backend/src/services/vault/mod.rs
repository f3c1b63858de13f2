//! The vault records of the containers an account can read: pull what changed after each
//! container's cursor, push changes.
//!
//! Invariants (each part states its own in detail):
//! - The server stores ciphertext and ids only. It never logs a record's `key` or `data`, and
//!   its messages name the change and the rule, never a value.
//! - Who may read or write a container is decided by [`crate::services::access`], and only
//!   there.
//! - Revisions are per container: each stored change takes the next number of its container's
//!   sequence, in commit order, so a pull of "revision > N" in a container never misses a
//!   record.

mod check;
mod checkpoint;
mod pull;
mod push;

pub use checkpoint::store as store_checkpoints;
pub use pull::pull;
pub use push::push;

use shared_types::vault::{RecordKind, VaultRecord};
use shared_types::{Base64Bytes, ContainerId, RecordId};

use crate::entity::vault_record;
use crate::error::ApiError;

fn kind_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Item => "item",
        RecordKind::Folder => "folder",
        RecordKind::History => "history",
        RecordKind::Trust => "trust",
    }
}

fn kind_of(name: &str) -> Option<RecordKind> {
    match name {
        "item" => Some(RecordKind::Item),
        "folder" => Some(RecordKind::Folder),
        "history" => Some(RecordKind::History),
        "trust" => Some(RecordKind::Trust),
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
        container_id: ContainerId(row.container_id),
        parent_id: row.parent_id.map(RecordId),
        revision: row.revision,
        key: row.wrapped_key.map(Base64Bytes),
        data: row.data.map(Base64Bytes),
        version: row.version,
        mark: row.mark.map(Base64Bytes),
        updated_at: row.updated_at.unix_timestamp(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in [
            RecordKind::Item,
            RecordKind::Folder,
            RecordKind::History,
            RecordKind::Trust,
        ] {
            assert_eq!(kind_of(kind_name(kind)), Some(kind));
        }
        assert_eq!(kind_of("note"), None);
    }
}
