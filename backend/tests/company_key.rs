//! A company's signing key through the real server: made once by one of the company's own
//! Admins with a statement signed by their published keys, handed on only to Admins, taken
//! away from those who leave or stop being Admins; certificates accepted only over a member's
//! current keys and served only to the company's members.
#![allow(clippy::unwrap_used)]

mod common;

use common::accounts::Reply;
use common::sharing::{
    Acme, Person, acme, id_of, leave_company, member_id, promote, wrap_company_secret,
};
use reqwest::StatusCode;
use shared_types::api::ErrorBody;
use shared_types::org::{ChangeRoleRequest, CompanyRole};
use shared_types::sharing::{
    CertifyRequest, CompanyKey, CreateCompanyKeyRequest, DirectoryState, GrantRequest,
    KeyCertificate, KeyLookupReply, KeyLookupRequest, PublishedKeys,
};
use shared_types::{AccountId, Base64Bytes};
use wasm_crypto::{Purpose, SigningKey, Statement, make_signing_key};

async fn state(server: &common::TestServer, who: &Person) -> DirectoryState {
    server
        .get_as::<DirectoryState>("/api/directory", Some(&who.session))
        .await
        .body
}

/// The request with which `maker` makes `key` the signing key of `acme`.
fn make_request(
    acme: &Acme,
    key: &SigningKey,
    maker: &Person,
    signer: &Person,
) -> CreateCompanyKeyRequest {
    let verifying = key.verifying_key();
    let signature = signer.user.signing.sign(&Statement::CompanyKey {
        company_id: acme.company.0,
        verifying_key: &verifying,
    });
    CreateCompanyKeyRequest {
        key: CompanyKey {
            company: acme.company,
            verifying_key: Base64Bytes(verifying.to_bytes().to_vec()),
            maker: id_of(maker),
            signature: Base64Bytes(signature.into_bytes()),
        },
        wrapping: wrap_company_secret(
            (Purpose::CompanySigningKey, acme.company),
            key,
            maker,
            maker,
        ),
    }
}

/// `key`'s certificate over `keys` for `acme`.
fn certificate(acme: &Acme, key: &SigningKey, keys: &PublishedKeys) -> KeyCertificate {
    let encryption_key =
        wasm_crypto::EncryptionPublicKey::from_bytes(&keys.encryption_key.0).unwrap();
    let verifying_key = wasm_crypto::VerifyingKey::from_bytes(&keys.verifying_key.0).unwrap();
    let signature = key.sign(&Statement::KeyCertificate {
        company_id: acme.company.0,
        account_id: keys.account_id.0,
        key_epoch: keys.key_epoch,
        email: &keys.email,
        encryption_key: &encryption_key,
        verifying_key: &verifying_key,
    });
    KeyCertificate {
        company: acme.company,
        account_id: keys.account_id,
        key_epoch: keys.key_epoch,
        signature: Base64Bytes(signature.into_bytes()),
    }
}

fn ids(keys: &[PublishedKeys]) -> Vec<AccountId> {
    let mut out: Vec<AccountId> = keys.iter().map(|k| k.account_id).collect();
    out.sort();
    out
}

