//! Containers through the real server, on SQLite and PostgreSQL: each account reads and writes
//! only the containers the access gate gives it, on every route; a revoked container stops
//! being served at once and a granted one starts; a record moved between containers leaves a
//! tombstone where it was; and many accounts pushing at once each keep exactly their own.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::random;
use common::vault::{
    EventStream, after, assert_holds, at, deletion, edit, heads, new_folder, new_item, profiles,
    pull, pull_all, push, record, refusals, set_access, stored_item,
};
use futures_util::future::join_all;
use shared_types::vault::{
    ContainerAccess, ContainerKind, PullRequest, PullResponse, PushResponse, RecordChange,
    RefusalCode, Role,
};
use shared_types::{ContainerId, RecordId};

const PASSWORD: &str = "correct horse battery staple";

/// The request of a browser that has pulled `seen`: the access feed and every container up to
/// its head.
fn after_seen(seen: &PullResponse) -> PullRequest {
    PullRequest {
        access_since: seen.access_head,
        cursors: seen.heads.clone(),
    }
}

/// The containers a pull tells about: in its heads, its records and its access feed.
fn containers_in(pulled: &PullResponse) -> BTreeSet<ContainerId> {
    (pulled.heads.iter().map(|c| c.container_id))
        .chain(pulled.records.iter().map(|r| r.container_id))
        .chain(pulled.access.iter().map(|a| a.container_id))
        .collect()
}

/// Checks that every change of `changes` was refused as not writable, and nothing stored.
fn assert_not_writable(reply: &PushResponse, changes: &[RecordChange]) {
    assert_refused(reply, changes, RefusalCode::NotWritable);
}

/// Checks that every change of `changes` was refused with `code`, and nothing stored.
fn assert_refused(reply: &PushResponse, changes: &[RecordChange], code: RefusalCode) {
    assert!(
        reply.accepted.is_empty() && reply.conflicts.is_empty(),
        "{reply:?}"
    );
    let expected: Vec<_> = (changes.iter()).map(|c| (c.change_id, code)).collect();
    assert_eq!(refusals(reply), expected);
}

const ACCOUNTS: usize = 200;
const CHANGES_PER_ACCOUNT: usize = 10;

