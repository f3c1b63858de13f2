//! The authorization matrix: every organization route × every kind of caller → allowed, or
//! refused with the expected status, and nothing changed by a refusal. The rows are written by
//! hand here (not derived from the route table), and the first check is that they name exactly
//! the routes the server registers, so a route added without a row fails this test.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use backend::routes::declared;
use backend::routes::table::Scope;
use common::TestServer;
use common::orgs::{
    add_member, add_staff, builtin_role, company_of_partner, custom_role, set_permissions, snapshot,
};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use shared_types::api::ErrorBody;
use shared_types::org::{CompanyRole, Permission, codes};
use shared_types::vault::Role;
use shared_types::{CompanyId, PartnerId};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Actor {
    /// Admin of partner P1, which looks after company A.
    PartnerAdmin,
    /// Technician of P1.
    Technician,
    /// P1 staff with a custom role holding the route's permission (and only it).
    CustomWith,
    /// The same person, with a custom role holding every permission but the route's (and
    /// those implying it).
    CustomWithout,
    /// Admin of partner P2.
    OtherPartnerStaff,
    /// Admin of company A.
    CompanyAdmin,
    /// User of company A.
    CompanyUser,
    /// Admin of company B (of P2).
    OtherCompanyAdmin,
    SignedOut,
}

use Actor::*;

const ACTORS: [Actor; 9] = [
    PartnerAdmin,
    Technician,
    CustomWith,
    CustomWithout,
    OtherPartnerStaff,
    CompanyAdmin,
    CompanyUser,
    OtherCompanyAdmin,
    SignedOut,
];

