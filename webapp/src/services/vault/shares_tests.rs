//! Shared folders between browsers of different accounts, against the in-memory server: a
//! shared folder reaches its recipient with its items and folders, edits travel both ways, a
//! viewer cannot change it, a share taken away is forgotten, and what a server forges about a
//! share (a list nobody entitled signed, a key wrapped by someone else) is not acted on.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use futures_executor::block_on;
use shared_types::account::ProfileKind;
use shared_types::sharing::{EntryKind, ListRole, ShareMeta, SharePrincipal, SignedList};
use shared_types::vault::RecordKind;
use shared_types::{AccountId, Base64Bytes, ContainerId, ShareId};
use wasm_crypto::Statement;

use crate::cache::{Cache, MemoryCache, Store};
use crate::services::keys::{VaultKeys, test_account};
use crate::services::sharing::lists::ListProblem;
use crate::services::sharing::making::{NewShare, make_share};
use crate::services::sharing::published::{Asked, statement_of, verify};
use crate::services::sharing::trust::{ContactPin, PinSource};
use crate::services::vault::memory_server::{MemoryServer, principals_of};
use crate::services::vault::model::{ItemData, ItemKind};
use crate::services::vault::{Area, Scope, ShareNoticeKind, VaultError, VaultSession};

struct Person {
    keys: Arc<VaultKeys>,
    server: MemoryServer,
    cache: MemoryCache,
    session: VaultSession<MemoryCache>,
}

impl Person {
    fn new(server: &MemoryServer, email: &str) -> Self {
        let keys = Arc::new(test_account(email).vault);
        server.0.borrow_mut().published.push(statement_of(&keys, 1));
        let cache = MemoryCache::default();
        let server = server.as_account(keys.account_id);
        let session = block_on(VaultSession::open(
            cache.clone(),
            server.clone(),
            keys.clone(),
            1_000,
        ))
        .unwrap();
        Self {
            keys,
            server,
            cache,
            session,
        }
    }

    fn id(&self) -> AccountId {
        self.keys.account_id
    }

    /// Another browser of the same person, with an empty store.
    fn new_browser(&self) -> VaultSession<MemoryCache> {
        block_on(VaultSession::open(
            MemoryCache::default(),
            self.server.clone(),
            self.keys.clone(),
            1_000,
        ))
        .unwrap()
    }

    /// The pin another browser would make of this person's keys.
    fn pin(&self) -> ContactPin {
        let keys = verify(&statement_of(&self.keys, 1), &Asked::Account(self.id())).unwrap();
        ContactPin::of(&keys, PinSource::FirstUse, 1)
    }

    fn personal(&self) -> ContainerId {
        (self.session.profiles().into_iter())
            .find(|(_, k)| *k == ProfileKind::Personal)
            .unwrap()
            .0
    }

    fn sync(&self) {
        block_on(self.session.sync(2_000)).unwrap();
    }

    fn titles(&self, scope: &Scope) -> Vec<String> {
        let mut titles: Vec<String> = (self.session.rows(scope, "").into_iter())
            .map(|r| r.summary.title)
            .collect();
        titles.sort();
        titles
    }
}

fn login(title: &str, password: &str) -> ItemData {
    let mut item = ItemData::new(ItemKind::Login, 1);
    item.title = title.into();
    item.set_field("password", password.into());
    item
}

/// What the server serves `who` of a share made as `made`: the lists, the wrappings to them,
/// and their role.
fn served(made: &NewShare, owner: AccountId, who: AccountId, role: ListRole) -> ShareMeta {
    ShareMeta {
        id: made.request.id,
        owner,
        role,
        sealed_name: made.request.sealed_name.clone(),
        name_version: 1,
        lists: vec![made.request.list.clone()],
        generation: 1,
        wrappings: (made.request.wrappings.iter())
            .filter(|w| w.recipient == who.0)
            .cloned()
            .collect(),
        // The server shows who has access to managers only.
        principals: match role {
            ListRole::Owner | ListRole::Manage => principals_of(&made.request.list.list.entries),
            _ => Vec::new(),
        },
        rekey_pending: false,
        invitees_ready: Vec::new(),
    }
}

