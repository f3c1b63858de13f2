//! Items: opening, saving, the trash, favourites, moves between folders and profiles, purging,
//! and past versions.
//!
//! Invariants:
//! - A save that changes what a version records ([`content_differs`]) keeps the replaced
//!   content as a history record sealed under the item's own key; where the item is, whether
//!   it is starred and whether it is in the trash are not part of a version.
//! - An item's record, the version it replaces, their outbox entries and the index are written
//!   in one transaction.
//! - An item moved to another profile keeps its own key, wrapped again under that profile's
//!   key; a folder of the old container is left behind (folders belong to one container).
//! - An item moved into a shared folder, out of one or between two gets a new item key, and its
//!   past versions are sealed again under it in the new container (the old ones are deleted
//!   with a mark): the share's readers never hold a key that opens what was written before it
//!   arrived, and those who could read the share before cannot read what is written after.
//! - Nothing is written into a shared folder, or moved out of one, by a viewer.
//! - An item stays in the trash for [`TRASH_DAYS`] days; opening the vault purges it after
//!   that, with its history.

use shared_types::vault::{RecordKind, VaultRecord};
use shared_types::{ContainerId, FolderId, RecordId};
use wasm_crypto::SymmetricKey;

use super::index::ItemSummary;
use super::listing::Area;
use super::model::{HistoryData, HistoryReason, ItemData};
use super::store::{Batch, Place, from_bytes, history_prefix, item_key, local_record};
use super::{ContainerState, Result, VaultError, VaultSession, seal};
use crate::cache::{Cache, Store};

/// Days an item stays in the trash before it is purged.
pub const TRASH_DAYS: i64 = 30;
pub(super) const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// An item opened for viewing or editing.
#[derive(Clone)]
pub struct OpenedItem {
    /// Its id.
    pub id: RecordId,
    /// Its container (a profile or a shared folder).
    pub container: ContainerId,
    /// Its content.
    pub data: ItemData,
    /// Whether a change to it is waiting to be sent.
    pub pending: bool,
}

/// A past version of an item.
#[derive(Clone)]
pub struct PastVersion {
    /// The version's id.
    pub id: RecordId,
    /// Its content and why it was kept.
    pub history: HistoryData,
}

impl<C: Cache> VaultSession<C> {
    pub(super) async fn load_item(
        &self,
        id: RecordId,
    ) -> Result<(VaultRecord, SymmetricKey, ItemData)> {
        let record = self
            .stored(&item_key(id))
            .await?
            .ok_or(VaultError::Missing)?;
        let (item_key, data) = self
            .open_in(record.container_id, |key| seal::open_item(key, &record))
            .ok_or(VaultError::Missing)??;
        Ok((record, item_key, data))
    }

    /// Opens one item.
    pub async fn item(&self, id: RecordId) -> Result<OpenedItem> {
        let (record, _, data) = self.load_item(id).await?;
        let pending = self
            .inner
            .cache
            .get(Store::Outbox, &id.to_string())
            .await?
            .is_some();
        Ok(OpenedItem {
            id,
            container: record.container_id,
            data,
            pending,
        })
    }

    /// Saves an item: a new one when `id` is `None`, else a new version of it (the replaced
    /// content is kept in its history). `container` may differ from the item's: the item then
    /// moves there (see the module's invariants for its key).
    pub async fn save_item(
        &self,
        id: Option<RecordId>,
        container: ContainerId,
        data: ItemData,
        now_ms: i64,
    ) -> Result<RecordId> {
        self.save_version(id, container, data, HistoryReason::Edit, now_ms)
            .await
    }

    /// [`Self::save_item`], keeping the replaced content in the history for `reason`.
    async fn save_version(
        &self,
        id: Option<RecordId>,
        container: ContainerId,
        data: ItemData,
        reason: HistoryReason,
        now_ms: i64,
    ) -> Result<RecordId> {
        let mut batch = Batch::new();
        let (id, summary) = self
            .stage_item(&mut batch, id, container, data, reason, now_ms)
            .await?;
        self.update_index(&mut batch.writes, |containers| {
            place_in_index(containers, id, container, summary)
        })?;
        self.inner.cache.write(batch.writes).await?;
        Ok(id)
    }

