//! Shares through the real server: made from a signed list, served to recipients with the role
//! their entry gives once the key is wrapped to them, enforced on every push, taken away at
//! once, and every route refused to those whose role is too low (403) or who have none (404).
#![allow(clippy::unwrap_used)]

mod common;

use common::accounts::{Reply, error};
use common::sharing::{Person, ShareDraft, id_of, sign};
use common::vault::{new_item, pull_all, push, refusals};
use reqwest::StatusCode;
use shared_types::api::ErrorBody;
use shared_types::push_rules::READ_ONLY;
use shared_types::sharing::{
    GrantRequest, ListChangeRequest, ListRole, NewGenerationRequest, RekeyClaim,
    RenameShareRequest, ShareMeta,
};
use shared_types::vault::{RefusalCode, Role};
use shared_types::{ContainerId, ShareId};

async fn meta(
    server: &common::TestServer,
    who: &Person,
    share: ShareId,
) -> Reply<serde_json::Value> {
    server
        .get_as(&format!("/api/shares/{share}"), Some(&who.session))
        .await
}

/// Every row of the share tables and of the access gate, to compare before and after a refusal.
async fn share_tables(db: &sea_orm::DatabaseConnection) -> String {
    use backend::entity::{
        share, share_key_wrapping, share_list, share_principal, vault_access, vault_container,
    };
    use sea_orm::EntityTrait;
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        share::Entity::find().all(db).await.unwrap(),
        share_list::Entity::find().all(db).await.unwrap(),
        share_principal::Entity::find().all(db).await.unwrap(),
        share_key_wrapping::Entity::find().all(db).await.unwrap(),
        vault_access::Entity::find().all(db).await.unwrap(),
        vault_container::Entity::find().all(db).await.unwrap().len(),
    )
}

fn role_in(pulled: &shared_types::vault::PullResponse, share: ShareId) -> Option<Role> {
    pulled
        .access
        .iter()
        .rev()
        .find(|a| a.container_id == ContainerId(share.0))
        .and_then(|a| a.role)
}