/// Alice shares a folder "Servers" (two items and a subfolder "DB" with one) with Bob as
/// `role`; the server serves the share to both. Returns the share.
fn share_servers(alice: &Person, bob: &Person, role: ListRole) -> (ShareId, NewShare) {
    let s = &alice.session;
    let personal = alice.personal();
    let servers = block_on(s.create_folder(personal, "Servers", None, 1)).unwrap();
    let db = block_on(s.create_folder(personal, "DB", Some(servers), 1)).unwrap();
    for (title, folder) in [("web", servers), ("mail", servers), ("postgres", db)] {
        let mut item = login(title, "pw");
        item.folder = Some(folder);
        block_on(s.save_item(None, personal, item, 1)).unwrap();
    }
    block_on(s.save_item(None, personal, login("mine", "pw"), 1)).unwrap();
    let made = make_share(
        &alice.keys,
        "Client servers",
        (&[(bob.pin(), role)], &[]),
        &[],
    )
    .unwrap();
    let id = made.request.id;
    {
        let mut server = alice.server.0.borrow_mut();
        let owner = served(&made, alice.id(), alice.id(), ListRole::Owner);
        server.shares.insert(alice.id(), vec![owner]);
        server
            .shares
            .insert(bob.id(), vec![served(&made, alice.id(), bob.id(), role)]);
    }
    let meta = served(&made, alice.id(), alice.id(), ListRole::Owner);
    let container = block_on(s.adopt_share(meta, 1)).unwrap();
    block_on(s.move_folder_to_container(servers, container, 1)).unwrap();
    alice.sync();
    (id, made)
}

#[test]
fn a_shared_folder_reaches_its_recipient_and_edits_travel_both_ways() {
    let server = MemoryServer::default();
    let alice = Person::new(&server, "alice@example.com");
    let bob = Person::new(&server, "bob@example.com");
    let (share, _) = share_servers(&alice, &bob, ListRole::Edit);
    let container = ContainerId::from(share);
    // Alice's personal profile keeps only what was not shared.
    assert_eq!(alice.titles(&Scope::Container(alice.personal())), ["mine"]);
    assert_eq!(
        alice.titles(&Scope::Container(container)),
        ["mail", "postgres", "web"]
    );

    bob.sync();
    let shared = bob.session.shared();
    assert_eq!(shared.len(), 1);
    assert_eq!(&*shared[0].1.name, "Client servers");
    assert_eq!(shared[0].1.role, ListRole::Edit);
    assert_eq!(shared[0].1.owner, alice.id());
    assert_eq!(
        bob.titles(&Scope::Container(container)),
        ["mail", "postgres", "web"]
    );
    let paths: Vec<String> = (bob.session.folders().into_iter())
        .filter(|f| f.container == container)
        .map(|f| f.path)
        .collect();
    assert_eq!(paths, ["Servers", "Servers / DB"]);
    // Bob learned Alice's keys on first use, from the lists she signed.
    assert!(bob.session.contact(alice.id()).is_some());

    // Bob edits; Alice sees it, with the replaced version in its history.
    let web = (bob.session.rows(&Scope::Container(container), "web"))[0].id;
    let mut item = block_on(bob.session.item(web)).unwrap().data;
    item.set_field("password", "changed by bob".into());
    block_on(bob.session.save_item(Some(web), container, item, 3_000)).unwrap();
    bob.sync();
    alice.sync();
    let seen = block_on(alice.session.item(web)).unwrap();
    assert_eq!(seen.data.field("password"), "changed by bob");
    assert_eq!(block_on(alice.session.history(web)).unwrap().len(), 1);

    // Offline, the share opens again from what this browser kept.
    let reopened = block_on(VaultSession::open(
        bob.cache.clone(),
        bob.server.clone(),
        bob.keys.clone(),
        4_000,
    ))
    .unwrap();
    assert_eq!(reopened.shared().len(), 1);
    assert_eq!(
        block_on(reopened.item(web)).unwrap().data.field("password"),
        "changed by bob"
    );
}

