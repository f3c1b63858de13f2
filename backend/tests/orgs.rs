//! Partners and companies through the real server: who makes them, who belongs, what the
//! caller sees of them, and the database's own guard for "one company per account".
#![allow(clippy::unwrap_used)]

mod common;

use backend::services::access::company_of_container;
use common::accounts::{Reply, error};
use common::orgs::snapshot;
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use shared_types::api::ErrorBody;
use shared_types::org::{
    CompanyRole, CompanyView, CreateCompanyRequest, CreatePartnerRequest, Memberships, PartnerView,
    Permission, Tier, codes,
};

on_both_databases! {
    async fn a_partner_is_made_by_its_first_admin(server) {
        let (_, session) = server.signed_up("msp@example.com", "correct horse").await;
        let mine: Reply<Memberships> = server.get_as("/api/account/memberships", Some(&session)).await;
        assert_eq!(mine.body, Memberships::default());

        let partner = server.new_partner(&session, "  Acme IT  ").await;
        assert_eq!(partner.name, "Acme IT");
        assert_eq!(partner.role_name, "Admin");
        assert_eq!(partner.permissions, Permission::ALL.to_vec());

        let mine: Reply<Memberships> = server.get_as("/api/account/memberships", Some(&session)).await;
        let place = mine.body.partner.unwrap();
        assert_eq!((place.id, place.name.as_str()), (partner.id, "Acme IT"));
        assert!(mine.body.company.is_none());
        let read: Reply<PartnerView> = server
            .get_as(&format!("/api/partners/{}", partner.id), Some(&session))
            .await;
        assert_eq!(read.body, partner);

        // One partner per account.
        let again: Reply<ErrorBody> = server
            .post("/api/partners", &CreatePartnerRequest { name: "Other".into() }, Some(&session))
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(error(&again).0, codes::ALREADY_PARTNER_STAFF);

        // Someone else gets the same reply as for a partner that does not exist.
        let (_, stranger) = server.signed_up("someone@example.com", "correct horse").await;
        let theirs: Reply<ErrorBody> = server
            .get_as(&format!("/api/partners/{}", partner.id), Some(&stranger))
            .await;
        let missing: Reply<ErrorBody> = server
            .get_as(&format!("/api/partners/{}", uuid::Uuid::now_v7()), Some(&stranger))
            .await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        assert_eq!((theirs.status, theirs.body), (missing.status, missing.body));
    }

    async fn a_business_makes_its_own_company_and_its_business_profile_belongs_to_it(server) {
        let (_, session) = server.signed_up("owner@globex.example", "correct horse").await;
        let (personal, business) = common::vault::profiles(&server, &session).await;
        let company = server.new_direct_company(&session, "Globex").await;
        assert_eq!((company.name.as_str(), company.tier, company.partner_name.as_deref()), ("Globex", Tier::Standard, None));

        let mine: Reply<Memberships> = server.get_as("/api/account/memberships", Some(&session)).await;
        let place = mine.body.company.unwrap();
        assert_eq!((place.id, place.role), (company.id, CompanyRole::Admin));
        let read: Reply<CompanyView> = server
            .get_as(&format!("/api/companies/{}", company.id), Some(&session))
            .await;
        assert_eq!(read.body, company);

        let db = server.database().await;
        assert_eq!(company_of_container(&db, business).await.unwrap(), Some(company.id));
        assert_eq!(company_of_container(&db, personal).await.unwrap(), None);
        let log = backend::entity::admin_access_log::Entity::find().all(&db).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!((log[0].action.as_str(), log[0].actor_email.as_str()), ("company.created", "owner@globex.example"));

        // One company per account.
        let again: Reply<ErrorBody> = server
            .post("/api/companies", &CreateCompanyRequest { name: "Globex 2".into(), contact_email: String::new() }, Some(&session))
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(error(&again).0, codes::ALREADY_IN_COMPANY);

        // Invisible to everyone else, the same as a company that does not exist.
        let (_, stranger) = server.signed_up("someone@example.com", "correct horse").await;
        let theirs: Reply<ErrorBody> = server
            .get_as(&format!("/api/companies/{}", company.id), Some(&stranger))
            .await;
        let missing: Reply<ErrorBody> = server
            .get_as(&format!("/api/companies/{}", uuid::Uuid::now_v7()), Some(&stranger))
            .await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        assert_eq!((theirs.status, theirs.body), (missing.status, missing.body));
        let malformed: Reply<ErrorBody> = server.get_as("/api/companies/not-an-id", Some(&stranger)).await;
        assert_eq!(malformed.status, StatusCode::NOT_FOUND);
    }

    async fn bad_organization_input_is_refused_and_stores_nothing(server) {
        let (_, session) = server.signed_up("owner@example.com", "correct horse").await;
        let db = server.database().await;
        let before = snapshot(&db).await;
        let long = "x".repeat(201);
        let cases: Vec<(&str, serde_json::Value, &str)> = vec![
            ("/api/partners", serde_json::json!({ "name": "   " }), "Enter the partner's name."),
            ("/api/partners", serde_json::json!({ "name": long }), "too long"),
            ("/api/partners", serde_json::json!({}), "fields"),
            ("/api/companies", serde_json::json!({ "name": "" }), "Enter the company's name."),
            ("/api/companies", serde_json::json!({ "name": "Initech", "contact_email": "not an address" }), "valid email"),
            ("/api/companies", serde_json::json!({ "name": 7 }), "line 1"),
        ];
        for (path, body, says) in cases {
            let reply: Reply<ErrorBody> = server.post(path, &body, Some(&session)).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path} {body}");
            assert!(reply.body.message.contains(says), "{path} {body}: {}", reply.body.message);
        }
        assert_eq!(snapshot(&db).await, before);
    }

    async fn two_companies_made_at_once_leave_one_membership(server) {
        let (_, session) = server.signed_up("racer@example.com", "correct horse").await;
        let attempts = (0..6).map(|i| {
            let server = &server;
            let session = session.clone();
            async move {
                let reply: Reply<serde_json::Value> = server
                    .post(
                        "/api/companies",
                        &CreateCompanyRequest { name: format!("Race {i}"), contact_email: String::new() },
                        Some(&session),
                    )
                    .await;
                reply.status
            }
        });
        let statuses = futures_util::future::join_all(attempts).await;
        let made = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
        assert_eq!(made, 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT), "{statuses:?}");
        let db = server.database().await;
        let members = backend::entity::company_member::Entity::find().all(&db).await.unwrap();
        assert_eq!(members.len(), 1);
        // Companies whose member insert lost the race were rolled back with it.
        let companies = backend::entity::company::Entity::find().all(&db).await.unwrap();
        assert_eq!(companies.len(), 1);
    }
}
