//! Two-factor authentication through the real server: set-up with a first code, sign-in that
//! needs a code, a used time step refused, recovery codes that work once, turning it off.
#![allow(clippy::unwrap_used)]

mod common;

use common::accounts::{Reply, error};
use reqwest::StatusCode;
use shared_types::Base64Bytes;
use shared_types::account::{
    AccountBundle, AuthKeyProof, DisableTwoFactorRequest, EnableTwoFactorRequest, OneTimeCode,
    RecoveryCodes, TwoFactorSetup, TwoFactorStatus, codes,
};
use shared_types::api::ErrorBody;

const PASSWORD: &str = "correct horse battery staple";

/// The authenticator code for `offset` steps from now.
fn code(setup: &TwoFactorSetup, offset: i64) -> String {
    let secret = data_encoding::BASE32_NOPAD
        .decode(setup.secret.as_bytes())
        .unwrap();
    let totp = totp_rs::Builder::new().with_secret(secret).build().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() + offset * 30;
    totp.generate(now as u64).to_string()
}

async fn turn_on(server: &common::TestServer, session: &str) -> (TwoFactorSetup, RecoveryCodes) {
    let setup: Reply<TwoFactorSetup> = server
        .post("/api/account/2fa/setup", &(), Some(session))
        .await;
    assert_eq!(setup.status, StatusCode::OK);
    assert!(setup.body.otpauth_url.starts_with("otpauth://totp/"));
    let wrong: Reply<ErrorBody> = server
        .post(
            "/api/account/2fa/enable",
            &EnableTwoFactorRequest {
                code: OneTimeCode("000000".into()),
            },
            Some(session),
        )
        .await;
    assert_eq!(error(&wrong).0, codes::INVALID_CODE);
    let enabled: Reply<RecoveryCodes> = server
        .post(
            "/api/account/2fa/enable",
            &EnableTwoFactorRequest {
                code: OneTimeCode(code(&setup.body, 0)),
            },
            Some(session),
        )
        .await;
    assert_eq!(enabled.status, StatusCode::OK);
    (setup.body, enabled.body)
}

on_both_databases! {
    async fn sign_in_needs_a_fresh_authenticator_code(server) {
        let (user, session) = server.signed_up("tom@example.com", PASSWORD).await;
        let (setup, recovery) = turn_on(&server, &session).await;
        assert_eq!(recovery.codes.len(), 10);
        let status: Reply<TwoFactorStatus> = server.get_as("/api/account/2fa", Some(&session)).await;
        assert!(status.body.enabled);
        assert_eq!(status.body.recovery_codes_left, 10);
        assert!(server.mail().last().unwrap().subject.contains("Two-factor"));

        let bare: Reply<ErrorBody> = server.login(&user, &user.device, None).await;
        assert_eq!(bare.status, StatusCode::UNAUTHORIZED);
        assert_eq!(error(&bare).0, codes::TWO_FACTOR_REQUIRED);
        // The step used to turn it on is spent; the next one works, once.
        let spent: Reply<ErrorBody> = server.login_2fa(&user, Some(code(&setup, 0)), None).await;
        assert_eq!(error(&spent).0, codes::INVALID_CODE);
        let next = code(&setup, 1);
        let ok: Reply<AccountBundle> = server.login_2fa(&user, Some(next.clone()), None).await;
        assert_eq!(ok.status, StatusCode::OK);
        let again: Reply<ErrorBody> = server.login_2fa(&user, Some(next), None).await;
        assert_eq!(error(&again).0, codes::INVALID_CODE, "a used step is refused");
        let far: Reply<ErrorBody> = server.login_2fa(&user, Some(code(&setup, 5)), None).await;
        assert_eq!(error(&far).0, codes::INVALID_CODE, "only one step of drift");
    }

    async fn a_recovery_code_works_once(server) {
        let (user, session) = server.signed_up("uma@example.com", PASSWORD).await;
        let (_, recovery) = turn_on(&server, &session).await;
        let first = recovery.codes[0].clone();
        let ok: Reply<AccountBundle> = server.login_2fa(&user, None, Some(first.to_lowercase())).await;
        assert_eq!(ok.status, StatusCode::OK);
        let reused: Reply<ErrorBody> = server.login_2fa(&user, None, Some(first)).await;
        assert_eq!(error(&reused).0, codes::INVALID_CODE);
        let status: Reply<TwoFactorStatus> = server.get_as("/api/account/2fa", Some(&session)).await;
        assert_eq!(status.body.recovery_codes_left, 9);
    }

    async fn turning_it_off_needs_the_master_password(server) {
        let (user, session) = server.signed_up("vic@example.com", PASSWORD).await;
        turn_on(&server, &session).await;
        let mut wrong_key = user.auth_key.clone();
        wrong_key[0] ^= 1;
        let refused: Reply<ErrorBody> = server
            .post("/api/account/2fa/disable", &DisableTwoFactorRequest { auth_key: AuthKeyProof(Base64Bytes(wrong_key)) }, Some(&session))
            .await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        let mails_before = server.mail().len();
        let off: Reply<serde_json::Value> = server
            .post("/api/account/2fa/disable", &DisableTwoFactorRequest { auth_key: AuthKeyProof(Base64Bytes(user.auth_key.clone())) }, Some(&session))
            .await;
        assert_eq!(off.status, StatusCode::NO_CONTENT);
        // The owner hears of it (someone with the master password alone could have done it).
        let mail = server.mail();
        assert_eq!(mail.len(), mails_before + 1);
        assert_eq!(mail.last().unwrap().to, "vic@example.com");
        assert_eq!(mail.last().unwrap().subject, "Two-factor authentication was turned off");
        let plain: Reply<AccountBundle> = server.login(&user, &user.device, None).await;
        assert_eq!(plain.status, StatusCode::OK);
    }

    async fn two_factor_settings_refuse_the_signed_out(server) {
        for token in [None, Some("not-a-session")] {
            let status: Reply<ErrorBody> = server.get_as("/api/account/2fa", token).await;
            assert_eq!(status.status, StatusCode::UNAUTHORIZED);
            let setup: Reply<ErrorBody> = server.post("/api/account/2fa/setup", &(), token).await;
            assert_eq!(setup.status, StatusCode::UNAUTHORIZED);
            let enable: Reply<ErrorBody> = server
                .post("/api/account/2fa/enable", &EnableTwoFactorRequest { code: OneTimeCode("123456".into()) }, token)
                .await;
            assert_eq!(enable.status, StatusCode::UNAUTHORIZED);
            let disable: Reply<ErrorBody> = server
                .post("/api/account/2fa/disable", &DisableTwoFactorRequest { auth_key: AuthKeyProof(Base64Bytes(vec![0; 32])) }, token)
                .await;
            assert_eq!(disable.status, StatusCode::UNAUTHORIZED);
        }
    }
}
