#![allow(clippy::unwrap_used)]

use super::*;
use wasm_crypto::{make_encryption_key, make_signing_key};

fn keys(account: AccountId, epoch: u64, email: &str) -> VerifiedKeys {
    let signing = make_signing_key();
    let encryption = make_encryption_key();
    VerifiedKeys {
        account_id: account,
        key_epoch: epoch,
        email: email.to_owned(),
        encryption_key: encryption.public_key(),
        verifying_key: signing.verifying_key(),
        fingerprint: derive_fingerprint(&signing.verifying_key(), &encryption.public_key()),
    }
}

fn at(keys: &VerifiedKeys, epoch: u64, email: &str) -> VerifiedKeys {
    VerifiedKeys {
        key_epoch: epoch,
        email: email.to_owned(),
        ..keys.clone()
    }
}

#[test]
fn served_keys_are_judged_against_the_pin() {
    let bob = AccountId::new_v7();
    let pinned = keys(bob, 2, "bob@example.com");
    let pin = ContactPin::of(&pinned, PinSource::FirstUse, 1);
    let compared = ContactPin::of(&pinned, PinSource::Compared, 1);
    let other = keys(bob, 2, "bob@example.com");
    let changed = Judgement::Changed {
        pinned: pinned.fingerprint.clone(),
        served: other.fingerprint.clone(),
    };
    let recertified = Judgement::Recertified {
        pinned: pinned.fingerprint.clone(),
        served: other.fingerprint.clone(),
    };
    let table = [
        ("no pin", None, pinned.clone(), false, Judgement::New),
        (
            "no pin, certified",
            None,
            pinned.clone(),
            true,
            Judgement::NewCertified,
        ),
        (
            "the pinned keys",
            Some(&pin),
            pinned.clone(),
            false,
            Judgement::Same,
        ),
        (
            "the pinned keys, certified",
            Some(&pin),
            pinned.clone(),
            true,
            Judgement::NowCertified,
        ),
        (
            "the pinned keys, compared, certified",
            Some(&compared),
            pinned.clone(),
            true,
            Judgement::Same,
        ),
        (
            "the pinned keys at a newer epoch",
            Some(&pin),
            at(&pinned, 3, "bob@example.com"),
            false,
            Judgement::Updated,
        ),
        (
            "the pinned keys under a new address",
            Some(&pin),
            at(&pinned, 3, "robert@example.com"),
            false,
            Judgement::Updated,
        ),
        (
            "other keys at the pinned epoch",
            Some(&pin),
            other.clone(),
            false,
            changed.clone(),
        ),
        (
            "other keys at the pinned epoch, even certified",
            Some(&pin),
            other.clone(),
            true,
            changed.clone(),
        ),
        (
            "other keys at a newer epoch",
            Some(&pin),
            at(&other, 3, "bob@example.com"),
            false,
            changed.clone(),
        ),
        (
            "other keys at a newer epoch, certified",
            Some(&pin),
            at(&other, 3, "bob@example.com"),
            true,
            recertified,
        ),
        (
            "an older epoch, even with the pinned keys",
            Some(&pin),
            at(&pinned, 1, "bob@example.com"),
            false,
            Judgement::Rollback,
        ),
        (
            "an older epoch, even certified",
            Some(&pin),
            at(&other, 1, "bob@example.com"),
            true,
            Judgement::Rollback,
        ),
        (
            "the address now names another account",
            Some(&pin),
            keys(AccountId::new_v7(), 2, "bob@example.com"),
            false,
            Judgement::Changed {
                pinned: pinned.fingerprint.clone(),
                served: String::new(),
            },
        ),
    ];
    for (what, pin, served, certified, expected) in table {
        let got = judge(pin, &served, certified);
        match (&expected, &got) {
            (
                Judgement::Changed { pinned, .. },
                Judgement::Changed {
                    pinned: p,
                    served: s,
                },
            ) => {
                assert_eq!(pinned, p, "{what}");
                assert_eq!(s, &served.fingerprint, "{what}");
            }
            _ => assert_eq!(got, expected, "{what}"),
        }
    }
}

#[test]
fn a_pin_keeps_the_fingerprint_people_compare() {
    let bob = keys(AccountId::new_v7(), 1, "bob@example.com");
    let pin = ContactPin::of(&bob, PinSource::Compared, 5);
    assert_eq!(pin.fingerprint(), bob.fingerprint);
    let json = serde_json::to_string(&TrustData::Contact(pin.clone())).unwrap();
    assert!(json.contains("\"type\":\"contact\""));
    assert_eq!(
        serde_json::from_str::<TrustData>(&json).unwrap(),
        TrustData::Contact(pin)
    );
    // A kind of record written by a newer version does not read as a contact.
    assert!(serde_json::from_str::<TrustData>(r#"{"type":"company_pin"}"#).is_err());
}
