//! Folder changes: create, rename, move and delete.
//!
//! Invariants:
//! - A folder belongs to one profile, and its parent is a folder of the same profile.
//! - A folder never moves into itself or into a folder inside it ([`VaultError::FolderCycle`]).
//! - Deleting a folder deletes the folders inside it and sends their items to the trash, in one
//!   transaction with one index write, so no item is left in a folder that is gone.

use shared_types::vault::{RecordKind, VaultRecord};
use shared_types::{FolderId, ProfileId, RecordId};

use super::index::FolderEntry;
use super::items::place_in_index;
use super::model::{FolderData, HistoryReason};
use super::store::{Batch, Place, folder_key, local_record};
use super::{Result, VaultError, VaultSession, seal};
use crate::cache::Cache;

impl<C: Cache> VaultSession<C> {
    /// Creates a folder in `profile`, inside `parent`.
    pub async fn create_folder(
        &self,
        profile: ProfileId,
        name: &str,
        parent: Option<FolderId>,
        now_ms: i64,
    ) -> Result<FolderId> {
        let id = RecordId::new_v7();
        let folder = FolderData {
            name: name.to_owned(),
            parent,
        };
        self.write_folder(id, profile, folder, None, 1, now_ms)
            .await?;
        Ok(FolderId(id.0))
    }

    async fn write_folder(
        &self,
        id: RecordId,
        profile: ProfileId,
        folder: FolderData,
        base: Option<i64>,
        version: i64,
        now_ms: i64,
    ) -> Result<()> {
        let name = folder.name.trim();
        if name.is_empty() {
            return Err(VaultError::Invalid("Give the folder a name.".to_owned()));
        }
        let folder = FolderData {
            name: name.to_owned(),
            parent: folder.parent,
        };
        let data = seal::seal_folder(self.key_of(profile)?, profile, id, &folder, version)?;
        let place = Place {
            id,
            kind: RecordKind::Folder,
            container_id: profile.into(),
            parent_id: None,
        };
        let record = local_record(place, None, data, version, now_ms);
        let mut batch = Batch::new();
        batch.record(&record, base)?;
        let entry = FolderEntry::of(&folder, version);
        self.update_index(&mut batch.writes, |profiles| {
            for p in profiles.iter_mut().filter(|p| p.id == profile) {
                p.index.folders.insert(id, entry.clone());
            }
            vec![profile]
        })?;
        self.inner.cache.write(batch.writes).await?;
        Ok(())
    }

    async fn folder_record(&self, id: FolderId) -> Result<(VaultRecord, FolderData, Option<i64>)> {
        let rid = RecordId(id.0);
        let record = self
            .stored(&folder_key(rid))
            .await?
            .ok_or(VaultError::Missing)?;
        let folder = seal::open_folder(self.key_of(record.container_id)?, &record)?;
        let base = self.pending_base(rid, record.revision).await?;
        Ok((record, folder, base))
    }

    /// Renames a folder.
    pub async fn rename_folder(&self, id: FolderId, name: &str, now_ms: i64) -> Result<()> {
        let (record, folder, base) = self.folder_record(id).await?;
        let profile = self
            .profile_in(record.container_id)
            .ok_or(VaultError::Missing)?;
        let renamed = FolderData {
            name: name.to_owned(),
            parent: folder.parent,
        };
        self.write_folder(
            record.id,
            profile,
            renamed,
            base,
            record.version + 1,
            now_ms,
        )
        .await
    }

    /// Moves a folder inside `parent` of the same profile (`None`: the top).
    pub async fn move_folder(
        &self,
        id: FolderId,
        parent: Option<FolderId>,
        now_ms: i64,
    ) -> Result<()> {
        let (record, folder, base) = self.folder_record(id).await?;
        let profile = self
            .profile_in(record.container_id)
            .ok_or(VaultError::Missing)?;
        if let Some(parent) = parent {
            let profiles = self.inner.profiles.borrow();
            let index = &profiles
                .iter()
                .find(|p| p.id == profile)
                .ok_or(VaultError::Missing)?
                .index;
            if !index.folders.contains_key(&RecordId(parent.0)) {
                return Err(VaultError::Missing);
            }
            if index.is_within(parent, id) {
                return Err(VaultError::FolderCycle);
            }
        }
        let moved = FolderData {
            name: folder.name.clone(),
            parent,
        };
        self.write_folder(record.id, profile, moved, base, record.version + 1, now_ms)
            .await
    }

    /// Deletes a folder and the folders inside it; their items go to the trash.
    pub async fn delete_folder(&self, id: FolderId, now_ms: i64) -> Result<()> {
        let profile = self.profile_of(RecordId(id.0)).ok_or(VaultError::Missing)?;
        let (doomed, items): (Vec<FolderId>, Vec<RecordId>) = {
            let profiles = self.inner.profiles.borrow();
            let index = &profiles
                .iter()
                .find(|p| p.id == profile)
                .ok_or(VaultError::Missing)?
                .index;
            let doomed = index.subtree(id);
            let items = index
                .items
                .iter()
                .filter(|(_, s)| s.folder.is_some_and(|f| doomed.contains(&f)))
                .map(|(id, _)| *id)
                .collect();
            (doomed, items)
        };
        // The items go to the trash and the folders away in one transaction, one index write.
        let mut batch = Batch::new();
        let mut trashed = Vec::new();
        for item in items {
            let mut data = self.item(item).await?.data;
            data.folder = None;
            data.trashed_at = data.trashed_at.or(Some(now_ms));
            trashed.push(
                self.stage_item(
                    &mut batch,
                    Some(item),
                    profile,
                    data,
                    HistoryReason::Edit,
                    now_ms,
                )
                .await?,
            );
        }
        for folder in &doomed {
            let (record, _, base) = self.folder_record(*folder).await?;
            let mark = self.deletion_mark(&record, record.container_id)?;
            batch.delete(&record, base, mark)?;
        }
        self.update_index(&mut batch.writes, |profiles| {
            for (item, summary) in trashed {
                place_in_index(profiles, item, profile, summary);
            }
            for p in profiles.iter_mut().filter(|p| p.id == profile) {
                for folder in &doomed {
                    p.index.folders.remove(&RecordId(folder.0));
                }
            }
            vec![profile]
        })?;
        self.inner.cache.write(batch.writes).await?;
        Ok(())
    }
}
