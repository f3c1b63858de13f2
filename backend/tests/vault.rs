//! Vault records through the real server, on SQLite and PostgreSQL: push and pull, revisions,
//! conflicts, tombstones, pages (by count and by bytes), record ids per account, past versions
//! tied to an item of theirs, and malformed pushes refused whole.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestServer;
use common::accounts::{Reply, error};
use common::{new_item, random};
use reqwest::StatusCode;
use shared_types::account::{AccountBundle, ProfileKind, codes};
use shared_types::api::ErrorBody;
use shared_types::vault::{
    ChangeNotice, MAX_PULL_BYTES, MAX_PULL_RECORDS, MAX_PUSH_CHANGES, MAX_RECORD_BYTES,
    PullResponse, PushRequest, PushResponse, RecordChange, RecordKind, VaultRecord,
    WRAPPED_KEY_BYTES,
};
use shared_types::{Base64Bytes, ChangeId, ProfileId, RecordId};

const PASSWORD: &str = "correct horse battery staple";

fn sealed() -> Base64Bytes {
    random(200)
}

fn new_folder(container: ProfileId) -> RecordChange {
    RecordChange {
        kind: RecordKind::Folder,
        key: None,
        ..new_item(container)
    }
}

fn new_history(container: ProfileId, item: RecordId) -> RecordChange {
    RecordChange {
        kind: RecordKind::History,
        parent_id: Some(item),
        key: None,
        ..new_item(container)
    }
}

/// A new content for `record`, based on its revision.
fn edit(record: &VaultRecord) -> RecordChange {
    RecordChange {
        change_id: ChangeId::new_v7(),
        id: record.id,
        kind: record.kind,
        container_id: record.container_id,
        parent_id: record.parent_id,
        base_revision: Some(record.revision),
        key: (record.kind == RecordKind::Item).then(|| random(WRAPPED_KEY_BYTES)),
        data: Some(sealed()),
    }
}

/// The deletion of `record`, based on its revision.
fn deletion(record: &VaultRecord) -> RecordChange {
    RecordChange {
        key: None,
        data: None,
        ..edit(record)
    }
}

/// The account's (personal, business) profile ids.
async fn profiles(server: &TestServer, session: &str) -> (ProfileId, ProfileId) {
    let account: Reply<AccountBundle> = server.get_as("/api/account", Some(session)).await;
    assert_eq!(account.status, StatusCode::OK);
    let find = |kind| {
        account
            .body
            .keys
            .profiles
            .iter()
            .find(|p| p.kind == kind)
            .unwrap()
            .id
    };
    (find(ProfileKind::Personal), find(ProfileKind::Business))
}

async fn push(server: &TestServer, session: &str, changes: Vec<RecordChange>) -> PushResponse {
    let reply: Reply<PushResponse> = server
        .post("/api/vault/push", &PushRequest { changes }, Some(session))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.body
}

