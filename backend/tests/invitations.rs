//! Invitations through the real server and its outbox: the whole life of a link (sent, looked
//! up, accepted once), each way a link stops working, joining with an existing account, and
//! that inviting tells the inviter nothing about other companies.
#![allow(clippy::unwrap_used)]

mod common;

use backend::entity::{invitation, mail_outbox};
use backend::services::access::company_of_container;
use common::accounts::{Reply, error, signup_request};
use common::orgs::snapshot;
use reqwest::StatusCode;
use sea_orm::{ActiveValue::Set, EntityTrait};
use shared_types::account::AccountBundle;
use shared_types::api::ErrorBody;
use shared_types::org::{
    CompanyRole, InvitationLink, InvitationSignupRequest, InvitationState, InvitationToken,
    InvitationView, MemberRow, MemberStatus, Memberships, TokenRequest, codes,
};

fn token(value: &str) -> TokenRequest {
    TokenRequest {
        token: InvitationToken(value.to_owned()),
    }
}

async fn lookup(server: &common::TestServer, value: &str) -> Reply<InvitationView> {
    server
        .post("/api/invitations/lookup", &token(value), None)
        .await
}

on_both_databases! {
    async fn a_new_person_joins_through_the_link_and_verifies_their_browser(server) {
        let (_, admin) = server.signed_up("admin@acme.example", "correct horse").await;
        let company = server.new_direct_company(&admin, "Acme").await;
        let invited = server.invite(&admin, company.id, " Bob@Acme.example ", CompanyRole::User).await;
        assert_eq!(invited.status, StatusCode::CREATED, "{:?}", invited.body);
        let row: MemberRow = serde_json::from_value(invited.body).unwrap();
        assert_eq!((row.email.as_str(), row.status, row.role), ("bob@acme.example", MemberStatus::Invited, CompanyRole::User));
        assert!(row.invitation.is_some());

        let link = server.invitation_token("bob@acme.example").await;
        let mail = &server.invitation_mails("bob@acme.example")[0];
        assert!(mail.subject.contains("admin@acme.example invited you to Acme"), "{}", mail.subject);
        assert!(mail.body.contains(&format!("{}/invite#token=", server.base)), "{}", mail.body);

        let seen = lookup(&server, &link).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert_eq!((seen.body.organization_name.as_str(), seen.body.email.as_str(), seen.body.state, seen.body.has_account),
                   ("Acme", "bob@acme.example", InvitationState::Valid, false));
        assert_eq!((seen.body.kind, seen.body.role_label.as_str()), (shared_types::org::InvitationKind::Company, "User"));
        assert_eq!(seen.body.inviter_email.as_deref(), Some("admin@acme.example"));

        // The token is nowhere on the server: only its keyed hash is stored.
        let db = server.database().await;
        let stored = invitation::Entity::find().all(&db).await.unwrap();
        assert!(stored[0].token_hash.is_some());
        if let backend::settings::DatabaseTarget::Sqlite(path) = server.settings.database().unwrap() {
            drop(db);
            for file in std::fs::read_dir(path.parent().unwrap()).unwrap() {
                let file = file.unwrap().path();
                if file.is_file() {
                    let bytes = std::fs::read(&file).unwrap();
                    assert!(!bytes.windows(link.len()).any(|w| w == link.as_bytes()), "token in {file:?}");
                }
            }
        }

        let (mut request, bob) = signup_request("bob@acme.example", "battery staple");
        request.email = "bob@acme.example".into();
        let joined: Reply<serde_json::Value> = server
            .post("/api/invitations/signup", &InvitationSignupRequest { token: InvitationToken(link.clone()), account: request.clone() }, None)
            .await;
        assert_eq!(joined.status, StatusCode::CREATED, "{:?}", joined.body);
        assert!(joined.session.is_none(), "the browser is not verified by the link");

        // The new browser is verified as usual: a code by email, then signed in.
        let first: Reply<ErrorBody> = server.login(&bob, &bob.device, None).await;
        assert_eq!(error(&first).0, shared_types::account::codes::DEVICE_VERIFICATION_REQUIRED);
        let code = server.latest_code("bob@acme.example");
        let signed_in: Reply<AccountBundle> = server.login(&bob, &bob.device, Some(code)).await;
        assert_eq!(signed_in.status, StatusCode::OK);
        let session = signed_in.session.unwrap();
        let mine: Reply<Memberships> = server.get_as("/api/account/memberships", Some(&session)).await;
        let place = mine.body.company.unwrap();
        assert_eq!((place.id, place.role), (company.id, CompanyRole::User));
        let (_, business) = common::vault::profiles(&server, &session).await;
        let db = server.database().await;
        assert_eq!(company_of_container(&db, business).await.unwrap(), Some(company.id));

        // Used once.
        let again = lookup(&server, &link).await;
        assert_eq!(again.body.state, InvitationState::Used);
        let (other, _) = signup_request("bob@acme.example", "battery staple");
        let reused: Reply<ErrorBody> = server
            .post("/api/invitations/signup", &InvitationSignupRequest { token: InvitationToken(link.clone()), account: other }, None)
            .await;
        assert_eq!(reused.status, StatusCode::GONE);
        assert_eq!(error(&reused).0, codes::INVITATION_USED);
        let accepted: Reply<ErrorBody> = server.post("/api/invitations/accept", &token(&link), Some(&session)).await;
        assert_eq!(error(&accepted).0, codes::INVITATION_USED);
    }

    async fn an_existing_account_accepts_only_as_the_invited_address(server) {
        let (_, admin) = server.signed_up("admin@acme.example", "correct horse").await;
        let company = server.new_direct_company(&admin, "Acme").await;
        let (_, carol) = server.signed_up("carol@example.com", "correct horse").await;
        let (_, dave) = server.signed_up("dave@example.com", "correct horse").await;
        server.invite(&admin, company.id, "carol@example.com", CompanyRole::Admin).await;
        let link = server.invitation_token("carol@example.com").await;
        assert!(lookup(&server, &link).await.body.has_account);

        // Signing up again with the address is refused: sign in instead.
        let (request, _) = signup_request("carol@example.com", "other");
        let refused: Reply<ErrorBody> = server
            .post("/api/invitations/signup", &InvitationSignupRequest { token: InvitationToken(link.clone()), account: request }, None)
            .await;
        assert_eq!((refused.status, error(&refused).0), (StatusCode::CONFLICT, codes::INVITATION_HAS_ACCOUNT));

        let wrong: Reply<ErrorBody> = server.post("/api/invitations/accept", &token(&link), Some(&dave)).await;
        assert_eq!((wrong.status, error(&wrong).0), (StatusCode::FORBIDDEN, codes::INVITATION_OTHER_ACCOUNT));
        assert!(error(&wrong).1.contains("carol@example.com"));
        let signed_out: Reply<ErrorBody> = server.post("/api/invitations/accept", &token(&link), None).await;
        assert_eq!(signed_out.status, StatusCode::UNAUTHORIZED);

        let accepted: Reply<Memberships> = server.post("/api/invitations/accept", &token(&link), Some(&carol)).await;
        assert_eq!(accepted.status, StatusCode::OK);
        assert_eq!(accepted.body.company.unwrap().role, CompanyRole::Admin);
        // Now an Admin: the company's admin routes let carol in.
        let invited = server.invite(&carol, company.id, "erin@example.com", CompanyRole::User).await;
        assert_eq!(invited.status, StatusCode::CREATED);
    }

    async fn a_member_of_another_company_learns_it_only_when_accepting(server) {
        let (_, admin_a) = server.signed_up("admin@a.example", "correct horse").await;
        let a = server.new_direct_company(&admin_a, "A").await;
        let (_, frank) = server.signed_up("frank@b.example", "correct horse").await;
        server.new_direct_company(&frank, "B").await;

        // Company A's admin invites frank (in B) and an unknown address: the same reply.
        let db = server.database().await;
        let known = server.invite(&admin_a, a.id, "frank@b.example", CompanyRole::User).await;
        let unknown = server.invite(&admin_a, a.id, "nobody@c.example", CompanyRole::User).await;
        let strip = |mut v: serde_json::Value| {
            v["id"] = serde_json::Value::Null;
            v["email"] = serde_json::Value::Null;
            v["invitation"] = serde_json::Value::Null;
            v
        };
        assert_eq!(known.status, unknown.status);
        assert_eq!(strip(known.body), strip(unknown.body));

        let link = server.invitation_token("frank@b.example").await;
        let accepted: Reply<ErrorBody> = server.post("/api/invitations/accept", &token(&link), Some(&frank)).await;
        assert_eq!((accepted.status, error(&accepted).0), (StatusCode::CONFLICT, codes::ALREADY_IN_COMPANY));
        assert!(error(&accepted).1.contains("remove you"));
        // The link stays good for when frank has left B.
        assert_eq!(lookup(&server, &link).await.body.state, InvitationState::Valid);
        let mine: Reply<Memberships> = server.get_as("/api/account/memberships", Some(&frank)).await;
        assert_eq!(mine.body.company.unwrap().name, "B");
        drop(db);
    }

    async fn expired_revoked_and_replaced_links_are_refused_with_their_reason(server) {
        let (_, admin) = server.signed_up("admin@acme.example", "correct horse").await;
        let company = server.new_direct_company(&admin, "Acme").await;
        let (_, gina) = server.signed_up("gina@example.com", "correct horse").await;
        let accept = |link: String| {
            let server = &server;
            let gina = gina.clone();
            async move {
                let reply: Reply<ErrorBody> = server.post("/api/invitations/accept", &token(&link), Some(&gina)).await;
                (reply.status, reply.body.code, reply.body.message)
            }
        };

        // Replaced by a resend: the old link says so, the new one works until revoked.
        let row: MemberRow = serde_json::from_value(server.invite(&admin, company.id, "gina@example.com", CompanyRole::User).await.body).unwrap();
        let first = server.invitation_token("gina@example.com").await;
        let resent: Reply<MemberRow> = server
            .post(&format!("/api/companies/{}/members/{}/invitation/resend", company.id, row.id), &serde_json::json!({}), Some(&admin))
            .await;
        assert_eq!(resent.status, StatusCode::OK);
        let second = server.nth_invitation_token("gina@example.com", 2).await;
        assert_ne!(first, second);
        assert_eq!(lookup(&server, &first).await.body.state, InvitationState::Replaced);
        let (status, code, _) = accept(first).await;
        assert_eq!((status, code.as_str()), (StatusCode::GONE, codes::INVITATION_REPLACED));

        // Replaced by a copied link: handed to the Admin, not mailed; the mailed one stops.
        let mails = mail_outbox::Entity::find().all(&server.database().await).await.unwrap().len();
        let copied: Reply<InvitationLink> = server
            .post(&format!("/api/companies/{}/members/{}/invitation/link", company.id, row.id), &serde_json::json!({}), Some(&admin))
            .await;
        assert_eq!(copied.status, StatusCode::OK);
        assert_eq!(mail_outbox::Entity::find().all(&server.database().await).await.unwrap().len(), mails);
        assert_eq!(lookup(&server, &second).await.body.state, InvitationState::Replaced);
        let second = copied.body.token.0;
        assert_eq!(lookup(&server, &second).await.body.state, InvitationState::Valid);
        let (_, member) = server.signed_up("member@acme.example", "correct horse").await;
        let refused: Reply<ErrorBody> = server
            .post(&format!("/api/companies/{}/members/{}/invitation/link", company.id, row.id), &serde_json::json!({}), Some(&member))
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "not a member of the company");

        // Revoked.
        let before = snapshot(&server.database().await).await;
        let revoked: Reply<MemberRow> = server
            .post(&format!("/api/companies/{}/members/{}/invitation/revoke", company.id, row.id), &serde_json::json!({}), Some(&admin))
            .await;
        assert_eq!((revoked.status, revoked.body.status), (StatusCode::OK, MemberStatus::Removed));
        assert_ne!(snapshot(&server.database().await).await, before);
        let (status, code, _) = accept(second.clone()).await;
        assert_eq!((status, code.as_str()), (StatusCode::GONE, codes::INVITATION_REVOKED));
        let again: Reply<ErrorBody> = server
            .post(&format!("/api/companies/{}/members/{}/invitation/revoke", company.id, row.id), &serde_json::json!({}), Some(&admin))
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);

        // Invited again (the removed row is reused), then expired.
        let invited = server.invite(&admin, company.id, "gina@example.com", CompanyRole::User).await;
        assert_eq!(invited.status, StatusCode::CREATED);
        let third = server.nth_invitation_token("gina@example.com", 3).await;
        let db = server.database().await;
        for inv in invitation::Entity::find().all(&db).await.unwrap() {
            if inv.used_at.is_none() && inv.revoked_at.is_none() {
                let mut past: invitation::ActiveModel = inv.into();
                past.expires_at = Set(time::OffsetDateTime::now_utc() - time::Duration::minutes(1));
                invitation::Entity::update(past).exec(&db).await.unwrap();
            }
        }
        assert_eq!(lookup(&server, &third).await.body.state, InvitationState::Expired);
        let (status, code, message) = accept(third).await;
        assert_eq!((status, code.as_str()), (StatusCode::GONE, codes::INVITATION_EXPIRED));
        assert!(message.contains("admin@acme.example"), "{message}");

        // A made-up or mangled link.
        for made_up in ["", "not base64 !", "AAAA", &"A".repeat(43)] {
            let reply: Reply<ErrorBody> = server.post("/api/invitations/lookup", &token(made_up), None).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{made_up:?}");
        }
        // Still not a member anywhere.
        let mine: Reply<Memberships> = server.get_as("/api/account/memberships", Some(&gina)).await;
        assert!(mine.body.company.is_none());
    }

    async fn inviting_twice_or_a_member_is_refused_clearly(server) {
        let (_, admin) = server.signed_up("admin@acme.example", "correct horse").await;
        let company = server.new_direct_company(&admin, "Acme").await;
        let first = server.invite(&admin, company.id, "hal@example.com", CompanyRole::User).await;
        assert_eq!(first.status, StatusCode::CREATED);
        let twice = server.invite(&admin, company.id, "HAL@example.com", CompanyRole::Admin).await;
        assert_eq!((twice.status, twice.body["code"].as_str()), (StatusCode::CONFLICT, Some(codes::ALREADY_INVITED)));
        let member = server.invite(&admin, company.id, "admin@acme.example", CompanyRole::User).await;
        assert_eq!((member.status, member.body["code"].as_str()), (StatusCode::CONFLICT, Some(codes::ALREADY_MEMBER)));
        let bad = server.invite(&admin, company.id, "not an address", CompanyRole::User).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let db = server.database().await;
        // One mail queued for one invitation.
        server.invitation_token("hal@example.com").await;
        let outbox = mail_outbox::Entity::find().all(&db).await.unwrap();
        assert_eq!(outbox.len(), 1);
        assert!(outbox[0].sent_at.is_some());
    }
}
