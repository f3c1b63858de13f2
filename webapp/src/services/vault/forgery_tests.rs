//! A server that forges what it serves, against the in-memory server of the merge tests: an
//! older content re-served under a newer revision (as what it is, or labelled as a newer
//! version), a deletion no key holder made, and content that does not open. Each is refused,
//! reported by record, and loses nothing: the copy kept here stays and is sent again.
#![allow(clippy::unwrap_used)]

use super::*;

/// One account, two browsers, and an item both have seen at "v1" then "v2".
struct Scene {
    server: MemoryServer,
    a: VaultSession<MemoryCache>,
    b: VaultSession<MemoryCache>,
    container: ContainerId,
    item: RecordId,
    /// The server's record of the item at "v1".
    first: VaultRecord,
}

fn scene() -> Scene {
    let server = MemoryServer::default();
    let (a, b) = (browser(&server), browser(&server));
    let container = personal(&a);
    let item = block_on(a.save_item(None, personal(&a), login("v1"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    let first = stored(&server, container, item);
    block_on(a.save_item(Some(item), personal(&a), login("v2"), 30)).unwrap();
    block_on(a.sync(40)).unwrap();
    block_on(b.sync(50)).unwrap();
    Scene {
        server,
        a,
        b,
        container,
        item,
        first,
    }
}

fn stored(server: &MemoryServer, container: ContainerId, id: RecordId) -> VaultRecord {
    server.0.borrow().records[&(container, id)].clone()
}

/// The server stores `forged` as the record's newest revision.
fn serve(server: &MemoryServer, forged: VaultRecord) {
    let mut s = server.0.borrow_mut();
    let revision = s.next(forged.container_id);
    s.records.insert(
        (forged.container_id, forged.id),
        VaultRecord { revision, ..forged },
    );
}

/// After the forgery, B reports `what` for the item, still shows "v2", and queued it to be sent
/// again: after its next sync the server holds it alive and A, syncing after, still has "v2".
fn assert_refused(scene: &Scene, report: &SyncReport, what: FindingKind) {
    let found: Vec<_> = report.findings.iter().filter(|f| f.what == what).collect();
    assert_eq!(found.len(), 1, "{report:?}");
    assert_eq!(found[0].record, scene.item);
    let kept = block_on(scene.b.item(scene.item)).unwrap();
    assert_eq!(kept.data.field("password"), "v2");
    assert!(
        block_on(scene.b.pending_ids())
            .unwrap()
            .contains(&scene.item)
    );
    block_on(scene.b.sync(150)).unwrap();
    assert_eq!(block_on(scene.b.pending_count()).unwrap(), 0, "sent again");
    let notice = block_on(scene.b.rollback_notice()).unwrap().unwrap();
    assert!(notice.findings.contains(found[0]), "{notice:?}");
    let on_server = stored(&scene.server, scene.container, scene.item);
    assert!(on_server.data.is_some(), "alive on the server again");
    block_on(scene.a.sync(200)).unwrap();
    for session in [&scene.a, &scene.b] {
        let current = block_on(session.item(scene.item)).unwrap();
        assert_eq!(current.data.field("password"), "v2");
        assert!(versions(session, scene.item).unwrap().contains("v1"));
    }
}

#[test]
fn an_older_content_served_again_under_a_newer_revision_is_refused() {
    let scene = scene();
    serve(&scene.server, scene.first.clone());
    let report = block_on(scene.b.sync(100)).unwrap();
    assert_refused(&scene, &report, FindingKind::OlderCopyServed);
}

#[test]
fn an_older_content_labelled_as_a_newer_version_does_not_open_and_is_refused() {
    let scene = scene();
    let current = stored(&scene.server, scene.container, scene.item);
    serve(
        &scene.server,
        VaultRecord {
            version: current.version,
            ..scene.first.clone()
        },
    );
    let report = block_on(scene.b.sync(100)).unwrap();
    assert_refused(&scene, &report, FindingKind::Unreadable);
}

#[test]
fn a_deletion_without_a_mark_is_refused() {
    let scene = scene();
    let current = stored(&scene.server, scene.container, scene.item);
    serve(
        &scene.server,
        VaultRecord {
            key: None,
            data: None,
            mark: None,
            version: current.version + 1,
            ..current
        },
    );
    let report = block_on(scene.b.sync(100)).unwrap();
    assert_refused(&scene, &report, FindingKind::InventedDeletion);
}

#[test]
fn a_deletion_with_another_records_mark_is_refused() {
    let scene = scene();
    let personal = personal(&scene.a);
    let other = block_on(scene.a.save_item(None, personal, login("other"), 60)).unwrap();
    block_on(scene.a.sync(70)).unwrap();
    block_on(scene.a.trash_item(other, 80)).unwrap();
    block_on(scene.a.purge_item(other)).unwrap();
    block_on(scene.a.sync(90)).unwrap();
    let real = stored(&scene.server, scene.container, other);
    assert!(real.mark.is_some(), "a real deletion carries its mark");
    let current = stored(&scene.server, scene.container, scene.item);
    serve(
        &scene.server,
        VaultRecord {
            key: None,
            data: None,
            mark: real.mark,
            version: real.version,
            ..current
        },
    );
    let report = block_on(scene.b.sync(100)).unwrap();
    assert_refused(&scene, &report, FindingKind::InventedDeletion);
    assert!(
        block_on(scene.b.item(other)).is_err(),
        "the real one applied"
    );
}

#[test]
fn a_deletion_mark_older_than_the_copy_kept_here_is_refused() {
    // A deletes the item at "v1"; the deletion meets B's edit and loses; the server later
    // serves the old deletion again.
    let server = MemoryServer::default();
    let (a, b) = (browser(&server), browser(&server));
    let personal = personal(&a);
    let container = personal;
    let item = block_on(a.save_item(None, personal, login("v1"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    block_on(b.sync(30)).unwrap();
    block_on(b.save_item(Some(item), personal, login("v2"), 40)).unwrap();
    block_on(b.save_item(Some(item), personal, login("v3"), 45)).unwrap();
    block_on(b.sync(50)).unwrap();
    block_on(a.trash_item(item, 60)).unwrap();
    block_on(a.purge_item(item)).unwrap();
    let deletion = block_on(a.outbox()).unwrap()[&item].clone();
    let current = stored(&server, container, item);
    // Not above the version B holds: it cannot delete that one.
    assert!(deletion.version <= current.version, "{deletion:?}");
    block_on(a.sync(70)).unwrap();
    assert!(block_on(a.item(item)).is_ok(), "the edit beat the deletion");
    serve(
        &server,
        VaultRecord {
            key: None,
            data: None,
            mark: deletion.mark,
            version: deletion.version,
            ..stored(&server, container, item)
        },
    );
    let report = block_on(b.sync(100)).unwrap();
    assert!(
        report.findings.contains(&Finding {
            record: item,
            what: FindingKind::InventedDeletion
        }),
        "{report:?}"
    );
    assert_eq!(block_on(b.item(item)).unwrap().data.field("password"), "v3");
}

#[test]
fn content_that_does_not_open_is_never_stored_even_in_a_new_browser() {
    let scene = scene();
    let current = stored(&scene.server, scene.container, scene.item);
    let mut damaged = current.clone();
    if let Some(data) = damaged.data.as_mut() {
        let last = data.0.len() - 1;
        data.0[last] ^= 1;
    }
    serve(&scene.server, damaged);
    let fresh = browser(&scene.server);
    let report = block_on(fresh.sync(100)).unwrap();
    assert!(
        report.findings.contains(&Finding {
            record: scene.item,
            what: FindingKind::Unreadable
        }),
        "{report:?}"
    );
    assert!(block_on(fresh.item(scene.item)).is_err(), "not stored");
    let report = block_on(scene.b.sync(110)).unwrap();
    assert_refused(&scene, &report, FindingKind::Unreadable);
}

#[test]
fn an_edit_that_beats_a_deletion_ends_above_the_deletions_version() {
    // A edits the item twice and deletes it; B, which saw only "v1", edits it once: B's edit
    // beats the deletion, and must end above the deletion's version, so that the deletion's
    // mark served again later deletes nothing.
    let server = MemoryServer::default();
    let (a, b) = (browser(&server), browser(&server));
    let personal = personal(&a);
    let container = personal;
    let item = block_on(a.save_item(None, personal, login("v1"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    block_on(b.sync(30)).unwrap();
    block_on(a.save_item(Some(item), personal, login("a2"), 40)).unwrap();
    block_on(a.save_item(Some(item), personal, login("a3"), 45)).unwrap();
    block_on(a.trash_item(item, 46)).unwrap();
    block_on(a.purge_item(item)).unwrap();
    block_on(a.sync(50)).unwrap();
    let deletion = stored(&server, container, item);
    block_on(b.save_item(Some(item), personal, login("b2"), 60)).unwrap();
    for now in [70, 80] {
        block_on(b.sync(now)).unwrap();
    }
    let revived = stored(&server, container, item);
    assert!(revived.data.is_some());
    assert!(
        revived.version > deletion.version,
        "{revived:?} {deletion:?}"
    );
    block_on(a.sync(90)).unwrap();
    serve(
        &server,
        VaultRecord {
            revision: 0,
            ..deletion
        },
    );
    for session in [&a, &b] {
        let report = block_on(session.sync(100)).unwrap();
        assert!(!report.findings.is_empty(), "{report:?}");
        let kept = block_on(session.item(item)).unwrap();
        assert_eq!(kept.data.field("password"), "b2");
    }
}