#[test]
fn an_item_moved_into_a_share_gets_a_new_key_and_brings_its_history() {
    let server = MemoryServer::default();
    let alice = Person::new(&server, "alice@example.com");
    let bob = Person::new(&server, "bob@example.com");
    let (share, _) = share_servers(&alice, &bob, ListRole::Edit);
    let container = ContainerId::from(share);
    let mine = alice.session.rows(&Scope::All, "mine")[0].id;
    let mut item = block_on(alice.session.item(mine)).unwrap().data;
    item.set_field("password", "second".into());
    block_on(
        alice
            .session
            .save_item(Some(mine), alice.personal(), item, 5),
    )
    .unwrap();
    alice.sync();
    let before = block_on(
        alice
            .session
            .stored(&crate::services::vault::store::item_key(mine)),
    )
    .unwrap()
    .unwrap();
    block_on(alice.session.move_to_container(mine, container, None, 6)).unwrap();
    alice.sync();
    let after = block_on(
        alice
            .session
            .stored(&crate::services::vault::store::item_key(mine)),
    )
    .unwrap()
    .unwrap();
    assert_eq!(after.container_id, container);
    // A new item key: the wrapped key differs and the old one does not open the new content.
    let old_key = block_on(async {
        let key = alice.session.key_of(alice.personal()).unwrap();
        crate::services::vault::seal::open_item(&key, &before)
            .unwrap()
            .0
    });
    let mut moved_as_before = after.clone();
    moved_as_before.key = before.key.clone();
    let share_key = alice.session.key_of(container).unwrap();
    assert!(crate::services::vault::seal::open_item(&share_key, &moved_as_before).is_err());
    let new_key = crate::services::vault::seal::open_item(&share_key, &after)
        .unwrap()
        .0;
    assert!(new_key != old_key);

    bob.sync();
    let history = block_on(bob.session.history(mine)).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].history.item.field("password"), "pw");
}

#[test]
fn a_viewer_cannot_change_a_shared_folder() {
    let server = MemoryServer::default();
    let alice = Person::new(&server, "alice@example.com");
    let bob = Person::new(&server, "bob@example.com");
    let (share, _) = share_servers(&alice, &bob, ListRole::View);
    let container = ContainerId::from(share);
    bob.sync();
    assert!(matches!(
        bob.session.area(container),
        Some(Area::Shared(s)) if s.role == ListRole::View
    ));
    let web = bob.session.rows(&Scope::Container(container), "web")[0].id;
    let data = block_on(bob.session.item(web)).unwrap().data;
    let refused = |r: Result<_, VaultError>| {
        assert_eq!(
            r.err(),
            Some(VaultError::Invalid(
                shared_types::push_rules::READ_ONLY.to_owned()
            ))
        );
    };
    refused(block_on(bob.session.save_item(Some(web), container, data.clone(), 9)).map(|_| ()));
    refused(block_on(bob.session.save_item(None, container, login("new", "x"), 9)).map(|_| ()));
    refused(block_on(bob.session.trash_item(web, 9)));
    refused(block_on(bob.session.create_folder(container, "x", None, 9)).map(|_| ()));
    // Copying it out is allowed: a viewer can read it anyway.
    block_on(bob.session.save_item(None, bob.personal(), data, 9)).unwrap();
    refused(block_on(bob.session.move_to_container(
        web,
        bob.personal(),
        None,
        9,
    )));
    assert_eq!(bob.titles(&Scope::Container(bob.personal())), ["web"]);
    assert_eq!(bob.titles(&Scope::Container(container)).len(), 3);
}

