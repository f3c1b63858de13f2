//! Trust records against the in-memory server: they sync between the person's browsers, stay
//! out of the item list, and a server that hides one from a new browser is caught by the
//! checkpoint (so a hidden pin cannot turn "keys changed" into "new contact").
#![allow(clippy::unwrap_used)]

use super::*;
use crate::services::sharing::published::VerifiedKeys;
use crate::services::sharing::trust::{ContactPin, PinSource};
use shared_types::AccountId;
use wasm_crypto::{derive_fingerprint, make_encryption_key, make_signing_key};

fn contact(email: &str) -> ContactPin {
    let signing = make_signing_key();
    let encryption = make_encryption_key();
    let keys = VerifiedKeys {
        account_id: AccountId::new_v7(),
        key_epoch: 1,
        email: email.to_owned(),
        encryption_key: encryption.public_key(),
        verifying_key: signing.verifying_key(),
        fingerprint: derive_fingerprint(&signing.verifying_key(), &encryption.public_key()),
    };
    ContactPin::of(&keys, PinSource::FirstUse, 5)
}

#[test]
fn pinned_contacts_reach_the_other_browsers_and_are_not_items() {
    let server = MemoryServer::default();
    let (a, b) = (browser(&server), browser(&server));
    let bob = contact("bob@example.com");
    block_on(a.pin_contact(bob.clone(), 10)).unwrap();
    assert_eq!(a.contacts(), vec![bob.clone()]);
    assert!(
        a.rows(&Scope::All, "").is_empty(),
        "a contact is not an item"
    );
    block_on(a.sync(20)).unwrap();
    block_on(b.sync(30)).unwrap();
    assert_eq!(b.contacts(), vec![bob.clone()]);

    // Marked as compared in B: one record (the same id), a newer version, back in A.
    let compared = ContactPin {
        source: PinSource::Compared,
        ..bob.clone()
    };
    block_on(b.pin_contact(compared.clone(), 40)).unwrap();
    block_on(b.sync(50)).unwrap();
    block_on(a.sync(60)).unwrap();
    assert_eq!(a.contacts(), vec![compared.clone()]);
    assert_eq!(a.contact(bob.account_id), Some(compared));
    assert_eq!(block_on(a.pending_count()).unwrap(), 0);
    // Nothing of the trust store lands in the Business profile.
    let business = business(&a);
    assert!(
        server
            .0
            .borrow()
            .records
            .keys()
            .all(|(container, _)| *container != business)
    );
}

#[test]
fn a_pin_hidden_from_a_new_browser_is_reported() {
    let server = MemoryServer::default();
    let a = browser(&server);
    let personal = personal(&a);
    let bob = contact("bob@example.com");
    block_on(a.pin_contact(bob.clone(), 10)).unwrap();
    block_on(a.pin_contact(contact("carol@example.com"), 10)).unwrap();
    block_on(a.sync(20)).unwrap();
    assert!(a.checked(personal) > 0, "A left a checkpoint");

    let hidden = *server
        .0
        .borrow()
        .records
        .keys()
        .map(|(_, id)| id)
        .find(|id| {
            block_on(a.stored(&store::trust_key(**id)))
                .unwrap()
                .is_some_and(|r| {
                    seal::open_trust(&a.key_of(personal).unwrap(), &r)
                        == Ok(crate::services::sharing::trust::TrustData::Contact(
                            bob.clone(),
                        ))
                })
        })
        .unwrap();
    server.0.borrow_mut().hidden.insert(hidden);
    let fresh = browser(&server);
    let report = block_on(fresh.sync(30)).unwrap();
    assert_eq!(
        report.containers,
        vec![ContainerFinding {
            container: personal,
            what: ContainerFindingKind::RecordsHidden,
        }],
        "{report:?}"
    );
    assert_eq!(fresh.contact(bob.account_id), None);
}
