//! The crate's test suite. It runs natively (`cargo test`) and as wasm in headless Chromium
//! under wasm-bindgen-test (`cargo test --target wasm32-unknown-unknown`): on wasm32 the `test`
//! attribute below is wasm-bindgen-test's.
#![allow(clippy::unwrap_used)]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

// As wasm, run in a real browser (headless Chromium through chromedriver): the browser's random
// source and WebAssembly engine are what ship.
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use crate::keys::dangerous_key_from_bytes;
use crate::vectors::{self, bytes, id, same_key};
use crate::*;

pub(crate) fn flip_each_byte(original: &[u8], mut check: impl FnMut(Vec<u8>)) {
    for i in 0..original.len() {
        let mut tampered = original.to_vec();
        tampered[i] ^= 0x01;
        check(tampered);
    }
}

#[test]
fn all_fixed_vectors_hold_and_the_self_test_passes() {
    self_test().unwrap();
}

#[test]
fn sealed_vector_opens_to_the_fixed_record() {
    let sealed = SealedData::from_bytes(bytes(vectors::SEALED)).unwrap();
    let opened = open(&vectors::record_key(), &vectors::record_binding(), &sealed).unwrap();
    assert_eq!(opened.as_slice(), vectors::RECORD);
}

#[test]
fn seal_and_open_round_trip_and_each_seal_is_fresh() {
    let key = make_symmetric_key();
    let binding = Binding::new(Purpose::Item, id(10), id(20));
    let a = seal(&key, &binding, b"hello");
    let b = seal(&key, &binding, b"hello");
    assert_ne!(a, b, "a fresh nonce must make every sealing differ");
    assert_eq!(open(&key, &binding, &a).unwrap().as_slice(), b"hello");
    assert_eq!(open(&key, &binding, &b).unwrap().as_slice(), b"hello");
    let empty = seal(&key, &binding, b"");
    assert_eq!(open(&key, &binding, &empty).unwrap().as_slice(), b"");
}

#[test]
fn open_with_the_wrong_key_fails() {
    let binding = vectors::record_binding();
    let sealed = seal(&make_symmetric_key(), &binding, b"secret");
    assert_eq!(
        open(&make_symmetric_key(), &binding, &sealed),
        Err(Error::Decrypt)
    );
}

#[test]
fn every_tampered_byte_of_sealed_data_is_detected() {
    let key = vectors::record_key();
    let binding = vectors::record_binding();
    flip_each_byte(&bytes(vectors::SEALED), |tampered| {
        let result = SealedData::from_bytes(tampered).and_then(|s| open(&key, &binding, &s));
        assert!(result.is_err());
    });
}

#[test]
fn sealed_data_moved_to_another_object_container_or_purpose_does_not_open() {
    let key = make_symmetric_key();
    let binding = Binding::new(Purpose::Item, id(1), id(2));
    let sealed = seal(&key, &binding, b"item");
    for other in [
        Binding::new(Purpose::Item, id(9), id(2)),
        Binding::new(Purpose::Item, id(1), id(9)),
        Binding::new(Purpose::Item, id(2), id(1)),
        Binding::new(Purpose::ItemHistory, id(1), id(2)),
        Binding::new(Purpose::FolderName, id(1), id(2)),
    ] {
        assert_eq!(
            open(&key, &other, &sealed),
            Err(Error::Decrypt),
            "{other:?}"
        );
    }
}

#[test]
fn a_versioned_object_opens_only_at_its_own_version() {
    let key = make_symmetric_key();
    let binding = Binding::new(Purpose::Item, id(1), id(2));
    let unversioned = seal(&key, &binding, b"before versions");
    let third = seal(&key, &binding.at_version(3), b"third");
    assert_eq!(
        open(&key, &binding.at_version(0), &unversioned)
            .unwrap()
            .as_slice(),
        b"before versions"
    );
    assert_eq!(
        open(&key, &binding.at_version(3), &third)
            .unwrap()
            .as_slice(),
        b"third"
    );
    for version in [0, 2, 4, u64::MAX] {
        assert_eq!(
            open(&key, &binding.at_version(version), &third),
            Err(Error::Decrypt)
        );
    }
    assert_eq!(
        open(&key, &binding.at_version(1), &unversioned),
        Err(Error::Decrypt)
    );
}

