//! Ids a browser chooses that collide with another account's: those kept per account (browser,
//! change) or per container (record) are simply the caller's own and leave the other account's
//! alone; the global ones (account, profile, share, group) are answered with a clear 4xx, never a
//! 500, and change nothing. On SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use common::accounts::{Reply, error, signup_request};
use common::orgs::snapshot;
use common::sharing::ShareDraft;
use common::vault::{new_item, profiles, push};
use reqwest::StatusCode;
use shared_types::account::{
    AccountBundle, ConfirmEmailRequest, OneTimeCode, ProfileKey, ProfileKind,
};
use shared_types::api::ErrorBody;
use shared_types::{Base64Bytes, ProfileId};

/// A refusal: a 4xx with a code and a message for a person.
fn assert_clear_refusal(reply: &Reply<ErrorBody>, what: &str) {
    assert!(
        reply.status.is_client_error(),
        "{what}: {} {:?}",
        reply.status,
        reply.body
    );
    assert!(!error(reply).1.is_empty(), "{what}");
}

on_both_databases! {
    async fn colliding_ids_get_a_clear_refusal_and_change_nothing(server) {
        let bob = server.person("bob@example.com").await;
        let alice = server.person("alice@example.com").await;
        let bob_profiles: Reply<AccountBundle> = server.get_as("/api/account", Some(&bob.session)).await;
        let bob_profile = bob_profiles.body.keys.profiles[0].id;
        let db = server.database().await;

        // Sign-up: the account id and a profile id of another account are refused.
        let before = snapshot(&db).await;
        let (mut taken_account, _) = signup_request("carol@example.com", "a long passphrase");
        taken_account.account_id = bob.user.account_id;
        let (mut taken_profile, _) = signup_request("erin@example.com", "a long passphrase");
        taken_profile.keys.profiles[1].id = bob_profile;
        for (what, request) in [("account id", &taken_account), ("profile id", &taken_profile)] {
            let reply: Reply<ErrorBody> = server.post("/api/accounts", request, None).await;
            assert_clear_refusal(&reply, &format!("sign-up with a taken {what}"));
        }
        assert_eq!(snapshot(&db).await, before, "no account was made");

        // Browser ids are kept per account: another account's is just this account's browser.
        let (mut same_device, dave) = signup_request("dave@example.com", "a long passphrase");
        same_device.device.id = bob.user.device.id;
        let started: Reply<serde_json::Value> = server.post("/api/accounts", &same_device, None).await;
        assert_eq!(started.status, StatusCode::ACCEPTED);
        let confirmed: Reply<AccountBundle> = server
            .post("/api/accounts/confirm", &ConfirmEmailRequest {
                email: "dave@example.com".into(),
                code: OneTimeCode(server.latest_code("dave@example.com")),
                device: same_device.device.clone(),
            }, None)
            .await;
        assert_eq!(confirmed.status, StatusCode::OK);
        let mut borrowed = alice.user.device.clone();
        borrowed.id = bob.user.device.id;
        let login: Reply<ErrorBody> = server.login(&alice.user, &borrowed, None).await;
        assert_eq!(error(&login).0, shared_types::account::codes::DEVICE_VERIFICATION_REQUIRED, "verified for Bob, new to Alice");
        let again: Reply<AccountBundle> = server.login(&dave, &same_device.device, None).await;
        assert_eq!(again.status, StatusCode::OK);
        let bob_again: Reply<AccountBundle> = server.login(&bob.user, &bob.user.device, None).await;
        assert_eq!(bob_again.status, StatusCode::OK, "Bob's browser stays verified");

        // A new profile with another account's profile id.
        let profile: Reply<ErrorBody> = server
            .post("/api/account/profiles", &ProfileKey {
                id: bob_profile,
                kind: ProfileKind::Business,
                wrapped_key: Base64Bytes(vec![7; 72]),
            }, Some(&alice.session))
            .await;
        assert_clear_refusal(&profile, "a taken profile id");
        let fresh: Reply<ErrorBody> = server
            .post("/api/account/profiles", &ProfileKey {
                id: ProfileId::new_v7(),
                kind: ProfileKind::Business,
                wrapped_key: Base64Bytes(vec![7; 72]),
            }, Some(&alice.session))
            .await;
        assert_clear_refusal(&fresh, "a second Business profile");

        // A share with another account's share id.
        let bobs = ShareDraft::new(&bob);
        server.share(&bob, &bobs, &[&bob]).await;
        let mut copy = ShareDraft::new(&alice);
        copy.id = bobs.id;
        let share: Reply<ErrorBody> = server.post("/api/shares", &copy.create(&alice, &[&alice]), Some(&alice.session)).await;
        assert_clear_refusal(&share, "a taken share id");

        // Vault records and changes: another account's record id, and a change id reused.
        let (bob_personal, _) = profiles(&server, &bob.session).await;
        let (alice_personal, _) = profiles(&server, &alice.session).await;
        let bob_item = new_item(bob_personal);
        assert_eq!(push(&server, &bob.session, vec![bob_item.clone()]).await.accepted.len(), 1);
        let mut same_id = new_item(alice_personal);
        same_id.id = bob_item.id;
        let mut same_change = new_item(alice_personal);
        same_change.change_id = bob_item.change_id;
        let reply = push(&server, &alice.session, vec![same_id, same_change]).await;
        assert_eq!(reply.accepted.len(), 2, "ids kept per container and per account: {reply:?}");
        let bobs_now = common::vault::record(&server, &bob.session, bob_item.id).await.unwrap();
        common::vault::assert_holds(&bobs_now, &bob_item);
    }
}

on_both_databases! {
    async fn a_group_with_a_taken_id_gets_a_clear_refusal(server) {
        let acme = common::sharing::acme(&server, &["m1"]).await;
        let admin = &acme.admin;
        let path = format!("/api/companies/{}/groups", acme.company);
        let first = common::sharing::GroupDraft::new(acme.company, admin);
        let made: Reply<serde_json::Value> = server.post(&path, &first.create(admin, &[admin]), Some(&admin.session)).await;
        assert!(made.status.is_success(), "{:?}", made.body);
        let db = server.database().await;
        let before = snapshot(&db).await;
        let mut again = common::sharing::GroupDraft::new(acme.company, admin);
        again.id = first.id;
        let reply: Reply<ErrorBody> = server.post(&path, &again.create(admin, &[admin]), Some(&admin.session)).await;
        assert_clear_refusal(&reply, "a taken group id");
        assert_eq!(snapshot(&db).await, before);
    }
}
