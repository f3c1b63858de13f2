//! Published keys: only the account itself publishes its own keys, signed, for its own address,
//! never at a lower epoch; lookups serve the current statement of confirmed accounts only, and
//! addresses outside the caller's company are rate limited.
#![allow(clippy::unwrap_used)]

mod common;

use common::accounts::{Reply, error, signup_request};
use common::orgs::{add_member, snapshot};
use reqwest::StatusCode;
use sea_orm::{DatabaseConnection, EntityTrait};
use shared_types::account::AccountBundle;
use shared_types::api::ErrorBody;
use shared_types::sharing::{KeyLookupReply, KeyLookupRequest, PublishedKeys};
use shared_types::{AccountId, Base64Bytes};

async fn statements(db: &DatabaseConnection) -> usize {
    backend::entity::account_key_statement::Entity::find()
        .all(db)
        .await
        .unwrap()
        .len()
}

async fn lookup(
    server: &common::TestServer,
    session: &str,
    emails: &[&str],
    ids: &[AccountId],
) -> Reply<serde_json::Value> {
    server
        .post(
            "/api/keys/lookup",
            &KeyLookupRequest {
                emails: emails.iter().map(|e| (*e).to_owned()).collect(),
                account_ids: ids.to_vec(),
            },
            Some(session),
        )
        .await
}

fn found(reply: &Reply<serde_json::Value>) -> Vec<PublishedKeys> {
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    serde_json::from_value::<KeyLookupReply>(reply.body.clone())
        .unwrap()
        .keys
}

on_both_databases! {
    async fn an_account_publishes_its_keys_and_others_find_them(server) {
        let (alice, session) = server.signed_up("alice@example.com", "correct horse").await;
        let me: Reply<AccountBundle> = server.get_as("/api/account", Some(&session)).await;
        assert_eq!(me.body.published_keys, None);

        let published = alice.published_keys(1);
        let put: Reply<()> = server.put("/api/account/keys", &published, Some(&session)).await;
        assert_eq!(put.status, StatusCode::NO_CONTENT);
        // A second browser publishing the same statement changes nothing.
        let again: Reply<()> = server.put("/api/account/keys", &published, Some(&session)).await;
        assert_eq!(again.status, StatusCode::NO_CONTENT);
        assert_eq!(statements(&server.database().await).await, 1);
        let me: Reply<AccountBundle> = server.get_as("/api/account", Some(&session)).await;
        assert_eq!(me.body.published_keys.as_ref(), Some(&published));

        let (_, bob) = server.signed_up("bob@example.com", "correct horse").await;
        assert_eq!(found(&lookup(&server, &bob, &[" Alice@Example.com"], &[]).await), vec![published.clone()]);
        assert_eq!(found(&lookup(&server, &bob, &[], &[alice.account_id]).await), vec![published.clone()]);
        // Unknown addresses, accounts without published keys and unconfirmed sign-ups are absent.
        let (request, _) = signup_request("pending@example.com", "correct horse");
        let _: Reply<serde_json::Value> = server.post("/api/accounts", &request, None).await;
        assert!(found(&lookup(&server, &bob, &["nobody@example.com", "bob@example.com", "pending@example.com"], &[]).await).is_empty());

        // A newer epoch becomes the current one; the older one can no longer be published.
        let newer = alice.published_keys(2);
        let put: Reply<()> = server.put("/api/account/keys", &newer, Some(&session)).await;
        assert_eq!(put.status, StatusCode::NO_CONTENT);
        assert_eq!(found(&lookup(&server, &bob, &[], &[alice.account_id]).await), vec![newer]);
        let old: Reply<ErrorBody> = server.put("/api/account/keys", &published, Some(&session)).await;
        assert_eq!(old.status, StatusCode::CONFLICT);
        assert_eq!(error(&old).0, "key_epoch_stale");
    }

    async fn nobody_publishes_keys_that_are_not_their_own_or_not_signed(server) {
        let (alice, session) = server.signed_up("alice@example.com", "correct horse").await;
        let (bob, _) = server.signed_up("bob@example.com", "correct horse").await;
        let db = server.database().await;
        let mut cases: Vec<(&str, PublishedKeys)> = Vec::new();
        // Bob's own valid statement, sent with Alice's session.
        cases.push(("another account's statement", bob.published_keys(1)));
        let mut other_email = alice.published_keys(1);
        other_email.email = "mallory@example.com".into();
        cases.push(("another address", other_email));
        // A validly self-signed statement over keys that are not the account's.
        let (_, mut stranger) = signup_request("alice@example.com", "x");
        stranger.account_id = alice.account_id;
        cases.push(("keys that are not the account's", stranger.published_keys(1)));
        let mut resigned = alice.published_keys(1);
        resigned.signature = bob.published_keys(1).signature;
        cases.push(("a signature by another key", resigned));
        let mut flipped = alice.published_keys(1);
        flipped.signature.0[10] ^= 1;
        cases.push(("a damaged signature", flipped));
        let mut short = alice.published_keys(1);
        short.encryption_key = Base64Bytes(vec![1; 31]);
        cases.push(("a malformed key", short));
        cases.push(("epoch 0", alice.published_keys(0)));
        let mut other_epoch = alice.published_keys(1);
        other_epoch.key_epoch = 3;
        cases.push(("an epoch the signature does not cover", other_epoch));

        let before = snapshot(&db).await;
        for (what, keys) in cases {
            let reply: Reply<ErrorBody> = server.put("/api/account/keys", &keys, Some(&session)).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{what}: {:?}", reply.body);
            assert!(!reply.body.message.is_empty());
        }
        assert_eq!(snapshot(&db).await, before);
        assert_eq!(statements(&db).await, 0);
    }

    async fn lookups_outside_the_company_are_limited_and_inside_are_not(server) {
        let (admin, session) = server.signed_up("admin@acme.example", "correct horse").await;
        let company = server.new_direct_company(&session, "Acme").await;
        let db = server.database().await;
        let mut colleagues = Vec::new();
        for n in 0..3 {
            let email = format!("colleague{n}@acme.example");
            let (user, _) = server.signed_up(&email, "correct horse").await;
            add_member(&db, company.id, user.account_id, "user").await;
            colleagues.push(email);
        }
        let inside: Vec<&str> = colleagues.iter().map(String::as_str).collect();

        let too_many: Vec<String> = (0..51).map(|n| format!("p{n}@example.com")).collect();
        let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
        let reply = lookup(&server, &session, &too_many, &[]).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        let reply = lookup(&server, &session, &["not an address"], &[]).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);

        // 30 outside addresses an hour, counted per address.
        let outside: Vec<String> = (0..30).map(|n| format!("o{n}@example.com")).collect();
        let outside: Vec<&str> = outside.iter().map(String::as_str).collect();
        found(&lookup(&server, &session, &outside[..20], &[]).await);
        found(&lookup(&server, &session, &outside[20..], &[]).await);
        let refused = lookup(&server, &session, &["one-more@example.com"], &[]).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.retry_after.is_some());
        // Colleagues and ids are still answered.
        for _ in 0..20 {
            found(&lookup(&server, &session, &inside, &[admin.account_id]).await);
        }
    }
}
