//! Sync across containers, against the in-memory server of the merge tests: a move between
//! profiles, a vault kept by the release before containers, a revoked container, and a server
//! that answers a conflict with another record.
#![allow(clippy::unwrap_used)]

use super::*;

/// An item moved to the other profile lives there alone in every browser: the deletion its old
/// profile keeps never removes it, whichever of the two arrives first (pages hold 3 records, so
/// the two halves of the move come in one page or in two).
#[test]
fn an_item_moved_to_the_other_profile_arrives_there_once() {
    for others in 0..4 {
        let server = MemoryServer::default();
        let (a, b) = (browser(&server), browser(&server));
        let personal = personal(&a);
        let business = business(&a);
        let moved = block_on(a.save_item(None, personal, login("moved"), 10)).unwrap();
        block_on(a.sync(20)).unwrap();
        block_on(b.sync(30)).unwrap();
        block_on(a.move_to_container(moved, business, None, 40)).unwrap();
        for n in 0..others {
            block_on(a.save_item(None, business, login(&format!("other {n}")), 50)).unwrap();
        }
        block_on(a.sync(60)).unwrap();
        block_on(b.sync(70)).unwrap();
        for session in [&a, &b] {
            let opened = block_on(session.item(moved)).unwrap();
            assert_eq!(opened.container, business, "with {others} other items");
            assert_eq!(opened.data.field("password"), "moved");
            let listed = session
                .rows(&Scope::All, "")
                .into_iter()
                .filter(|r| r.id == moved)
                .count();
            assert_eq!(listed, 1, "listed once, with {others} other items");
            assert_eq!(block_on(session.pending_count()).unwrap(), 0);
        }
        let server = server.0.borrow();
        let left = &server.records[&(personal, moved)];
        assert!(left.data.is_none(), "the profile it left keeps a deletion");
    }
}

/// A browser vault of the release before containers kept one pulled revision for the whole
/// account: it becomes the cursor of each profile, so nothing is pulled twice, and later
/// changes still arrive.
#[test]
fn a_vault_from_before_containers_pulls_nothing_twice() {
    let server = MemoryServer::default();
    let a = browser(&server);
    let personal = personal(&a);
    let first = block_on(a.save_item(None, personal, login("v1"), 10)).unwrap();
    for n in 0..4 {
        block_on(a.save_item(None, personal, login(&format!("more {n}")), 10)).unwrap();
    }
    block_on(a.sync(20)).unwrap();
    let cache = MemoryCache::default();
    let b = browser_on(&server, cache.clone());
    block_on(b.sync(30)).unwrap();
    let head = server.0.borrow().heads[&personal];
    drop(b);
    // What the previous release left in Meta.
    block_on(cache.delete(Store::Meta, CURSORS)).unwrap();
    block_on(cache.put(Store::Meta, OLD_PULLED_REVISION, &to_bytes(&head).unwrap())).unwrap();

    let b = browser_on(&server, cache.clone());
    assert_eq!(b.pulled(personal), head);
    let report = block_on(b.sync(40)).unwrap();
    assert_eq!(report.received, 0, "{report:?}");
    assert_eq!(report.rolled_back, 0, "{report:?}");
    assert!(
        block_on(cache.get(Store::Meta, OLD_PULLED_REVISION))
            .unwrap()
            .is_none()
    );
    block_on(a.save_item(Some(first), personal, login("v2"), 50)).unwrap();
    block_on(a.sync(60)).unwrap();
    let report = block_on(b.sync(70)).unwrap();
    assert_eq!(
        report.received, 2,
        "the edit and its past version: {report:?}"
    );
    assert_eq!(versions(&b, first).unwrap(), versions(&a, first).unwrap());
}

