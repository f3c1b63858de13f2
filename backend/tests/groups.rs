//! Groups through the real server: made by a company's own Admins from a signed list, shares
//! given to a group reaching exactly the members who hold the group key, someone taken out
//! losing every group share at once, the next list needing a new group key, and every group
//! route refused to those who may not call it.
#![allow(clippy::unwrap_used)]

mod common;

use common::accounts::Reply;
use common::sharing::{
    GroupDraft, Person, ShareDraft, acme, id_of, leave_company, promote, sign, wrap_company_secret,
};
use common::vault::{new_item, pull_all, push, refusals};
use reqwest::StatusCode;
use shared_types::api::ErrorBody;
use shared_types::sharing::{
    CreateShareRequest, DirectoryState, EntryKind, GrantRequest, GroupMeta, ListChangeRequest,
    ListRole, NewGenerationRequest, RekeyClaim, ShareMeta,
};
use shared_types::vault::{RefusalCode, Role};
use shared_types::{CompanyId, ContainerId, ShareId};

fn role_in(pulled: &shared_types::vault::PullResponse, share: ShareId) -> Option<Role> {
    pulled
        .access
        .iter()
        .rev()
        .find(|a| a.container_id == ContainerId(share.0))
        .and_then(|a| a.role)
}

fn groups_path(company: CompanyId) -> String {
    format!("/api/companies/{company}/groups")
}

fn group_path(group: &GroupDraft, rest: &str) -> String {
    format!("/api/companies/{}/groups/{}{rest}", group.company, group.id)
}

async fn share_to_group(
    server: &common::TestServer,
    owner: &Person,
    group: &GroupDraft,
    role: ListRole,
) -> ShareDraft {
    let draft = ShareDraft::new(owner).with_group(group, role);
    let mut request: CreateShareRequest = draft.create(owner, &[owner]);
    request.wrappings.push(draft.wrap_to_group(owner, group));
    let reply: Reply<ShareMeta> = server
        .post("/api/shares", &request, Some(&owner.session))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    draft
}

