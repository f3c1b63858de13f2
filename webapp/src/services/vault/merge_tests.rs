//! The merge, under random interleavings: three browsers of one account edit, trash and delete
//! the same items, each syncing at random moments, against one in-memory server that applies
//! the server's rules (a revision sequence per container, a stale base is a conflict answered
//! with the current record, change ids stored once, deletions kept as tombstones). Once every browser
//! has synced until nothing is left to send, all three hold the same vault, and no version
//! anyone wrote is lost: each is the current one or in the item's history. The only versions
//! allowed to disappear are those a browser had seen when it deleted the item for good (even
//! if the item is back because another browser's concurrent edit beat that deletion).
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use futures_executor::block_on;
use proptest::prelude::*;
use shared_types::AccountId;
use shared_types::ShareId;
use shared_types::push_rules::{self, Verdict};
use shared_types::sharing::{
    KeyLookupReply, KeyLookupRequest, KeyWrapping, ListChangeRequest, ListRole,
    NewGenerationRequest, RekeyClaim, RenameShareRequest, ShareMeta, SharePrincipal,
};
use shared_types::vault::{
    Accepted, Checkpoint, CheckpointRequest, CheckpointResponse, Conflict, ContainerAccess,
    ContainerKind, Cursor, PullRequest, PullResponse, PushRequest, PushResponse, RollbackReport,
};
use wasm_crypto::MasterPassword;

use super::model::{ItemData, ItemKind};
use super::remote::LocalFuture;
use super::store::{CURSORS, OLD_PULLED_REVISION};
use super::*;
use crate::cache::MemoryCache;
use crate::services::keys::make_account;
use shared_types::account::ProfileKind;

/// The server in memory: a revision sequence per container, records keyed by (container, id),
/// a change naming another container moves the record (its old container keeps a tombstone).
/// Each change is judged by the server's own rules (`shared_types::push_rules`).
#[derive(Default)]
pub(super) struct Server {
    pub(super) heads: BTreeMap<ContainerId, i64>,
    pub(super) records: BTreeMap<(ContainerId, RecordId), VaultRecord>,
    changes: BTreeMap<ChangeId, (RecordId, i64)>,
    /// Rollbacks browsers reported.
    reported: Vec<u32>,
    /// While set, every call fails as if the network were down.
    unreachable: bool,
    /// A malicious server: while set, a conflict is answered with this record as the current
    /// one, whatever record the change named.
    forged_current: Option<VaultRecord>,
    /// The account's access feed: containers taken away from it are not served any more.
    revoked: Vec<ContainerAccess>,
    /// The newest checkpoint of each container.
    checkpoints: BTreeMap<ContainerId, Checkpoint>,
    /// A malicious server: records it never serves.
    hidden: BTreeSet<RecordId>,
    /// A malicious server: while set, it serves no checkpoint.
    withhold_checkpoints: bool,
    /// The shares served to each account (`GET /api/shares`).
    pub(super) shares: BTreeMap<AccountId, Vec<ShareMeta>>,
    /// Every account's published keys.
    pub(super) published: Vec<shared_types::sharing::PublishedKeys>,
    /// How many new share key generations were stored.
    pub(super) rekeys: usize,
}

/// A stored record as the push rules see it.
fn held(record: &VaultRecord) -> push_rules::Held {
    push_rules::Held {
        container_id: record.container_id,
        kind: record.kind,
        revision: record.revision,
        live: record.data.is_some(),
    }
}

impl Server {
    fn next(&mut self, container: ContainerId) -> i64 {
        let head = self.heads.entry(container).or_default();
        *head += 1;
        *head
    }
}

/// The server, as one account calls it (`None`: the single account of the merge tests).
#[derive(Clone, Default)]
pub(super) struct MemoryServer(pub(super) Rc<RefCell<Server>>, pub(super) Option<AccountId>);

impl MemoryServer {
    /// The same server, called by `account`.
    pub(super) fn as_account(&self, account: AccountId) -> Self {
        Self(self.0.clone(), Some(account))
    }
}

