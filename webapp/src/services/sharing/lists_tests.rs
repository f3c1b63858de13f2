//! The list chain and the share key as a malicious server would serve them: each forgery is
//! refused, and only what managers signed is ever used.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use shared_types::Base64Bytes;
use shared_types::sharing::ListEntry;
use uuid::Uuid;
use wasm_crypto::{make_symmetric_key, wrap_to_public_key};

use super::*;
use crate::services::keys::{NewAccount, test_account};

struct World {
    people: BTreeMap<&'static str, NewAccount>,
    share: ShareId,
    generation_id: Uuid,
}

impl World {
    fn new() -> Self {
        let people = ["owner", "manager", "editor", "viewer", "mallory"]
            .into_iter()
            .map(|name| (name, test_account(&format!("{name}@example.com"))))
            .collect();
        Self {
            people,
            share: ShareId::new_v7(),
            generation_id: Uuid::now_v7(),
        }
    }

    fn id(&self, name: &str) -> AccountId {
        self.people[name].vault.account_id
    }

    fn entry(&self, name: &str, role: ListRole) -> ListEntry {
        ListEntry {
            id: self.id(name).0,
            kind: EntryKind::Account,
            role,
        }
    }

    fn list(&self, epoch: u64, entries: Vec<ListEntry>) -> AccessListBody {
        AccessListBody {
            kind: ListKind::Share,
            object_id: self.share.0,
            epoch,
            generation: 1,
            generation_id: self.generation_id,
            group_key: None,
            entries,
        }
    }

    fn sign(&self, list: AccessListBody, by: &str) -> SignedList {
        let statement = list.statement().unwrap();
        let signature = self.people[by]
            .vault
            .signing_key
            .sign(&Statement::AccessList(&statement));
        SignedList {
            list,
            signer: self.id(by),
            signature: Base64Bytes(signature.into_bytes()),
        }
    }

    /// Epoch 1 (owner, manager, editor) and epoch 2 (the manager adds the viewer).
    fn chain(&self) -> Vec<SignedList> {
        let first = self.list(
            1,
            vec![
                self.entry("owner", ListRole::Owner),
                self.entry("manager", ListRole::Manage),
                self.entry("editor", ListRole::Edit),
            ],
        );
        let mut second = first.clone();
        second.epoch = 2;
        second.entries.push(self.entry("viewer", ListRole::View));
        vec![self.sign(first, "owner"), self.sign(second, "manager")]
    }

    fn keys(&self) -> impl Fn(AccountId) -> Option<VerifyingKey> + '_ {
        |id| {
            self.people
                .values()
                .find(|p| p.vault.account_id == id)
                .map(|p| p.vault.signing_key.verifying_key())
        }
    }

    fn wrap(&self, key: &SymmetricKey, from: &str, to: &str, generation_id: Uuid) -> KeyWrapping {
        let binding = HpkeBinding {
            purpose: Purpose::ShareKey,
            object_id: generation_id,
            sender_id: self.id(from).0,
            recipient_id: self.id(to).0,
        };
        let recipient = self.people[to].vault.encryption_key.public_key();
        let (wrapped, signature) = wrap_to_public_key(
            &recipient,
            &binding,
            key,
            &self.people[from].vault.signing_key,
        )
        .unwrap();
        KeyWrapping {
            recipient: self.id(to).0,
            recipient_kind: EntryKind::Account,
            recipient_generation: 0,
            generation: 1,
            sender: self.id(from),
            wrapped: Base64Bytes(wrapped.into_bytes()),
            signature: Base64Bytes(signature.into_bytes()),
        }
    }
}

#[test]
fn a_chain_signed_by_its_managers_is_accepted() {
    let w = World::new();
    let verified = verify_chain(w.share, None, &w.chain(), &w.keys()).unwrap();
    assert_eq!(verified.0.epoch, 2);
    assert_eq!(verified.role_of(w.id("viewer")), Some(ListRole::View));
    assert_eq!(verified.owner(), Some(w.id("owner")));
    // From a pin at epoch 1, and from a pin at the newest epoch.
    let first = VerifiedList(w.chain()[0].list.clone());
    assert_eq!(
        verify_chain(w.share, Some(&first), &w.chain(), &w.keys()).unwrap(),
        verified
    );
    assert_eq!(
        verify_chain(w.share, Some(&verified), &w.chain(), &w.keys()).unwrap(),
        verified
    );
}