async fn lookup(server: &common::TestServer, who: &Person, of: &Person) -> KeyLookupReply {
    let reply: Reply<KeyLookupReply> = server
        .post(
            "/api/keys/lookup",
            &KeyLookupRequest {
                emails: Vec::new(),
                account_ids: vec![id_of(of)],
            },
            Some(&who.session),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.body
}

on_both_databases! {
    async fn the_first_admin_makes_the_company_key_and_it_goes_only_to_admins(server) {
        let acme = acme(&server, &["m1", "admin2"]).await;
        let [m1, admin2] = &acme.users[..] else { unreachable!() };
        promote(&server, admin2).await;
        let admin = &acme.admin;
        let outsider = server.person("outsider@example.com").await;
        let path = format!("/api/companies/{}/key", acme.company);
        let key = make_signing_key();

        let before = state(&server, admin).await;
        assert_eq!((before.company_key.as_ref(), before.signing.as_ref()), (None, None));
        assert!(before.uncertified.is_empty(), "nothing to certify before there is a key");

        for (who, status) in [(m1, StatusCode::FORBIDDEN), (&acme.staff, StatusCode::FORBIDDEN), (&outsider, StatusCode::NOT_FOUND)] {
            let refused: Reply<ErrorBody> =
                server.post(&path, &make_request(&acme, &key, who, who), Some(&who.session)).await;
            assert_eq!(refused.status, status, "{}", who.user.email);
        }
        // The statement is the caller's own, and the private half is wrapped to the caller.
        let mut by_another = make_request(&acme, &key, admin, m1);
        let mut other_maker = make_request(&acme, &key, admin, admin);
        other_maker.key.maker = id_of(admin2);
        let mut to_another = make_request(&acme, &key, admin, admin);
        to_another.wrapping = wrap_company_secret((Purpose::CompanySigningKey, acme.company), &key, admin, m1);
        let mut badly_wrapped = make_request(&acme, &key, admin, admin);
        badly_wrapped.wrapping.signature.0[5] ^= 1;
        let mut wrong_purpose = make_request(&acme, &key, admin, admin);
        wrong_purpose.wrapping = wrap_company_secret((Purpose::CompanyDirectoryKey, acme.company), &key, admin, admin);
        by_another.key.maker = id_of(admin);
        for bad in [by_another, other_maker, to_another, badly_wrapped, wrong_purpose] {
            let refused: Reply<ErrorBody> = server.post(&path, &bad, Some(&admin.session)).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{:?}", refused.body);
        }

        let made: Reply<()> = server.post(&path, &make_request(&acme, &key, admin, admin), Some(&admin.session)).await;
        assert_eq!(made.status, StatusCode::NO_CONTENT);
        let again: Reply<ErrorBody> =
            server.post(&path, &make_request(&acme, &make_signing_key(), admin2, admin2), Some(&admin2.session)).await;
        assert_eq!(again.status, StatusCode::CONFLICT);

        let seen = state(&server, admin).await;
        assert_eq!(seen.company_key.as_ref().unwrap().maker, id_of(admin));
        assert_eq!(seen.signing.as_ref().unwrap().sender, id_of(admin));
        assert_eq!(ids(&seen.signing_waiting), vec![id_of(admin2)]);
        assert_eq!(
            ids(&seen.uncertified),
            { let mut all = vec![id_of(admin), id_of(m1), id_of(admin2)]; all.sort(); all }
        );
        let member_view = state(&server, m1).await;
        assert_eq!(member_view.company_key, seen.company_key, "every member sees the company key");
        assert!(member_view.signing.is_none() && member_view.uncertified.is_empty());
        let not_yet = state(&server, admin2).await;
        assert!(not_yet.signing.is_none() && not_yet.signing_waiting.is_empty());

        // Handed on by a holder, to Admins only, once.
        let wrappings = format!("{path}/wrappings");
        let to = |from: &Person, who: &Person| GrantRequest {
            wrappings: vec![wrap_company_secret((Purpose::CompanySigningKey, acme.company), &key, from, who)],
        };
        let refused: Reply<ErrorBody> = server.post(&wrappings, &to(admin2, admin2), Some(&admin2.session)).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "an Admin who does not hold it");
        let refused: Reply<ErrorBody> = server.post(&wrappings, &to(admin, m1), Some(&admin.session)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "a member who is not an Admin");
        let given: Reply<()> = server.post(&wrappings, &to(admin, admin2), Some(&admin.session)).await;
        assert_eq!(given.status, StatusCode::NO_CONTENT);
        let refused: Reply<ErrorBody> = server.post(&wrappings, &to(admin, admin2), Some(&admin.session)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "once");
        assert_eq!(state(&server, admin2).await.signing.unwrap().sender, id_of(admin));

        // An Admin who becomes a User loses it.
        let demoted: Reply<serde_json::Value> = server
            .patch(
                &format!("/api/companies/{}/members/{}", acme.company, member_id(&server, admin2).await),
                &ChangeRoleRequest { role: CompanyRole::User },
                Some(&admin.session),
            )
            .await;
        assert!(demoted.status.is_success(), "{:?}", demoted.body);
        let after = state(&server, admin2).await;
        assert!(!after.admin && after.signing.is_none());
        promote(&server, admin2).await;
        assert!(state(&server, admin2).await.signing.is_none(), "it does not come back by itself");
    }

    async fn certificates_vouch_for_current_keys_and_reach_only_the_company(server) {
        let acme = acme(&server, &["m1", "m2", "admin2"]).await;
        let [m1, m2, admin2] = &acme.users[..] else { unreachable!() };
        promote(&server, admin2).await;
        let admin = &acme.admin;
        let outsider = server.person("outsider@example.com").await;
        let key = make_signing_key();
        let made: Reply<()> = server
            .post(&format!("/api/companies/{}/key", acme.company), &make_request(&acme, &key, admin, admin), Some(&admin.session))
            .await;
        assert_eq!(made.status, StatusCode::NO_CONTENT);
        let path = format!("/api/companies/{}/certificates", acme.company);
        let certify = |certs: Vec<KeyCertificate>| CertifyRequest { certificates: certs };
        let m1_keys = m1.user.published_keys(1);

        for (who, status) in [(m2, StatusCode::FORBIDDEN), (&acme.staff, StatusCode::FORBIDDEN), (&outsider, StatusCode::NOT_FOUND)] {
            let refused: Reply<ErrorBody> =
                server.post(&path, &certify(vec![certificate(&acme, &key, &m1_keys)]), Some(&who.session)).await;
            assert_eq!(refused.status, status, "{}", who.user.email);
        }
        let refused: Reply<ErrorBody> =
            server.post(&path, &certify(vec![certificate(&acme, &key, &m1_keys)]), Some(&admin2.session)).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "an Admin who does not hold the key");
        // Signed by another key, over other keys, for someone outside, or twice: refused.
        let mut other_keys = m1_keys.clone();
        other_keys.encryption_key = Base64Bytes(wasm_crypto::make_encryption_key().public_key().to_bytes().to_vec());
        let mut other_epoch = certificate(&acme, &key, &m1.user.published_keys(2));
        other_epoch.key_epoch = 2;
        for bad in [
            vec![certificate(&acme, &make_signing_key(), &m1_keys)],
            vec![certificate(&acme, &key, &other_keys)],
            vec![other_epoch],
            vec![certificate(&acme, &key, &outsider.user.published_keys(1))],
            vec![certificate(&acme, &key, &m1_keys), certificate(&acme, &key, &m1_keys)],
        ] {
            let refused: Reply<ErrorBody> = server.post(&path, &certify(bad), Some(&admin.session)).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{:?}", refused.body);
        }
        let done: Reply<()> = server
            .post(&path, &certify(vec![certificate(&acme, &key, &m1_keys), certificate(&acme, &key, &admin.user.published_keys(1))]), Some(&admin.session))
            .await;
        assert_eq!(done.status, StatusCode::NO_CONTENT);

        // Served to the company's members with the keys, to nobody else; each sees their own.
        let company_key = key.verifying_key();
        let seen = lookup(&server, m2, m1).await;
        assert_eq!(seen.certificates.len(), 1);
        assert!(seen.certificates[0].certifies(&company_key, &seen.keys[0]));
        assert!(lookup(&server, &outsider, m1).await.certificates.is_empty());
        assert_eq!(state(&server, m1).await.certificate.unwrap().key_epoch, 1);
        let waiting = ids(&state(&server, admin).await.uncertified);
        assert!(!waiting.contains(&id_of(m1)) && waiting.contains(&id_of(m2)));

        // New keys need a new certificate; the old one is no longer served with them.
        let republished: Reply<()> = server.put("/api/account/keys", &m1.user.published_keys(2), Some(&m1.session)).await;
        assert_eq!(republished.status, StatusCode::NO_CONTENT);
        assert!(lookup(&server, m2, m1).await.certificates.is_empty());
        assert!(ids(&state(&server, admin).await.uncertified).contains(&id_of(m1)));

        // Leaving the company takes the certificate away.
        leave_company(&server, &acme, admin2).await;
        let done: Reply<()> = server
            .post(&path, &certify(vec![certificate(&acme, &key, &m1.user.published_keys(2))]), Some(&admin.session))
            .await;
        assert_eq!(done.status, StatusCode::NO_CONTENT);
        leave_company(&server, &acme, m1).await;
        assert!(lookup(&server, m2, m1).await.certificates.is_empty());
        let rows = {
            use backend::entity::key_certificate;
            use sea_orm::EntityTrait;
            key_certificate::Entity::find().all(&server.database().await).await.unwrap()
        };
        assert_eq!(rows.iter().map(|r| r.account_id).collect::<Vec<_>>(), vec![id_of(admin).0]);
    }
}
