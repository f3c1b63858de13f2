//! Vault records through the real server, on SQLite and PostgreSQL: push and pull, revisions
//! per container, conflicts, tombstones, pages (by count and by bytes), record ids per
//! container, past versions tied to an item the account can read, each malformed change refused
//! alone, and change notices. Containers themselves (moves, access, isolation, many accounts at
//! once) are in `containers.rs`.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use common::accounts::{Reply, error};
use common::random;
use common::vault::{
    EventStream, after, assert_holds, at, deletion, edit, heads, new_folder, new_history, new_item,
    profiles, pull, pull_all, pull_pages, push, record, refusals, refused_whole, stored_item,
};
use reqwest::StatusCode;
use shared_types::account::codes;
use shared_types::api::ErrorBody;
use shared_types::vault::{
    MAX_PULL_BYTES, MAX_PULL_CONTAINERS, MAX_PULL_RECORDS, MAX_PUSH_CHANGES, MAX_RECORD_BYTES,
    PullRequest, PullResponse, PushRequest, RecordChange, RecordKind, Refusal, RefusalCode,
    VaultRecord, WRAPPED_KEY_BYTES,
};
use shared_types::{ContainerId, RecordId};

const PASSWORD: &str = "correct horse battery staple";

on_both_databases! {
    async fn both_endpoints_need_a_session(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let body = PushRequest { changes: vec![new_item(personal)] };
        for cookie in [None, Some("not-a-session")] {
            let pulled: Reply<ErrorBody> =
                server.post("/api/vault/pull", &PullRequest::default(), cookie).await;
            assert_eq!(pulled.status, StatusCode::UNAUTHORIZED);
            assert_eq!(error(&pulled).0, codes::UNAUTHENTICATED);
            let pushed: Reply<ErrorBody> = server.post("/api/vault/push", &body, cookie).await;
            assert_eq!(pushed.status, StatusCode::UNAUTHORIZED);
            assert_eq!(error(&pushed).0, codes::UNAUTHENTICATED);
        }
        assert!(pull_all(&server, &session).await.records.is_empty(), "nothing was stored");
    }

    async fn pushed_records_pull_back_as_sent_with_revisions_per_container(server) {
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
        assert!(reply.conflicts.is_empty() && reply.refused.is_empty());
        let ids: Vec<_> = reply.accepted.iter().map(|a| a.id).collect();
        assert_eq!(ids, changes.iter().map(|c| c.id).collect::<Vec<_>>(), "in request order");
        let revisions: Vec<_> = reply.accepted.iter().map(|a| a.revision).collect();
        assert_eq!(revisions, [1, 2, 3, 1], "each container counts its own revisions");

        let pulled = pull_all(&server, &session).await;
        assert_eq!(pulled.records.len(), 4);
        let order = |r: &VaultRecord| (r.container_id, r.revision);
        assert!(pulled.records.windows(2).all(|w| order(&w[0]) < order(&w[1])), "by container");
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        for (change, accepted) in changes.iter().zip(&reply.accepted) {
            let record = pulled.records.iter().find(|r| r.id == change.id).unwrap();
            assert_holds(record, change);
            assert_eq!(record.revision, accepted.revision);
            assert!((now - record.updated_at).abs() < 60, "stored just now");
        }

        // A later push takes the next revision of each container it writes to.
        let later = push(&server, &session, vec![new_folder(business), new_folder(personal)]).await;
        let revisions: Vec<_> = later.accepted.iter().map(|a| a.revision).collect();
        assert_eq!(revisions, [2, 4]);
    }

    async fn an_edit_on_the_current_revision_is_stored_in_place(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let stored = stored_item(&server, &session, personal).await;
        let change = edit(&stored);
        let reply = push(&server, &session, vec![change.clone()]).await;
        assert!(reply.conflicts.is_empty());
        assert_eq!(reply.accepted[0].revision, stored.revision + 1);
        let now = record(&server, &session, stored.id).await.unwrap();
        assert_holds(&now, &change);
        assert_eq!(now.revision, reply.accepted[0].revision);
        assert_eq!(pull_all(&server, &session).await.records.len(), 1, "edited in place");
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
        let later = pull(&server, &session, &after([(personal, stored.revision)])).await;
        assert_eq!(later.records.len(), 1);
        let tombstone = &later.records[0];
        assert_eq!(tombstone.id, stored.id);
        assert_eq!(tombstone.kind, RecordKind::Item);
        assert_eq!(tombstone.revision, reply.accepted[0].revision);
        assert_eq!((&tombstone.key, &tombstone.data), (&None, &None));
        // The deletion mark and the version the browser sealed travel with the tombstone.
        let sent = deletion(&stored);
        assert_eq!((tombstone.version, tombstone.mark.is_some()), (sent.version, true));

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
        let (personal, business) = profiles(&server, &session).await;
        let first = push(&server, &session, vec![new_folder(personal)]).await.accepted[0];
        let rest = push(&server, &session, vec![new_folder(personal), new_folder(personal)]).await;
        let theirs = push(&server, &session, vec![new_folder(business)]).await.accepted[0];
        // After the personal profile's cursor; the business profile, named nowhere, from the start.
        let later = pull(&server, &session, &after([(personal, first.revision)])).await;
        let mut expected: Vec<_> = rest.accepted.iter().map(|a| (personal, a.id, a.revision)).collect();
        expected.push((business, theirs.id, theirs.revision));
        expected.sort_unstable();
        let mut pulled: Vec<_> =
            later.records.iter().map(|r| (r.container_id, r.id, r.revision)).collect();
        pulled.sort_unstable();
        assert_eq!(pulled, expected);
        let past_both = [(personal, rest.accepted[1].revision), (business, theirs.revision)];
        assert!(pull(&server, &session, &after(past_both)).await.records.is_empty());

        // More than a page, pushed in batches the server accepts.
        let total = MAX_PULL_RECORDS as usize + 100;
        let mut pushed = vec![theirs.id, first.id];
        pushed.extend(rest.accepted.iter().map(|a| a.id));
        while pushed.len() < total {
            let batch: Vec<_> = (0..(total - pushed.len()).min(MAX_PUSH_CHANGES))
                .map(|_| new_folder(personal))
                .collect();
            pushed.extend(batch.iter().map(|c| c.id));
            let count = batch.len();
            assert_eq!(push(&server, &session, batch).await.accepted.len(), count);
        }
        let pages = pull_pages(&server, &session).await;
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].records.len(), MAX_PULL_RECORDS as usize);
        assert_eq!(pages[1].records.len(), total - MAX_PULL_RECORDS as usize);
        let all: Vec<_> = pages.iter().flat_map(|p| &p.records).collect();
        let order = |r: &VaultRecord| (r.container_id, r.revision);
        assert!(all.windows(2).all(|w| order(w[0]) < order(w[1])));
        let mut ids: Vec<_> = all.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        pushed.sort_unstable();
        assert_eq!(ids, pushed, "each record exactly once");
    }

    async fn record_ids_belong_to_each_account_apart(server) {
        let (_, ann) = server.signed_up("ann@example.com", PASSWORD).await;
        let (_, bob) = server.signed_up("bob@example.com", PASSWORD).await;
        let (ann_personal, _) = profiles(&server, &ann).await;
        let (bob_personal, _) = profiles(&server, &bob).await;
        let anns = stored_item(&server, &ann, ann_personal).await;
        let anns_other = stored_item(&server, &ann, ann_personal).await;
        let bobs = stored_item(&server, &bob, bob_personal).await;
        assert_eq!(pull_all(&server, &bob).await.records, vec![bobs.clone()]);
        let anns_before = pull_all(&server, &ann).await.records;

        // Bob creating a record with the id Ann uses: simply his own record.
        let mut create = new_item(bob_personal);
        create.id = anns.id;
        let reply = push(&server, &bob, vec![create.clone()]).await;
        assert!(reply.conflicts.is_empty());
        assert_eq!(reply.accepted[0].id, anns.id);
        let bobs_copy = record(&server, &bob, anns.id).await.unwrap();
        assert_holds(&bobs_copy, &create);
        assert_eq!(pull_all(&server, &ann).await.records, anns_before, "Ann's are unchanged");

        // Edits and deletions on Ann's revisions, in Bob's profile, reach Bob's records only:
        // with no record of that id, a conflict with nothing current; with his own, his record.
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
        assert_ne!(stale.base_revision, Some(bobs_copy.revision), "a base only Ann's copy has");
        let reply = push(&server, &bob, vec![stale]).await;
        assert_eq!(reply.conflicts[0].current.as_ref(), Some(&bobs_copy));
        assert_eq!(pull_all(&server, &ann).await.records, anns_before, "Ann's are unchanged");

        // The same changes in Ann's profile are refused, whether or not Ann has such a record,
        // with the same answer as a profile that does not exist.
        let into_anns = vec![edit(&anns), deletion(&anns_other), new_item(ann_personal)];
        let into_none = new_item(ContainerId::new_v7());
        let mut changes = into_anns.clone();
        changes.push(into_none);
        let reply = push(&server, &bob, changes.clone()).await;
        assert!(reply.accepted.is_empty() && reply.conflicts.is_empty());
        let expected: Vec<_> =
            changes.iter().map(|c| (c.change_id, RefusalCode::NotWritable)).collect();
        assert_eq!(refusals(&reply), expected);
        let message = &reply.refused[0].message;
        assert!(reply.refused.iter().all(|r| &r.message == message), "one answer for all");
        assert!(message.contains("not yours"), "{message}");
        assert_eq!(pull_all(&server, &bob).await.records, vec![bobs, bobs_copy]);
        assert_eq!(pull_all(&server, &ann).await.records, anns_before);
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

        let pages = pull_pages(&server, &session).await;
        for page in &pages {
            assert!(!page.records.is_empty(), "a page holds at least one record");
            let size: usize = page.records.iter().map(bytes).sum();
            assert!(size <= MAX_PULL_BYTES, "{size} bytes in a page");
            if page.more {
                // Stopped at the budget: the next record would not have fitted.
                assert!(size + record_bytes > MAX_PULL_BYTES, "{size} bytes in a page");
            }
        }
        let all: Vec<_> = pages.iter().flat_map(|p| &p.records).collect();
        assert!(all.windows(2).all(|w| w[0].revision < w[1].revision));
        assert_eq!(all.iter().map(|r| r.id).collect::<Vec<_>>(), pushed, "each exactly once");
        assert!(pages[0].more, "the budget cut the first page");
        assert_eq!(pages[0].records.len(), MAX_PULL_BYTES / record_bytes);
    }

    async fn a_past_version_needs_an_item_the_account_can_read(server) {
        let (_, ann) = server.signed_up("ann@example.com", PASSWORD).await;
        let (_, bob) = server.signed_up("bob@example.com", PASSWORD).await;
        let (personal, business) = profiles(&server, &ann).await;
        let (bob_personal, _) = profiles(&server, &bob).await;
        let bobs = stored_item(&server, &bob, bob_personal).await;
        let item = stored_item(&server, &ann, personal).await;
        let folder = new_folder(personal);
        let gone = stored_item(&server, &ann, personal).await;
        let kept = stored_item(&server, &ann, personal).await;
        let doomed_item = stored_item(&server, &ann, personal).await;
        let past = new_history(personal, item.id);
        push(&server, &ann, vec![folder.clone(), past.clone(), deletion(&gone)]).await;

        let doomed_folder = new_folder(business);
        // Each case: the past version first, then other changes of the same push.
        let cases = vec![
            ("unknown parent", vec![new_history(personal, RecordId::new_v7())]),
            ("another account's item", vec![new_history(personal, bobs.id)]),
            ("a folder", vec![new_history(personal, folder.id)]),
            ("a past version", vec![new_history(personal, past.id)]),
            ("a deleted item", vec![new_history(personal, gone.id)]),
            (
                "a folder of the same push",
                vec![new_history(personal, doomed_folder.id), doomed_folder],
            ),
            (
                "an item the same push deletes",
                vec![new_history(personal, doomed_item.id), deletion(&doomed_item)],
            ),
        ];
        let mut messages = Vec::new();
        for (what, bad) in cases {
            // A valid change first: it is stored all the same.
            let mut changes = vec![new_folder(business)];
            changes.extend(bad);
            let ids: Vec<_> =
                changes.iter().flat_map(|c| [Some(c.id), c.parent_id]).flatten().collect();
            let reply = push(&server, &ann, changes.clone()).await;
            let history = &changes[1];
            assert_eq!(refusals(&reply), [(history.change_id, RefusalCode::MissingParent)], "{what}");
            assert_eq!(reply.accepted.len(), changes.len() - 1, "{what}: the others are stored");
            let message = &reply.refused[0].message;
            assert!(message.contains("past version"), "{what}: {message}");
            assert!(ids.iter().all(|id| !message.contains(&id.to_string())), "{what}: {message}");
            assert_eq!(record(&server, &ann, history.id).await, None, "{what}: not stored");
            messages.push(message.clone());
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
        assert!(reply.conflicts.is_empty() && reply.refused.is_empty());
        assert_eq!(reply.accepted.len(), changes.len());
        for change in &changes {
            assert_holds(&record(&server, &ann, change.id).await.unwrap(), change);
        }

        // Deleting a past version needs no parent: not even once its item is deleted.
        let stored = record(&server, &ann, item.id).await.unwrap();
        push(&server, &ann, vec![deletion(&stored)]).await;
        let past = record(&server, &ann, past.id).await.unwrap();
        let reply = push(&server, &ann, vec![deletion(&past)]).await;
        assert_eq!(reply.accepted.len(), 1);
        assert_eq!(record(&server, &ann, past.id).await.unwrap().data, None);
    }

    async fn each_malformed_change_is_refused_alone_with_its_code(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, business) = profiles(&server, &session).await;
        let before = stored_item(&server, &session, personal).await;
        let twice = new_folder(business);
        let same_change = RecordChange { change_id: twice.change_id, ..new_folder(business) };
        let mut cases = malformed(personal, &before);
        cases.push(("same record twice", twice.clone(), RefusalCode::Duplicate, "same record"));
        cases.push(("same change id twice", same_change, RefusalCode::Duplicate, "same change id"));
        // Good changes around the bad ones, and the first of the pair the last two repeat.
        let good = [new_folder(personal), twice, new_item(business)];
        let mut changes = good[..2].to_vec();
        changes.extend(cases.iter().map(|case| case.1.clone()));
        changes.push(good[2].clone());
        let reply = push(&server, &session, changes).await;

        let stored: Vec<_> = reply.accepted.iter().map(|a| a.change_id).collect();
        assert_eq!(stored, good.iter().map(|c| c.change_id).collect::<Vec<_>>());
        assert!(reply.conflicts.is_empty());
        assert_eq!(reply.refused.len(), cases.len());
        for (what, change, code, expected) in &cases {
            let of_change = |r: &&Refusal| (r.id, r.change_id) == (change.id, change.change_id);
            let refusal = reply.refused.iter().find(of_change).expect(what);
            assert_eq!(refusal.code, *code, "{what}");
            let message = &refusal.message;
            assert!(message.to_lowercase().contains(expected), "{what}: {message}");
            assert!(!message.contains(&change.id.to_string()), "{what}: {message}");
        }
        let mut after_push = vec![before.clone()];
        for change in &good {
            after_push.push(record(&server, &session, change.id).await.unwrap());
        }
        after_push.sort_by_key(|r| (r.container_id, r.revision));
        assert_eq!(pull_all(&server, &session).await.records, after_push, "only the good ones");

        // Only a request that is empty, too long or unreadable is refused whole.
        let message = refused_whole(&server, &session, &PushRequest { changes: vec![] }).await;
        assert!(message.contains("at least one"), "{message}");
        let too_many = (0..=MAX_PUSH_CHANGES).map(|_| new_folder(personal)).collect();
        let message = refused_whole(&server, &session, &PushRequest { changes: too_many }).await;
        assert!(message.contains("at most"), "{message}");
        let mut raw = serde_json::to_value(PushRequest {
            changes: vec![new_folder(personal), new_folder(personal)],
        }).unwrap();
        raw["changes"][1]["kind"] = "note".into();
        let message = refused_whole(&server, &session, &raw).await;
        assert!(message.contains("does not have the fields"), "{message}");
        assert_eq!(pull_all(&server, &session).await.records, after_push, "nothing stored");
    }

    async fn pull_refuses_malformed_cursors(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let stored = stored_item(&server, &session, personal).await;
        let cursor = |revision: serde_json::Value| {
            serde_json::json!({ "cursors": [{ "container_id": personal, "revision": revision }] })
        };
        let too_many: Vec<_> =
            (0..=MAX_PULL_CONTAINERS).map(|_| (ContainerId::new_v7(), 0)).collect();
        let bodies = [
            cursor((-1).into()),
            cursor("one".into()),
            serde_json::json!({ "cursors": [{ "container_id": "mine", "revision": 0 }] }),
            serde_json::json!({ "access_since": -1 }),
            serde_json::to_value(after(too_many)).unwrap(),
        ];
        for body in bodies {
            let reply: Reply<ErrorBody> =
                server.post("/api/vault/pull", &body, Some(&session)).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(error(&reply).0, "bad_request");
        }
        // Without cursors, everything.
        let all: Reply<PullResponse> =
            server.post("/api/vault/pull", &serde_json::json!({}), Some(&session)).await;
        assert_eq!(all.body.records, vec![stored]);
    }

    async fn pull_reports_the_newest_revision_of_each_container(server) {
        let (_, ann) = server.signed_up("ann@example.com", PASSWORD).await;
        let (_, bob) = server.signed_up("bob@example.com", PASSWORD).await;
        let (personal, business) = profiles(&server, &ann).await;
        let (bob_personal, bob_business) = profiles(&server, &bob).await;
        let empty = heads(&pull_all(&server, &ann).await);
        assert_eq!(empty, BTreeMap::from([(personal, 0), (business, 0)]));
        let reply = push(&server, &ann, vec![new_item(personal), new_folder(personal)]).await;
        let newest = reply.accepted[1].revision;
        let expected = BTreeMap::from([(personal, newest), (business, 0)]);
        assert_eq!(heads(&pull_all(&server, &ann).await), expected);
        // Also when nothing follows the cursors.
        let later = pull(&server, &ann, &after([(personal, newest), (business, 0)])).await;
        assert!(later.records.is_empty());
        assert_eq!(heads(&later), expected);
        let bobs = heads(&pull_all(&server, &bob).await);
        assert_eq!(bobs, BTreeMap::from([(bob_personal, 0), (bob_business, 0)]), "his own only");
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
        let ann_change = at(ann_personal, reply.accepted[0].revision);
        assert_eq!(ann_a.next_change().await, Some(ann_change));
        assert_eq!(ann_b.next_change().await, Some(ann_change));
        // Bob hears only his own change: the first event on his stream is his.
        let reply = push(&server, &bob, vec![new_item(bob_personal)]).await;
        assert_eq!(bob_stream.next_change().await, Some(at(bob_personal, reply.accepted[0].revision)));
        // A push that stores nothing (a conflict, a change sent again) announces nothing.
        let item = new_item(ann_personal);
        let reply = push(&server, &ann, vec![item.clone()]).await;
        push(&server, &ann, vec![item]).await;
        let folder = push(&server, &ann, vec![new_folder(ann_personal)]).await;
        assert_eq!(ann_a.next_change().await, Some(at(ann_personal, reply.accepted[0].revision)));
        assert_eq!(ann_a.next_change().await, Some(at(ann_personal, folder.accepted[0].revision)));
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

/// Changes the server must refuse, each with what it is, its code and words its message must
/// contain (in lower case).
fn malformed(
    personal: ContainerId,
    stored: &VaultRecord,
) -> Vec<(&'static str, RecordChange, RefusalCode, &'static str)> {
    let item = |f: fn(&mut RecordChange)| {
        let mut change = new_item(personal);
        f(&mut change);
        change
    };
    let invalid = RefusalCode::Invalid;
    vec![
        (
            "oversized data",
            item(|c| c.data = Some(random(MAX_RECORD_BYTES + 1))),
            invalid,
            "larger than",
        ),
        (
            "data too short to be sealed",
            item(|c| c.data = Some(random(29))),
            invalid,
            "too short",
        ),
        (
            "short key",
            item(|c| c.key = Some(random(WRAPPED_KEY_BYTES - 1))),
            invalid,
            "wrapped key",
        ),
        (
            "item without key",
            item(|c| c.key = None),
            invalid,
            "wrapped key",
        ),
        (
            "item with parent",
            item(|c| c.parent_id = Some(RecordId::new_v7())),
            invalid,
            "parent_id",
        ),
        (
            "deletion with key",
            item(|c| c.data = None),
            invalid,
            "deletion carries no key",
        ),
        (
            "negative base revision",
            item(|c| c.base_revision = Some(-1)),
            invalid,
            "base_revision",
        ),
        (
            "base revision 0",
            item(|c| c.base_revision = Some(0)),
            invalid,
            "base_revision",
        ),
        (
            "folder with key",
            RecordChange {
                key: Some(random(WRAPPED_KEY_BYTES)),
                ..new_folder(personal)
            },
            invalid,
            "only an item carries a key",
        ),
        (
            "history without parent",
            RecordChange {
                parent_id: None,
                ..new_history(personal, stored.id)
            },
            invalid,
            "parent_id",
        ),
        (
            "kind change",
            RecordChange {
                kind: RecordKind::Folder,
                key: None,
                ..edit(stored)
            },
            RefusalCode::KindChanged,
            "never changes kind",
        ),
    ]
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
    let change = Some(at(personal, reply.accepted[0].revision));
    assert_eq!(on_second.next_change().await, change);
    assert_eq!(on_first.next_change().await, change);
    let reply = push(&second, &session, vec![new_folder(personal)]).await;
    let change = Some(at(personal, reply.accepted[0].revision));
    assert_eq!(on_first.next_change().await, change);
    assert_eq!(on_second.next_change().await, change);
}
