#![allow(clippy::unwrap_used)]

use super::*;
use crate::services::keys::test_account;
use crate::services::sharing::published::statement_of;
use wasm_crypto::{Signature, make_signing_key};

#[test]
fn a_company_key_counts_only_signed_by_the_admin_it_names() {
    let admin = test_account("admin@acme.example").vault;
    let other = test_account("other@acme.example").vault;
    let company = CompanyId::new_v7();
    let (key, request) = make_company_key(&admin, company);
    let maker = admin.signing_key.verifying_key();
    assert_eq!(
        verify_company_key(&request.key, company, &maker),
        Some(key.verifying_key())
    );
    // Checked with someone else's key, or for another company: refused.
    assert_eq!(
        verify_company_key(&request.key, company, &other.signing_key.verifying_key()),
        None
    );
    assert_eq!(
        verify_company_key(&request.key, CompanyId::new_v7(), &maker),
        None
    );
    // A server that swaps in its own key keeps the Admin's signature: refused.
    let mut swapped = request.key.clone();
    swapped.verifying_key = Base64Bytes(make_signing_key().verifying_key().to_bytes().to_vec());
    assert_eq!(verify_company_key(&swapped, company, &maker), None);
    // The private half is wrapped to the maker, under the company's binding.
    let opened: SigningKey = wasm_crypto::unwrap_with_private_key(
        &admin.encryption_key,
        &wasm_crypto::HpkeBinding {
            purpose: Purpose::CompanySigningKey,
            object_id: company.0,
            sender_id: admin.account_id.0,
            recipient_id: admin.account_id.0,
        },
        &wasm_crypto::HpkeWrappedKey::from_bytes(request.wrapping.wrapped.0.clone()).unwrap(),
        &Signature::from_bytes(request.wrapping.signature.0.clone()).unwrap(),
        &maker,
    )
    .unwrap();
    assert_eq!(opened.verifying_key(), key.verifying_key());
}

#[test]
fn the_link_fingerprint_and_the_pin_decide_what_is_pinned() {
    let key = make_signing_key().verifying_key();
    let fp = derive_signing_fingerprint(&key);
    let planted = make_signing_key().verifying_key();
    let pin = CompanyPin {
        company: CompanyId::new_v7(),
        verifying_key: Base64Bytes(key.to_bytes().to_vec()),
        maker: AccountId::new_v7(),
        pinned_at: 1,
        via: CompanyPinSource::LinkFragment,
    };
    let spaced: String = fp.clone();
    let bare: String = fp.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(
        judge_company_key(Some(&pin), &key, None),
        CompanyKeyJudgement::Same
    );
    assert!(matches!(
        judge_company_key(Some(&pin), &planted, Some(&bare)),
        CompanyKeyJudgement::Mismatch { .. }
    ));
    for link in [&spaced, &bare] {
        assert_eq!(
            judge_company_key(None, &key, Some(link)),
            CompanyKeyJudgement::Pin(CompanyPinSource::LinkFragment)
        );
        assert!(matches!(
            judge_company_key(None, &planted, Some(link)),
            CompanyKeyJudgement::Mismatch { .. }
        ));
    }
    assert_eq!(
        judge_company_key(None, &planted, None),
        CompanyKeyJudgement::Pin(CompanyPinSource::FirstUse)
    );
}

#[test]
fn a_certificate_over_planted_keys_in_my_name_is_found() {
    let me = test_account("me@acme.example").vault;
    let company = CompanyId::new_v7();
    let company_key = make_signing_key();
    let verifying = company_key.verifying_key();
    let mine = statement_of(&me, 1);
    let cert = certify(&company_key, company, &mine).unwrap();
    assert!(cert.certifies(&verifying, &mine));
    assert!(!certificate_not_mine(&me, &verifying, &cert, &mine));
    // Keys planted in my name (a fresh pair, self-signed) and certified.
    let mut planted = test_account("me@acme.example").vault;
    planted.account_id = me.account_id;
    let planted_keys = statement_of(&planted, 2);
    let planted_cert = certify(&company_key, company, &planted_keys).unwrap();
    assert!(certificate_not_mine(
        &me,
        &verifying,
        &planted_cert,
        &planted_keys
    ));
    // A certificate that does not verify proves nothing.
    assert!(!certificate_not_mine(
        &me,
        &make_signing_key().verifying_key(),
        &planted_cert,
        &planted_keys
    ));
    // Keys that do not verify are never certified.
    let mut broken = mine.clone();
    broken.signature.0[0] ^= 1;
    assert!(certify(&company_key, company, &broken).is_none());
}