    /// Seals an item's new content into `batch` (with the replaced content kept for `reason`)
    /// and returns what its index entry becomes; the caller updates the index and writes.
    pub(super) async fn stage_item(
        &self,
        batch: &mut Batch,
        id: Option<RecordId>,
        container: ContainerId,
        data: ItemData,
        reason: HistoryReason,
        now_ms: i64,
    ) -> Result<(RecordId, ItemSummary)> {
        let loaded = match id {
            Some(id) => Some(self.load_item(id).await?),
            None => None,
        };
        self.stage_loaded(batch, loaded, container, data, reason, now_ms)
            .await
    }

    /// [`Self::stage_item`] for an item already read here (`None`: a new item).
    pub(super) async fn stage_loaded(
        &self,
        batch: &mut Batch,
        loaded: Option<(VaultRecord, SymmetricKey, ItemData)>,
        container: ContainerId,
        mut data: ItemData,
        reason: HistoryReason,
        now_ms: i64,
    ) -> Result<(RecordId, ItemSummary)> {
        if data.title.trim().is_empty() {
            return Err(VaultError::Invalid("Give the item a title.".to_owned()));
        }
        self.may_change(container)?;
        let container_key = self.key_of(container)?;
        data.title = data.title.trim().to_owned();
        data.modified_at = now_ms;
        let (id, item_key, held, base, waiting) = match loaded {
            None => (
                RecordId::new_v7(),
                wasm_crypto::make_symmetric_key(),
                None,
                None,
                None,
            ),
            Some((record, mut item_key, old)) => {
                let id = record.id;
                // One read of the waiting change: the base it keeps, and a move's mark.
                let waiting = self.waiting_change(id).await?;
                let base = match &waiting {
                    Some(change) => change.base_revision,
                    None => (record.revision > 0).then_some(record.revision),
                };
                if record.container_id != container {
                    self.may_change(record.container_id)?;
                }
                if record.container_id != container
                    && (self.is_shared(record.container_id) || self.is_shared(container))
                {
                    item_key = self
                        .rekey_history(batch, &record, &item_key, container, now_ms)
                        .await?;
                }
                if content_differs(&old, &data) {
                    let mut at = record.clone();
                    at.container_id = container;
                    self.keep_version(batch, &item_key, &at, old, reason, now_ms)?;
                }
                (id, item_key, Some(record), base, waiting)
            }
        };
        let old_container = held.as_ref().map(|r| r.container_id);
        let version = held.as_ref().map_or(1, |r| r.version + 1);
        if old_container != Some(container) {
            // Folders belong to one container.
            let in_target = data.folder.is_some_and(|f| {
                self.inner
                    .containers
                    .borrow()
                    .iter()
                    .any(|p| p.id == container && p.index.folders.contains_key(&RecordId(f.0)))
            });
            if !in_target {
                data.folder = None;
            }
        }
        let sealed = seal::seal_item(&container_key, container, id, &item_key, &data, version)?;
        let place = Place {
            id,
            kind: RecordKind::Item,
            container_id: container,
            parent_id: None,
        };
        let mut record = local_record(place, sealed.key, sealed.data, version, now_ms);
        if let Some(held) = held.filter(|h| h.container_id != record.container_id) {
            // Moving: the container it leaves keeps a deletion, sealed here. The server still
            // has it where the first waiting move found it, so that move's mark stays.
            record.mark = match waiting.and_then(|c| c.mark) {
                Some(mark) => Some(mark),
                None => Some(self.deletion_mark(&held, held.container_id)?.sealed),
            };
        }
        batch.record(&record, base)?;
        Ok((id, ItemSummary::of(&data, version)))
    }

    /// Whether `container` is a shared folder.
    fn is_shared(&self, container: ContainerId) -> bool {
        matches!(self.area(container), Some(Area::Shared(_)))
    }

    /// Refuses a change to a shared folder this account may only view.
    pub(super) fn may_change(&self, container: ContainerId) -> Result<()> {
        match self.area(container) {
            Some(area) if !area.can_edit() => Err(VaultError::Invalid(
                shared_types::push_rules::READ_ONLY.to_owned(),
            )),
            Some(_) => Ok(()),
            None => Err(VaultError::Missing),
        }
    }