#[test]
fn a_share_taken_away_is_forgotten_by_the_recipients_browser() {
    let server = MemoryServer::default();
    let alice = Person::new(&server, "alice@example.com");
    let bob = Person::new(&server, "bob@example.com");
    let (share, _) = share_servers(&alice, &bob, ListRole::Edit);
    let container = ContainerId::from(share);
    bob.sync();
    assert_eq!(bob.titles(&Scope::Container(container)).len(), 3);
    server.0.borrow_mut().shares.insert(bob.id(), Vec::new());
    bob.sync();
    assert!(bob.session.shared().is_empty());
    assert!(bob.session.area(container).is_none());
    assert!(bob.titles(&Scope::All).is_empty());
    assert!(
        block_on(bob.cache.get(Store::Sharing, &share.to_string()))
            .unwrap()
            .is_none()
    );
    let kept = block_on(bob.cache.get_prefix(Store::Records, "")).unwrap();
    let left = (kept.iter())
        .filter_map(|(_, b)| serde_json::from_slice::<shared_types::vault::VaultRecord>(b).ok())
        .filter(|r| r.container_id == container)
        .count();
    assert_eq!(left, 0, "records of the share are left");
    // What Bob keeps of his own (Alice's pinned keys) stays.
    assert!(bob.session.contact(alice.id()).is_some());
}

#[test]
fn a_recipient_waits_until_a_manager_wraps_the_key() {
    let server = MemoryServer::default();
    let alice = Person::new(&server, "alice@example.com");
    let bob = Person::new(&server, "bob@example.com");
    let (share, made) = share_servers(&alice, &bob, ListRole::Edit);
    let mut waiting = served(&made, alice.id(), bob.id(), ListRole::Edit);
    let wrappings = std::mem::take(&mut waiting.wrappings);
    server.0.borrow_mut().shares.insert(bob.id(), vec![waiting]);
    bob.sync();
    let notices = bob.session.share_notices();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].what, ShareNoticeKind::Waiting);
    assert!(bob.session.shared().is_empty());
    // The records pulled meanwhile were skipped; once the key arrives they are pulled again.
    let mut ready = served(&made, alice.id(), bob.id(), ListRole::Edit);
    ready.wrappings = wrappings;
    server.0.borrow_mut().shares.insert(bob.id(), vec![ready]);
    bob.sync();
    assert!(bob.session.share_notices().is_empty());
    assert_eq!(
        bob.titles(&Scope::Container(ContainerId::from(share))),
        ["mail", "postgres", "web"]
    );
}

/// Signs `list` as `signer` would.
fn signed(list: &shared_types::sharing::AccessListBody, signer: &VaultKeys) -> SignedList {
    let statement = list.statement().unwrap();
    SignedList {
        list: list.clone(),
        signer: signer.account_id,
        signature: Base64Bytes(
            signer
                .signing_key
                .sign(&Statement::AccessList(&statement))
                .into_bytes(),
        ),
    }
}

