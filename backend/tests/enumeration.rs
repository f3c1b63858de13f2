//! No enumeration, no lock-out: sign-up, prelogin, email confirmation and sign-in answer an
//! address with an account exactly as one without, limits included (status, body and headers;
//! prelogin's salt aside, made up for an unknown address), and failures that anyone who knows an
//! address can cause never lock its owner's verified browser out, nor stop the mail and code a
//! new browser of the owner needs. Timing: `benches/enumeration.rs`.
//! On SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestServer;
use common::accounts::{Reply, device, error, signup_request};

const PASSWORD: &str = "correct horse battery staple";
use reqwest::StatusCode;
use shared_types::account::{
    AccountBundle, ConfirmEmailRequest, LoginRequest, OneTimeCode, PreloginRequest, codes,
};
use shared_types::api::ErrorBody;

/// A reply reduced to what may be compared: status, headers (the date aside) and the body with
/// the address replaced.
#[derive(Debug, PartialEq)]
struct Seen {
    status: StatusCode,
    headers: Vec<(String, String)>,
    body: String,
}

async fn seen(server: &TestServer, path: &str, body: &impl serde::Serialize, email: &str) -> Seen {
    let reply = server
        .client
        .post(server.url(path))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = reply.status();
    let mut headers: Vec<(String, String)> = reply
        .headers()
        .iter()
        // The date, and the seconds a limit has left (the same window, begun a moment apart).
        .filter(|(name, _)| *name != "date" && *name != "retry-after")
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    let body = reply.text().await.unwrap().replace(email, "<address>");
    Seen {
        status,
        headers,
        body,
    }
}

/// Forgets every limit's count, as an hour passing would.
async fn an_hour_later(server: &TestServer) {
    use sea_orm::ConnectionTrait;
    server
        .database()
        .await
        .execute_unprepared("DELETE FROM rate_limit")
        .await
        .unwrap();
}

fn settings(s: &mut backend::settings::Settings) {
    // Per-IP limits aside: everything here comes from one address.
    s.ip_limit_multiplier = 100;
}

