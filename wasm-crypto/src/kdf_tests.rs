//! The master-password tests: the password envelope, the login keys, and the KDF parameters'
//! floor and ceiling. Run like the rest of the suite (`tests.rs`), natively and as wasm.
#![allow(clippy::unwrap_used)]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::tests::flip_each_byte;
use crate::vectors::{self, bytes, same_key};
use crate::*;

/// The test vectors' login keys, derived with `params`.
fn login_keys(params: &KdfParams) -> LoginKeys {
    derive_login_keys(
        &vectors::password(),
        vectors::EMAIL,
        params,
        &vectors::salt(),
    )
    .unwrap()
}

#[test]
fn the_password_envelope_opens_with_the_right_password_only() {
    let envelope = PasswordEnvelope::from_bytes(bytes(vectors::ENVELOPE)).unwrap();
    assert_eq!(envelope.params().unwrap(), vectors::FLOOR_PARAMS);
    assert_eq!(envelope.salt().unwrap(), vectors::salt());
    let (keys, account_key) =
        open_password_envelope(&vectors::password(), vectors::EMAIL, &envelope).unwrap();
    assert!(same_key(&account_key, &vectors::inner_key()));
    assert_eq!(
        hex::encode(keys.auth_key().as_login_bytes()),
        vectors::AUTH_KEY
    );
    let wrong = MasterPassword::new("correct horse battery stapler".into());
    assert_eq!(
        open_password_envelope(&wrong, vectors::EMAIL, &envelope).unwrap_err(),
        Error::WrongPassword
    );
}

#[test]
fn a_tampered_password_envelope_is_refused() {
    flip_each_byte(&bytes(vectors::ENVELOPE), |tampered| {
        let result = PasswordEnvelope::from_bytes(tampered)
            .and_then(|e| open_password_envelope(&vectors::password(), vectors::EMAIL, &e));
        assert!(result.is_err());
    });
}

#[test]
fn login_keys_refuse_an_envelope_with_other_parameters() {
    let keys = login_keys(&vectors::FLOOR_PARAMS);
    let stronger = KdfParams {
        iterations: 3,
        ..vectors::FLOOR_PARAMS
    };
    let other = login_keys(&stronger);
    let envelope = other.seal_account_key(&make_symmetric_key());
    assert_eq!(
        keys.open_account_key(&envelope).unwrap_err(),
        Error::WrongPassword
    );
    assert_ne!(
        keys.auth_key().as_login_bytes(),
        other.auth_key().as_login_bytes(),
        "other parameters must give another auth key"
    );
}

#[test]
fn auth_key_and_key_encryption_key_are_independent() {
    let keys = login_keys(&vectors::FLOOR_PARAMS);
    assert_ne!(
        *keys.auth_key().as_login_bytes(),
        keys.dangerous_key_encryption_key_bytes(),
        "the key sent to the server must not be the key that opens the envelope"
    );
    let salted = derive_login_keys(
        &vectors::password(),
        vectors::EMAIL,
        &vectors::FLOOR_PARAMS,
        &PasswordSalt::from_bytes(&[0x56; 16]).unwrap(),
    )
    .unwrap();
    assert_ne!(
        keys.auth_key().as_login_bytes(),
        salted.auth_key().as_login_bytes()
    );
}

#[test]
fn kdf_parameters_below_the_floor_or_above_the_ceiling_are_refused() {
    let pw = vectors::password();
    let salt = vectors::salt();
    for weak in [
        KdfParams {
            memory_kib: 19 * 1024 - 1,
            ..vectors::FLOOR_PARAMS
        },
        KdfParams {
            iterations: 1,
            ..vectors::FLOOR_PARAMS
        },
        KdfParams {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        },
    ] {
        assert!(matches!(
            derive_login_keys(&pw, vectors::EMAIL, &weak, &salt),
            Err(Error::KdfTooWeak { .. })
        ));
    }
    for costly in [
        KdfParams {
            memory_kib: 1024 * 1024 + 1,
            ..KdfParams::DEFAULT
        },
        KdfParams {
            iterations: 11,
            ..KdfParams::DEFAULT
        },
        KdfParams {
            parallelism: 17,
            ..KdfParams::DEFAULT
        },
    ] {
        assert!(matches!(
            derive_login_keys(&pw, vectors::EMAIL, &costly, &salt),
            Err(Error::KdfTooCostly { .. })
        ));
    }
    assert!(matches!(
        derive_login_keys(
            &pw,
            vectors::EMAIL,
            &KdfParams {
                parallelism: 0,
                ..KdfParams::DEFAULT
            },
            &salt
        ),
        Err(Error::Malformed(_))
    ));
    assert!(KdfParams::DEFAULT.check().is_ok());
    assert!(vectors::FLOOR_PARAMS.check().is_ok());
}

#[test]
fn an_envelope_carrying_weak_parameters_is_refused_before_any_work() {
    // A server that rewrote the envelope's parameters to make an offline attack cheaper.
    let mut env = bytes(vectors::ENVELOPE);
    env[2..6].copy_from_slice(&1024u32.to_be_bytes());
    let envelope = PasswordEnvelope::from_bytes(env).unwrap();
    assert!(matches!(
        open_password_envelope(&vectors::password(), vectors::EMAIL, &envelope),
        Err(Error::KdfTooWeak {
            memory_kib: 1024,
            ..
        })
    ));
}

#[test]
fn default_parameters_round_trip() {
    let pw = MasterPassword::new("a long and unusual passphrase".into());
    let account_key = make_symmetric_key();
    let (keys, envelope) =
        make_password_envelope(&pw, "bob@example.com", &KdfParams::DEFAULT, &account_key).unwrap();
    assert_eq!(envelope.params().unwrap(), KdfParams::DEFAULT);
    let (again, opened) = open_password_envelope(&pw, "bob@example.com", &envelope).unwrap();
    assert!(same_key(&opened, &account_key));
    assert_eq!(
        again.auth_key().as_login_bytes(),
        keys.auth_key().as_login_bytes()
    );
    assert!(KdfParams::DEFAULT.at_least(&vectors::FLOOR_PARAMS));
    assert!(!vectors::FLOOR_PARAMS.at_least(&KdfParams::DEFAULT));
}

#[test]
fn the_email_is_part_of_the_key_derivation() {
    let login = |email: &str| {
        derive_login_keys(
            &vectors::password(),
            email,
            &vectors::FLOOR_PARAMS,
            &vectors::salt(),
        )
        .unwrap()
    };
    let alice = login(vectors::EMAIL);
    assert_eq!(
        hex::encode(alice.auth_key().as_login_bytes()),
        vectors::AUTH_KEY
    );
    // Same password, salt and parameters for another account: another key, so one guess cannot
    // be tested against many accounts at once.
    assert_ne!(
        login("bob@example.com").auth_key().as_login_bytes(),
        alice.auth_key().as_login_bytes()
    );
    // Case and surrounding spaces in the address do not matter.
    assert_eq!(
        login("  Alice@Example.COM ").auth_key().as_login_bytes(),
        alice.auth_key().as_login_bytes()
    );
    let envelope = PasswordEnvelope::from_bytes(bytes(vectors::ENVELOPE)).unwrap();
    assert_eq!(
        open_password_envelope(&vectors::password(), "bob@example.com", &envelope).unwrap_err(),
        Error::WrongPassword
    );
}