/// Who may call a route, as this test expects it.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Public,
    Account,
    /// A signed-in account's own settings, open while it owes its company a policy obligation.
    Setup,
    /// A route of company A (`{company_id}`): the permission the custom role is tested with,
    /// and who is let in.
    Company(Permission, &'static [Actor]),
    /// A route of partner P1 (`{partner_id}`).
    Partner(Option<Permission>, &'static [Actor]),
    /// A route of a share (`{share_id}`), open to recipients whose role is at least this one;
    /// walked by `tests/shares.rs::every_share_route_lets_in_exactly_who_it_should`.
    Share(Role),
    /// A route of company A for its own Admins only (partner staff: 403), walked by
    /// `tests/groups.rs::every_group_route_lets_in_exactly_who_it_should`, since its bodies are
    /// signed with the caller's keys.
    OwnAdmin,
    /// A route of a group of company A, for its managers; walked there too.
    GroupManager,
}

const P1_STAFF: &[Actor] = &[PartnerAdmin, Technician, CustomWith, CustomWithout];

/// Every route of the API.
const ROWS: &[(&str, &str, Expect)] = &[
    ("GET", "/health", Expect::Public),
    ("POST", "/prelogin", Expect::Public),
    ("POST", "/accounts", Expect::Public),
    ("POST", "/accounts/confirm", Expect::Public),
    ("POST", "/login", Expect::Public),
    ("POST", "/logout", Expect::Setup),
    ("POST", "/logout/everywhere", Expect::Setup),
    ("GET", "/account", Expect::Setup),
    ("POST", "/account/profiles", Expect::Setup),
    ("PUT", "/account/profile-keys", Expect::Setup),
    ("GET", "/account/devices", Expect::Setup),
    ("DELETE", "/account/devices/{device_id}", Expect::Setup),
    ("GET", "/account/sessions", Expect::Setup),
    ("DELETE", "/account/sessions/{id}", Expect::Setup),
    ("POST", "/account/password", Expect::Setup),
    ("GET", "/account/2fa", Expect::Setup),
    ("POST", "/account/2fa/setup", Expect::Setup),
    ("POST", "/account/2fa/enable", Expect::Setup),
    ("POST", "/account/2fa/disable", Expect::Setup),
    ("POST", "/vault/push", Expect::Account),
    ("POST", "/vault/pull", Expect::Account),
    ("POST", "/vault/checkpoints", Expect::Account),
    ("POST", "/vault/rollbacks", Expect::Account),
    ("GET", "/vault/events", Expect::Account),
    ("GET", "/account/memberships", Expect::Setup),
    ("POST", "/partners", Expect::Account),
    ("POST", "/companies", Expect::Account),
    ("PUT", "/account/keys", Expect::Account),
    ("POST", "/keys/lookup", Expect::Account),
    ("POST", "/shares", Expect::Account),
    ("GET", "/shares", Expect::Account),
    ("GET", "/shares/{share_id}", Expect::Share(Role::Read)),
    (
        "POST",
        "/shares/{share_id}/lists",
        Expect::Share(Role::Manage),
    ),
    (
        "DELETE",
        "/shares/{share_id}/principals/{principal_id}",
        Expect::Share(Role::Manage),
    ),
    (
        "POST",
        "/shares/{share_id}/leave",
        Expect::Share(Role::Read),
    ),
    ("DELETE", "/shares/{share_id}", Expect::Share(Role::Owner)),
    (
        "PUT",
        "/shares/{share_id}/name",
        Expect::Share(Role::Manage),
    ),
    (
        "POST",
        "/shares/{share_id}/wrappings",
        Expect::Share(Role::Manage),
    ),
    (
        "POST",
        "/shares/{share_id}/rekey/claim",
        Expect::Share(Role::Manage),
    ),
    (
        "POST",
        "/shares/{share_id}/generations",
        Expect::Share(Role::Manage),
    ),
    (
        "POST",
        "/shares/{share_id}/generations/{generation}/done",
        Expect::Share(Role::Manage),
    ),
    ("GET", "/groups", Expect::Account),
    ("GET", "/directory", Expect::Account),
    (
        "POST",
        "/companies/{company_id}/directory/wrappings",
        Expect::OwnAdmin,
    ),
    ("POST", "/companies/{company_id}/key", Expect::OwnAdmin),
    (
        "POST",
        "/companies/{company_id}/key/wrappings",
        Expect::OwnAdmin,
    ),
    (
        "POST",
        "/companies/{company_id}/certificates",
        Expect::OwnAdmin,
    ),
    (
        "GET",
        "/companies/{company_id}/groups",
        Expect::Company(
            Permission::CompaniesView,
            &[
                PartnerAdmin,
                Technician,
                CustomWith,
                CompanyAdmin,
                CompanyUser,
            ],
        ),
    ),
    ("POST", "/companies/{company_id}/groups", Expect::OwnAdmin),
    (
        "POST",
        "/companies/{company_id}/groups/{group_id}/lists",
        Expect::GroupManager,
    ),
    (
        "POST",
        "/companies/{company_id}/groups/{group_id}/wrappings",
        Expect::GroupManager,
    ),
    (
        "PUT",
        "/companies/{company_id}/groups/{group_id}/name",
        Expect::GroupManager,
    ),
    (
        "DELETE",
        "/companies/{company_id}/groups/{group_id}/members/{account_id}",
        Expect::GroupManager,
    ),
    (
        "DELETE",
        "/companies/{company_id}/groups/{group_id}",
        Expect::GroupManager,
    ),
    (
        "GET",
        "/companies/{company_id}",
        Expect::Company(
            Permission::CompaniesView,
            &[
                PartnerAdmin,
                Technician,
                CustomWith,
                CompanyAdmin,
                CompanyUser,
            ],
        ),
    ),
    (
        "GET",
        "/partners/{partner_id}",
        Expect::Partner(None, P1_STAFF),
    ),
    ("POST", "/invitations/lookup", Expect::Public),
    ("POST", "/invitations/signup", Expect::Public),
    ("POST", "/invitations/accept", Expect::Account),
    (
        "POST",
        "/companies/{company_id}/invitations",
        Expect::Company(Permission::CompaniesManageUsers, MANAGE_USERS),
    ),
    (
        "POST",
        "/companies/{company_id}/members/{member_id}/invitation/resend",
        Expect::Company(Permission::CompaniesManageUsers, MANAGE_USERS),
    ),
    (
        "POST",
        "/companies/{company_id}/members/{member_id}/invitation/link",
        Expect::Company(Permission::CompaniesManageUsers, MANAGE_USERS),
    ),
    (
        "POST",
        "/companies/{company_id}/members/{member_id}/invitation/revoke",
        Expect::Company(Permission::CompaniesManageUsers, MANAGE_USERS),
    ),
    (
        "POST",
        "/companies/{company_id}/invitations/csv/preview",
        Expect::Company(Permission::CompaniesManageUsers, MANAGE_USERS),
    ),
    (
        "POST",
        "/companies/{company_id}/invitations/csv",
        Expect::Company(Permission::CompaniesManageUsers, MANAGE_USERS),
    ),
    (
        "GET",
        "/companies/{company_id}/members",
        Expect::Company(Permission::CompaniesView, VIEW),
    ),
    (
        "PATCH",
        "/companies/{company_id}/members/{member_id}",
        Expect::Company(Permission::CompaniesManageUsers, MANAGE_USERS),
    ),
    (
        "POST",
        "/companies/{company_id}/members/{member_id}/remove",
        Expect::Company(Permission::CompaniesManageUsers, MANAGE_USERS),
    ),
    (
        "GET",
        "/companies/{company_id}/settings",
        Expect::Company(Permission::CompaniesView, VIEW),
    ),
    (
        "PUT",
        "/companies/{company_id}/settings",
        Expect::Company(
            Permission::CompaniesCreate,
            &[PartnerAdmin, CustomWith, CompanyAdmin],
        ),
    ),
    (
        "GET",
        "/companies/{company_id}/activity",
        Expect::Company(Permission::CompaniesView, VIEW),
    ),
    (
        "GET",
        "/partners/{partner_id}/companies",
        Expect::Partner(
            Some(Permission::CompaniesView),
            &[PartnerAdmin, Technician, CustomWith],
        ),
    ),
    (
        "POST",
        "/partners/{partner_id}/companies",
        Expect::Partner(
            Some(Permission::CompaniesCreate),
            &[PartnerAdmin, CustomWith],
        ),
    ),
    (
        "PATCH",
        "/partners/{partner_id}/companies/{company_id}",
        Expect::Partner(
            Some(Permission::CompaniesCreate),
            &[PartnerAdmin, CustomWith],
        ),
    ),
    (
        "GET",
        "/partners/{partner_id}/staff",
        Expect::Partner(Some(Permission::PartnerManageStaff), MANAGE),
    ),
    (
        "POST",
        "/partners/{partner_id}/staff/invitations",
        Expect::Partner(Some(Permission::PartnerManageStaff), MANAGE),
    ),
    (
        "PATCH",
        "/partners/{partner_id}/staff/{staff_id}",
        Expect::Partner(Some(Permission::PartnerManageStaff), MANAGE),
    ),
    (
        "POST",
        "/partners/{partner_id}/staff/{staff_id}/remove",
        Expect::Partner(Some(Permission::PartnerManageStaff), MANAGE),
    ),
    (
        "POST",
        "/partners/{partner_id}/staff/{staff_id}/invitation/resend",
        Expect::Partner(Some(Permission::PartnerManageStaff), MANAGE),
    ),
    (
        "POST",
        "/partners/{partner_id}/staff/{staff_id}/invitation/revoke",
        Expect::Partner(Some(Permission::PartnerManageStaff), MANAGE),
    ),
    (
        "GET",
        "/partners/{partner_id}/roles",
        Expect::Partner(None, P1_STAFF),
    ),
    (
        "POST",
        "/partners/{partner_id}/roles",
        Expect::Partner(Some(Permission::PartnerManageRoles), MANAGE),
    ),
    (
        "PUT",
        "/partners/{partner_id}/roles/{role_id}",
        Expect::Partner(Some(Permission::PartnerManageRoles), MANAGE),
    ),
    (
        "DELETE",
        "/partners/{partner_id}/roles/{role_id}",
        Expect::Partner(Some(Permission::PartnerManageRoles), MANAGE),
    ),
    ("GET", "/account/policies", Expect::Setup),
    (
        "GET",
        "/companies/{company_id}/policies",
        Expect::Company(Permission::CompaniesView, VIEW),
    ),
    (
        "PUT",
        "/companies/{company_id}/policies",
        Expect::Company(Permission::CompaniesManagePolicies, MANAGE_POLICIES),
    ),
    (
        "GET",
        "/partners/{partner_id}/policy-templates",
        Expect::Partner(
            Some(Permission::CompaniesView),
            &[PartnerAdmin, Technician, CustomWith],
        ),
    ),
    (
        "POST",
        "/partners/{partner_id}/policy-templates",
        Expect::Partner(Some(Permission::CompaniesManagePolicies), MANAGE_TEMPLATES),
    ),
    (
        "PUT",
        "/partners/{partner_id}/policy-templates/{template_id}",
        Expect::Partner(Some(Permission::CompaniesManagePolicies), MANAGE_TEMPLATES),
    ),
    (
        "DELETE",
        "/partners/{partner_id}/policy-templates/{template_id}",
        Expect::Partner(Some(Permission::CompaniesManagePolicies), MANAGE_TEMPLATES),
    ),
    (
        "POST",
        "/partners/{partner_id}/policy-templates/{template_id}/preview",
        Expect::Partner(Some(Permission::CompaniesManagePolicies), MANAGE_TEMPLATES),
    ),
    (
        "POST",
        "/partners/{partner_id}/policy-templates/{template_id}/apply",
        Expect::Partner(Some(Permission::CompaniesManagePolicies), MANAGE_TEMPLATES),
    ),
    (
        "GET",
        "/partners/{partner_id}/policy-drift",
        Expect::Partner(
            Some(Permission::CompaniesView),
            &[PartnerAdmin, Technician, CustomWith],
        ),
    ),
    (
        "POST",
        "/partners/{partner_id}/policy-drift/reconcile",
        Expect::Partner(Some(Permission::CompaniesManagePolicies), MANAGE_TEMPLATES),
    ),
];

/// Who may manage P1's staff and roles.
const MANAGE: &[Actor] = &[PartnerAdmin, CustomWith];

/// Permissions no route uses yet (a later issue's: reports).
const RESERVED: [Permission; 1] = [Permission::ReportsPasswordAuditing];

/// Who may set company A's policies.
const MANAGE_POLICIES: &[Actor] = &[PartnerAdmin, CustomWith, CompanyAdmin];

/// Who may work with P1's policy templates.
const MANAGE_TEMPLATES: &[Actor] = &[PartnerAdmin, CustomWith];

/// Who may see company A's admin pages.
const VIEW: &[Actor] = &[PartnerAdmin, Technician, CustomWith, CompanyAdmin];

/// Who may manage company A's users.
const MANAGE_USERS: &[Actor] = &[PartnerAdmin, Technician, CustomWith, CompanyAdmin];

/// The body sent to a route: one an allowed caller's request succeeds with.
fn body_for(method: &str, path: &str, world: &World) -> serde_json::Value {
    let empty_role = world.empty_role.to_string();
    match (method, path.rsplit('/').next().unwrap_or_default()) {
        ("POST", "invitations") if path.contains("/staff/") => serde_json::json!({
            "email": format!("{}@staff.example", Uuid::now_v7().simple()),
            "role_id": empty_role,
        }),
        ("PATCH", "{staff_id}") => serde_json::json!({ "role_id": empty_role }),
        ("POST", "roles") | ("PUT", "{role_id}") => serde_json::json!({
            "name": format!("Role {}", Uuid::now_v7().simple()),
            "permissions": [],
        }),
        ("POST", "preview" | "apply" | "reconcile") if path.contains("/policy-") => {
            serde_json::json!({
                "companies": [world.company],
            })
        }
        ("POST", "csv") | ("POST", "preview") => serde_json::json!({
            "csv": format!("email,name\n{}@csv.example,Row\n", Uuid::now_v7().simple()),
        }),
        ("POST", "invitations") => serde_json::json!({
            "email": format!("{}@invitee.example", Uuid::now_v7().simple()),
            "name": "Invitee",
            "role": "user",
        }),
        ("PATCH", "{member_id}") => serde_json::json!({ "role": "admin" }),
        ("POST", "companies") => serde_json::json!({
            "name": format!("C {}", Uuid::now_v7().simple()),
            "tier": "advanced",
            "contact_email": "contact@c.example",
        }),
        ("PATCH", "{company_id}") => serde_json::json!({
            "name": format!("A {}", Uuid::now_v7().simple()),
        }),
        ("POST", "remove") => serde_json::json!({ "mode": "convert_to_personal" }),
        ("POST", "policy-templates") | ("PUT", "{template_id}") => serde_json::json!({
            "name": format!("T {}", Uuid::now_v7().simple()),
            "policies": { "two_factor": { "switch": true } },
        }),
        ("PUT", "policies") => serde_json::json!({
            "changes": [{ "key": "disable_sharing", "value": { "switch": false } }],
        }),
        ("PUT", "settings") => serde_json::json!({
            "name": format!("A {}", Uuid::now_v7().simple()),
            "contact_email": "contact@a.example",
        }),
        _ => serde_json::json!({}),
    }
}

struct World {
    partner: PartnerId,
    /// A custom role of P1 with no permissions: one anybody allowed to manage staff may give.
    empty_role: Uuid,
    company: CompanyId,
    custom_role: Uuid,
    sessions: BTreeMap<Actor, String>,
}

/// Partner P1 (Admin, Technician, one custom-role staff member) looking after company A (an
/// Admin and a User); partner P2 (an Admin) looking after company B (an Admin).
async fn world(server: &TestServer) -> World {
    let mut sessions = BTreeMap::new();
    let mut accounts = BTreeMap::new();
    for (actor, email) in [
        (PartnerAdmin, "admin@p1.example"),
        (Technician, "tech@p1.example"),
        (CustomWith, "custom@p1.example"),
        (OtherPartnerStaff, "admin@p2.example"),
        (CompanyAdmin, "admin@a.example"),
        (CompanyUser, "user@a.example"),
        (OtherCompanyAdmin, "admin@b.example"),
    ] {
        let (user, session) = server.signed_up(email, "correct horse").await;
        accounts.insert(actor, user.account_id);
        sessions.insert(actor, session);
    }
    sessions.insert(CustomWithout, sessions[&CustomWith].clone());
    let p1 = server.new_partner(&sessions[&PartnerAdmin], "P1").await.id;
    let p2 = server
        .new_partner(&sessions[&OtherPartnerStaff], "P2")
        .await
        .id;
    let db = server.database().await;
    let technician = builtin_role(&db, p1, "technician").await;
    add_staff(&db, p1, accounts[&Technician], technician).await;
    let custom = custom_role(&db, p1, "Custom").await;
    add_staff(&db, p1, accounts[&CustomWith], custom).await;
    let a = company_of_partner(&db, p1, "A").await;
    add_member(&db, a, accounts[&CompanyAdmin], "admin").await;
    add_member(&db, a, accounts[&CompanyUser], "user").await;
    let b = company_of_partner(&db, p2, "B").await;
    add_member(&db, b, accounts[&OtherCompanyAdmin], "admin").await;
    let empty_role = custom_role(&db, p1, "Nothing").await;
    World {
        partner: p1,
        empty_role,
        company: a,
        custom_role: custom,
        sessions,
    }
}

fn scope_kind(scope: Scope) -> &'static str {
    match scope {
        Scope::Public => "public",
        Scope::Account => "account",
        Scope::Setup => "setup",
        Scope::CompanyMember | Scope::CompanyAdmin(_) => "company",
        Scope::PartnerStaff(_) => "partner",
        Scope::Share(Role::Read) => "share:read",
        Scope::Share(Role::Write) => "share:write",
        Scope::Share(Role::Manage) => "share:manage",
        Scope::Share(Role::Owner) => "share:owner",
        Scope::CompanyOwnAdmin => "company:own-admin",
        Scope::GroupManager => "group:manager",
    }
}

