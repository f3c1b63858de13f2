//! The local store's layout: where each record, waiting change and piece of sync state is kept
//! in this browser, and the few reads and write batches the rest of the vault goes through.
//!
//! Invariants:
//! - Records are kept by local key: `i:{item}`, `f:{folder}`, `h:{item}:{version}` (so an item's
//!   past versions are one key range) and `t:{record}` for a tombstone.
//! - The outbox holds at most one change per record, by record id. A record changed here is
//!   stored with revision 0, so its outbox entry is what keeps the revision the first unsent
//!   change was based on: the server compares that one to find a conflict, however many edits
//!   were made here since.
//! - A changed record and its outbox entry are always written together ([`Batch`]).
//! - Every key the vault keeps in Meta is named here, so signing out
//!   ([`forget_local_vault`]) wipes them all.

use std::collections::BTreeMap;

use shared_types::vault::{RecordChange, RecordKind, VaultRecord};
use shared_types::{Base64Bytes, ChangeId, ContainerId, RecordId};

use super::{Result, VaultSession};
use crate::cache::{Cache, CacheError, Store, Write};

/// How far this browser has pulled each container and the access feed ([`super::pull::Cursors`]).
pub(super) const CURSORS: &str = "vault:cursors";
/// The one revision the release before containers kept for the whole account.
pub(super) const OLD_PULLED_REVISION: &str = "vault:pulled_revision";
/// Changes the server refused, by change id, with its reason.
/// They stay in the outbox, shown in red, and are not sent again until edited.
pub(super) const REFUSED: &str = "vault:refused";
/// The last time the server was found serving older data than this browser had seen.
pub(super) const ROLLBACK: &str = "vault:rollback";

/// A change for `record` as it is stored here, on top of `base`: a new change id.
pub(super) fn change_of(record: &VaultRecord, base: Option<i64>) -> RecordChange {
    RecordChange {
        change_id: ChangeId::new_v7(),
        id: record.id,
        kind: record.kind,
        container_id: record.container_id,
        parent_id: record.parent_id,
        base_revision: base,
        key: record.key.clone(),
        data: record.data.clone(),
        version: record.version,
        mark: record.mark.clone(),
    }
}

pub(super) fn item_key(id: RecordId) -> String {
    format!("i:{id}")
}
pub(super) fn folder_key(id: RecordId) -> String {
    format!("f:{id}")
}
/// The key prefixes of records listed in an index: items, folders and trust records.
pub(super) const INDEXED_PREFIXES: [&str; 3] = ["i:", "f:", "c:"];
/// The key prefixes of every record content kept here (the indexed ones and past versions).
pub(super) const CONTENT_PREFIXES: [&str; 4] = ["i:", "f:", "h:", "c:"];
/// [`CONTENT_PREFIXES`] and the tombstones of records deleted on the server.
pub(super) const ALL_PREFIXES: [&str; 5] = ["i:", "f:", "h:", "c:", "t:"];

/// Where a trust record is kept (`c:` for contact; `t:` is taken by tombstones).
pub(super) fn trust_key(id: RecordId) -> String {
    format!("c:{id}")
}
pub(super) fn history_prefix(item: RecordId) -> String {
    format!("h:{item}:")
}
/// Where the tombstone of a record deleted on the server is kept: its revision is what a
/// server that goes back in time and serves the record alive again is caught by.
pub(super) fn tombstone_key(id: RecordId) -> String {
    format!("t:{id}")
}
pub(super) fn local_key(record: &VaultRecord) -> String {
    local_key_of(record.kind, record.id, record.parent_id)
}
pub(super) fn local_key_of(kind: RecordKind, id: RecordId, parent: Option<RecordId>) -> String {
    match (kind, parent) {
        (RecordKind::Item, _) => item_key(id),
        (RecordKind::Folder, _) => folder_key(id),
        (RecordKind::History, Some(item)) => format!("{}{}", history_prefix(item), id),
        (RecordKind::History, None) => format!("h:-:{id}"),
        (RecordKind::Trust, _) => trust_key(id),
    }
}

/// Where a record made in this browser goes and what it is.
pub(super) struct Place {
    pub(super) id: RecordId,
    pub(super) kind: RecordKind,
    pub(super) container_id: ContainerId,
    pub(super) parent_id: Option<RecordId>,
}

/// Version `version` of a record made in this browser, not yet on the server (revision 0).
pub(super) fn local_record(
    place: Place,
    key: Option<Base64Bytes>,
    data: Base64Bytes,
    version: i64,
    now_ms: i64,
) -> VaultRecord {
    VaultRecord {
        id: place.id,
        kind: place.kind,
        container_id: place.container_id,
        parent_id: place.parent_id,
        revision: 0,
        key,
        data: Some(data),
        version,
        mark: None,
        updated_at: now_ms / 1000,
    }
}

pub(super) fn corrupt(e: impl std::fmt::Display) -> CacheError {
    CacheError::Corrupt(e.to_string())
}
pub(super) fn to_bytes(value: &impl serde::Serialize) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec(value).map_err(corrupt)?)
}
pub(super) fn from_bytes<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    Ok(serde_json::from_slice(bytes).map_err(corrupt)?)
}

/// Builds the writes for one changed record: the record, and its outbox entry (which keeps the
/// revision the first unsent change was based on).
pub(super) struct Batch {
    pub(super) writes: Vec<Write>,
}

