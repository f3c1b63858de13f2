//! Sending the outbox: changes go in requests of bounded size, items and folders before past
//! versions; the server answers each change as stored, in conflict or refused. Stored changes
//! leave the outbox, conflicts keep both versions (see [`VaultSession::resolve`]), refused
//! changes stay, shown in red, until edited.

use std::collections::BTreeMap;

use shared_types::ChangeId;
use shared_types::vault::{
    Conflict, MAX_PUSH_CHANGES, PushRequest, PushResponse, RecordChange, RecordKind, VaultRecord,
};

use super::model::HistoryReason;
use super::store::{Batch, REFUSED, deletion_of, local_key, local_key_of, to_bytes, tombstone_key};
use super::{Finding, FindingKind};
use super::{RecordId, Result, SyncReport, VaultSession, seal};
use crate::cache::{Cache, Store, Write};

/// Keeps one push request well under the server's 4 MiB body limit.
const PUSH_BYTES: usize = 2 * 1024 * 1024;

impl<C: Cache> VaultSession<C> {
    pub(super) async fn push(
        &self,
        report: &mut SyncReport,
        sent: &mut std::collections::BTreeSet<(RecordId, i64)>,
        now_ms: i64,
    ) -> Result<()> {
        let mut refused = self.refused_changes().await?;
        let queued: Vec<RecordChange> = self.outbox().await?.into_values().collect();
        // Records whose waiting change is refused.
        let stuck: std::collections::BTreeSet<RecordId> = queued
            .iter()
            .filter(|c| refused.contains_key(&c.change_id))
            .map(|c| c.id)
            .collect();
        let before = refused.len();
        let mut changes = Vec::new();
        let mut waiting = std::collections::BTreeSet::new();
        for change in queued {
            waiting.insert(change.change_id);
            // A refused change is sent again once edited (a new change id). A past version
            // cannot be edited: it is sent again once its item is no longer refused (it was
            // most likely refused because its item was).
            let retry = change.kind == RecordKind::History
                && change.parent_id.is_some_and(|item| !stuck.contains(&item));
            if retry {
                refused.remove(&change.change_id);
            }
            if !refused.contains_key(&change.change_id) {
                changes.push(change);
            }
        }
        // Forget refusals of changes that are gone (edited again, or settled).
        refused.retain(|id, _| waiting.contains(id));
        if refused.len() != before {
            self.inner
                .cache
                .put(Store::Meta, REFUSED, &to_bytes(&refused)?)
                .await?;
        }
        // Items and folders first: a past version may need its item on the server, and a
        // partial failure then leaves the most useful part stored.
        changes.sort_by_key(|c| c.kind == RecordKind::History);
        let mut chunk = Vec::new();
        let mut size = 0;
        for change in changes {
            let bytes = change.data.as_ref().map_or(0, |d| d.0.len()) * 4 / 3 + 512;
            if !chunk.is_empty() && (chunk.len() == MAX_PUSH_CHANGES || size + bytes > PUSH_BYTES) {
                self.push_chunk(std::mem::take(&mut chunk), report, sent, now_ms)
                    .await?;
                size = 0;
            }
            size += bytes;
            chunk.push(change);
        }
        if !chunk.is_empty() {
            self.push_chunk(chunk, report, sent, now_ms).await?;
        }
        Ok(())
    }

    /// Pushes one request and applies its reply. A change the server refuses is marked
    /// refused (kept, shown in red with the server's reason, not sent again until edited);
    /// every other change of the request is answered on its own.
    async fn push_chunk(
        &self,
        changes: Vec<RecordChange>,
        report: &mut SyncReport,
        sent: &mut std::collections::BTreeSet<(RecordId, i64)>,
        now_ms: i64,
    ) -> Result<()> {
        let request = PushRequest { changes };
        let reply = self.inner.api.push(&request).await?;
        if !reply.refused.is_empty() {
            let mut refused = self.refused_changes().await?;
            for refusal in &reply.refused {
                refused.insert(
                    refusal.change_id,
                    (refusal.id.to_string(), refusal.message.clone()),
                );
                report.refused += 1;
            }
            self.inner
                .cache
                .put(Store::Meta, REFUSED, &to_bytes(&refused)?)
                .await?;
        }
        self.settle(request.changes, reply, report, sent, now_ms)
            .await
    }