    /// For an item moving between containers when a shared folder is either: a new item key,
    /// with every past version sealed again under it in `target` (new records) and the old ones
    /// deleted with a mark. Returns the new key.
    pub(super) async fn rekey_history(
        &self,
        batch: &mut Batch,
        item: &VaultRecord,
        old_key: &SymmetricKey,
        target: ContainerId,
        now_ms: i64,
    ) -> Result<SymmetricKey> {
        let new_key = wasm_crypto::make_symmetric_key();
        let mut moved = item.clone();
        moved.container_id = target;
        for (_, bytes) in self
            .inner
            .cache
            .get_prefix(Store::Records, &history_prefix(item.id))
            .await?
        {
            let past: VaultRecord = from_bytes(&bytes)?;
            let base = self.pending_base(past.id, past.revision).await?;
            let mark = self.deletion_mark(&past, past.container_id)?;
            if let Ok(history) = seal::open_history(old_key, &past) {
                let again = RecordId::new_v7();
                let data = seal::seal_history(&new_key, item.id, again, &history, 1)?;
                let place = Place {
                    id: again,
                    kind: RecordKind::History,
                    container_id: target,
                    parent_id: Some(item.id),
                };
                batch.record(&local_record(place, None, data, 1, now_ms), None)?;
            }
            batch.delete(&past, base, mark)?;
        }
        Ok(new_key)
    }

    pub(super) fn keep_version(
        &self,
        batch: &mut Batch,
        item_key: &SymmetricKey,
        item: &VaultRecord,
        content: ItemData,
        reason: HistoryReason,
        now_ms: i64,
    ) -> Result<()> {
        let past = RecordId::new_v7();
        let history = HistoryData {
            item: content,
            replaced_at: now_ms,
            reason,
        };
        // A past version never changes: it is sealed once, as version 1.
        let data = seal::seal_history(item_key, item.id, past, &history, 1)?;
        let place = Place {
            id: past,
            kind: RecordKind::History,
            container_id: item.container_id,
            parent_id: Some(item.id),
        };
        batch.record(&local_record(place, None, data, 1, now_ms), None)
    }

    /// Changes one item with `edit` and saves it (a version is kept when its content changed).
    async fn edit_item(
        &self,
        id: RecordId,
        now_ms: i64,
        edit: impl FnOnce(&mut ItemData),
    ) -> Result<()> {
        let opened = self.item(id).await?;
        let mut data = opened.data.clone();
        edit(&mut data);
        self.save_item(Some(id), opened.container, data, now_ms)
            .await?;
        Ok(())
    }

    /// Moves an item to the trash.
    pub async fn trash_item(&self, id: RecordId, now_ms: i64) -> Result<()> {
        self.edit_item(id, now_ms, |d| d.trashed_at = Some(now_ms))
            .await
    }

    /// Brings an item back from the trash (to the top of its container if its folder is gone).
    pub async fn restore_item(&self, id: RecordId, now_ms: i64) -> Result<()> {
        let container = self.container_of(id).ok_or(VaultError::Missing)?;
        let folders: Vec<FolderId> = self
            .folders()
            .into_iter()
            .filter(|f| f.container == container)
            .map(|f| f.id)
            .collect();
        self.edit_item(id, now_ms, |d| {
            d.trashed_at = None;
            if d.folder.is_some_and(|f| !folders.contains(&f)) {
                d.folder = None;
            }
        })
        .await
    }

    /// Stars or unstars an item.
    pub async fn set_favourite(&self, id: RecordId, favourite: bool, now_ms: i64) -> Result<()> {
        self.edit_item(id, now_ms, |d| d.favourite = favourite)
            .await
    }

    /// Puts an item into `folder` of its container (`None`: the top).
    pub async fn move_to_folder(
        &self,
        id: RecordId,
        folder: Option<FolderId>,
        now_ms: i64,
    ) -> Result<()> {
        self.edit_item(id, now_ms, |d| d.folder = folder).await
    }

    /// Moves an item to another profile or shared folder, into `folder` there.
    pub async fn move_to_container(
        &self,
        id: RecordId,
        container: ContainerId,
        folder: Option<FolderId>,
        now_ms: i64,
    ) -> Result<()> {
        let opened = self.item(id).await?;
        let mut data = opened.data.clone();
        data.folder = folder;
        self.save_item(Some(id), container, data, now_ms).await?;
        Ok(())
    }

