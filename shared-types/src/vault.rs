//! Vault records as the server sees them: ids, kinds, sizes, revisions and ciphertext. Titles,
//! URLs, folder names, tags and every field live inside `data`, sealed in the browser; the
//! server cannot read or tell apart what it stores.
//!
//! Records live in containers (a profile today; shares, group vaults and the organization
//! backup later). Each container has its own increasing revision sequence: every stored change
//! takes the next number of its container's sequence. A browser pulls, in one request,
//! "everything after revision N" for each container it can read, and pushes changes with the
//! revision each was based on; a change based on an older revision is a conflict, answered
//! with the server's current record, and is never written over it.
//!
//! Which containers an account can read is itself a feed: each grant or revocation takes the
//! next number of the account's access sequence, and a pull returns the grants and revocations
//! after the one the browser has seen. A newly readable container's records come in the same
//! pull; a revoked container is no longer served and the browser forgets it.
//!
//! Every change carries an id the browser chose. The server remembers which change ids it
//! stored (for [`CHANGE_MEMORY_DAYS`]), so a push sent again after a lost reply or a server
//! restart is answered with the revisions first given and stores nothing twice.
//!
//! A push is answered change by change: stored, in conflict, or refused with a
//! [`RefusalCode`] (for example a container the account may not write). One refused change
//! never holds back the others.
//!
//! While a browser is signed in it listens to `GET /api/vault/events`, a stream of
//! server-sent events: each `changed` event carries a [`ChangeNotice`] and means "pull".

use serde::{Deserialize, Serialize};

use crate::{Base64Bytes, ChangeId, ContainerId, RecordId};

/// The largest sealed record the server stores (bytes of ciphertext). The browser refuses
/// larger items before sealing them, with a message saying what to shorten.
pub const MAX_RECORD_BYTES: usize = 128 * 1024;
/// The most changes one push may carry.
pub const MAX_PUSH_CHANGES: usize = 500;
/// The most containers one pull may name.
pub const MAX_PULL_CONTAINERS: usize = 10_000;
/// The most records one pull returns; `more` says when there are others.
pub const MAX_PULL_RECORDS: u64 = 1000;
/// The most data and key bytes (before base64) one pull returns; a pull always returns at
/// least one record when any follow, and sets `more` when it stops at this budget.
pub const MAX_PULL_BYTES: usize = 4 * 1024 * 1024;
/// The media type of the vault's binary wire: pull and push requests and replies in postcard
/// (serde's compact binary format), every field present, bytes as bytes. The version is in the
/// name: a later layout gets a new type, and the server answers JSON to a browser that asks for
/// neither. JSON (`application/json`) stays accepted and answered everywhere.
pub const BINARY_WIRE: &str = "application/vnd.strongroom.vault.v1+postcard";

/// The largest deletion mark the server stores (bytes of ciphertext).
pub const MAX_MARK_BYTES: usize = 256;
/// The largest checkpoint the server stores (bytes of ciphertext).
pub const MAX_CHECKPOINT_BYTES: usize = 256;
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
    /// A record of the account's trust store (a contact's pinned keys, a pinned company key,
    /// the newest list seen of a share or group), sealed with the Personal profile's key. Only
    /// ever in the Personal profile. Last, so the variants before it keep their wire index.
    Trust,
}