    /// Applies a push's reply: accepted changes leave the outbox (unless a newer change of
    /// the record was made meanwhile: that one now builds on the accepted revision), and
    /// conflicts are resolved keeping both sides.
    async fn settle(
        &self,
        changes: Vec<RecordChange>,
        reply: PushResponse,
        report: &mut SyncReport,
        sent: &mut std::collections::BTreeSet<(RecordId, i64)>,
        now_ms: i64,
    ) -> Result<()> {
        let by_id: BTreeMap<RecordId, &RecordChange> = changes.iter().map(|c| (c.id, c)).collect();
        // As it is now: the person may have changed records while the push was on its way.
        let mut outbox = self.outbox().await?;
        let accepted: Vec<_> = reply
            .accepted
            .iter()
            .filter_map(|accepted| Some((accepted, *by_id.get(&accepted.id)?)))
            .collect();
        let keys: Vec<String> = accepted
            .iter()
            .map(|(_, change)| local_key_of(change.kind, change.id, change.parent_id))
            .collect();
        let locals = self.stored_many(&keys).await?;
        let mut writes = Vec::new();
        for ((accepted, change), local) in accepted.into_iter().zip(locals) {
            report.sent += 1;
            sent.insert((accepted.id, accepted.revision));
            let outbox_key = accepted.id.to_string();
            let waiting = outbox.remove(&accepted.id);
            let record = VaultRecord {
                id: change.id,
                kind: change.kind,
                container_id: change.container_id,
                parent_id: change.parent_id,
                revision: accepted.revision,
                key: change.key.clone(),
                data: change.data.clone(),
                version: change.version,
                // A live record keeps no mark (a move's went to the container it left).
                mark: change.mark.clone().filter(|_| change.data.is_none()),
                updated_at: now_ms / 1000,
            };
            match waiting {
                Some(waiting) if waiting.change_id == accepted.change_id => {
                    writes.push(Write::Delete(Store::Outbox, outbox_key));
                    if change.data.is_none() {
                        writes.push(Write::Put(
                            Store::Records,
                            tombstone_key(record.id),
                            to_bytes(&record)?,
                        ));
                    }
                    if change.data.is_some()
                        && let Some(local) = local
                        && local.data == record.data
                        && local.container_id == record.container_id
                    {
                        writes.push(Write::Put(
                            Store::Records,
                            local_key(&record),
                            to_bytes(&record)?,
                        ));
                    }
                }
                // Edited again while this change was on its way: the newer change now
                // builds on the revision the server gave this one.
                Some(newer) => writes.push(Write::Put(
                    Store::Outbox,
                    outbox_key,
                    to_bytes(&RecordChange {
                        base_revision: Some(accepted.revision),
                        ..newer
                    })?,
                )),
                // Created, then deleted here before the creation was acknowledged: the
                // deletion was never queued (the record seemed never sent). Send it now.
                None if change.data.is_some() && local.is_none() => {
                    let mark = self.deletion_mark(&record, record.container_id)?;
                    let deletion = deletion_of(&record, Some(accepted.revision), mark);
                    writes.push(Write::Put(Store::Outbox, outbox_key, to_bytes(&deletion)?));
                }
                None => {}
            }
        }
        self.inner.cache.write(writes).await?;
        for conflict in reply.conflicts {
            let Some(change) = by_id.get(&conflict.id) else {
                continue;
            };
            if let Some(current) = &conflict.current
                && !self.is_same_record(change, current)
            {
                // Not what was pushed: acting on it would put unrelated content in its place.
                // Ours stays waiting, as it is, and is sent again.
                report.findings.push(Finding {
                    record: change.id,
                    what: FindingKind::ConflictNamedAnotherRecord,
                });
                continue;
            }
            report.conflicts += 1;
            self.resolve(change, conflict, report, now_ms).await?;
        }
        Ok(())
    }