impl Remote for MemoryServer {
    fn shares(&self) -> LocalFuture<'_, Result<Vec<ShareMeta>, ApiError>> {
        let server = self.0.borrow();
        let result = match (server.unreachable, self.1) {
            (true, _) => Err(ApiError::Unreachable),
            (false, Some(account)) => Ok(server.shares.get(&account).cloned().unwrap_or_default()),
            (false, None) => Ok(Vec::new()),
        };
        Box::pin(async move { result })
    }

    fn claim_rekey(&self, _share: ShareId) -> LocalFuture<'_, Result<RekeyClaim, ApiError>> {
        let result = Ok(RekeyClaim {
            granted: true,
            holder: self.1,
            until: 0,
        });
        Box::pin(async move { result })
    }

    fn new_generation<'a>(
        &'a self,
        share: ShareId,
        request: &'a NewGenerationRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        let mut server = self.0.borrow_mut();
        server.rekeys += 1;
        for (account, metas) in &mut server.shares {
            for meta in metas.iter_mut().filter(|m| m.id == share) {
                meta.lists.push(request.list.clone());
                meta.generation = request.list.list.generation;
                meta.wrappings.extend(
                    (request.wrappings.iter())
                        .filter(|w| w.recipient == account.0)
                        .map(|w| KeyWrapping {
                            generation: request.list.list.generation,
                            ..w.clone()
                        }),
                );
            }
        }
        Box::pin(async move { Ok(()) })
    }

    fn rekey_done(&self, share: ShareId, generation: u64) -> LocalFuture<'_, Result<(), ApiError>> {
        let mut server = self.0.borrow_mut();
        for metas in server.shares.values_mut() {
            for meta in metas.iter_mut().filter(|m| m.id == share) {
                meta.wrappings.retain(|w| w.generation >= generation);
                meta.rekey_pending = false;
            }
        }
        Box::pin(async move { Ok(()) })
    }

    fn change_share_list<'a>(
        &'a self,
        share: ShareId,
        request: &'a ListChangeRequest,
    ) -> LocalFuture<'a, Result<ShareMeta, ApiError>> {
        let mut server = self.0.borrow_mut();
        let list = &request.list.list;
        let template = (server.shares.values().flatten())
            .find(|m| m.id == share)
            .cloned();
        let Some(template) = template else {
            return Box::pin(async move { Err(ApiError::Unreachable) });
        };
        for entry in &list.entries {
            let account = AccountId(entry.id);
            let metas = server.shares.entry(account).or_default();
            if !metas.iter().any(|m| m.id == share) {
                metas.push(ShareMeta {
                    role: entry.role,
                    wrappings: Vec::new(),
                    principals: Vec::new(),
                    ..template.clone()
                });
            }
        }
        for (account, metas) in &mut server.shares {
            for meta in metas.iter_mut().filter(|m| m.id == share) {
                meta.lists.push(request.list.clone());
                meta.wrappings.extend(
                    (request.wrappings.iter())
                        .filter(|w| w.recipient == account.0)
                        .map(|w| KeyWrapping {
                            generation: list.generation,
                            ..w.clone()
                        }),
                );
                if matches!(meta.role, ListRole::Owner | ListRole::Manage) {
                    meta.principals = (list.entries.iter())
                        .map(|e| SharePrincipal {
                            id: e.id,
                            kind: e.kind,
                            role: e.role,
                            email: None,
                            has_key: true,
                        })
                        .collect();
                }
            }
        }
        let caller = self
            .1
            .and_then(|a| server.shares.get(&a))
            .and_then(|m| m.iter().find(|m| m.id == share).cloned());
        Box::pin(async move { caller.ok_or(ApiError::Unreachable) })
    }

    fn rename_share<'a>(
        &'a self,
        share: ShareId,
        request: &'a RenameShareRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        let mut server = self.0.borrow_mut();
        for metas in server.shares.values_mut() {
            for meta in metas.iter_mut().filter(|m| m.id == share) {
                meta.sealed_name = request.sealed_name.clone();
                meta.name_version = request.name_version;
            }
        }
        Box::pin(async move { Ok(()) })
    }

    fn lookup_keys<'a>(
        &'a self,
        request: &'a KeyLookupRequest,
    ) -> LocalFuture<'a, Result<KeyLookupReply, ApiError>> {
        let server = self.0.borrow();
        let result = if server.unreachable {
            Err(ApiError::Unreachable)
        } else {
            Ok(KeyLookupReply {
                keys: (server.published.iter())
                    .filter(|k| request.account_ids.contains(&k.account_id))
                    .cloned()
                    .collect(),
            })
        };
        Box::pin(async move { result })
    }

    fn pull(&self, request: PullRequest) -> LocalFuture<'_, Result<PullResponse, ApiError>> {
        let server = self.0.borrow();
        let result = if server.unreachable {
            Err(ApiError::Unreachable)
        } else {
            let since = |c: ContainerId| {
                request
                    .cursors
                    .iter()
                    .find(|cursor| cursor.container_id == c)
                    .map_or(0, |cursor| cursor.revision)
            };
            let readable = |c: &ContainerId| !server.revoked.iter().any(|a| a.container_id == *c);
            let mut records: Vec<VaultRecord> = server
                .records
                .values()
                .filter(|r| readable(&r.container_id) && r.revision > since(r.container_id))
                .filter(|r| !server.hidden.contains(&r.id))
                .cloned()
                .collect();
            records.sort_by_key(|r| (r.container_id, r.revision));
            // Small pages, so that paging is exercised too.
            let more = records.len() > 3;
            records.truncate(3);
            Ok(PullResponse {
                access: server
                    .revoked
                    .iter()
                    .filter(|a| a.revision > request.access_since)
                    .copied()
                    .collect(),
                access_head: server.revoked.iter().map(|a| a.revision).max().unwrap_or(0),
                heads: server
                    .heads
                    .iter()
                    .filter(|(c, _)| readable(c))
                    .map(|(&container_id, &revision)| Cursor {
                        container_id,
                        revision,
                    })
                    .collect(),
                records,
                more,
                checkpoints: (server.checkpoints.values())
                    .filter(|c| readable(&c.container_id) && !server.withhold_checkpoints)
                    .cloned()
                    .collect(),
            })
        };
        Box::pin(async move { result })
    }

    fn checkpoint(
        &self,
        request: CheckpointRequest,
    ) -> LocalFuture<'_, Result<CheckpointResponse, ApiError>> {
        let mut server = self.0.borrow_mut();
        let result = if server.unreachable {
            Err(ApiError::Unreachable)
        } else {
            let mut stored = Vec::new();
            for checkpoint in request.checkpoints {
                let head = server.heads.get(&checkpoint.container_id).copied();
                if head == Some(checkpoint.revision) {
                    stored.push(checkpoint.container_id);
                    server
                        .checkpoints
                        .insert(checkpoint.container_id, checkpoint);
                }
            }
            Ok(CheckpointResponse { stored })
        };
        Box::pin(async move { result })
    }

    fn push<'a>(
        &'a self,
        request: &'a PushRequest,
    ) -> LocalFuture<'a, Result<PushResponse, ApiError>> {
        let mut server = self.0.borrow_mut();
        let result = if server.unreachable {
            Err(ApiError::Unreachable)
        } else {
            // The server's own rules (`shared_types::push_rules`): shape, change ids stored
            // once, the current row, who may write where, kinds, base revisions, parents.
            let (changes, refused) = push_rules::well_formed(request.changes.clone());
            let mut reply = PushResponse {
                accepted: Vec::new(),
                conflicts: Vec::new(),
                refused,
            };
            // The account owns every container it was not taken out of.
            let revoked: BTreeSet<ContainerId> =
                server.revoked.iter().map(|a| a.container_id).collect();
            let may_write = |c: ContainerId| !revoked.contains(&c);
            let pushed_items: BTreeSet<RecordId> = changes
                .iter()
                .filter(|c| c.kind == RecordKind::Item && c.data.is_some())
                .map(|c| c.id)
                .collect();
            for change in &changes {
                if let Some(&(record, revision)) = server.changes.get(&change.change_id) {
                    match push_rules::replayed(change, record) {
                        Ok(()) => reply.accepted.push(Accepted {
                            id: change.id,
                            change_id: change.change_id,
                            revision,
                        }),
                        Err(refusal) => reply.refused.push(refusal),
                    }
                    continue;
                }
                let rows: Vec<&VaultRecord> = server
                    .records
                    .values()
                    .filter(|r| r.id == change.id && may_write(r.container_id))
                    .collect();
                let current = push_rules::current(&rows, |r| held(r), change.container_id)
                    .map(|r| (*r).clone());
                if let Some(parent) = push_rules::needed_parent(change)
                    && !pushed_items.contains(&parent)
                    && !server
                        .records
                        .values()
                        .any(|r| r.id == parent && r.kind == RecordKind::Item && r.data.is_some())
                {
                    reply.refused.push(push_rules::missing_parent(change));
                    continue;
                }
                match push_rules::judge(change, current.as_ref().map(held), may_write) {
                    Verdict::Store => {}
                    Verdict::Conflict => {
                        reply.conflicts.push(Conflict {
                            id: change.id,
                            current: server.forged_current.clone().or(current),
                        });
                        continue;
                    }
                    Verdict::Refuse(code, message) => {
                        reply
                            .refused
                            .push(push_rules::refuse(change, code, message));
                        continue;
                    }
                }
                if let Some(moved) = current.filter(|c| c.container_id != change.container_id) {
                    let revision = server.next(moved.container_id);
                    server.records.insert(
                        (moved.container_id, moved.id),
                        VaultRecord {
                            revision,
                            key: None,
                            data: None,
                            version: change.version,
                            mark: change.mark.clone(),
                            ..moved
                        },
                    );
                }
                let revision = server.next(change.container_id);
                server.records.insert(
                    (change.container_id, change.id),
                    VaultRecord {
                        id: change.id,
                        kind: change.kind,
                        container_id: change.container_id,
                        parent_id: change.parent_id,
                        revision,
                        key: change.key.clone(),
                        data: change.data.clone(),
                        version: change.version,
                        mark: change.mark.clone().filter(|_| change.data.is_none()),
                        updated_at: 0,
                    },
                );
                server
                    .changes
                    .insert(change.change_id, (change.id, revision));
                reply.accepted.push(Accepted {
                    id: change.id,
                    change_id: change.change_id,
                    revision,
                });
            }
            Ok(reply)
        };
        Box::pin(async move { result })
    }

    fn report_rollback(&self, report: RollbackReport) -> LocalFuture<'_, Result<(), ApiError>> {
        self.0.borrow_mut().reported.push(report.records);
        Box::pin(async { Ok(()) })
    }
}

