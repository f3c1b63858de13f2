#![allow(clippy::unwrap_used)]

use super::*;
use crate::services::keys::{NewAccount, test_account};
use crate::services::sharing::published::statement_of;

fn account(email: &str) -> NewAccount {
    test_account(email)
}

fn judgement(found: &Found) -> Option<&Judgement> {
    match found {
        Found::Judged { judgement, .. } => Some(judgement),
        _ => None,
    }
}

#[test]
fn a_substituted_key_is_a_change_never_a_new_contact() {
    let bob = account("bob@example.com");
    let mallory = account("mallory@example.com");
    let served = statement_of(&bob.vault, 1);
    let first = found(&[], Asked::Email("bob@example.com"), Some(&served));
    assert_eq!(judgement(&first), Some(&Judgement::New));
    let Found::Judged { served: keys, .. } = first else {
        unreachable!()
    };
    let pins = vec![ContactPin::of(&keys, PinSource::FirstUse, 1)];
    assert_eq!(
        judgement(&found(
            &pins,
            Asked::Email("bob@example.com"),
            Some(&served)
        )),
        Some(&Judgement::Same)
    );

    // The server answers for bob@ with Mallory's own valid statement relabelled: refused.
    let mut relabelled = statement_of(&mallory.vault, 1);
    relabelled.email = "bob@example.com".into();
    assert!(matches!(
        found(&pins, Asked::Email("bob@example.com"), Some(&relabelled)),
        Found::Refused(_)
    ));
    // ... or with a new account that really has that address (the server made it): a change.
    let planted = account("bob@example.com");
    let result = found(
        &pins,
        Asked::Email("bob@example.com"),
        Some(&statement_of(&planted.vault, 1)),
    );
    assert!(matches!(
        judgement(&result),
        Some(Judgement::Changed { .. })
    ));
    // Looked up by id, Mallory's statement is about someone else: refused.
    assert!(matches!(
        found(
            &pins,
            Asked::Account(bob.vault.account_id),
            Some(&statement_of(&mallory.vault, 1))
        ),
        Found::Refused(_)
    ));
    assert_eq!(
        found(&pins, Asked::Email("bob@example.com"), None),
        Found::Nobody
    );
}