#[test]
fn lists_nobody_entitled_signed_are_refused() {
    let w = World::new();
    let chain = w.chain();
    let mut cases: Vec<(&str, Vec<SignedList>, ListProblem)> = Vec::new();

    // Mallory added by the server: unsigned (signature of another list), signed by Mallory
    // herself, or by a recipient who only edits.
    let mut third = chain[1].list.clone();
    third.epoch = 3;
    third.entries.push(w.entry("mallory", ListRole::Manage));
    let mut unsigned = w.sign(third.clone(), "manager");
    unsigned.signature = chain[1].signature.clone();
    cases.push((
        "unsigned",
        vec![chain[0].clone(), chain[1].clone(), unsigned],
        ListProblem::NotSignedByManager(3),
    ));
    cases.push((
        "self-signed",
        vec![
            chain[0].clone(),
            chain[1].clone(),
            w.sign(third.clone(), "mallory"),
        ],
        ListProblem::NotSignedByManager(3),
    ));
    cases.push((
        "by an editor",
        vec![
            chain[0].clone(),
            chain[1].clone(),
            w.sign(third.clone(), "editor"),
        ],
        ListProblem::NotSignedByManager(3),
    ));
    // A signer named as someone else than who signed.
    let mut relabelled = w.sign(third.clone(), "mallory");
    relabelled.signer = w.id("manager");
    cases.push((
        "relabelled signer",
        vec![chain[0].clone(), chain[1].clone(), relabelled],
        ListProblem::NotSignedByManager(3),
    ));
    // A first list not signed by its owner.
    cases.push((
        "first list by a manager",
        vec![w.sign(chain[0].list.clone(), "manager")],
        ListProblem::NotSignedByManager(1),
    ));
    // An epoch skipped, a new owner, a generation going down, another share's list.
    let mut skipped = chain[1].list.clone();
    skipped.epoch = 3;
    cases.push((
        "epoch skipped",
        vec![chain[0].clone(), w.sign(skipped, "owner")],
        ListProblem::OutOfOrder(3),
    ));
    let mut new_owner = third.clone();
    new_owner.entries.retain(|e| e.role != ListRole::Owner);
    new_owner.entries.push(w.entry("manager", ListRole::Owner));
    cases.push((
        "owner changed",
        vec![
            chain[0].clone(),
            chain[1].clone(),
            w.sign(new_owner, "owner"),
        ],
        ListProblem::OwnerChanged,
    ));
    let mut second_gen = chain[1].list.clone();
    second_gen.generation = 2;
    let mut back = third.clone();
    back.epoch = 4;
    back.generation = 1;
    cases.push((
        "generation down",
        vec![
            chain[0].clone(),
            w.sign(second_gen.clone(), "manager"),
            {
                let mut t = third.clone();
                t.generation = 2;
                t.entries.retain(|e| e.id != w.id("mallory").0);
                w.sign(t, "owner")
            },
            w.sign(back, "owner"),
        ],
        ListProblem::GenerationDown,
    ));
    let mut elsewhere = chain[0].list.clone();
    elsewhere.object_id = Uuid::now_v7();
    cases.push((
        "another share",
        vec![w.sign(elsewhere, "owner")],
        ListProblem::OtherObject,
    ));
    for (what, lists, expected) in cases {
        assert_eq!(
            verify_chain(w.share, None, &lists, &w.keys()),
            Err(expected),
            "{what}"
        );
    }
    // A signer whose keys are not known here: nothing is decided until they are pinned.
    let no_keys = |_| None;
    assert_eq!(
        verify_chain(w.share, None, &chain, &no_keys),
        Err(ListProblem::UnknownSigner(w.id("owner")))
    );
}

#[test]
fn an_older_list_than_the_pin_is_a_rollback() {
    let w = World::new();
    let chain = w.chain();
    let pin = verify_chain(w.share, None, &chain, &w.keys()).unwrap();
    // Served only up to epoch 1: the viewer's addition hidden.
    assert_eq!(
        verify_chain(w.share, Some(&pin), &chain[..1], &w.keys()),
        Err(ListProblem::Rollback)
    );
    // Another list at the pinned epoch (a fork), validly signed by the owner.
    let mut fork = chain[1].list.clone();
    fork.entries.retain(|e| e.role != ListRole::View);
    let forked = vec![chain[0].clone(), w.sign(fork, "owner")];
    assert_eq!(
        verify_chain(w.share, Some(&pin), &forked, &w.keys()),
        Err(ListProblem::Rollback)
    );
    assert_eq!(
        verify_chain(w.share, Some(&pin), &[], &w.keys()),
        Err(ListProblem::Missing)
    );
}

#[test]
fn the_share_key_opens_only_from_a_managers_wrapping_for_this_generation() {
    let w = World::new();
    let list = verify_chain(w.share, None, &w.chain(), &w.keys()).unwrap();
    let key = make_symmetric_key();
    let me = w.id("viewer");
    let my_key = &w.people["viewer"].vault.encryption_key;
    let good = w.wrap(&key, "manager", "viewer", w.generation_id);
    let opened = open_share_key(&list, &good, me, my_key, &w.keys()).unwrap();
    assert!(opened == key);

    let cases = [
        (
            "a key of Mallory's, wrapped by Mallory",
            w.wrap(&make_symmetric_key(), "mallory", "viewer", w.generation_id),
            ListProblem::UnsignedWrapping,
        ),
        (
            "wrapped by an editor",
            w.wrap(&key, "editor", "viewer", w.generation_id),
            ListProblem::UnsignedWrapping,
        ),
        (
            // Its signature covers the older generation's binding, not this one's.
            "an older generation's wrapping",
            w.wrap(&key, "manager", "viewer", Uuid::now_v7()),
            ListProblem::UnsignedWrapping,
        ),
        (
            "someone else's wrapping",
            w.wrap(&key, "manager", "editor", w.generation_id),
            ListProblem::WrongWrapping,
        ),
        (
            "Mallory's wrapping relabelled as the manager's",
            {
                let mut w2 = w.wrap(&make_symmetric_key(), "mallory", "viewer", w.generation_id);
                w2.sender = w.id("manager");
                w2
            },
            ListProblem::UnsignedWrapping,
        ),
    ];
    for (what, wrapping, expected) in cases {
        assert_eq!(
            open_share_key(&list, &wrapping, me, my_key, &w.keys()).map(|_| ()),
            Err(expected),
            "{what}"
        );
    }
}