#[test]
fn a_list_or_key_the_server_forges_is_not_acted_on() {
    let server = MemoryServer::default();
    let alice = Person::new(&server, "alice@example.com");
    let bob = Person::new(&server, "bob@example.com");
    let mallory = Person::new(&server, "mallory@example.com");
    let (share, made) = share_servers(&alice, &bob, ListRole::View);
    let container = ContainerId::from(share);
    bob.sync();
    let good = served(&made, alice.id(), bob.id(), ListRole::View);

    // Mallory (a stranger) signs epoch 2 making Bob a manager and herself an owner.
    let mut forged = good.clone();
    let mut next = made.request.list.list.clone();
    next.epoch = 2;
    for entry in &mut next.entries {
        if entry.id == bob.id().0 {
            entry.role = ListRole::Manage;
        }
    }
    forged.lists.push(signed(&next, &mallory.keys));
    forged.role = ListRole::Manage;
    server.0.borrow_mut().shares.insert(bob.id(), vec![forged]);
    bob.sync();
    let notices = bob.session.share_notices();
    assert_eq!(
        notices[0].what,
        ShareNoticeKind::Refused(ListProblem::NotSignedByManager(2))
    );
    // The share stays as verified before: view only, with its items.
    assert!(matches!(
        bob.session.area(container),
        Some(Area::Shared(s)) if s.role == ListRole::View
    ));
    assert_eq!(bob.titles(&Scope::Container(container)).len(), 3);

    // A new browser of Bob's is served the right list, but a key Mallory wrapped to Bob: as
    // herself (not a manager), then claiming to be Alice. Neither opens.
    let theirs = make_share(
        &mallory.keys,
        "Client servers",
        (&[(bob.pin(), ListRole::Edit)], &[]),
        &[],
    )
    .unwrap();
    let to_bob = (theirs.request.wrappings.iter())
        .find(|w| w.recipient == bob.id().0)
        .cloned()
        .unwrap();
    let mut as_alice = to_bob.clone();
    as_alice.sender = alice.id();
    for (wrapping, problem) in [
        (to_bob, ListProblem::UnsignedWrapping),
        (as_alice, ListProblem::UnsignedWrapping),
    ] {
        let mut swapped = good.clone();
        swapped.wrappings = vec![wrapping];
        server.0.borrow_mut().shares.insert(bob.id(), vec![swapped]);
        let fresh = bob.new_browser();
        block_on(fresh.sync(2_000)).unwrap();
        assert!(fresh.shared().is_empty());
        assert_eq!(
            fresh.share_notices()[0].what,
            ShareNoticeKind::Refused(problem)
        );
        assert!(fresh.rows(&Scope::All, "").is_empty());
    }
}

