//! The open vault: a [`VaultSession`] exists only while the vault is unlocked and owns every
//! decrypted value (the profiles' indexes); dropping it on lock drops them.
//!
//! Offline first: every change is sealed and written to IndexedDB together with its entry in the
//! outbox and the updated index, in one transaction, before anything is sent. [`VaultSession::sync`]
//! then pushes the outbox and pulls what changed on the server; a change the server has not
//! accepted stays in the outbox across reloads and is sent on the next sync.
//!
//! Records: an item is one record sealed under its own key; every edit keeps the replaced
//! content as a past version (a history record under the same item key); deleting moves an item
//! to the trash, where it stays for [`TRASH_DAYS`] days before it is purged (the item and its
//! history become tombstones).

pub mod import;
pub mod index;
pub mod model;
mod pull;
mod push;
pub mod remote;
pub mod seal;
pub mod totp;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use shared_types::account::ProfileKind;
use shared_types::vault::{RecordChange, RecordKind, VaultRecord};
use shared_types::{ChangeId, ContainerId, FolderId, ProfileId, RecordId};
use wasm_crypto::SymmetricKey;

use crate::api::ApiError;
use crate::cache::{Cache, CacheError, Store, Write};
use crate::services::keys::VaultKeys;
use index::{FolderEntry, ItemSummary, ProfileIndex};
use model::{FolderData, HistoryData, HistoryReason, ItemData};
use remote::Remote;
use seal::SealError;

/// Days an item stays in the trash before it is purged.
pub const TRASH_DAYS: i64 = 30;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// How far this browser has pulled each container and the access feed ([`pull::Cursors`]).
const CURSORS: &str = "vault:cursors";
/// The one revision the release before containers kept for the whole account.
const OLD_PULLED_REVISION: &str = "vault:pulled_revision";
/// Changes the server refused, by change id, with its reason.
/// They stay in the outbox, shown in red, and are not sent again until edited.
const REFUSED: &str = "vault:refused";
/// The last time the server was found serving older data than this browser had seen.
const ROLLBACK: &str = "vault:rollback";

/// Why a vault action failed; every message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// Sealing or opening failed.
    #[error("{0}")]
    Seal(#[from] SealError),
    /// This browser's storage failed.
    #[error("{0}")]
    Cache(#[from] CacheError),
    /// The server refused or could not be reached.
    #[error("{0}")]
    Api(#[from] ApiError),
    /// The item or folder is not in this vault (any more).
    #[error("This item or folder no longer exists. It may have been deleted in another browser.")]
    Missing,
    /// A folder cannot go inside itself.
    #[error("A folder cannot be moved into itself or into one of its own folders.")]
    FolderCycle,
    /// A title or name is required.
    #[error("{0}")]
    Invalid(String),
}

type Result<T, E = VaultError> = std::result::Result<T, E>;

/// One profile, opened.
struct ProfileState {
    id: ProfileId,
    kind: ProfileKind,
    index: ProfileIndex,
}

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

/// A row of the item list.
#[derive(Clone, PartialEq)]
pub struct Row {
    /// The item.
    pub id: RecordId,
    /// Its profile.
    pub profile: ProfileId,
    /// Which profile that is.
    pub profile_kind: ProfileKind,
    /// What the list shows.
    pub summary: ItemSummary,
    /// The folder path ("" at the top).
    pub folder_path: String,
}

/// A folder in the sidebar tree, in display order.
#[derive(Clone, PartialEq)]
pub struct FolderNode {
    /// The folder.
    pub id: FolderId,
    /// Its profile.
    pub profile: ProfileId,
    /// Its name.
    pub name: String,
    /// Its parent.
    pub parent: Option<FolderId>,
    /// How deep it is (0 at the top).
    pub depth: usize,
    /// Its full path.
    pub path: String,
}

/// Which items the list shows.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Scope {
    /// Every item not in the trash, in both profiles.
    #[default]
    All,
    /// Starred items.
    Favourites,
    /// One profile.
    Profile(ProfileId),
    /// One folder and the folders inside it.
    Folder(ProfileId, FolderId),
    /// The trash.
    Trash,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Changes the server accepted.
    pub sent: usize,
    /// Records received.
    pub received: usize,
    /// Changes that met another browser's change; both versions were kept.
    pub conflicts: usize,
    /// Changes still waiting to be sent.
    pub pending: usize,
    /// Changes the server refused as invalid (kept here, shown in red).
    pub refused: usize,
    /// Records the server served older than this browser had already seen; ours were kept
    /// and sent again.
    pub rolled_back: usize,
}

/// The server was found serving older data than this browser had already seen: restored from
/// an old backup, or tampered with. Kept until the person dismisses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RollbackNotice {
    /// When it was last seen (ms).
    pub at_ms: i64,
    /// How many records were older than seen, or missing (counting the whole vault as one
    /// when it was behind).
    pub records: usize,
}

