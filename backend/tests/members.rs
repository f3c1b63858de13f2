//! A company's members as its admins manage them: the list (search, filter, sort, pages), role
//! changes, removal (converted to a personal account, or deleted), the last-Admin rule,
//! settings, and the access log of it all.
#![allow(clippy::unwrap_used)]

mod common;

use backend::services::access::company_of_container;
use common::accounts::{Reply, error};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use shared_types::account::{AccountBundle, ProfileKey, ProfileKind};
use shared_types::api::ErrorBody;
use shared_types::org::{
    AccessLogEntry, ChangeRoleRequest, CompanyRole, CompanySettings, MemberPage, MemberRow,
    MemberStatus, Memberships, RemoveMemberRequest, RemoveMode, UpdateCompanySettings, codes,
};
use shared_types::{Base64Bytes, CompanyId, ContainerId, MemberId, ProfileId};

async fn page(
    server: &common::TestServer,
    session: &str,
    company: CompanyId,
    query: &str,
) -> MemberPage {
    let reply: Reply<MemberPage> = server
        .get_as(
            &format!("/api/companies/{company}/members?{query}"),
            Some(session),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{query}");
    reply.body
}

async fn member_id(
    server: &common::TestServer,
    session: &str,
    company: CompanyId,
    email: &str,
) -> MemberId {
    let found = page(server, session, company, &format!("q={email}")).await;
    found.rows.iter().find(|r| r.email == email).unwrap().id
}

async fn remove(
    server: &common::TestServer,
    session: &str,
    company: CompanyId,
    member: MemberId,
    mode: RemoveMode,
) -> Reply<serde_json::Value> {
    server
        .post(
            &format!("/api/companies/{company}/members/{member}/remove"),
            &RemoveMemberRequest { mode },
            Some(session),
        )
        .await
}

async fn set_role(
    server: &common::TestServer,
    session: &str,
    company: CompanyId,
    member: MemberId,
    role: CompanyRole,
) -> reqwest::Response {
    server
        .client
        .patch(server.url(&format!("/api/companies/{company}/members/{member}")))
        .header(
            "cookie",
            format!("{}={session}", backend::services::accounts::SESSION_COOKIE),
        )
        .json(&ChangeRoleRequest { role })
        .send()
        .await
        .unwrap()
}

on_both_databases! {
    async fn the_member_list_searches_filters_sorts_and_pages(server) {
        let (_, admin) = server.signed_up("admin@acme.example", "correct horse").await;
        let company = server.new_direct_company(&admin, "Acme").await.id;
        let people = [
            ("zoe@acme.example", "Zoë Quinn"),
            ("yann@acme.example", "Yann Tiersen"),
            ("x_ray@acme.example", "X Ray"),
            ("walter@other.example", "Walter 100% White"),
        ];
        for (email, name) in people {
            let invited: Reply<serde_json::Value> = server
                .post(&format!("/api/companies/{company}/invitations"), &serde_json::json!({ "email": email, "name": name, "role": "user" }), Some(&admin))
                .await;
            assert_eq!(invited.status, StatusCode::CREATED);
        }
        for n in 0..23 {
            server.invite(&admin, company, &format!("bulk{n:02}@acme.example"), CompanyRole::User).await;
        }
        let all = page(&server, &admin, company, "per_page=100").await;
        assert_eq!(all.total, 28);
        assert_eq!((all.counts.active, all.counts.invited, all.counts.removed), (1, 27, 0));
        let emails: Vec<&str> = all.rows.iter().map(|r| r.email.as_str()).collect();
        let mut sorted = emails.clone();
        sorted.sort();
        assert_eq!(emails, sorted);

        let desc = page(&server, &admin, company, "sort=email&dir=desc&per_page=3").await;
        assert_eq!(desc.rows.iter().map(|r| r.email.as_str()).collect::<Vec<_>>(), ["zoe@acme.example", "yann@acme.example", "x_ray@acme.example"]);
        let by_name = page(&server, &admin, company, "sort=name&dir=desc&per_page=1").await;
        assert_eq!(by_name.rows[0].email, "zoe@acme.example");

        // Paging: every row once.
        let mut seen = Vec::new();
        for p in 1..=3 {
            let part = page(&server, &admin, company, &format!("per_page=10&page={p}")).await;
            assert_eq!((part.total, part.page, part.per_page), (28, p, 10));
            seen.extend(part.rows.into_iter().map(|r| r.email));
        }
        assert_eq!(seen, emails.iter().map(|e| e.to_string()).collect::<Vec<_>>());

        // Search: part of an address or of a name, any case; wildcards are plain characters.
        let cases: &[(&str, &[&str])] = &[
            ("q=YANN", &["yann@acme.example"]),
            ("q=tiersen", &["yann@acme.example"]),
            ("q=zo%C3%AB", &["zoe@acme.example"]),
            ("q=x_", &["x_ray@acme.example"]),
            ("q=_", &["x_ray@acme.example"]),
            ("q=100%25", &["walter@other.example"]),
            ("q=other.example", &["walter@other.example"]),
            ("q=nobody", &[]),
            ("q=admin&status=active", &["admin@acme.example"]),
            ("q=admin&status=invited", &[]),
        ];
        for (query, expected) in cases {
            let found = page(&server, &admin, company, query).await;
            let got: Vec<&str> = found.rows.iter().map(|r| r.email.as_str()).collect();
            assert_eq!(&got, expected, "{query}");
            assert_eq!(found.total as usize, expected.len(), "{query}");
        }
        let invited = page(&server, &admin, company, "status=invited&per_page=1").await;
        assert_eq!(invited.total, 27);
        assert!(invited.rows[0].invitation.is_some());
        let me = page(&server, &admin, company, "status=active").await;
        assert_eq!((me.rows[0].two_factor, me.rows[0].verified_browsers), (Some(false), 1));
        assert!(me.rows[0].last_active.is_some());

        // Out-of-range values are bounded, not refused; malformed ones are refused clearly.
        let big = page(&server, &admin, company, "per_page=100000&page=0").await;
        assert_eq!((big.page, big.per_page), (1, 100));
        let bad: Reply<ErrorBody> = server.get_as(&format!("/api/companies/{company}/members?sort=password"), Some(&admin)).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    }

    async fn a_member_converted_to_personal_keeps_every_item(server) {
        let (_, admin) = server.signed_up("admin@acme.example", "correct horse").await;
        let company = server.new_direct_company(&admin, "Acme").await.id;
        let (_, ivy) = server.joined_new(&admin, company, "ivy@acme.example", CompanyRole::User).await;
        let (personal, business) = common::vault::profiles(&server, &ivy).await;
        let items = vec![common::vault::new_item(personal), common::vault::new_item(business)];
        common::vault::push(&server, &ivy, items.clone()).await;

        let ivy_id = member_id(&server, &admin, company, "ivy@acme.example").await;
        let row = page(&server, &admin, company, "q=ivy").await.rows.remove(0);
        assert!(row.can_delete_account, "the company made ivy's account");
        let removed = remove(&server, &admin, company, ivy_id, RemoveMode::ConvertToPersonal).await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT);

        let mine: Reply<Memberships> = server.get_as("/api/account/memberships", Some(&ivy)).await;
        assert!(mine.body.company.is_none());
        let db = server.database().await;
        assert_eq!(company_of_container(&db, business).await.unwrap(), None);
        let pulled = common::vault::pull_all(&server, &ivy).await;
        for item in &items {
            let kept = common::vault::record(&server, &ivy, item.id).await.unwrap();
            common::vault::assert_holds(&kept, item);
        }
        assert!(pulled.access.iter().any(|a| a.container_id == business && a.role.is_some()), "{:?}", pulled.access);

        let again = remove(&server, &admin, company, ivy_id, RemoveMode::ConvertToPersonal).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        let listed = page(&server, &admin, company, "status=removed").await;
        assert_eq!(listed.rows[0].status, MemberStatus::Removed);
        // The company's admin routes are closed to ivy now: the same 404 as for a stranger.
        let closed: Reply<ErrorBody> = server.get_as(&format!("/api/companies/{company}"), Some(&ivy)).await;
        assert_eq!(closed.status, StatusCode::NOT_FOUND);
    }

    async fn under_the_policy_a_removed_member_loses_the_business_profile_and_starts_a_new_one(server) {
        let (_, admin) = server.signed_up("admin@acme.example", "correct horse").await;
        let company = server.new_direct_company(&admin, "Acme").await.id;
        let (_, ivy) = server.joined_new(&admin, company, "ivy@acme.example", CompanyRole::User).await;
        let (personal, business) = common::vault::profiles(&server, &ivy).await;
        let (kept, taken) = (common::vault::new_item(personal), common::vault::new_item(business));
        common::vault::push(&server, &ivy, vec![kept.clone(), taken.clone()]).await;
        let set: Reply<serde_json::Value> = server
            .put(
                &format!("/api/companies/{company}/policies"),
                &serde_json::json!({ "changes": [{ "key": "remove_business_on_removal", "value": { "switch": true } }] }),
                Some(&admin),
            )
            .await;
        assert_eq!(set.status, StatusCode::OK);

        let mut stream = common::vault::EventStream::open(&server, &ivy).await;
        let ivy_id = member_id(&server, &admin, company, "ivy@acme.example").await;
        let removed = remove(&server, &admin, company, ivy_id, RemoveMode::ConvertToPersonal).await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT);
        assert_eq!(stream.next_change().await, None, "ivy's open browsers are told");

        // The Business profile left the account; its container is no longer served to ivy.
        let bundle: Reply<AccountBundle> = server.get_as("/api/account", Some(&ivy)).await;
        let kinds: Vec<_> = bundle.body.keys.profiles.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, vec![ProfileKind::Personal]);
        let pulled = common::vault::pull_all(&server, &ivy).await;
        assert!(pulled.access.iter().any(|a| a.container_id == business && a.role.is_none()), "{:?}", pulled.access);
        common::vault::assert_holds(&common::vault::record(&server, &ivy, kept.id).await.unwrap(), &kept);
        assert!(common::vault::record(&server, &ivy, taken.id).await.is_none());
        let refused = common::vault::push(&server, &ivy, vec![common::vault::new_item(business)]).await;
        assert_eq!(common::vault::refusals(&refused).len(), 1, "no writes into the old container");
        // The company keeps the container and its sealed records.
        let db = server.database().await;
        assert!(backend::entity::vault_container::Entity::find_by_id(business.0).one(&db).await.unwrap().is_some());
        assert!(backend::entity::vault_record::Entity::find_by_id((business.0, taken.id.0)).one(&db).await.unwrap().is_some());
        let log: Reply<Vec<AccessLogEntry>> = server
            .get_as(&format!("/api/companies/{company}/activity"), Some(&admin))
            .await;
        assert!(log.body.iter().any(|e| e.detail.contains("Business profile stays with the company")), "{:?}", log.body);

        // Ivy's browser adds a new, empty Business profile: once, with a fresh id, Business only.
        let wrapped = Base64Bytes(vec![7; 63]);
        let add = |id: ProfileId, kind, wrapped_key: Base64Bytes| ProfileKey { id, kind, wrapped_key };
        let personal_again: Reply<ErrorBody> = server
            .post("/api/account/profiles", &add(ProfileId::new_v7(), ProfileKind::Personal, wrapped.clone()), Some(&ivy))
            .await;
        assert_eq!(personal_again.status, StatusCode::BAD_REQUEST);
        let short: Reply<ErrorBody> = server
            .post("/api/account/profiles", &add(ProfileId::new_v7(), ProfileKind::Business, Base64Bytes(vec![7; 10])), Some(&ivy))
            .await;
        assert_eq!(short.status, StatusCode::BAD_REQUEST);
        let old_id: Reply<ErrorBody> = server
            .post("/api/account/profiles", &add(ProfileId(business.0), ProfileKind::Business, wrapped.clone()), Some(&ivy))
            .await;
        assert_eq!(old_id.status, StatusCode::CONFLICT);
        assert_eq!(error(&old_id).0, shared_types::account::codes::PROFILE_EXISTS);
        let fresh = ProfileId::new_v7();
        let added: Reply<AccountBundle> = server
            .post("/api/account/profiles", &add(fresh, ProfileKind::Business, wrapped.clone()), Some(&ivy))
            .await;
        assert_eq!(added.status, StatusCode::OK);
        assert!(added.body.keys.profiles.iter().any(|p| p.id == fresh && p.kind == ProfileKind::Business));
        let twice: Reply<ErrorBody> = server
            .post("/api/account/profiles", &add(ProfileId::new_v7(), ProfileKind::Business, wrapped), Some(&ivy))
            .await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        let stored = common::vault::push(&server, &ivy, vec![common::vault::new_item(ContainerId::from(fresh))]).await;
        assert!(common::vault::refusals(&stored).is_empty());
    }

    async fn only_an_account_the_company_made_can_be_deleted_with_the_member(server) {
        let (_, admin) = server.signed_up("admin@acme.example", "correct horse").await;
        let company = server.new_direct_company(&admin, "Acme").await.id;
        let (jack_user, _) = server.joined_new(&admin, company, "jack@acme.example", CompanyRole::User).await;
        let (_, kim) = server.signed_up("kim@example.com", "correct horse").await;
        server.invite(&admin, company, "kim@example.com", CompanyRole::User).await;
        let link = server.invitation_token("kim@example.com").await;
        let accepted: Reply<Memberships> = server
            .post("/api/invitations/accept", &shared_types::org::TokenRequest { token: shared_types::org::InvitationToken(link) }, Some(&kim))
            .await;
        assert_eq!(accepted.status, StatusCode::OK);

        let kim_id = member_id(&server, &admin, company, "kim@example.com").await;
        let refused = remove(&server, &admin, company, kim_id, RemoveMode::DeleteAccount).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        let mine: Reply<Memberships> = server.get_as("/api/account/memberships", Some(&kim)).await;
        assert!(mine.body.company.is_some(), "a refused removal changes nothing");

        let jack = member_id(&server, &admin, company, "jack@acme.example").await;
        let deleted = remove(&server, &admin, company, jack, RemoveMode::DeleteAccount).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        let login: Reply<ErrorBody> = server.login(&jack_user, &jack_user.device, None).await;
        assert_eq!(login.status, StatusCode::UNAUTHORIZED);
        let db = server.database().await;
        use sea_orm::EntityTrait;
        assert!(backend::entity::account::Entity::find_by_id(jack_user.account_id.0).one(&db).await.unwrap().is_none());
        assert!(server.mail().iter().any(|m| m.to == "jack@acme.example" && m.subject.contains("deleted")));
        // The membership row stays, for the record.
        let listed = page(&server, &admin, company, "q=jack").await;
        assert_eq!(listed.rows[0].status, MemberStatus::Removed);
    }

    async fn a_company_of_its_own_keeps_an_admin_and_role_changes_apply_at_once(server) {
        let (_, admin) = server.signed_up("admin@acme.example", "correct horse").await;
        let company = server.new_direct_company(&admin, "Acme").await.id;
        let me = member_id(&server, &admin, company, "admin@acme.example").await;
        let demoted = set_role(&server, &admin, company, me, CompanyRole::User).await;
        assert_eq!(demoted.status(), StatusCode::CONFLICT);
        assert_eq!(demoted.json::<ErrorBody>().await.unwrap().code, codes::LAST_ADMIN);
        let myself = remove(&server, &admin, company, me, RemoveMode::ConvertToPersonal).await;
        assert_eq!(myself.status, StatusCode::BAD_REQUEST);

        let (_, lee) = server.joined_new(&admin, company, "lee@acme.example", CompanyRole::User).await;
        let denied: Reply<ErrorBody> = server.get_as(&format!("/api/companies/{company}/members"), Some(&lee)).await;
        assert_eq!((denied.status, error(&denied).0), (StatusCode::FORBIDDEN, codes::NOT_PERMITTED));
        let lee_id = member_id(&server, &admin, company, "lee@acme.example").await;
        let promoted = set_role(&server, &admin, company, lee_id, CompanyRole::Admin).await;
        assert_eq!(promoted.status(), StatusCode::OK);
        assert_eq!(promoted.json::<MemberRow>().await.unwrap().role, CompanyRole::Admin);
        let now_allowed: Reply<MemberPage> = server.get_as(&format!("/api/companies/{company}/members"), Some(&lee)).await;
        assert_eq!(now_allowed.status, StatusCode::OK);
        // With a second Admin, the first may step down.
        let stepped_down = set_role(&server, &admin, company, me, CompanyRole::User).await;
        assert_eq!(stepped_down.status(), StatusCode::OK);
        let closed: Reply<ErrorBody> = server.get_as(&format!("/api/companies/{company}/members"), Some(&admin)).await;
        assert_eq!(closed.status, StatusCode::FORBIDDEN);
        // A member of another company is not found under this one.
        let (_, other) = server.signed_up("other@b.example", "correct horse").await;
        let b = server.new_direct_company(&other, "B").await.id;
        let other_id = member_id(&server, &other, b, "other@b.example").await;
        let foreign = set_role(&server, &lee, company, other_id, CompanyRole::User).await;
        assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    }

    async fn settings_change_and_every_admin_write_is_in_the_activity_log(server) {
        let (_, admin) = server.signed_up("admin@acme.example", "correct horse").await;
        let company = server.new_direct_company(&admin, "Acme").await.id;
        let read: Reply<CompanySettings> = server.get_as(&format!("/api/companies/{company}/settings"), Some(&admin)).await;
        assert_eq!(read.body.contact_email, "admin@acme.example");
        let put = |body: UpdateCompanySettings| {
            let server = &server;
            let admin = admin.clone();
            async move {
                let reply = server
                    .client
                    .put(server.url(&format!("/api/companies/{company}/settings")))
                    .header("cookie", format!("{}={admin}", backend::services::accounts::SESSION_COOKIE))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                (reply.status(), reply.text().await.unwrap())
            }
        };
        let (status, _) = put(UpdateCompanySettings { name: "Acme Ltd".into(), contact_email: "it@acme.example".into(), domains: None }).await;
        assert_eq!(status, StatusCode::OK);
        let (status, text) = put(UpdateCompanySettings { name: "Acme Ltd".into(), contact_email: "nope".into(), domains: None }).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        let (status, _) = put(UpdateCompanySettings { name: " ".into(), contact_email: "it@acme.example".into(), domains: None }).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let read: Reply<CompanySettings> = server.get_as(&format!("/api/companies/{company}/settings"), Some(&admin)).await;
        assert_eq!((read.body.name.as_str(), read.body.contact_email.as_str()), ("Acme Ltd", "it@acme.example"));

        server.invite(&admin, company, "mia@acme.example", CompanyRole::User).await;
        let log: Reply<Vec<AccessLogEntry>> = server.get_as(&format!("/api/companies/{company}/activity"), Some(&admin)).await;
        let actions: Vec<&str> = log.body.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["member.invited", "company.settings_changed", "company.created"]);
        assert!(log.body[1].detail.contains("Acme Ltd"));
        assert!(log.body.iter().all(|e| e.actor_email == "admin@acme.example" && !e.via_partner));
        let older: Reply<Vec<AccessLogEntry>> = server
            .get_as(&format!("/api/companies/{company}/activity?limit=1&before={}", log.body[0].at + 1), Some(&admin))
            .await;
        assert_eq!(older.body.len(), 1);
    }
}