/// A push the server must refuse whole; returns its message.
async fn refused(server: &TestServer, session: &str, body: &impl serde::Serialize) -> String {
    let reply: Reply<ErrorBody> = server.post("/api/vault/push", body, Some(session)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    assert_eq!(error(&reply).0, "bad_request");
    reply.body.message
}

async fn pull(server: &TestServer, session: &str, since: i64) -> PullResponse {
    let reply: Reply<PullResponse> = server
        .get_as(&format!("/api/vault/records?since={since}"), Some(session))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.body
}

/// Pushes one new item and returns it as stored.
async fn stored_item(server: &TestServer, session: &str, container: ProfileId) -> VaultRecord {
    let change = new_item(container);
    let id = change.id;
    let reply = push(server, session, vec![change]).await;
    assert_eq!(reply.accepted.len(), 1);
    record(server, session, id).await.unwrap()
}

/// The current version of one record, from a full pull.
async fn record(server: &TestServer, session: &str, id: RecordId) -> Option<VaultRecord> {
    let all = pull(server, session, 0).await;
    assert!(!all.more);
    all.records.into_iter().find(|r| r.id == id)
}

/// Checks that a pulled record holds what a change sent.
fn assert_holds(record: &VaultRecord, change: &RecordChange) {
    assert_eq!(record.id, change.id);
    assert_eq!(record.kind, change.kind);
    assert_eq!(record.container_id, change.container_id);
    assert_eq!(record.parent_id, change.parent_id);
    assert_eq!(record.key, change.key);
    assert_eq!(record.data, change.data);
}

on_both_databases! {
    async fn both_endpoints_need_a_session(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let body = PushRequest { changes: vec![new_item(personal)] };
        for cookie in [None, Some("not-a-session")] {
            let pulled: Reply<ErrorBody> =
                server.get_as("/api/vault/records?since=0", cookie).await;
            assert_eq!(pulled.status, StatusCode::UNAUTHORIZED);
            assert_eq!(error(&pulled).0, codes::UNAUTHENTICATED);
            let pushed: Reply<ErrorBody> = server.post("/api/vault/push", &body, cookie).await;
            assert_eq!(pushed.status, StatusCode::UNAUTHORIZED);
            assert_eq!(error(&pushed).0, codes::UNAUTHENTICATED);
        }
        assert!(pull(&server, &session, 0).await.records.is_empty(), "nothing was stored");
    }

    async fn pushed_records_pull_back_as_sent(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, business) = profiles(&server, &session).await;
        let item = new_item(personal);
        let changes = vec![
            new_folder(personal),
            new_history(personal, item.id),
            item,
            new_item(business),
        ];
        let reply = push(&server, &session, changes.clone()).await;
        assert!(reply.conflicts.is_empty());
        let ids: Vec<_> = reply.accepted.iter().map(|a| a.id).collect();
        assert_eq!(ids, changes.iter().map(|c| c.id).collect::<Vec<_>>(), "in request order");
        assert!(reply.accepted.windows(2).all(|w| w[0].revision < w[1].revision));

        let pulled = pull(&server, &session, 0).await;
        assert!(!pulled.more);
        assert_eq!(pulled.records.len(), 4);
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let sent = changes.iter().zip(&reply.accepted);
        for (record, (change, accepted)) in pulled.records.iter().zip(sent) {
            assert_holds(record, change);
            assert_eq!(record.revision, accepted.revision);
            assert!((now - record.updated_at).abs() < 60, "stored just now");
        }

        // A later push takes later revisions.
        let later = push(&server, &session, vec![new_folder(business)]).await;
        assert!(later.accepted[0].revision > reply.accepted[3].revision);
    }

    async fn an_edit_on_the_current_revision_is_stored_and_may_move_profiles(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, business) = profiles(&server, &session).await;
        let stored = stored_item(&server, &session, personal).await;
        let mut change = edit(&stored);
        change.container_id = business;
        let reply = push(&server, &session, vec![change.clone()]).await;
        assert!(reply.conflicts.is_empty());
        assert!(reply.accepted[0].revision > stored.revision);
        let now = record(&server, &session, stored.id).await.unwrap();
        assert_holds(&now, &change);
        assert_eq!(now.revision, reply.accepted[0].revision);
        assert_eq!(pull(&server, &session, 0).await.records.len(), 1, "edited in place");
    }

    async fn a_stale_base_is_a_conflict_answered_with_the_stored_record(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let first = stored_item(&server, &session, personal).await;
        push(&server, &session, vec![edit(&first)]).await;
        let current = record(&server, &session, first.id).await.unwrap();
        assert_ne!(current.data, first.data);

        // Another browser still on the first revision; a valid new record rides along.
        let other = new_folder(personal);
        let reply = push(&server, &session, vec![edit(&first), other.clone()]).await;
        assert_eq!(reply.conflicts.len(), 1);
        assert_eq!(reply.conflicts[0].id, first.id);
        assert_eq!(reply.conflicts[0].current.as_ref(), Some(&current));
        assert_eq!(reply.accepted.len(), 1);
        assert_eq!(reply.accepted[0].id, other.id);
        assert_eq!(record(&server, &session, first.id).await.unwrap(), current, "unchanged");

        // A deletion on the stale base is a conflict too.
        let reply = push(&server, &session, vec![deletion(&first)]).await;
        assert_eq!(reply.conflicts[0].current.as_ref(), Some(&current));
        assert_eq!(record(&server, &session, first.id).await.unwrap(), current);
    }

    async fn creating_a_record_that_exists_is_a_conflict(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let stored = stored_item(&server, &session, personal).await;
        let mut again = new_item(personal);
        again.id = stored.id;
        let reply = push(&server, &session, vec![again]).await;
        assert!(reply.accepted.is_empty());
        assert_eq!(reply.conflicts.len(), 1);
        assert_eq!(reply.conflicts[0].current.as_ref(), Some(&stored));
        assert_eq!(record(&server, &session, stored.id).await.unwrap(), stored);

        // An edit of a record the server never had: a conflict with nothing current.
        let mut unknown = new_item(personal);
        unknown.base_revision = Some(stored.revision);
        let reply = push(&server, &session, vec![unknown.clone()]).await;
        assert!(reply.accepted.is_empty());
        assert_eq!(reply.conflicts[0].id, unknown.id);
        assert_eq!(reply.conflicts[0].current, None);
        assert_eq!(record(&server, &session, unknown.id).await, None);

        // Pushes that stored nothing took no revision: the next one follows the last stored.
        let next = push(&server, &session, vec![new_folder(personal)]).await;
        assert_eq!(next.accepted[0].revision, stored.revision + 1);
    }

    async fn a_deletion_leaves_a_tombstone(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let stored = stored_item(&server, &session, personal).await;
        let reply = push(&server, &session, vec![deletion(&stored)]).await;
        assert!(reply.conflicts.is_empty());
        let later = pull(&server, &session, stored.revision).await;
        assert_eq!(later.records.len(), 1);
        let tombstone = &later.records[0];
        assert_eq!(tombstone.id, stored.id);
        assert_eq!(tombstone.kind, RecordKind::Item);
        assert_eq!(tombstone.revision, reply.accepted[0].revision);
        assert_eq!((&tombstone.key, &tombstone.data), (&None, &None));

        // Deleting a record the server never had stores a tombstone too (deleting is idempotent).
        let never = new_folder(personal);
        let gone = RecordChange { data: None, ..never.clone() };
        let reply = push(&server, &session, vec![gone]).await;
        assert_eq!(reply.accepted.len(), 1);
        let tombstone = record(&server, &session, never.id).await.unwrap();
        assert_eq!(tombstone.data, None);

        // A record can come back on top of its tombstone.
        let revived = edit(&tombstone);
        push(&server, &session, vec![revived.clone()]).await;
        assert_holds(&record(&server, &session, never.id).await.unwrap(), &revived);
    }

    async fn pull_returns_only_later_records_page_by_page(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let first = push(&server, &session, vec![new_folder(personal)]).await.accepted[0];
        let rest = push(&server, &session, vec![new_folder(personal), new_folder(personal)]).await;
        let later = pull(&server, &session, first.revision).await;
        assert_eq!(
            later.records.iter().map(|r| (r.id, r.revision)).collect::<Vec<_>>(),
            rest.accepted.iter().map(|a| (a.id, a.revision)).collect::<Vec<_>>()
        );
        assert!(pull(&server, &session, rest.accepted[1].revision).await.records.is_empty());

        // More than a page, pushed in batches the server accepts.
        let total = MAX_PULL_RECORDS as usize + 100;
        let mut pushed = vec![first.id];
        pushed.extend(rest.accepted.iter().map(|a| a.id));
        while pushed.len() < total {
            let batch: Vec<_> = (0..(total - pushed.len()).min(MAX_PUSH_CHANGES))
                .map(|_| new_folder(personal))
                .collect();
            pushed.extend(batch.iter().map(|c| c.id));
            let count = batch.len();
            assert_eq!(push(&server, &session, batch).await.accepted.len(), count);
        }
        let page = pull(&server, &session, 0).await;
        assert!(page.more);
        assert_eq!(page.records.len(), MAX_PULL_RECORDS as usize);
        let last = page.records.last().unwrap().revision;
        let next = pull(&server, &session, last).await;
        assert!(!next.more);
        assert_eq!(next.records.len(), total - MAX_PULL_RECORDS as usize);
        let all: Vec<_> = page.records.iter().chain(&next.records).collect();
        assert!(all.windows(2).all(|w| w[0].revision < w[1].revision));
        assert_eq!(all.iter().map(|r| r.id).collect::<Vec<_>>(), pushed);
    }

    async fn record_ids_belong_to_each_account_apart(server) {
        let (_, ann) = server.signed_up("ann@example.com", PASSWORD).await;
        let (_, bob) = server.signed_up("bob@example.com", PASSWORD).await;
        let (ann_personal, _) = profiles(&server, &ann).await;
        let (bob_personal, _) = profiles(&server, &bob).await;
        let anns = stored_item(&server, &ann, ann_personal).await;
        let anns_other = stored_item(&server, &ann, ann_personal).await;
        let bobs = stored_item(&server, &bob, bob_personal).await;
        assert_eq!(pull(&server, &bob, 0).await.records, vec![bobs.clone()]);
        let anns_before = pull(&server, &ann, 0).await.records;

        // Bob creating a record with the id Ann uses: simply his own record.
        let mut create = new_item(bob_personal);
        create.id = anns.id;
        let reply = push(&server, &bob, vec![create.clone()]).await;
        assert!(reply.conflicts.is_empty());
        assert_eq!(reply.accepted[0].id, anns.id);
        let bobs_copy = record(&server, &bob, anns.id).await.unwrap();
        assert_holds(&bobs_copy, &create);
        assert_eq!(pull(&server, &ann, 0).await.records, anns_before, "Ann's are unchanged");

        // Edits and deletions on Ann's revisions reach Bob's records only: with no record of
        // that id, a conflict with nothing current; with his own, his record. Never Ann's.
        let mut overwrite = edit(&anns_other);
        overwrite.container_id = bob_personal;
        let mut remove = deletion(&anns_other);
        remove.container_id = bob_personal;
        for change in [overwrite, remove] {
            let reply = push(&server, &bob, vec![change]).await;
            assert!(reply.accepted.is_empty());
            assert_eq!(reply.conflicts.len(), 1);
            assert_eq!(reply.conflicts[0].id, anns_other.id);
            assert_eq!(reply.conflicts[0].current, None);
        }
        let mut stale = edit(&anns);
        stale.container_id = bob_personal;
        stale.base_revision = Some(anns.revision);
        let reply = push(&server, &bob, vec![stale]).await;
        assert_eq!(reply.conflicts[0].current.as_ref(), Some(&bobs_copy));
        assert_eq!(pull(&server, &ann, 0).await.records, anns_before, "Ann's are unchanged");

        // Ann's profile and a profile that does not exist get the same answer.
        let in_anns = vec![new_item(ann_personal)];
        let in_anns = refused(&server, &bob, &PushRequest { changes: in_anns }).await;
        let in_none = vec![new_item(ProfileId::new_v7())];
        let in_none = refused(&server, &bob, &PushRequest { changes: in_none }).await;
        assert_eq!(in_anns, in_none);
        assert!(in_anns.contains("not yours"), "{in_anns}");
        assert_eq!(pull(&server, &bob, 0).await.records, vec![bobs, bobs_copy]);
        assert_eq!(pull(&server, &ann, 0).await.records, anns_before);
    }

    async fn pull_pages_stop_at_the_byte_budget(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        // 40 items of 120 KiB: more than the budget in all, in pushes under the body limit.
        let mut pushed = Vec::new();
        for _ in 0..2 {
            let batch: Vec<_> = (0..20)
                .map(|_| RecordChange { data: Some(random(120 * 1024)), ..new_item(personal) })
                .collect();
            pushed.extend(batch.iter().map(|c| c.id));
            assert_eq!(push(&server, &session, batch).await.accepted.len(), 20);
        }
        let bytes = |r: &VaultRecord| {
            r.data.as_ref().map_or(0, |d| d.0.len()) + r.key.as_ref().map_or(0, |k| k.0.len())
        };
        let record_bytes = 120 * 1024 + WRAPPED_KEY_BYTES;

        let mut all: Vec<VaultRecord> = Vec::new();
        let mut since = 0;
        loop {
            let page = pull(&server, &session, since).await;
            assert!(!page.records.is_empty(), "a page holds at least one record");
            let size: usize = page.records.iter().map(bytes).sum();
            assert!(size <= MAX_PULL_BYTES, "{size} bytes in a page");
            if page.more {
                // Stopped at the budget: the next record would not have fitted.
                assert!(size + record_bytes > MAX_PULL_BYTES, "{size} bytes in a page");
            }
            since = page.records.last().unwrap().revision;
            all.extend(page.records);
            if !page.more {
                break;
            }
        }
        assert_eq!(all.len(), 40);
        assert!(all.windows(2).all(|w| w[0].revision < w[1].revision));
        assert_eq!(all.iter().map(|r| r.id).collect::<Vec<_>>(), pushed, "each exactly once");
        let first = pull(&server, &session, 0).await;
        assert!(first.more, "the budget cut the first page");
        assert_eq!(first.records.len(), MAX_PULL_BYTES / record_bytes);
    }

    async fn a_past_version_needs_an_item_of_the_account(server) {
        let (_, ann) = server.signed_up("ann@example.com", PASSWORD).await;
        let (_, bob) = server.signed_up("bob@example.com", PASSWORD).await;
        let (personal, business) = profiles(&server, &ann).await;
        let (bob_personal, _) = profiles(&server, &bob).await;
        let bobs = stored_item(&server, &bob, bob_personal).await;
        let item = stored_item(&server, &ann, personal).await;
        let folder = new_folder(personal);
        let gone = stored_item(&server, &ann, personal).await;
        let kept = stored_item(&server, &ann, personal).await;
        let past = new_history(personal, item.id);
        push(&server, &ann, vec![folder.clone(), past.clone(), deletion(&gone)]).await;
        let before = pull(&server, &ann, 0).await.records;

        let doomed = new_folder(business);
        let cases = vec![
            ("unknown parent", vec![new_history(personal, RecordId::new_v7())]),
            ("another account's item", vec![new_history(personal, bobs.id)]),
            ("a folder", vec![new_history(personal, folder.id)]),
            ("a past version", vec![new_history(personal, past.id)]),
            ("a deleted item", vec![new_history(personal, gone.id)]),
            (
                "a folder of the same push",
                vec![new_history(personal, doomed.id), doomed.clone()],
            ),
            (
                "an item the same push deletes",
                vec![new_history(personal, item.id), deletion(&item)],
            ),
        ];
        let mut messages = Vec::new();
        for (what, bad) in cases {
            // A valid change first: it must not be stored either.
            let mut changes = vec![new_folder(business)];
            changes.extend(bad);
            let ids: Vec<_> =
                changes.iter().flat_map(|c| [Some(c.id), c.parent_id]).flatten().collect();
            let message = refused(&server, &ann, &PushRequest { changes }).await;
            assert!(message.starts_with("changes[1]:"), "{what}: {message}");
            assert!(message.contains("parent_id"), "{what}: {message}");
            assert!(ids.iter().all(|id| !message.contains(&id.to_string())), "{what}: {message}");
            assert_eq!(pull(&server, &ann, 0).await.records, before, "{what}: nothing stored");
            messages.push(message);
        }
        assert_eq!(messages[0], messages[1], "Bob's item reads as one that does not exist");

        // Accepted: the item pushed with it (even after it), edited with it, or stored.
        let new = new_item(business);
        let with_new = new_history(business, new.id);
        let edited = edit(&item);
        let with_edit = new_history(personal, item.id);
        let with_stored = new_history(personal, kept.id);
        let changes = vec![with_new, new, with_edit, edited, with_stored];
        let reply = push(&server, &ann, changes.clone()).await;
        assert!(reply.conflicts.is_empty());
        assert_eq!(reply.accepted.len(), changes.len());
        let after = pull(&server, &ann, before.last().unwrap().revision).await.records;
        for (record, change) in after.iter().zip(&changes) {
            assert_holds(record, change);
        }

        // Deleting a past version needs no parent: not even once its item is deleted.
        let stored = record(&server, &ann, item.id).await.unwrap();
        push(&server, &ann, vec![deletion(&stored)]).await;
        let past = record(&server, &ann, past.id).await.unwrap();
        let reply = push(&server, &ann, vec![deletion(&past)]).await;
        assert_eq!(reply.accepted.len(), 1);
        assert_eq!(record(&server, &ann, past.id).await.unwrap().data, None);
    }

    async fn a_malformed_push_is_refused_whole(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, business) = profiles(&server, &session).await;
        let before = stored_item(&server, &session, personal).await;
        let mut cases = malformed(personal, &before);
        let twice = new_folder(business);
        cases.push(("same record twice", vec![twice.clone(), twice], "same record"));
        for (what, bad, expected) in cases {
            // A valid change first: it must not be stored either.
            let mut changes = vec![new_folder(business)];
            changes.extend(bad);
            let message = refused(&server, &session, &PushRequest { changes }).await;
            let named = message.contains("changes[1]") || message.contains("changes[2]");
            assert!(named, "{what}: {message}");
            assert!(message.contains(expected), "{what}: {message}");
            assert_eq!(pull(&server, &session, 0).await.records, vec![before.clone()], "{what}");
        }

        let message = refused(&server, &session, &PushRequest { changes: vec![] }).await;
        assert!(message.contains("at least one"), "{message}");
        let too_many = (0..=MAX_PUSH_CHANGES).map(|_| new_folder(personal)).collect();
        let message = refused(&server, &session, &PushRequest { changes: too_many }).await;
        assert!(message.contains("at most"), "{message}");

        let mut raw = serde_json::to_value(PushRequest {
            changes: vec![new_folder(personal), new_folder(personal)],
        }).unwrap();
        raw["changes"][1]["kind"] = "note".into();
        let message = refused(&server, &session, &raw).await;
        assert!(message.contains("does not have the fields"), "{message}");
        let mut negative = edit(&before);
        negative.base_revision = Some(-1);
        let message = refused(&server, &session, &PushRequest { changes: vec![negative] }).await;
        assert!(message.contains("base_revision"), "{message}");

        assert_eq!(pull(&server, &session, 0).await.records, vec![before]);
    }

    async fn pull_refuses_a_malformed_since(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let stored = stored_item(&server, &session, personal).await;
        for query in ["since=-1", "since=one"] {
            let reply: Reply<ErrorBody> = server
                .get_as(&format!("/api/vault/records?{query}"), Some(&session))
                .await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
            assert_eq!(error(&reply).0, "bad_request");
        }
        // Without `since`, everything.
        let all: Reply<PullResponse> = server.get_as("/api/vault/records", Some(&session)).await;
        assert_eq!(all.body.records, vec![stored]);
    }

    async fn a_change_sent_again_is_answered_with_its_revision_not_stored_twice(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let item = new_item(personal);
        let changes = vec![item.clone(), new_folder(personal), new_history(personal, item.id)];
        let first = push(&server, &session, changes.clone()).await;
        assert_eq!(first.accepted.len(), 3);
        let head = pull(&server, &session, 0).await.head;
        // The reply was lost: the browser sends the same push again.
        let again = push(&server, &session, changes.clone()).await;
        assert_eq!(again, first, "the same revisions, no conflict");
        let all = pull(&server, &session, 0).await;
        assert_eq!(all.head, head, "nothing was stored again");
        assert_eq!(all.records.len(), 3);
        // Even after another browser moved the record on, the old change is recognised.
        let stored = record(&server, &session, item.id).await.unwrap();
        push(&server, &session, vec![edit(&stored)]).await;
        let late = push(&server, &session, vec![changes[0].clone()]).await;
        assert_eq!(late.accepted, vec![first.accepted[0]]);
        assert!(late.conflicts.is_empty());
        // Resent alongside a new change, only the new one is stored.
        let folder = new_folder(personal);
        let mixed = push(&server, &session, vec![changes[1].clone(), folder.clone()]).await;
        assert_eq!(mixed.accepted[0], first.accepted[1]);
        assert_eq!(mixed.accepted[1].change_id, folder.change_id);
        assert!(mixed.accepted[1].revision > head + 1);
    }

    async fn a_change_id_is_never_reused_for_another_record(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let first = new_item(personal);
        push(&server, &session, vec![first.clone()]).await;
        let head = pull(&server, &session, 0).await.head;
        let other = RecordChange { change_id: first.change_id, ..new_folder(personal) };
        let message = refused(&server, &session, &PushRequest {
            changes: vec![new_folder(personal), other],
        }).await;
        assert!(message.starts_with("changes[1]:") && message.contains("change_id"), "{message}");
        assert_eq!(pull(&server, &session, 0).await.head, head, "nothing was stored");
    }

    async fn change_ids_belong_to_each_account_apart(server) {
        let (_, ann) = server.signed_up("ann@example.com", PASSWORD).await;
        let (_, bob) = server.signed_up("bob@example.com", PASSWORD).await;
        let (ann_personal, _) = profiles(&server, &ann).await;
        let (bob_personal, _) = profiles(&server, &bob).await;
        let ann_item = new_item(ann_personal);
        push(&server, &ann, vec![ann_item.clone()]).await;
        // Bob's browser happens to send the same change id: a different change of his own.
        let bob_item = RecordChange { change_id: ann_item.change_id, ..new_item(bob_personal) };
        let reply = push(&server, &bob, vec![bob_item.clone()]).await;
        assert_eq!(reply.accepted.len(), 1);
        assert_holds(&record(&server, &bob, bob_item.id).await.unwrap(), &bob_item);
    }

    async fn pull_reports_the_accounts_newest_revision(server) {
        let (_, ann) = server.signed_up("ann@example.com", PASSWORD).await;
        let (_, bob) = server.signed_up("bob@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &ann).await;
        assert_eq!(pull(&server, &ann, 0).await.head, 0);
        let reply = push(&server, &ann, vec![new_item(personal), new_folder(personal)]).await;
        let newest = reply.accepted[1].revision;
        assert_eq!(pull(&server, &ann, 0).await.head, newest);
        // Also when nothing follows `since`.
        let later = pull(&server, &ann, newest).await;
        assert!(later.records.is_empty());
        assert_eq!(later.head, newest);
        assert_eq!(pull(&server, &bob, 0).await.head, 0, "per account");
    }

    async fn the_event_stream_needs_a_session(server) {
        for cookie in [None, Some("not-a-session")] {
            let reply: Reply<ErrorBody> = server.get_as("/api/vault/events", cookie).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
            assert_eq!(error(&reply).0, codes::UNAUTHENTICATED);
        }
    }

    async fn a_push_is_announced_to_every_browser_of_the_account_and_no_other(server) {
        let (_, ann) = server.signed_up("ann@example.com", PASSWORD).await;
        let (_, bob) = server.signed_up("bob@example.com", PASSWORD).await;
        let (ann_personal, _) = profiles(&server, &ann).await;
        let (bob_personal, _) = profiles(&server, &bob).await;
        let mut ann_a = EventStream::open(&server, &ann).await;
        let mut ann_b = EventStream::open(&server, &ann).await;
        let mut bob_stream = EventStream::open(&server, &bob).await;
        let reply = push(&server, &ann, vec![new_item(ann_personal)]).await;
        let ann_revision = reply.accepted[0].revision;
        assert_eq!(ann_a.next_change().await, Some(ann_revision));
        assert_eq!(ann_b.next_change().await, Some(ann_revision));
        // Bob hears only his own change: the first event on his stream is his.
        let reply = push(&server, &bob, vec![new_item(bob_personal)]).await;
        assert_eq!(bob_stream.next_change().await, Some(reply.accepted[0].revision));
        // A push that stores nothing (a conflict, a change sent again) announces nothing.
        let stored = record(&server, &ann, reply.accepted[0].id).await;
        assert!(stored.is_none(), "ids are per account");
        let item = new_item(ann_personal);
        let reply = push(&server, &ann, vec![item.clone()]).await;
        push(&server, &ann, vec![item]).await;
        let folder = push(&server, &ann, vec![new_folder(ann_personal)]).await;
        assert_eq!(ann_a.next_change().await, Some(reply.accepted[0].revision));
        assert_eq!(ann_a.next_change().await, Some(folder.accepted[0].revision));
    }

    async fn concurrent_edits_of_one_record_store_exactly_one(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let stored = stored_item(&server, &session, personal).await;
        let racer = || push(&server, &session, vec![edit(&stored), new_folder(personal)]);
        let (a, b, c, d, e, f) = tokio::join!(racer(), racer(), racer(), racer(), racer(), racer());
        let replies = [a, b, c, d, e, f];
        let winners = replies.iter().filter(|r| r.conflicts.is_empty()).count();
        assert_eq!(winners, 1, "one edit wins; the others see it as a conflict");
        let mut revisions: Vec<_> =
            replies.iter().flat_map(|r| &r.accepted).map(|a| a.revision).collect();
        revisions.sort_unstable();
        revisions.dedup();
        assert_eq!(revisions.len(), 6 + 1, "every stored change has its own revision");
    }
}