/// A record as stored: opaque to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultRecord {
    /// The record's id (the item's or folder's id).
    pub id: RecordId,
    /// What it is.
    pub kind: RecordKind,
    /// The container it lives in, whose key opens it (directly, or through the item key).
    pub container_id: ContainerId,
    /// For a past version, the item it belongs to.
    #[serde(default)]
    pub parent_id: Option<RecordId>,
    /// The revision at which this content was stored.
    pub revision: i64,
    /// For an item, its key wrapped by the container's key.
    #[serde(default)]
    pub key: Option<Base64Bytes>,
    /// The sealed content; `None` for a deleted record (a tombstone).
    #[serde(default)]
    pub data: Option<Base64Bytes>,
    /// The record's own version, which the browser that wrote it chose above every version it
    /// had seen, and sealed into `data` (or `mark`): an older content served again under a newer
    /// revision shows as an older version. 0 for records written before versions existed.
    #[serde(default)]
    pub version: i64,
    /// For a tombstone, the deletion mark sealed with the container's key by the browser that
    /// deleted the record (or moved it to another container), at `version`. A tombstone
    /// without a valid mark was not made by a key holder.
    #[serde(default)]
    pub mark: Option<Base64Bytes>,
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
    /// The container it goes to, whose key opens it. A change that names another container
    /// than the one the record lives in moves it there (the old container keeps a deletion,
    /// so that its readers learn it left); the account must be able to write both.
    pub container_id: ContainerId,
    /// For a past version, the item it belongs to.
    #[serde(default)]
    pub parent_id: Option<RecordId>,
    /// The revision this change was based on; `None` for a record that is new.
    pub base_revision: Option<i64>,
    /// For an item, its key wrapped by the container's key.
    #[serde(default)]
    pub key: Option<Base64Bytes>,
    /// The new sealed content; `None` deletes the record.
    #[serde(default)]
    pub data: Option<Base64Bytes>,
    /// The record's new version (see [`VaultRecord::version`]).
    #[serde(default)]
    pub version: i64,
    /// The deletion mark (see [`VaultRecord::mark`]): for a deletion, of the record's
    /// container; for a move, of the container the record leaves, whose tombstone keeps it.
    #[serde(default)]
    pub mark: Option<Base64Bytes>,
}

/// `POST /api/vault/push`: changes to store, each answered on its own.
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
    /// The revision the change was stored at, in the sequence of the container it names.
    pub revision: i64,
}

/// A change that was not stored because the record moved on since its base revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// The record.
    pub id: RecordId,
    /// What the server holds now (`None`: it has no such record), in whichever container the
    /// record lives.
    pub current: Option<VaultRecord>,
}

/// Why one change was refused. The browser keeps a refused change (shown in red, with
/// [`Refusal::message`]) and does not send it again until it is edited.
///
/// It travels by name on both wires (`"not_writable"`), so that a browser reads a code a newer
/// server added as [`RefusalCode::Other`]: postcard would otherwise carry the variant's
/// number, which a browser cannot read past.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "&'static str", from = "String")]
pub enum RefusalCode {
    /// The change is malformed: sizes, keys or parents that cannot be right.
    Invalid,
    /// The account may not write the container the change names (or the one the record
    /// lives in), or it does not exist.
    NotWritable,
    /// The record is stored as another kind; a record never changes kind.
    KindChanged,
    /// A past version whose item is neither stored nor stored by the same push.
    MissingParent,
    /// The change id was used before for another record.
    ChangeIdReused,
    /// The same record (or change id) twice in one push.
    Duplicate,
    /// A code this browser does not know (sent by a newer server).
    Other,
    /// The account may read the shared folder but not change it.
    ReadOnly,
}

impl RefusalCode {
    /// Every code, with its name on the wire.
    const NAMES: [(RefusalCode, &'static str); 8] = [
        (RefusalCode::Invalid, "invalid"),
        (RefusalCode::NotWritable, "not_writable"),
        (RefusalCode::KindChanged, "kind_changed"),
        (RefusalCode::MissingParent, "missing_parent"),
        (RefusalCode::ChangeIdReused, "change_id_reused"),
        (RefusalCode::Duplicate, "duplicate"),
        (RefusalCode::Other, "other"),
        (RefusalCode::ReadOnly, "read_only"),
    ];
}

impl From<RefusalCode> for &'static str {
    fn from(code: RefusalCode) -> Self {
        RefusalCode::NAMES
            .iter()
            .find(|(c, _)| *c == code)
            .map_or("other", |(_, name)| name)
    }
}

