//! This browser's index of a profile: for every item what the list and the search need (title,
//! subtitle, URLs, tags, folder, flags), and every folder. Sealed under the profile key in
//! IndexedDB and never sent anywhere, so opening a vault of 10,000 items opens one blob per
//! profile instead of 10,000 records; an item itself is opened only when it is shown.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shared_types::{FolderId, RecordId};

use super::model::{FolderData, ItemData, ItemKind};
use crate::services::sharing::trust::TrustData;

/// What the list shows of an item.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemSummary {
    /// Its kind (`None`: the record could not be opened).
    pub kind: Option<ItemKind>,
    /// Its title.
    pub title: String,
    /// The line under the title.
    pub subtitle: String,
    /// Its web addresses.
    #[serde(default)]
    pub urls: Vec<String>,
    /// Its tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Its folder.
    #[serde(default)]
    pub folder: Option<FolderId>,
    /// Starred.
    #[serde(default)]
    pub favourite: bool,
    /// When it went to the trash (ms).
    #[serde(default)]
    pub trashed_at: Option<i64>,
    /// When it last changed (ms).
    pub modified_at: i64,
    /// Whether it has a main secret to copy.
    #[serde(default)]
    pub has_secret: bool,
    /// The version of the record it was made from (a checkpoint lists it).
    pub version: i64,
}

impl ItemSummary {
    /// The summary of version `version` of an opened item.
    pub fn of(item: &ItemData, version: i64) -> Self {
        Self {
            version,
            kind: Some(item.kind),
            title: item.title.clone(),
            subtitle: item.subtitle(),
            urls: item.urls.clone(),
            tags: item.tags.clone(),
            folder: item.folder,
            favourite: item.favourite,
            trashed_at: item.trashed_at,
            modified_at: item.modified_at,
            has_secret: item
                .kind
                .main_secret_key()
                .is_some_and(|k| !item.field(k).is_empty()),
        }
    }

    /// The entry of a record that does not open: listed, so the person knows it is there.
    pub fn damaged(version: i64) -> Self {
        Self {
            version,
            kind: None,
            title: "Damaged item".to_owned(),
            subtitle: "This record cannot be opened".to_owned(),
            urls: Vec::new(),
            tags: Vec::new(),
            folder: None,
            favourite: false,
            trashed_at: None,
            modified_at: 0,
            has_secret: false,
        }
    }
}

/// A folder in the index.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct FolderEntry {
    /// Its name.
    pub name: String,
    /// Its parent.
    pub parent: Option<FolderId>,
    /// The version of the record it was made from (a checkpoint lists it).
    pub version: i64,
}

impl FolderEntry {
    /// The entry of version `version` of an opened folder.
    pub fn of(folder: &FolderData, version: i64) -> Self {
        Self {
            name: folder.name.clone(),
            parent: folder.parent,
            version,
        }
    }
}

/// A trust record in the index (only the Personal profile has them).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustEntry {
    /// What it says (`None`: the record could not be opened, or was written by a newer version
    /// of the app; it is kept as it is).
    pub data: Option<TrustData>,
    /// The version of the record it was made from (a checkpoint lists it).
    pub version: i64,
}

/// A profile's index.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileIndex {
    /// Every item, by id.
    pub items: BTreeMap<RecordId, ItemSummary>,
    /// Every folder, by id.
    pub folders: BTreeMap<RecordId, FolderEntry>,
    /// Every trust record, by id.
    pub trust: BTreeMap<RecordId, TrustEntry>,
}

impl ProfileIndex {
    /// Removes record `id` (of whichever kind); whether it was listed.
    pub fn remove(&mut self, id: &RecordId) -> bool {
        self.items.remove(id).is_some()
            | self.folders.remove(id).is_some()
            | self.trust.remove(id).is_some()
    }

    /// Moves every entry of `other` into this index.
    pub fn append(&mut self, other: &mut ProfileIndex) {
        self.items.append(&mut other.items);
        self.folders.append(&mut other.folders);
        self.trust.append(&mut other.trust);
    }

    /// How many records it lists.
    pub fn len(&self) -> usize {
        self.items.len() + self.folders.len() + self.trust.len()
    }

    /// Whether it lists nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The folder's path from the top, e.g. `Clients / Acme / Servers`.
    pub fn folder_path(&self, folder: FolderId) -> String {
        self.folder_names(folder).join(" / ")
    }

    /// The names of the folders from the top down to `folder`.
    pub fn folder_names(&self, folder: FolderId) -> Vec<&str> {
        let mut names = Vec::new();
        let mut next = Some(folder);
        // A cycle (from a damaged or hostile record) must not hang the app.
        while let Some(id) = next {
            if names.len() > self.folders.len() {
                break;
            }
            match self.folders.get(&RecordId(id.0)) {
                Some(entry) => {
                    names.push(entry.name.as_str());
                    next = entry.parent;
                }
                None => break,
            }
        }
        names.reverse();
        names
    }

    /// Whether `folder` is `ancestor` or inside it.
    pub fn is_within(&self, folder: FolderId, ancestor: FolderId) -> bool {
        let mut next = Some(folder);
        let mut steps = 0;
        while let Some(id) = next {
            if id == ancestor {
                return true;
            }
            steps += 1;
            if steps > self.folders.len() {
                return false;
            }
            next = self
                .folders
                .get(&RecordId(id.0))
                .and_then(|entry| entry.parent);
        }
        false
    }

    /// `folder` and every folder inside it.
    pub fn subtree(&self, folder: FolderId) -> Vec<FolderId> {
        self.folders
            .keys()
            .map(|id| FolderId(id.0))
            .filter(|id| self.is_within(*id, folder))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn paths_and_subtrees_follow_parents_and_survive_cycles() {
        let mut index = ProfileIndex::default();
        let (a, b, c) = (RecordId::new_v7(), RecordId::new_v7(), RecordId::new_v7());
        let f = |id: RecordId| FolderId(id.0);
        for (id, name, parent) in [(a, "A", None), (b, "B", Some(f(a))), (c, "C", Some(f(b)))] {
            index.folders.insert(
                id,
                FolderEntry {
                    name: name.into(),
                    parent,
                    version: 1,
                },
            );
        }
        assert_eq!(index.folder_path(f(c)), "A / B / C");
        assert!(index.is_within(f(c), f(a)));
        assert!(!index.is_within(f(a), f(c)));
        let mut sub = index.subtree(f(b));
        sub.sort();
        let mut expected = vec![f(b), f(c)];
        expected.sort();
        assert_eq!(sub, expected);
        // A hostile cycle A -> C -> B -> A terminates.
        index.folders.get_mut(&a).unwrap().parent = Some(f(c));
        assert!(!index.folder_path(f(c)).is_empty());
        assert!(index.is_within(f(a), f(b)));
    }
}