const FAST: wasm_crypto::KdfParams = wasm_crypto::KdfParams {
    memory_kib: 19 * 1024,
    iterations: 2,
    parallelism: 1,
};

thread_local! {
    static KEYS: Arc<VaultKeys> = {
        let password = MasterPassword::new("a long and unusual passphrase".into());
        Arc::new(make_account("m@example.com", &password, FAST).unwrap().vault)
    };
}

const ITEMS: usize = 2;
const CLIENTS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    /// A browser saves a new password for an item.
    Edit(usize, usize),
    /// A browser moves an item to the trash.
    Trash(usize, usize),
    /// A browser deletes an item for good.
    Delete(usize, usize),
    /// A browser syncs.
    Sync(usize),
    /// The network drops or comes back (for every browser).
    Network(bool),
}

fn op() -> impl Strategy<Value = Op> {
    let client = 0..CLIENTS;
    let item = 0..ITEMS;
    prop_oneof![
        4 => (client.clone(), item.clone()).prop_map(|(c, i)| Op::Edit(c, i)),
        1 => (client.clone(), item.clone()).prop_map(|(c, i)| Op::Trash(c, i)),
        1 => (client.clone(), item).prop_map(|(c, i)| Op::Delete(c, i)),
        4 => client.prop_map(Op::Sync),
        1 => any::<bool>().prop_map(Op::Network),
    ]
}

