//! Security policies through the real server: setting them (checked, tier-bound, logged), what
//! they ask of members (two-factor authentication, a due master password change) before any
//! vault data is served, their delivery to members' browsers, and a partner's templates with
//! the drift report.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestServer;
use common::accounts::{Reply, change_password_request, error};
use common::orgs::{add_member, company_of_partner, snapshot};
use common::vault::EventStream;
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use shared_types::CompanyId;
use shared_types::api::ErrorBody;
use shared_types::org::AccessLogEntry;
use shared_types::policy::{
    CompanyPlan, CompanyPolicies, MyPolicies, Obligation, PolicyKey, PolicyTemplate, PolicyValue,
    codes,
};

const PASSWORD: &str = "correct horse battery staple";

fn change(key: &str, value: serde_json::Value) -> serde_json::Value {
    serde_json::json!({ "changes": [{ "key": key, "value": value }] })
}

async fn set_tier(server: &TestServer, company: CompanyId, tier: &str) {
    let db = server.database().await;
    let mut row: backend::entity::company::ActiveModel =
        backend::entity::company::Entity::find_by_id(company.0)
            .one(&db)
            .await
            .unwrap()
            .unwrap()
            .into();
    row.tier = Set(tier.to_owned());
    row.update(&db).await.unwrap();
}

/// A company on its own: its Admin's and a User's sessions.
async fn company_with_user(server: &TestServer) -> (CompanyId, String, String) {
    let (_, admin) = server.signed_up("admin@acme.example", PASSWORD).await;
    let company = server.new_direct_company(&admin, "Acme").await.id;
    let (user, session) = server.signed_up("user@acme.example", PASSWORD).await;
    add_member(&server.database().await, company, user.account_id, "user").await;
    (company, admin, session)
}

async fn pull_status(server: &TestServer, session: &str) -> (StatusCode, String) {
    let reply: Reply<serde_json::Value> = server
        .post(
            "/api/vault/pull",
            &serde_json::json!({ "cursors": [] }),
            Some(session),
        )
        .await;
    let code = reply.body["code"].as_str().unwrap_or_default().to_owned();
    (reply.status, code)
}