impl Batch {
    pub(super) fn new() -> Self {
        Self { writes: Vec::new() }
    }

    pub(super) fn record(&mut self, record: &VaultRecord, base: Option<i64>) -> Result<()> {
        self.writes.push(Write::Put(
            Store::Records,
            local_key(record),
            to_bytes(record)?,
        ));
        self.writes.push(Write::Put(
            Store::Outbox,
            record.id.to_string(),
            to_bytes(&change_of(record, base))?,
        ));
        Ok(())
    }

    /// Deletes `record` here and, when the server has it, queues its deletion with `mark`
    /// ([`VaultSession::deletion_mark`]).
    pub(super) fn delete(
        &mut self,
        record: &VaultRecord,
        base: Option<i64>,
        mark: Mark,
    ) -> Result<()> {
        self.writes
            .push(Write::Delete(Store::Records, local_key(record)));
        match base {
            // Never on the server: forgetting it here is enough.
            None => self
                .writes
                .push(Write::Delete(Store::Outbox, record.id.to_string())),
            Some(_) => {
                let change = deletion_of(record, base, mark);
                self.writes.push(Write::Put(
                    Store::Outbox,
                    record.id.to_string(),
                    to_bytes(&change)?,
                ));
            }
        }
        Ok(())
    }
}

/// A deletion mark and the version it deletes at.
pub(super) struct Mark {
    pub(super) version: i64,
    pub(super) sealed: Base64Bytes,
}

/// The deletion of `record`, on top of `base`, with its mark: a new change id.
pub(super) fn deletion_of(record: &VaultRecord, base: Option<i64>, mark: Mark) -> RecordChange {
    RecordChange {
        key: None,
        data: None,
        version: mark.version,
        mark: Some(mark.sealed),
        ..change_of(record, base)
    }
}

impl<C: Cache> VaultSession<C> {
    /// The mark that deletes `record` from `container` (its own, or the one it leaves), one
    /// version above it, sealed with the container's key.
    pub(super) fn deletion_mark(
        &self,
        record: &VaultRecord,
        container: ContainerId,
    ) -> Result<Mark> {
        let version = record.version + 1;
        let key = self.key_of(container)?;
        let sealed = super::seal::seal_mark(&key, record.kind, record.id, container, version)?;
        Ok(Mark { version, sealed })
    }

    /// The change waiting to be sent for `id`, if any.
    pub(super) async fn waiting_change(&self, id: RecordId) -> Result<Option<RecordChange>> {
        match self.inner.cache.get(Store::Outbox, &id.to_string()).await? {
            Some(bytes) => Ok(Some(from_bytes(&bytes)?)),
            None => Ok(None),
        }
    }

    pub(super) async fn stored(&self, key: &str) -> Result<Option<VaultRecord>> {
        match self.inner.cache.get(Store::Records, key).await? {
            Some(bytes) => Ok(Some(from_bytes(&bytes)?)),
            None => Ok(None),
        }
    }

    /// The records stored here under `keys`, in the same order, read together.
    pub(super) async fn stored_many(&self, keys: &[String]) -> Result<Vec<Option<VaultRecord>>> {
        self.inner
            .cache
            .get_many(Store::Records, keys)
            .await?
            .into_iter()
            .map(|bytes| bytes.map(|b| from_bytes(&b)).transpose())
            .collect()
    }

    pub(super) async fn pending_base(
        &self,
        id: RecordId,
        stored_revision: i64,
    ) -> Result<Option<i64>> {
        Ok(
            match self.inner.cache.get(Store::Outbox, &id.to_string()).await? {
                Some(bytes) => from_bytes::<RecordChange>(&bytes)?.base_revision,
                None => (stored_revision > 0).then_some(stored_revision),
            },
        )
    }

    /// The records with a change waiting to be sent.
    pub async fn pending_ids(&self) -> Result<std::collections::BTreeSet<RecordId>> {
        Ok(self
            .inner
            .cache
            .keys(Store::Outbox)
            .await?
            .iter()
            .filter_map(|k| k.parse().ok())
            .collect())
    }

    /// Every waiting change, by record, read in one go.
    pub(super) async fn outbox(&self) -> Result<BTreeMap<RecordId, RecordChange>> {
        let mut out = BTreeMap::new();
        for (_, bytes) in self.inner.cache.get_prefix(Store::Outbox, "").await? {
            let change: RecordChange = from_bytes(&bytes)?;
            out.insert(change.id, change);
        }
        Ok(out)
    }

    /// How many changes wait to be sent.
    pub async fn pending_count(&self) -> Result<usize> {
        Ok(self.inner.cache.keys(Store::Outbox).await?.len())
    }
}

/// Wipes this browser's copy of the vault (on sign-out).
pub async fn forget_local_vault(cache: &impl Cache) -> Result<(), CacheError> {
    let mut writes = vec![
        Write::Clear(Store::Records),
        Write::Clear(Store::Outbox),
        Write::Clear(Store::Index),
        Write::Clear(Store::Sharing),
    ];
    for key in [CURSORS, OLD_PULLED_REVISION, REFUSED, ROLLBACK] {
        writes.push(Write::Delete(Store::Meta, key.to_owned()));
    }
    cache.write(writes).await
}