fn login(password: &str) -> ItemData {
    let mut item = ItemData::new(ItemKind::Login, 1);
    item.title = "Shared".into();
    item.set_field("password", password.into());
    item
}

/// Every password an item holds in this browser: the current one, and each in its history.
fn versions(session: &VaultSession<MemoryCache>, id: RecordId) -> Option<BTreeSet<String>> {
    let current = block_on(session.item(id)).ok()?;
    let mut all = BTreeSet::from([current.data.field("password").to_owned()]);
    for past in block_on(session.history(id)).unwrap() {
        all.insert(past.history.item.field("password").to_owned());
    }
    Some(all)
}

/// A new browser of the test account, with an empty cache, syncing to `server`.
fn browser(server: &MemoryServer) -> VaultSession<MemoryCache> {
    browser_on(server, MemoryCache::default())
}

/// A browser of the test account keeping its vault in `cache`.
fn browser_on(server: &MemoryServer, cache: MemoryCache) -> VaultSession<MemoryCache> {
    block_on(VaultSession::open(
        cache,
        server.clone(),
        KEYS.with(Arc::clone),
        1_000,
    ))
    .unwrap()
}

fn personal(session: &VaultSession<MemoryCache>) -> ContainerId {
    profile_of_kind(session, ProfileKind::Personal)
}