/// A change for `record` as it is stored here, on top of `base`: a new change id.
fn change_of(record: &VaultRecord, base: Option<i64>) -> RecordChange {
    RecordChange {
        change_id: ChangeId::new_v7(),
        id: record.id,
        kind: record.kind,
        container_id: record.container_id,
        parent_id: record.parent_id,
        base_revision: base,
        key: record.key.clone(),
        data: record.data.clone(),
    }
}

fn item_key(id: RecordId) -> String {
    format!("i:{id}")
}
fn folder_key(id: RecordId) -> String {
    format!("f:{id}")
}
fn history_prefix(item: RecordId) -> String {
    format!("h:{item}:")
}
/// Where the tombstone of a record deleted on the server is kept: its revision is what a
/// server that goes back in time and serves the record alive again is caught by.
fn tombstone_key(id: RecordId) -> String {
    format!("t:{id}")
}
fn local_key(record: &VaultRecord) -> String {
    local_key_of(record.kind, record.id, record.parent_id)
}
fn local_key_of(kind: RecordKind, id: RecordId, parent: Option<RecordId>) -> String {
    match (kind, parent) {
        (RecordKind::Item, _) => item_key(id),
        (RecordKind::Folder, _) => folder_key(id),
        (RecordKind::History, Some(item)) => format!("{}{}", history_prefix(item), id),
        (RecordKind::History, None) => format!("h:-:{id}"),
    }
}

/// A record made in this browser, not yet on the server (revision 0).
fn local_record(
    id: RecordId,
    kind: RecordKind,
    container_id: ContainerId,
    parent_id: Option<RecordId>,
    key: Option<shared_types::Base64Bytes>,
    data: shared_types::Base64Bytes,
    now_ms: i64,
) -> VaultRecord {
    VaultRecord {
        id,
        kind,
        container_id,
        parent_id,
        revision: 0,
        key,
        data: Some(data),
        updated_at: now_ms / 1000,
    }
}

fn corrupt(e: impl std::fmt::Display) -> CacheError {
    CacheError::Corrupt(e.to_string())
}
fn to_bytes(value: &impl serde::Serialize) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec(value).map_err(corrupt)?)
}
fn from_bytes<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    Ok(serde_json::from_slice(bytes).map_err(corrupt)?)
}

/// Builds the writes for one changed record: the record, and its outbox entry (which keeps the
/// revision the first unsent change was based on).
struct Batch {
    writes: Vec<Write>,
}

impl Batch {
    fn new() -> Self {
        Self { writes: Vec::new() }
    }