    /// Deletes an item for good, with its history.
    pub async fn purge_item(&self, id: RecordId) -> Result<()> {
        let record = self
            .stored(&item_key(id))
            .await?
            .ok_or(VaultError::Missing)?;
        self.may_change(record.container_id)?;
        let mut batch = Batch::new();
        for (_, bytes) in self
            .inner
            .cache
            .get_prefix(Store::Records, &history_prefix(id))
            .await?
        {
            let past: VaultRecord = from_bytes(&bytes)?;
            let base = self.pending_base(past.id, past.revision).await?;
            let mark = self.deletion_mark(&past, past.container_id)?;
            batch.delete(&past, base, mark)?;
        }
        let base = self.pending_base(id, record.revision).await?;
        let mark = self.deletion_mark(&record, record.container_id)?;
        batch.delete(&record, base, mark)?;
        self.update_index(&mut batch.writes, |profiles| {
            profiles
                .iter_mut()
                .filter_map(|p| p.index.items.remove(&id).map(|_| p.id))
                .collect()
        })?;
        self.inner.cache.write(batch.writes).await?;
        Ok(())
    }

    pub(super) async fn purge_expired_trash(&self, now_ms: i64) -> Result<()> {
        let expired: Vec<RecordId> = self
            .inner
            .containers
            .borrow()
            .iter()
            .filter(|c| c.area.can_edit())
            .flat_map(|p| p.index.items.iter())
            .filter(|(_, s)| {
                s.trashed_at
                    .is_some_and(|t| now_ms - t > TRASH_DAYS * DAY_MS)
            })
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            self.purge_item(id).await?;
        }
        Ok(())
    }

    /// The item's past versions, newest first. A version that cannot be opened is left out.
    pub async fn history(&self, id: RecordId) -> Result<Vec<PastVersion>> {
        let (_, item_key, _) = self.load_item(id).await?;
        let mut versions: Vec<PastVersion> = self
            .inner
            .cache
            .get_prefix(Store::Records, &history_prefix(id))
            .await?
            .into_iter()
            .filter_map(|(_, bytes)| from_bytes::<VaultRecord>(&bytes).ok())
            .filter_map(|record| {
                seal::open_history(&item_key, &record)
                    .ok()
                    .map(|history| PastVersion {
                        id: record.id,
                        history,
                    })
            })
            .collect();
        versions.sort_by_key(|v| std::cmp::Reverse(v.history.replaced_at));
        Ok(versions)
    }

    /// Makes a past version current again (what it replaces is kept in the history too).
    pub async fn restore_version(
        &self,
        id: RecordId,
        version: RecordId,
        now_ms: i64,
    ) -> Result<()> {
        let chosen = self
            .history(id)
            .await?
            .into_iter()
            .find(|v| v.id == version)
            .ok_or(VaultError::Missing)?;
        let opened = self.item(id).await?;
        let mut data = chosen.history.item.clone();
        // Where the item is and whether it is starred are not part of a version.
        data.folder = opened.data.folder;
        data.favourite = opened.data.favourite;
        data.trashed_at = opened.data.trashed_at;
        self.save_version(
            Some(id),
            opened.container,
            data,
            HistoryReason::Restore,
            now_ms,
        )
        .await?;
        Ok(())
    }
}

/// Puts an item's entry into `container`'s index and out of any other; returns the containers
/// touched.
pub(super) fn place_in_index(
    containers: &mut [ContainerState],
    id: RecordId,
    container: ContainerId,
    summary: ItemSummary,
) -> Vec<ContainerId> {
    let mut touched = vec![container];
    for p in containers.iter_mut() {
        if p.id == container {
            p.index.items.insert(id, summary.clone());
        } else if p.index.items.remove(&id).is_some() {
            touched.push(p.id);
        }
    }
    touched
}

/// Whether two versions of an item differ in what a version records (not in where the item is,
/// whether it is starred or in the trash).
pub(super) fn content_differs(old: &ItemData, new: &ItemData) -> bool {
    old.kind != new.kind
        || old.title != new.title
        || old.urls != new.urls
        || old.fields != new.fields
        || old.notes != new.notes
        || old.custom != new.custom
        || old.tags != new.tags
}
