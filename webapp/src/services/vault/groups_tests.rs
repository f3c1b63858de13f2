//! Shares given to a group, against the in-memory server: a member opens the share with the
//! group key wrapped to them, and what a server forges about a group (a member nobody signed,
//! a group key wrapped by someone who does not manage the group, a key that is not the list's,
//! a share key wrapped to a group the share does not name) opens nothing.

use shared_types::CompanyId;
use shared_types::sharing::{DirectoryState, GroupMeta, GroupPerson, ListEntry};
use wasm_crypto::make_symmetric_key;

use super::*;
use crate::services::sharing::groups::{NewGroup, make_group, rotate_group, wrap_group_key};
use crate::services::sharing::lists::{
    VerifiedList, open_group_key, open_share_key_via_group, verify_group_chain,
};
use crate::services::sharing::making::{GroupTarget, sign_list};

/// What the server serves `who` of a group made as `made`: its lists and the key wrapped to
/// them.
fn group_served(made: &NewGroup, company: CompanyId, who: &Person) -> GroupMeta {
    GroupMeta {
        id: made.request.id,
        company,
        sealed_name: made.request.sealed_name.clone(),
        name_version: 1,
        lists: vec![made.request.list.clone()],
        generation: 1,
        wrappings: (made.request.wrappings.iter())
            .filter(|w| w.recipient == who.id().0)
            .cloned()
            .collect(),
        people: Vec::new(),
        list_stale: false,
    }
}

struct World {
    server: MemoryServer,
    admin: Person,
    bob: Person,
    dave: Person,
    mallory: Person,
    group: NewGroup,
    company: CompanyId,
    share: ShareId,
}

/// The admin makes "Ops" with Bob as a member; Dave (not in it) shares "Servers" (one item)
/// with the group as editors. The server serves the group to the admin and Bob.
fn world() -> World {
    let server = MemoryServer::default();
    let admin = Person::new(&server, "admin@acme.example");
    let bob = Person::new(&server, "bob@acme.example");
    let dave = Person::new(&server, "dave@acme.example");
    let mallory = Person::new(&server, "mallory@example.com");
    let company = CompanyId::new_v7();
    let directory_key = make_symmetric_key();
    let group = make_group(
        &admin.keys,
        (company, &directory_key),
        "Ops",
        true,
        &[(bob.pin(), ListRole::Member)],
    )
    .unwrap();
    {
        let mut s = server.0.borrow_mut();
        for who in [&admin, &bob] {
            s.groups
                .insert(who.id(), vec![group_served(&group, company, who)]);
        }
    }
    let target = GroupTarget {
        id: group.request.id,
        generation: 1,
        public: group.key.public_key(),
    };
    let personal = dave.personal();
    let folder = block_on(dave.session.create_folder(personal, "Servers", None, 1)).unwrap();
    let mut item = login("web", "pw");
    item.folder = Some(folder);
    block_on(dave.session.save_item(None, personal, item, 1)).unwrap();
    let made = make_share(
        &dave.keys,
        "Client servers",
        (&[], &[(target, ListRole::Edit)]),
        &[],
    )
    .unwrap();
    let share = made.request.id;
    let mut for_members = served(&made, dave.id(), bob.id(), ListRole::Edit);
    for_members.wrappings = (made.request.wrappings.iter())
        .filter(|w| w.recipient == group.request.id.0)
        .cloned()
        .collect();
    {
        let mut s = server.0.borrow_mut();
        let owner = served(&made, dave.id(), dave.id(), ListRole::Owner);
        s.shares.insert(dave.id(), vec![owner]);
        s.shares.insert(bob.id(), vec![for_members.clone()]);
        s.shares.insert(admin.id(), vec![for_members]);
    }
    let meta = served(&made, dave.id(), dave.id(), ListRole::Owner);
    let container = block_on(dave.session.adopt_share(meta, 1)).unwrap();
    block_on(dave.session.move_folder_to_container(folder, container, 1)).unwrap();
    dave.sync();
    World {
        server,
        admin,
        bob,
        dave,
        mallory,
        group,
        company,
        share,
    }
}

impl World {
    fn serve_group_to_bob(&self, meta: GroupMeta) {
        self.server
            .0
            .borrow_mut()
            .groups
            .insert(self.bob.id(), vec![meta]);
    }

    /// Bob's group as served, and a fresh browser of Bob's synced against it.
    fn fresh_bob(&self) -> VaultSession<MemoryCache> {
        let fresh = self.bob.new_browser();
        block_on(fresh.sync(2_000)).unwrap();
        fresh
    }
}