/// Changes the server must refuse, each with what it is and a word its message must contain.
fn malformed(
    personal: ProfileId,
    stored: &VaultRecord,
) -> Vec<(&'static str, Vec<RecordChange>, &'static str)> {
    let item = |f: fn(&mut RecordChange)| {
        let mut change = new_item(personal);
        f(&mut change);
        vec![change]
    };
    vec![
        (
            "oversized data",
            item(|c| c.data = Some(random(MAX_RECORD_BYTES + 1))),
            "larger than",
        ),
        (
            "data too short to be sealed",
            item(|c| c.data = Some(random(29))),
            "too short",
        ),
        (
            "short key",
            item(|c| c.key = Some(random(WRAPPED_KEY_BYTES - 1))),
            "wrapped key",
        ),
        ("item without key", item(|c| c.key = None), "wrapped key"),
        (
            "item with parent",
            item(|c| c.parent_id = Some(RecordId::new_v7())),
            "parent_id",
        ),
        (
            "deletion with key",
            item(|c| c.data = None),
            "deletion carries no key",
        ),
        (
            "folder with key",
            vec![RecordChange {
                key: Some(random(WRAPPED_KEY_BYTES)),
                ..new_folder(personal)
            }],
            "only an item carries a key",
        ),
        (
            "history without parent",
            vec![RecordChange {
                parent_id: None,
                ..new_history(personal, stored.id)
            }],
            "parent_id",
        ),
        (
            "kind change",
            vec![RecordChange {
                kind: RecordKind::Folder,
                key: None,
                ..edit(stored)
            }],
            "never changes kind",
        ),
    ]
}

