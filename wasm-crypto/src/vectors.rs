//! Fixed known-answer vectors. They lock every wire format: a change that alters any byte of
//! these outputs would make every stored vault unreadable, so it must come with a new format
//! version instead. [`check_all`] also runs in the browser as the start-up self-check.

use uuid::Uuid;

use crate::access_list::{AccessEntry, AccessList, AccessListKind, AccessRole, EntryKind};
use crate::error::{Error, Result};
use crate::format::{Binding, Purpose};
use crate::hpke_wrap::{HpkeBinding, HpkeWrappedKey, unwrap_with_private_key, wrap_to_public_key};
use crate::ids::{derive_invitee_id, derive_record_id};
use crate::kdf::{
    KdfParams, MasterPassword, PasswordEnvelope, PasswordSalt, derive_login_keys,
    open_password_envelope,
};
use crate::keys::private::Sealed;
use crate::keys::{
    EncryptionPrivateKey, SigningKey, SymmetricKey, dangerous_key_from_bytes, make_encryption_key,
    make_signing_key, make_symmetric_key,
};
use crate::seal::{SealedData, WrappedKey, open, seal, seal_with_nonce, unwrap, wrap_with_nonce};
use crate::sign::{Signature, Statement, derive_fingerprint, derive_signing_fingerprint};

pub(crate) const RECORD: &[u8] = br#"{"title":"Router","password":"correct horse"}"#;
pub(crate) const PASSWORD: &str = "correct horse battery staple";
pub(crate) const EMAIL: &str = "alice@example.com";
pub(crate) const FLOOR_PARAMS: KdfParams = KdfParams {
    memory_kib: 19 * 1024,
    iterations: 2,
    parallelism: 1,
};
pub(crate) const SEALED: &str = "01012222222222222222222222226cd57320b4a3fa7ddf1d8c533dd28ca73dbfef920bf2df3c3d3d6eca33c3066c370dce61278891b13c2b880f9be8fc99b1851a7bc1a1db766da448f39c";
pub(crate) const WRAPPED: &str = "010201444444444444444444444444ff767b5d790b1704daa3acae1bd944dfabf9ff088b3e0ce4e460d2500ff819ef45678174043cf1f97f2e5d6f1dfcbe67";
pub(crate) const AUTH_KEY: &str =
    "a02630987afbf22b20fb9e5bdbd5006dda0ca7c6b7152648fcafe5314ba4ca5c";
pub(crate) const ENVELOPE: &str = "010300004c00000000020000000155555555555555555555555555555555666666666666666666666666d0a8fd41bfdd3f74828bd73e773969b921847551a0b2d6e46e8401f2c80f90400ba729c056660180c719e29be552d2f3";
pub(crate) const WRAPPED_X25519: &str = "01020299999999999999999999999982812435dc06f423280086d0d325f00628d470be5da2736c980488469d2f58042df89095864b383db53fc1334580c2b8";
pub(crate) const WRAPPED_ED25519: &str = "010203aaaaaaaaaaaaaaaaaaaaaaaad16695ed8dd0ca103e187b32aedf8b813ef9e599702b422fcf25cbad5ee57af93c07771d0da58227914768f4a6539411";
pub(crate) const X25519_PUBLIC: &str =
    "1cf579aba45a10ba1d1ef06d91fca2aa9ed0a1150515653155405d0b18cb9a67";
pub(crate) const HPKE_WRAPPED: &str = "01040121251a95daeed7ab17dc373d1eb4fe8a239184fa4b1638c6dbafeca7da329817bbef68ac6786736b3480dd5445e4b5c1915a0a556e01d0f981d22f8831a52f6e64d40402ff319461358a4994c618f485";
pub(crate) const HPKE_SIGNATURE: &str = "0105c61db86470325b309c8b086093ebd8aa60e41145386fdf03b9d5de406bb9963b96bdbc6b0c1e1170f170c69313f1fa1fe70c976c4f2a0f8ad006f7af8cc9f50a";
pub(crate) const OBJECT_KEY_SIGNATURE: &str = "0105d5f99d31f8b2ddd027681cfd0fdb9ebedd26e3b295a1e277f94d688f8534442da9260228a2461aa2c4f6fb01670447e1d5e7e06cebd792aeb950c005ec256400";
pub(crate) const ED25519_PUBLIC: &str =
    "b2491d9502ae28630a2bacb2e0c74510ffcdd328c334ff3e1393e75b2d31e7dc";
