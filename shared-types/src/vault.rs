//! Vault records as the server sees them: ids, kinds, sizes, revisions and ciphertext. Titles,
//! URLs, folder names, tags and every field live inside `data`, sealed in the browser; the
//! server cannot read or tell apart what it stores.
//!
//! Every stored change takes the next number of one increasing revision sequence. A browser
//! pulls "everything after revision N" and pushes changes with the revision each was based on;
//! a change based on an older revision is a conflict, answered with the server's current
//! record, and is never written over it.
//!
//! Every change carries an id the browser chose. The server remembers which change ids it
//! stored (for [`CHANGE_MEMORY_DAYS`]), so a push sent again after a lost reply or a server
//! restart is answered with the revisions first given and stores nothing twice.
//!
//! While a browser is signed in it listens to `GET /api/vault/events`, a stream of
//! server-sent events: each `changed` event carries a [`ChangeNotice`] and means "pull".

use serde::{Deserialize, Serialize};

use crate::{Base64Bytes, ChangeId, ProfileId, RecordId};

/// The largest sealed record the server stores (bytes of ciphertext). The browser refuses
/// larger items before sealing them, with a message saying what to shorten.
pub const MAX_RECORD_BYTES: usize = 128 * 1024;
/// The most changes one push may carry.
pub const MAX_PUSH_CHANGES: usize = 500;
/// The most records one pull returns; `more` says when there are others.
pub const MAX_PULL_RECORDS: u64 = 1000;
/// The most data and key bytes (before base64) one pull returns; a pull always returns at
/// least one record when any follow, and sets `more` when it stops at this budget.
pub const MAX_PULL_BYTES: usize = 4 * 1024 * 1024;
/// The length of a wrapped record key (wasm-crypto's wrapped key, version 1).
pub const WRAPPED_KEY_BYTES: usize = 63;
/// How long the server remembers a stored change's id. A change sent again later than this is
/// answered as a conflict with the stored record (the browser then keeps both versions).
pub const CHANGE_MEMORY_DAYS: i64 = 30;

/// What a record is. Everything else about it is sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    /// A saved item, sealed with its own key; the key is wrapped by the container's key.
    Item,
    /// A folder (its name and parent), sealed with the container's key.
    Folder,
    /// A saved past version of an item, sealed with that item's key.
    History,
}

/// A record as stored: opaque to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultRecord {
    /// The record's id (the item's or folder's id).
    pub id: RecordId,
    /// What it is.
    pub kind: RecordKind,
    /// The profile whose key opens it (directly, or through the item key).
    pub container_id: ProfileId,
    /// For a past version, the item it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<RecordId>,
    /// The revision at which this content was stored.
    pub revision: i64,
    /// For an item, its key wrapped by the container's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Base64Bytes>,
    /// The sealed content; `None` for a deleted record (a tombstone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Base64Bytes>,
    /// When the server stored this revision (Unix seconds).
    pub updated_at: i64,
}

/// One change a browser sends: a new content for a record, or its deletion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordChange {
    /// This change's own id: a new one for every change the browser makes, the same one every
    /// time that change is sent again.
    pub change_id: ChangeId,
    /// The record's id.
    pub id: RecordId,
    /// What it is (a record never changes kind).
    pub kind: RecordKind,
    /// The profile whose key opens it.
    pub container_id: ProfileId,
    /// For a past version, the item it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<RecordId>,
    /// The revision this change was based on; `None` for a record that is new.
    pub base_revision: Option<i64>,
    /// For an item, its key wrapped by the container's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Base64Bytes>,
    /// The new sealed content; `None` deletes the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Base64Bytes>,
}

/// `POST /api/vault/push`: changes to store, all or none checked first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    /// The changes, at most [`MAX_PUSH_CHANGES`], each record at most once.
    pub changes: Vec<RecordChange>,
}

/// A change that was stored (now, or by an earlier push of the same change id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    /// The record.
    pub id: RecordId,
    /// The change.
    pub change_id: ChangeId,
    /// The revision the change was stored at.
    pub revision: i64,
}

/// A change that was not stored because the record moved on since its base revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// The record.
    pub id: RecordId,
    /// What the server holds now (`None`: it has no such record).
    pub current: Option<VaultRecord>,
}

/// The reply to a push: which changes were stored and which conflicted. Stored changes and
/// conflicts together name every change of the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Stored, with their new revisions.
    pub accepted: Vec<Accepted>,
    /// Not stored: keep both versions and push again on top of `current`.
    pub conflicts: Vec<Conflict>,
}

/// `GET /api/vault/records?since=N`: the records changed after revision `since`, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    /// At most [`MAX_PULL_RECORDS`] records and about [`MAX_PULL_BYTES`] of sealed data (always
    /// at least one record when any remain), tombstones included, by increasing revision.
    pub records: Vec<VaultRecord>,
    /// Whether more records follow: pull again from the last revision here.
    pub more: bool,
    /// The account's newest revision when this page was read. A browser that has already seen
    /// a higher one is talking to a server that went back in time (restored from an old
    /// backup, or tampered with).
    pub head: i64,
}

/// The data of a `changed` event on `GET /api/vault/events`: the account's records changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeNotice {
    /// The newest revision stored, when known; a browser that has pulled this far can skip the
    /// pull. `None` (after the server missed notices): pull anyway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_tombstone_travels_without_key_or_data() {
        let record = VaultRecord {
            id: RecordId::new_v7(),
            kind: RecordKind::Item,
            container_id: ProfileId::new_v7(),
            parent_id: None,
            revision: 7,
            key: None,
            data: None,
            updated_at: 0,
        };
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["kind"], "item");
        assert!(json.get("data").is_none() && json.get("key").is_none());
        assert_eq!(serde_json::from_value::<VaultRecord>(json).unwrap(), record);
    }
}
