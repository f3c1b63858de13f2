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
    let first = found(&[], Asked::Email("bob@example.com"), Some(&served), None);
    assert_eq!(judgement(&first), Some(&Judgement::New));
    let Found::Judged { served: keys, .. } = first else {
        unreachable!()
    };
    let pins = vec![ContactPin::of(&keys, PinSource::FirstUse, 1)];
    assert_eq!(
        judgement(&found(
            &pins,
            Asked::Email("bob@example.com"),
            Some(&served),
            None
        )),
        Some(&Judgement::Same)
    );

    // The server answers for bob@ with Mallory's own valid statement relabelled: refused.
    let mut relabelled = statement_of(&mallory.vault, 1);
    relabelled.email = "bob@example.com".into();
    assert!(matches!(
        found(
            &pins,
            Asked::Email("bob@example.com"),
            Some(&relabelled),
            None
        ),
        Found::Refused(_)
    ));
    // ... or with a new account that really has that address (the server made it): a change.
    let planted = account("bob@example.com");
    let result = found(
        &pins,
        Asked::Email("bob@example.com"),
        Some(&statement_of(&planted.vault, 1)),
        None,
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
            Some(&statement_of(&mallory.vault, 1)),
            None
        ),
        Found::Refused(_)
    ));
    assert_eq!(
        found(&pins, Asked::Email("bob@example.com"), None, None),
        Found::Nobody
    );
}

#[test]
fn only_the_pinned_company_key_certifies_a_contact() {
    use crate::services::sharing::company_key::certify;
    let company = shared_types::CompanyId::new_v7();
    let company_key = wasm_crypto::make_signing_key();
    let pinned = company_key.verifying_key();
    let server_key = wasm_crypto::make_signing_key();
    let bob = account("bob@acme.example");
    let served = statement_of(&bob.vault, 1);
    let asked = Asked::Account(bob.vault.account_id);
    let certified = [certify(&company_key, company, &served).unwrap()];
    assert_eq!(
        judgement(&found(
            &[],
            asked,
            Some(&served),
            Some((&pinned, &certified))
        )),
        Some(&Judgement::NewCertified)
    );
    // A certificate the server signed with a key of its own, or one without a pinned company
    // key: first use only.
    let forged = [certify(&server_key, company, &served).unwrap()];
    assert_eq!(
        judgement(&found(&[], asked, Some(&served), Some((&pinned, &forged)))),
        Some(&Judgement::New)
    );
    assert_eq!(
        judgement(&found(&[], asked, Some(&served), None)),
        Some(&Judgement::New)
    );

    // Keys planted in Bob's name at a newer epoch replace the pin only when the company
    // certifies them; a certificate over Bob's old keys does not vouch for them.
    let Found::Judged { served: keys, .. } = found(&[], asked, Some(&served), None) else {
        unreachable!()
    };
    let pins = vec![ContactPin::of(&keys, PinSource::FirstUse, 1)];
    let mut planted = account("bob@acme.example").vault;
    planted.account_id = bob.vault.account_id;
    let new_keys = statement_of(&planted, 2);
    let for_new = [certify(&company_key, company, &new_keys).unwrap()];
    let by_server = [certify(&server_key, company, &new_keys).unwrap()];
    assert!(matches!(
        judgement(&found(
            &pins,
            asked,
            Some(&new_keys),
            Some((&pinned, &for_new))
        )),
        Some(Judgement::Recertified { .. })
    ));
    for certificates in [&by_server[..], &certified[..], &[]] {
        assert!(matches!(
            judgement(&found(
                &pins,
                asked,
                Some(&new_keys),
                Some((&pinned, certificates))
            )),
            Some(Judgement::Changed { .. })
        ));
    }
}