fn business(session: &VaultSession<MemoryCache>) -> ContainerId {
    profile_of_kind(session, ProfileKind::Business)
}

fn profile_of_kind(session: &VaultSession<MemoryCache>, kind: ProfileKind) -> ContainerId {
    session
        .profiles()
        .into_iter()
        .find(|(_, k)| *k == kind)
        .unwrap()
        .0
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let server = MemoryServer::default();
    let clients: Vec<_> = (0..CLIENTS).map(|_| browser(&server)).collect();
    let personal = personal(&clients[0]);
    // The items exist everywhere before the interleaving starts.
    let mut written: Vec<BTreeSet<String>> = Vec::new();
    let mut ids = Vec::new();
    for i in 0..ITEMS {
        let first = format!("item{i}-v0");
        ids.push(block_on(clients[0].save_item(None, personal, login(&first), 1)).unwrap());
        written.push(BTreeSet::from([first]));
    }
    for client in &clients {
        block_on(client.sync(2)).unwrap();
    }
    // What each deletion's browser had seen of the item when it deleted it.
    let mut deleted_knowing: Vec<BTreeSet<String>> = vec![BTreeSet::new(); ITEMS];
    let mut now = 10;
    for (n, op) in ops.into_iter().enumerate() {
        now += 10;
        match op {
            Op::Edit(c, i) => {
                let Ok(mut current) = block_on(clients[c].item(ids[i])) else {
                    continue; // deleted in this browser
                };
                let password = format!("item{i}-c{c}-e{n}");
                current.data.set_field("password", password.clone());
                block_on(clients[c].save_item(Some(ids[i]), current.container, current.data, now))
                    .unwrap();
                written[i].insert(password);
            }
            Op::Trash(c, i) => {
                let _ = block_on(clients[c].trash_item(ids[i], now));
            }
            Op::Delete(c, i) => {
                if let Some(seen) = versions(&clients[c], ids[i]) {
                    block_on(clients[c].purge_item(ids[i])).unwrap();
                    deleted_knowing[i].extend(seen);
                }
            }
            Op::Sync(c) => match block_on(clients[c].sync(now)) {
                Ok(_) | Err(VaultError::Api(ApiError::Unreachable)) => {}
                Err(e) => return Err(TestCaseError::fail(format!("sync failed: {e}"))),
            },
            Op::Network(up) => server.0.borrow_mut().unreachable = !up,
        }
    }
    // Back online; everyone syncs until nothing is left to send and nothing new arrives.
    server.0.borrow_mut().unreachable = false;
    for _ in 0..6 {
        for client in &clients {
            now += 10;
            block_on(client.sync(now)).unwrap();
        }
    }
    for client in &clients {
        prop_assert_eq!(block_on(client.pending_count()).unwrap(), 0, "all sent");
        // An honest server: the checkpoints every browser left and compared all matched.
        let notice = block_on(client.rollback_notice()).unwrap();
        prop_assert!(
            notice
                .as_ref()
                .is_none_or(|n| n.containers.is_empty() && n.findings.is_empty()),
            "no forgery found on an honest server: {:?}",
            notice
        );
    }
    // Every browser checked its profile against a checkpoint at its cursor, or left one.
    for client in &clients {
        prop_assert!(client.checked(personal) > 0);
    }
    for (i, id) in ids.iter().enumerate() {
        let seen: Vec<Option<BTreeSet<String>>> =
            clients.iter().map(|c| versions(c, *id)).collect();
        prop_assert!(
            seen.iter().all(|s| s == &seen[0]),
            "the browsers agree on item {}: {:?}",
            i,
            seen
        );
        // A version may be gone only if a browser that deleted the item for good had seen it
        // (the item itself may be back: another browser's concurrent edit beats the deletion).
        let present = seen[0].clone().unwrap_or_default();
        let lost: Vec<_> = written[i]
            .iter()
            .filter(|v| !present.contains(*v) && !deleted_knowing[i].contains(*v))
            .collect();
        prop_assert!(lost.is_empty(), "item {} lost {:?}", i, lost);
    }
    Ok(())
}

proptest! {
    // 48 cases in the test run; `PROPTEST_CASES=5000` searches deeper.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_version_survives_any_interleaving(ops in proptest::collection::vec(op(), 1..40)) {
        run(ops)?;
    }
}