on_both_databases! {
    async fn two_accounts_never_see_or_change_each_others_containers(server) {
        let (_, ann) = server.signed_up("ann@example.com", PASSWORD).await;
        let (_, bob) = server.signed_up("bob@example.com", PASSWORD).await;
        let (ann_personal, ann_business) = profiles(&server, &ann).await;
        let (bob_personal, bob_business) = profiles(&server, &bob).await;
        let mut ann_stream = EventStream::open(&server, &ann).await;
        let mut bob_stream = EventStream::open(&server, &bob).await;
        let anns_item = stored_item(&server, &ann, ann_personal).await;
        let anns_folder = new_folder(ann_business);
        push(&server, &ann, vec![anns_folder.clone()]).await;
        let anns = pull_all(&server, &ann).await;
        let bobs_item = stored_item(&server, &bob, bob_personal).await;
        // Bob's browser hears only his own push: Ann's two came first.
        assert_eq!(bob_stream.next_change().await, Some(at(bob_personal, bobs_item.revision)));

        // Pull: Bob's records, heads and access only, even when he names Ann's containers:
        // those he named are answered as not his, exactly as ids that exist nowhere.
        let bobs_only = BTreeSet::from([bob_personal, bob_business]);
        let made_up = (ContainerId::new_v7(), ContainerId::new_v7());
        let naming_anns = after([(ann_personal, 0), (ann_business, 0)]);
        let naming_nothing = after([(made_up.0, 0), (made_up.1, 0)]);
        for (request, named) in [
            (PullRequest::default(), vec![]),
            (naming_anns, vec![ann_personal, ann_business]),
            (naming_nothing, vec![made_up.0, made_up.1]),
        ] {
            let pulled = pull(&server, &bob, &request).await;
            assert_eq!(pulled.records, vec![bobs_item.clone()]);
            let owned: BTreeSet<ContainerId> = containers_in(&pulled)
                .into_iter()
                .filter(|c| !named.contains(c))
                .collect();
            assert_eq!(owned, bobs_only);
            for access in &pulled.access {
                if named.contains(&access.container_id) {
                    assert_eq!(access.role, None, "named, not readable: a revocation");
                } else {
                    assert_eq!(access.role, Some(Role::Owner));
                }
            }
            assert!(pulled.heads.iter().all(|h| bobs_only.contains(&h.container_id)));
        }

        // Push: every change into Ann's containers is refused, and nothing is stored there.
        let into_anns = vec![
            new_item(ann_personal),
            edit(&anns_item),
            deletion(anns.records.iter().find(|r| r.id == anns_folder.id).unwrap()),
            new_folder(ann_business),
        ];
        let reply = push(&server, &bob, into_anns.clone()).await;
        assert_not_writable(&reply, &into_anns);
        assert_eq!(pull_all(&server, &ann).await, anns, "Ann's vault is untouched");
        let bobs = pull_all(&server, &bob).await;
        assert_eq!(bobs.records, vec![bobs_item]);
        assert_eq!(heads(&bobs), BTreeMap::from([(bob_personal, 1), (bob_business, 0)]));

        // The event stream: Ann heard her own two pushes, then nothing of Bob's (his stored
        // change, or the refused ones), so her next event is her next push.
        assert_eq!(ann_stream.next_change().await, Some(at(ann_personal, 1)));
        assert_eq!(ann_stream.next_change().await, Some(at(ann_business, 1)));
        let next = push(&server, &ann, vec![new_folder(ann_personal)]).await.accepted[0];
        assert_eq!(ann_stream.next_change().await, Some(at(ann_personal, next.revision)));
    }

    async fn a_revoked_container_stops_being_served_at_once(server) {
        let (ann_user, ann) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, business) = profiles(&server, &ann).await;
        let kept = stored_item(&server, &ann, personal).await;
        let lost = stored_item(&server, &ann, business).await;
        let seen = pull_all(&server, &ann).await;
        assert_eq!(seen.records.len(), 2);
        let owner = |container_id, revision| ContainerAccess {
            container_id,
            kind: ContainerKind::Profile,
            role: Some(Role::Owner),
            revision,
        };
        let feed = vec![owner(personal, 1), owner(business, 2)];
        assert_eq!((seen.access.clone(), seen.access_head), (feed, 2));

        set_access(&server, business, ann_user.account_id, None).await;

        // The browser pulls on from where it was: told of the revocation, served nothing more.
        let revoked = ContainerAccess { role: None, ..owner(business, 3) };
        let next = pull(&server, &ann, &after_seen(&seen)).await;
        assert_eq!(next.access, vec![revoked]);
        assert_eq!(next.access_head, 3);
        assert!(next.records.is_empty());
        assert_eq!(heads(&next), BTreeMap::from([(personal, kept.revision)]));
        // A browser starting afresh (or naming the container) gets none of its records either.
        let naming_it = PullRequest { access_since: 0, ..after([(business, 0)]) };
        for request in [PullRequest::default(), naming_it] {
            let fresh = pull(&server, &ann, &request).await;
            assert_eq!(fresh.records, vec![kept.clone()]);
            assert_eq!(heads(&fresh), BTreeMap::from([(personal, kept.revision)]));
            assert_eq!(fresh.access, vec![owner(personal, 1), revoked]);
        }

        // Writing to it is refused; its records read as ones that do not exist, so moving one
        // out is a conflict with nothing current, and stores nothing.
        let into_it = vec![new_item(business), edit(&lost)];
        assert_not_writable(&push(&server, &ann, into_it.clone()).await, &into_it);
        let move_out = RecordChange { container_id: personal, ..edit(&lost) };
        let reply = push(&server, &ann, vec![move_out]).await;
        assert_eq!(reply.conflicts.len(), 1);
        assert_eq!(reply.conflicts[0].current, None);
        assert_eq!(record(&server, &ann, lost.id).await, None);
        assert_eq!(pull_all(&server, &ann).await.records, vec![kept]);

        // Given back, it is served again from the start, untouched.
        set_access(&server, business, ann_user.account_id, Some(Role::Owner)).await;
        let back = pull(&server, &ann, &after_seen(&next)).await;
        assert_eq!(back.access, vec![owner(business, 4)]);
        assert_eq!(back.records, vec![lost]);
    }

    async fn a_granted_container_is_served_and_a_reader_may_not_change_it(server) {
        let (ann_user, ann) = server.signed_up("ann@example.com", PASSWORD).await;
        let (_, bob) = server.signed_up("bob@example.com", PASSWORD).await;
        let (ann_personal, _) = profiles(&server, &ann).await;
        let (bob_personal, bob_business) = profiles(&server, &bob).await;
        let bobs = stored_item(&server, &bob, bob_personal).await;
        let bobs_other = stored_item(&server, &bob, bob_personal).await;
        let bobs_private = stored_item(&server, &bob, bob_business).await;
        let seen = pull_all(&server, &ann).await;

        set_access(&server, bob_personal, ann_user.account_id, Some(Role::Read)).await;
        let next = pull(&server, &ann, &after_seen(&seen)).await;
        let granted = ContainerAccess {
            container_id: bob_personal,
            kind: ContainerKind::Profile,
            role: Some(Role::Read),
            revision: seen.access_head + 1,
        };
        assert_eq!((next.access.clone(), next.access_head), (vec![granted], granted.revision));
        assert_eq!(next.records, vec![bobs.clone(), bobs_other.clone()]);
        assert_eq!(heads(&next)[&bob_personal], bobs_other.revision);
        assert!(!containers_in(&next).contains(&bob_business), "only what was granted");
        assert_eq!(record(&server, &ann, bobs_private.id).await, None);

        // A reader may change nothing in it, nor move its records out to a container of hers;
        // she is told it is hers to view only.
        let changes = vec![
            new_item(bob_personal),
            edit(&bobs),
            deletion(&bobs_other),
        ];
        assert_refused(&push(&server, &ann, changes.clone()).await, &changes, RefusalCode::ReadOnly);
        let move_out = vec![RecordChange { container_id: ann_personal, ..edit(&bobs) }];
        assert_refused(&push(&server, &ann, move_out.clone()).await, &move_out, RefusalCode::ReadOnly);
        let bobs_vault = pull_all(&server, &bob).await.records;
        assert_eq!(bobs_vault, vec![bobs.clone(), bobs_other, bobs_private]);
        assert_eq!(record(&server, &ann, bobs.id).await, Some(bobs.clone()), "still only Bob's");

        // She hears of Bob's changes to it while she may read it, and not after.
        let mut stream = EventStream::open(&server, &ann).await;
        let reply = push(&server, &bob, vec![edit(&bobs)]).await;
        assert_eq!(stream.next_change().await, Some(at(bob_personal, reply.accepted[0].revision)));
        set_access(&server, bob_personal, ann_user.account_id, None).await;
        push(&server, &bob, vec![new_folder(bob_personal)]).await;
        let hers = push(&server, &ann, vec![new_folder(ann_personal)]).await;
        assert_eq!(stream.next_change().await, Some(at(ann_personal, hers.accepted[0].revision)));
    }

    async fn a_move_between_profiles_leaves_a_tombstone_where_the_record_was(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, business) = profiles(&server, &session).await;
        let moving = stored_item(&server, &session, personal).await;
        let staying = stored_item(&server, &session, personal).await;
        let other = stored_item(&server, &session, business).await;
        assert_eq!((moving.revision, staying.revision, other.revision), (1, 2, 1));
        let mut stream = EventStream::open(&server, &session).await;

        let departure = random(60);
        let change = RecordChange {
            container_id: business,
            mark: Some(departure.clone()),
            ..edit(&moving)
        };
        let reply = push(&server, &session, vec![change.clone()]).await;
        assert_eq!(reply.accepted[0].revision, 2, "the next revision of the container it joined");

        // A browser that had pulled both containers gets both rows: the record in its new
        // container, and a deletion at the next revision of the one it left.
        let next = pull(&server, &session, &after([(personal, 2), (business, 1)])).await;
        assert_eq!(next.records.len(), 2);
        let row_in = |container| next.records.iter().find(|r| r.container_id == container).unwrap();
        let live = row_in(business);
        assert_holds(live, &change);
        assert_eq!(live.revision, 2);
        let tombstone = row_in(personal);
        assert_eq!((tombstone.id, tombstone.kind, tombstone.revision), (moving.id, moving.kind, 3));
        assert_eq!((&tombstone.key, &tombstone.data), (&None, &None));
        // The tombstone keeps the deletion mark the move carried, at the move's version; the
        // live record keeps none.
        assert_eq!((tombstone.version, &tombstone.mark), (change.version, &Some(departure)));
        assert_eq!(live.mark, None);
        assert_eq!(heads(&next), BTreeMap::from([(personal, 3), (business, 2)]));
        // Readers of both containers are told.
        let mut heard = vec![stream.next_change().await, stream.next_change().await];
        heard.sort_by_key(|c| c.map(|c| c.container_id));
        let mut expected = vec![Some(at(personal, 3)), Some(at(business, 2))];
        expected.sort_by_key(|c| c.unwrap().container_id);
        assert_eq!(heard, expected);

        // An edit on the revision before the move is a conflict with the record where it is now.
        let reply = push(&server, &session, vec![edit(&moving)]).await;
        assert_eq!(reply.conflicts[0].current.as_ref(), Some(live));

        // Moving it back revives its row in the container it left, at that container's next
        // revision, and leaves a deletion in the other.
        let back = RecordChange { container_id: personal, ..edit(live) };
        let reply = push(&server, &session, vec![back.clone()]).await;
        assert_eq!(reply.accepted[0].revision, 4);
        let rows: Vec<_> = (pull_all(&server, &session).await.records.into_iter())
            .filter(|r| r.id == moving.id)
            .collect();
        assert_eq!(rows.len(), 2, "one row per container it has been in");
        let revived = rows.iter().find(|r| r.container_id == personal).unwrap();
        assert_holds(revived, &back);
        assert_eq!(revived.revision, 4);
        let left = rows.iter().find(|r| r.container_id == business).unwrap();
        assert_eq!((left.revision, &left.data), (3, &None));
        assert_eq!(record(&server, &session, staying.id).await, Some(staying));
        assert_eq!(record(&server, &session, other.id).await, Some(other));
    }

    async fn two_hundred_accounts_pushing_at_once_each_keep_exactly_their_own(
        server,
        // 200 sign-ups from one address: more than the per-address limit allows by default.
        |settings| settings.ip_limit_multiplier = 100
    ) {
        let mut accounts = Vec::with_capacity(ACCOUNTS);
        for n in 0..ACCOUNTS {
            let (_, session) = server.signed_up(&format!("user{n}@example.com"), PASSWORD).await;
            let (personal, business) = profiles(&server, &session).await;
            // Half of the changes to each profile.
            let changes: Vec<_> = (0..CHANGES_PER_ACCOUNT)
                .map(|k| new_item([personal, business][k % 2]))
                .collect();
            accounts.push((session, personal, business, changes));
        }

        let replies = join_all(
            accounts.iter().map(|(session, .., changes)| push(&server, session, changes.clone())),
        )
        .await;
        let per_profile = i64::try_from(CHANGES_PER_ACCOUNT / 2).unwrap();
        for ((.., changes), reply) in accounts.iter().zip(&replies) {
            assert!(reply.conflicts.is_empty() && reply.refused.is_empty(), "{reply:?}");
            let stored: Vec<_> = reply.accepted.iter().map(|a| a.change_id).collect();
            assert_eq!(stored, changes.iter().map(|c| c.change_id).collect::<Vec<_>>());
            let mut revisions: Vec<_> = reply.accepted.iter().map(|a| a.revision).collect();
            revisions.sort_unstable();
            let expected: Vec<_> = (1..=per_profile).flat_map(|r| [r, r]).collect();
            assert_eq!(revisions, expected, "each profile counts from 1");
        }

        let pulls = join_all(accounts.iter().map(|(session, ..)| pull_all(&server, session))).await;
        for ((_, personal, business, changes), pulled) in accounts.iter().zip(&pulls) {
            let ids: BTreeSet<RecordId> = pulled.records.iter().map(|r| r.id).collect();
            assert_eq!(pulled.records.len(), CHANGES_PER_ACCOUNT, "none lost or repeated");
            assert_eq!(ids, changes.iter().map(|c| c.id).collect(), "exactly its own");
            for change in changes {
                assert_holds(pulled.records.iter().find(|r| r.id == change.id).unwrap(), change);
            }
            let expected = BTreeMap::from([(*personal, per_profile), (*business, per_profile)]);
            assert_eq!(heads(pulled), expected);
        }
    }
}
