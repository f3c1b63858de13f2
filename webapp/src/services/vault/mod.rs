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
//!
//! This module holds the session itself: opening it, the indexes and keeping them in step with
//! the records, the keyring lookups, and sync with what it leaves behind (refusals, the
//! rollback notice). The rest, one job per module, adds to [`VaultSession`]:
//! - `store`: where records, waiting changes and sync state are kept; write batches.
//! - `items`: saving, trashing, moving and purging items, and their past versions.
//! - `folders`: creating, renaming, moving and deleting folders.
//! - `listing`: the item list, search, the folder tree and the profiles, read from the indexes.
//! - [`import`]: reading a CSV export and storing its items.
//! - `push` and `pull`: the two halves of sync; [`remote`]: the server they talk to;
//!   `checkpoint`: what a container held, sealed, left and compared after each sync.
//! - [`model`]: what items, folders and past versions hold; [`index`]: a profile's index;
//!   [`seal`]: sealing and opening records and indexes; [`totp`]: an item's live code.

mod checkpoint;
mod company;
mod company_key;
pub mod export;
mod folders;
mod groups;
pub mod import;
pub mod index;
mod items;
mod listing;
pub mod model;
mod pull;
mod push;
pub mod remote;
mod rotation;
pub mod seal;
mod share_lists;
mod shares;
mod store;
pub mod totp;
mod trust;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use shared_types::vault::{RecordChange, RecordKind, VaultRecord};
use shared_types::{ChangeId, ContainerId, ProfileId, RecordId};
use wasm_crypto::SymmetricKey;

use crate::api::ApiError;
use crate::cache::{Cache, CacheError, Store, Write};
use crate::services::keys::VaultKeys;
use index::{FolderEntry, ItemSummary, ProfileIndex, TrustEntry};
use listing::SearchText;
use remote::Remote;
use seal::SealError;
use store::{REFUSED, ROLLBACK, folder_key, from_bytes, item_key, to_bytes, trust_key};

pub use company::{CompanyGroup, no_directory_key};
pub use company_key::CompanyKeyProblem;
pub use items::{OpenedItem, PastVersion, TRASH_DAYS};
pub use listing::{Area, FolderNode, Row, Scope, SharedArea};
pub use shares::{ShareNotice, ShareNoticeKind};
pub use store::forget_local_vault;

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

impl VaultError {
    /// Whether the server could not be reached (the change stays in this browser and is sent
    /// later), as opposed to an answer that refused or a local failure.
    pub fn is_offline(&self) -> bool {
        matches!(self, VaultError::Api(ApiError::Unreachable))
    }
}

/// The vault session of the browser app: kept in this browser's IndexedDB.
pub type BrowserSession = VaultSession<crate::cache::IndexedDbCache>;

/// What a record lists in its profile's index.
enum Entry {
    Item(ItemSummary),
    Folder(FolderEntry),
    Trust(TrustEntry),
    Nothing,
}

/// One container this browser holds the key of (a profile, or a share it may open), opened.
struct ContainerState {
    id: ContainerId,
    area: Area,
    /// The container's key (for a share: the key of the generation in force).
    key: Rc<SymmetricKey>,
    /// A share's keys of earlier generations, newest first, kept while a re-key runs: what is
    /// not sealed again yet still opens. Nothing is sealed under them.
    older: Vec<Rc<SymmetricKey>>,
    index: ProfileIndex,
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
    /// Answers of the server this browser refused to act on, by record.
    pub findings: Vec<Finding>,
    /// What the checkpoints showed the server did to whole containers.
    pub containers: Vec<ContainerFinding>,
    /// A profile was taken away from the account (its Business profile, kept by the company
    /// that removed it): the account's keys must be read again.
    pub profiles_lost: bool,
}