#[test]
fn unknown_versions_and_kinds_are_refused() {
    let mut v2 = bytes(vectors::SEALED);
    v2[0] = 2;
    assert_eq!(
        SealedData::from_bytes(v2).unwrap_err(),
        Error::UnsupportedVersion(2)
    );
    assert!(matches!(
        SealedData::from_bytes(bytes(vectors::WRAPPED)),
        Err(Error::Malformed(_))
    ));
    assert!(matches!(
        WrappedKey::from_bytes(bytes(vectors::SEALED)),
        Err(Error::Malformed(_))
    ));
    assert!(matches!(
        SealedData::from_bytes(vec![1]),
        Err(Error::Malformed(_))
    ));
    assert!(matches!(
        SealedData::from_bytes(vec![1, 1, 0]),
        Err(Error::Malformed(_))
    ));
    let mut env = bytes(vectors::ENVELOPE);
    env[0] = 7;
    assert_eq!(
        PasswordEnvelope::from_bytes(env).unwrap_err(),
        Error::UnsupportedVersion(7)
    );
}

#[test]
fn wrap_and_unwrap_every_key_type() {
    let wrapping = make_symmetric_key();
    let binding = Binding::new(Purpose::ProfileKey, id(1), id(2));
    let sym = make_symmetric_key();
    let back: SymmetricKey = unwrap(&wrapping, &binding, &wrap(&wrapping, &binding, &sym)).unwrap();
    assert!(same_key(&sym, &back));
    let enc = make_encryption_key();
    let back: EncryptionPrivateKey =
        unwrap(&wrapping, &binding, &wrap(&wrapping, &binding, &enc)).unwrap();
    assert_eq!(back.public_key(), enc.public_key());
    let signing = make_signing_key();
    let back: SigningKey =
        unwrap(&wrapping, &binding, &wrap(&wrapping, &binding, &signing)).unwrap();
    assert_eq!(back.verifying_key(), signing.verifying_key());
}

#[test]
fn a_wrapped_key_does_not_unwrap_as_another_type_or_elsewhere() {
    let wrapping = make_symmetric_key();
    let binding = Binding::new(Purpose::AccountEncryptionKey, id(1), id(2));
    let wrapped = wrap(&wrapping, &binding, &make_encryption_key());
    assert!(matches!(
        unwrap::<SymmetricKey>(&wrapping, &binding, &wrapped),
        Err(Error::Malformed(_))
    ));
    let elsewhere = Binding::new(Purpose::AccountEncryptionKey, id(1), id(3));
    assert!(matches!(
        unwrap::<EncryptionPrivateKey>(&wrapping, &elsewhere, &wrapped),
        Err(Error::Decrypt)
    ));
    let other_purpose = Binding::new(Purpose::GroupPrivateKey, id(1), id(2));
    assert!(matches!(
        unwrap::<EncryptionPrivateKey>(&wrapping, &other_purpose, &wrapped),
        Err(Error::Decrypt)
    ));
    assert!(matches!(
        unwrap::<EncryptionPrivateKey>(&make_symmetric_key(), &binding, &wrapped),
        Err(Error::Decrypt)
    ));
    flip_each_byte(wrapped.as_bytes(), |tampered| {
        let result = WrappedKey::from_bytes(tampered)
            .and_then(|w| unwrap::<EncryptionPrivateKey>(&wrapping, &binding, &w));
        assert!(result.is_err());
    });
}

#[test]
fn hpke_vector_opens_and_fresh_wrappings_round_trip() {
    let recipient = vectors::x25519_key();
    let sender = vectors::signing_key();
    let wrapped = HpkeWrappedKey::from_bytes(bytes(vectors::HPKE_WRAPPED)).unwrap();
    let signature = Signature::from_bytes(bytes(vectors::HPKE_SIGNATURE)).unwrap();
    let key: SymmetricKey = unwrap_with_private_key(
        &recipient,
        &vectors::hpke_binding(),
        &wrapped,
        &signature,
        &sender.verifying_key(),
    )
    .unwrap();
    assert!(same_key(&key, &vectors::inner_key()));
    let (fresh, fresh_signature) = wrap_to_public_key(
        &recipient.public_key(),
        &vectors::hpke_binding(),
        &key,
        &sender,
    )
    .unwrap();
    assert_ne!(fresh, wrapped, "HPKE uses a fresh ephemeral key each time");
    let again: SymmetricKey = unwrap_with_private_key(
        &recipient,
        &vectors::hpke_binding(),
        &fresh,
        &fresh_signature,
        &sender.verifying_key(),
    )
    .unwrap();
    assert!(same_key(&again, &key));
}