on_both_databases! {
    async fn admins_set_policies_that_are_checked_bound_to_the_tier_and_logged(server) {
        let (company, admin, user) = company_with_user(&server).await;
        let path = format!("/api/companies/{company}/policies");
        let fresh: Reply<CompanyPolicies> = server.get_as(&path, Some(&admin)).await;
        assert_eq!(fresh.status, StatusCode::OK);
        assert_eq!(fresh.body.policies.len(), 16);
        assert!(fresh.body.policies.iter().all(|p| p.value == p.key.default_value() && p.changed_at.is_none()));
        // Nobody has set one yet: the Admin (not the User) is asked to review them.
        let review: Reply<MyPolicies> = server.get_as("/api/account/policies", Some(&admin)).await;
        assert!(review.body.review_pending);
        let by_user: Reply<MyPolicies> = server.get_as("/api/account/policies", Some(&user)).await;
        assert!(!by_user.body.review_pending);

        let body = serde_json::json!({ "changes": [
            { "key": "two_factor", "value": { "switch": true } },
            { "key": "disable_exports", "value": { "exports": "no_profiles" } },
        ]});
        let set: Reply<CompanyPolicies> = server.put(&path, &body, Some(&admin)).await;
        assert_eq!(set.status, StatusCode::OK);
        let two_factor = set.body.policies.iter().find(|p| p.key == PolicyKey::TwoFactor).unwrap();
        assert_eq!(two_factor.value, PolicyValue::Switch(true));
        assert_eq!(two_factor.changed_by.as_deref(), Some("admin@acme.example"));
        let reviewed: Reply<MyPolicies> = server.get_as("/api/account/policies", Some(&admin)).await;
        assert!(!reviewed.body.review_pending, "saved once, the review is done");
        assert!(two_factor.changed_at.is_some());

        let log: Reply<Vec<AccessLogEntry>> = server
            .get_as(&format!("/api/companies/{company}/activity"), Some(&admin))
            .await;
        let details: Vec<&str> = log.body.iter().filter(|e| e.action == "policy.changed").map(|e| e.detail.as_str()).collect();
        assert_eq!(details.len(), 2, "{details:?}");
        assert!(details.contains(&"Two-factor authentication: off → on"), "{details:?}");
        assert!(details.contains(&"Disable exports: off → no profiles"), "{details:?}");

        // Refused, and nothing changes: an Advanced policy on Standard, a value of the wrong
        // shape, a bad list entry (with the one good change before it), an unknown policy, and
        // a User.
        let db = server.database().await;
        let before = snapshot(&db).await;
        let advanced: Reply<ErrorBody> = server
            .put(&path, &change("restrict_portal_access", serde_json::json!({ "switch": true })), Some(&admin))
            .await;
        assert_eq!(advanced.status, StatusCode::FORBIDDEN);
        assert_eq!(error(&advanced).0, codes::NEEDS_ADVANCED);
        let shape: Reply<ErrorBody> = server
            .put(&path, &change("two_factor", serde_json::json!({ "every_days": 3 })), Some(&admin))
            .await;
        assert_eq!(shape.status, StatusCode::BAD_REQUEST);
        assert!(error(&shape).1.contains("Two-factor authentication"), "{:?}", shape.body);
        let list: Reply<ErrorBody> = server
            .put(&path, &serde_json::json!({ "changes": [
                { "key": "disable_sharing", "value": { "switch": true } },
                { "key": "master_password_change", "value": { "every_days": 0 } },
            ]}), Some(&admin))
            .await;
        assert_eq!(list.status, StatusCode::BAD_REQUEST);
        let unknown: Reply<ErrorBody> = server
            .put(&path, &change("disable_everything", serde_json::json!({ "switch": true })), Some(&admin))
            .await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
        let by_user: Reply<ErrorBody> = server
            .put(&path, &change("two_factor", serde_json::json!({ "switch": false })), Some(&user))
            .await;
        assert_eq!(by_user.status, StatusCode::FORBIDDEN);
        assert_eq!(snapshot(&db).await, before, "refusals changed nothing");

        // On Advanced the policy is taken; back on Standard it no longer holds for members.
        set_tier(&server, company, "advanced").await;
        let taken: Reply<CompanyPolicies> = server
            .put(&path, &change("restrict_portal_access", serde_json::json!({ "switch": true })), Some(&admin))
            .await;
        assert_eq!(taken.status, StatusCode::OK);
        let mine: Reply<MyPolicies> = server.get_as("/api/account/policies", Some(&user)).await;
        assert!(mine.body.policies.portal_restricted());
        assert!(!mine.body.admin);
        set_tier(&server, company, "standard").await;
        let mine: Reply<MyPolicies> = server.get_as("/api/account/policies", Some(&user)).await;
        assert!(!mine.body.policies.portal_restricted());
        assert_eq!(mine.body.policies.export_limit(), shared_types::policy::ExportLimit::NoProfiles);
    }
}