impl From<String> for RefusalCode {
    fn from(name: String) -> Self {
        RefusalCode::NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map_or(RefusalCode::Other, |(code, _)| *code)
    }
}

/// A change that was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// The record.
    pub id: RecordId,
    /// The refused change.
    pub change_id: ChangeId,
    /// Why, for the browser to act on.
    pub code: RefusalCode,
    /// Why, for a person: names the rule, never a value.
    pub message: String,
}

/// The reply to a push: every change of the request is named once, as stored, in conflict or
/// refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Stored, with their new revisions.
    pub accepted: Vec<Accepted>,
    /// Not stored: keep both versions and push again on top of `current`.
    pub conflicts: Vec<Conflict>,
    /// Not stored and not to be sent again as they are.
    #[serde(default)]
    pub refused: Vec<Refusal>,
}

/// What a container is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerKind {
    /// A Personal or Business profile of one account (the container's id is the profile's).
    Profile,
    /// A share: items sealed under a share key that its recipients hold (the container's id is
    /// the share's). Appended, so the variants before it keep their wire index.
    Share,
}

/// What an account may do with a container. Ordered by [`Role::rank`], not by declaration:
/// variants travel by index in the binary wire, so new ones are appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Read its records.
    Read,
    /// Read and change its records.
    Write,
    /// Read and change its records, and decide who else may.
    Owner,
    /// A share's manager: reads and changes its records, and changes its recipients and name.
    Manage,
}

impl Role {
    /// Read < Write < Manage < Owner.
    pub fn rank(self) -> u8 {
        match self {
            Role::Read => 0,
            Role::Write => 1,
            Role::Manage => 2,
            Role::Owner => 3,
        }
    }

    /// Whether this role may change records.
    pub fn can_write(self) -> bool {
        self >= Role::Write
    }
}

impl PartialOrd for Role {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Role {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

/// One entry of an account's access feed: a container became readable (or its role changed),
/// or stopped being readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerAccess {
    /// The container.
    pub container_id: ContainerId,
    /// What it is.
    pub kind: ContainerKind,
    /// The account's role; `None` once access was taken away (forget the container's records).
    pub role: Option<Role>,
    /// The position of this entry in the account's access sequence.
    pub revision: i64,
}

/// How far a browser has pulled one container, or (in a reply) how far the server has stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The container.
    pub container_id: ContainerId,
    /// The revision.
    pub revision: i64,
}

/// `POST /api/vault/pull`: what the browser has seen.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PullRequest {
    /// The last entry of the access feed the browser has seen (0: none).
    #[serde(default)]
    pub access_since: i64,
    /// The last revision pulled, per container (at most [`MAX_PULL_CONTAINERS`]). A readable
    /// container that is not named is pulled from the start; a named container the account
    /// cannot read is ignored.
    #[serde(default)]
    pub cursors: Vec<Cursor>,
}

/// The records changed after the browser's cursors, in every container the account can read.
///
/// In JSON, every record names its container. In the binary wire the records are grouped by
/// container, which is named once per group (see `wire.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullResponse {
    /// The account's access feed after `access_since`, oldest first.
    pub access: Vec<ContainerAccess>,
    /// The newest entry of the account's access feed.
    pub access_head: i64,
    /// The newest revision of every container the account can read, when this page was read. A
    /// browser that has already seen a higher one is talking to a server that went back in
    /// time (restored from an old backup, or tampered with).
    pub heads: Vec<Cursor>,
    /// At most [`MAX_PULL_RECORDS`] records and about [`MAX_PULL_BYTES`] of sealed data (always
    /// at least one record when any remain), tombstones included, by container and then by
    /// increasing revision.
    pub records: Vec<VaultRecord>,
    /// Whether more records follow: pull again with the cursors moved to this page's records.
    pub more: bool,
    /// The newest checkpoint of each container the account can read that has one (absent
    /// from JSON pages of servers before checkpoints: none).
    pub checkpoints: Vec<Checkpoint>,
}