fn expect_kind(expect: Expect) -> &'static str {
    match expect {
        Expect::Public => "public",
        Expect::Account => "account",
        Expect::Setup => "setup",
        Expect::Company(..) => "company",
        Expect::Partner(..) => "partner",
        Expect::Share(Role::Read) => "share:read",
        Expect::Share(Role::Write) => "share:write",
        Expect::Share(Role::Manage) => "share:manage",
        Expect::Share(Role::Owner) => "share:owner",
        Expect::OwnAdmin => "company:own-admin",
        Expect::GroupManager => "group:manager",
    }
}

#[test]
fn every_permission_guards_some_route_or_is_reserved() {
    let used: BTreeSet<Permission> = declared()
        .iter()
        .filter_map(|r| match r.scope {
            Scope::CompanyAdmin(p) | Scope::PartnerStaff(Some(p)) => Some(p),
            _ => None,
        })
        .collect();
    for p in Permission::ALL {
        assert!(
            used.contains(&p) != RESERVED.contains(&p),
            "{p:?}: used by a route, or reserved for a later issue, not both"
        );
    }
}

on_both_databases! {
    async fn every_organization_route_lets_in_exactly_who_it_should(server, |s| s.ip_limit_multiplier = 100) {
        let registered: BTreeSet<(String, String, &str)> = declared()
            .iter()
            .map(|r| (r.method.to_string(), r.path.to_owned(), scope_kind(r.scope)))
            .collect();
        let rows: BTreeSet<(String, String, &str)> = ROWS
            .iter()
            .map(|(method, path, expect)| ((*method).to_owned(), (*path).to_owned(), expect_kind(*expect)))
            .collect();
        assert_eq!(
            registered.difference(&rows).collect::<Vec<_>>(),
            Vec::<&(String, String, &str)>::new(),
            "registered routes without a matrix row (or of another scope)"
        );
        assert_eq!(
            rows.difference(&registered).collect::<Vec<_>>(),
            Vec::<&(String, String, &str)>::new(),
            "matrix rows of routes the server does not register"
        );

        let world = world(&server).await;
        let db = server.database().await;
        for (method, template, expect) in ROWS {
            let (permission, allowed, knows): (Option<Permission>, &[Actor], &[Actor]) = match expect {
                Expect::Public
                | Expect::Account
                | Expect::Setup
                | Expect::Share(_)
                | Expect::OwnAdmin
                | Expect::GroupManager => continue,
                Expect::Company(p, allowed) => (
                    Some(*p),
                    allowed,
                    &[PartnerAdmin, Technician, CustomWith, CustomWithout, CompanyAdmin, CompanyUser],
                ),
                Expect::Partner(p, allowed) => (*p, allowed, P1_STAFF),
            };
            for actor in ACTORS {
                // A target of its own for each cell, made before the snapshot: a member just
                // invited to company A.
                let mut path = template
                    .replace("{company_id}", &world.company.to_string())
                    .replace("{partner_id}", &world.partner.to_string());
                if template.contains("{template_id}") || template.ends_with("/reconcile") {
                    // A template of its own, which company A then follows.
                    let made: common::accounts::Reply<serde_json::Value> = server
                        .post(
                            &format!("/api/partners/{}/policy-templates", world.partner),
                            &serde_json::json!({ "name": format!("T {}", Uuid::now_v7().simple()), "policies": {} }),
                            Some(&world.sessions[&PartnerAdmin]),
                        )
                        .await;
                    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
                    let id = made.body["id"].as_str().unwrap().to_owned();
                    let applied: common::accounts::Reply<serde_json::Value> = server
                        .post(
                            &format!("/api/partners/{}/policy-templates/{id}/apply", world.partner),
                            &serde_json::json!({ "companies": [world.company] }),
                            Some(&world.sessions[&PartnerAdmin]),
                        )
                        .await;
                    assert_eq!(applied.status, StatusCode::OK, "{:?}", applied.body);
                    path = path.replace("{template_id}", &id);
                }
                if template.contains("{role_id}") {
                    let role = custom_role(&db, world.partner, &format!("R {}", Uuid::now_v7().simple())).await;
                    path = path.replace("{role_id}", &role.to_string());
                }
                if template.contains("{staff_id}") {
                    let email = format!("{}@staff.example", Uuid::now_v7().simple());
                    let id = if template.ends_with("/remove") {
                        let (user, _) = server.signed_up(&email, "correct horse").await;
                        add_staff(&db, world.partner, user.account_id, world.empty_role).await;
                        backend::entity::partner_staff::Entity::find()
                            .filter(backend::entity::partner_staff::Column::Email.eq(email))
                            .one(&db)
                            .await
                            .unwrap()
                            .unwrap()
                            .id
                            .to_string()
                    } else {
                        let invited: common::accounts::Reply<serde_json::Value> = server
                            .post(
                                &format!("/api/partners/{}/staff/invitations", world.partner),
                                &serde_json::json!({ "email": email, "role_id": world.empty_role }),
                                Some(&world.sessions[&PartnerAdmin]),
                            )
                            .await;
                        assert_eq!(invited.status, StatusCode::CREATED, "{:?}", invited.body);
                        invited.body["id"].as_str().unwrap().to_owned()
                    };
                    path = path.replace("{staff_id}", &id);
                } else if template.ends_with("/remove") {
                    // Only a member who joined can be removed: a fresh account of its own.
                    let email = format!("{}@target.example", Uuid::now_v7().simple());
                    let (user, _) = server.signed_up(&email, "correct horse").await;
                    add_member(&db, world.company, user.account_id, "user").await;
                    let joined = backend::entity::company_member::Entity::find()
                        .filter(backend::entity::company_member::Column::Email.eq(email))
                        .one(&db)
                        .await
                        .unwrap()
                        .unwrap();
                    path = path.replace("{member_id}", &joined.id.to_string());
                } else if path.contains("{member_id}") {
                    let email = format!("{}@target.example", Uuid::now_v7().simple());
                    let invited = server
                        .invite(&world.sessions[&CompanyAdmin], world.company, &email, CompanyRole::User)
                        .await;
                    assert_eq!(invited.status, StatusCode::CREATED);
                    path = path.replace("{member_id}", invited.body["id"].as_str().unwrap());
                }
                let granted: Option<Vec<Permission>> = match (actor, permission) {
                    (CustomWith, p) => Some(p.into_iter().collect()),
                    // Every permission that neither is nor implies the route's.
                    (CustomWithout, p) => Some(
                        Permission::ALL
                            .into_iter()
                            .filter(|q| p.is_none_or(|p| *q != p && !q.implied().contains(&p)))
                            .collect(),
                    ),
                    _ => None,
                };
                if let Some(granted) = granted {
                    // Edited just before the request: the edit applies at once.
                    set_permissions(&db, world.custom_role, &granted).await;
                }
                server.outbox_drained().await;
                let before = snapshot(&db).await;
                let mut request = server
                    .client
                    .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), server.url(&format!("/api{path}")));
                if *method != "GET" {
                    request = request.json(&body_for(method, template, &world));
                }
                if let Some(session) = world.sessions.get(&actor) {
                    request = request.header("cookie", format!("{}={session}", backend::services::accounts::SESSION_COOKIE));
                }
                let reply = request.send().await.unwrap();
                let status = reply.status();
                let cell = format!("{method} {template} as {actor:?}");
                if allowed.contains(&actor) {
                    assert!(status.is_success(), "{cell}: {status}");
                    continue;
                }
                let (expected_status, expected_code) = match actor {
                    SignedOut => (StatusCode::UNAUTHORIZED, "unauthenticated"),
                    a if knows.contains(&a) => (StatusCode::FORBIDDEN, codes::NOT_PERMITTED),
                    _ => (StatusCode::NOT_FOUND, "not_found"),
                };
                assert_eq!(status, expected_status, "{cell}");
                let body: ErrorBody = reply.json().await.unwrap();
                assert_eq!(body.code, expected_code, "{cell}");
                assert_eq!(snapshot(&db).await, before, "{cell}: a refusal changed nothing");
            }
        }
    }
}