/// The case that matters most, spelled out: two browsers edit the same item offline; after
/// both sync, one version is current and the other is in the history, marked as a conflict.
#[test]
fn two_offline_edits_of_one_item_both_survive() {
    run(vec![
        Op::Network(false),
        Op::Edit(0, 0),
        Op::Edit(1, 0),
        Op::Network(true),
        Op::Sync(0),
        Op::Sync(1),
    ])
    .unwrap();
}

/// An edit beats a deletion made at the same time by a browser that had not seen it.
#[test]
fn an_edit_beats_a_concurrent_deletion() {
    run(vec![
        Op::Edit(0, 1),
        Op::Delete(1, 1),
        Op::Sync(1),
        Op::Sync(0),
    ])
    .unwrap();
}

/// A server restored from an old backup serves older data than a browser has seen: the
/// browser reports it, keeps its newer copies and sends them again, and nothing is lost.
#[test]
fn a_server_that_goes_back_in_time_is_reported_and_healed() {
    let server = MemoryServer::default();
    let (a, b) = (browser(&server), browser(&server));
    let personal = personal(&a);
    let kept = block_on(a.save_item(None, personal, login("v1"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    block_on(b.sync(30)).unwrap();
    // The backup is taken here.
    let backup = {
        let s = server.0.borrow();
        (s.heads.clone(), s.records.clone(), s.changes.clone())
    };
    let mut edited = block_on(a.item(kept)).unwrap().data;
    edited.set_field("password", "v2".into());
    block_on(a.save_item(Some(kept), personal, edited, 40)).unwrap();
    let later = block_on(a.save_item(None, personal, login("new"), 41)).unwrap();
    block_on(a.sync(50)).unwrap();
    block_on(b.sync(60)).unwrap();
    assert_eq!(block_on(b.rollback_notice()).unwrap(), None);

    // Restored: the server forgets v2 and the new item.
    {
        let mut s = server.0.borrow_mut();
        (s.heads, s.records, s.changes) = backup;
    }
    let report = block_on(b.sync(70)).unwrap();
    assert!(report.rolled_back > 0, "{report:?}");
    let notice = block_on(b.rollback_notice()).unwrap().unwrap();
    assert_eq!(notice.at_ms, 70);
    // B kept its newer copies and sends them back; A, which saw the same, agrees.
    block_on(b.sync(80)).unwrap();
    block_on(a.sync(90)).unwrap();
    block_on(b.sync(100)).unwrap();
    for session in [&a, &b] {
        assert_eq!(
            versions(session, kept).unwrap(),
            BTreeSet::from(["v1".to_owned(), "v2".to_owned()])
        );
        assert_eq!(
            block_on(session.item(later))
                .unwrap()
                .data
                .field("password"),
            "new"
        );
        assert_eq!(block_on(session.pending_count()).unwrap(), 0);
    }
    block_on(b.dismiss_rollback()).unwrap();
    assert_eq!(block_on(b.rollback_notice()).unwrap(), None);
}

/// An item deleted for good in one browser leaves nothing of it in another, past versions
/// included: only the tombstones are remembered, for rollback detection.
#[test]
fn an_item_deleted_for_good_elsewhere_leaves_nothing_of_it_here() {
    use crate::cache::{Cache, Store};
    let server = MemoryServer::default();
    let cache = MemoryCache::default();
    let a = browser_on(&server, cache.clone());
    let b = browser(&server);
    let personal = personal(&a);
    let id = block_on(a.save_item(None, personal, login("v1"), 10)).unwrap();
    let mut edited = block_on(a.item(id)).unwrap().data;
    edited.set_field("password", "v2".into());
    block_on(a.save_item(Some(id), personal, edited, 20)).unwrap();
    block_on(a.sync(30)).unwrap();
    assert_eq!(block_on(a.history(id)).unwrap().len(), 1);
    block_on(b.sync(40)).unwrap();
    block_on(b.trash_item(id, 50)).unwrap();
    block_on(b.purge_item(id)).unwrap();
    block_on(b.sync(60)).unwrap();
    block_on(a.sync(70)).unwrap();
    let left = block_on(cache.keys(Store::Records)).unwrap();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().all(|k| k.starts_with("t:")), "{left:?}");
    assert!(left.contains(&format!("t:{id}")));
}

/// A server restored from a backup taken before a deletion serves the deleted item alive
/// again: the browsers that saw the deletion report the rollback, and the item stays (an edit
/// beats a deletion, and the server's copy may hold one made after the restore).
#[test]
fn a_restored_server_that_brings_back_a_deleted_item_is_reported() {
    let server = MemoryServer::default();
    let (a, b) = (browser(&server), browser(&server));
    let personal = personal(&a);
    let back = block_on(a.save_item(None, personal, login("v1"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    block_on(b.sync(30)).unwrap();
    let backup = {
        let s = server.0.borrow();
        (s.heads.clone(), s.records.clone(), s.changes.clone())
    };
    block_on(a.trash_item(back, 40)).unwrap();
    block_on(a.purge_item(back)).unwrap();
    block_on(a.sync(50)).unwrap();
    block_on(b.sync(60)).unwrap();
    assert!(block_on(b.item(back)).is_err());
    assert_eq!(block_on(b.rollback_notice()).unwrap(), None);
    {
        let mut s = server.0.borrow_mut();
        (s.heads, s.records, s.changes) = backup;
    }
    let report = block_on(b.sync(70)).unwrap();
    // Once for the head below what B pulled, once for the item its tombstone outdates.
    assert_eq!(report.rolled_back, 2, "{report:?}");
    assert!(block_on(b.rollback_notice()).unwrap().is_some());
    assert_eq!(server.0.borrow().reported, vec![2], "the operator is told");
    block_on(a.sync(80)).unwrap();
    for session in [&a, &b] {
        assert_eq!(
            versions(session, back).unwrap(),
            BTreeSet::from(["v1".to_owned()])
        );
        assert_eq!(block_on(session.pending_count()).unwrap(), 0);
    }
}

/// After a restore, a browser that saw a newer version sends it again, and an edit made on the
/// restored server in the meantime is kept in the item's history rather than overwritten.
#[test]
fn an_edit_made_on_a_restored_server_survives_the_newer_copy_sent_again() {
    let server = MemoryServer::default();
    let (a, b, c) = (browser(&server), browser(&server), browser(&server));
    let personal = personal(&a);
    let id = block_on(a.save_item(None, personal, login("v1"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    block_on(b.sync(21)).unwrap();
    block_on(c.sync(22)).unwrap();
    let backup = {
        let s = server.0.borrow();
        (s.heads.clone(), s.records.clone(), s.changes.clone())
    };
    for (n, password) in ["v2", "v3"].iter().enumerate() {
        let mut edited = block_on(a.item(id)).unwrap().data;
        edited.set_field("password", (*password).into());
        block_on(a.save_item(Some(id), personal, edited, 30 + n as i64)).unwrap();
    }
    block_on(a.sync(40)).unwrap();
    block_on(b.sync(41)).unwrap();
    {
        let mut s = server.0.borrow_mut();
        (s.heads, s.records, s.changes) = backup;
    }
    // C never saw v2 or v3: it edits the restored v1.
    let mut edited = block_on(c.item(id)).unwrap().data;
    edited.set_field("password", "from-c".into());
    block_on(c.save_item(Some(id), personal, edited, 50)).unwrap();
    block_on(c.sync(51)).unwrap();
    // Every browser syncs until none has anything left to send.
    for round in 0..10 {
        for (n, session) in [&b, &a, &c].into_iter().enumerate() {
            block_on(session.sync(60 + round * 3 + n as i64)).unwrap();
        }
        if [&a, &b, &c]
            .iter()
            .all(|s| block_on(s.pending_count()).unwrap() == 0)
        {
            break;
        }
    }
    for session in [&a, &b, &c] {
        block_on(session.sync(100)).unwrap();
    }
    let all: BTreeSet<String> = ["v1", "v2", "v3", "from-c"].map(str::to_owned).into();
    for session in [&a, &b, &c] {
        assert_eq!(versions(session, id).unwrap(), all);
        assert_eq!(block_on(session.pending_count()).unwrap(), 0);
    }
}

/// Containers: moves between them, the cursors of an old vault, revocation, and a server that
/// answers a conflict with another record.
#[path = "container_tests.rs"]
mod container_tests;

#[path = "forgery_tests.rs"]
mod forgery_tests;

#[path = "checkpoint_tests.rs"]
mod checkpoint_tests;

#[path = "trust_tests.rs"]
mod trust_tests;