/// A browser's `GET /api/vault/events` stream, read event by event.
struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    async fn open(server: &TestServer, session: &str) -> Self {
        Self::open_at(&server.base, session).await
    }

    async fn open_at(base: &str, session: &str) -> Self {
        let response = common::open_event_stream(&reqwest::Client::new(), base, session).await;
        let mut stream = Self {
            response,
            buffer: String::new(),
        };
        // The stream says hello at once; after it, the server is listening for us.
        let hello = stream.next_block().await;
        assert!(hello.contains("retry:"), "{hello}");
        stream
    }

    /// The next block (up to a blank line), comments included.
    async fn next_block(&mut self) -> String {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block = self.buffer[..end].to_owned();
                self.buffer.drain(..end + 2);
                return block;
            }
            // A bound, not a timing check: a missing event fails the test instead of hanging it.
            let chunk =
                tokio::time::timeout(std::time::Duration::from_secs(20), self.response.chunk())
                    .await
                    .expect("an event within 20 s")
                    .unwrap()
                    .expect("the stream stays open");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The revision of the next `changed` event (skipping keep-alive comments).
    async fn next_change(&mut self) -> Option<i64> {
        loop {
            let block = self.next_block().await;
            if let Some(data) = block.strip_prefix("event: changed\ndata: ") {
                let notice: ChangeNotice = serde_json::from_str(data).unwrap();
                return notice.revision;
            }
            assert!(
                block.starts_with(':'),
                "only comments besides events: {block}"
            );
        }
    }
}

/// Two instances on one PostgreSQL database: a browser connected to one hears of a change
/// pushed through the other.
#[actix_web::test]
async fn instances_on_one_postgresql_announce_changes_to_each_other() {
    let Some(first) = common::TestServer::start(common::Flavor::Postgres).await else {
        return;
    };
    let second = first.sibling().await;
    let (_, session) = first.signed_up("ann@example.com", PASSWORD).await;
    let (personal, _) = profiles(&first, &session).await;
    let mut on_second = EventStream::open(&second, &session).await;
    let mut on_first = EventStream::open(&first, &session).await;
    let reply = push(&first, &session, vec![new_item(personal)]).await;
    assert_eq!(
        on_second.next_change().await,
        Some(reply.accepted[0].revision)
    );
    assert_eq!(
        on_first.next_change().await,
        Some(reply.accepted[0].revision)
    );
    let reply = push(&second, &session, vec![new_folder(personal)]).await;
    assert_eq!(
        on_first.next_change().await,
        Some(reply.accepted[0].revision)
    );
    assert_eq!(
        on_second.next_change().await,
        Some(reply.accepted[0].revision)
    );
}