pub(crate) const SIGNATURE: &str = "01052fc911250201052598ae54ff697e54f41732ceff6da12cd5ef472a349ca152f137713f8519adcc5bde61cc44df82c4fe4864e0421c482801f427a5f8fedb850f";
pub(crate) const FINGERPRINT: &str = "07204 89441 63114 77797 85078 81198";
pub(crate) const PUBLISHED_KEYS_SIGNATURE: &str = "01056004ea71346073342c3b80db16524e7b65f0389f4c52fc8ed19a8792947d224e823e2218ef4f00133cbfb79796a1217a45cb7e785ed035a4be3ea252f307b809";
pub(crate) const CERTIFICATE_SIGNATURE: &str = "0105b6eada46de4899267e72be710511696f061f2c9a3c198122a3cf027c1a4f1a8cec9c003a6ce0f1a6068e18b6e923549fd10a9da4934ad709d6e2da89f134a20e";
pub(crate) const COMPANY_KEY_SIGNATURE: &str = "01057e674a0e04c11f709471044e13334addd7aa73696d453a753aa69e773e9452252ef11f169ed11d4045a34c32cc27ddb28a25e52b990b49936cfa0d01af763a0f";
pub(crate) const ACCESS_LIST_SIGNATURE: &str = "010525b2b120cb4bed96f03d1eec8e2825aaa8605e3668ec6a8a3b29a9eae3954e91ae5da176c1591d8b66088f25806b18bae7e70a397afc3eeffa35067ede556305";
pub(crate) const SIGNING_FINGERPRINT: &str = "83553 36637 61591 72281 65736 72536";
pub(crate) const RECORD_ID: &str = "7cff8ebb-dd03-8483-b2d2-36dcb436716d";
pub(crate) const INVITEE_ID: &str = "1b68d728-83dc-897f-b76b-e2630780628f";

pub(crate) fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub(crate) fn bytes(hex_str: &str) -> Vec<u8> {
    hex::decode(hex_str).expect("vectors are valid hex")
}

pub(crate) fn record_key() -> SymmetricKey {
    dangerous_key_from_bytes([0x11; 32])
}
pub(crate) fn record_binding() -> Binding {
    Binding::new(Purpose::Item, id(1), id(2))
}
pub(crate) fn inner_key() -> SymmetricKey {
    dangerous_key_from_bytes([0x33; 32])
}
pub(crate) fn wrap_binding() -> Binding {
    Binding::new(Purpose::ProfileKey, id(3), id(4))
}
pub(crate) fn password() -> MasterPassword {
    MasterPassword::new(PASSWORD.to_owned())
}
pub(crate) fn salt() -> PasswordSalt {
    PasswordSalt::from_bytes(&[0x55; 16]).expect("16 bytes")
}
pub(crate) fn x25519_key() -> EncryptionPrivateKey {
    dangerous_key_from_bytes([0x77; 32])
}
pub(crate) fn hpke_binding() -> HpkeBinding {
    HpkeBinding {
        purpose: Purpose::ShareKey,
        object_id: id(5),
        sender_id: id(6),
        recipient_id: id(7),
    }
}
pub(crate) fn signing_key() -> SigningKey {
    dangerous_key_from_bytes([0x88; 32])
}
pub(crate) fn private_key_binding(purpose: Purpose) -> Binding {
    Binding::new(purpose, id(10), id(11))
}
pub(crate) fn published_keys_statement<'a>(
    encryption_key: &'a crate::keys::EncryptionPublicKey,
    verifying_key: &'a crate::keys::VerifyingKey,
) -> Statement<'a> {
    Statement::PublishedKeys {
        account_id: id(8),
        key_epoch: 1,
        email: EMAIL,
        encryption_key,
        verifying_key,
    }
}
pub(crate) fn certificate_statement<'a>(
    encryption_key: &'a crate::keys::EncryptionPublicKey,
    verifying_key: &'a crate::keys::VerifyingKey,
) -> Statement<'a> {
    Statement::KeyCertificate {
        company_id: id(12),
        account_id: id(8),
        key_epoch: 1,
        email: EMAIL,
        encryption_key,
        verifying_key,
    }
}
pub(crate) fn access_list() -> AccessList {
    AccessList {
        kind: AccessListKind::Share,
        object_id: id(13),
        epoch: 2,
        generation: 1,
        generation_id: id(14),
        group_key: None,
        entries: vec![
            AccessEntry {
                id: id(8),
                kind: EntryKind::Account,
                role: AccessRole::Owner,
            },
            AccessEntry {
                id: id(15),
                kind: EntryKind::Group,
                role: AccessRole::Edit,
            },
            AccessEntry {
                id: derive_invitee_id(EMAIL),
                kind: EntryKind::Invitee,
                role: AccessRole::View,
            },
        ],
    }
}
pub(crate) fn object_key_statement(key: &crate::keys::EncryptionPublicKey) -> Statement<'_> {
    Statement::ObjectKey {
        purpose: Purpose::GroupPrivateKey,
        object_id: id(9),
        key,
    }
}