on_both_databases! {
    async fn the_directory_key_reaches_each_member_from_an_admin_who_holds_it(server) {
        let acme = acme(&server, &["m1", "m2", "admin2"]).await;
        let [m1, m2, admin2] = &acme.users[..] else { unreachable!() };
        promote(&server, admin2).await;
        let db = server.database().await;
        let admin = &acme.admin;
        let outsider = server.person("outsider@example.com").await;
        let key = wasm_crypto::make_symmetric_key();
        let path = format!("/api/companies/{}/directory/wrappings", acme.company);
        let state = |who: &Person| {
            let session = who.session.clone();
            let server = &server;
            async move { server.get_as::<DirectoryState>("/api/directory", Some(&session)).await.body }
        };
        let before = state(admin).await;
        assert_eq!((before.company, before.admin, before.exists), (Some(acme.company), true, false));
        assert_eq!(before.waiting.len(), 4);
        assert!(state(m1).await.waiting.is_empty(), "only Admins see who waits");
        assert_eq!(state(&outsider).await, DirectoryState::default());

        let grant = |from: &Person, to: &[&Person]| GrantRequest {
            wrappings: to.iter().map(|t| wrap_company_secret((wasm_crypto::Purpose::CompanyDirectoryKey, acme.company), &key, from, t)).collect(),
        };
        for (who, status) in [(m1, StatusCode::FORBIDDEN), (&acme.staff, StatusCode::FORBIDDEN), (&outsider, StatusCode::NOT_FOUND)] {
            let refused: Reply<ErrorBody> = server.post(&path, &grant(who, &[who]), Some(&who.session)).await;
            assert_eq!(refused.status, status, "{}", who.user.email);
        }
        // The first wrapping includes the maker's own; nobody outside the company gets one.
        for bad in [grant(admin, &[m1]), grant(admin, &[admin, &outsider])] {
            let refused: Reply<ErrorBody> = server.post(&path, &bad, Some(&admin.session)).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        }
        let mut unsigned = grant(admin, &[admin]);
        unsigned.wrappings[0].signature.0[3] ^= 1;
        let refused: Reply<ErrorBody> = server.post(&path, &unsigned, Some(&admin.session)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);

        let made: Reply<()> = server.post(&path, &grant(admin, &[admin, m1]), Some(&admin.session)).await;
        assert_eq!(made.status, StatusCode::NO_CONTENT);
        let seen = state(m1).await;
        assert!(seen.exists);
        assert_eq!(seen.mine.unwrap().sender, id_of(admin));
        let mut left: Vec<_> = state(admin).await.waiting.into_iter().map(|k| k.account_id).collect();
        left.sort();
        let mut expected = vec![id_of(m2), id_of(admin2)];
        expected.sort();
        assert_eq!(left, expected);
        // An Admin who does not hold the key cannot make another.
        let refused: Reply<ErrorBody> = server.post(&path, &grant(admin2, &[admin2, m2]), Some(&admin2.session)).await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        // Once given, not again.
        let refused: Reply<ErrorBody> = server.post(&path, &grant(admin, &[m1]), Some(&admin.session)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);

        // Leaving the company takes it away.
        leave_company(&server, &acme, m1).await;
        assert_eq!(state(m1).await, DirectoryState::default());
        let held = {
            use backend::entity::company_directory_wrapping;
            use sea_orm::EntityTrait;
            company_directory_wrapping::Entity::find().all(&db).await.unwrap().len()
        };
        assert_eq!(held, 1);
    }

    async fn a_group_share_reaches_the_members_holding_the_group_key_and_leaves_with_them(server) {
        let acme = acme(&server, &["m1", "m2", "m3", "owner"]).await;
        let [m1, m2, m3, owner] = &acme.users[..] else { unreachable!() };
        let admin = &acme.admin;
        let outsider = server.person("outsider@example.com").await;
        let group = GroupDraft::new(acme.company, admin)
            .with(m1, ListRole::Member)
            .with(m2, ListRole::Member)
            .with(m3, ListRole::Manager);

        // Only the company's own members can be in its groups.
        let with_outsider = GroupDraft::new(acme.company, admin).with(&outsider, ListRole::Member);
        let refused: Reply<ErrorBody> = server
            .post(&groups_path(acme.company), &with_outsider.create(admin, &[admin]), Some(&admin.session))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        // A list signed by someone else than its sender is refused.
        let mut forged = group.create(admin, &[admin]);
        forged.list = group.signed(1, m1);
        forged.list.signer = id_of(admin);
        let refused: Reply<ErrorBody> =
            server.post(&groups_path(acme.company), &forged, Some(&admin.session)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);

        // M2 is on the list but nobody wrapped the group key to them yet.
        let made = server.group(admin, &group, &[admin, m1, m3]).await;
        assert_eq!(made.people.len(), 4);
        assert!(!made.people.iter().find(|p| p.account == id_of(m2)).unwrap().has_key);

        let share = share_to_group(&server, owner, &group, ListRole::Edit).await;
        for (who, role) in [(admin, Some(Role::Write)), (m1, Some(Role::Write)), (m2, None), (m3, None), (&outsider, None)] {
            assert_eq!(role_in(&pull_all(&server, &who.session).await, share.id), role, "{}", who.user.email);
        }
        // A member gets the wrapping to the group, and the group key wrapped to them.
        let seen: Reply<ShareMeta> = server.get_as(&format!("/api/shares/{}", share.id), Some(&m1.session)).await;
        assert_eq!(seen.body.wrappings.len(), 1);
        assert_eq!((seen.body.wrappings[0].recipient, seen.body.wrappings[0].recipient_kind), (group.id.0, EntryKind::Group));
        let mine: Reply<Vec<GroupMeta>> = server.get_as("/api/groups", Some(&m1.session)).await;
        assert_eq!(mine.body.len(), 1);
        assert_eq!(mine.body[0].wrappings.len(), 1);
        assert_eq!(mine.body[0].lists.len(), 1);
        let waiting: Reply<Vec<GroupMeta>> = server.get_as("/api/groups", Some(&m2.session)).await;
        assert!(waiting.body[0].wrappings.is_empty());
        // Every member of the company sees the group, to share with it.
        let listed: Reply<Vec<GroupMeta>> = server.get_as(&groups_path(acme.company), Some(&owner.session)).await;
        assert_eq!(listed.body.iter().map(|g| g.id).collect::<Vec<_>>(), vec![group.id]);

        // A pending grant completes when a manager wraps the group key (M3 manages it).
        let granted: Reply<()> = server
            .post(&group_path(&group, "/wrappings"), &GrantRequest { wrappings: vec![group.wrap(m3, m2)] }, Some(&m3.session))
            .await;
        assert_eq!(granted.status, StatusCode::NO_CONTENT);
        assert_eq!(role_in(&pull_all(&server, &m2.session).await, share.id), Some(Role::Write));

        // Someone outside the company cannot share with its group.
        let theirs = ShareDraft::new(&outsider).with_group(&group, ListRole::View);
        let mut request = theirs.create(&outsider, &[&outsider]);
        request.wrappings.push(theirs.wrap_to_group(&outsider, &group));
        let refused: Reply<ErrorBody> = server.post("/api/shares", &request, Some(&outsider.session)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);

        let container = ContainerId(share.id.0);
        assert_eq!(push(&server, &m1.session, vec![new_item(container)]).await.accepted.len(), 1);

        // The admin takes M1 out: M1 loses the share at once.
        let removed: Reply<()> = server
            .delete_as(&group_path(&group, &format!("/members/{}", id_of(m1))), Some(&admin.session))
            .await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT);
        assert_eq!(role_in(&pull_all(&server, &m1.session).await, share.id), None);
        let gone: Reply<ErrorBody> = server.get_as(&format!("/api/shares/{}", share.id), Some(&m1.session)).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        let late = new_item(container);
        let reply = push(&server, &m1.session, vec![late.clone()]).await;
        assert_eq!(refusals(&reply), vec![(late.change_id, RefusalCode::NotWritable)]);
        let by_owner: Reply<ShareMeta> = server.get_as(&format!("/api/shares/{}", share.id), Some(&owner.session)).await;
        assert!(by_owner.body.rekey_pending);
        let mine: Reply<Vec<GroupMeta>> = server.get_as("/api/groups", Some(&admin.session)).await;
        assert!(mine.body[0].list_stale);

        // The next list must come with a new group key.
        let mut same_key = group.list(2);
        same_key.entries.retain(|e| e.id != id_of(m1).0);
        let refused: Reply<ErrorBody> = server
            .post(&group_path(&group, "/lists"), &ListChangeRequest { list: sign(same_key, admin), wrappings: vec![], invitees: vec![] }, Some(&admin.session))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        let rotated = group.without(m1);
        let change = ListChangeRequest {
            list: rotated.signed(2, admin),
            wrappings: vec![rotated.wrap(admin, admin), rotated.wrap(admin, m2), rotated.wrap(admin, m3)],
            invitees: vec![],
        };
        let reply: Reply<GroupMeta> = server.post(&group_path(&group, "/lists"), &change, Some(&admin.session)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!((reply.body.generation, reply.body.list_stale), (2, false));
        // M2 still reads the share with the group key it holds, until the share is re-keyed.
        assert_eq!(role_in(&pull_all(&server, &m2.session).await, share.id), Some(Role::Write));

        // The owner re-keys the share to the group's new key: M2 keeps access, M1 stays out.
        let claim: Reply<RekeyClaim> = server.post(&format!("/api/shares/{}/rekey/claim", share.id), &(), Some(&owner.session)).await;
        assert!(claim.body.granted);
        let next = ShareDraft {
            id: share.id,
            key: wasm_crypto::make_symmetric_key(),
            generation_id: uuid::Uuid::now_v7(),
            entries: share.entries.clone(),
        };
        let next_list = || {
            let mut list = next.list(2);
            list.generation = 2;
            sign(list, owner)
        };
        let stale_group = NewGenerationRequest {
            list: next_list(),
            wrappings: vec![next.wrap(owner, owner), next.wrap_to_group(owner, &group)],
        };
        let refused: Reply<ErrorBody> = server.post(&format!("/api/shares/{}/generations", share.id), &stale_group, Some(&owner.session)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "a wrapping to the group's old key");
        let fresh = NewGenerationRequest {
            list: next_list(),
            wrappings: vec![next.wrap(owner, owner), next.wrap_to_group(owner, &rotated)],
        };
        let reply: Reply<()> = server.post(&format!("/api/shares/{}/generations", share.id), &fresh, Some(&owner.session)).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
        for (who, role) in [(admin, Some(Role::Write)), (m1, None), (m2, Some(Role::Write)), (m3, None)] {
            assert_eq!(role_in(&pull_all(&server, &who.session).await, share.id), role, "{}", who.user.email);
        }

        // Deleting the group takes it off the share.
        let deleted: Reply<()> = server.delete_as(&group_path(&group, ""), Some(&admin.session)).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert_eq!(role_in(&pull_all(&server, &m2.session).await, share.id), None);
        assert_eq!(role_in(&pull_all(&server, &owner.session).await, share.id), Some(Role::Owner));
    }

    async fn leaving_the_company_takes_someone_out_of_its_groups_and_their_shares(server) {
        let acme = acme(&server, &["m1", "owner"]).await;
        let [m1, owner] = &acme.users[..] else { unreachable!() };
        let admin = &acme.admin;
        let group = GroupDraft::new(acme.company, admin).with(m1, ListRole::Member);
        server.group(admin, &group, &[admin, m1]).await;
        let share = share_to_group(&server, owner, &group, ListRole::View).await;
        assert_eq!(role_in(&pull_all(&server, &m1.session).await, share.id), Some(Role::Read));

        leave_company(&server, &acme, m1).await;
        assert_eq!(role_in(&pull_all(&server, &m1.session).await, share.id), None);
        let mine: Reply<Vec<GroupMeta>> = server.get_as("/api/groups", Some(&m1.session)).await;
        assert!(mine.body.is_empty());
        let seen: Reply<Vec<GroupMeta>> = server.get_as("/api/groups", Some(&admin.session)).await;
        assert!(seen.body[0].list_stale);
        assert_eq!(seen.body[0].people.len(), 1);
        let by_owner: Reply<ShareMeta> = server.get_as(&format!("/api/shares/{}", share.id), Some(&owner.session)).await;
        assert!(by_owner.body.rekey_pending);
    }

    async fn every_group_route_lets_in_exactly_who_it_should(server) {
        use backend::routes::declared;
        use backend::routes::table::Scope;
        let acme = acme(&server, &["member", "other_admin"]).await;
        let [member, other_admin] = &acme.users[..] else { unreachable!() };
        promote(&server, other_admin).await;
        let stranger = server.person("stranger@example.com").await;
        let manager = &acme.admin;
        // (who, may create groups, manages the groups made below, knows the company)
        let people: [(&Person, bool, bool, bool); 5] = [
            (manager, true, true, true),
            (other_admin, true, false, true),
            (member, false, false, true),
            (&acme.staff, false, false, true),
            (&stranger, false, false, false),
        ];
        let routes: Vec<_> = declared()
            .into_iter()
            .filter(|r| matches!(r.scope, Scope::CompanyOwnAdmin | Scope::GroupManager))
            .collect();
        assert_eq!(routes.len(), 10);
        for route in routes {
            for (who, creates, manages, knows) in people {
                // A group of its own for each cell, so that a deletion changes nothing for the
                // next one.
                let group = GroupDraft::new(acme.company, manager).with(member, ListRole::Member);
                server.group(manager, &group, &[manager, member]).await;
                let path = route
                    .path
                    .replace("{company_id}", &acme.company.to_string())
                    .replace("{group_id}", &group.id.to_string())
                    .replace("{account_id}", &id_of(member).to_string());
                let body = if route.scope == Scope::CompanyOwnAdmin {
                    serde_json::to_value(GroupDraft::new(acme.company, who).create(who, &[who])).unwrap()
                } else if path.ends_with("/lists") {
                    serde_json::to_value(ListChangeRequest { list: group.signed(2, who), wrappings: vec![], invitees: vec![] }).unwrap()
                } else {
                    serde_json::json!({})
                };
                let reply = server
                    .client
                    .request(reqwest::Method::from_bytes(route.method.as_str().as_bytes()).unwrap(), server.url(&format!("/api{path}")))
                    .header("cookie", format!("{}={}", backend::services::accounts::SESSION_COOKIE, who.session))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = reply.status();
                let what = format!("{} {} as {}", route.method, route.path, who.user.email);
                let allowed = if route.scope == Scope::CompanyOwnAdmin { creates } else { manages };
                if allowed {
                    assert!(
                        ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status),
                        "{what}: {status}"
                    );
                } else if knows {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
                } else {
                    assert_eq!(status, StatusCode::NOT_FOUND, "{what}");
                }
            }
        }
    }
}