on_both_databases! {
    async fn restricting_portal_access_keeps_the_company_pages_to_its_admins(server) {
        let (company, admin, user) = company_with_user(&server).await;
        let path = format!("/api/companies/{company}");
        let open: Reply<serde_json::Value> = server.get_as(&path, Some(&user)).await;
        assert_eq!(open.status, StatusCode::OK, "members read the company's page by default");
        set_tier(&server, company, "advanced").await;
        let set: Reply<CompanyPolicies> = server
            .put(&format!("{path}/policies"), &change("restrict_portal_access", serde_json::json!({ "switch": true })), Some(&admin))
            .await;
        assert_eq!(set.status, StatusCode::OK);
        let refused: Reply<ErrorBody> = server.get_as(&path, Some(&user)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(error(&refused).0, codes::PORTAL_RESTRICTED);
        let by_admin: Reply<serde_json::Value> = server.get_as(&path, Some(&admin)).await;
        assert_eq!(by_admin.status, StatusCode::OK);
        // The member's vault is untouched.
        assert_eq!(pull_status(&server, &user).await.0, StatusCode::OK);
        set_tier(&server, company, "standard").await;
        let again: Reply<serde_json::Value> = server.get_as(&path, Some(&user)).await;
        assert_eq!(again.status, StatusCode::OK, "an Advanced policy holds only on Advanced");
    }
}

on_both_databases! {
    async fn a_changed_policy_reaches_members_open_browsers(server) {
        let (company, admin, user) = company_with_user(&server).await;
        let mut stream = EventStream::open(&server, &user).await;
        let set: Reply<CompanyPolicies> = server
            .put(&format!("/api/companies/{company}/policies"), &change("disable_sharing", serde_json::json!({ "switch": true })), Some(&admin))
            .await;
        assert_eq!(set.status, StatusCode::OK);
        assert_eq!(stream.next_change().await, None, "told to sync");
        let mine: Reply<MyPolicies> = server.get_as("/api/account/policies", Some(&user)).await;
        assert!(mine.body.policies.sharing_disabled());
    }
}

/// The code of the authenticator set up for `session`, turned on.
async fn turn_on_two_factor(server: &TestServer, session: &str) -> Reply<serde_json::Value> {
    let setup: Reply<shared_types::account::TwoFactorSetup> = server
        .post("/api/account/2fa/setup", &(), Some(session))
        .await;
    assert_eq!(setup.status, StatusCode::OK);
    let secret = data_encoding::BASE32_NOPAD
        .decode(setup.body.secret.as_bytes())
        .unwrap();
    let totp = totp_rs::Builder::new().with_secret(secret).build().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    server
        .post(
            "/api/account/2fa/enable",
            &serde_json::json!({ "code": totp.generate(now as u64).to_string() }),
            Some(session),
        )
        .await
}

on_both_databases! {
    async fn a_member_without_two_factor_gets_no_vault_data_until_it_is_set_up(server) {
        let (company, admin, user) = company_with_user(&server).await;
        assert_eq!(pull_status(&server, &user).await.0, StatusCode::OK);
        let set: Reply<CompanyPolicies> = server
            .put(&format!("/api/companies/{company}/policies"), &change("two_factor", serde_json::json!({ "switch": true })), Some(&admin))
            .await;
        assert_eq!(set.status, StatusCode::OK);

        let mine: Reply<MyPolicies> = server.get_as("/api/account/policies", Some(&user)).await;
        assert_eq!(mine.body.obligations, vec![Obligation::SetUpTwoFactor]);
        // The Admin (without 2FA either) cannot lift the requirement before meeting it.
        let lift: Reply<ErrorBody> = server
            .put(&format!("/api/companies/{company}/policies"), &change("two_factor", serde_json::json!({ "switch": false })), Some(&admin))
            .await;
        assert_eq!(lift.status, StatusCode::FORBIDDEN);
        assert_eq!(error(&lift).0, codes::TWO_FACTOR_REQUIRED);
        assert_eq!(pull_status(&server, &user).await, (StatusCode::FORBIDDEN, codes::TWO_FACTOR_REQUIRED.to_owned()));
        for path in ["/api/shares", "/api/groups", "/api/directory"] {
            let refused: Reply<ErrorBody> = server.get_as(path, Some(&user)).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
            assert_eq!(error(&refused).0, codes::TWO_FACTOR_REQUIRED, "{path}");
        }
        let events: Reply<ErrorBody> = server.get_as("/api/vault/events", Some(&user)).await;
        assert_eq!(events.status, StatusCode::FORBIDDEN);
        // What it takes to meet the policy stays open, and so do the admin's pages.
        let account: Reply<serde_json::Value> = server.get_as("/api/account", Some(&user)).await;
        assert_eq!(account.status, StatusCode::OK);
        let policies: Reply<CompanyPolicies> = server.get_as(&format!("/api/companies/{company}/policies"), Some(&admin)).await;
        assert_eq!(policies.status, StatusCode::OK);

        let enabled = turn_on_two_factor(&server, &user).await;
        assert_eq!(enabled.status, StatusCode::OK, "{:?}", enabled.body);
        let mine: Reply<MyPolicies> = server.get_as("/api/account/policies", Some(&user)).await;
        assert!(mine.body.obligations.is_empty());
        assert_eq!(pull_status(&server, &user).await.0, StatusCode::OK);

        // While the company requires it, it cannot be turned off.
        assert!(mine.body.company.is_some());
        let off: Reply<ErrorBody> = server
            .post("/api/account/2fa/disable", &serde_json::json!({ "auth_key": "AAAA" }), Some(&user))
            .await;
        assert_eq!(off.status, StatusCode::FORBIDDEN);
        assert_eq!(error(&off).0, codes::TWO_FACTOR_REQUIRED);
        // An account in no company is not touched by any of it.
        let (_, loner) = server.signed_up("loner@elsewhere.example", PASSWORD).await;
        assert_eq!(pull_status(&server, &loner).await.0, StatusCode::OK);
    }
}

on_both_databases! {
    async fn a_due_master_password_change_is_forced(server) {
        let (_, admin) = server.signed_up("admin@acme.example", PASSWORD).await;
        let company = server.new_direct_company(&admin, "Acme").await.id;
        let (user, session) = server.signed_up("user@acme.example", PASSWORD).await;
        let db = server.database().await;
        add_member(&db, company, user.account_id, "user").await;
        let set: Reply<CompanyPolicies> = server
            .put(&format!("/api/companies/{company}/policies"), &change("master_password_change", serde_json::json!({ "every_days": 30 })), Some(&admin))
            .await;
        assert_eq!(set.status, StatusCode::OK);
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mine: Reply<MyPolicies> = server.get_as("/api/account/policies", Some(&session)).await;
        let due = mine.body.password_change_due.unwrap();
        assert!((due - (now + 30 * 86_400)).abs() < 120, "due in 30 days from sign-up");
        assert!(mine.body.obligations.is_empty());

        // 31 days later (the clock is the stored date's).
        let mut row: backend::entity::account::ActiveModel =
            backend::entity::account::Entity::find_by_id(user.account_id.0).one(&db).await.unwrap().unwrap().into();
        row.password_changed_at = Set(Some(time::OffsetDateTime::now_utc() - time::Duration::days(31)));
        row.update(&db).await.unwrap();
        // The interval counts from when it was set: nobody is locked out the moment it starts.
        let mine: Reply<MyPolicies> = server.get_as("/api/account/policies", Some(&session)).await;
        assert!(mine.body.obligations.is_empty());
        backend::entity::company_policy::Entity::update_many()
            .col_expr(backend::entity::company_policy::Column::ChangedAt, sea_orm::sea_query::Expr::value(time::OffsetDateTime::now_utc() - time::Duration::days(31)))
            .exec(&db)
            .await
            .unwrap();
        let mine: Reply<MyPolicies> = server.get_as("/api/account/policies", Some(&session)).await;
        assert_eq!(mine.body.obligations, vec![Obligation::ChangeMasterPassword]);
        assert_eq!(pull_status(&server, &session).await, (StatusCode::FORBIDDEN, codes::PASSWORD_CHANGE_REQUIRED.to_owned()));

        let (request, _) = change_password_request(&user, "a brand new master password");
        let changed: Reply<serde_json::Value> = server.post("/api/account/password", &request, Some(&session)).await;
        assert_eq!(changed.status, StatusCode::OK);
        let fresh = changed.session.unwrap();
        assert_eq!(pull_status(&server, &fresh).await.0, StatusCode::OK);
        let mine: Reply<MyPolicies> = server.get_as("/api/account/policies", Some(&fresh)).await;
        assert!(mine.body.obligations.is_empty());
        let due = mine.body.password_change_due.unwrap();
        assert!((due - (now + 30 * 86_400)).abs() < 120, "30 days from the change");
    }
}

on_both_databases! {
    async fn a_template_applied_to_three_companies_reports_drift_and_reconciles(server) {
        let (_, msp) = server.signed_up("owner@msp.example", PASSWORD).await;
        let partner = server.new_partner(&msp, "MSP").await.id;
        let db = server.database().await;
        let a = company_of_partner(&db, partner, "Alpha").await;
        let b = company_of_partner(&db, partner, "Bravo").await;
        let c = company_of_partner(&db, partner, "Charlie").await;
        set_tier(&server, c, "advanced").await;
        let templates = format!("/api/partners/{partner}/policy-templates");
        let made: Reply<PolicyTemplate> = server
            .post(&templates, &serde_json::json!({ "name": "Baseline", "policies": {
                "two_factor": { "switch": true },
                "disable_exports": { "exports": "no_profiles" },
                "password_auditing": { "switch": true },
            }}), Some(&msp))
            .await;
        assert_eq!(made.status, StatusCode::CREATED);
        let template = made.body.id;
        let dup: Reply<ErrorBody> = server
            .post(&templates, &serde_json::json!({ "name": "baseline", "policies": {} }), Some(&msp))
            .await;
        assert_eq!(dup.status, StatusCode::CONFLICT);

        let companies = serde_json::json!({ "companies": [a, b, c] });
        let preview: Reply<Vec<CompanyPlan>> = server
            .post(&format!("{templates}/{template}/preview"), &companies, Some(&msp))
            .await;
        assert_eq!(preview.status, StatusCode::OK);
        let plan_of = |plans: &[CompanyPlan], id: CompanyId| plans.iter().find(|p| p.company == id).unwrap().clone();
        let alpha = plan_of(&preview.body, a);
        assert_eq!(alpha.changes.len(), 2, "Standard: two changes");
        assert_eq!(alpha.skipped, vec![PolicyKey::PasswordAuditing]);
        assert_eq!(plan_of(&preview.body, c).changes.len(), 3, "Advanced: all three");
        let drift: Reply<Vec<CompanyPlan>> = server.get_as(&format!("/api/partners/{partner}/policy-drift"), Some(&msp)).await;
        assert!(drift.body.is_empty(), "nothing follows the template before it is applied");

        let applied: Reply<Vec<CompanyPlan>> = server
            .post(&format!("{templates}/{template}/apply"), &companies, Some(&msp))
            .await;
        assert_eq!(applied.status, StatusCode::OK);
        for company in [a, b, c] {
            let policies: Reply<CompanyPolicies> = server.get_as(&format!("/api/companies/{company}/policies"), Some(&msp)).await;
            assert!(policies.body.set().two_factor_required());
            assert_eq!(policies.body.template.as_ref().unwrap().name, "Baseline");
        }
        let drift: Reply<Vec<CompanyPlan>> = server.get_as(&format!("/api/partners/{partner}/policy-drift"), Some(&msp)).await;
        assert!(drift.body.is_empty(), "{:?}", drift.body);

        // Someone changes Bravo by hand: exactly that shows.
        let by_hand: Reply<CompanyPolicies> = server
            .put(&format!("/api/companies/{b}/policies"), &change("disable_sharing", serde_json::json!({ "switch": true })), Some(&msp))
            .await;
        assert_eq!(by_hand.status, StatusCode::OK);
        let drift: Reply<Vec<CompanyPlan>> = server.get_as(&format!("/api/partners/{partner}/policy-drift"), Some(&msp)).await;
        assert_eq!(drift.body.len(), 1);
        assert_eq!(drift.body[0].company, b);
        assert_eq!(drift.body[0].changes.len(), 1);
        let diff = &drift.body[0].changes[0];
        assert_eq!((diff.key, &diff.company, &diff.template), (PolicyKey::DisableSharing, &PolicyValue::Switch(true), &PolicyValue::Switch(false)));

        let reconciled: Reply<Vec<CompanyPlan>> = server
            .post(&format!("/api/partners/{partner}/policy-drift/reconcile"), &serde_json::json!({ "companies": [b] }), Some(&msp))
            .await;
        assert_eq!(reconciled.status, StatusCode::OK);
        let drift: Reply<Vec<CompanyPlan>> = server.get_as(&format!("/api/partners/{partner}/policy-drift"), Some(&msp)).await;
        assert!(drift.body.is_empty());
        let bravo: Reply<CompanyPolicies> = server.get_as(&format!("/api/companies/{b}/policies"), Some(&msp)).await;
        assert!(!bravo.body.set().sharing_disabled());
        let log: Reply<Vec<AccessLogEntry>> = server.get_as(&format!("/api/companies/{b}/activity"), Some(&msp)).await;
        assert!(log.body.iter().any(|e| e.detail == "Disable sharing: on → off (template \"Baseline\")"), "{:?}", log.body);

        // Another partner's company or template is not found, and nothing is applied.
        let (_, other) = server.signed_up("owner@other.example", PASSWORD).await;
        let other_partner = server.new_partner(&other, "Other MSP").await.id;
        let foreign = company_of_partner(&db, other_partner, "Foreign").await;
        let before = snapshot(&db).await;
        let refused: Reply<ErrorBody> = server
            .post(&format!("{templates}/{template}/apply"), &serde_json::json!({ "companies": [a, foreign] }), Some(&msp))
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        let refused: Reply<ErrorBody> = server
            .post(&format!("/api/partners/{other_partner}/policy-templates/{template}/apply"), &serde_json::json!({ "companies": [foreign] }), Some(&other))
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        assert_eq!(snapshot(&db).await, before);
    }
}

mod sharing_policies {
    use super::*;
    use common::sharing::{Person, ShareDraft, acme};
    use common::vault::{new_item, push, refusals};
    use shared_types::ShareId;
    use shared_types::push_rules::READ_ONLY;
    use shared_types::sharing::{ListChangeRequest, ListRole, ShareMeta};
    use shared_types::vault::RefusalCode;

    async fn set(
        server: &TestServer,
        admin: &Person,
        company: CompanyId,
        key: &str,
        value: serde_json::Value,
    ) {
        let reply: Reply<CompanyPolicies> = server
            .put(
                &format!("/api/companies/{company}/policies"),
                &change(key, value),
                Some(&admin.session),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    }

    /// Proposes `next` (the share's list with `who` added) at `epoch`.
    async fn add(
        server: &TestServer,
        by: &Person,
        next: &ShareDraft,
        who: &Person,
        epoch: u64,
    ) -> Reply<serde_json::Value> {
        let change = ListChangeRequest {
            list: next.signed(epoch, by),
            wrappings: vec![next.wrap(by, who)],
            invitees: vec![],
        };
        server
            .post(
                &format!("/api/shares/{}/lists", next.id),
                &change,
                Some(&by.session),
            )
            .await
    }

    on_both_databases! {
        async fn disabled_sharing_refuses_new_shares_and_recipients_and_makes_shares_read_only(server) {
            let acme = acme(&server, &["ann", "bob", "cid"]).await;
            let [ann, bob, cid] = [&acme.users[0], &acme.users[1], &acme.users[2]];
            let draft = ShareDraft::new(ann).with(bob, ListRole::Edit);
            server.share(ann, &draft, &[ann, bob]).await;
            let container = shared_types::ContainerId(draft.id.0);
            let before = new_item(container);
            assert!(push(&server, &bob.session, vec![before]).await.refused.is_empty());

            set(&server, &acme.admin, acme.company, "disable_sharing", serde_json::json!({ "switch": true })).await;
            let db = server.database().await;
            let tables = snapshot(&db).await;
            // No new share.
            let fresh = ShareDraft::new(ann).with(cid, ListRole::View);
            let refused: Reply<ErrorBody> = server.post("/api/shares", &fresh.create(ann, &[ann, cid]), Some(&ann.session)).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN);
            assert_eq!(error(&refused).0, codes::SHARING_DISABLED);
            // No new recipient.
            let draft = draft.with(cid, ListRole::View);
            let refused = add(&server, ann, &draft, cid, 2).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN);
            assert_eq!(refused.body["code"], codes::SHARING_DISABLED);
            assert_eq!(snapshot(&db).await, tables);
            // The share is read-only, for its owner too; the profiles are not.
            let by_bob = new_item(container);
            let reply = push(&server, &bob.session, vec![by_bob.clone()]).await;
            assert_eq!(refusals(&reply), vec![(by_bob.change_id, RefusalCode::ReadOnly)]);
            assert_eq!(reply.refused[0].message, READ_ONLY);
            let by_ann = new_item(container);
            assert_eq!(refusals(&push(&server, &ann.session, vec![by_ann.clone()]).await), vec![(by_ann.change_id, RefusalCode::ReadOnly)]);
            let browser = common::ledger::Api { http: server.client.clone(), base: server.base.clone(), session: ann.session.clone() };
            let [personal, _] = browser.profiles().await;
            assert!(push(&server, &ann.session, vec![new_item(personal)]).await.refused.is_empty());

            // Allowed again: all of it works.
            set(&server, &acme.admin, acme.company, "disable_sharing", serde_json::json!({ "switch": false })).await;
            assert!(push(&server, &bob.session, vec![new_item(container)]).await.refused.is_empty());
            let added = add(&server, ann, &draft, cid, 2).await;
            assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
        }
    }

    on_both_databases! {
        async fn shares_go_only_to_the_recipients_the_company_allows(server) {
            let acme = acme(&server, &["ann", "bob"]).await;
            let [ann, bob] = [&acme.users[0], &acme.users[1]];
            set_tier(&server, acme.company, "advanced").await;
            set(&server, &acme.admin, acme.company, "restrict_sharing_recipients", serde_json::json!({ "recipients": ["acme.example"] })).await;
            let outsider = server.person("olga@outside.example").await;
            let db = server.database().await;
            let tables = snapshot(&db).await;
            let to_outsider = ShareDraft::new(ann).with(&outsider, ListRole::View);
            let refused: Reply<ErrorBody> = server.post("/api/shares", &to_outsider.create(ann, &[ann, &outsider]), Some(&ann.session)).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN);
            assert_eq!(error(&refused).0, codes::RECIPIENT_NOT_ALLOWED);
            // Accounts named by id are counted, never turned into addresses.
            assert!(error(&refused).1.contains("not to 1 person on the list"), "{:?}", refused.body);
            assert!(!error(&refused).1.contains("olga"), "{:?}", refused.body);
            let invite_out = ShareDraft::new(ann).inviting("nobody@outside.example", ListRole::View);
            let mut request = invite_out.create(ann, &[ann]);
            request.invitees = vec!["nobody@outside.example".into()];
            let refused: Reply<ErrorBody> = server.post("/api/shares", &request, Some(&ann.session)).await;
            assert_eq!(error(&refused).0, codes::RECIPIENT_NOT_ALLOWED);
            assert!(error(&refused).1.contains("nobody@outside.example"), "{:?}", refused.body);
            assert_eq!(snapshot(&db).await, tables);

            let inside = ShareDraft::new(ann).with(bob, ListRole::View);
            let made: Reply<ShareMeta> = server.post("/api/shares", &inside.create(ann, &[ann, bob]), Some(&ann.session)).await;
            assert_eq!(made.status, StatusCode::CREATED);
            let inside = inside.with(&outsider, ListRole::View);
            let refused = add(&server, ann, &inside, &outsider, 2).await;
            assert_eq!(refused.body["code"], codes::RECIPIENT_NOT_ALLOWED);
            let _: ShareId = inside.id;

            // A manager from outside the company (no policies of their own) is held to the
            // share owner's company's list.
            let free = server.person("free@acme.example").await;
            let managed = ShareDraft::new(ann).with(&free, ListRole::Manage);
            let made: Reply<ShareMeta> = server.post("/api/shares", &managed.create(ann, &[ann, &free]), Some(&ann.session)).await;
            assert_eq!(made.status, StatusCode::CREATED);
            let managed = managed.with(&outsider, ListRole::View);
            let refused = add(&server, &free, &managed, &outsider, 2).await;
            assert_eq!(refused.body["code"], codes::RECIPIENT_NOT_ALLOWED);
            assert!(refused.body["message"].as_str().unwrap().starts_with("The share owner's company"), "{:?}", refused.body);
        }
    }
}