#[test]
fn hpke_wrapping_is_bound_to_recipient_sender_object_and_purpose() {
    // The HPKE layer alone, below the signature check: the info binding must hold by itself.
    use crate::hpke_wrap::{open_with_private_key, seal_to_public_key};
    let recipient = make_encryption_key();
    let binding = vectors::hpke_binding();
    let wrapped =
        seal_to_public_key(&recipient.public_key(), &binding, &make_symmetric_key()).unwrap();
    assert!(open_with_private_key::<SymmetricKey>(&recipient, &binding, &wrapped).is_ok());
    for other in [
        HpkeBinding {
            recipient_id: id(99),
            ..binding
        },
        HpkeBinding {
            sender_id: id(99),
            ..binding
        },
        HpkeBinding {
            object_id: id(99),
            ..binding
        },
        HpkeBinding {
            purpose: Purpose::GroupPrivateKey,
            ..binding
        },
    ] {
        assert_eq!(
            open_with_private_key::<SymmetricKey>(&recipient, &other, &wrapped).unwrap_err(),
            Error::Decrypt
        );
    }
    assert_eq!(
        open_with_private_key::<SymmetricKey>(&make_encryption_key(), &binding, &wrapped)
            .unwrap_err(),
        Error::Decrypt
    );
    assert!(open_with_private_key::<EncryptionPrivateKey>(&recipient, &binding, &wrapped).is_err());
    flip_each_byte(wrapped.as_bytes(), |tampered| {
        let result = HpkeWrappedKey::from_bytes(tampered)
            .and_then(|w| open_with_private_key::<SymmetricKey>(&recipient, &binding, &w));
        assert!(result.is_err());
    });
}

#[test]
fn unwrapping_requires_the_named_senders_signature() {
    let recipient = make_encryption_key();
    let sender = make_signing_key();
    let binding = vectors::hpke_binding();
    let (wrapped, signature) = wrap_to_public_key(
        &recipient.public_key(),
        &binding,
        &make_symmetric_key(),
        &sender,
    )
    .unwrap();
    let vk = sender.verifying_key();
    assert!(
        unwrap_with_private_key::<SymmetricKey>(&recipient, &binding, &wrapped, &signature, &vk)
            .is_ok()
    );

    // A server plants a key it knows, signed with a key of its own, claiming the sender's name.
    let intruder = make_signing_key();
    let (planted, planted_signature) = wrap_to_public_key(
        &recipient.public_key(),
        &binding,
        &make_symmetric_key(),
        &intruder,
    )
    .unwrap();
    assert_eq!(
        unwrap_with_private_key::<SymmetricKey>(
            &recipient,
            &binding,
            &planted,
            &planted_signature,
            &vk
        )
        .unwrap_err(),
        Error::BadSignature
    );
    // The sender's real signature moved onto the planted wrapping.
    assert_eq!(
        unwrap_with_private_key::<SymmetricKey>(&recipient, &binding, &planted, &signature, &vk)
            .unwrap_err(),
        Error::BadSignature
    );
    // The real wrapping presented under another binding.
    let moved = HpkeBinding {
        object_id: id(77),
        ..binding
    };
    assert_eq!(
        unwrap_with_private_key::<SymmetricKey>(&recipient, &moved, &wrapped, &signature, &vk)
            .unwrap_err(),
        Error::BadSignature
    );
}

#[test]
fn public_keys_refuse_bad_encodings() {
    assert_eq!(
        EncryptionPublicKey::from_bytes(&[1; 31]).unwrap_err(),
        Error::InvalidPublicKey
    );
    assert_eq!(
        EncryptionPublicKey::from_bytes(&[0; 32]).unwrap_err(),
        Error::InvalidPublicKey
    );
    let pk = make_encryption_key().public_key();
    assert_eq!(EncryptionPublicKey::from_bytes(&pk.to_bytes()).unwrap(), pk);
    assert_eq!(
        VerifyingKey::from_bytes(&[0; 33]).unwrap_err(),
        Error::InvalidPublicKey
    );
    let vk = make_signing_key().verifying_key();
    assert_eq!(VerifyingKey::from_bytes(&vk.to_bytes()).unwrap(), vk);
}

