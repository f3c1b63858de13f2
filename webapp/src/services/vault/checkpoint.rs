//! Checkpoints: what a container held at one revision, as a browser holding its key saw it. A
//! digest of the container's items and folders (each id, kind and version), sealed with the
//! container's key and bound to the revision, left on the server after a sync and compared by
//! every browser that reaches that revision. The server can neither make nor change one, so a
//! server that hides records from a browser, or serves a container as it was before newer
//! writes (a restore that then took other writes), is caught by the next browser that compares.
//!
//! Invariants:
//! - A browser compares or leaves a checkpoint of a container only when nothing of that
//!   container waits to be sent (and no waiting change moves a record anywhere): then what it
//!   lists of the container is exactly what the server acknowledged.
//! - It compares only the checkpoint at its own cursor. A mismatch makes it pull the container
//!   again from the start, keeping newer copies as after a rollback; a mismatch that remains is
//!   reported once per checkpoint, and that checkpoint is not overwritten by this browser.
//! - After a whole pull the cursor is the container's head, so a served checkpoint above the
//!   cursor means records up to it were held back (say, the newest one): it is treated as a
//!   mismatch.
//! - Past versions are not listed: they never change, and an item shows them only when opened.
//! - The newest checkpoint revision a browser verified or left only goes up; an honest server
//!   never serves an older one (its one checkpoint per container is replaced only at the
//!   container's head), so an older one, or none, means a newer one was hidden.

use std::collections::{BTreeMap, BTreeSet};

use shared_types::vault::{Checkpoint, CheckpointRequest, RecordChange, RecordKind};
use shared_types::{Base64Bytes, ContainerId, RecordId};
use wasm_crypto::{Binding, Digest, Purpose, SealedData, SymmetricKey};

use super::index::ProfileIndex;
use super::{ContainerFinding, ContainerFindingKind, Result, SyncReport, VaultSession};
use crate::cache::{Cache, Store};

/// What a pull served of each container: its newest checkpoint and its head.
#[derive(Debug, Default)]
pub(super) struct Served {
    pub(super) checkpoints: BTreeMap<ContainerId, Checkpoint>,
    pub(super) heads: BTreeMap<ContainerId, i64>,
}

impl Served {
    /// The checkpoint of `container` to compare with what this browser holds at `cursor`: the
    /// one at the cursor, or one above it that is not above the served head either (after a
    /// whole pull the cursor is the head, so records up to it were held back). One above the
    /// head belongs to a sequence the server no longer serves (a restore, which the heads
    /// already report).
    fn to_compare(&self, container: ContainerId, cursor: i64) -> Option<&Checkpoint> {
        let head = self.heads.get(&container).copied().unwrap_or(0);
        self.checkpoints
            .get(&container)
            .filter(|c| c.revision == cursor || (c.revision > cursor && c.revision <= head))
    }
}

/// What a checkpoint states of a container: a digest of its items and folders, and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Contents {
    digest: [u8; 32],
    count: u64,
}

impl Contents {
    /// The contents listed in a profile's index.
    pub(super) fn of(index: &ProfileIndex) -> Self {
        let mut digest = Digest::new();
        let items = index
            .items
            .iter()
            .map(|(id, s)| (RecordKind::Item, id, s.version));
        let folders = (index.folders.iter()).map(|(id, f)| (RecordKind::Folder, id, f.version));
        let trust = (index.trust.iter()).map(|(id, t)| (RecordKind::Trust, id, t.version));
        let mut count = 0;
        for (kind, id, version) in items.chain(folders).chain(trust) {
            digest.update(&[super::seal::kind_byte(kind)]);
            digest.update(id.0.as_bytes());
            digest.update(&version.to_be_bytes());
            count += 1;
        }
        Self {
            digest: digest.finish(),
            count,
        }
    }
}

fn binding(container: ContainerId, revision: i64) -> Option<Binding> {
    let revision = u64::try_from(revision).ok()?;
    Some(Binding::new(Purpose::ContainerCheckpoint, container.0, container.0).at_version(revision))
}

/// Seals `contents` as the checkpoint of `container` at `revision`.
pub(super) fn seal(
    key: &SymmetricKey,
    container: ContainerId,
    revision: i64,
    contents: Contents,
) -> Option<Checkpoint> {
    let mut plain = contents.digest.to_vec();
    plain.extend_from_slice(&contents.count.to_be_bytes());
    let sealed = wasm_crypto::seal(key, &binding(container, revision)?, &plain);
    Some(Checkpoint {
        container_id: container,
        revision,
        sealed: Base64Bytes(sealed.into_bytes()),
    })
}

/// Opens a served checkpoint: `None` when it was not sealed by a key holder for this container
/// and revision.
pub(super) fn open(key: &SymmetricKey, checkpoint: &Checkpoint) -> Option<Contents> {
    let sealed = SealedData::from_bytes(checkpoint.sealed.0.clone()).ok()?;
    let binding = binding(checkpoint.container_id, checkpoint.revision)?;
    let plain = wasm_crypto::open(key, &binding, &sealed).ok()?;
    let (digest, count) = plain.split_at_checked(32)?;
    Some(Contents {
        digest: digest.try_into().ok()?,
        count: u64::from_be_bytes(count.try_into().ok()?),
    })
}

