//! Sharing with someone who has no account yet, through the real server and its outbox: the
//! list names them by an id derived from their address, the server checks the address against
//! it and mails them (never the share's name), they get no access until a manager's list names
//! their account, and once they have keys the managers see them as ready.
#![allow(clippy::unwrap_used)]

mod common;

use common::accounts::Reply;
use common::sharing::{ShareDraft, id_of};
use reqwest::StatusCode;
use shared_types::api::ErrorBody;
use shared_types::sharing::{CreateShareRequest, ListChangeRequest, ListRole, ShareMeta};

async fn share_mails(server: &common::TestServer, to: &str) -> Vec<backend::mail::sink::Received> {
    for _ in 0..200 {
        let found: Vec<_> = (server.mail().into_iter())
            .filter(|m| m.to == to && m.subject.contains("shared a folder"))
            .collect();
        if !found.is_empty() {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Vec::new()
}

on_both_databases! {
    async fn an_invitee_is_mailed_and_joins_the_share_through_a_managers_list(server) {
        let owner = server.person("owner@example.com").await;
        let draft = ShareDraft::new(&owner).inviting("newbie@example.com", ListRole::Edit);
        let mut request: CreateShareRequest = draft.create(&owner, &[&owner]);

        // The invitee's address must be sent, and be the one the entry's id derives from.
        let refused: Reply<ErrorBody> = server.post("/api/shares", &request, Some(&owner.session)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        request.invitees = vec!["someone-else@example.com".into()];
        let refused: Reply<ErrorBody> = server.post("/api/shares", &request, Some(&owner.session)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        request.invitees = vec![" NewBie@Example.com ".into()];
        let made: Reply<ShareMeta> = server.post("/api/shares", &request, Some(&owner.session)).await;
        assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
        let invitee = made.body.principals.iter().find(|p| p.email.as_deref() == Some("newbie@example.com")).unwrap();
        assert!(!invitee.has_key);
        assert!(made.body.invitees_ready.is_empty());

        // Mailed, without the share's name.
        let mails = share_mails(&server, "newbie@example.com").await;
        assert_eq!(mails.len(), 1);
        assert!(mails[0].body.contains("owner@example.com") && mails[0].body.contains("/signup"));
        assert!(!mails[0].body.contains("Client servers"));

        // Signed up with that address and keys published: no access yet, but the owner sees
        // them ready.
        let newbie = server.person("newbie@example.com").await;
        let seen: Reply<ErrorBody> = server.get_as(&format!("/api/shares/{}", draft.id), Some(&newbie.session)).await;
        assert_eq!(seen.status, StatusCode::NOT_FOUND);
        let meta: Reply<ShareMeta> = server.get_as(&format!("/api/shares/{}", draft.id), Some(&owner.session)).await;
        assert_eq!(meta.body.invitees_ready.iter().map(|k| k.account_id).collect::<Vec<_>>(), vec![id_of(&newbie)]);

        // The owner's next list replaces the invitee with the account and wraps the key: no
        // re-key is needed (the invitee never held the key).
        let joined = ShareDraft { entries: vec![], ..draft }.with(&owner, ListRole::Owner).with(&newbie, ListRole::Edit);
        let change = ListChangeRequest {
            list: joined.signed(2, &owner),
            wrappings: vec![joined.wrap(&owner, &newbie)],
            invitees: Vec::new(),
        };
        let path = format!("/api/shares/{}/lists", joined.id);
        let changed: Reply<ShareMeta> = server.post(&path, &change, Some(&owner.session)).await;
        assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
        assert!(!changed.body.rekey_pending);
        assert!(changed.body.invitees_ready.is_empty());
        let seen: Reply<ShareMeta> = server.get_as(&format!("/api/shares/{}", joined.id), Some(&newbie.session)).await;
        assert_eq!((seen.status, seen.body.role), (StatusCode::OK, ListRole::Edit));

        // A later list adding an invitee mails them too; one that keeps an invitee needs no
        // address again.
        let more = ShareDraft { entries: joined.entries.clone(), ..joined }.inviting("later@example.com", ListRole::View);
        let mut add = ListChangeRequest { list: more.signed(3, &owner), wrappings: vec![], invitees: vec![] };
        let refused: Reply<ErrorBody> = server.post(&path, &add, Some(&owner.session)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "the new invitee's address is missing");
        add.invitees = vec!["later@example.com".into()];
        let added: Reply<ShareMeta> = server.post(&path, &add, Some(&owner.session)).await;
        assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
        assert_eq!(share_mails(&server, "later@example.com").await.len(), 1);
        let keep = ListChangeRequest { list: more.signed(4, &owner), wrappings: vec![], invitees: vec![] };
        let kept: Reply<ShareMeta> = server.post(&path, &keep, Some(&owner.session)).await;
        assert_eq!(kept.status, StatusCode::OK, "{:?}", kept.body);
        assert_eq!(share_mails(&server, "later@example.com").await.len(), 1, "not mailed again");
    }
}