on_both_databases! {
    async fn a_share_reaches_each_recipient_with_its_role_and_its_own_wrapping(server) {
        let alice = server.person("alice@example.com").await;
        let bob = server.person("bob@example.com").await;
        let carol = server.person("carol@example.com").await;
        let dave = server.person("dave@example.com").await;
        let draft = ShareDraft::new(&alice)
            .with(&bob, ListRole::Edit)
            .with(&carol, ListRole::View)
            .with(&dave, ListRole::View);
        // Dave is on the list but nobody wrapped the key to him yet: he waits.
        let made = server.share(&alice, &draft, &[&alice, &bob, &carol]).await;
        assert_eq!(made.role, ListRole::Owner);
        assert_eq!(made.lists.len(), 1);
        assert_eq!(made.principals.len(), 4);
        assert!(!made.principals.iter().find(|p| p.id == id_of(&dave).0).unwrap().has_key);

        for (who, role) in [(&alice, Role::Owner), (&bob, Role::Write), (&carol, Role::Read)] {
            let pulled = pull_all(&server, &who.session).await;
            assert_eq!(role_in(&pulled, draft.id), Some(role));
            let seen: Reply<ShareMeta> = server.get_as(&format!("/api/shares/{}", draft.id), Some(&who.session)).await;
            assert_eq!(seen.status, StatusCode::OK);
            assert_eq!(seen.body.wrappings.len(), 1);
            assert_eq!(seen.body.wrappings[0].recipient, who.user.account_id.0);
            // Only those who manage it see who has access.
            assert_eq!(seen.body.principals.is_empty(), role < Role::Manage);
            let mine: Reply<Vec<ShareMeta>> = server.get_as("/api/shares", Some(&who.session)).await;
            assert_eq!(mine.body.iter().map(|s| s.id).collect::<Vec<_>>(), vec![draft.id]);
        }
        let waiting = pull_all(&server, &dave.session).await;
        assert_eq!(role_in(&waiting, draft.id), None);
        assert_eq!(meta(&server, &dave, draft.id).await.status, StatusCode::NOT_FOUND);

        // The server enforces the roles on every push.
        let container = ContainerId(draft.id.0);
        let by_bob = new_item(container);
        assert_eq!(push(&server, &bob.session, vec![by_bob.clone()]).await.accepted.len(), 1);
        let by_carol = new_item(container);
        let reply = push(&server, &carol.session, vec![by_carol.clone()]).await;
        assert_eq!(refusals(&reply), vec![(by_carol.change_id, RefusalCode::ReadOnly)]);
        assert_eq!(reply.refused[0].message, READ_ONLY);
        let by_dave = new_item(container);
        let reply = push(&server, &dave.session, vec![by_dave.clone()]).await;
        assert_eq!(refusals(&reply), vec![(by_dave.change_id, RefusalCode::NotWritable)]);
        let pulled = pull_all(&server, &carol.session).await;
        assert!(pulled.records.iter().any(|r| r.id == by_bob.id));
    }

    async fn a_manager_changes_the_list_only_at_the_next_epoch_with_a_valid_signature(server) {
        let alice = server.person("alice@example.com").await;
        let bob = server.person("bob@example.com").await;
        let carol = server.person("carol@example.com").await;
        let draft = ShareDraft::new(&alice).with(&bob, ListRole::Manage);
        server.share(&alice, &draft, &[&alice, &bob]).await;
        let path = format!("/api/shares/{}/lists", draft.id);

        // Bob (a manager) adds Carol and wraps the key to her.
        let next = draft.with(&carol, ListRole::View);
        let change = ListChangeRequest { list: next.signed(2, &bob), wrappings: vec![next.wrap(&bob, &carol)], invitees: vec![] };
        let reply: Reply<ShareMeta> = server.post(&path, &change, Some(&bob.session)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body.lists.len(), 2);
        assert_eq!(role_in(&pull_all(&server, &carol.session).await, next.id), Some(Role::Read));

        // The same epoch again: someone changed it meanwhile.
        let stale: Reply<ErrorBody> = server.post(&path, &change, Some(&bob.session)).await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert_eq!(error(&stale).0, "list_changed");

        let dave = server.person("dave@example.com").await;
        let db = server.database().await;
        let before = share_tables(&db).await;
        let mut forged = Vec::new();
        let mut other_signer = next.signed(3, &alice);
        other_signer.signer = id_of(&bob);
        forged.push(("signed by someone else than it says", other_signer));
        let mut damaged = next.signed(3, &bob);
        damaged.signature.0[10] ^= 1;
        forged.push(("a damaged signature", damaged));
        let mut two_owners = next.list(3);
        two_owners.entries.iter_mut().for_each(|e| if e.id == id_of(&bob).0 { e.role = ListRole::Owner });
        forged.push(("a second owner", sign(two_owners, &bob)));
        let mut skipped = next.signed(4, &bob);
        skipped.list.epoch = 4;
        forged.push(("an epoch skipped", skipped));
        for (what, list) in forged {
            let reply: Reply<ErrorBody> = server
                .post(&path, &ListChangeRequest { list, wrappings: vec![], invitees: vec![] }, Some(&bob.session))
                .await;
            assert!(reply.status.is_client_error(), "{what}: {}", reply.status);
        }
        // A wrapping to someone not on the list, or signed by another key, is refused too.
        let bad_wrap = ListChangeRequest { list: next.signed(3, &bob), wrappings: vec![next.wrap(&bob, &dave)], invitees: vec![] };
        let reply: Reply<ErrorBody> = server.post(&path, &bad_wrap, Some(&bob.session)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        let mut alien = next.wrap(&bob, &carol);
        alien.signature = next.wrap(&alice, &carol).signature;
        let reply: Reply<ErrorBody> = server
            .post(&path, &ListChangeRequest { list: next.signed(3, &bob), wrappings: vec![alien], invitees: vec![] }, Some(&bob.session))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(share_tables(&db).await, before);
        // A viewer may not change the list at all.
        let reply: Reply<ErrorBody> = server
            .post(&path, &ListChangeRequest { list: next.signed(3, &carol), wrappings: vec![], invitees: vec![] }, Some(&carol.session))
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
    }

    async fn removing_leaving_and_deleting_take_access_away_at_once(server) {
        let alice = server.person("alice@example.com").await;
        let bob = server.person("bob@example.com").await;
        let carol = server.person("carol@example.com").await;
        let draft = ShareDraft::new(&alice)
            .with(&bob, ListRole::Edit)
            .with(&carol, ListRole::Manage);
        server.share(&alice, &draft, &[&alice, &bob, &carol]).await;

        // Carol (a manager) takes Bob off: at once, unsigned, and the share wants a new key.
        let removed: Reply<()> = server
            .delete_as(&format!("/api/shares/{}/principals/{}", draft.id, id_of(&bob)), Some(&carol.session))
            .await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT);
        assert_eq!(meta(&server, &bob, draft.id).await.status, StatusCode::NOT_FOUND);
        let pulled = pull_all(&server, &bob.session).await;
        assert!(pulled.access.iter().any(|a| a.container_id == ContainerId(draft.id.0) && a.role.is_none()));
        let late = new_item(ContainerId(draft.id.0));
        let reply = push(&server, &bob.session, vec![late.clone()]).await;
        assert_eq!(refusals(&reply), vec![(late.change_id, RefusalCode::NotWritable)]);
        let seen: Reply<ShareMeta> = server.get_as(&format!("/api/shares/{}", draft.id), Some(&alice.session)).await;
        assert!(seen.body.rekey_pending);
        // The owner cannot be taken off, nor leave.
        let owner_off: Reply<ErrorBody> = server
            .delete_as(&format!("/api/shares/{}/principals/{}", draft.id, id_of(&alice)), Some(&carol.session))
            .await;
        assert_eq!(owner_off.status, StatusCode::BAD_REQUEST);
        let owner_leaves: Reply<ErrorBody> = server
            .post(&format!("/api/shares/{}/leave", draft.id), &(), Some(&alice.session))
            .await;
        assert_eq!(owner_leaves.status, StatusCode::BAD_REQUEST);
        // A manager may not delete it; the owner may.
        let not_owner: Reply<ErrorBody> = server.delete_as(&format!("/api/shares/{}", draft.id), Some(&carol.session)).await;
        assert_eq!(not_owner.status, StatusCode::FORBIDDEN);
        let left: Reply<()> = server.post(&format!("/api/shares/{}/leave", draft.id), &(), Some(&carol.session)).await;
        assert_eq!(left.status, StatusCode::NO_CONTENT);
        assert_eq!(meta(&server, &carol, draft.id).await.status, StatusCode::NOT_FOUND);
        let deleted: Reply<()> = server.delete_as(&format!("/api/shares/{}", draft.id), Some(&alice.session)).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert_eq!(meta(&server, &alice, draft.id).await.status, StatusCode::NOT_FOUND);
        assert_eq!(role_in(&pull_all(&server, &alice.session).await, draft.id), None);
        let mine: Reply<Vec<ShareMeta>> = server.get_as("/api/shares", Some(&alice.session)).await;
        assert!(mine.body.is_empty());
    }

    async fn a_share_is_made_only_from_a_list_its_owner_signed_for_people_with_keys(server) {
        let alice = server.person("alice@example.com").await;
        let bob = server.person("bob@example.com").await;
        let (unpublished, _) = server.signed_up("newbie@example.com", "correct horse").await;
        let db = server.database().await;
        let before = share_tables(&db).await;
        let mut cases = Vec::new();
        let draft = ShareDraft::new(&alice).with(&bob, ListRole::Edit);
        let mut no_self = draft.create(&alice, &[&bob]);
        no_self.wrappings.retain(|w| w.recipient != id_of(&alice).0);
        cases.push(("no wrapping to the owner", no_self));
        cases.push(("signed by a recipient", {
            let mut r = draft.create(&alice, &[&alice]);
            r.list = draft.signed(1, &bob);
            r
        }));
        let mut owner_missing = draft.create(&alice, &[&alice]);
        owner_missing.list = sign(draft.without(&alice).list(1), &alice);
        cases.push(("the owner not on the list", owner_missing));
        let mut unpublished_entry = ShareDraft::new(&alice);
        unpublished_entry.entries.push(shared_types::sharing::ListEntry {
            id: unpublished.account_id.0,
            kind: shared_types::sharing::EntryKind::Account,
            role: ListRole::View,
        });
        cases.push(("a recipient without published keys", unpublished_entry.create(&alice, &[&alice])));
        let mut crowded = ShareDraft::new(&alice);
        for _ in 0..shared_types::sharing::MAX_SHARE_ENTRIES {
            crowded.entries.push(shared_types::sharing::ListEntry {
                id: uuid::Uuid::now_v7(),
                kind: shared_types::sharing::EntryKind::Account,
                role: ListRole::View,
            });
        }
        // Refused before any recipient is looked at (each would cost a query).
        let reply: Reply<ErrorBody> = server.post("/api/shares", &crowded.create(&alice, &[&alice]), Some(&alice.session)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(reply.body.message.contains("at most 500"), "{}", reply.body.message);
        for (what, request) in cases {
            let reply: Reply<ErrorBody> = server.post("/api/shares", &request, Some(&alice.session)).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{what}: {:?}", reply.body);
        }
        assert_eq!(share_tables(&db).await, before);
        // An id already taken (here, the owner's own profile) is a clear conflict.
        let (personal, _) = common::vault::profiles(&server, &alice.session).await;
        let mut taken = ShareDraft::new(&alice);
        taken.id = ShareId(personal.0);
        let reply: Reply<ErrorBody> = server.post("/api/shares", &taken.create(&alice, &[&alice]), Some(&alice.session)).await;
        assert_eq!(reply.status, StatusCode::CONFLICT);
        // A profile is not a share, even to its owner.
        assert_eq!(meta(&server, &alice, ShareId(personal.0)).await.status, StatusCode::NOT_FOUND);
    }
}

on_both_databases! {
    async fn every_share_route_lets_in_exactly_who_it_should(server) {
        use backend::routes::declared;
        use backend::routes::table::Scope;
        let owner = server.person("owner@example.com").await;
        let manager = server.person("manager@example.com").await;
        let editor = server.person("editor@example.com").await;
        let viewer = server.person("viewer@example.com").await;
        let stranger = server.person("stranger@example.com").await;
        let people: [(&Person, Option<Role>); 5] = [
            (&owner, Some(Role::Owner)),
            (&manager, Some(Role::Manage)),
            (&editor, Some(Role::Write)),
            (&viewer, Some(Role::Read)),
            (&stranger, None),
        ];
        let routes: Vec<_> = declared().into_iter().filter(|r| matches!(r.scope, Scope::Share(_))).collect();
        assert_eq!(routes.len(), 10);
        for route in routes {
            let Scope::Share(wanted) = route.scope else { unreachable!() };
            for (who, role) in &people {
                // A share of its own for each cell, so that leaving or deleting changes nothing
                // for the next one.
                let draft = ShareDraft::new(&owner)
                    .with(&manager, ListRole::Manage)
                    .with(&editor, ListRole::Edit)
                    .with(&viewer, ListRole::View);
                server.share(&owner, &draft, &[&owner, &manager, &editor, &viewer]).await;
                let path = route
                    .path
                    .replace("{share_id}", &draft.id.to_string())
                    .replace("{principal_id}", &id_of(&viewer).to_string());
                let url = server.url(&format!("/api{path}"));
                let body = if path.ends_with("/lists") {
                    serde_json::to_value(ListChangeRequest { list: draft.signed(2, who), wrappings: vec![], invitees: vec![] }).unwrap()
                } else {
                    serde_json::json!({})
                };
                let reply = server
                    .client
                    .request(reqwest::Method::from_bytes(route.method.as_str().as_bytes()).unwrap(), &url)
                    .header("cookie", format!("{}={}", backend::services::accounts::SESSION_COOKIE, who.session))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = reply.status();
                let what = format!("{} {} as {role:?}", route.method, route.path);
                match role {
                    None => assert_eq!(status, StatusCode::NOT_FOUND, "{what}"),
                    Some(r) if *r < wanted => assert_eq!(status, StatusCode::FORBIDDEN, "{what}"),
                    // Let in: whatever the service then makes of the body, it is not turned away.
                    Some(_) => assert!(
                        ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status),
                        "{what}: {status}"
                    ),
                }
            }
        }
    }
}