/// A key holder's statement of what a container held at one revision: a digest of the
/// container's items and folders (ids, kinds and versions), sealed with the container's key
/// and bound to the revision. The server keeps the newest per container and cannot make or
/// change one; a browser at that revision compares it with what it holds, and so learns when
/// the server hides records from it or serves a container as it was before newer writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The container.
    pub container_id: ContainerId,
    /// The revision it describes: the container's newest when it was stored.
    pub revision: i64,
    /// The sealed digest (at most [`MAX_CHECKPOINT_BYTES`]).
    pub sealed: Base64Bytes,
}

/// `POST /api/vault/checkpoints`: checkpoints a browser made of containers it holds all of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointRequest {
    /// At most one per container, each of a container the account can write.
    pub checkpoints: Vec<Checkpoint>,
}

/// The containers whose checkpoint was stored: those still at the revision the checkpoint
/// describes. The others moved on (or may not be written by the account); nothing is stored
/// for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointResponse {
    /// The containers whose checkpoint is now the one sent.
    pub stored: Vec<ContainerId>,
}

/// The data of a `changed` event on `GET /api/vault/events`: records the account can read
/// changed, or its access did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeNotice {
    /// The container that changed and its newest revision, when known; a browser that has
    /// pulled it this far can skip the pull. `None` (access changed, or the server missed
    /// notices): pull anyway.
    #[serde(default)]
    pub container: Option<Cursor>,
}