    /// Whether a conflict answer's record is the one `ours` changes: the same id, kind and item
    /// (for a past version), in a container this browser reads.
    fn is_same_record(&self, ours: &RecordChange, theirs: &VaultRecord) -> bool {
        theirs.id == ours.id
            && theirs.kind == ours.kind
            && theirs.parent_id == ours.parent_id
            && self.holds(theirs.container_id)
    }

    /// Keeps both sides of a conflict: an edit beats a delete; between two edits of an item the
    /// server's version stays current and ours goes into the item's history. A server that
    /// answers with an older revision than this browser has seen has gone back in time: ours
    /// is kept and sent again on top of what it has.
    async fn resolve(
        &self,
        ours: &RecordChange,
        theirs: Conflict,
        report: &mut SyncReport,
        now_ms: i64,
    ) -> Result<()> {
        let current = theirs.current;
        let mut batch = Batch::new();
        let seen = ours.base_revision.unwrap_or(0);
        let side = current.as_ref().map(|c| Theirs {
            revision: c.revision,
            same_container: c.container_id == ours.container_id,
            deleted: c.data.is_none(),
        });
        match (resolution(ours.data.is_none(), side, seen), current) {
            (Resolution::SendAgain { base, rolled_back }, _) => {
                if rolled_back {
                    report.rolled_back += 1;
                }
                requeue(&mut batch, ours, base)?;
            }
            (Resolution::StandAgainstDeletion, Some(current)) => {
                self.stand_against_deletion(&mut batch, ours, &current, now_ms)
                    .await?
            }
            (Resolution::Forget, _) => {
                batch
                    .writes
                    .push(Write::Delete(Store::Outbox, ours.id.to_string()));
            }
            (Resolution::TakeTheirs, Some(current)) => {
                batch
                    .writes
                    .push(Write::Delete(Store::Outbox, ours.id.to_string()));
                batch.writes.push(Write::Put(
                    Store::Records,
                    local_key(&current),
                    to_bytes(&current)?,
                ));
                self.reindex(&mut batch.writes, &current)?;
            }
            // Without a record of theirs there is nothing to stand against, take or keep.
            (
                Resolution::StandAgainstDeletion | Resolution::TakeTheirs | Resolution::KeepBoth,
                None,
            ) => {}
            (Resolution::KeepBoth, Some(current)) => {
                batch
                    .writes
                    .push(Write::Delete(Store::Outbox, ours.id.to_string()));
                batch.writes.push(Write::Put(
                    Store::Records,
                    local_key(&current),
                    to_bytes(&current)?,
                ));
                let mut kept = false;
                if ours.kind == RecordKind::Item
                    && let Some(Ok((item_key, _))) =
                        self.open_in(current.container_id, |key| seal::open_item(key, &current))
                {
                    let our_record = VaultRecord {
                        id: ours.id,
                        kind: ours.kind,
                        container_id: ours.container_id,
                        parent_id: None,
                        revision: 0,
                        key: ours.key.clone(),
                        data: ours.data.clone(),
                        version: ours.version,
                        mark: None,
                        updated_at: now_ms / 1000,
                    };
                    if let Some(Ok((_, our_data))) =
                        self.open_in(ours.container_id, |key| seal::open_item(key, &our_record))
                    {
                        self.keep_version(
                            &mut batch,
                            &item_key,
                            &current,
                            our_data,
                            HistoryReason::Conflict,
                            now_ms,
                        )?;
                        kept = true;
                    }
                }
                if kept {
                    // The item gained a version, so it changes on the server too: a deletion
                    // made without seeing that version then conflicts (and loses) instead of
                    // removing the item with it.
                    batch.record(&current, Some(current.revision))?;
                }
                self.reindex(&mut batch.writes, &current)?;
            }
        }
        self.inner.cache.write(batch.writes).await?;
        Ok(())
    }
}

