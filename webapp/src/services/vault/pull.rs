//! Receiving what changed: one request names every container this browser reads with the
//! revision it pulled it to, and the server answers with the records after those, page by page,
//! and with the grants and revocations of the account's access feed.
//!
//! Invariants:
//! - A container's cursor moves only with the page write that stores its records, so a pull
//!   cut short resumes where it stopped and nothing is pulled twice.
//! - Revisions are compared only within one container: a record that moved to another
//!   container arrives there with that container's numbers, and the deletion its old container
//!   keeps never removes it here.
//! - A server that serves a container behind what this browser pulled (its head is lower), or a
//!   record older than the copy kept here, went back in time: the container is pulled again
//!   from the start, the newer copies kept here win and are sent again, and the sync reports it.
//! - A container whose access was revoked is forgotten: its records, waiting changes and index
//!   entries are removed from this browser; a Business profile taken away also leaves the open
//!   vault (the report says so, and the account then makes a new one). The Personal profile is
//!   never given up on the server's word.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use shared_types::ContainerId;
use shared_types::account::ProfileKind;
use shared_types::vault::{Cursor, PullRequest, RecordKind, VaultRecord};

use super::checkpoint::Served;
use super::index::ProfileIndex;
use super::items::content_differs;
use super::listing::Area;
use super::model::HistoryReason;
use super::remote::LocalFuture;
use super::store::{
    self as store, Batch, CURSORS, OLD_PULLED_REVISION, folder_key, from_bytes, history_prefix,
    item_key, local_key, to_bytes, tombstone_key,
};
use super::{
    Entry, Finding, FindingKind, ProfileId, RecordId, Result, SyncReport, VaultError, VaultSession,
    seal,
};
use crate::cache::{Cache, Store, Write};
use crate::services::mark;

/// How far this browser has pulled: each container it reads, and the account's access feed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cursors {
    /// The last entry of the access feed seen.
    pub access: i64,
    /// The last revision pulled, per container.
    pub containers: BTreeMap<ContainerId, i64>,
    /// Per container, the newest checkpoint revision this browser verified or left: the server
    /// serves none older while it is honest ([`super::checkpoint`]).
    #[serde(default)]
    pub checked: BTreeMap<ContainerId, i64>,
    /// Per container, a checkpoint revision found not to match what the server serves, even
    /// after pulling the container again: reported once, not pulled again for.
    #[serde(default)]
    pub refuted: BTreeMap<ContainerId, i64>,
}

impl Cursors {
    /// Where this browser stands, as kept in `Meta`. A vault made by the release before
    /// containers kept one revision for the whole account: every profile starts from it (the
    /// server numbered every later change above it), and the old entry is replaced at the next
    /// pull.
    pub async fn load(cache: &impl Cache, profiles: &[ProfileId]) -> Result<Self> {
        if let Some(bytes) = cache.get(Store::Meta, CURSORS).await? {
            return from_bytes(&bytes);
        }
        let old = match cache.get(Store::Meta, OLD_PULLED_REVISION).await? {
            Some(bytes) => from_bytes::<i64>(&bytes)?,
            None => 0,
        };
        Ok(Self {
            access: 0,
            checked: BTreeMap::new(),
            refuted: BTreeMap::new(),
            containers: profiles
                .iter()
                .map(|p| (ContainerId::from(*p), old))
                .filter(|(_, revision)| *revision > 0)
                .collect(),
        })
    }

    /// The last revision pulled of `container` (0: none).
    pub fn of(&self, container: ContainerId) -> i64 {
        self.containers.get(&container).copied().unwrap_or(0)
    }

    fn request(&self) -> PullRequest {
        PullRequest {
            access_since: self.access,
            cursors: self
                .containers
                .iter()
                .map(|(&container_id, &revision)| Cursor {
                    container_id,
                    revision,
                })
                .collect(),
        }
    }

    fn advance(&mut self, container: ContainerId, revision: i64) {
        let cursor = self.containers.entry(container).or_default();
        *cursor = (*cursor).max(revision);
    }
}