/// The containers whose listing may differ from the server's because of changes waiting to be
/// sent; `None` when a waiting change moves a record (the container it leaves is not named).
fn unsettled(outbox: &BTreeMap<RecordId, RecordChange>) -> Option<BTreeSet<ContainerId>> {
    let mut containers = BTreeSet::new();
    for change in outbox.values() {
        if change.data.is_some() && change.mark.is_some() {
            return None;
        }
        containers.insert(change.container_id);
    }
    Some(containers)
}

impl<C: Cache> VaultSession<C> {
    /// The newest checkpoint revision of `container` this browser verified or left (0: none).
    pub fn checked(&self, container: ContainerId) -> i64 {
        let pulled = self.inner.pulled.borrow();
        pulled.checked.get(&container).copied().unwrap_or(0)
    }

    /// Opens a checkpoint of `container` with any key held of it (a share being re-keyed keeps
    /// its earlier key until every record is sealed again).
    fn open_checkpoint(&self, container: ContainerId, checkpoint: &Checkpoint) -> Option<Contents> {
        self.open_in(container, |key| {
            open(key, checkpoint).ok_or(super::seal::SealError::Damaged)
        })
        .and_then(Result::ok)
    }

    /// What this browser lists of each of its profiles, and the containers among them with
    /// changes waiting (all of them when a waiting change moves a record). The listing is taken
    /// first: a save in progress updates the listing before its write, and the outbox read
    /// waits for that write, so a listing that includes it is always marked as waiting.
    async fn settled_contents(&self) -> Result<BTreeMap<ContainerId, Contents>> {
        let mut contents: BTreeMap<ContainerId, Contents> = (self.inner.containers.borrow().iter())
            .map(|p| (p.id, Contents::of(&p.index)))
            .collect();
        match unsettled(&self.outbox().await?) {
            Some(busy) => contents.retain(|c, _| !busy.contains(c)),
            None => contents.clear(),
        }
        Ok(contents)
    }

    /// After a pull: compares the served checkpoints at this browser's cursors with what it
    /// holds, pulls again the containers that differ and reports those that still do, reports
    /// a hidden newer checkpoint, and leaves a checkpoint of every container it holds up to the
    /// head where none is. See the module's invariants.
    pub(super) async fn check_containers(
        &self,
        mut served: Served,
        report: &mut SyncReport,
        sent: &BTreeSet<(RecordId, i64)>,
        now_ms: i64,
    ) -> Result<()> {
        let mut state = self.inner.pulled.borrow().clone();
        let mut held = self.settled_contents().await?;
        let mut again = BTreeSet::new();
        for (&container, &cursor) in &state.containers {
            let Some(held) = held.get(&container).filter(|_| self.holds(container)) else {
                continue;
            };
            let floor = state.checked.get(&container).copied().unwrap_or(0);
            match served.to_compare(container, cursor) {
                Some(checkpoint) => {
                    if state.refuted.get(&container) == Some(&cursor) {
                        continue;
                    }
                    if checkpoint.revision == cursor
                        && self.open_checkpoint(container, checkpoint).as_ref() == Some(held)
                    {
                        state.checked.insert(container, cursor);
                    } else {
                        // Other contents, or a checkpoint of a revision the pull did not reach:
                        // records up to it exist that were not served.
                        again.insert(container);
                    }
                }
                None if served.checkpoints.get(&container).map_or(0, |c| c.revision) < floor => {
                    report.containers.push(ContainerFinding {
                        container,
                        what: ContainerFindingKind::CheckpointHidden,
                    });
                }
                _ => {}
            }
        }
        if !again.is_empty() {
            self.inner.pulled.replace(state);
            served = self.pull(report, sent, now_ms, &again).await?;
            state = self.inner.pulled.borrow().clone();
            // What is held changed. Copies kept here and sent again are compared at a later
            // sync, once stored.
            held = self.settled_contents().await?;
            for &container in &again {
                let revision = state.of(container);
                let (true, Some(held), Some(checkpoint)) = (
                    self.holds(container),
                    held.get(&container),
                    served.to_compare(container, revision),
                ) else {
                    continue;
                };
                if checkpoint.revision == revision
                    && self.open_checkpoint(container, checkpoint).as_ref() == Some(held)
                {
                    state.checked.insert(container, revision);
                } else {
                    state.refuted.insert(container, revision);
                    report.containers.push(ContainerFinding {
                        container,
                        what: ContainerFindingKind::RecordsHidden,
                    });
                }
            }
        }
        let mut leave = Vec::new();
        for (&container, &cursor) in &state.containers {
            let at_cursor =
                (served.checkpoints.get(&container)).is_some_and(|c| c.revision == cursor);
            let (Some(key), Some(held)) = (self.container_key(container), held.get(&container))
            else {
                continue;
            };
            // A viewer of a shared folder may not write there, checkpoints included.
            let writes = self.area(container).is_some_and(|a| a.can_edit());
            if cursor > 0 && !at_cursor && writes {
                leave.extend(seal(&key, container, cursor, *held));
            }
        }
        if !leave.is_empty() {
            let revisions: BTreeMap<ContainerId, i64> =
                leave.iter().map(|c| (c.container_id, c.revision)).collect();
            let stored = self
                .inner
                .api
                .checkpoint(CheckpointRequest { checkpoints: leave })
                .await?;
            for container in stored.stored {
                if let Some(&revision) = revisions.get(&container) {
                    state.checked.insert(container, revision);
                }
            }
        }
        let bytes = super::store::to_bytes(&state)?;
        self.inner
            .cache
            .put(Store::Meta, super::store::CURSORS, &bytes)
            .await?;
        self.inner.pulled.replace(state);
        Ok(())
    }
}