#[test]
fn signatures_verify_only_for_the_signed_statement_and_key() {
    let signer = vectors::signing_key();
    let enc = vectors::x25519_key().public_key();
    let vk = signer.verifying_key();
    let statement = Statement::AccountKeys {
        account_id: id(8),
        encryption_key: &enc,
        verifying_key: &vk,
    };
    let sig = Signature::from_bytes(bytes(vectors::SIGNATURE)).unwrap();
    vk.verify(&statement, &sig).unwrap();
    let other_account = Statement::AccountKeys {
        account_id: id(9),
        encryption_key: &enc,
        verifying_key: &vk,
    };
    assert_eq!(
        vk.verify(&other_account, &sig).unwrap_err(),
        Error::BadSignature
    );
    let as_object_key = Statement::ObjectKey {
        purpose: Purpose::GroupPrivateKey,
        object_id: id(8),
        key: &enc,
    };
    assert_eq!(
        vk.verify(&as_object_key, &sig).unwrap_err(),
        Error::BadSignature
    );
    assert_eq!(
        make_signing_key()
            .verifying_key()
            .verify(&statement, &sig)
            .unwrap_err(),
        Error::BadSignature
    );
    flip_each_byte(sig.as_bytes(), |tampered| {
        let result = Signature::from_bytes(tampered).and_then(|s| vk.verify(&statement, &s));
        assert!(result.is_err());
    });
}

#[test]
fn a_signed_wrapping_does_not_verify_for_another_wrapping() {
    let signer = make_signing_key();
    let recipient = make_encryption_key();
    let binding = vectors::hpke_binding();
    let share_key = make_symmetric_key();
    let (wrapped, sig) =
        wrap_to_public_key(&recipient.public_key(), &binding, &share_key, &signer).unwrap();
    let vk = signer.verifying_key();
    vk.verify(
        &Statement::Wrapping {
            binding: &binding,
            wrapped: &wrapped,
        },
        &sig,
    )
    .unwrap();
    let (swapped, _) =
        wrap_to_public_key(&recipient.public_key(), &binding, &share_key, &signer).unwrap();
    assert!(
        vk.verify(
            &Statement::Wrapping {
                binding: &binding,
                wrapped: &swapped
            },
            &sig
        )
        .is_err()
    );
    let moved = HpkeBinding {
        recipient_id: id(42),
        ..binding
    };
    assert!(
        vk.verify(
            &Statement::Wrapping {
                binding: &moved,
                wrapped: &wrapped
            },
            &sig
        )
        .is_err()
    );
}

#[test]
fn object_key_signature_vector_verifies_and_binds_its_fields() {
    let vk = vectors::signing_key().verifying_key();
    let key = vectors::x25519_key().public_key();
    let sig = Signature::from_bytes(bytes(vectors::OBJECT_KEY_SIGNATURE)).unwrap();
    vk.verify(&vectors::object_key_statement(&key), &sig)
        .unwrap();
    let other_object = Statement::ObjectKey {
        purpose: Purpose::GroupPrivateKey,
        object_id: id(10),
        key: &key,
    };
    assert_eq!(
        vk.verify(&other_object, &sig).unwrap_err(),
        Error::BadSignature
    );
    let other_purpose = Statement::ObjectKey {
        purpose: Purpose::RecoveryPrivateKey,
        object_id: id(9),
        key: &key,
    };
    assert_eq!(
        vk.verify(&other_purpose, &sig).unwrap_err(),
        Error::BadSignature
    );
}

#[test]
fn wrapped_private_key_vectors_open() {
    let x25519: EncryptionPrivateKey = unwrap(
        &vectors::record_key(),
        &vectors::private_key_binding(Purpose::AccountEncryptionKey),
        &WrappedKey::from_bytes(bytes(vectors::WRAPPED_X25519)).unwrap(),
    )
    .unwrap();
    assert_eq!(x25519.public_key(), vectors::x25519_key().public_key());
    let ed25519: SigningKey = unwrap(
        &vectors::record_key(),
        &vectors::private_key_binding(Purpose::AccountSigningKey),
        &WrappedKey::from_bytes(bytes(vectors::WRAPPED_ED25519)).unwrap(),
    )
    .unwrap();
    assert_eq!(
        ed25519.verifying_key(),
        vectors::signing_key().verifying_key()
    );
}

