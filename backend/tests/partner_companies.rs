//! A partner's companies, as its staff see and manage them: made with their first Admin in one
//! step, listed with users, invitations and activity, changed (tier included), and every visit
//! of partner staff recorded in the company's own log, which the company's Admins read.
#![allow(clippy::unwrap_used)]

mod common;

use common::accounts::Reply;
use reqwest::StatusCode;
use shared_types::api::ErrorBody;
use shared_types::org::{
    AccessLogEntry, CompanyPage, CompanySummary, CreatePartnerCompany, FirstAdmin, InvitationToken,
    MemberPage, Memberships, Tier,
};
use shared_types::{CompanyId, PartnerId};

async fn companies(
    server: &common::TestServer,
    session: &str,
    partner: PartnerId,
    query: &str,
) -> CompanyPage {
    let reply: Reply<CompanyPage> = server
        .get_as(
            &format!("/api/partners/{partner}/companies?{query}"),
            Some(session),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{query}");
    reply.body
}

async fn create(
    server: &common::TestServer,
    session: &str,
    partner: PartnerId,
    name: &str,
    first_admin: Option<&str>,
) -> Reply<serde_json::Value> {
    server
        .post(
            &format!("/api/partners/{partner}/companies"),
            &CreatePartnerCompany {
                name: name.to_owned(),
                tier: Tier::Standard,
                contact_email: "it@customer.example".into(),
                first_admin: first_admin.map(|email| FirstAdmin {
                    email: email.to_owned(),
                    name: "First Admin".into(),
                }),
            },
            Some(session),
        )
        .await
}

async fn patch(
    server: &common::TestServer,
    session: &str,
    partner: PartnerId,
    company: CompanyId,
    body: serde_json::Value,
) -> StatusCode {
    server
        .client
        .patch(server.url(&format!("/api/partners/{partner}/companies/{company}")))
        .header(
            "cookie",
            format!("{}={session}", backend::services::accounts::SESSION_COOKIE),
        )
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

on_both_databases! {
    async fn a_partner_makes_a_company_with_its_first_admin_who_joins(server) {
        let (_, msp) = server.signed_up("admin@msp.example", "correct horse").await;
        let partner = server.new_partner(&msp, "MSP").await.id;
        let made = create(&server, &msp, partner, "Acme", Some("boss@acme.example")).await;
        assert_eq!(made.status, StatusCode::CREATED);
        let made: CompanySummary = serde_json::from_value(made.body).unwrap();
        assert_eq!((made.users, made.pending_invitations, made.tier), (0, 1, Tier::Standard));

        let link = server.invitation_token("boss@acme.example").await;
        let (request, _) = common::accounts::signup_request("boss@acme.example", "correct horse");
        let joined: Reply<serde_json::Value> = server
            .post("/api/invitations/signup", &shared_types::org::InvitationSignupRequest { token: InvitationToken(link), account: request }, None)
            .await;
        assert_eq!(joined.status, StatusCode::CREATED);
        let listed = companies(&server, &msp, partner, "").await;
        assert_eq!((listed.rows[0].users, listed.rows[0].pending_invitations), (1, 0));

        // The company's first Admin is an Admin.
        let db = server.database().await;
        use sea_orm::EntityTrait;
        let member = backend::entity::company_member::Entity::find().all(&db).await.unwrap();
        assert_eq!((member[0].role.as_str(), member[0].status.as_str()), ("admin", "active"));

        // Bad input is refused whole: no company without its first Admin's invitation.
        let bad = create(&server, &msp, partner, "Broken", Some("not an address")).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert_eq!(companies(&server, &msp, partner, "").await.total, 1);
    }

    async fn the_company_list_searches_sorts_and_pages(server) {
        let (_, msp) = server.signed_up("admin@msp.example", "correct horse").await;
        let partner = server.new_partner(&msp, "MSP").await.id;
        let names = ["Umbrella", "acme", "Initech", "Globex", "Hooli", "Stark 50% Industries", "Wayne_Corp", "Cyberdyne"];
        for name in names {
            assert_eq!(create(&server, &msp, partner, name, None).await.status, StatusCode::CREATED);
        }
        create(&server, &msp, partner, "Pied Piper", Some("a@pp.example")).await;
        let all = companies(&server, &msp, partner, "").await;
        let got: Vec<&str> = all.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(got, ["acme", "Cyberdyne", "Globex", "Hooli", "Initech", "Pied Piper", "Stark 50% Industries", "Umbrella", "Wayne_Corp"]);
        let desc = companies(&server, &msp, partner, "dir=desc&per_page=2").await;
        assert_eq!((desc.total, desc.rows[0].name.as_str(), desc.rows[1].name.as_str()), (9, "Wayne_Corp", "Umbrella"));
        let page2 = companies(&server, &msp, partner, "per_page=4&page=3").await;
        assert_eq!(page2.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Wayne_Corp"]);
        let pending = companies(&server, &msp, partner, "sort=pending&dir=desc&per_page=1").await;
        assert_eq!(pending.rows[0].name, "Pied Piper");
        for (q, expected) in [("ACME", vec!["acme"]), ("50%25", vec!["Stark 50% Industries"]), ("_", vec!["Wayne_Corp"]), ("zzz", vec![])] {
            let found = companies(&server, &msp, partner, &format!("q={q}")).await;
            assert_eq!(found.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), expected, "{q}");
        }
        for sort in ["name", "users", "pending", "tier", "last_active"] {
            for dir in ["asc", "desc"] {
                let sorted = companies(&server, &msp, partner, &format!("sort={sort}&dir={dir}")).await;
                assert_eq!(sorted.rows.len(), 9, "{sort} {dir}");
            }
        }
        // Another partner's list is its own.
        let (_, other) = server.signed_up("admin@other.example", "correct horse").await;
        let theirs = server.new_partner(&other, "Other").await.id;
        assert_eq!(companies(&server, &other, theirs, "").await.total, 0);
        let foreign: Reply<ErrorBody> = server.get_as(&format!("/api/partners/{partner}/companies"), Some(&other)).await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    }

    async fn partner_changes_and_visits_are_in_the_company_log(server) {
        let (_, msp) = server.signed_up("admin@msp.example", "correct horse").await;
        let partner = server.new_partner(&msp, "MSP").await.id;
        let company: CompanySummary = serde_json::from_value(create(&server, &msp, partner, "Acme", None).await.body).unwrap();
        let company = company.id;
        let (admin_user, admin) = server.signed_up("admin@acme.example", "correct horse").await;
        common::orgs::add_member(&server.database().await, company, admin_user.account_id, "admin").await;

        assert_eq!(patch(&server, &msp, partner, company, serde_json::json!({ "tier": "advanced" })).await, StatusCode::OK);
        assert_eq!(patch(&server, &msp, partner, company, serde_json::json!({ "contact_email": "nope" })).await, StatusCode::BAD_REQUEST);
        // The company's own Admin cannot change the tier: the partner route does not know them.
        assert_eq!(patch(&server, &admin, partner, company, serde_json::json!({ "tier": "standard" })).await, StatusCode::NOT_FOUND);
        // Nor can another partner, even naming its own partner in the path.
        let (_, other) = server.signed_up("admin@other.example", "correct horse").await;
        let theirs = server.new_partner(&other, "Other").await.id;
        assert_eq!(patch(&server, &other, theirs, company, serde_json::json!({ "tier": "standard" })).await, StatusCode::NOT_FOUND);
        let denied: Reply<ErrorBody> = server.get_as(&format!("/api/companies/{company}/members"), Some(&other)).await;
        assert_eq!(denied.status, StatusCode::NOT_FOUND);

        // The partner's admin opens the company's pages twice: one visit in the log.
        for _ in 0..2 {
            let seen: Reply<MemberPage> = server.get_as(&format!("/api/companies/{company}/members"), Some(&msp)).await;
            assert_eq!(seen.status, StatusCode::OK);
        }
        let log: Reply<Vec<AccessLogEntry>> = server.get_as(&format!("/api/companies/{company}/activity"), Some(&admin)).await;
        let actions: Vec<(&str, bool)> = log.body.iter().map(|e| (e.action.as_str(), e.via_partner)).collect();
        assert_eq!(actions, [("admin_view.opened", true), ("company.tier_changed", true), ("company.created", true)], "{:?}", log.body);
        assert_eq!(log.body[0].actor_email, "admin@msp.example");
        assert_eq!(log.body[0].detail, "members");
        assert_eq!(log.body[1].detail, "Standard → Advanced");
        let mine: Reply<Memberships> = server.get_as("/api/account/memberships", Some(&admin)).await;
        let place = mine.body.company.unwrap();
        assert_eq!((place.tier, place.partner_name.as_deref()), (Tier::Advanced, Some("MSP")));
    }
}