fn ensure(ok: bool, step: &'static str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::SelfTest(step))
    }
}

pub(crate) fn same_key<K: Sealed>(a: &K, b: &K) -> bool {
    use subtle::ConstantTimeEq;
    a.secret_bytes()
        .as_slice()
        .ct_eq(b.secret_bytes().as_slice())
        .into()
}

/// Checks every vector in both directions, then a fresh random round trip of each operation.
pub(crate) fn check_all() -> Result<()> {
    // Sealed records.
    let sealed = seal_with_nonce(&record_key(), &record_binding(), &[0x22; 12], RECORD);
    ensure(sealed.as_bytes() == bytes(SEALED), "sealed record vector")?;
    let opened = open(
        &record_key(),
        &record_binding(),
        &SealedData::from_bytes(bytes(SEALED))?,
    )?;
    ensure(
        opened.as_slice() == RECORD,
        "opening the sealed record vector",
    )?;

    // Symmetric key wrapping.
    let wrapped = wrap_with_nonce(&record_key(), &wrap_binding(), &[0x44; 12], &inner_key());
    ensure(wrapped.as_bytes() == bytes(WRAPPED), "wrapped key vector")?;
    let unwrapped: SymmetricKey = unwrap(
        &record_key(),
        &wrap_binding(),
        &WrappedKey::from_bytes(bytes(WRAPPED))?,
    )?;
    ensure(
        same_key(&unwrapped, &inner_key()),
        "unwrapping the wrapped key vector",
    )?;
    let binding = private_key_binding(Purpose::AccountEncryptionKey);
    let wrapped = wrap_with_nonce(&record_key(), &binding, &[0x99; 12], &x25519_key());
    ensure(
        wrapped.as_bytes() == bytes(WRAPPED_X25519),
        "wrapped X25519 key vector",
    )?;
    let unwrapped: EncryptionPrivateKey = unwrap(&record_key(), &binding, &wrapped)?;
    ensure(
        same_key(&unwrapped, &x25519_key()),
        "unwrapping the X25519 key vector",
    )?;
    let binding = private_key_binding(Purpose::AccountSigningKey);
    let wrapped = wrap_with_nonce(&record_key(), &binding, &[0xaa; 12], &signing_key());
    ensure(
        wrapped.as_bytes() == bytes(WRAPPED_ED25519),
        "wrapped Ed25519 key vector",
    )?;
    let unwrapped: SigningKey = unwrap(&record_key(), &binding, &wrapped)?;
    ensure(
        same_key(&unwrapped, &signing_key()),
        "unwrapping the Ed25519 key vector",
    )?;

    // Key derivation and the password envelope.
    let login = derive_login_keys(&password(), EMAIL, &FLOOR_PARAMS, &salt())?;
    ensure(
        login.auth_key().as_login_bytes().as_slice() == bytes(AUTH_KEY),
        "auth key vector",
    )?;
    let envelope = login.seal_account_key_with_nonce(&inner_key(), &[0x66; 12]);
    ensure(
        envelope.as_bytes() == bytes(ENVELOPE),
        "password envelope vector",
    )?;
    let (_, account_key) = open_password_envelope(
        &password(),
        EMAIL,
        &PasswordEnvelope::from_bytes(bytes(ENVELOPE))?,
    )?;
    ensure(
        same_key(&account_key, &inner_key()),
        "opening the password envelope vector",
    )?;

    // HPKE.
    let x25519 = x25519_key();
    ensure(
        x25519.public_key().to_bytes().as_slice() == bytes(X25519_PUBLIC),
        "X25519 public key vector",
    )?;
    let signer = signing_key();
    let verifying = signer.verifying_key();
    let hpke_vector = HpkeWrappedKey::from_bytes(bytes(HPKE_WRAPPED))?;
    let hpke_signature = signer.sign(&Statement::Wrapping {
        binding: &hpke_binding(),
        wrapped: &hpke_vector,
    });
    ensure(
        hpke_signature.as_bytes() == bytes(HPKE_SIGNATURE),
        "HPKE wrapping signature vector",
    )?;
    let from_vector: SymmetricKey = unwrap_with_private_key(
        &x25519,
        &hpke_binding(),
        &hpke_vector,
        &Signature::from_bytes(bytes(HPKE_SIGNATURE))?,
        &verifying,
    )?;
    ensure(same_key(&from_vector, &inner_key()), "HPKE vector")?;

    // Signatures and fingerprints.
    ensure(
        verifying.to_bytes().as_slice() == bytes(ED25519_PUBLIC),
        "Ed25519 public key vector",
    )?;
    let statement = Statement::AccountKeys {
        account_id: id(8),
        encryption_key: &x25519.public_key(),
        verifying_key: &verifying,
    };
    ensure(
        signer.sign(&statement).as_bytes() == bytes(SIGNATURE),
        "signature vector",
    )?;
    verifying.verify(&statement, &Signature::from_bytes(bytes(SIGNATURE))?)?;
    let x25519_public = x25519.public_key();
    let object_key_signature = signer.sign(&object_key_statement(&x25519_public));
    ensure(
        object_key_signature.as_bytes() == bytes(OBJECT_KEY_SIGNATURE),
        "object key signature vector",
    )?;
    ensure(
        derive_fingerprint(&verifying, &x25519.public_key()) == FINGERPRINT,
        "fingerprint vector",
    )?;
    let list = access_list();
    let company = Statement::CompanyKey {
        company_id: id(12),
        verifying_key: &verifying,
    };
    for (statement, vector, step) in [
        (
            published_keys_statement(&x25519_public, &verifying),
            PUBLISHED_KEYS_SIGNATURE,
            "published keys signature vector",
        ),
        (
            certificate_statement(&x25519_public, &verifying),
            CERTIFICATE_SIGNATURE,
            "key certificate signature vector",
        ),
        (
            company,
            COMPANY_KEY_SIGNATURE,
            "company key signature vector",
        ),
        (
            Statement::AccessList(&list),
            ACCESS_LIST_SIGNATURE,
            "access list signature vector",
        ),
    ] {
        ensure(signer.sign(&statement).as_bytes() == bytes(vector), step)?;
        verifying.verify(&statement, &Signature::from_bytes(bytes(vector))?)?;
    }
    ensure(
        derive_signing_fingerprint(&verifying) == SIGNING_FINGERPRINT,
        "signing fingerprint vector",
    )?;
    ensure(
        derive_record_id(&record_key(), Purpose::TrustRecord, id(8).as_bytes()).to_string()
            == RECORD_ID,
        "record id vector",
    )?;
    ensure(
        derive_invitee_id(EMAIL).to_string() == INVITEE_ID,
        "invitee id vector",
    )?;

    // Fresh round trips with the platform's random source.
    let key = make_symmetric_key();
    let fresh = seal(&key, &record_binding(), RECORD);
    ensure(
        open(&key, &record_binding(), &fresh)?.as_slice() == RECORD,
        "fresh seal and open",
    )?;
    let recipient = make_encryption_key();
    let sender = make_signing_key();
    let (wrapped, signature) =
        wrap_to_public_key(&recipient.public_key(), &hpke_binding(), &key, &sender)?;
    let back: SymmetricKey = unwrap_with_private_key(
        &recipient,
        &hpke_binding(),
        &wrapped,
        &signature,
        &sender.verifying_key(),
    )?;
    ensure(same_key(&back, &key), "fresh HPKE wrap and unwrap")
}