    fn record(&mut self, record: &VaultRecord, base: Option<i64>) -> Result<()> {
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

    fn delete(&mut self, record: &VaultRecord, base: Option<i64>) -> Result<()> {
        self.writes
            .push(Write::Delete(Store::Records, local_key(record)));
        match base {
            // Never on the server: forgetting it here is enough.
            None => self
                .writes
                .push(Write::Delete(Store::Outbox, record.id.to_string())),
            Some(_) => {
                let change = RecordChange {
                    key: None,
                    data: None,
                    ..change_of(record, base)
                };
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

struct Inner<C> {
    cache: C,
    api: Box<dyn Remote>,
    /// How far this browser has pulled (also in Meta), to skip pulls a notice does not need.
    pulled: RefCell<pull::Cursors>,
    keys: Arc<VaultKeys>,
    profiles: RefCell<Vec<ProfileState>>,
    /// Lower-cased search text and sort key per item, built on first use after a change.
    search: RefCell<Option<Rc<BTreeMap<RecordId, SearchText>>>>,
}

/// What search and sorting compare for an item, lower-cased once.
struct SearchText {
    /// The title, for sorting.
    sort: String,
    /// Title, subtitle, folder path, URLs and tags.
    haystack: String,
}

/// The unlocked vault. Cheap to clone (clones share one state).
pub struct VaultSession<C> {
    inner: Rc<Inner<C>>,
}

impl<C> Clone for VaultSession<C> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<C: Cache> VaultSession<C> {
    /// Opens the vault kept in this browser: one sealed index per profile (rebuilt from the
    /// records when missing, damaged or out of step), then purges trash older than
    /// [`TRASH_DAYS`].
    pub async fn open(
        cache: C,
        api: impl Remote + 'static,
        keys: Arc<VaultKeys>,
        now_ms: i64,
    ) -> Result<Self> {
        let profile_ids: Vec<ProfileId> = keys.profiles.iter().map(|(id, _, _)| *id).collect();
        let pulled = pull::Cursors::load(&cache, &profile_ids).await?;
        let mut profiles = Vec::new();
        let mut readable = true;
        for (id, kind, key) in &keys.profiles {
            let stored = cache.get(Store::Index, &id.to_string()).await?;
            let index = match stored.map(|b| seal::open_index(key, *id, b)) {
                Some(Ok(index)) => index,
                // None yet (a new vault), or unreadable: rebuilt from the records below.
                _ => {
                    readable = false;
                    ProfileIndex::default()
                }
            };
            profiles.push(ProfileState {
                id: *id,
                kind: *kind,
                index,
            });
        }
        let session = Self {
            inner: Rc::new(Inner {
                cache,
                api: Box::new(api),
                pulled: RefCell::new(pulled),
                keys,
                profiles: RefCell::new(profiles),
                search: RefCell::new(None),
            }),
        };
        if !readable {
            session.rebuild_indexes().await?;
        }
        session.purge_expired_trash(now_ms).await?;
        Ok(session)
    }

    /// Checks that the indexes list exactly the items and folders stored here (another tab, or
    /// a write cut short, may have left them out of step) and rebuilds them if not. Not on the
    /// way to the list: [`Self::sync`] runs it first.
    pub async fn verify_index(&self) -> Result<bool> {
        let record_keys = self.inner.cache.keys(Store::Records).await?;
        if self.index_matches(&record_keys) {
            return Ok(true);
        }
        self.rebuild_indexes().await?;
        Ok(false)
    }

    /// Whether the indexes list exactly the items and folders stored here.
    fn index_matches(&self, record_keys: &[String]) -> bool {
        let profiles = self.inner.profiles.borrow();
        let mut indexed: Vec<String> = profiles
            .iter()
            .flat_map(|p| {
                p.index
                    .items
                    .keys()
                    .map(|id| item_key(*id))
                    .chain(p.index.folders.keys().map(|id| folder_key(*id)))
            })
            .collect();
        indexed.sort();
        let mut stored: Vec<&String> = record_keys
            .iter()
            .filter(|k| k.starts_with("i:") || k.starts_with("f:"))
            .collect();
        stored.sort();
        indexed.len() == stored.len() && indexed.iter().zip(stored).all(|(a, b)| a == b)
    }

    /// Opens every item and folder record and writes fresh indexes.
    async fn rebuild_indexes(&self) -> Result<()> {
        let mut fresh: BTreeMap<ProfileId, ProfileIndex> = BTreeMap::new();
        for prefix in ["i:", "f:"] {
            for (_, bytes) in self.inner.cache.get_prefix(Store::Records, prefix).await? {
                let Ok(record) = from_bytes::<VaultRecord>(&bytes) else {
                    continue;
                };
                self.index_record(&mut fresh, &record);
            }
        }
        let mut writes = Vec::new();
        self.inner.search.replace(None);
        {
            let mut profiles = self.inner.profiles.borrow_mut();
            for p in profiles.iter_mut() {
                p.index = fresh.remove(&p.id).unwrap_or_default();
                writes.push(self.index_write(p)?);
            }
        }
        self.inner.cache.write(writes).await?;
        Ok(())
    }

    fn index_record(&self, indexes: &mut BTreeMap<ProfileId, ProfileIndex>, record: &VaultRecord) {
        let (Some(profile), Some(key)) = (
            self.profile_in(record.container_id),
            self.profile_key(record.container_id),
        ) else {
            return;
        };
        let index = indexes.entry(profile).or_default();
        match record.kind {
            RecordKind::Item => {
                let summary = match seal::open_item(key, record) {
                    Ok((_, item)) => ItemSummary::of(&item),
                    Err(_) => ItemSummary::damaged(),
                };
                index.items.insert(record.id, summary);
            }
            RecordKind::Folder => {
                let entry = match seal::open_folder(key, record) {
                    Ok(folder) => FolderEntry::of(&folder),
                    Err(_) => FolderEntry {
                        name: "Damaged folder".to_owned(),
                        parent: None,
                    },
                };
                index.folders.insert(record.id, entry);
            }
            RecordKind::History => {}
        }
    }

    fn index_write(&self, profile: &ProfileState) -> Result<Write> {
        let key = self.profile_key(profile.id).ok_or(VaultError::Missing)?;
        let sealed = seal::seal_index(key, profile.id, &profile.index)?;
        Ok(Write::Put(Store::Index, profile.id.to_string(), sealed))
    }

    /// The key of a container this browser holds the key of (one of the account's profiles).
    fn profile_key(&self, container: impl Into<ContainerId>) -> Option<&SymmetricKey> {
        let container = container.into();
        self.inner
            .keys
            .profiles
            .iter()
            .find(|(id, _, _)| ContainerId::from(*id) == container)
            .map(|(_, _, key)| key)
    }

    /// The profile a container is, when it is one of the account's profiles.
    fn profile_in(&self, container: ContainerId) -> Option<ProfileId> {
        self.inner
            .keys
            .profiles
            .iter()
            .map(|(id, _, _)| *id)
            .find(|id| ContainerId::from(*id) == container)
    }

    fn key_of(&self, container: impl Into<ContainerId>) -> Result<&SymmetricKey> {
        self.profile_key(container).ok_or(VaultError::Missing)
    }

    /// The profiles, Personal first.
    pub fn profiles(&self) -> Vec<(ProfileId, ProfileKind)> {
        let mut list: Vec<_> = self
            .inner
            .profiles
            .borrow()
            .iter()
            .map(|p| (p.id, p.kind))
            .collect();
        list.sort_by_key(|(_, kind)| *kind != ProfileKind::Personal);
        list
    }

    /// The profile an item or folder is in.
    pub fn profile_of(&self, id: RecordId) -> Option<ProfileId> {
        self.inner
            .profiles
            .borrow()
            .iter()
            .find(|p| p.index.items.contains_key(&id) || p.index.folders.contains_key(&id))
            .map(|p| p.id)
    }

    /// Every folder of every profile, as a tree in display order.
    pub fn folders(&self) -> Vec<FolderNode> {
        let profiles = self.inner.profiles.borrow();
        let mut out = Vec::new();
        for p in profiles.iter() {
            let mut children: BTreeMap<Option<FolderId>, Vec<(String, FolderId)>> = BTreeMap::new();
            for (id, entry) in &p.index.folders {
                // A folder whose parent is gone shows at the top.
                let parent = entry
                    .parent
                    .filter(|parent| p.index.folders.contains_key(&RecordId(parent.0)));
                children
                    .entry(parent)
                    .or_default()
                    .push((entry.name.to_lowercase(), FolderId(id.0)));
            }
            for list in children.values_mut() {
                list.sort();
            }
            let mut stack: Vec<(FolderId, usize)> = children
                .get(&None)
                .map(|l| l.iter().rev().map(|(_, id)| (*id, 0)).collect())
                .unwrap_or_default();
            let mut seen = std::collections::BTreeSet::new();
            while let Some((id, depth)) = stack.pop() {
                if !seen.insert(id) {
                    continue;
                }
                let Some(entry) = p.index.folders.get(&RecordId(id.0)) else {
                    continue;
                };
                out.push(FolderNode {
                    id,
                    profile: p.id,
                    name: entry.name.clone(),
                    parent: entry.parent,
                    depth,
                    path: p.index.folder_path(id),
                });
                if let Some(kids) = children.get(&Some(id)) {
                    stack.extend(kids.iter().rev().map(|(_, kid)| (*kid, depth + 1)));
                }
            }
        }
        out
    }

    fn search_texts(&self) -> Rc<BTreeMap<RecordId, SearchText>> {
        if let Some(texts) = self.inner.search.borrow().as_ref() {
            return texts.clone();
        }
        let profiles = self.inner.profiles.borrow();
        let mut texts = BTreeMap::new();
        for p in profiles.iter() {
            let paths: BTreeMap<RecordId, String> = p
                .index
                .folders
                .keys()
                .map(|id| (*id, p.index.folder_path(FolderId(id.0))))
                .collect();
            for (id, s) in &p.index.items {
                let mut haystack = String::with_capacity(64);
                for part in [&s.title, &s.subtitle]
                    .into_iter()
                    .chain(s.folder.and_then(|f| paths.get(&RecordId(f.0))))
                    .chain(s.urls.iter())
                    .chain(s.tags.iter())
                {
                    haystack.push_str(&part.to_lowercase());
                    haystack.push('\u{1}');
                }
                let sort = s.title.to_lowercase();
                texts.insert(*id, SearchText { sort, haystack });
            }
        }
        let texts = Rc::new(texts);
        self.inner.search.replace(Some(texts.clone()));
        texts
    }

    /// Where `folder` may move: the folders of its profile that are not it or inside it.
    pub fn folder_destinations(&self, folder: FolderId) -> Vec<FolderNode> {
        let profiles = self.inner.profiles.borrow();
        let Some(p) = profiles
            .iter()
            .find(|p| p.index.folders.contains_key(&RecordId(folder.0)))
        else {
            return Vec::new();
        };
        let profile = p.id;
        let inside = p.index.subtree(folder);
        drop(profiles);
        self.folders()
            .into_iter()
            .filter(|f| f.profile == profile && !inside.contains(&f.id))
            .collect()
    }

    /// The rows in `scope` matching `query` (every word, over title, URLs, username, tags and
    /// folder path), favourites first, then by title.
    pub fn rows(&self, scope: &Scope, query: &str) -> Vec<Row> {
        let texts = self.search_texts();
        let profiles = self.inner.profiles.borrow();
        let terms: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        let mut found: Vec<(bool, &str, RecordId, Row)> = Vec::new();
        for p in profiles.iter() {
            let folder_filter = match scope {
                Scope::Profile(id) | Scope::Folder(id, _) if *id != p.id => continue,
                Scope::Folder(_, folder) => Some(p.index.subtree(*folder)),
                _ => None,
            };
            let mut paths: BTreeMap<FolderId, String> = BTreeMap::new();
            for (id, s) in &p.index.items {
                let in_scope = match scope {
                    Scope::Trash => s.trashed_at.is_some(),
                    _ if s.trashed_at.is_some() => false,
                    Scope::Favourites => s.favourite,
                    _ => folder_filter
                        .as_ref()
                        .is_none_or(|folders| s.folder.is_some_and(|f| folders.contains(&f))),
                };
                let Some(text) = texts.get(id) else {
                    continue;
                };
                if !in_scope || !terms.iter().all(|t| text.haystack.contains(t.as_str())) {
                    continue;
                }
                let folder_path = s
                    .folder
                    .map(|f| {
                        paths
                            .entry(f)
                            .or_insert_with(|| p.index.folder_path(f))
                            .clone()
                    })
                    .unwrap_or_default();
                found.push((
                    !s.favourite,
                    text.sort.as_str(),
                    *id,
                    Row {
                        id: *id,
                        profile: p.id,
                        profile_kind: p.kind,
                        summary: s.clone(),
                        folder_path,
                    },
                ));
            }
        }
        found.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        found.into_iter().map(|(_, _, _, row)| row).collect()
    }

    async fn stored(&self, key: &str) -> Result<Option<VaultRecord>> {
        match self.inner.cache.get(Store::Records, key).await? {
            Some(bytes) => Ok(Some(from_bytes(&bytes)?)),
            None => Ok(None),
        }
    }

    /// The records stored here under `keys`, in the same order, read together.
    async fn stored_many(&self, keys: &[String]) -> Result<Vec<Option<VaultRecord>>> {
        self.inner
            .cache
            .get_many(Store::Records, keys)
            .await?
            .into_iter()
            .map(|bytes| bytes.map(|b| from_bytes(&b)).transpose())
            .collect()
    }

    async fn pending_base(&self, id: RecordId, stored_revision: i64) -> Result<Option<i64>> {
        Ok(
            match self.inner.cache.get(Store::Outbox, &id.to_string()).await? {
                Some(bytes) => from_bytes::<RecordChange>(&bytes)?.base_revision,
                None => (stored_revision > 0).then_some(stored_revision),
            },
        )
    }

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

    fn update_index(
        &self,
        writes: &mut Vec<Write>,
        change: impl FnOnce(&mut Vec<ProfileState>) -> Vec<ProfileId>,
    ) -> Result<()> {
        self.inner.search.replace(None);
        let mut profiles = self.inner.profiles.borrow_mut();
        let touched = change(&mut profiles);
        for p in profiles.iter().filter(|p| touched.contains(&p.id)) {
            writes.push(self.index_write(p)?);
        }
        Ok(())
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
    async fn stage_item(
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
        let (id, item_key, old_profile, base) = match id {
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
                (id, item_key, Some(record.container_id), base)
            }
        };
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
        let sealed = seal::seal_item(profile_key, profile, id, &item_key, &data)?;
        let record = local_record(
            id,
            RecordKind::Item,
            profile.into(),
            None,
            sealed.key,
            sealed.data,
            now_ms,
        );
        batch.record(&record, base)?;
        Ok((id, ItemSummary::of(&data)))
    }

    fn keep_version(
        &self,
        batch: &mut Batch,
        item_key: &SymmetricKey,
        item: &VaultRecord,
        content: ItemData,
        reason: HistoryReason,
        now_ms: i64,
    ) -> Result<()> {
        let version = RecordId::new_v7();
        let history = HistoryData {
            item: content,
            replaced_at: now_ms,
            reason,
        };
        let data = seal::seal_history(item_key, item.id, version, &history)?;
        batch.record(
            &local_record(
                version,
                RecordKind::History,
                item.container_id,
                Some(item.id),
                None,
                data,
                now_ms,
            ),
            None,
        )
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
            let version: VaultRecord = from_bytes(&bytes)?;
            let base = self.pending_base(version.id, version.revision).await?;
            batch.delete(&version, base)?;
        }
        let base = self.pending_base(id, record.revision).await?;
        batch.delete(&record, base)?;
        self.update_index(&mut batch.writes, |profiles| {
            profiles
                .iter_mut()
                .filter_map(|p| p.index.items.remove(&id).map(|_| p.id))
                .collect()
        })?;
        self.inner.cache.write(batch.writes).await?;
        Ok(())
    }

    async fn purge_expired_trash(&self, now_ms: i64) -> Result<()> {
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

    /// Creates a folder in `profile`, inside `parent`.
    pub async fn create_folder(
        &self,
        profile: ProfileId,
        name: &str,
        parent: Option<FolderId>,
        now_ms: i64,
    ) -> Result<FolderId> {
        let id = RecordId::new_v7();
        self.write_folder(id, profile, name, parent, None, now_ms)
            .await?;
        Ok(FolderId(id.0))
    }

    async fn write_folder(
        &self,
        id: RecordId,
        profile: ProfileId,
        name: &str,
        parent: Option<FolderId>,
        base: Option<i64>,
        now_ms: i64,
    ) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(VaultError::Invalid("Give the folder a name.".to_owned()));
        }
        let folder = FolderData {
            name: name.to_owned(),
            parent,
        };
        let data = seal::seal_folder(self.key_of(profile)?, profile, id, &folder)?;
        let record = local_record(
            id,
            RecordKind::Folder,
            profile.into(),
            None,
            None,
            data,
            now_ms,
        );
        let mut batch = Batch::new();
        batch.record(&record, base)?;
        let entry = FolderEntry::of(&folder);
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
        self.write_folder(record.id, profile, name, folder.parent, base, now_ms)
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
        self.write_folder(record.id, profile, &folder.name, parent, base, now_ms)
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
            batch.delete(&record, base)?;
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

    /// Imports items into `profile`, creating the folders their paths name (reusing folders with
    /// the same path). Items are sealed and written in batches and the index once at the end, so
    /// 10,000 items take seconds, not minutes. Returns how many were imported.
    pub async fn import_items(
        &self,
        profile: ProfileId,
        items: Vec<import::Imported>,
        now_ms: i64,
    ) -> Result<usize> {
        const BATCH: usize = 500;
        let profile_key = self.key_of(profile)?;
        // Existing folders by path, so a second import lands in the same ones.
        let mut folders: BTreeMap<Vec<String>, FolderId> = BTreeMap::new();
        for node in self.folders().into_iter().filter(|f| f.profile == profile) {
            let path = node.path.split(" / ").map(str::to_owned).collect();
            folders.insert(path, node.id);
        }
        let mut batch = Batch::new();
        let mut new_folders = Vec::new();
        let mut summaries = Vec::new();
        let count = items.len();
        for imported in items {
            let mut parent = None;
            for depth in 1..=imported.folder.len() {
                let path = imported.folder[..depth].to_vec();
                let id = match folders.get(&path) {
                    Some(id) => *id,
                    None => {
                        let id = RecordId::new_v7();
                        let folder = FolderData {
                            name: path[depth - 1].clone(),
                            parent,
                        };
                        let data = seal::seal_folder(profile_key, profile, id, &folder)?;
                        batch.record(
                            &local_record(
                                id,
                                RecordKind::Folder,
                                profile.into(),
                                None,
                                None,
                                data,
                                now_ms,
                            ),
                            None,
                        )?;
                        new_folders.push((id, FolderEntry::of(&folder)));
                        folders.insert(path, FolderId(id.0));
                        FolderId(id.0)
                    }
                };
                parent = Some(id);
            }
            let mut data = imported.data;
            data.folder = parent;
            let id = RecordId::new_v7();
            let sealed = seal::seal_item(
                profile_key,
                profile,
                id,
                &wasm_crypto::make_symmetric_key(),
                &data,
            )?;
            batch.record(
                &local_record(
                    id,
                    RecordKind::Item,
                    profile.into(),
                    None,
                    sealed.key,
                    sealed.data,
                    now_ms,
                ),
                None,
            )?;
            summaries.push((id, ItemSummary::of(&data)));
            if batch.writes.len() >= 2 * BATCH {
                self.inner
                    .cache
                    .write(std::mem::take(&mut batch.writes))
                    .await?;
            }
        }
        self.update_index(&mut batch.writes, |profiles| {
            if let Some(p) = profiles.iter_mut().find(|p| p.id == profile) {
                p.index.folders.extend(new_folders);
                p.index.items.extend(summaries);
            }
            vec![profile]
        })?;
        self.inner.cache.write(batch.writes).await?;
        Ok(count)
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
    async fn outbox(&self) -> Result<BTreeMap<RecordId, RecordChange>> {
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

    /// Sends the outbox, then pulls what changed on the server since the last pull. Offline,
    /// it fails with [`ApiError::Unreachable`] and every change stays in the outbox.
    pub async fn sync(&self, now_ms: i64) -> Result<SyncReport> {
        self.verify_index().await?;
        let mut report = SyncReport::default();
        let mut sent = std::collections::BTreeSet::new();
        self.push(&mut report, &mut sent, now_ms).await?;
        self.pull(&mut report, &sent, now_ms).await?;
        report.pending = self.pending_count().await?;
        if report.rolled_back > 0 {
            let notice = RollbackNotice {
                at_ms: now_ms,
                records: report.rolled_back,
            };
            self.inner
                .cache
                .put(Store::Meta, ROLLBACK, &to_bytes(&notice)?)
                .await?;
            // For the operator; the notice above is what the person sees, so a report that
            // does not arrive changes nothing here.
            let records = u32::try_from(report.rolled_back).unwrap_or(u32::MAX);
            let _ = self
                .inner
                .api
                .report_rollback(shared_types::vault::RollbackReport { records })
                .await;
        }
        Ok(report)
    }

    /// The last revision this browser pulled of `container` (0: none).
    pub fn pulled(&self, container: ContainerId) -> i64 {
        self.inner.pulled.borrow().of(container)
    }

    /// The changes the server refused, by item or folder (a past version's refusal shows on
    /// its item), with the reason.
    pub async fn refused(&self) -> Result<BTreeMap<RecordId, String>> {
        let refused = self.refused_changes().await?;
        let mut out = BTreeMap::new();
        for (change_id, (record, reason)) in refused {
            if let Some(bytes) = self.inner.cache.get(Store::Outbox, &record).await? {
                let change = from_bytes::<RecordChange>(&bytes)?;
                // The record's own reason first; a past version's only when its item has none.
                match change.parent_id {
                    _ if change.change_id != change_id => {}
                    Some(item) => {
                        out.entry(item).or_insert(reason);
                    }
                    None => {
                        out.insert(change.id, reason);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Refused change id → (record id, reason).
    async fn refused_changes(&self) -> Result<BTreeMap<ChangeId, (String, String)>> {
        Ok(match self.inner.cache.get(Store::Meta, REFUSED).await? {
            Some(bytes) => from_bytes(&bytes)?,
            None => BTreeMap::new(),
        })
    }

    /// Whether the server was found serving older data than this browser had seen.
    pub async fn rollback_notice(&self) -> Result<Option<RollbackNotice>> {
        Ok(match self.inner.cache.get(Store::Meta, ROLLBACK).await? {
            Some(bytes) => Some(from_bytes(&bytes)?),
            None => None,
        })
    }

    /// Forgets the rollback notice (the person has read it).
    pub async fn dismiss_rollback(&self) -> Result<()> {
        Ok(self.inner.cache.delete(Store::Meta, ROLLBACK).await?)
    }

    /// Updates the indexes for a record received from the server.
    fn reindex(&self, writes: &mut Vec<Write>, record: &VaultRecord) -> Result<()> {
        let mut fresh = BTreeMap::new();
        if record.data.is_some() {
            self.index_record(&mut fresh, record);
        }
        let id = record.id;
        self.update_index(writes, |profiles| {
            let mut touched = Vec::new();
            for p in profiles.iter_mut() {
                let had =
                    p.index.items.remove(&id).is_some() | p.index.folders.remove(&id).is_some();
                if let Some(index) = fresh.get_mut(&p.id) {
                    p.index.items.append(&mut index.items);
                    p.index.folders.append(&mut index.folders);
                    touched.push(p.id);
                } else if had {
                    touched.push(p.id);
                }
            }
            touched
        })
    }
}

/// Puts an item's entry into `profile`'s index and out of any other; returns the profiles touched.
fn place_in_index(
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
fn content_differs(old: &ItemData, new: &ItemData) -> bool {
    old.kind != new.kind
        || old.title != new.title
        || old.urls != new.urls
        || old.fields != new.fields
        || old.notes != new.notes
        || old.custom != new.custom
        || old.tags != new.tags
}

/// Wipes this browser's copy of the vault (on sign-out).
pub async fn forget_local_vault(cache: &impl Cache) -> Result<(), CacheError> {
    let mut writes = vec![
        Write::Clear(Store::Records),
        Write::Clear(Store::Outbox),
        Write::Clear(Store::Index),
    ];
    for key in [CURSORS, OLD_PULLED_REVISION, REFUSED, ROLLBACK] {
        writes.push(Write::Delete(Store::Meta, key.to_owned()));
    }
    cache.write(writes).await
}

#[cfg(test)]
mod tests;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod merge_tests;