/// `POST /api/vault/rollbacks`: a browser found the server serving older data than it had seen
/// (restored from an old backup, or tampered with), so that the operator hears of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackReport {
    /// How many containers and records were older than seen, or missing.
    pub records: u32,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn roles_and_container_kinds_keep_their_wire_index_name_and_order() {
        for (role, index, name) in [
            (Role::Read, 0u8, "read"),
            (Role::Write, 1, "write"),
            (Role::Owner, 2, "owner"),
            (Role::Manage, 3, "manage"),
        ] {
            assert_eq!(postcard::to_allocvec(&role).unwrap(), vec![index]);
            assert_eq!(serde_json::to_value(role).unwrap(), name);
        }
        for (kind, index, name) in [
            (ContainerKind::Profile, 0u8, "profile"),
            (ContainerKind::Share, 1, "share"),
        ] {
            assert_eq!(postcard::to_allocvec(&kind).unwrap(), vec![index]);
            assert_eq!(serde_json::to_value(kind).unwrap(), name);
        }
        let mut roles = vec![Role::Owner, Role::Manage, Role::Read, Role::Write];
        roles.sort();
        assert_eq!(
            roles,
            vec![Role::Read, Role::Write, Role::Manage, Role::Owner]
        );
        assert!(!Role::Read.can_write());
        assert!(Role::Manage.can_write());
    }

    #[test]
    fn record_kinds_keep_their_wire_index_and_name() {
        for (kind, index, name) in [
            (RecordKind::Item, 0u8, "item"),
            (RecordKind::Folder, 1, "folder"),
            (RecordKind::History, 2, "history"),
            (RecordKind::Trust, 3, "trust"),
        ] {
            assert_eq!(postcard::to_allocvec(&kind).unwrap(), vec![index]);
            assert_eq!(serde_json::to_value(kind).unwrap(), name);
        }
    }

    #[test]
    fn refusal_codes_travel_by_name_and_an_unknown_one_reads_as_other_on_both_wires() {
        for (code, name) in RefusalCode::NAMES {
            assert_eq!(serde_json::to_value(code).unwrap(), name);
            let binary = postcard::to_allocvec(&code).unwrap();
            assert_eq!(postcard::from_bytes::<RefusalCode>(&binary).unwrap(), code);
            assert_eq!(
                serde_json::from_value::<RefusalCode>(name.into()).unwrap(),
                code
            );
        }
        // A refusal from a newer server, with a code this build does not know.
        let newer = ("a_code_from_the_future", 9_u8);
        let json = serde_json::json!("a_code_from_the_future");
        assert_eq!(
            serde_json::from_value::<RefusalCode>(json).unwrap(),
            RefusalCode::Other
        );
        let binary = postcard::to_allocvec(&newer.0).unwrap();
        assert_eq!(
            postcard::from_bytes::<RefusalCode>(&binary).unwrap(),
            RefusalCode::Other
        );
        let _ = newer.1;
    }

    #[test]
    fn a_tombstone_travels_with_its_mark_and_without_key_or_data_in_json_and_binary() {
        let record = VaultRecord {
            id: RecordId::new_v7(),
            kind: RecordKind::Item,
            container_id: ContainerId::new_v7(),
            parent_id: None,
            revision: 7,
            key: None,
            data: None,
            version: 3,
            mark: Some(Base64Bytes(vec![1, 2, 3])),
            updated_at: 0,
        };
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["kind"], "item");
        assert_eq!(json["version"], 3);
        assert!(json["data"].is_null() && json["key"].is_null());
        assert_eq!(serde_json::from_value::<VaultRecord>(json).unwrap(), record);
        let binary = postcard::to_allocvec(&record).unwrap();
        assert_eq!(
            postcard::from_bytes::<VaultRecord>(&binary).unwrap(),
            record
        );
    }

    #[test]
    fn a_pull_page_travels_in_binary_without_base64() {
        let data = vec![7u8; 500];
        let record = VaultRecord {
            id: RecordId::new_v7(),
            kind: RecordKind::Item,
            container_id: ContainerId::new_v7(),
            parent_id: None,
            revision: 9,
            key: Some(Base64Bytes(vec![1; WRAPPED_KEY_BYTES])),
            data: Some(Base64Bytes(data)),
            version: 2,
            mark: None,
            updated_at: 1_700_000_000,
        };
        let page = PullResponse {
            access: Vec::new(),
            access_head: 1,
            heads: vec![Cursor {
                container_id: record.container_id,
                revision: 9,
            }],
            records: vec![record],
            more: false,
            checkpoints: Vec::new(),
        };
        let binary = postcard::to_allocvec(&page).unwrap();
        assert_eq!(postcard::from_bytes::<PullResponse>(&binary).unwrap(), page);
        let json = serde_json::to_vec(&page).unwrap();
        assert_eq!(serde_json::from_slice::<PullResponse>(&json).unwrap(), page);
        // The sealed bytes as they are, plus ids and numbers: well under the JSON's base64.
        assert!(
            binary.len() < 500 + WRAPPED_KEY_BYTES + 80,
            "{}",
            binary.len()
        );
        assert!(json.len() > 500 * 4 / 3, "{}", json.len());
    }

    #[test]
    fn records_of_several_containers_keep_their_order_and_containers_in_binary() {
        let (a, b) = (ContainerId::new_v7(), ContainerId::new_v7());
        let record = |container_id, revision| VaultRecord {
            id: RecordId::new_v7(),
            kind: RecordKind::Folder,
            container_id,
            parent_id: None,
            revision,
            key: None,
            data: Some(Base64Bytes(vec![3; 40])),
            version: 1,
            mark: None,
            updated_at: 0,
        };
        let page = PullResponse {
            access: Vec::new(),
            access_head: 0,
            heads: Vec::new(),
            records: vec![record(a, 1), record(a, 2), record(b, 1), record(a, 3)],
            more: true,
            checkpoints: Vec::new(),
        };
        let binary = postcard::to_allocvec(&page).unwrap();
        assert_eq!(postcard::from_bytes::<PullResponse>(&binary).unwrap(), page);
    }

    #[test]
    fn a_record_from_before_versions_reads_as_version_0() {
        let json = serde_json::json!({
            "id": RecordId::new_v7(), "kind": "folder", "container_id": ContainerId::new_v7(),
            "revision": 4, "data": "AAAA", "updated_at": 0
        });
        let record: VaultRecord = serde_json::from_value(json).unwrap();
        assert_eq!((record.version, record.mark), (0, None));
    }
}