impl<C: Cache> VaultSession<C> {
    /// Queues our edit again on top of the server's deletion. Its version must end above the
    /// deletion's: else the deletion's mark, served again later, would still delete it. An
    /// edit at or below it is sealed again one version above; a deletion whose mark does not
    /// open was not made by a key holder and changes nothing.
    async fn stand_against_deletion(
        &self,
        batch: &mut Batch,
        ours: &RecordChange,
        deletion: &VaultRecord,
        now_ms: i64,
    ) -> Result<()> {
        let base = Some(deletion.revision);
        if let Some(newer) = self.waiting_change(ours.id).await?
            && newer.change_id != ours.change_id
        {
            // Edited again while ours was on its way: the newer edit goes on top instead.
            return requeue(batch, &newer, base);
        }
        let deleted_at = self
            .open_in(deletion.container_id, |key| seal::open_mark(key, deletion))
            .and_then(Result::ok);
        let Some(deleted_at) = deleted_at.filter(|v| *v >= ours.version) else {
            return requeue(batch, ours, base);
        };
        let version = deleted_at + 1;
        let key = &*self.key_of(ours.container_id)?;
        let mut record = VaultRecord {
            id: ours.id,
            kind: ours.kind,
            container_id: ours.container_id,
            parent_id: ours.parent_id,
            revision: 0,
            key: ours.key.clone(),
            data: ours.data.clone(),
            version: ours.version,
            mark: ours.mark.clone(),
            updated_at: now_ms / 1000,
        };
        let data = match ours.kind {
            RecordKind::Item => {
                let (item_key, item) = self
                    .open_in(ours.container_id, |k| seal::open_item(k, &record))
                    .ok_or(super::VaultError::Missing)??;
                let sealed =
                    seal::seal_item(key, ours.container_id, ours.id, &item_key, &item, version)?;
                record.key = sealed.key;
                sealed.data
            }
            RecordKind::Folder => {
                let folder = self
                    .open_in(ours.container_id, |k| seal::open_folder(k, &record))
                    .ok_or(super::VaultError::Missing)??;
                seal::seal_folder(key, ours.container_id, ours.id, &folder, version)?
            }
            RecordKind::Trust => {
                let trust = seal::open_trust(key, &record)?;
                seal::seal_trust(key, ours.container_id, ours.id, &trust, version)?
            }
            // A past version is never edited: nothing of it stands against a deletion.
            RecordKind::History => return requeue(batch, ours, base),
        };
        record.data = Some(data);
        record.version = version;
        batch.record(&record, base)?;
        // The listing names the version too (a checkpoint compares it).
        self.reindex(&mut batch.writes, &record)
    }
}

/// What the server holds of a record our change met in a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Theirs {
    /// Its revision, in its container's sequence.
    revision: i64,
    /// Whether it lives in the container our change names (revisions compare only then).
    same_container: bool,
    /// Whether it is a deletion.
    deleted: bool,
}

/// What a conflict leaves: the merge rules, as one pure decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resolution {
    /// Ours is sent again as it is, on top of `base`; `rolled_back` when the server answered
    /// with less than this browser had seen (it went back in time).
    SendAgain {
        base: Option<i64>,
        rolled_back: bool,
    },
    /// Ours is an edit and theirs a deletion: the edit stands, sealed above the deletion.
    StandAgainstDeletion,
    /// Both deleted: nothing left to send.
    Forget,
    /// Ours deletes and theirs is an edit: theirs stands and ours is dropped.
    TakeTheirs,
    /// Both edited: theirs stays current and ours goes into the item's history.
    KeepBoth,
}

