//! Folder changes: create, rename, move and delete.
//!
//! Invariants:
//! - A folder belongs to one container, and its parent is a folder of the same container.
//! - A viewer of a shared folder changes none of its folders.
//! - A folder never moves into itself or into a folder inside it ([`VaultError::FolderCycle`]).
//! - Deleting a folder deletes the folders inside it and sends their items to the trash, in one
//!   transaction with one index write, so no item is left in a folder that is gone.

use shared_types::vault::{RecordKind, VaultRecord};
use shared_types::{ContainerId, FolderId, RecordId};

use super::index::FolderEntry;
use super::items::place_in_index;
use super::model::{FolderData, HistoryReason};
use super::store::{Batch, Place, folder_key, local_record};
use super::{Result, VaultError, VaultSession, seal};
use crate::cache::Cache;

impl<C: Cache> VaultSession<C> {
    /// Creates a folder in `container` (a profile or a shared folder), inside `parent`.
    pub async fn create_folder(
        &self,
        container: ContainerId,
        name: &str,
        parent: Option<FolderId>,
        now_ms: i64,
    ) -> Result<FolderId> {
        let id = RecordId::new_v7();
        let folder = FolderData {
            name: name.to_owned(),
            parent,
        };
        self.write_folder(id, container, folder, None, 1, now_ms)
            .await?;
        Ok(FolderId(id.0))
    }

    async fn write_folder(
        &self,
        id: RecordId,
        container: ContainerId,
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
        self.may_change(container)?;
        let data = seal::seal_folder(&*self.key_of(container)?, container, id, &folder, version)?;
        let place = Place {
            id,
            kind: RecordKind::Folder,
            container_id: container,
            parent_id: None,
        };
        let record = local_record(place, None, data, version, now_ms);
        let mut batch = Batch::new();
        batch.record(&record, base)?;
        let entry = FolderEntry::of(&folder, version);
        self.update_index(&mut batch.writes, |containers| {
            for p in containers.iter_mut().filter(|p| p.id == container) {
                p.index.folders.insert(id, entry.clone());
            }
            vec![container]
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
        let folder = self
            .open_in(record.container_id, |key| seal::open_folder(key, &record))
            .ok_or(VaultError::Missing)??;
        let base = self.pending_base(rid, record.revision).await?;
        Ok((record, folder, base))
    }

    /// Renames a folder.
    pub async fn rename_folder(&self, id: FolderId, name: &str, now_ms: i64) -> Result<()> {
        let (record, folder, base) = self.folder_record(id).await?;
        let profile = record.container_id;
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

    /// Moves a folder inside `parent` of the same container (`None`: the top).
    pub async fn move_folder(
        &self,
        id: FolderId,
        parent: Option<FolderId>,
        now_ms: i64,
    ) -> Result<()> {
        let (record, folder, base) = self.folder_record(id).await?;
        let profile = record.container_id;
        if let Some(parent) = parent {
            let profiles = self.inner.containers.borrow();
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

    /// Moves a folder, the folders inside it and their items (those not in the trash) to the top
    /// of another container, in one transaction: the folders are made again there (new records)
    /// and deleted here, and the items move (with new keys when a shared folder is either side).
    /// Returns the folder's id there.
    pub async fn move_folder_to_container(
        &self,
        id: FolderId,
        target: ContainerId,
        now_ms: i64,
    ) -> Result<FolderId> {
        let source = self
            .container_of(RecordId(id.0))
            .ok_or(VaultError::Missing)?;
        self.may_change(source)?;
        self.may_change(target)?;
        if source == target {
            return Ok(id);
        }
        let (folders, items) = {
            let containers = self.inner.containers.borrow();
            let index = &containers
                .iter()
                .find(|p| p.id == source)
                .ok_or(VaultError::Missing)?
                .index;
            let moved = index.subtree(id);
            let folders: Vec<(FolderId, FolderEntry)> = (moved.iter())
                .filter_map(|f| Some((*f, index.folders.get(&RecordId(f.0))?.clone())))
                .collect();
            let items: Vec<RecordId> = (index.items.iter())
                .filter(|(_, s)| s.trashed_at.is_none())
                .filter(|(_, s)| s.folder.is_some_and(|f| moved.contains(&f)))
                .map(|(id, _)| *id)
                .collect();
            (folders, items)
        };
        let renamed: std::collections::BTreeMap<FolderId, FolderId> = (folders.iter())
            .map(|(old, _)| (*old, FolderId(RecordId::new_v7().0)))
            .collect();
        let key = self.key_of(target)?;
        let mut batch = Batch::new();
        let mut entries = Vec::new();
        for (old, entry) in &folders {
            let new = RecordId(renamed[old].0);
            let folder = FolderData {
                name: entry.name.clone(),
                parent: if *old == id {
                    None
                } else {
                    entry.parent.and_then(|p| renamed.get(&p).copied())
                },
            };
            let data = seal::seal_folder(&key, target, new, &folder, 1)?;
            let place = Place {
                id: new,
                kind: RecordKind::Folder,
                container_id: target,
                parent_id: None,
            };
            batch.record(&local_record(place, None, data, 1, now_ms), None)?;
            entries.push((new, FolderEntry::of(&folder, 1)));
        }
        // The new folders are listed first, so the items' folders are found in the target.
        self.update_index(&mut batch.writes, |containers| {
            for p in containers.iter_mut().filter(|p| p.id == target) {
                p.index.folders.extend(entries.clone());
            }
            vec![target]
        })?;
        let mut moved = Vec::new();
        for item in items {
            let loaded = self.load_item(item).await?;
            let mut data = loaded.2.clone();
            data.folder = data.folder.and_then(|f| renamed.get(&f).copied());
            let staged = self
                .stage_loaded(
                    &mut batch,
                    Some(loaded),
                    target,
                    data,
                    HistoryReason::Edit,
                    now_ms,
                )
                .await?;
            moved.push(staged);
        }
        for (old, _) in &folders {
            let (record, _, base) = self.folder_record(*old).await?;
            let mark = self.deletion_mark(&record, record.container_id)?;
            batch.delete(&record, base, mark)?;
        }
        self.update_index(&mut batch.writes, |containers| {
            for (item, summary) in moved {
                place_in_index(containers, item, target, summary);
            }
            for p in containers.iter_mut().filter(|p| p.id == source) {
                for (old, _) in &folders {
                    p.index.folders.remove(&RecordId(old.0));
                }
            }
            vec![source, target]
        })?;
        self.inner.cache.write(batch.writes).await?;
        Ok(renamed[&id])
    }

    /// Deletes a folder and the folders inside it; their items go to the trash.
    pub async fn delete_folder(&self, id: FolderId, now_ms: i64) -> Result<()> {
        let profile = self
            .container_of(RecordId(id.0))
            .ok_or(VaultError::Missing)?;
        self.may_change(profile)?;
        let (doomed, items): (Vec<FolderId>, Vec<RecordId>) = {
            let profiles = self.inner.containers.borrow();
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
