#![allow(clippy::unwrap_used)]

use super::*;
use crate::services::keys::{NewAccount, test_account};

fn account(email: &str) -> NewAccount {
    test_account(email)
}

fn bundle(new: &NewAccount, published: Option<PublishedKeys>) -> AccountBundle {
    AccountBundle {
        account_id: new.vault.account_id,
        email: new.vault.email.clone(),
        kdf: new.kdf,
        password_envelope: new.envelope.clone(),
        keys: new.keys.clone(),
        published_keys: published,
    }
}

#[test]
fn keys_are_published_when_missing_or_not_exactly_ours() {
    let alice = account("alice@example.com");
    let mallory = account("mallory@example.com");
    assert_eq!(
        epoch_to_publish(&alice.vault, &bundle(&alice, None)),
        Some(1)
    );
    let ours = statement_of(&alice.vault, 3);
    assert_eq!(
        epoch_to_publish(&alice.vault, &bundle(&alice, Some(ours.clone()))),
        None
    );
    // The server serves someone else's keys as ours, or a damaged statement: publish over it.
    let mut planted = statement_of(&mallory.vault, 3);
    planted.account_id = alice.vault.account_id;
    assert_eq!(
        epoch_to_publish(&alice.vault, &bundle(&alice, Some(planted))),
        Some(4)
    );
    let mut damaged = ours;
    damaged.signature.0[5] ^= 1;
    assert_eq!(
        epoch_to_publish(&alice.vault, &bundle(&alice, Some(damaged))),
        Some(4)
    );
}

#[test]
fn a_served_statement_is_used_only_if_signed_and_about_whom_was_asked() {
    let alice = account("alice@example.com");
    let bob = account("bob@example.com");
    let served = statement_of(&alice.vault, 1);
    let verified = verify(&served, &Asked::Email(" ALICE@example.com")).unwrap();
    assert_eq!(verified.account_id, alice.vault.account_id);
    assert_eq!(
        verified.encryption_key,
        alice.vault.encryption_key.public_key()
    );
    assert_eq!(verified.fingerprint.len(), 35);
    verify(&served, &Asked::Account(alice.vault.account_id)).unwrap();

    assert!(matches!(
        verify(&served, &Asked::Email("bob@example.com")),
        Err(KeysRefused::OtherAccount(_))
    ));
    assert!(matches!(
        verify(&served, &Asked::Account(bob.vault.account_id)),
        Err(KeysRefused::OtherAccount(_))
    ));
    // Bob's keys relabelled as Alice's: the signature no longer verifies.
    let mut swapped = statement_of(&bob.vault, 1);
    swapped.account_id = alice.vault.account_id;
    swapped.email = "alice@example.com".into();
    assert!(matches!(
        verify(&swapped, &Asked::Email("alice@example.com")),
        Err(KeysRefused::NotSigned(_))
    ));
    let mut replayed = served.clone();
    replayed.key_epoch = 7;
    assert!(matches!(
        verify(&replayed, &Asked::Email("alice@example.com")),
        Err(KeysRefused::NotSigned(_))
    ));
    let mut short = served;
    short.verifying_key.0.pop();
    assert!(matches!(
        verify(&short, &Asked::Email("alice@example.com")),
        Err(KeysRefused::NotSigned(_))
    ));
}