#[test]
fn fingerprints_are_stable_and_tell_keys_apart() {
    let vk = vectors::signing_key().verifying_key();
    let enc = vectors::x25519_key().public_key();
    let fp = derive_fingerprint(&vk, &enc);
    assert_eq!(fp, vectors::FINGERPRINT);
    assert_eq!(fp.split(' ').count(), 6);
    assert!(
        fp.split(' ')
            .all(|group| group.len() == 5 && group.chars().all(|c| c.is_ascii_digit()))
    );
    assert_ne!(
        derive_fingerprint(&vk, &make_encryption_key().public_key()),
        fp
    );
    assert_ne!(
        derive_fingerprint(&make_signing_key().verifying_key(), &enc),
        fp
    );
}

#[test]
fn secrets_never_print() {
    let printed = [
        format!("{:?}", make_symmetric_key()),
        format!("{:?}", make_encryption_key()),
        format!("{:?}", make_signing_key()),
        format!("{:?}", vectors::password()),
        format!(
            "{:?}",
            derive_login_keys(
                &vectors::password(),
                vectors::EMAIL,
                &vectors::FLOOR_PARAMS,
                &vectors::salt()
            )
            .unwrap()
        ),
    ];
    for text in printed {
        assert!(!text.contains("correct horse"), "{text}");
        assert!(text.contains("***") || text.contains(".."), "{text}");
    }
    let auth = derive_login_keys(
        &vectors::password(),
        vectors::EMAIL,
        &vectors::FLOOR_PARAMS,
        &vectors::salt(),
    )
    .unwrap();
    assert_eq!(format!("{:?}", auth.auth_key()), "AuthKey(***)");
}

#[test]
fn keys_compare_in_constant_time_by_value() {
    let a: SymmetricKey = dangerous_key_from_bytes([1; 32]);
    let b: SymmetricKey = dangerous_key_from_bytes([1; 32]);
    let c: SymmetricKey = dangerous_key_from_bytes([2; 32]);
    assert!(a == b);
    assert!(a != c);
}

#[test]
fn purpose_bytes_never_change() {
    // These bytes are in every stored ciphertext's associated data: renumbering one breaks vaults.
    let expected: [(Purpose, u8); 26] = [
        (Purpose::Item, 1),
        (Purpose::ItemHistory, 2),
        (Purpose::FolderName, 3),
        (Purpose::ShareName, 4),
        (Purpose::GroupName, 5),
        (Purpose::Tag, 6),
        (Purpose::ProfileIndex, 7),
        (Purpose::LocalCache, 8),
        (Purpose::RecordDeletion, 9),
        (Purpose::ContainerCheckpoint, 10),
        (Purpose::TrustRecord, 11),
        (Purpose::Export, 12),
        (Purpose::ItemKey, 16),
        (Purpose::ProfileKey, 17),
        (Purpose::ShareKey, 18),
        (Purpose::AccountEncryptionKey, 19),
        (Purpose::AccountSigningKey, 20),
        (Purpose::GroupPrivateKey, 21),
        (Purpose::RecoveryPrivateKey, 22),
        (Purpose::RecoveryProfileKey, 23),
        (Purpose::EmergencyAccessKey, 24),
        (Purpose::AccountKey, 25),
        (Purpose::CompanySigningKey, 26),
        (Purpose::CompanyDirectoryKey, 27),
        (Purpose::PersonalProfileKey, 28),
        (Purpose::BusinessProfileKey, 29),
    ];
    assert_eq!(Purpose::ALL.len(), expected.len());
    for (purpose, byte) in expected {
        assert_eq!(purpose as u8, byte, "{purpose:?}");
        assert!(Purpose::ALL.contains(&purpose));
    }
}

#[test]
fn a_digest_is_sha256_of_its_pieces_in_order() {
    let mut digest = Digest::new();
    digest.update(b"ab");
    digest.update(b"c");
    // SHA-256("abc"), FIPS 180-2 appendix B.1.
    assert_eq!(
        digest.finish().to_vec(),
        bytes("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
}