#[test]
fn a_member_opens_a_share_given_to_the_group_with_the_group_key() {
    let w = world();
    let container = ContainerId::from(w.share);
    for who in [&w.bob, &w.admin] {
        who.sync();
        let shared = who.session.shared();
        assert_eq!(shared.len(), 1, "{}", who.keys.email);
        assert_eq!(&*shared[0].1.name, "Client servers");
        assert_eq!(shared[0].1.role, ListRole::Edit);
        assert_eq!(who.titles(&Scope::Container(container)), ["web"]);
    }
    // Bob edits through the group; Dave sees it.
    let web = (w.bob.session.rows(&Scope::Container(container), "web"))[0].id;
    let mut item = block_on(w.bob.session.item(web)).unwrap().data;
    item.set_field("password", "changed by bob".into());
    block_on(w.bob.session.save_item(Some(web), container, item, 3_000)).unwrap();
    w.bob.sync();
    w.dave.sync();
    let seen = block_on(w.dave.session.item(web)).unwrap();
    assert_eq!(seen.data.field("password"), "changed by bob");

    // Offline, the group and the share open again from what Bob's browser kept.
    let reopened = block_on(VaultSession::open(
        w.bob.cache.clone(),
        w.bob.server.clone(),
        w.bob.keys.clone(),
        4_000,
    ))
    .unwrap();
    assert_eq!(reopened.shared().len(), 1);

    // The server stops serving the group: Bob's browser forgets it, and the share with it
    // once the server no longer serves that either.
    w.server.0.borrow_mut().groups.remove(&w.bob.id());
    w.server.0.borrow_mut().shares.remove(&w.bob.id());
    w.bob.sync();
    assert!(w.bob.session.shared().is_empty());
    assert!(
        block_on(w.bob.cache.get_prefix(Store::Sharing, ""))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn what_a_server_forges_about_a_group_opens_nothing() {
    let w = world();
    let good = group_served(&w.group, w.company, &w.bob);
    // A fresh browser of Bob's opens nothing: the share waits for a key (the group is
    // verified, its key is not), or is refused (the group itself did not verify).
    let opens_nothing = |fresh: &VaultSession<MemoryCache>, what: ShareNoticeKind, case: &str| {
        assert!(fresh.shared().is_empty(), "{case}");
        assert_eq!(fresh.share_notices()[0].what, what, "{case}");
        assert!(fresh.rows(&Scope::All, "").is_empty(), "{case}");
    };

    // The group key wrapped to Bob by Mallory, who does not manage the group (as herself, and
    // claiming to be the admin).
    let to_bob = wrap_group_key(
        &w.mallory.keys,
        &w.group.key,
        (1, w.group.request.list.list.generation_id),
        w.bob.id(),
        &w.bob.keys.encryption_key.public_key(),
    );
    let mut as_admin = to_bob.clone();
    as_admin.sender = w.admin.id();
    for (wrapping, case) in [(to_bob, "by mallory"), (as_admin, "as the admin")] {
        w.serve_group_to_bob(GroupMeta {
            wrappings: vec![wrapping],
            ..good.clone()
        });
        opens_nothing(&w.fresh_bob(), ShareNoticeKind::Waiting, case);
    }

    // A key of another group, wrapped by the admin: not the key the list names.
    let other = make_group(
        &w.admin.keys,
        (w.company, &make_symmetric_key()),
        "Other",
        true,
        &[(w.bob.pin(), ListRole::Member)],
    )
    .unwrap();
    let mut wrong_key = wrap_group_key(
        &w.admin.keys,
        &other.key,
        (1, w.group.request.list.list.generation_id),
        w.bob.id(),
        &w.bob.keys.encryption_key.public_key(),
    );
    wrong_key.generation = 1;
    w.serve_group_to_bob(GroupMeta {
        wrappings: vec![wrong_key],
        ..good.clone()
    });
    opens_nothing(&w.fresh_bob(), ShareNoticeKind::Waiting, "another key");

    // Mallory added to the group by a list she signed herself, with a key she chose wrapped
    // to Bob: the chain does not verify, so nothing of the group is used.
    let mut added = w.group.request.list.list.clone();
    added.epoch = 2;
    added.entries.push(ListEntry {
        id: w.mallory.id().0,
        kind: EntryKind::Account,
        role: ListRole::Manager,
    });
    let mut lists = good.lists.clone();
    lists.push(sign_list(&w.mallory.keys, added));
    w.serve_group_to_bob(GroupMeta {
        lists,
        ..good.clone()
    });
    let refused = ShareNoticeKind::Refused(ListProblem::WrongWrapping);
    opens_nothing(&w.fresh_bob(), refused.clone(), "a member nobody signed");

    // The right group, but a share list (signed by its owner) that names Bob himself instead
    // of the group: the wrapping to the group is not for this share.
    w.serve_group_to_bob(good);
    let as_made = w.server.0.borrow().shares[&w.bob.id()].clone();
    let mut shares = as_made.clone();
    let mut list = shares[0].lists[0].list.clone();
    list.entries.retain(|e| e.kind != EntryKind::Group);
    list.entries.push(ListEntry {
        id: w.bob.id().0,
        kind: EntryKind::Account,
        role: ListRole::View,
    });
    shares[0].lists = vec![sign_list(&w.dave.keys, list)];
    w.server.0.borrow_mut().shares.insert(w.bob.id(), shares);
    opens_nothing(&w.fresh_bob(), refused, "a share list without the group");

    // Served as it was made, a fresh browser of Bob's opens it: the forgeries were the cause.
    w.server.0.borrow_mut().shares.insert(w.bob.id(), as_made);
    assert_eq!(w.fresh_bob().shared().len(), 1);
}

fn directory_of(company: CompanyId, admin: bool, waiting: &[&Person]) -> DirectoryState {
    DirectoryState {
        company: Some(company),
        admin,
        exists: false,
        mine: None,
        waiting: (waiting.iter()).map(|p| statement_of(&p.keys, 1)).collect(),
        ..DirectoryState::default()
    }
}

#[test]
fn an_admins_browser_makes_the_directory_key_and_hands_it_to_members() {
    let server = MemoryServer::default();
    let admin = Person::new(&server, "admin@acme.example");
    let bob = Person::new(&server, "bob@acme.example");
    let company = CompanyId::new_v7();
    {
        let mut s = server.0.borrow_mut();
        s.directory
            .insert(admin.id(), directory_of(company, true, &[&admin, &bob]));
        s.directory
            .insert(bob.id(), directory_of(company, false, &[]));
    }
    // Bob syncs first: nothing to open yet.
    bob.sync();
    assert!(bob.session.directory_key().is_none());
    assert_eq!(bob.session.company(), Some((company, false)));

    admin.sync();
    let (_, made) = admin.session.directory_key().unwrap();
    assert!(server.0.borrow().directory[&admin.id()].waiting.is_empty());
    bob.sync();
    let (_, handed) = bob.session.directory_key().unwrap();
    assert!(*made == *handed);

    // Offline, it opens again from what Bob's browser kept.
    let reopened = block_on(VaultSession::open(
        bob.cache.clone(),
        bob.server.clone(),
        bob.keys.clone(),
        4_000,
    ))
    .unwrap();
    assert!(reopened.directory_key().is_some());

    // A wrapping bound to another company does not open.
    let other = CompanyId::new_v7();
    let mut misbound = server.0.borrow().directory[&bob.id()].clone();
    misbound.company = Some(other);
    server.0.borrow_mut().directory.insert(bob.id(), misbound);
    let fresh = bob.new_browser();
    block_on(fresh.sync(2_000)).unwrap();
    assert!(fresh.directory_key().is_none());
}

#[test]
fn a_managers_browser_hands_the_group_key_on_and_makes_the_next_after_a_removal() {
    let w = world();
    let carol = Person::new(&w.server, "carol@acme.example");
    // Carol was added to the list while no manager's browser was online: no key for her.
    let mut added = w.group.request.list.list.clone();
    added.epoch = 2;
    added.entries.push(ListEntry {
        id: carol.id().0,
        kind: EntryKind::Account,
        role: ListRole::Member,
    });
    let person = |who: &Person, has_key: bool| GroupPerson {
        account: who.id(),
        email: who.keys.email.clone(),
        role: ListRole::Member,
        has_key,
    };
    let mut meta = group_served(&w.group, w.company, &w.admin);
    meta.lists.push(sign_list(&w.admin.keys, added));
    meta.people = vec![
        person(&w.admin, true),
        person(&w.bob, true),
        person(&carol, false),
    ];
    w.server
        .0
        .borrow_mut()
        .groups
        .insert(w.admin.id(), vec![meta.clone()]);
    w.server.0.borrow_mut().directory.insert(
        w.admin.id(),
        DirectoryState {
            exists: true,
            ..directory_of(w.company, true, &[])
        },
    );
    w.admin.sync();
    let (group, grant, _) = w.server.0.borrow().group_requests[0].clone();
    assert_eq!(group, w.group.request.id);
    assert_eq!(grant.wrappings.len(), 1);
    let list = VerifiedList(meta.lists[1].list.clone());
    let keys = |id: AccountId| {
        [&w.admin, &w.bob, &carol]
            .into_iter()
            .find(|p| p.id() == id)
            .map(|p| p.keys.signing_key.verifying_key())
    };
    let opened = open_group_key(
        &list,
        &grant.wrappings[0],
        carol.id(),
        &carol.keys.encryption_key,
        &keys,
    )
    .unwrap();
    assert!(opened.public_key() == w.group.key.public_key());

    // The server took Bob out: the admin's browser makes the next key, without him.
    meta.people = vec![person(&w.admin, true), person(&carol, true)];
    meta.list_stale = true;
    w.server
        .0
        .borrow_mut()
        .groups
        .insert(w.admin.id(), vec![meta.clone()]);
    w.admin.sync();
    let (_, _, change) = w.server.0.borrow().group_requests.last().cloned().unwrap();
    let change = change.unwrap();
    let mut chain = meta.lists.clone();
    chain.push(change.list.clone());
    let next = verify_group_chain(w.group.request.id, None, &chain, &keys).unwrap();
    assert_eq!(next.0.generation, 2);
    assert!(next.role_of(w.bob.id()).is_none());
    assert_eq!(next.0.entries.len(), 2);
    let to: Vec<AccountId> = (change.wrappings.iter())
        .map(|w| AccountId(w.recipient))
        .collect();
    assert_eq!(to, vec![w.admin.id(), carol.id()]);
    for wrapping in &change.wrappings {
        let who = [&w.admin, &carol]
            .into_iter()
            .find(|p| p.id().0 == wrapping.recipient)
            .unwrap();
        let key =
            open_group_key(&next, wrapping, who.id(), &who.keys.encryption_key, &keys).unwrap();
        assert!(Some(key.public_key()) == next.group_key());
    }
}

#[test]
fn a_share_is_rekeyed_to_its_groups_next_key_and_waits_while_the_group_has_none() {
    let w = world();
    let group = w.group.request.id;
    // The admin took Bob out of Ops; the group waits for its next key.
    let (next, next_key) = rotate_group(
        &w.admin.keys,
        group,
        (1, 1),
        (w.group.request.list.list.entries.iter())
            .filter(|e| e.id != w.bob.id().0)
            .copied()
            .collect(),
        &[],
    )
    .unwrap();
    let mut stale = group_served(&w.group, w.company, &w.admin);
    stale.list_stale = true;
    {
        let mut s = w.server.0.borrow_mut();
        s.directory.insert(
            w.dave.id(),
            DirectoryState {
                exists: true,
                ..directory_of(w.company, false, &[])
            },
        );
        s.company_groups.insert(w.company, vec![stale.clone()]);
        let owned = &mut s.shares.get_mut(&w.dave.id()).unwrap()[0];
        owned.rekey_pending = true;
    }
    w.dave.sync();
    assert_eq!(
        w.server.0.borrow().rekeys,
        0,
        "no new share key while the group has none"
    );

    // The group's next key is in: the share's next key is wrapped to it, not to the old one.
    let mut rotated = stale;
    rotated.lists.push(next.list.clone());
    rotated.generation = 2;
    rotated.list_stale = false;
    w.server
        .0
        .borrow_mut()
        .company_groups
        .insert(w.company, vec![rotated]);
    w.dave.sync();
    let sent = w.server.0.borrow().generations.clone();
    assert_eq!(sent.len(), 1);
    let to_group = (sent[0].wrappings.iter())
        .find(|w| w.recipient_kind == EntryKind::Group)
        .unwrap();
    assert_eq!(
        (to_group.recipient, to_group.recipient_generation),
        (group.0, 2)
    );
    let list = VerifiedList(sent[0].list.list.clone());
    assert!(list.group_role(group).is_some());
    let keys = |id: AccountId| (id == w.dave.id()).then(|| w.dave.keys.signing_key.verifying_key());
    assert!(open_share_key_via_group(&list, to_group, &next_key, &keys).is_ok());
    assert!(open_share_key_via_group(&list, to_group, &w.group.key, &keys).is_err());
}
