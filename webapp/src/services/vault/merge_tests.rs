//! The merge, under random interleavings: three browsers of one account edit, trash and delete
//! the same items, each syncing at random moments, against one in-memory server that applies
//! the server's rules (a revision sequence per container, a stale base is a conflict answered
//! with the current record, change ids stored once, deletions kept as tombstones). Once every browser
//! has synced until nothing is left to send, all three hold the same vault, and no version
//! anyone wrote is lost: each is the current one or in the item's history. The only versions
//! allowed to disappear are those a browser had seen when it deleted the item for good (even
//! if the item is back because another browser's concurrent edit beat that deletion).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use futures_executor::block_on;
use proptest::prelude::*;
use shared_types::account::ProfileKind;
use shared_types::vault::{ContainerAccess, ContainerKind};
use wasm_crypto::MasterPassword;

use super::memory_server::MemoryServer;
use super::model::{ItemData, ItemKind};
use super::store::{CURSORS, OLD_PULLED_REVISION};
use super::*;
use crate::cache::MemoryCache;
use crate::services::keys::make_account;

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
