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
//!   key; a folder of the old profile is left behind (folders belong to one profile).
//! - An item stays in the trash for [`TRASH_DAYS`] days; opening the vault purges it after
//!   that, with its history.

use shared_types::vault::{RecordKind, VaultRecord};
use shared_types::{FolderId, ProfileId, RecordId};
use wasm_crypto::SymmetricKey;

use super::index::ItemSummary;
use super::model::{HistoryData, HistoryReason, ItemData};
use super::store::{Batch, Place, from_bytes, history_prefix, item_key, local_record};
use super::{ProfileState, Result, VaultError, VaultSession, seal};
use crate::cache::{Cache, Store};

/// Days an item stays in the trash before it is purged.
pub const TRASH_DAYS: i64 = 30;
pub(super) const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// An item opened for viewing or editing.
#[derive(Clone)]
pub struct OpenedItem {
    /// Its id.
    pub id: RecordId,
    /// Its profile.
    pub profile: ProfileId,
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
    async fn load_item(&self, id: RecordId) -> Result<(VaultRecord, SymmetricKey, ItemData)> {
        let record = self
            .stored(&item_key(id))
            .await?
            .ok_or(VaultError::Missing)?;
        let key = self.key_of(record.container_id)?;
        let (item_key, data) = seal::open_item(key, &record)?;
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
            profile: self
                .profile_in(record.container_id)
                .ok_or(VaultError::Missing)?,
            data,
            pending,
        })
    }

    /// Saves an item: a new one when `id` is `None`, else a new version of it (the replaced
    /// content is kept in its history). `profile` may differ from the item's profile: the item
    /// then moves there and its key is wrapped again under that profile's key.
    pub async fn save_item(
        &self,
        id: Option<RecordId>,
        profile: ProfileId,
        data: ItemData,
        now_ms: i64,
    ) -> Result<RecordId> {
        self.save_version(id, profile, data, HistoryReason::Edit, now_ms)
            .await
    }

    /// [`Self::save_item`], keeping the replaced content in the history for `reason`.
    async fn save_version(
        &self,
        id: Option<RecordId>,
        profile: ProfileId,
        data: ItemData,
        reason: HistoryReason,
        now_ms: i64,
    ) -> Result<RecordId> {
        let mut batch = Batch::new();
        let (id, summary) = self
            .stage_item(&mut batch, id, profile, data, reason, now_ms)
            .await?;
        self.update_index(&mut batch.writes, |profiles| {
            place_in_index(profiles, id, profile, summary)
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
        profile: ProfileId,
        mut data: ItemData,
        reason: HistoryReason,
        now_ms: i64,
    ) -> Result<(RecordId, ItemSummary)> {
        if data.title.trim().is_empty() {
            return Err(VaultError::Invalid("Give the item a title.".to_owned()));
        }
        let profile_key = self.key_of(profile)?;
        data.title = data.title.trim().to_owned();
        data.modified_at = now_ms;
        let (id, item_key, held, base) = match id {
            None => (
                RecordId::new_v7(),
                wasm_crypto::make_symmetric_key(),
                None,
                None,
            ),
            Some(id) => {
                let (record, item_key, old) = self.load_item(id).await?;
                let base = self.pending_base(id, record.revision).await?;
                if content_differs(&old, &data) {
                    self.keep_version(batch, &item_key, &record, old, reason, now_ms)?;
                }
                (id, item_key, Some(record), base)
            }
        };
        let old_profile = held.as_ref().map(|r| r.container_id);
        let version = held.as_ref().map_or(1, |r| r.version + 1);
        if old_profile != Some(profile.into()) {
            // Folders belong to one profile.
            let in_target = data.folder.is_some_and(|f| {
                self.inner
                    .profiles
                    .borrow()
                    .iter()
                    .any(|p| p.id == profile && p.index.folders.contains_key(&RecordId(f.0)))
            });
            if !in_target {
                data.folder = None;
            }
        }
        let sealed = seal::seal_item(profile_key, profile, id, &item_key, &data, version)?;
        let place = Place {
            id,
            kind: RecordKind::Item,
            container_id: profile.into(),
            parent_id: None,
        };
        let mut record = local_record(place, sealed.key, sealed.data, version, now_ms);
        if let Some(held) = held.filter(|h| h.container_id != record.container_id) {
            // Moving: the container it leaves keeps a deletion, sealed here. The server still
            // has it where the first waiting move found it, so that move's mark stays.
            let waiting = self.waiting_change(id).await?;
            record.mark = match waiting.and_then(|c| c.mark) {
                Some(mark) => Some(mark),
                None => Some(self.deletion_mark(&held, held.container_id)?.sealed),
            };
        }
        batch.record(&record, base)?;
        Ok((id, ItemSummary::of(&data, version)))
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
        self.save_item(Some(id), opened.profile, data, now_ms)
            .await?;
        Ok(())
    }

    /// Moves an item to the trash.
    pub async fn trash_item(&self, id: RecordId, now_ms: i64) -> Result<()> {
        self.edit_item(id, now_ms, |d| d.trashed_at = Some(now_ms))
            .await
    }

    /// Brings an item back from the trash (to the top of its profile if its folder is gone).
    pub async fn restore_item(&self, id: RecordId, now_ms: i64) -> Result<()> {
        let profile = self.profile_of(id).ok_or(VaultError::Missing)?;
        let folders: Vec<FolderId> = self
            .folders()
            .into_iter()
            .filter(|f| f.profile == profile)
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

    /// Puts an item into `folder` of its profile (`None`: the top).
    pub async fn move_to_folder(
        &self,
        id: RecordId,
        folder: Option<FolderId>,
        now_ms: i64,
    ) -> Result<()> {
        self.edit_item(id, now_ms, |d| d.folder = folder).await
    }

    /// Moves an item to another profile, into `folder` there.
    pub async fn move_to_profile(
        &self,
        id: RecordId,
        profile: ProfileId,
        folder: Option<FolderId>,
        now_ms: i64,
    ) -> Result<()> {
        let opened = self.item(id).await?;
        let mut data = opened.data.clone();
        data.folder = folder;
        self.save_item(Some(id), profile, data, now_ms).await?;
        Ok(())
    }

    /// Deletes an item for good, with its history.
    pub async fn purge_item(&self, id: RecordId) -> Result<()> {
        let record = self
            .stored(&item_key(id))
            .await?
            .ok_or(VaultError::Missing)?;
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
            .profiles
            .borrow()
            .iter()
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
            opened.profile,
            data,
            HistoryReason::Restore,
            now_ms,
        )
        .await?;
        Ok(())
    }
}

/// Puts an item's entry into `profile`'s index and out of any other; returns the profiles touched.
pub(super) fn place_in_index(
    profiles: &mut [ProfileState],
    id: RecordId,
    profile: ProfileId,
    summary: ItemSummary,
) -> Vec<ProfileId> {
    let mut touched = vec![profile];
    for p in profiles.iter_mut() {
        if p.id == profile {
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
