//! A partner's staff and access roles: staff invited by email with a role, custom roles made
//! from permissions and applied at once, roles nobody can use to raise themselves, and a
//! partner that always keeps an Admin.
#![allow(clippy::unwrap_used)]

mod common;

use common::accounts::{Reply, error};
use reqwest::StatusCode;
use shared_types::api::ErrorBody;
use shared_types::org::{
    InvitationKind, InvitationSignupRequest, InvitationToken, InvitationView, Memberships,
    Permission, RoleView, StaffRow, TokenRequest, codes,
};
use shared_types::{PartnerId, PartnerRoleId, StaffId};

async fn send(
    server: &common::TestServer,
    method: reqwest::Method,
    path: &str,
    session: &str,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let reply = server
        .client
        .request(method, server.url(path))
        .header(
            "cookie",
            format!("{}={session}", backend::services::accounts::SESSION_COOKIE),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = reply.status();
    let text = reply.text().await.unwrap();
    (
        status,
        if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        },
    )
}

async fn roles(server: &common::TestServer, session: &str, partner: PartnerId) -> Vec<RoleView> {
    let reply: Reply<Vec<RoleView>> = server
        .get_as(&format!("/api/partners/{partner}/roles"), Some(session))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.body
}

fn role_named(roles: &[RoleView], name: &str) -> PartnerRoleId {
    roles.iter().find(|r| r.name == name).unwrap().id
}

async fn invite_staff(
    server: &common::TestServer,
    session: &str,
    partner: PartnerId,
    email: &str,
    role: PartnerRoleId,
) -> (StatusCode, serde_json::Value) {
    send(
        server,
        reqwest::Method::POST,
        &format!("/api/partners/{partner}/staff/invitations"),
        session,
        serde_json::json!({ "email": email, "role_id": role }),
    )
    .await
}

/// `email` invited to the partner's staff with `role`, joined with a new account, signed in.
async fn joined_staff(
    server: &common::TestServer,
    admin: &str,
    partner: PartnerId,
    email: &str,
    role: PartnerRoleId,
) -> String {
    let (status, body) = invite_staff(server, admin, partner, email, role).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = server.invitation_token(email).await;
    let view: Reply<InvitationView> = server
        .post(
            "/api/invitations/lookup",
            &TokenRequest {
                token: InvitationToken(token.clone()),
            },
            None,
        )
        .await;
    assert_eq!(view.body.kind, InvitationKind::Partner);
    let (request, user) = common::accounts::signup_request(email, "correct horse");
    let joined: Reply<serde_json::Value> = server
        .post(
            "/api/invitations/signup",
            &InvitationSignupRequest {
                token: InvitationToken(token),
                account: request,
            },
            None,
        )
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{:?}", joined.body);
    let _: Reply<serde_json::Value> = server.login(&user, &user.device, None).await;
    let code = server.latest_code(email);
    let signed_in: Reply<serde_json::Value> = server.login(&user, &user.device, Some(code)).await;
    signed_in.session.unwrap()
}