impl<C: Cache> VaultSession<C> {
    /// Receives what changed since the last pull (see the module's invariants). Records this
    /// sync just sent come back too: they are already here (`sent`), so they are not opened
    /// again.
    ///
    /// The pages overlap: the next page is asked for as soon as a page arrives, and a page's
    /// records are stored while the next one is opened, so the server, the browser's storage
    /// and this thread work at the same time. A page's write starts only once the one before
    /// it is kept.
    ///
    /// The containers in `again` are pulled again from the start, compared with what is kept
    /// here as after a rollback. Returns the newest checkpoint and the head of each container,
    /// as served.
    pub(super) async fn pull(
        &self,
        report: &mut SyncReport,
        sent: &BTreeSet<(RecordId, i64)>,
        now_ms: i64,
        again: &BTreeSet<ContainerId>,
    ) -> Result<Served> {
        let start = self.inner.pulled.borrow().clone();
        let mut cursors = start.clone();
        // Containers found behind what this browser had seen (or to check again), pulled again
        // from 0, and the records the server sent of them since.
        let mut resync: BTreeSet<ContainerId> = again.clone();
        for container in again {
            cursors.containers.insert(*container, 0);
        }
        let mut served = Served::default();
        let mut seen_again: BTreeSet<RecordId> = BTreeSet::new();
        let mut revoked: BTreeSet<ContainerId> = BTreeSet::new();
        // A first pull into an empty browser has nothing to compare with.
        let has_local = start.containers.values().any(|&r| r > 0);
        let mut fetching = Some(Ahead::start(self.inner.api.pull(cursors.request())));
        let mut storing: Option<LocalFuture<'_, Result<()>>> = None;
        while let Some(next) = fetching.take() {
            mark("strongroom:pull-start");
            let page = beside(&mut storing, next.wait()).await?;
            mark("strongroom:pull-fetched");
            let behind: Vec<ContainerId> = page
                .heads
                .iter()
                .filter(|h| h.revision < cursors.of(h.container_id))
                .map(|h| h.container_id)
                .filter(|c| !resync.contains(c))
                .collect();
            if !behind.is_empty() {
                if let Some(write) = storing.take() {
                    write.await?;
                }
                for container in behind {
                    report.rolled_back += 1;
                    cursors.containers.insert(container, 0);
                    resync.insert(container);
                }
                fetching = Some(Ahead::start(self.inner.api.pull(cursors.request())));
                continue;
            }
            for access in &page.access {
                if access.role.is_none() {
                    revoked.insert(access.container_id);
                    cursors.containers.remove(&access.container_id);
                } else {
                    revoked.remove(&access.container_id);
                }
            }
            cursors.access = cursors.access.max(page.access_head);
            for checkpoint in &page.checkpoints {
                (served.checkpoints).insert(checkpoint.container_id, checkpoint.clone());
            }
            for head in &page.heads {
                served.heads.insert(head.container_id, head.revision);
            }
            for record in &page.records {
                cursors.advance(record.container_id, record.revision);
            }
            if page.more {
                fetching = Some(Ahead::start(self.inner.api.pull(cursors.request())));
            }
            let waiting = beside(&mut storing, self.pending_ids()).await?;
            seen_again.extend(
                page.records
                    .iter()
                    .filter(|r| resync.contains(&r.container_id))
                    .map(|r| r.id),
            );
            // Records of ours that are already here or wait to be sent are left alone: the
            // push settles the latter. Records of a container this browser holds no key for
            // (a share it cannot open yet) are not kept: they could be neither listed nor
            // checked, and the container is pulled again from the start once its key is here.
            let incoming: Vec<&VaultRecord> = page
                .records
                .iter()
                .filter(|r| !sent.contains(&(r.id, r.revision)) && !waiting.contains(&r.id))
                .filter(|r| self.container_key(r.container_id).is_some())
                .collect();
            // Where each record lives in this page, to keep a move's two halves apart.
            let living: BTreeMap<RecordId, ContainerId> = incoming
                .iter()
                .filter(|r| r.data.is_some())
                .map(|r| (r.id, r.container_id))
                .collect();
            // What this browser holds of each: the record, or its tombstone.
            let locals: Vec<[Option<VaultRecord>; 2]> = if has_local {
                let keys: Vec<String> = incoming
                    .iter()
                    .flat_map(|r| [local_key(r), tombstone_key(r.id)])
                    .collect();
                let found = beside(&mut storing, self.stored_many(&keys)).await?;
                found
                    .chunks(2)
                    .map(|pair| [pair[0].clone(), pair[1].clone()])
                    .collect()
            } else {
                vec![[None, None]; incoming.len()]
            };
            let mut writes = Vec::new();
            let mut fresh: BTreeMap<ContainerId, ProfileIndex> = BTreeMap::new();
            let mut gone = Vec::new();
            for (record, [held, tombstone]) in incoming.into_iter().zip(locals) {
                // The live copy kept here, in this container.
                let here = held
                    .as_ref()
                    .filter(|h| h.container_id == record.container_id && h.data.is_some());
                if record.data.is_none() {
                    // The deletion a move leaves behind: the record lives on elsewhere.
                    let elsewhere = living
                        .get(&record.id)
                        .is_some_and(|c| *c != record.container_id)
                        || held
                            .as_ref()
                            .is_some_and(|h| h.container_id != record.container_id);
                    if elsewhere {
                        continue;
                    }
                    // A deletion of a record kept here must carry a mark a key holder sealed
                    // for it, newer than the copy kept here.
                    if let Some(here) = here
                        && !self.deletes(record, here)
                    {
                        self.refuse_served(
                            &mut writes,
                            report,
                            here,
                            record,
                            FindingKind::InventedDeletion,
                        )?;
                        continue;
                    }
                }
                // Content that does not open (damaged, altered, or served as a version it is
                // not) never replaces what is kept here.
                let entry = match record.data {
                    Some(_) => self.entry_of(record),
                    None => Ok(Entry::Nothing),
                };
                let Ok(entry) = entry else {
                    match here {
                        Some(here) => self.refuse_served(
                            &mut writes,
                            report,
                            here,
                            record,
                            FindingKind::Unreadable,
                        )?,
                        None => report.findings.push(Finding {
                            record: record.id,
                            what: FindingKind::Unreadable,
                        }),
                    }
                    continue;
                };
                if record.data.is_some()
                    && let Some(here) = here
                    && here.version > record.version
                {
                    // An older content than the one kept here, served under a newer revision.
                    report.findings.push(Finding {
                        record: record.id,
                        what: FindingKind::OlderCopyServed,
                    });
                }
                // What was seen here of the record in this container.
                let local = [held, tombstone]
                    .into_iter()
                    .flatten()
                    .filter(|l| {
                        l.container_id == record.container_id && start.of(record.container_id) > 0
                    })
                    .max_by_key(|l| l.revision);
                // Older than what was seen here, or the same revision with other content (a
                // restored server reuses revision numbers): the server went back in time.
                if let Some(local) = &local
                    && (local.revision > record.revision
                        || (local.data.is_some()
                            && record.data.is_some()
                            && local.version > record.version)
                        || (local.revision == record.revision
                            && (local.data != record.data || local.key != record.key)))
                {
                    report.rolled_back += 1;
                    match (&local.data, &record.data) {
                        // Ours is newer: it is sent again on top of the server's, which is
                        // kept in the item's history if it differs (it may hold an edit made
                        // on the restored server).
                        (Some(_), _) => {
                            let mut batch = Batch::new();
                            self.keep_theirs(&mut batch, local, record, now_ms)?;
                            batch.record(local, Some(record.revision))?;
                            writes.append(&mut batch.writes);
                            continue;
                        }
                        // Deleted here later, alive on the server: an edit beats a deletion,
                        // so the server's record is taken (the rollback is reported).
                        (None, Some(_)) => {}
                        (None, None) => continue,
                    }
                }
                report.received += 1;
                gone.push(record.id);
                if local.as_ref().is_some_and(|l| l.data.is_none()) {
                    writes.push(Write::Delete(Store::Records, tombstone_key(record.id)));
                }
                if record.data.is_none() {
                    writes.push(Write::Put(
                        Store::Records,
                        tombstone_key(record.id),
                        to_bytes(record)?,
                    ));
                    // Remove under whatever local key it had (an item's versions go with it).
                    for key in [item_key(record.id), folder_key(record.id)] {
                        writes.push(Write::Delete(Store::Records, key));
                    }
                    if let Some(parent) = record.parent_id {
                        writes.push(Write::Delete(
                            Store::Records,
                            format!("{}{}", history_prefix(parent), record.id),
                        ));
                    }
                } else {
                    writes.push(Write::Put(
                        Store::Records,
                        local_key(record),
                        to_bytes(record)?,
                    ));
                    self.index_entry(&mut fresh, record, entry);
                }
            }
            writes.push(Write::Put(
                Store::Meta,
                CURSORS.to_owned(),
                to_bytes(&cursors)?,
            ));
            writes.push(Write::Delete(Store::Meta, OLD_PULLED_REVISION.to_owned()));
            mark("strongroom:pull-opened");
            // The sealed indexes are written with the last page only: a pull cut short leaves
            // them behind the records, which the next sync's `verify_index` repairs.
            let last_page = !page.more;
            self.update_index(&mut writes, |profiles| {
                let mut touched = Vec::new();
                for p in profiles.iter_mut() {
                    for id in &gone {
                        p.index.remove(id);
                    }
                    if let Some(index) = fresh.get_mut(&p.id) {
                        p.index.append(index);
                    }
                    if last_page {
                        touched.push(p.id);
                    }
                }
                touched
            })?;
            mark("strongroom:pull-indexed");
            if let Some(write) = storing.take() {
                write.await?;
            }
            mark("strongroom:pull-stored");
            let reached = cursors.clone();
            storing = Some(Box::pin(async move {
                self.inner.cache.write(writes).await?;
                self.inner.pulled.replace(reached);
                Ok(())
            }));
        }
        if let Some(write) = storing.take() {
            write.await?;
        }
        if !resync.is_empty() {
            self.send_again_what_the_server_lost(&resync, &seen_again, report)
                .await?;
        }
        // The Personal profile is the account's own: no company takes it away, so a server
        // that says so is not followed.
        revoked.retain(|c| self.area(*c) != Some(Area::Profile(ProfileKind::Personal)));
        if !revoked.is_empty() {
            self.forget_containers(&revoked).await?;
            // A Business profile taken away (its company removed the person under its
            // policy) leaves the vault; the account then makes a new one.
            let profiles: BTreeSet<ContainerId> = (revoked.iter().copied())
                .filter(|c| matches!(self.area(*c), Some(Area::Profile(_))))
                .collect();
            if !profiles.is_empty() {
                self.drop_containers(&profiles, Vec::new()).await?;
                report.profiles_lost = true;
            }
        }
        Ok(served)
    }