/// A malicious server answers a conflict with another record as the "current" one: the browser
/// does not put it in place of the record, keeps its own change waiting, and says so. Once the
/// server answers honestly, both versions are kept as usual.
#[test]
fn a_conflict_answer_naming_another_record_is_refused_and_reported() {
    let server = MemoryServer::default();
    let (a, b) = (browser(&server), browser(&server));
    let personal = personal(&a);
    let edited = block_on(a.save_item(None, personal, login("v1"), 10)).unwrap();
    let other = block_on(a.save_item(None, personal, login("other"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    block_on(b.sync(30)).unwrap();
    block_on(a.save_item(Some(edited), personal, login("from-a"), 40)).unwrap();
    block_on(a.sync(50)).unwrap();
    block_on(b.save_item(Some(edited), personal, login("from-b"), 60)).unwrap();
    let forged = server
        .0
        .borrow()
        .records
        .values()
        .find(|r| r.id == other)
        .cloned();
    server.0.borrow_mut().forged_current = forged;

    let report = block_on(b.sync(70)).unwrap();
    assert_eq!(
        report.findings,
        vec![Finding {
            record: edited,
            what: FindingKind::ConflictNamedAnotherRecord
        }]
    );
    assert_eq!(report.conflicts, 0, "{report:?}");
    let current = block_on(b.item(edited)).unwrap();
    assert_eq!(
        current.data.field("password"),
        "from-b",
        "ours stays in place"
    );
    assert!(block_on(b.pending_ids()).unwrap().contains(&edited));
    assert_eq!(
        versions(&b, other).unwrap(),
        BTreeSet::from(["other".to_owned()])
    );
    let notice = block_on(b.rollback_notice()).unwrap().unwrap();
    assert_eq!(notice.findings, report.findings);

    server.0.borrow_mut().forged_current = None;
    for now in [80, 90] {
        block_on(b.sync(now)).unwrap();
    }
    block_on(a.sync(100)).unwrap();
    let all: BTreeSet<String> = ["v1", "from-a", "from-b"].map(str::to_owned).into();
    for session in [&a, &b] {
        assert_eq!(versions(session, edited).unwrap(), all);
        assert_eq!(block_on(session.pending_count()).unwrap(), 0);
    }
}

/// A container the account may no longer read is forgotten at the next sync: its records,
/// waiting changes and list entries leave this browser, and the rest of the vault stays.
#[test]
fn a_revoked_container_is_forgotten_at_the_next_sync() {
    let server = MemoryServer::default();
    let (a, b) = (browser(&server), browser(&server));
    let personal = personal(&a);
    let business = business(&a);
    let kept = block_on(a.save_item(None, personal, login("kept"), 10)).unwrap();
    let gone = block_on(a.save_item(None, business, login("gone"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    block_on(b.sync(30)).unwrap();
    // B changes the business item, then access to it is taken away.
    block_on(b.save_item(Some(gone), business, login("gone-2"), 40)).unwrap();
    server.0.borrow_mut().revoked.push(ContainerAccess {
        container_id: business,
        kind: ContainerKind::Profile,
        role: None,
        revision: 3,
    });
    // A server that says the Personal profile is gone too is not followed.
    server.0.borrow_mut().revoked.push(ContainerAccess {
        container_id: personal,
        kind: ContainerKind::Profile,
        role: None,
        revision: 4,
    });
    let report = block_on(b.sync(60)).unwrap();
    assert!(report.profiles_lost, "the account reads its keys again");
    assert_eq!(
        b.profiles()
            .iter()
            .map(|(_, kind)| *kind)
            .collect::<Vec<_>>(),
        vec![ProfileKind::Personal],
        "the Business profile left the open vault; Personal stayed"
    );
    assert!(
        block_on(b.item(gone)).is_err(),
        "the revoked container's item is gone"
    );
    assert!(b.rows(&Scope::All, "").iter().all(|r| r.id != gone));
    assert!(!block_on(b.pending_ids()).unwrap().contains(&gone));
    assert_eq!(
        versions(&b, kept).unwrap(),
        BTreeSet::from(["kept".to_owned()])
    );
    assert_eq!(b.pulled(business), 0, "no cursor kept for it");
}

/// Records of a container this browser holds no key for (a share whose key management is not
/// here yet) are followed but not kept: the indexes stay whole, with no rebuild at each sync.
#[test]
fn records_of_a_container_without_a_key_here_are_not_kept() {
    let server = MemoryServer::default();
    let a = browser(&server);
    let personal = personal(&a);
    block_on(a.save_item(None, personal, login("mine"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    let share = ContainerId::new_v7();
    {
        let mut s = server.0.borrow_mut();
        let mut foreign = s.records.values().next().unwrap().clone();
        foreign.container_id = share;
        foreign.id = RecordId::new_v7();
        foreign.revision = s.next(share);
        s.records.insert((share, foreign.id), foreign);
    }
    let b = browser(&server);
    block_on(b.sync(30)).unwrap();
    assert_eq!(b.rows(&Scope::All, "").len(), 1);
    assert!(
        block_on(b.verify_index()).unwrap(),
        "the indexes match what is kept"
    );
    assert_eq!(b.pulled(share), 1, "followed up to its head");
}