on_both_databases! {
    async fn a_pending_grant_completes_when_a_manager_wraps_the_key(server) {
        let alice = server.person("alice@example.com").await;
        let bob = server.person("bob@example.com").await;
        let draft = ShareDraft::new(&alice).with(&bob, ListRole::Edit);
        let made = server.share(&alice, &draft, &[&alice]).await;
        assert!(!made.principals.iter().find(|p| p.id == id_of(&bob).0).unwrap().has_key);
        assert_eq!(meta(&server, &bob, draft.id).await.status, StatusCode::NOT_FOUND);
        let path = format!("/api/shares/{}/wrappings", draft.id);
        let granted: Reply<()> = server
            .post(&path, &GrantRequest { wrappings: vec![draft.wrap(&alice, &bob)] }, Some(&alice.session))
            .await;
        assert_eq!(granted.status, StatusCode::NO_CONTENT);
        assert_eq!(role_in(&pull_all(&server, &bob.session).await, draft.id), Some(Role::Write));
        // Once granted, not again.
        let again: Reply<ErrorBody> = server
            .post(&path, &GrantRequest { wrappings: vec![draft.wrap(&alice, &bob)] }, Some(&alice.session))
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
    }

    async fn a_rename_takes_the_next_name_version(server) {
        let alice = server.person("alice@example.com").await;
        let draft = ShareDraft::new(&alice);
        server.share(&alice, &draft, &[&alice]).await;
        let name = draft.create(&alice, &[&alice]).sealed_name;
        let path = format!("/api/shares/{}/name", draft.id);
        let renamed: Reply<()> = server
            .put(&path, &RenameShareRequest { sealed_name: name.clone(), name_version: 2 }, Some(&alice.session))
            .await;
        assert_eq!(renamed.status, StatusCode::NO_CONTENT);
        let stale: Reply<ErrorBody> = server
            .put(&path, &RenameShareRequest { sealed_name: name, name_version: 2 }, Some(&alice.session))
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        let seen: Reply<ShareMeta> = server.get_as(&format!("/api/shares/{}", draft.id), Some(&alice.session)).await;
        assert_eq!(seen.body.name_version, 2);
    }

    async fn a_rekey_replaces_the_key_for_those_who_remain(server) {
        let alice = server.person("alice@example.com").await;
        let bob = server.person("bob@example.com").await;
        let carol = server.person("carol@example.com").await;
        let draft = ShareDraft::new(&alice)
            .with(&bob, ListRole::Edit)
            .with(&carol, ListRole::View);
        server.share(&alice, &draft, &[&alice, &bob, &carol]).await;
        let removed: Reply<()> = server
            .delete_as(&format!("/api/shares/{}/principals/{}", draft.id, id_of(&carol)), Some(&alice.session))
            .await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT);

        // The next generation: a new key and id, the list without Carol at the next epoch.
        let mut next = ShareDraft {
            id: draft.id,
            key: wasm_crypto::make_symmetric_key(),
            generation_id: uuid::Uuid::now_v7(),
            entries: draft.entries.iter().filter(|e| e.id != id_of(&carol).0).copied().collect(),
        };
        let generations = format!("/api/shares/{}/generations", draft.id);
        let request = |next: &ShareDraft, holders: &[&Person]| {
            let mut list = next.list(2);
            list.generation = 2;
            NewGenerationRequest {
                list: sign(list, &alice),
                wrappings: holders.iter().map(|h| next.wrap(&alice, h)).collect(),
            }
        };
        // Without the lease: refused.
        let unclaimed: Reply<ErrorBody> = server.post(&generations, &request(&next, &[&alice, &bob]), Some(&alice.session)).await;
        assert_eq!(unclaimed.status, StatusCode::CONFLICT);
        let claim: Reply<RekeyClaim> = server.post(&format!("/api/shares/{}/rekey/claim", draft.id), &(), Some(&alice.session)).await;
        assert!(claim.body.granted);
        let by_bob: Reply<ErrorBody> = server.post(&format!("/api/shares/{}/rekey/claim", draft.id), &(), Some(&bob.session)).await;
        assert_eq!(by_bob.status, StatusCode::FORBIDDEN, "an editor does not re-key");
        // Leaving someone with access out of the new key: refused.
        let short: Reply<ErrorBody> = server.post(&generations, &request(&next, &[&alice]), Some(&alice.session)).await;
        assert_eq!(short.status, StatusCode::BAD_REQUEST);
        // A re-key that slips someone new in (Dave, with a wrapping): refused, nothing stored.
        let dave = server.person("dave@example.com").await;
        let sneaky = ShareDraft { id: next.id, key: wasm_crypto::make_symmetric_key(), generation_id: next.generation_id, entries: next.entries.clone() }
            .with(&dave, ListRole::View);
        let added: Reply<ErrorBody> = server.post(&generations, &request(&sneaky, &[&alice, &bob, &dave]), Some(&alice.session)).await;
        assert_eq!(added.status, StatusCode::BAD_REQUEST);
        assert!(error(&added).1.contains("gives nobody new access"), "{:?}", added.body);
        assert_eq!(meta(&server, &dave, draft.id).await.status, StatusCode::NOT_FOUND);
        let stored: Reply<()> = server.post(&generations, &request(&next, &[&alice, &bob]), Some(&alice.session)).await;
        assert_eq!(stored.status, StatusCode::NO_CONTENT);

        // While the re-key runs, Bob holds both generations' wrappings; once done, only the new.
        let seen: Reply<ShareMeta> = server.get_as(&format!("/api/shares/{}", draft.id), Some(&bob.session)).await;
        assert_eq!(seen.body.generation, 2);
        let mut held: Vec<u64> = seen.body.wrappings.iter().map(|w| w.generation).collect();
        held.sort_unstable();
        assert_eq!(held, vec![1, 2]);
        let done: Reply<()> = server.post(&format!("/api/shares/{}/generations/2/done", draft.id), &(), Some(&alice.session)).await;
        assert_eq!(done.status, StatusCode::NO_CONTENT);
        let seen: Reply<ShareMeta> = server.get_as(&format!("/api/shares/{}", draft.id), Some(&bob.session)).await;
        assert_eq!(seen.body.wrappings.iter().map(|w| w.generation).collect::<Vec<_>>(), vec![2]);
        assert!(!seen.body.rekey_pending);
        assert_eq!(meta(&server, &carol, draft.id).await.status, StatusCode::NOT_FOUND);
        // An old generation cannot come back.
        next.generation_id = draft.generation_id;
        let old: Reply<ErrorBody> = server.post(&generations, &request(&next, &[&alice, &bob]), Some(&alice.session)).await;
        assert!(old.status.is_client_error());
    }
}

on_both_databases! {
    async fn a_share_gone_with_its_owners_account_is_forgotten_by_its_recipients(server) {
        use sea_orm::EntityTrait;
        let alice = server.person("alice@example.com").await;
        let bob = server.person("bob@example.com").await;
        let draft = ShareDraft::new(&alice).with(&bob, ListRole::Edit);
        server.share(&alice, &draft, &[&alice, &bob]).await;
        let seen = pull_all(&server, &bob.session).await;
        assert_eq!(role_in(&seen, draft.id), Some(Role::Write));
        // The owner's account goes, and its containers with it (access rows included).
        let db = server.database().await;
        backend::entity::account::Entity::delete_by_id(id_of(&alice).0).exec(&db).await.unwrap();
        // Bob's browser, still following the share, is told it may no longer read it.
        let request = shared_types::vault::PullRequest { access_since: seen.access_head, cursors: seen.heads.clone() };
        let next = common::vault::pull(&server, &bob.session, &request).await;
        let told = next.access.iter().find(|a| a.container_id == ContainerId(draft.id.0)).unwrap();
        assert_eq!(told.role, None);
        assert!(next.heads.iter().all(|h| h.container_id != ContainerId(draft.id.0)));
    }
}
