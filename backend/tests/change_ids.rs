//! Change ids through the real server, on SQLite and PostgreSQL: a change sent again (its
//! reply was lost) is answered with the revision it got and never stored twice; a change id
//! belongs to one record and to one account; and an account's change ids are remembered for
//! `CHANGE_MEMORY_DAYS`, then forgotten.
#![allow(clippy::unwrap_used)]

mod common;

use common::vault::{
    assert_holds, edit, heads, new_folder, new_history, new_item, profiles, pull_all, push, record,
    refusals,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use shared_types::vault::{CHANGE_MEMORY_DAYS, RecordChange, RefusalCode};

use backend::entity::vault_change;

const PASSWORD: &str = "correct horse battery staple";

on_both_databases! {
    async fn a_change_sent_again_is_answered_with_its_revision_not_stored_twice(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let item = new_item(personal);
        let changes = vec![item.clone(), new_folder(personal), new_history(personal, item.id)];
        let first = push(&server, &session, changes.clone()).await;
        assert_eq!(first.accepted.len(), 3);
        let head = heads(&pull_all(&server, &session).await)[&personal];
        // The reply was lost: the browser sends the same push again.
        let again = push(&server, &session, changes.clone()).await;
        assert_eq!(again, first, "the same revisions, no conflict");
        let all = pull_all(&server, &session).await;
        assert_eq!(heads(&all)[&personal], head, "nothing was stored again");
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
        assert_eq!(mixed.accepted[1].revision, head + 2, "after the edit, and nothing else");
    }

    async fn a_change_id_is_never_reused_for_another_record(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let first = new_item(personal);
        push(&server, &session, vec![first.clone()]).await;
        let other = RecordChange { change_id: first.change_id, ..new_folder(personal) };
        let fine = new_folder(personal);
        let reply = push(&server, &session, vec![fine.clone(), other.clone()]).await;
        assert_eq!(refusals(&reply), [(other.change_id, RefusalCode::ChangeIdReused)]);
        assert!(reply.refused[0].message.contains("change id"), "{:?}", reply.refused);
        assert_eq!(reply.accepted.len(), 1);
        assert_eq!(reply.accepted[0].change_id, fine.change_id);
        assert_eq!(record(&server, &session, other.id).await, None, "not stored");
        assert_eq!(pull_all(&server, &session).await.records.len(), 2);
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

    async fn change_ids_are_forgotten_once_older_than_the_memory(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let old = new_folder(personal);
        let recent = new_folder(personal);
        push(&server, &session, vec![old.clone(), recent.clone()]).await;
        // The first was stored a day longer ago than the server remembers.
        let db = server.database().await;
        let long_ago = time::OffsetDateTime::now_utc() - time::Duration::days(CHANGE_MEMORY_DAYS + 1);
        vault_change::Entity::update_many()
            .col_expr(vault_change::Column::CreatedAt, sea_orm::sea_query::Expr::value(long_ago))
            .filter(vault_change::Column::ChangeId.eq(old.change_id.0))
            .exec(&db)
            .await
            .unwrap();
        // Pushes up to the container's 64th revision, where the account's old change ids go.
        let more: Vec<RecordChange> = (0..62).map(|_| new_folder(personal)).collect();
        push(&server, &session, more).await;
        let remembered: Vec<uuid::Uuid> = vault_change::Entity::find()
            .filter(vault_change::Column::ChangeId.is_in([old.change_id.0, recent.change_id.0]))
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.change_id)
            .collect();
        db.close().await.unwrap();
        assert_eq!(remembered, vec![recent.change_id.0], "only the old one is forgotten");
        // Sent again now, the recent one is still recognised; the old one is a new change
        // creating a record that exists: a conflict, nothing stored twice.
        let again = push(&server, &session, vec![recent.clone(), old.clone()]).await;
        assert_eq!(again.accepted.len(), 1);
        assert_eq!(again.accepted[0].change_id, recent.change_id);
        assert_eq!(again.conflicts.len(), 1);
        assert_eq!(again.conflicts[0].id, old.id);
    }
}
