//! Sign-up, email confirmation, prelogin, login with per-browser verification, sessions and rate
//! limits, through the real server and the real mail folder, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use common::accounts::{Reply, change_password_request, code_in, device, error, signup_request};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use shared_types::account::{
    AccountBundle, ConfirmEmailRequest, DeviceView, NextStep, OneTimeCode, PreloginRequest,
    PreloginResponse, SessionView, codes,
};
use shared_types::api::ErrorBody;

const PASSWORD: &str = "correct horse battery staple";

async fn prelogin(server: &common::TestServer, email: &str) -> Reply<PreloginResponse> {
    server
        .post(
            "/api/prelogin",
            &PreloginRequest {
                email: email.to_owned(),
            },
            None,
        )
        .await
}

/// Runs SQL on the server's database (to age codes and sessions).
async fn sql(server: &common::TestServer, statement: &str) {
    server
        .database()
        .await
        .execute_unprepared(statement)
        .await
        .unwrap();
}

on_both_databases! {
    async fn prelogin_does_not_tell_whether_an_account_exists(server) {
        let (_, _) = server.signed_up("known@example.com", PASSWORD).await;
        let known = prelogin(&server, "known@example.com").await;
        let unknown = prelogin(&server, "unknown@example.com").await;
        assert_eq!(known.status, StatusCode::OK);
        assert_eq!(unknown.status, StatusCode::OK);
        assert_eq!(known.body.salt.0.len(), 16);
        assert_eq!(unknown.body.salt.0.len(), 16);
        // Made-up values are stable, so asking twice shows nothing either.
        assert_eq!(prelogin(&server, "unknown@example.com").await.body, unknown.body);
        assert_ne!(prelogin(&server, "other@example.com").await.body.salt, unknown.body.salt);
        // The known account's real parameters come back.
        assert_eq!(known.body.kdf.memory_kib, common::accounts::TEST_KDF.memory_kib);
    }

    async fn sign_up_confirm_and_use_the_session(server) {
        let (request, user) = signup_request("alice@example.com", PASSWORD);
        let reply: Reply<NextStep> = server.post("/api/accounts", &request, None).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED);
        assert!(reply.body.message.contains("alice@example.com"));
        // Not usable before the email is confirmed.
        let early: Reply<ErrorBody> = server.login(&user, &user.device, None).await;
        assert_eq!(early.status, StatusCode::FORBIDDEN);
        assert_eq!(error(&early).0, codes::EMAIL_NOT_CONFIRMED);
        let code = server.latest_code("alice@example.com");
        let wrong: Reply<ErrorBody> = server
            .post("/api/accounts/confirm", &ConfirmEmailRequest {
                email: "alice@example.com".into(),
                code: OneTimeCode("00000000".into()),
                device: user.device.clone(),
            }, None)
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(error(&wrong).0, codes::INVALID_CODE);
        let confirmed: Reply<AccountBundle> = server
            .post("/api/accounts/confirm", &ConfirmEmailRequest {
                email: " Alice@Example.com ".into(),
                code: OneTimeCode(format!("{}-{}", &code[..4], &code[4..])),
                device: user.device.clone(),
            }, None)
            .await;
        assert_eq!(confirmed.status, StatusCode::OK);
        assert_eq!(confirmed.body.account_id, user.account_id);
        assert_eq!(confirmed.body.password_envelope, request.password_envelope);
        assert_eq!(confirmed.body.keys, AccountBundleKeys::sorted(request.keys.clone()));
        let session = confirmed.session.unwrap();
        let me: Reply<AccountBundle> = server.get_as("/api/account", Some(&session)).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body.email, "alice@example.com");
        // The code is single use.
        let again: Reply<ErrorBody> = server
            .post("/api/accounts/confirm", &ConfirmEmailRequest {
                email: "alice@example.com".into(),
                code: OneTimeCode(code),
                device: user.device.clone(),
            }, None)
            .await;
        assert_eq!(error(&again).0, codes::INVALID_CODE);
        // Sign out ends the session.
        let out: Reply<serde_json::Value> = server.post("/api/logout", &(), Some(&session)).await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        let after: Reply<ErrorBody> = server.get_as("/api/account", Some(&session)).await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED);
        assert_eq!(error(&after).0, codes::UNAUTHENTICATED);
        // The verified browser signs in again without a code.
        let back: Reply<AccountBundle> = server.login(&user, &user.device, None).await;
        assert_eq!(back.status, StatusCode::OK);
        assert!(back.session.is_some());
    }

    async fn a_wrong_password_and_an_unknown_account_get_the_same_reply(server) {
        let (mut user, _) = server.signed_up("bob@example.com", PASSWORD).await;
        user.auth_key[0] ^= 1;
        let wrong: Reply<ErrorBody> = server.login(&user, &user.device, None).await;
        user.email = "nobody@example.com".into();
        let unknown: Reply<ErrorBody> = server.login(&user, &user.device, None).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status, wrong.status);
        assert_eq!(unknown.body, wrong.body);
        assert_eq!(error(&wrong).0, codes::INVALID_CREDENTIALS);
    }

    async fn a_new_browser_needs_the_emailed_code(server) {
        let (user, _) = server.signed_up("carol@example.com", PASSWORD).await;
        let laptop = device("Firefox on Windows");
        let first: Reply<ErrorBody> = server.login(&user, &laptop, None).await;
        assert_eq!(first.status, StatusCode::UNAUTHORIZED);
        assert_eq!(error(&first).0, codes::DEVICE_VERIFICATION_REQUIRED);
        let mail = server.mail();
        let message = mail.last().unwrap();
        assert_eq!(message.to, "carol@example.com");
        assert!(message.body.contains("Firefox on Windows"));
        let code = server.latest_code("carol@example.com");
        let wrong: Reply<ErrorBody> = server.login(&user, &laptop, Some("12345678".into())).await;
        assert_eq!(error(&wrong).0, codes::INVALID_CODE);
        // The code is bound to the browser it was sent for.
        let elsewhere: Reply<ErrorBody> = server.login(&user, &device("Safari"), Some(code.clone())).await;
        assert_eq!(error(&elsewhere).0, codes::INVALID_CODE);
        let ok: Reply<AccountBundle> = server.login(&user, &laptop, Some(code.clone())).await;
        assert_eq!(ok.status, StatusCode::OK);
        // The owner is told a browser was added (the code could have been read by another).
        let notice = server.mail();
        let notice = notice.last().unwrap();
        assert_eq!(notice.to, "carol@example.com");
        assert!(notice.subject.contains("new browser can now open"), "{}", notice.subject);
        assert!(notice.body.contains("Firefox on Windows"));
        assert!(code_in(&notice.body).is_none(), "the notice carries no code");
        let used: Reply<AccountBundle> = server.login(&user, &laptop, None).await;
        assert_eq!(used.status, StatusCode::OK, "a verified browser needs no code");
    }

    async fn an_expired_code_is_refused(server) {
        let (user, _) = server.signed_up("dave@example.com", PASSWORD).await;
        let laptop = device("Edge on Windows");
        let _: Reply<ErrorBody> = server.login(&user, &laptop, None).await;
        let code = server.latest_code("dave@example.com");
        sql(&server, "UPDATE email_code SET expires_at = created_at").await;
        let late: Reply<ErrorBody> = server.login(&user, &laptop, Some(code)).await;
        assert_eq!(late.status, StatusCode::UNAUTHORIZED);
        assert_eq!(error(&late).0, codes::INVALID_CODE);
    }

    async fn wrong_codes_burn_the_code_and_then_are_rate_limited(server) {
        let (user, _) = server.signed_up("erin@example.com", PASSWORD).await;
        let laptop = device("Chrome on macOS");
        let _: Reply<ErrorBody> = server.login(&user, &laptop, None).await;
        let code = server.latest_code("erin@example.com");
        for _ in 0..5 {
            let wrong: Reply<ErrorBody> = server.login(&user, &laptop, Some("99999999".into())).await;
            assert_eq!(error(&wrong).0, codes::INVALID_CODE);
        }
        // Five wrong tries burn the code: even the right one no longer works.
        let burned: Reply<ErrorBody> = server.login(&user, &laptop, Some(code)).await;
        assert_eq!(error(&burned).0, codes::INVALID_CODE);
        let mut limited = None;
        for _ in 0..10 {
            let reply: Reply<ErrorBody> = server.login(&user, &laptop, Some("99999999".into())).await;
            if reply.status == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(reply);
                break;
            }
        }
        let limited = limited.expect("rate limited after repeated wrong codes");
        assert_eq!(error(&limited).0, codes::RATE_LIMITED);
        assert!(error(&limited).1.contains("Too many attempts"));
        let wait: i64 = limited.retry_after.unwrap().parse().unwrap();
        assert!(wait > 0 && wait <= 900, "{wait}");
    }

    async fn repeated_wrong_passwords_are_rate_limited(server) {
        let (mut user, _) = server.signed_up("frank@example.com", PASSWORD).await;
        user.auth_key[0] ^= 1;
        let mut statuses = Vec::new();
        for _ in 0..11 {
            let reply: Reply<ErrorBody> = server.login(&user, &user.device, None).await;
            statuses.push(reply.status);
        }
        assert!(statuses[..10].iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
        assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);
    }

    async fn signed_in_endpoints_refuse_missing_bad_and_expired_sessions(server) {
        let (user, session) = server.signed_up("grace@example.com", PASSWORD).await;
        for token in [None, Some("not-a-session"), Some("")] {
            let me: Reply<ErrorBody> = server.get_as("/api/account", token).await;
            assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{token:?}");
            assert_eq!(error(&me).0, codes::UNAUTHENTICATED);
            let out: Reply<ErrorBody> = server.post("/api/logout", &(), token).await;
            assert_eq!(out.status, StatusCode::UNAUTHORIZED, "{token:?}");
            let everywhere: Reply<ErrorBody> = server.post("/api/logout/everywhere", &(), token).await;
            assert_eq!(everywhere.status, StatusCode::UNAUTHORIZED, "{token:?}");
            let list: Reply<ErrorBody> = server.get_as("/api/account/devices", token).await;
            assert_eq!(list.status, StatusCode::UNAUTHORIZED, "{token:?}");
            let sessions: Reply<ErrorBody> = server.get_as("/api/account/sessions", token).await;
            assert_eq!(sessions.status, StatusCode::UNAUTHORIZED, "{token:?}");
            let end: Reply<ErrorBody> = server
                .delete_as(&format!("/api/account/sessions/{}", uuid::Uuid::now_v7()), token)
                .await;
            assert_eq!(end.status, StatusCode::UNAUTHORIZED, "{token:?}");
            let revoke: Reply<ErrorBody> = server
                .delete_as(&format!("/api/account/devices/{}", shared_types::DeviceId::new_v7()), token)
                .await;
            assert_eq!(revoke.status, StatusCode::UNAUTHORIZED, "{token:?}");
            let (change, _) = change_password_request(&user, "another long passphrase");
            let password: Reply<ErrorBody> = server.post("/api/account/password", &change, token).await;
            assert_eq!(password.status, StatusCode::UNAUTHORIZED, "{token:?}");
        }
        let ok: Reply<AccountBundle> = server.get_as("/api/account", Some(&session)).await;
        assert_eq!(ok.status, StatusCode::OK);
        sql(&server, "UPDATE session SET expires_at = created_at").await;
        let expired: Reply<ErrorBody> = server.get_as("/api/account", Some(&session)).await;
        assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    }

    async fn signing_up_with_a_taken_address_changes_nothing_and_tells_its_owner(server) {
        let (user, _) = server.signed_up("heidi@example.com", PASSWORD).await;
        let before = server.mail().len();
        let (request, _) = signup_request("heidi@example.com", "another password entirely");
        let reply: Reply<NextStep> = server.post("/api/accounts", &request, None).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "the same reply as a new address");
        let mail = server.mail();
        assert_eq!(mail.len(), before + 1);
        assert!(mail.last().unwrap().subject.contains("tried to create"));
        assert!(common::accounts::code_in(&mail.last().unwrap().body).is_none());
        let still: Reply<AccountBundle> = server.login(&user, &user.device, None).await;
        assert_eq!(still.status, StatusCode::OK);
        assert_eq!(still.body.account_id, user.account_id);
    }

    async fn browsers_are_listed_and_a_revoked_one_must_verify_again(server) {
        let (user, phone_session) = server.signed_up("judy@example.com", PASSWORD).await;
        let laptop = device("Firefox on Windows");
        let _: Reply<ErrorBody> = server.login(&user, &laptop, None).await;
        let code = server.latest_code("judy@example.com");
        let laptop_login: Reply<AccountBundle> = server.login(&user, &laptop, Some(code)).await;
        let laptop_session = laptop_login.session.unwrap();
        let list: Reply<Vec<DeviceView>> = server.get_as("/api/account/devices", Some(&phone_session)).await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(list.body.len(), 2);
        assert!(list.body.iter().all(|d| d.verified));
        assert_eq!(list.body.iter().filter(|d| d.current).count(), 1);
        assert!(list.body.iter().any(|d| d.name == "Firefox on Windows" && !d.current));
        let gone: Reply<serde_json::Value> = server
            .delete_as(&format!("/api/account/devices/{}", laptop.id), Some(&phone_session))
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        let after: Reply<ErrorBody> = server.get_as("/api/account", Some(&laptop_session)).await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED, "the revoked browser's session ended");
        let again: Reply<ErrorBody> = server.login(&user, &laptop, None).await;
        assert_eq!(error(&again).0, codes::DEVICE_VERIFICATION_REQUIRED);
        // Another account cannot see or revoke these browsers.
        let (_, other_session) = server.signed_up("mallory@example.com", PASSWORD).await;
        let theirs: Reply<Vec<DeviceView>> = server.get_as("/api/account/devices", Some(&other_session)).await;
        assert_eq!(theirs.body.len(), 1);
        let steal: Reply<ErrorBody> = server
            .delete_as(&format!("/api/account/devices/{}", user.device.id), Some(&other_session))
            .await;
        assert_eq!(steal.status, StatusCode::NOT_FOUND);
        let still: Reply<AccountBundle> = server.get_as("/api/account", Some(&phone_session)).await;
        assert_eq!(still.status, StatusCode::OK);
    }

    async fn sessions_are_listed_and_one_can_be_ended(server) {
        let (user, first) = server.signed_up("nina@example.com", PASSWORD).await;
        let second: Reply<AccountBundle> = server.login(&user, &user.device, None).await;
        let second = second.session.unwrap();
        let list: Reply<Vec<SessionView>> = server.get_as("/api/account/sessions", Some(&first)).await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(list.body.len(), 2);
        assert_eq!(list.body.iter().filter(|s| s.current).count(), 1);
        assert!(list.body.iter().all(|s| s.device_name == "Chromium on Linux"));
        let other = list.body.iter().find(|s| !s.current).unwrap().id;
        // Another account cannot end it.
        let (_, stranger) = server.signed_up("oscar@example.com", PASSWORD).await;
        let refused: Reply<ErrorBody> = server.delete_as(&format!("/api/account/sessions/{other}"), Some(&stranger)).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        let ended: Reply<serde_json::Value> = server.delete_as(&format!("/api/account/sessions/{other}"), Some(&first)).await;
        assert_eq!(ended.status, StatusCode::NO_CONTENT);
        let gone: Reply<ErrorBody> = server.get_as("/api/account", Some(&second)).await;
        assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
        let list: Reply<Vec<SessionView>> = server.get_as("/api/account/sessions", Some(&first)).await;
        assert_eq!(list.body.len(), 1);
    }

    async fn sign_out_everywhere_ends_every_session(server) {
        let (user, first) = server.signed_up("ken@example.com", PASSWORD).await;
        let second: Reply<AccountBundle> = server.login(&user, &user.device, None).await;
        let second = second.session.unwrap();
        let out: Reply<serde_json::Value> = server.post("/api/logout/everywhere", &(), Some(&first)).await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        for token in [&first, &second] {
            let me: Reply<ErrorBody> = server.get_as("/api/account", Some(token)).await;
            assert_eq!(me.status, StatusCode::UNAUTHORIZED);
        }
    }

    async fn changing_the_master_password_revokes_every_session_and_tells_the_owner(server) {
        let (mut user, session) = server.signed_up("liz@example.com", PASSWORD).await;
        let other: Reply<AccountBundle> = server.login(&user, &user.device, None).await;
        let other_session = other.session.unwrap();
        let before: Reply<AccountBundle> = server.get_as("/api/account", Some(&session)).await;
        // A wrong current password changes nothing.
        let (mut wrong, _) = change_password_request(&user, "a brand new passphrase here");
        wrong.current_auth_key.0.0[0] ^= 1;
        let refused: Reply<ErrorBody> = server.post("/api/account/password", &wrong, Some(&session)).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        let (request, new_auth) = change_password_request(&user, "a brand new passphrase here");
        let changed: Reply<AccountBundle> = server.post("/api/account/password", &request, Some(&session)).await;
        assert_eq!(changed.status, StatusCode::OK);
        assert!(server.mail().last().unwrap().subject.contains("master password was changed"));
        // Every session ended, this one too; this browser got a fresh one.
        let old_token: Reply<ErrorBody> = server.get_as("/api/account", Some(&session)).await;
        assert_eq!(old_token.status, StatusCode::UNAUTHORIZED);
        let fresh = changed.session.expect("a new session for the browser that made the change");
        assert_ne!(fresh, session);
        let me: Reply<AccountBundle> = server.get_as("/api/account", Some(&fresh)).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body.password_envelope, request.password_envelope);
        assert_eq!(me.body.keys, before.body.keys, "no key but the envelope changes");
        let ended: Reply<ErrorBody> = server.get_as("/api/account", Some(&other_session)).await;
        assert_eq!(ended.status, StatusCode::UNAUTHORIZED);
        // The old password no longer signs in; the new one does.
        let old: Reply<ErrorBody> = server.login(&user, &user.device, None).await;
        assert_eq!(error(&old).0, codes::INVALID_CREDENTIALS);
        user.auth_key = new_auth;
        let new: Reply<AccountBundle> = server.login(&user, &user.device, None).await;
        assert_eq!(new.status, StatusCode::OK);
        assert_eq!(new.body.kdf, request.kdf);
    }

    async fn malformed_sign_ups_are_refused_whole(server) {
        let (mut request, user) = signup_request("ivan@example.com", PASSWORD);
        request.keys.wrapped_signing_key.0.pop();
        let reply: Reply<ErrorBody> = server.post("/api/accounts", &request, None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        let (mut request, _) = signup_request("ivan@example.com", PASSWORD);
        request.kdf.memory_kib = 1024;
        let reply: Reply<ErrorBody> = server.post("/api/accounts", &request, None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        // No account is made below the floor, which is what new accounts get (64 MiB, 3
        // passes): the settings the browser used to accept (19 MiB, 2) included.
        let weak = wasm_crypto::KdfParams { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 };
        let (request, _) = common::accounts::signup_request_with("ivan@example.com", PASSWORD, &weak);
        let reply: Reply<ErrorBody> = server.post("/api/accounts", &request, None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "below the floor");
        let (mut request, _) = signup_request("ivan@example.com", PASSWORD);
        request.keys.profiles.pop();
        let reply: Reply<ErrorBody> = server.post("/api/accounts", &request, None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        let (mut request, _) = signup_request("not an email", PASSWORD);
        request.email = "not an email".into();
        let reply: Reply<ErrorBody> = server.post("/api/accounts", &request, None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        // Nothing was stored: the address is free and no mail went out.
        assert!(server.mail().is_empty());
        let none: Reply<ErrorBody> = server.login(&user, &user.device, None).await;
        assert_eq!(error(&none).0, codes::INVALID_CREDENTIALS);
    }
}

/// Profiles come back in a fixed order (business, personal).
struct AccountBundleKeys;
impl AccountBundleKeys {
    fn sorted(mut keys: shared_types::account::AccountKeys) -> shared_types::account::AccountKeys {
        keys.profiles
            .sort_by_key(|p| format!("{:?}", p.kind).to_lowercase());
        keys
    }
}

/// The one session cookie of a reply, checked: host-only (`__Host-`, no `Domain`), `Secure`,
/// `HttpOnly`, `SameSite=Strict`, `Path=/`.
fn assert_hardened_cookie<T>(reply: &Reply<T>, what: &str) {
    let name = format!("{}=", backend::services::accounts::SESSION_COOKIE);
    assert!(name.starts_with("__Host-"), "{name}");
    let ours: Vec<&String> = reply
        .cookies
        .iter()
        .filter(|c| c.starts_with(&name))
        .collect();
    assert_eq!(ours.len(), 1, "{what}: {:?}", reply.cookies);
    let attributes: Vec<String> = ours[0]
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    for needed in ["secure", "httponly", "samesite=strict", "path=/"] {
        assert!(
            attributes.iter().any(|a| a == needed),
            "{what}: {needed} missing in {}",
            ours[0]
        );
    }
    assert!(
        !attributes.iter().any(|a| a.starts_with("domain=")),
        "{what}: {}",
        ours[0]
    );
}

on_both_databases! {
    async fn every_reply_that_sets_the_session_cookie_hardens_it(server) {
        let (request, mut user) = signup_request("cookie@example.com", PASSWORD);
        let signed_up: Reply<NextStep> = server.post("/api/accounts", &request, None).await;
        assert!(signed_up.cookies.is_empty(), "{:?}", signed_up.cookies);
        let confirm = ConfirmEmailRequest {
            email: "cookie@example.com".into(),
            code: OneTimeCode(server.latest_code("cookie@example.com")),
            device: user.device.clone(),
        };
        let confirmed: Reply<AccountBundle> = server.post("/api/accounts/confirm", &confirm, None).await;
        assert_hardened_cookie(&confirmed, "email confirmation");
        let login: Reply<AccountBundle> = server.login(&user, &user.device, None).await;
        assert_hardened_cookie(&login, "sign-in");
        let (change, new_auth) = change_password_request(&user, "another long passphrase");
        let changed: Reply<AccountBundle> = server
            .post("/api/account/password", &change, login.session.as_deref())
            .await;
        assert_hardened_cookie(&changed, "master password change");
        user.auth_key = new_auth;
        let out: Reply<serde_json::Value> = server.post("/api/logout", &(), changed.session.as_deref()).await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        assert_hardened_cookie(&out, "sign-out");
        assert!(out.cookies[0].to_ascii_lowercase().contains("max-age=0"), "{:?}", out.cookies);
        let again: Reply<AccountBundle> = server.login(&user, &user.device, None).await;
        let everywhere: Reply<serde_json::Value> = server
            .post("/api/logout/everywhere", &(), again.session.as_deref())
            .await;
        assert_eq!(everywhere.status, StatusCode::NO_CONTENT);
        assert_hardened_cookie(&everywhere, "sign-out everywhere");
    }

    async fn writes_sent_from_another_site_are_refused_and_change_nothing(server) {
        let (_, session) = server.signed_up("csrf@example.com", PASSWORD).await;
        let cookie = format!("{}={session}", backend::services::accounts::SESSION_COOKIE);
        let send = |path: &'static str, headers: Vec<(&'static str, String)>| {
            let mut req = server.client.post(server.url(path)).header("cookie", cookie.clone()).json(&());
            for (name, value) in headers {
                req = req.header(name, value);
            }
            req.send()
        };
        let base = server.base.trim_end_matches('/').to_owned();
        let foreign = [
            vec![("origin", "https://evil.example".to_owned())],
            vec![("origin", "null".to_owned())],
            vec![("sec-fetch-site", "cross-site".to_owned())],
            // A sibling subdomain is the same site: the Strict cookie goes along.
            vec![("sec-fetch-site", "same-site".to_owned()), ("origin", "https://blog.example".to_owned())],
            vec![("sec-fetch-site", "same-origin".to_owned()), ("origin", "https://evil.example".to_owned())],
        ];
        for headers in foreign {
            for path in ["/api/logout", "/api/account/2fa/setup"] {
                let res = send(path, headers.clone()).await.unwrap();
                assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path} {headers:?}");
                assert!(res.headers().contains_key("content-security-policy"), "refusals carry the security headers");
                let body: ErrorBody = res.json().await.unwrap();
                assert_eq!(body.code, backend::origin::CROSS_SITE, "{path} {headers:?}");
            }
        }
        let db = server.database().await;
        use sea_orm::{EntityTrait, PaginatorTrait};
        let started = backend::entity::two_factor::Entity::find().count(&db).await.unwrap();
        assert_eq!(started, 0, "no two-factor set-up was started");
        let me: Reply<AccountBundle> = server.get_as("/api/account", Some(&session)).await;
        assert_eq!(me.status, StatusCode::OK, "the session survived every refused sign-out");
        // The app's own requests, and reads from anywhere, go through.
        let read = server.client.get(server.url("/api/account")).header("cookie", cookie.clone())
            .header("origin", "https://evil.example").header("sec-fetch-site", "cross-site").send().await.unwrap();
        assert_eq!(read.status(), StatusCode::OK);
        let own = send("/api/logout", vec![("sec-fetch-site", "same-origin".to_owned()), ("origin", base)]).await.unwrap();
        assert_eq!(own.status(), StatusCode::NO_CONTENT);
    }
}
