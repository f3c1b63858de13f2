//! Benchmarks the figures the product depends on: the master-password KDF at its default cost
//! (unlock time), sealing and opening 10,000 ~300-byte records (a large vault), and HPKE key
//! wrapping with its signature (sharing). Run with `cargo bench -p wasm-crypto`.
#![allow(clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use uuid::Uuid;
use wasm_crypto::{
    Binding, HpkeBinding, KdfParams, MasterPassword, Purpose, SymmetricKey, derive_login_keys,
    make_encryption_key, make_password_salt, make_signing_key, make_symmetric_key, open, seal,
    unwrap_with_private_key, wrap_to_public_key,
};

fn kdf(c: &mut Criterion) {
    let mut group = c.benchmark_group("kdf");
    group.sample_size(10);
    let password = MasterPassword::new("correct horse battery staple".into());
    let salt = make_password_salt();
    group.bench_function("argon2id_default_64MiB_t3", |b| {
        b.iter(|| {
            derive_login_keys(&password, "alice@example.com", &KdfParams::DEFAULT, &salt).unwrap()
        })
    });
    group.finish();
}

fn records(c: &mut Criterion) {
    let mut group = c.benchmark_group("records");
    group.sample_size(10);
    let key = make_symmetric_key();
    let container = Uuid::now_v7();
    let record = vec![b'x'; 300];
    let bindings: Vec<Binding> = (0..10_000)
        .map(|_| Binding::new(Purpose::Item, Uuid::now_v7(), container))
        .collect();
    group.bench_function("seal_and_open_10000_x_300B", |b| {
        b.iter(|| {
            for binding in &bindings {
                let sealed = seal(&key, binding, black_box(&record));
                black_box(open(&key, binding, &sealed).unwrap());
            }
        })
    });
    group.finish();
}

fn hpke(c: &mut Criterion) {
    let recipient = make_encryption_key();
    let public = recipient.public_key();
    let binding = HpkeBinding {
        purpose: Purpose::ShareKey,
        object_id: Uuid::now_v7(),
        sender_id: Uuid::now_v7(),
        recipient_id: Uuid::now_v7(),
    };
    let share_key = make_symmetric_key();
    let sender = make_signing_key();
    let sender_public = sender.verifying_key();
    c.bench_function("hpke_wrap_and_sign", |b| {
        b.iter(|| wrap_to_public_key(&public, &binding, &share_key, &sender).unwrap())
    });
    let (wrapped, signature) = wrap_to_public_key(&public, &binding, &share_key, &sender).unwrap();
    c.bench_function("hpke_verify_and_unwrap", |b| {
        b.iter(|| {
            unwrap_with_private_key::<SymmetricKey>(
                &recipient,
                &binding,
                &wrapped,
                &signature,
                &sender_public,
            )
            .unwrap()
        })
    });
}

criterion_group!(benches, kdf, records, hpke);
criterion_main!(benches);