    /// Whether `tombstone` is a deletion a key holder made of `here`, the copy kept in this
    /// browser: its mark opens for this record, container and kind, at a newer version.
    fn deletes(&self, tombstone: &VaultRecord, here: &VaultRecord) -> bool {
        match self.open_in(tombstone.container_id, |key| {
            seal::open_mark(key, tombstone)
        }) {
            Some(opened) => opened.is_ok_and(|version| version > here.version),
            // A container whose key this browser does not hold: nothing here to protect.
            None => true,
        }
    }

    /// Refuses what the server served of `here` (kept in this browser), reports it as `what`,
    /// and sends the copy kept here again on top of the server's, so that an honest server
    /// that lost it has it again.
    fn refuse_served(
        &self,
        writes: &mut Vec<Write>,
        report: &mut SyncReport,
        here: &VaultRecord,
        served: &VaultRecord,
        what: FindingKind,
    ) -> Result<()> {
        report.findings.push(Finding {
            record: served.id,
            what,
        });
        let mut batch = Batch::new();
        batch.record(here, Some(served.revision))?;
        writes.append(&mut batch.writes);
        Ok(())
    }

    /// Removes every record, waiting change and index entry of `containers` from this browser:
    /// the account may no longer read them.
    pub(super) async fn forget_containers(&self, containers: &BTreeSet<ContainerId>) -> Result<()> {
        let mut writes = Vec::new();
        let mut gone = BTreeSet::new();
        for prefix in store::ALL_PREFIXES {
            for (key, bytes) in self.inner.cache.get_prefix(Store::Records, prefix).await? {
                let Ok(record) = from_bytes::<VaultRecord>(&bytes) else {
                    continue;
                };
                if containers.contains(&record.container_id) {
                    gone.insert(record.id);
                    writes.push(Write::Delete(Store::Records, key));
                }
            }
        }
        for (record, change) in self.outbox().await? {
            if containers.contains(&change.container_id) {
                writes.push(Write::Delete(Store::Outbox, record.to_string()));
            }
        }
        self.update_index(&mut writes, |profiles| {
            let mut touched = Vec::new();
            for p in profiles.iter_mut() {
                let before = p.index.len();
                p.index.items.retain(|id, _| !gone.contains(id));
                p.index.folders.retain(|id, _| !gone.contains(id));
                p.index.trust.retain(|id, _| !gone.contains(id));
                if p.index.len() != before {
                    touched.push(p.id);
                }
            }
            touched
        })?;
        self.inner.cache.write(writes).await?;
        Ok(())
    }