/// Decides a conflict from what our change does (`ours_deletes`), what the server holds
/// (`theirs`, `None`: nothing) and the revision our change was based on (`seen`, 0: none).
fn resolution(ours_deletes: bool, theirs: Option<Theirs>, seen: i64) -> Resolution {
    match theirs {
        // Below what we had seen, in the same container: the server went back in time.
        Some(t) if t.same_container && t.revision < seen => Resolution::SendAgain {
            base: Some(t.revision),
            rolled_back: true,
        },
        // It lost a record we had seen.
        None if seen > 0 => Resolution::SendAgain {
            base: None,
            rolled_back: true,
        },
        // Gone on the server and never seen here: ours goes as new (a deletion changes nothing).
        None if ours_deletes => Resolution::Forget,
        None => Resolution::SendAgain {
            base: None,
            rolled_back: false,
        },
        Some(t) => match (ours_deletes, t.deleted) {
            (false, true) => Resolution::StandAgainstDeletion,
            (true, true) => Resolution::Forget,
            (true, false) => Resolution::TakeTheirs,
            (false, false) => Resolution::KeepBoth,
        },
    }
}

/// Queues our change again, on top of `base` (an edit that stands against a deletion), as a
/// new change.
fn requeue(batch: &mut Batch, ours: &RecordChange, base: Option<i64>) -> Result<()> {
    batch.writes.push(Write::Put(
        Store::Outbox,
        ours.id.to_string(),
        to_bytes(&RecordChange {
            change_id: ChangeId::new_v7(),
            base_revision: base,
            ..ours.clone()
        })?,
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDIT: bool = false;
    const DELETE: bool = true;

    fn theirs(revision: i64, same_container: bool, deleted: bool) -> Option<Theirs> {
        Some(Theirs {
            revision,
            same_container,
            deleted,
        })
    }

    /// Every case of the merge rules: what ours does, what the server holds, what we had seen.
    #[test]
    fn every_conflict_case_has_one_resolution() {
        use Resolution::*;
        let again = |base, rolled_back| SendAgain { base, rolled_back };
        let cases = [
            // The server holds nothing.
            (EDIT, None, 0, again(None, false)),
            (DELETE, None, 0, Forget),
            (EDIT, None, 5, again(None, true)),
            (DELETE, None, 5, again(None, true)),
            // The server moved on in the same container.
            (EDIT, theirs(7, true, false), 5, KeepBoth),
            (EDIT, theirs(7, true, true), 5, StandAgainstDeletion),
            (DELETE, theirs(7, true, false), 5, TakeTheirs),
            (DELETE, theirs(7, true, true), 5, Forget),
            // A new record of ours met one the server has.
            (EDIT, theirs(2, true, false), 0, KeepBoth),
            (EDIT, theirs(2, true, true), 0, StandAgainstDeletion),
            (DELETE, theirs(2, true, false), 0, TakeTheirs),
            // The server went back below what we had seen.
            (EDIT, theirs(3, true, false), 5, again(Some(3), true)),
            (EDIT, theirs(3, true, true), 5, again(Some(3), true)),
            (DELETE, theirs(3, true, false), 5, again(Some(3), true)),
            (DELETE, theirs(3, true, true), 5, again(Some(3), true)),
            // The record lives in another container: its revisions do not compare with ours.
            (EDIT, theirs(3, false, false), 5, KeepBoth),
            (EDIT, theirs(3, false, true), 5, StandAgainstDeletion),
            (DELETE, theirs(3, false, false), 5, TakeTheirs),
            (DELETE, theirs(3, false, true), 5, Forget),
        ];
        for (ours_deletes, side, seen, expected) in cases {
            assert_eq!(
                resolution(ours_deletes, side, seen),
                expected,
                "ours deletes: {ours_deletes}, theirs: {side:?}, seen: {seen}"
            );
        }
    }
}