on_both_databases! {
    async fn replies_and_limits_tell_no_address_apart(server, settings) {
        // Addresses of one length, so that the replies' lengths may be compared too.
        let (known, _) = server.signed_up("known@example.com", PASSWORD).await;
        let unknown = "other@example.com";
        an_hour_later(&server).await;

        // Sign-up: the same reply for a taken and a free address, until both hit the same limit.
        let mut taken_replies = Vec::new();
        let mut free_replies = Vec::new();
        for _ in 0..6 {
            let (request, _) = signup_request(&known.email, "another password entirely");
            taken_replies.push(seen(&server, "/api/accounts", &request, &known.email).await);
            let (request, _) = signup_request(unknown, "another password entirely");
            free_replies.push(seen(&server, "/api/accounts", &request, unknown).await);
        }
        assert_eq!(taken_replies, free_replies);
        let statuses: Vec<_> = taken_replies.iter().map(|r| r.status).collect();
        assert_eq!(statuses[..5], [StatusCode::ACCEPTED; 5]);
        assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
        let still: Reply<AccountBundle> = server.login(&known, &known.device, None).await;
        assert_eq!(still.status, StatusCode::OK, "the taken address's account is untouched");

        // Prelogin: settings and a salt for both (made up but stable for the unknown address, so
        // the bodies differ in the salt alone); the same status and headers, and no limit per
        // address (see the lock-out test below).
        let ghost = "ghost@example.com";
        for i in 0..40 {
            let ask = |email: &str| PreloginRequest { email: email.into() };
            let a = seen(&server, "/api/prelogin", &ask(&known.email), &known.email).await;
            let b = seen(&server, "/api/prelogin", &ask(ghost), ghost).await;
            assert_eq!((a.status, &a.headers), (b.status, &b.headers), "try {i}");
            assert_eq!(a.status, StatusCode::OK, "try {i}");
        }

        // Confirmation with wrong codes: an address with a confirmed account, one never signed
        // up; the same replies, and the same limit after ten tries.
        for _ in 0..11 {
            let ask = |email: &str| ConfirmEmailRequest {
                email: email.into(),
                code: OneTimeCode("12345678".into()),
                device: device("Chromium on Linux"),
            };
            let a = seen(&server, "/api/accounts/confirm", &ask(&known.email), &known.email).await;
            let b = seen(&server, "/api/accounts/confirm", &ask(ghost), ghost).await;
            assert_eq!(a, b);
            assert!(matches!(a.status, StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS), "{a:?}");
        }
        let last = seen(&server, "/api/accounts/confirm", &ConfirmEmailRequest {
            email: ghost.into(), code: OneTimeCode("12345678".into()), device: device("Chromium on Linux"),
        }, ghost).await;
        assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS);

        // Sign-in with a wrong password from a browser the account does not know.
        let mut wrong = known.auth_key.clone();
        wrong[0] ^= 1;
        let stranger = device("Firefox on Windows");
        for i in 0..11 {
            let ask = |email: &str| LoginRequest {
                email: email.into(),
                auth_key: shared_types::account::AuthKeyProof(wrong.clone().into()),
                device: stranger.clone(),
                email_code: None,
                totp_code: None,
                recovery_code: None,
            };
            let a = seen(&server, "/api/login", &ask(&known.email), &known.email).await;
            let b = seen(&server, "/api/login", &ask(ghost), ghost).await;
            assert_eq!(a, b, "try {i}");
            let expected = if i < 10 { StatusCode::UNAUTHORIZED } else { StatusCode::TOO_MANY_REQUESTS };
            assert_eq!(a.status, expected, "try {i}");
        }
    }

    async fn failures_from_elsewhere_never_lock_the_owner_out(server, settings) {
        let (mut owner, _) = server.signed_up("owner@example.com", PASSWORD).await;
        // Sign-ups and wrong confirmation codes with the address, until their limits: they fill
        // neither the mail nor the code tries a new browser of the owner needs.
        let mut statuses = Vec::new();
        for _ in 0..6 {
            let (request, _) = signup_request(&owner.email, "whatever it is");
            let reply: Reply<serde_json::Value> = server.post("/api/accounts", &request, None).await;
            statuses.push(reply.status);
        }
        for _ in 0..11 {
            let reply: Reply<ErrorBody> = server
                .post("/api/accounts/confirm", &ConfirmEmailRequest {
                    email: owner.email.clone(),
                    code: OneTimeCode("12345678".into()),
                    device: device("Bot"),
                }, None)
                .await;
            statuses.push(reply.status);
        }
        // (The owner's own sign-up and confirmation counted too.)
        assert_eq!((statuses[5], statuses[16]), (StatusCode::TOO_MANY_REQUESTS, StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
        let laptop = device("Owner's new laptop");
        let asked: Reply<ErrorBody> = server.login(&owner, &laptop, None).await;
        assert_eq!(error(&asked).0, codes::DEVICE_VERIFICATION_REQUIRED, "{:?}", asked.body);
        let code = server.latest_code(&owner.email);
        let verified: Reply<AccountBundle> = server.login(&owner, &laptop, Some(code)).await;
        assert_eq!(verified.status, StatusCode::OK, "{:?}", verified.body);

        // Wrong passwords from browsers the account does not know, until the address's limit.
        let right = owner.auth_key.clone();
        owner.auth_key[0] ^= 1;
        let mut last = StatusCode::OK;
        for i in 0..12 {
            let reply: Reply<ErrorBody> = server.login(&owner, &device(&format!("Bot {i}")), None).await;
            last = reply.status;
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
        // And prelogin, where every sign-in starts, as often as anyone likes.
        for _ in 0..40 {
            let _: Reply<serde_json::Value> = server
                .post("/api/prelogin", &PreloginRequest { email: owner.email.clone() }, None)
                .await;
        }
        let asked: Reply<serde_json::Value> = server
            .post("/api/prelogin", &PreloginRequest { email: owner.email.clone() }, None)
            .await;
        assert_eq!(asked.status, StatusCode::OK);
        // The owner's verified browsers still sign in.
        owner.auth_key = right;
        for browser in [&owner.device, &laptop] {
            let own: Reply<AccountBundle> = server.login(&owner, browser, None).await;
            assert_eq!(own.status, StatusCode::OK, "{}: {:?}", browser.name, own.body);
        }
    }
}