/// What a server answered that a key holder could not have made: the answer is not acted on,
/// and the person is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A conflict answer whose "current" record is another record, another kind, or in a
    /// container this browser does not read: taken as it is, it would have replaced the record
    /// with unrelated content. The change stays waiting and is sent again.
    ConflictNamedAnotherRecord,
    /// A content older than the one this browser holds, served under a newer revision. The
    /// newer copy is kept, sent again, and the served one kept in the item's history.
    OlderCopyServed,
    /// A deletion no key holder made (no mark, a mark of another record or container, or one
    /// older than the copy here). The record is kept and sent again.
    InventedDeletion,
    /// A content that does not open: damaged, altered, or served as another version than it
    /// is. It is not stored; the copy kept here (if any) stays and is sent again.
    Unreadable,
}

impl FindingKind {
    /// What happened, in plain words, after the record's name.
    pub fn explain(self) -> &'static str {
        match self {
            FindingKind::ConflictNamedAnotherRecord => {
                "the server answered your change with another record's data. It was not used; your version is kept here and will be sent again."
            }
            FindingKind::OlderCopyServed => {
                "the server sent an older copy than this browser already had. The newer copy is kept and was sent again; the older one is in the item's history."
            }
            FindingKind::InventedDeletion => {
                "the server said it was deleted, but the deletion was not made by anyone holding its key. It was not deleted here, and was sent to the server again."
            }
            FindingKind::Unreadable => {
                "the server sent a copy that does not open (damaged or altered). It was not used; the copy kept here stays and was sent again."
            }
        }
    }
}

/// What a checkpoint showed the server did to a whole container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerFindingKind {
    /// The container as served, pulled again from the start, still differs from the
    /// checkpoint a key holder left at the same revision: the server hides records from this
    /// browser (or serves others' as they were before). Everything kept here stays, and what
    /// the server lost is sent again.
    RecordsHidden,
    /// The server serves an older checkpoint than one this browser already verified or left
    /// (or none): it hid a newer one, or went back to an old backup.
    CheckpointHidden,
}

impl ContainerFindingKind {
    /// What happened, in plain words, after the container's name.
    pub fn explain(self) -> &'static str {
        match self {
            ContainerFindingKind::RecordsHidden => {
                "the server's copy does not match what one of your browsers recorded of it: it is hiding items or folders from this browser, or serving some as they were before. Nothing kept here was removed."
            }
            ContainerFindingKind::CheckpointHidden => {
                "the server no longer shows the record of its contents that your browsers left. It may have been restored from an old backup, or be hiding changes."
            }
        }
    }
}

/// One finding about one container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ContainerFinding {
    /// The container (a profile today).
    pub container: ContainerId,
    /// What the server did.
    pub what: ContainerFindingKind,
}

/// One finding about one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// The record (an item, a folder, or a past version of an item).
    pub record: RecordId,
    /// What the server did.
    pub what: FindingKind,
}

/// The server was found serving older data than this browser had already seen (restored from
/// an old backup, or tampered with), or answering what a key holder could not have made. Kept
/// until the person dismisses it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RollbackNotice {
    /// When it was last seen (ms).
    pub at_ms: i64,
    /// How many records were older than seen, or missing (counting the whole vault as one
    /// when it was behind).
    pub records: usize,
    /// Answers refused, by record (ids only: the notice is stored unsealed).
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// What checkpoints showed, by container.
    #[serde(default)]
    pub containers: Vec<ContainerFinding>,
}