on_both_databases! {
    async fn a_technician_joins_through_the_link_with_the_role_it_offers(server) {
        let (_, admin) = server.signed_up("admin@msp.example", "correct horse").await;
        let partner = server.new_partner(&admin, "MSP").await.id;
        let all = roles(&server, &admin, partner).await;
        assert_eq!(all.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Admin", "Technician"]);
        let technician = role_named(&all, "Technician");
        let tech = joined_staff(&server, &admin, partner, "tech@msp.example", technician).await;
        let mine: Reply<Memberships> = server.get_as("/api/account/memberships", Some(&tech)).await;
        let place = mine.body.partner.unwrap();
        assert_eq!((place.role_name.as_str(), place.permissions.as_slice()), ("Technician", &[Permission::CompaniesView, Permission::CompaniesManageUsers][..]));
        let companies: Reply<serde_json::Value> = server.get_as(&format!("/api/partners/{partner}/companies"), Some(&tech)).await;
        assert_eq!(companies.status, StatusCode::OK);
        let staff: Reply<ErrorBody> = server.get_as(&format!("/api/partners/{partner}/staff"), Some(&tech)).await;
        assert_eq!((staff.status, error(&staff).0), (StatusCode::FORBIDDEN, codes::NOT_PERMITTED));
        let listed: Reply<Vec<StaffRow>> = server.get_as(&format!("/api/partners/{partner}/staff"), Some(&admin)).await;
        assert_eq!(listed.body.iter().map(|s| (s.email.as_str(), s.role_name.as_str())).collect::<Vec<_>>(),
                   [("admin@msp.example", "Admin"), ("tech@msp.example", "Technician")]);

        // An existing account that works for another partner learns it when accepting.
        let (_, other) = server.signed_up("boss@other.example", "correct horse").await;
        server.new_partner(&other, "Other").await;
        invite_staff(&server, &admin, partner, "boss@other.example", technician).await;
        let token = server.invitation_token("boss@other.example").await;
        let refused: Reply<ErrorBody> = server.post("/api/invitations/accept", &TokenRequest { token: InvitationToken(token) }, Some(&other)).await;
        assert_eq!((refused.status, error(&refused).0), (StatusCode::CONFLICT, codes::ALREADY_PARTNER_STAFF));
    }

    async fn custom_roles_apply_at_once_and_cannot_be_deleted_while_held(server) {
        let (_, admin) = server.signed_up("admin@msp.example", "correct horse").await;
        let partner = server.new_partner(&admin, "MSP").await.id;
        let (status, made) = send(&server, reqwest::Method::POST, &format!("/api/partners/{partner}/roles"), &admin,
            serde_json::json!({ "name": "Auditor", "permissions": ["reports.password_auditing"] })).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let auditor: RoleView = serde_json::from_value(made).unwrap();
        assert_eq!(auditor.permissions, [Permission::CompaniesView, Permission::ReportsPasswordAuditing], "implied permissions show");
        let (status, _) = send(&server, reqwest::Method::POST, &format!("/api/partners/{partner}/roles"), &admin,
            serde_json::json!({ "name": "Auditor", "permissions": [] })).await;
        assert_eq!(status, StatusCode::CONFLICT, "names are unique");
        let (status, _) = send(&server, reqwest::Method::POST, &format!("/api/partners/{partner}/roles"), &admin,
            serde_json::json!({ "name": "Bad", "permissions": ["vault.read_everything"] })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "an unknown permission is refused");
        let technician = role_named(&roles(&server, &admin, partner).await, "Technician");
        let (status, _) = send(&server, reqwest::Method::PUT, &format!("/api/partners/{partner}/roles/{technician}"), &admin,
            serde_json::json!({ "name": "Technician", "permissions": [] })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "built-in roles are read-only");

        let ann = joined_staff(&server, &admin, partner, "ann@msp.example", auditor.id).await;
        let staff_page: Reply<ErrorBody> = server.get_as(&format!("/api/partners/{partner}/staff"), Some(&ann)).await;
        assert_eq!(staff_page.status, StatusCode::FORBIDDEN);
        let (status, _) = send(&server, reqwest::Method::PUT, &format!("/api/partners/{partner}/roles/{}", auditor.id), &admin,
            serde_json::json!({ "name": "Auditor", "permissions": ["reports.password_auditing", "partner.manage_staff"] })).await;
        assert_eq!(status, StatusCode::OK);
        let staff_page: Reply<Vec<StaffRow>> = server.get_as(&format!("/api/partners/{partner}/staff"), Some(&ann)).await;
        assert_eq!(staff_page.status, StatusCode::OK, "the edit applies at once");

        let (status, body) = send(&server, reqwest::Method::DELETE, &format!("/api/partners/{partner}/roles/{}", auditor.id), &admin, serde_json::json!({})).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some(codes::ROLE_IN_USE)));
        let ann_id: StaffId = staff_page.body.iter().find(|s| s.email == "ann@msp.example").unwrap().id;
        let (status, _) = send(&server, reqwest::Method::POST, &format!("/api/partners/{partner}/staff/{ann_id}/remove"), &admin, serde_json::json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let gone: Reply<ErrorBody> = server.get_as(&format!("/api/partners/{partner}"), Some(&ann)).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND, "removed staff lose the partner at once");
        let (status, _) = send(&server, reqwest::Method::DELETE, &format!("/api/partners/{partner}/roles/{}", auditor.id), &admin, serde_json::json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }

    async fn nobody_grants_what_their_role_lacks_and_a_partner_keeps_an_admin(server, |s| s.ip_limit_multiplier = 10) {
        let (_, admin) = server.signed_up("admin@msp.example", "correct horse").await;
        let partner = server.new_partner(&admin, "MSP").await.id;
        let (_, made) = send(&server, reqwest::Method::POST, &format!("/api/partners/{partner}/roles"), &admin,
            serde_json::json!({ "name": "People", "permissions": ["partner.manage_staff", "partner.manage_roles"] })).await;
        let people: RoleView = serde_json::from_value(made).unwrap();
        let hr = joined_staff(&server, &admin, partner, "hr@msp.example", people.id).await;
        let all = roles(&server, &hr, partner).await;
        let (admin_role, technician) = (role_named(&all, "Admin"), role_named(&all, "Technician"));

        let (status, body) = send(&server, reqwest::Method::POST, &format!("/api/partners/{partner}/roles"), &hr,
            serde_json::json!({ "name": "More", "permissions": ["companies.create"] })).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some(codes::CANNOT_GRANT)));
        let (status, _) = send(&server, reqwest::Method::PUT, &format!("/api/partners/{partner}/roles/{}", people.id), &hr,
            serde_json::json!({ "name": "People", "permissions": ["partner.manage_staff", "partner.manage_roles", "companies.view"] })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "nor raise its own role");
        let (status, _) = invite_staff(&server, &hr, partner, "friend@example.com", admin_role).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "nor hand out the Admin role");
        let (status, _) = invite_staff(&server, &hr, partner, "friend@example.com", technician).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "nor a role with permissions it lacks");
        let (status, _) = invite_staff(&server, &hr, partner, "friend@example.com", people.id).await;
        assert_eq!(status, StatusCode::CREATED, "its own role it may give");

        // A custom role with every permission still cannot take the last Admin's role away.
        let (_, made) = send(&server, reqwest::Method::POST, &format!("/api/partners/{partner}/roles"), &admin,
            serde_json::json!({ "name": "Everything", "permissions": Permission::ALL })).await;
        let everything: RoleView = serde_json::from_value(made).unwrap();
        let deputy = joined_staff(&server, &admin, partner, "deputy@msp.example", everything.id).await;
        let listed: Reply<Vec<StaffRow>> = server.get_as(&format!("/api/partners/{partner}/staff"), Some(&deputy)).await;
        let admin_id = listed.body.iter().find(|s| s.email == "admin@msp.example").unwrap().id;
        let (status, body) = send(&server, reqwest::Method::PATCH, &format!("/api/partners/{partner}/staff/{admin_id}"), &deputy,
            serde_json::json!({ "role_id": technician })).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some(codes::LAST_ADMIN)), "{body}");
        let (status, body) = send(&server, reqwest::Method::POST, &format!("/api/partners/{partner}/staff/{admin_id}/remove"), &admin, serde_json::json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "nobody removes themselves: {body}");
        let deputy_id = listed.body.iter().find(|s| s.email == "deputy@msp.example").unwrap().id;
        let (status, _) = send(&server, reqwest::Method::PATCH, &format!("/api/partners/{partner}/staff/{deputy_id}"), &admin,
            serde_json::json!({ "role_id": admin_role })).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = send(&server, reqwest::Method::PATCH, &format!("/api/partners/{partner}/staff/{admin_id}"), &deputy,
            serde_json::json!({ "role_id": technician })).await;
        assert_eq!(status, StatusCode::OK, "with another Admin, the first can be moved");
        let (status, body) = send(&server, reqwest::Method::PATCH, &format!("/api/partners/{partner}/staff/{deputy_id}"), &admin,
            serde_json::json!({ "role_id": technician })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a Technician no longer manages staff: {body}");
    }
}