    /// Takes `gone` (forgotten already) out of the open vault: its index, its place in the list
    /// and its cursor, written with `writes` in one transaction.
    pub(super) async fn drop_containers(
        &self,
        gone: &BTreeSet<ContainerId>,
        mut writes: Vec<Write>,
    ) -> Result<()> {
        for container in gone {
            writes.push(Write::Delete(Store::Index, container.to_string()));
        }
        self.inner
            .containers
            .borrow_mut()
            .retain(|c| !gone.contains(&c.id));
        self.inner.search.replace(None);
        let mut cursors = self.inner.pulled.borrow().clone();
        for container in gone {
            cursors.containers.remove(container);
        }
        writes.push(Write::Put(
            Store::Meta,
            CURSORS.to_owned(),
            to_bytes(&cursors)?,
        ));
        self.inner.pulled.replace(cursors);
        self.inner.cache.write(writes).await?;
        Ok(())
    }

    /// Before a newer local copy of an item is sent again over the server's older one (after
    /// a rollback), keeps the server's content as a conflict version when it differs.
    fn keep_theirs(
        &self,
        batch: &mut Batch,
        ours: &VaultRecord,
        theirs: &VaultRecord,
        now_ms: i64,
    ) -> Result<()> {
        if ours.kind != RecordKind::Item || theirs.data.is_none() {
            return Ok(());
        }
        let (Some(Ok((item_key, our_data))), Some(Ok((_, their_data)))) = (
            self.open_in(ours.container_id, |key| seal::open_item(key, ours)),
            self.open_in(theirs.container_id, |key| seal::open_item(key, theirs)),
        ) else {
            return Ok(());
        };
        if content_differs(&our_data, &their_data) && content_differs(&our_data, &their_data) {
            self.keep_version(
                batch,
                &item_key,
                ours,
                their_data,
                HistoryReason::Conflict,
                now_ms,
            )?;
        }
        Ok(())
    }