#[test]
fn removing_a_recipient_rekeys_the_share_in_the_owners_next_sync() {
    let server = MemoryServer::default();
    let alice = Person::new(&server, "alice@example.com");
    let bob = Person::new(&server, "bob@example.com");
    let carol = Person::new(&server, "carol@example.com");
    let s = &alice.session;
    let personal = alice.personal();
    let servers = block_on(s.create_folder(personal, "Servers", None, 1)).unwrap();
    let mut item = login("web", "pw-1");
    item.folder = Some(servers);
    let web = block_on(s.save_item(None, personal, item.clone(), 1)).unwrap();
    item.set_field("password", "pw-2".into());
    block_on(s.save_item(Some(web), personal, item, 2)).unwrap();
    let made = make_share(
        &alice.keys,
        "Client servers",
        (
            &[(bob.pin(), ListRole::Edit), (carol.pin(), ListRole::View)],
            &[],
        ),
        &[],
    )
    .unwrap();
    let share = made.request.id;
    let container = ContainerId::from(share);
    let principals = |who: &[(&Person, ListRole)]| -> Vec<SharePrincipal> {
        (who.iter())
            .map(|(p, role)| SharePrincipal {
                id: p.id().0,
                kind: EntryKind::Account,
                role: *role,
                email: None,
                has_key: true,
            })
            .collect()
    };
    {
        let mut owner = served(&made, alice.id(), alice.id(), ListRole::Owner);
        owner.principals = principals(&[
            (&alice, ListRole::Owner),
            (&bob, ListRole::Edit),
            (&carol, ListRole::View),
        ]);
        let mut server = server.0.borrow_mut();
        server.shares.insert(alice.id(), vec![owner]);
        for (p, role) in [(&bob, ListRole::Edit), (&carol, ListRole::View)] {
            let meta = served(&made, alice.id(), p.id(), role);
            server.shares.insert(p.id(), vec![meta]);
        }
    }
    let meta = served(&made, alice.id(), alice.id(), ListRole::Owner);
    block_on(s.adopt_share(meta, 3)).unwrap();
    block_on(s.move_folder_to_container(servers, container, 3)).unwrap();
    alice.sync();
    bob.sync();
    carol.sync();
    assert_eq!(carol.titles(&Scope::Container(container)), ["web"]);
    // What Carol's browser held: the item, and through it its item key.
    let carols_copy = block_on(
        carol
            .session
            .stored(&crate::services::vault::store::item_key(web)),
    )
    .unwrap()
    .unwrap();

    // The server takes Carol away at once and flags the share.
    {
        let mut server = server.0.borrow_mut();
        server.shares.insert(carol.id(), Vec::new());
        let owner = &mut server.shares.get_mut(&alice.id()).unwrap()[0];
        owner.rekey_pending = true;
        owner.principals = principals(&[(&alice, ListRole::Owner), (&bob, ListRole::Edit)]);
    }
    alice.sync();
    let owner = server.0.borrow().shares[&alice.id()][0].clone();
    assert_eq!(server.0.borrow().rekeys, 1);
    assert!(!owner.rekey_pending, "the re-key was reported done");
    assert_eq!(owner.generation, 2);
    let next = &owner.lists[1];
    assert_eq!((next.signer, next.list.epoch), (alice.id(), 2));
    assert!(next.list.entries.iter().all(|e| e.id != carol.id().0));
    assert!(owner.wrappings.iter().all(|w| w.generation == 2));

    // Every record of the share on the server is sealed under the new key: the old one opens
    // none of them, the new one all.
    let new_key = alice.session.key_of(container).unwrap();
    let records: Vec<shared_types::vault::VaultRecord> = (server.0.borrow().records.values())
        .filter(|r| r.container_id == container && r.data.is_some())
        .cloned()
        .collect();
    assert_eq!(
        records.len(),
        3,
        "the item, its past version and the folder"
    );
    for record in &records {
        let opens = |key: &wasm_crypto::SymmetricKey| match record.kind {
            RecordKind::Item => crate::services::vault::seal::open_item(key, record).is_ok(),
            RecordKind::Folder => crate::services::vault::seal::open_folder(key, record).is_ok(),
            _ => true,
        };
        assert!(opens(&new_key));
        assert!(
            !opens(&made.key) || record.kind == RecordKind::History,
            "{:?} v{} opens under the old key",
            record.kind,
            record.version
        );
    }
    // History is sealed under the item's key, which is new too: the old item key opens nothing.
    let old_item_key = crate::services::vault::seal::open_item(&made.key, &carols_copy)
        .unwrap()
        .0;
    for past in records.iter().filter(|r| r.kind == RecordKind::History) {
        assert!(crate::services::vault::seal::open_history(&old_item_key, past).is_err());
    }

    // Bob follows to the new generation and still reads everything, history included.
    bob.sync();
    assert_eq!(bob.titles(&Scope::Container(container)), ["web"]);
    assert_eq!(
        block_on(bob.session.item(web))
            .unwrap()
            .data
            .field("password"),
        "pw-2"
    );
    assert_eq!(block_on(bob.session.history(web)).unwrap().len(), 1);
    assert!(bob.session.share_notices().is_empty());

    // A server that goes back to the first list and the old key (as before Carol's removal)
    // is refused: Bob's browser keeps the second generation it verified.
    let before = served(&made, alice.id(), bob.id(), ListRole::Edit);
    server.0.borrow_mut().shares.insert(bob.id(), vec![before]);
    bob.sync();
    assert_eq!(
        bob.session.share_notices()[0].what,
        ShareNoticeKind::Refused(ListProblem::Rollback)
    );
    assert!(*bob.session.key_of(container).unwrap() == *new_key);
    assert_eq!(bob.titles(&Scope::Container(container)), ["web"]);
}

