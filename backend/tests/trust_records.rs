//! Trust records (whom the person trusts, sealed in their browser) live only in the account's
//! Personal profile: never in the Business profile, which the company's backup may escrow, and
//! never moved there.
#![allow(clippy::unwrap_used)]

mod common;

use common::vault::{edit, new_item, profiles, pull_all, push, refusals};
use shared_types::vault::{RecordChange, RecordKind, RefusalCode};

fn new_trust(container: shared_types::ContainerId) -> RecordChange {
    RecordChange {
        kind: RecordKind::Trust,
        key: None,
        ..new_item(container)
    }
}

on_both_databases! {
    async fn trust_records_live_only_in_the_personal_profile(server) {
        let (_, session) = server.signed_up("alice@example.com", "correct horse").await;
        let (personal, business) = profiles(&server, &session).await;

        let kept = new_trust(personal);
        let misplaced = new_trust(business);
        let mut with_key = new_trust(personal);
        with_key.key = new_item(personal).key;
        let reply = push(&server, &session, vec![kept.clone(), misplaced.clone(), with_key.clone()]).await;
        assert_eq!(reply.accepted.len(), 1);
        assert_eq!(reply.accepted[0].id, kept.id);
        let refused = refusals(&reply);
        assert_eq!(refused.len(), 2);
        for change in [&misplaced, &with_key] {
            assert!(refused.contains(&(change.change_id, RefusalCode::Invalid)), "{refused:?}");
        }
        assert!(reply.refused.iter().any(|r| r.message.contains("Personal profile")));

        // Moving it to the Business profile is refused too; it stays where it was.
        let stored = pull_all(&server, &session).await;
        let record = stored.records.iter().find(|r| r.id == kept.id).unwrap();
        assert_eq!(record.kind, RecordKind::Trust);
        let mut moved = edit(record);
        moved.container_id = business;
        let reply = push(&server, &session, vec![moved.clone()]).await;
        assert_eq!(refusals(&reply), vec![(moved.change_id, RefusalCode::Invalid)]);
        let again = pull_all(&server, &session).await;
        let record = again.records.iter().find(|r| r.id == kept.id).unwrap();
        assert_eq!(record.container_id, personal);
    }
}