on_both_databases! {
    async fn company_domains_are_set_in_the_settings_and_reach_members(server) {
        let (company, admin, user) = company_with_user(&server).await;
        let path = format!("/api/companies/{company}/settings");
        let body = serde_json::json!({ "name": "Acme", "contact_email": "it@acme.example", "domains": [" Acme.example ", "*.corp.example"] });
        let saved: Reply<shared_types::org::CompanySettings> = server.put(&path, &body, Some(&admin)).await;
        assert_eq!(saved.status, StatusCode::OK);
        assert_eq!(saved.body.domains, vec!["acme.example".to_owned(), "corp.example".to_owned()]);
        let mine: Reply<MyPolicies> = server.get_as("/api/account/policies", Some(&user)).await;
        assert_eq!(mine.body.company_domains, saved.body.domains);
        // Left out: kept. Bad: refused, nothing changed.
        let kept: Reply<shared_types::org::CompanySettings> = server
            .put(&path, &serde_json::json!({ "name": "Acme", "contact_email": "it@acme.example" }), Some(&admin))
            .await;
        assert_eq!(kept.body.domains.len(), 2);
        let bad: Reply<ErrorBody> = server
            .put(&path, &serde_json::json!({ "name": "Acme", "contact_email": "it@acme.example", "domains": ["not a domain"] }), Some(&admin))
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let log: Reply<Vec<AccessLogEntry>> = server.get_as(&format!("/api/companies/{company}/activity"), Some(&admin)).await;
        assert!(log.body.iter().any(|e| e.detail.contains("domains [] → [acme.example, corp.example]")), "{:?}", log.body);
    }
}
