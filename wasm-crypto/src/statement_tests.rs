//! The statements others rely on (published keys, certificates, company keys, access lists) and
//! the derived ids: each signature verifies for exactly the statement signed.
#![allow(clippy::unwrap_used)]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::vectors::{self, bytes, id};
use crate::*;

struct Keys {
    signer: SigningKey,
    verifying: VerifyingKey,
    encryption: EncryptionPublicKey,
}

fn keys() -> Keys {
    let signer = vectors::signing_key();
    Keys {
        verifying: signer.verifying_key(),
        encryption: vectors::x25519_key().public_key(),
        signer,
    }
}

fn published<'a>(k: &'a Keys, epoch: u64, email: &'static str) -> Statement<'a> {
    Statement::PublishedKeys {
        account_id: id(8),
        key_epoch: epoch,
        email,
        encryption_key: &k.encryption,
        verifying_key: &k.verifying,
    }
}

#[test]
fn published_keys_bind_the_email_and_the_epoch() {
    let k = keys();
    let statement = published(&k, 1, vectors::EMAIL);
    let sig = Signature::from_bytes(bytes(vectors::PUBLISHED_KEYS_SIGNATURE)).unwrap();
    k.verifying.verify(&statement, &sig).unwrap();
    // The same address written differently is the same statement.
    k.verifying
        .verify(&published(&k, 1, "  Alice@Example.COM "), &sig)
        .unwrap();
    for other in [
        published(&k, 2, vectors::EMAIL),
        published(&k, 0, vectors::EMAIL),
        published(&k, 1, "mallory@example.com"),
        Statement::PublishedKeys {
            account_id: id(9),
            key_epoch: 1,
            email: vectors::EMAIL,
            encryption_key: &k.encryption,
            verifying_key: &k.verifying,
        },
        Statement::PublishedKeys {
            account_id: id(8),
            key_epoch: 1,
            email: vectors::EMAIL,
            encryption_key: &make_encryption_key().public_key(),
            verifying_key: &k.verifying,
        },
    ] {
        assert_eq!(
            k.verifying.verify(&other, &sig).unwrap_err(),
            Error::BadSignature
        );
    }
}

#[test]
fn no_statement_verifies_as_another_kind() {
    let k = keys();
    let list = vectors::access_list();
    let company = id(12);
    let statements = [
        Statement::AccountKeys {
            account_id: id(8),
            encryption_key: &k.encryption,
            verifying_key: &k.verifying,
        },
        Statement::KindBoundAccountKeys {
            account_id: id(8),
            encryption_key: &k.encryption,
            verifying_key: &k.verifying,
        },
        published(&k, 1, vectors::EMAIL),
        vectors::certificate_statement(&k.encryption, &k.verifying),
        Statement::CompanyKey {
            company_id: company,
            verifying_key: &k.verifying,
        },
        Statement::AccessList(&list),
        vectors::object_key_statement(&k.encryption),
    ];
    for (i, signed) in statements.iter().enumerate() {
        let sig = k.signer.sign(signed);
        for (j, other) in statements.iter().enumerate() {
            assert_eq!(
                k.verifying.verify(other, &sig).is_ok(),
                i == j,
                "statement {i} checked as statement {j}"
            );
        }
    }
}

#[test]
fn a_certificate_names_its_company() {
    let k = keys();
    let sig = Signature::from_bytes(bytes(vectors::CERTIFICATE_SIGNATURE)).unwrap();
    let statement = vectors::certificate_statement(&k.encryption, &k.verifying);
    k.verifying.verify(&statement, &sig).unwrap();
    let other_company = Statement::KeyCertificate {
        company_id: id(99),
        account_id: id(8),
        key_epoch: 1,
        email: vectors::EMAIL,
        encryption_key: &k.encryption,
        verifying_key: &k.verifying,
    };
    assert_eq!(
        k.verifying.verify(&other_company, &sig).unwrap_err(),
        Error::BadSignature
    );
}

#[test]
fn an_access_list_signs_its_entries_in_any_order_but_nothing_else_changes() {
    let k = keys();
    let list = vectors::access_list();
    let sig = Signature::from_bytes(bytes(vectors::ACCESS_LIST_SIGNATURE)).unwrap();
    k.verifying
        .verify(&Statement::AccessList(&list), &sig)
        .unwrap();
    let mut reordered = list.clone();
    reordered.entries.reverse();
    k.verifying
        .verify(&Statement::AccessList(&reordered), &sig)
        .unwrap();

    let changes: Vec<fn(&mut AccessList)> = vec![
        |l| l.kind = AccessListKind::Group,
        |l| l.object_id = id(99),
        |l| l.epoch += 1,
        |l| l.generation += 1,
        |l| l.generation_id = id(99),
        |l| l.group_key = Some(make_encryption_key().public_key()),
        |l| l.entries[1].role = AccessRole::Manage,
        |l| l.entries[1].kind = EntryKind::Account,
        |l| l.entries[2].id = derive_invitee_id("mallory@example.com"),
        |l| l.entries.pop().map(drop).unwrap_or(()),
        |l| {
            l.entries.push(AccessEntry {
                id: id(66),
                kind: EntryKind::Account,
                role: AccessRole::View,
            })
        },
    ];
    for (n, change) in changes.into_iter().enumerate() {
        let mut changed = list.clone();
        change(&mut changed);
        assert_eq!(
            k.verifying
                .verify(&Statement::AccessList(&changed), &sig)
                .unwrap_err(),
            Error::BadSignature,
            "change {n}"
        );
    }
}

#[test]
fn derived_ids_are_stable_and_tell_inputs_apart() {
    let key = vectors::record_key();
    let subject = id(8);
    let rid = derive_record_id(&key, Purpose::TrustRecord, subject.as_bytes());
    assert_eq!(rid.to_string(), vectors::RECORD_ID);
    assert_eq!(rid.get_version_num(), 8);
    assert_ne!(
        derive_record_id(
            &make_symmetric_key(),
            Purpose::TrustRecord,
            subject.as_bytes()
        ),
        rid
    );
    assert_ne!(
        derive_record_id(&key, Purpose::Item, subject.as_bytes()),
        rid
    );
    assert_ne!(
        derive_record_id(&key, Purpose::TrustRecord, id(9).as_bytes()),
        rid
    );
    let invitee = derive_invitee_id(vectors::EMAIL);
    assert_eq!(invitee.to_string(), vectors::INVITEE_ID);
    assert_eq!(derive_invitee_id(" ALICE@example.com\n"), invitee);
    assert_ne!(derive_invitee_id("bob@example.com"), invitee);
}

#[test]
fn a_company_fingerprint_differs_from_an_account_fingerprint() {
    let k = keys();
    let company = derive_signing_fingerprint(&k.verifying);
    assert_eq!(company, vectors::SIGNING_FINGERPRINT);
    assert_ne!(company, derive_fingerprint(&k.verifying, &k.encryption));
    assert_ne!(
        derive_signing_fingerprint(&make_signing_key().verifying_key()),
        company
    );
}
