//! Binding profile kinds (`PUT /api/account/profile-keys`): a browser migrating an account made
//! before kinds were bound replaces every profile key and the keys' signature at once. The
//! server takes only the caller's own profiles, all of them, each with its kind, and a
//! signature that verifies under the account's key, once: an account signed kind-bound (made so,
//! or migrated) is refused, so a stolen session cannot replace its profile keys. Anything
//! refused changes nothing. On SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestServer;
use common::accounts::{Reply, TestUser, error, signup_request};
use reqwest::StatusCode;
use shared_types::account::{
    AccountBundle, BindProfileKindsRequest, ConfirmEmailRequest, OneTimeCode, ProfileKey, codes,
};
use shared_types::api::ErrorBody;
use shared_types::{Base64Bytes, ProfileId};
use wasm_crypto::Statement;

/// What `user`'s browser sends: `profiles` with new (opaque) wrapped keys, signed by `signer`.
fn request(
    user: &TestUser,
    signer: &TestUser,
    profiles: &[ProfileKey],
    bound: bool,
) -> BindProfileKindsRequest {
    let encryption_key = user.encryption.public_key();
    let verifying_key = user.signing.verifying_key();
    let statement = if bound {
        Statement::KindBoundAccountKeys {
            account_id: user.account_id.0,
            encryption_key: &encryption_key,
            verifying_key: &verifying_key,
        }
    } else {
        Statement::AccountKeys {
            account_id: user.account_id.0,
            encryption_key: &encryption_key,
            verifying_key: &verifying_key,
        }
    };
    BindProfileKindsRequest {
        keys_signature: Base64Bytes(signer.signing.sign(&statement).into_bytes()),
        profiles: profiles
            .iter()
            .map(|p| ProfileKey {
                id: p.id,
                kind: p.kind,
                wrapped_key: Base64Bytes(vec![9; 63]),
            })
            .collect(),
    }
}

/// An account as made before kinds were bound: its keys signed with the older statement.
async fn older_account(server: &TestServer, email: &str) -> (TestUser, String) {
    let (mut request, user) = signup_request(email, "correct horse");
    let signature = user.signing.sign(&Statement::AccountKeys {
        account_id: user.account_id.0,
        encryption_key: &user.encryption.public_key(),
        verifying_key: &user.signing.verifying_key(),
    });
    request.keys.keys_signature = Base64Bytes(signature.into_bytes());
    let made: Reply<serde_json::Value> = server.post("/api/accounts", &request, None).await;
    assert_eq!(made.status, StatusCode::ACCEPTED);
    let confirm = ConfirmEmailRequest {
        email: email.into(),
        code: OneTimeCode(server.latest_code(email)),
        device: user.device.clone(),
    };
    let confirmed: Reply<AccountBundle> =
        server.post("/api/accounts/confirm", &confirm, None).await;
    (user, confirmed.session.unwrap())
}

async fn account(server: &TestServer, session: &str) -> AccountBundle {
    server
        .get_as::<AccountBundle>("/api/account", Some(session))
        .await
        .body
}

async fn put(
    server: &TestServer,
    body: &BindProfileKindsRequest,
    session: &str,
) -> Reply<ErrorBody> {
    server
        .put("/api/account/profile-keys", body, Some(session))
        .await
}

on_both_databases! {
    async fn only_a_whole_signed_rebinding_of_an_older_accounts_own_profiles_is_taken_once(server) {
        let (ivy, ivy_session) = older_account(&server, "ivy@example.com").await;
        let bob = server.person("bob@example.com").await;
        let before = account(&server, &ivy_session).await;
        let bob_before = account(&server, &bob.session).await;
        let mine = before.keys.profiles.clone();

        // An account signed kind-bound from the start (every account made now): refused, so a
        // stolen session cannot replace its profile keys.
        let bound = put(&server, &request(&bob.user, &bob.user, &bob_before.keys.profiles, true), &bob.session).await;
        assert_eq!(bound.status, StatusCode::CONFLICT, "{:?}", bound.body);
        assert_eq!(error(&bound).0, codes::KINDS_BOUND);

        // Signed as the older statement, or by another account: not kind-bound, refused.
        let old = put(&server, &request(&ivy, &ivy, &mine, false), &ivy_session).await;
        assert_eq!(old.status, StatusCode::BAD_REQUEST, "{:?}", old.body);
        let foreign = put(&server, &request(&ivy, &bob.user, &mine, true), &ivy_session).await;
        assert_eq!(foreign.status, StatusCode::BAD_REQUEST, "{:?}", foreign.body);
        let mut short = request(&ivy, &ivy, &mine, true);
        short.profiles[0].wrapped_key = Base64Bytes(vec![9; 10]);
        assert_eq!(put(&server, &short, &ivy_session).await.status, StatusCode::BAD_REQUEST);

        // Not exactly the caller's profiles with their kinds: one left out, one of Bob's, one
        // relabelled, one twice, one more.
        let mut relabelled = mine.clone();
        relabelled.swap(0, 1);
        relabelled[0].id = mine[0].id;
        relabelled[1].id = mine[1].id;
        let wrong_sets = [
            vec![mine[0].clone()],
            vec![mine[0].clone(), bob_before.keys.profiles[1].clone()],
            relabelled,
            vec![mine[0].clone(), mine[0].clone()],
            vec![mine[0].clone(), mine[1].clone(), ProfileKey { id: ProfileId::new_v7(), ..mine[1].clone() }],
        ];
        for (i, profiles) in wrong_sets.iter().enumerate() {
            let reply = put(&server, &request(&ivy, &ivy, profiles, true), &ivy_session).await;
            assert_eq!(reply.status, StatusCode::CONFLICT, "set {i}: {:?}", reply.body);
            assert_eq!(error(&reply).0, codes::PROFILES_CHANGED, "set {i}");
        }
        assert_eq!(account(&server, &ivy_session).await, before, "nothing changed");
        assert_eq!(account(&server, &bob.session).await, bob_before);

        // The whole, signed rebinding: every key and the signature replaced; Bob's untouched.
        let body = request(&ivy, &ivy, &mine, true);
        let done: Reply<AccountBundle> = server.put("/api/account/profile-keys", &body, Some(&ivy_session)).await;
        assert_eq!(done.status, StatusCode::OK);
        let after = account(&server, &ivy_session).await;
        assert_eq!(done.body, after);
        assert_eq!(after.keys.keys_signature, body.keys_signature);
        for p in &after.keys.profiles {
            let sent = body.profiles.iter().find(|s| s.id == p.id).unwrap();
            assert_eq!((p.kind, &p.wrapped_key), (sent.kind, &sent.wrapped_key));
        }
        assert_eq!(after.password_envelope, before.password_envelope);
        assert_eq!(account(&server, &bob.session).await, bob_before);

        // Once: a second rebinding (another tab, or a stolen session) changes nothing.
        let mut again = request(&ivy, &ivy, &mine, true);
        again.profiles[0].wrapped_key = Base64Bytes(vec![5; 63]);
        let twice = put(&server, &again, &ivy_session).await;
        assert_eq!(error(&twice).0, codes::KINDS_BOUND);
        assert_eq!(account(&server, &ivy_session).await, after);

        // Without a session: nothing.
        let anonymous: Reply<ErrorBody> = server.put("/api/account/profile-keys", &body, None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
}