#[test]
fn a_manager_adds_people_and_renames_the_share() {
    let server = MemoryServer::default();
    let alice = Person::new(&server, "alice@example.com");
    let bob = Person::new(&server, "bob@example.com");
    let carol = Person::new(&server, "carol@example.com");
    let (share, _) = share_servers(&alice, &bob, ListRole::Manage);
    let container = ContainerId::from(share);
    bob.sync();
    // Bob manages: he adds Carol as a viewer, and renames the share.
    block_on(
        bob.session
            .add_to_share(share, &[(carol.pin(), ListRole::View)], &[], 3),
    )
    .unwrap();
    block_on(bob.session.rename_shared(share, "Servers of Acme", 3)).unwrap();
    carol.sync();
    let shared = carol.session.shared();
    assert_eq!(&*shared[0].1.name, "Servers of Acme");
    assert_eq!(shared[0].1.role, ListRole::View);
    assert_eq!(
        carol.titles(&Scope::Container(container)),
        ["mail", "postgres", "web"]
    );
    alice.sync();
    assert_eq!(&*alice.session.shared()[0].1.name, "Servers of Acme");
    // The list Bob signed is the pin everywhere now.
    let kept = alice.session.kept_share(share).unwrap();
    assert_eq!(kept.lists.last().unwrap().signer, bob.id());

    // Carol only views: she changes neither who has access nor the name.
    for refused in [
        block_on(
            carol
                .session
                .add_to_share(share, &[(alice.pin(), ListRole::Edit)], &[], 4),
        ),
        block_on(carol.session.rename_shared(share, "Mine now", 4)),
    ] {
        assert!(matches!(refused, Err(VaultError::Invalid(_))));
    }
    assert_eq!(
        block_on(
            bob.session
                .add_to_share(share, &[(carol.pin(), ListRole::Edit)], &[], 5)
        )
        .err(),
        Some(VaultError::Invalid(
            "carol@example.com already has access to this shared folder.".to_owned()
        ))
    );
}

#[test]
fn an_item_of_one_share_served_in_another_is_not_listed_there() {
    let server = MemoryServer::default();
    let alice = Person::new(&server, "alice@example.com");
    let bob = Person::new(&server, "bob@example.com");
    let (first, _) = share_servers(&alice, &bob, ListRole::Edit);
    // A second share, to Bob as well.
    let s = &alice.session;
    let other = block_on(s.create_folder(alice.personal(), "Other", None, 4)).unwrap();
    let mut note = login("other note", "x");
    note.folder = Some(other);
    block_on(s.save_item(None, alice.personal(), note, 4)).unwrap();
    let made = make_share(
        &alice.keys,
        "Other",
        (&[(bob.pin(), ListRole::Edit)], &[]),
        &[],
    )
    .unwrap();
    let second = ContainerId::from(made.request.id);
    {
        let mut server = server.0.borrow_mut();
        let owner = served(&made, alice.id(), alice.id(), ListRole::Owner);
        server.shares.get_mut(&alice.id()).unwrap().push(owner);
        let to_bob = served(&made, alice.id(), bob.id(), ListRole::Edit);
        server.shares.get_mut(&bob.id()).unwrap().push(to_bob);
    }
    let owner = served(&made, alice.id(), alice.id(), ListRole::Owner);
    block_on(s.adopt_share(owner, 4)).unwrap();
    block_on(s.move_folder_to_container(other, second, 4)).unwrap();
    alice.sync();
    bob.sync();
    assert_eq!(bob.titles(&Scope::Container(second)), ["other note"]);

    // The server serves "web" of the first share as a record of the second.
    let first = ContainerId::from(first);
    let web = bob.session.rows(&Scope::Container(first), "web")[0].id;
    {
        let mut server = server.0.borrow_mut();
        let mut moved = server.records[&(first, web)].clone();
        let head = server.heads.entry(second).or_default();
        *head += 1;
        moved.revision = *head;
        moved.container_id = second;
        server.records.insert((second, web), moved);
    }
    let fresh = bob.new_browser();
    let report = block_on(fresh.sync(5_000)).unwrap();
    assert!(report.findings.iter().any(|f| f.record == web));
    assert_eq!(
        (fresh.rows(&Scope::Container(second), "").into_iter())
            .map(|r| r.summary.title)
            .collect::<Vec<_>>(),
        ["other note"]
    );
    assert_eq!(fresh.container_of(web), Some(first));
}

#[path = "groups_tests.rs"]
mod groups;

#[path = "company_key_tests.rs"]
mod company_key;

#[path = "invitee_tests.rs"]
mod invitees;