    /// After a pull from 0 of containers whose server went back in time: every record of theirs
    /// kept here that the server once acknowledged (revision above 0) but no longer has is sent
    /// again as new.
    async fn send_again_what_the_server_lost(
        &self,
        containers: &BTreeSet<ContainerId>,
        seen: &BTreeSet<RecordId>,
        report: &mut SyncReport,
    ) -> Result<()> {
        let waiting = self.pending_ids().await?;
        let mut batch = Batch::new();
        for prefix in store::CONTENT_PREFIXES {
            for (_, bytes) in self.inner.cache.get_prefix(Store::Records, prefix).await? {
                let Ok(record) = from_bytes::<VaultRecord>(&bytes) else {
                    continue;
                };
                if record.revision > 0
                    && containers.contains(&record.container_id)
                    && !seen.contains(&record.id)
                    && !waiting.contains(&record.id)
                {
                    report.rolled_back += 1;
                    batch.record(&record, None)?;
                }
            }
        }
        if !batch.writes.is_empty() {
            self.inner.cache.write(batch.writes).await?;
        }
        Ok(())
    }
}

/// A request started at once and awaited later: it is polled once when made, so that it is
/// under way while other work goes on (a fetch keeps its answer until it is polled again).
struct Ahead<'a, T>(futures_util::future::MaybeDone<LocalFuture<'a, T>>);

impl<'a, T> Ahead<'a, T> {
    fn start(request: LocalFuture<'a, T>) -> Self {
        let mut request = futures_util::future::maybe_done(request);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let _ = std::pin::Pin::new(&mut request).poll(&mut cx);
        Self(request)
    }

    async fn wait(mut self) -> T {
        (&mut self.0).await;
        std::pin::Pin::new(&mut self.0)
            .take_output()
            .expect("a finished request has its output")
    }
}

/// Awaits `next` while driving `storing`, a local write started earlier. Its requests run in
/// the browser meanwhile, but it must be polled as they finish: the end of its transaction is
/// only listened for then. A failed write fails this too; when `next` fails, the write is
/// finished first, so that what it stored is known.
async fn beside<'a, T, E: Into<VaultError>>(
    storing: &mut Option<LocalFuture<'a, Result<()>>>,
    next: impl Future<Output = std::result::Result<T, E>>,
) -> Result<T> {
    let mut next = std::pin::pin!(next);
    let result = std::future::poll_fn(|cx| {
        if let Some(write) = storing.as_mut()
            && let std::task::Poll::Ready(done) = write.as_mut().poll(cx)
        {
            *storing = None;
            if let Err(e) = done {
                return std::task::Poll::Ready(Err(e));
            }
        }
        next.as_mut().poll(cx).map(|r| Ok(r.map_err(Into::into)))
    })
    .await?;
    if result.is_err()
        && let Some(write) = storing.take()
    {
        write.await?;
    }
    result
}
