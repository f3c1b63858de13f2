//! People invited to a share before they have an account, against the in-memory server: a
//! manager's browser replaces the invitee with the account once the server says they are
//! ready, but only for the invitee's own address and the keys it pinned.

use super::*;

#[test]
fn an_invitee_joins_once_a_managers_browser_finds_their_keys() {
    let server = MemoryServer::default();
    let alice = Person::new(&server, "alice@example.com");
    let bob = Person::new(&server, "bob@example.com");
    let (share, _) = share_servers(&alice, &bob, ListRole::Edit);
    let container = ContainerId::from(share);
    block_on(alice.session.add_to_share(
        share,
        &[],
        &[("NewBie@example.com".to_owned(), ListRole::View)],
        2,
    ))
    .unwrap();
    let invitee = wasm_crypto::derive_invitee_id("newbie@example.com");
    let listed = |who: &Person| {
        let meta = who.session.kept_share(share).unwrap();
        let list = crate::services::vault::shares::pin_of(&meta).unwrap();
        list.0
            .entries
            .iter()
            .map(|e| (e.id, e.kind))
            .collect::<Vec<_>>()
    };
    assert!(listed(&alice).contains(&(invitee, EntryKind::Invitee)));

    // The server names as ready someone whose address is not the invitee's, and keys planted
    // under the invitee's account that differ from the ones Alice's browser pinned: nothing.
    let newbie = Person::new(&server, "newbie@example.com");
    let mallory = Person::new(&server, "mallory@example.com");
    block_on(alice.session.pin_unknown(&[newbie.id()], 3)).unwrap();
    let mut planted = test_account("newbie@example.com").vault;
    planted.account_id = newbie.id();
    let ready = |keys: Vec<shared_types::sharing::PublishedKeys>| {
        let mut s = server.0.borrow_mut();
        for meta in s.shares.get_mut(&alice.id()).unwrap() {
            meta.invitees_ready = keys.clone();
        }
    };
    ready(vec![
        statement_of(&mallory.keys, 1),
        statement_of(&planted, 2),
    ]);
    alice.sync();
    assert!(listed(&alice).contains(&(invitee, EntryKind::Invitee)));
    assert!(
        !listed(&alice)
            .iter()
            .any(|(id, _)| *id == mallory.id().0 || *id == newbie.id().0)
    );

    // Newbie's own keys: the next list names them as a viewer, and the key reaches them.
    ready(vec![statement_of(&newbie.keys, 1)]);
    alice.sync();
    assert!(listed(&alice).contains(&(newbie.id().0, EntryKind::Account)));
    assert!(!listed(&alice).contains(&(invitee, EntryKind::Invitee)));
    newbie.sync();
    assert_eq!(
        newbie.titles(&Scope::Container(container)),
        ["mail", "postgres", "web"]
    );
    assert_eq!(newbie.session.shared()[0].1.role, ListRole::View);
    mallory.sync();
    assert!(mallory.session.shared().is_empty());
}