struct Inner<C> {
    cache: C,
    api: Box<dyn Remote>,
    /// How far this browser has pulled (also in Meta), to skip pulls a notice does not need.
    pulled: RefCell<pull::Cursors>,
    keys: Arc<VaultKeys>,
    /// The profiles, then the shares this browser opened (added and removed by share syncs).
    containers: RefCell<Vec<ContainerState>>,
    /// What the server served of each share this browser opened, as verified (also in
    /// `Store::Sharing`): the pin its next lists must follow.
    kept_shares: RefCell<BTreeMap<shared_types::ShareId, shared_types::sharing::ShareMeta>>,
    /// Shares known but not opened, and why.
    share_notices: RefCell<Vec<ShareNotice>>,
    /// The groups this account is in, as verified, with the group keys it holds.
    groups: RefCell<BTreeMap<shared_types::GroupId, groups::HeldGroup>>,
    /// The account's company and its directory key, as held here.
    directory: RefCell<Option<company::Directory>>,
    /// Lower-cased search text and sort key per item, built on first use after a change.
    search: RefCell<Option<Rc<BTreeMap<RecordId, SearchText>>>>,
    /// The company disabled sharing: shared folders are read-only here (the server refuses
    /// changes to them too).
    sharing_disabled: std::cell::Cell<bool>,
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
        let mut containers = Vec::new();
        let mut readable = true;
        for (id, kind, key) in &keys.profiles {
            let key = Rc::new(key.clone());
            let id = ContainerId::from(*id);
            let index = match Self::stored_index(&cache, id, &key).await? {
                Some(index) => index,
                // None yet (a new vault), or unreadable: rebuilt from the records below.
                None => {
                    readable = false;
                    ProfileIndex::default()
                }
            };
            containers.push(ContainerState {
                id,
                area: Area::Profile(*kind),
                key,
                older: Vec::new(),
                index,
            });
        }
        let session = Self {
            inner: Rc::new(Inner {
                cache,
                api: Box::new(api),
                pulled: RefCell::new(pulled),
                keys,
                containers: RefCell::new(containers),
                kept_shares: RefCell::new(BTreeMap::new()),
                share_notices: RefCell::new(Vec::new()),
                groups: RefCell::new(BTreeMap::new()),
                directory: RefCell::new(None),
                search: RefCell::new(None),
                sharing_disabled: std::cell::Cell::new(false),
            }),
        };
        if !readable {
            session.rebuild_indexes().await?;
        }
        session.open_kept_groups().await?;
        session.open_kept_directory().await?;
        session.open_kept_shares().await?;
        session.purge_expired_trash(now_ms).await?;
        Ok(session)
    }

    /// The index of `container` kept here, if it opens with `key`.
    async fn stored_index(
        cache: &C,
        container: ContainerId,
        key: &SymmetricKey,
    ) -> Result<Option<ProfileIndex>> {
        let stored = cache.get(Store::Index, &container.to_string()).await?;
        Ok(stored.and_then(|b| seal::open_index(key, container, b).ok()))
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

    /// Whether the indexes list exactly the items, folders and trust records stored here.
    fn index_matches(&self, record_keys: &[String]) -> bool {
        let containers = self.inner.containers.borrow();
        let mut indexed: Vec<String> = containers
            .iter()
            .flat_map(|p| {
                p.index
                    .items
                    .keys()
                    .map(|id| item_key(*id))
                    .chain(p.index.folders.keys().map(|id| folder_key(*id)))
                    .chain(p.index.trust.keys().map(|id| trust_key(*id)))
            })
            .collect();
        indexed.sort();
        let mut stored: Vec<&String> = record_keys
            .iter()
            .filter(|k| store::INDEXED_PREFIXES.iter().any(|p| k.starts_with(p)))
            .collect();
        stored.sort();
        indexed.len() == stored.len() && indexed.iter().zip(stored).all(|(a, b)| a == b)
    }

    /// Opens every item and folder record and writes fresh indexes.
    async fn rebuild_indexes(&self) -> Result<()> {
        let mut fresh: BTreeMap<ContainerId, ProfileIndex> = BTreeMap::new();
        for prefix in store::INDEXED_PREFIXES {
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
            let mut containers = self.inner.containers.borrow_mut();
            for c in containers.iter_mut() {
                c.index = fresh.remove(&c.id).unwrap_or_default();
                writes.push(index_write(c)?);
            }
        }
        self.inner.cache.write(writes).await?;
        Ok(())
    }

    /// Opens a live record for its profile's index: what it lists (nothing for a past version,
    /// or for a container whose key this browser does not hold), or why it does not open.
    fn entry_of(&self, record: &VaultRecord) -> Result<Entry, SealError> {
        if !self.holds(record.container_id) {
            return Ok(Entry::Nothing);
        }
        let opened = |open: &dyn Fn(&SymmetricKey) -> Result<Entry, SealError>| {
            self.open_in(record.container_id, open)
                .unwrap_or(Ok(Entry::Nothing))
        };
        match record.kind {
            RecordKind::Item => opened(&|key| {
                Ok(Entry::Item(ItemSummary::of(
                    &seal::open_item(key, record)?.1,
                    record.version,
                )))
            }),
            RecordKind::Folder => opened(&|key| {
                Ok(Entry::Folder(FolderEntry::of(
                    &seal::open_folder(key, record)?,
                    record.version,
                )))
            }),
            RecordKind::Trust => opened(&|key| {
                Ok(Entry::Trust(TrustEntry {
                    data: Some(seal::open_trust(key, record)?),
                    version: record.version,
                }))
            }),
            RecordKind::History => Ok(Entry::Nothing),
        }
    }

    /// Lists `record` in its profile's index as `entry`.
    fn index_entry(
        &self,
        indexes: &mut BTreeMap<ContainerId, ProfileIndex>,
        record: &VaultRecord,
        entry: Entry,
    ) {
        if !self.holds(record.container_id) {
            return;
        }
        let index = indexes.entry(record.container_id).or_default();
        match entry {
            Entry::Item(summary) => {
                index.items.insert(record.id, summary);
            }
            Entry::Folder(folder) => {
                index.folders.insert(record.id, folder);
            }
            Entry::Trust(trust) => {
                index.trust.insert(record.id, trust);
            }
            Entry::Nothing => {}
        }
    }

    /// Lists a record kept here in its profile's index; one that does not open is listed as
    /// damaged.
    fn index_record(
        &self,
        indexes: &mut BTreeMap<ContainerId, ProfileIndex>,
        record: &VaultRecord,
    ) {
        let entry = self.entry_of(record).unwrap_or_else(|_| match record.kind {
            RecordKind::Item => Entry::Item(ItemSummary::damaged(record.version)),
            RecordKind::Folder => Entry::Folder(FolderEntry {
                name: "Damaged folder".to_owned(),
                parent: None,
                version: record.version,
            }),
            RecordKind::Trust => Entry::Trust(TrustEntry {
                data: None,
                version: record.version,
            }),
            RecordKind::History => Entry::Nothing,
        });
        self.index_entry(indexes, record, entry);
    }

    /// The key of a container this browser holds the key of (a profile, or a share it opened).
    fn container_key(&self, container: impl Into<ContainerId>) -> Option<Rc<SymmetricKey>> {
        let container = container.into();
        let containers = self.inner.containers.borrow();
        containers
            .iter()
            .find(|c| c.id == container)
            .map(|c| c.key.clone())
    }

    /// Opens something of `container` with its key, or else with a key of an earlier
    /// generation this browser still holds (a share being re-keyed); `None` without any key.
    /// The error is the current key's.
    fn open_in<T>(
        &self,
        container: ContainerId,
        open: impl Fn(&SymmetricKey) -> Result<T, SealError>,
    ) -> Option<Result<T, SealError>> {
        let keys: Vec<Rc<SymmetricKey>> = {
            let containers = self.inner.containers.borrow();
            let held = containers.iter().find(|c| c.id == container)?;
            std::iter::once(held.key.clone())
                .chain(held.older.iter().cloned())
                .collect()
        };
        let first = open(&keys[0]);
        if first.is_ok() {
            return Some(first);
        }
        Some(
            keys[1..]
                .iter()
                .map(|k| open(k))
                .find(Result::is_ok)
                .unwrap_or(first),
        )
    }

    /// Whether this browser holds the key of `container`.
    fn holds(&self, container: ContainerId) -> bool {
        self.inner
            .containers
            .borrow()
            .iter()
            .any(|c| c.id == container)
    }

    fn key_of(&self, container: impl Into<ContainerId>) -> Result<Rc<SymmetricKey>> {
        self.container_key(container).ok_or(VaultError::Missing)
    }

    fn update_index(
        &self,
        writes: &mut Vec<Write>,
        change: impl FnOnce(&mut Vec<ContainerState>) -> Vec<ContainerId>,
    ) -> Result<()> {
        self.inner.search.replace(None);
        let mut containers = self.inner.containers.borrow_mut();
        let touched = change(&mut containers);
        for c in containers.iter().filter(|c| touched.contains(&c.id)) {
            writes.push(index_write(c)?);
        }
        Ok(())
    }

    /// Sends the outbox, then pulls what changed on the server since the last pull. Offline,
    /// it fails with [`ApiError::Unreachable`] and every change stays in the outbox.
    pub async fn sync(&self, now_ms: i64) -> Result<SyncReport> {
        self.sync_with(now_ms, || {}).await
    }

    /// [`Self::sync`], calling `pulled` once what the server sent is stored, before the
    /// checkpoints are compared and left (a round trip more): views can show it at once.
    pub async fn sync_with(&self, now_ms: i64, pulled: impl Fn()) -> Result<SyncReport> {
        self.verify_index().await?;
        let mut report = SyncReport::default();
        let mut sent = std::collections::BTreeSet::new();
        self.push(&mut report, &mut sent, now_ms).await?;
        self.sync_groups(now_ms).await?;
        self.sync_company(now_ms).await?;
        self.sync_shares(now_ms).await?;
        self.rekey_shares(&mut report, &mut sent, now_ms).await?;
        let served = self
            .pull(
                &mut report,
                &sent,
                now_ms,
                &std::collections::BTreeSet::new(),
            )
            .await?;
        pulled();
        self.check_containers(served, &mut report, &sent, now_ms)
            .await?;
        report.pending = self.pending_count().await?;
        if report.rolled_back > 0 || !report.findings.is_empty() || !report.containers.is_empty() {
            // Added to what the person has not dismissed yet: a later sync (sending the kept
            // copies again, say) must not hide what an earlier one found.
            let mut notice = self.rollback_notice().await?.unwrap_or(RollbackNotice {
                at_ms: now_ms,
                records: 0,
                findings: Vec::new(),
                containers: Vec::new(),
            });
            notice.at_ms = now_ms;
            notice.records += report.rolled_back;
            for finding in &report.findings {
                if !notice.findings.contains(finding) {
                    notice.findings.push(*finding);
                }
            }
            for finding in &report.containers {
                if !notice.containers.contains(finding) {
                    notice.containers.push(*finding);
                }
            }
            self.inner
                .cache
                .put(Store::Meta, ROLLBACK, &to_bytes(&notice)?)
                .await?;
            // For the operator; the notice above is what the person sees, so a report that
            // does not arrive changes nothing here.
            let found = report.rolled_back + report.findings.len() + report.containers.len();
            let records = u32::try_from(found).unwrap_or(u32::MAX);
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
        self.update_index(writes, |containers| {
            let mut touched = Vec::new();
            for p in containers.iter_mut() {
                let had = p.index.remove(&id);
                if let Some(index) = fresh.get_mut(&p.id) {
                    p.index.append(index);
                    touched.push(p.id);
                } else if had {
                    touched.push(p.id);
                }
            }
            touched
        })
    }
}

fn index_write(container: &ContainerState) -> Result<Write> {
    let sealed = seal::seal_index(&container.key, container.id, &container.index)?;
    Ok(Write::Put(Store::Index, container.id.to_string(), sealed))
}

#[cfg(test)]
mod tests;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod memory_server;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod merge_tests;
