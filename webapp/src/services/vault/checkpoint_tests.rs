//! Checkpoints against the in-memory server of the merge tests: a server that hides a record
//! from a new browser, one restored from a backup that then took other writes, and one that
//! hides the checkpoints themselves. Each is caught by comparing with what a key holder sealed,
//! and nothing kept in a browser is lost.
#![allow(clippy::unwrap_used)]

use super::*;

fn titles(session: &VaultSession<MemoryCache>) -> BTreeSet<String> {
    session
        .rows(&Scope::All, "")
        .into_iter()
        .map(|r| r.summary.title.clone())
        .collect()
}

fn titled(title: &str) -> ItemData {
    let mut item = login(title);
    item.title = title.into();
    item
}

fn container_findings(session: &VaultSession<MemoryCache>) -> Vec<ContainerFinding> {
    block_on(session.rollback_notice())
        .unwrap()
        .map(|n| n.containers)
        .unwrap_or_default()
}

#[test]
fn a_record_hidden_from_a_new_browser_is_reported_and_arrives_once_served() {
    let server = MemoryServer::default();
    let a = browser(&server);
    let personal = personal(&a);
    let hidden = block_on(a.save_item(None, personal, titled("Hidden"), 10)).unwrap();
    block_on(a.save_item(None, personal, titled("Shown"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    assert!(a.checked(personal) > 0, "A left a checkpoint");

    server.0.borrow_mut().hidden.insert(hidden);
    let c = browser(&server);
    let report = block_on(c.sync(30)).unwrap();
    let expected = ContainerFinding {
        container: personal,
        what: ContainerFindingKind::RecordsHidden,
    };
    assert_eq!(report.containers, vec![expected], "{report:?}");
    assert_eq!(container_findings(&c), vec![expected]);
    assert_eq!(titles(&c), BTreeSet::from(["Shown".to_owned()]));
    // Reported once per checkpoint, not at every sync.
    assert!(block_on(c.sync(40)).unwrap().containers.is_empty());

    // Served again, and a later checkpoint: C finds it is missing something, pulls again, and
    // now holds everything.
    server.0.borrow_mut().hidden.clear();
    block_on(a.save_item(None, personal, titled("Later"), 50)).unwrap();
    block_on(a.sync(60)).unwrap();
    let report = block_on(c.sync(70)).unwrap();
    assert!(report.containers.is_empty(), "{report:?}");
    let all: BTreeSet<String> = ["Hidden", "Shown", "Later"].map(str::to_owned).into();
    assert_eq!(titles(&c), all);
}

#[test]
fn the_newest_record_hidden_from_a_new_browser_is_reported() {
    let server = MemoryServer::default();
    let a = browser(&server);
    let personal = personal(&a);
    block_on(a.save_item(None, personal, titled("Shown"), 10)).unwrap();
    let newest = block_on(a.save_item(None, personal, titled("Newest"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    // The newest revision held back: a whole pull stops one below the head the server names.
    server.0.borrow_mut().hidden.insert(newest);
    let c = browser(&server);
    let report = block_on(c.sync(30)).unwrap();
    assert_eq!(
        report.containers,
        vec![ContainerFinding {
            container: personal,
            what: ContainerFindingKind::RecordsHidden,
        }],
        "{report:?}"
    );
    assert_eq!(titles(&c), BTreeSet::from(["Shown".to_owned()]));
    server.0.borrow_mut().hidden.clear();
    block_on(a.save_item(None, personal, titled("Later"), 40)).unwrap();
    block_on(a.sync(50)).unwrap();
    assert!(block_on(c.sync(60)).unwrap().containers.is_empty());
    assert_eq!(titles(&c).len(), 3);
}

#[test]
fn a_restored_server_that_took_other_writes_is_caught_and_nothing_is_lost() {
    let server = MemoryServer::default();
    let (a, b) = (browser(&server), browser(&server));
    let personal = personal(&a);
    let shared = block_on(a.save_item(None, personal, titled("Shared"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    block_on(b.sync(30)).unwrap();
    let backup = {
        let s = server.0.borrow();
        (
            s.heads.clone(),
            s.records.clone(),
            s.changes.clone(),
            s.checkpoints.clone(),
        )
    };
    // A edits the item and adds two more; then the server goes back to the backup.
    let mut edited = titled("Shared");
    edited.set_field("password", "from-a".into());
    block_on(a.save_item(Some(shared), personal, edited, 40)).unwrap();
    for title in ["A1", "A2"] {
        block_on(a.save_item(None, personal, titled(title), 40)).unwrap();
    }
    block_on(a.sync(50)).unwrap();
    {
        let mut s = server.0.borrow_mut();
        (s.heads, s.records, s.changes, s.checkpoints) = backup;
    }
    // B, which never saw A's writes, writes more than A did: the server's head passes A's
    // cursor, so A's next pull looks normal and misses B's first writes.
    for n in 0..6 {
        block_on(b.save_item(None, personal, titled(&format!("B{n}")), 60)).unwrap();
    }
    block_on(b.sync(70)).unwrap();
    let head = server.0.borrow().heads[&personal];
    assert!(
        head > a.pulled(personal),
        "the restored server moved past A"
    );

    let report = block_on(a.sync(80)).unwrap();
    assert!(
        report.findings.iter().any(|f| f.record == shared),
        "the older copy of the item is reported: {report:?}"
    );
    for now in [90, 100] {
        block_on(a.sync(now)).unwrap();
        block_on(b.sync(now + 5)).unwrap();
    }
    let mut all: BTreeSet<String> = ["Shared", "A1", "A2"].map(str::to_owned).into();
    all.extend((0..6).map(|n| format!("B{n}")));
    for session in [&a, &b] {
        assert_eq!(titles(session), all);
        let current = block_on(session.item(shared)).unwrap();
        assert_eq!(current.data.field("password"), "from-a");
        assert_eq!(block_on(session.pending_count()).unwrap(), 0);
    }
}

#[test]
fn a_hidden_newer_checkpoint_is_reported() {
    let server = MemoryServer::default();
    let a = browser(&server);
    let personal = personal(&a);
    block_on(a.save_item(None, personal, titled("One"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    assert!(block_on(a.sync(30)).unwrap().containers.is_empty());
    server.0.borrow_mut().withhold_checkpoints = true;
    let report = block_on(a.sync(40)).unwrap();
    assert_eq!(
        report.containers,
        vec![ContainerFinding {
            container: personal,
            what: ContainerFindingKind::CheckpointHidden
        }]
    );
}

#[test]
fn a_checkpoint_the_server_made_up_is_not_believed() {
    let server = MemoryServer::default();
    let a = browser(&server);
    let personal = personal(&a);
    block_on(a.save_item(None, personal, titled("One"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    {
        let mut s = server.0.borrow_mut();
        let checkpoint = s.checkpoints.get_mut(&personal).unwrap();
        let last = checkpoint.sealed.0.len() - 1;
        checkpoint.sealed.0[last] ^= 1;
    }
    let fresh = browser(&server);
    let report = block_on(fresh.sync(30)).unwrap();
    assert_eq!(report.containers.len(), 1, "{report:?}");
    assert_eq!(
        titles(&fresh),
        BTreeSet::from(["One".to_owned()]),
        "nothing lost"
    );
}
