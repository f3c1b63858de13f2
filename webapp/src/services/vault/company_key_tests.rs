//! The company signing key across browsers, against the in-memory server: the first Admin's
//! browser makes it and certifies members' keys, members pin it and trust certified keys
//! without comparing fingerprints, and what a server forges (another key in its place, a link
//! fingerprint it does not match, a certificate over keys planted in someone's name) is caught.

use shared_types::CompanyId;
use shared_types::sharing::DirectoryState;
use wasm_crypto::{HpkeBinding, HpkeWrappedKey, Purpose, Signature, SigningKey};

use super::*;
use crate::services::sharing::company_key::{certify, make_company_key};
use crate::services::sharing::trust::CompanyPinSource;
use crate::services::vault::CompanyKeyProblem;

fn member_of(company: CompanyId, admin: bool, uncertified: &[&Person]) -> DirectoryState {
    DirectoryState {
        company: Some(company),
        admin,
        uncertified: (uncertified.iter())
            .map(|p| statement_of(&p.keys, 1))
            .collect(),
        ..DirectoryState::default()
    }
}

/// The company's signing key, opened from the wrapping the server keeps for `admin`.
fn signing_key_of(server: &MemoryServer, company: CompanyId, admin: &Person) -> SigningKey {
    let w = server.0.borrow().directory[&admin.id()]
        .signing
        .clone()
        .unwrap();
    wasm_crypto::unwrap_with_private_key(
        &admin.keys.encryption_key,
        &HpkeBinding {
            purpose: Purpose::CompanySigningKey,
            object_id: company.0,
            sender_id: admin.id().0,
            recipient_id: admin.id().0,
        },
        &HpkeWrappedKey::from_bytes(w.wrapped.0).unwrap(),
        &Signature::from_bytes(w.signature.0).unwrap(),
        &admin.keys.signing_key.verifying_key(),
    )
    .unwrap()
}

struct Acme {
    server: MemoryServer,
    company: CompanyId,
    admin: Person,
    bob: Person,
    carol: Person,
}

/// Acme with its Admin and two members; the Admin's browser made the company key and
/// certified everyone's keys.
fn acme() -> Acme {
    let server = MemoryServer::default();
    let admin = Person::new(&server, "admin@acme.example");
    let bob = Person::new(&server, "bob@acme.example");
    let carol = Person::new(&server, "carol@acme.example");
    let company = CompanyId::new_v7();
    {
        let mut s = server.0.borrow_mut();
        s.directory.insert(
            admin.id(),
            member_of(company, true, &[&admin, &bob, &carol]),
        );
        for who in [&bob, &carol] {
            s.directory.insert(who.id(), member_of(company, false, &[]));
        }
    }
    admin.sync();
    assert!(server.0.borrow().directory[&bob.id()].company_key.is_some());
    assert!(
        server.0.borrow().certificates.is_empty(),
        "pinned before it certifies"
    );
    admin.sync();
    Acme {
        server,
        company,
        admin,
        bob,
        carol,
    }
}

#[test]
fn members_trust_the_keys_their_company_certifies() {
    let Acme {
        server,
        company,
        admin,
        bob,
        carol,
    } = acme();
    let pin = admin.session.company_pin(company).unwrap();
    assert_eq!(pin.via, CompanyPinSource::Made);
    let mut certified: Vec<AccountId> = (server.0.borrow().certificates.iter())
        .map(|c| c.account_id)
        .collect();
    certified.sort();
    let mut everyone = vec![admin.id(), bob.id(), carol.id()];
    everyone.sort();
    assert_eq!(certified, everyone);

    bob.sync();
    assert_eq!(bob.session.company_key(), pin.key());
    assert_eq!(
        bob.session.company_pin(company).unwrap().via,
        CompanyPinSource::FirstUse
    );
    assert_eq!(bob.session.company_key_problem(), None);
    block_on(bob.session.pin_unknown(&[carol.id()], 3_000)).unwrap();
    assert_eq!(
        bob.session.contact(carol.id()).unwrap().source,
        PinSource::Certified
    );
}

#[test]
fn another_company_key_in_place_of_the_pinned_one_is_refused() {
    let Acme {
        server,
        company,
        admin,
        bob,
        ..
    } = acme();
    bob.sync();
    let pinned = bob.session.company_key().unwrap();
    // The server serves a second key, validly made by the same Admin (say, from a request it
    // kept), and certifies Dave's keys with it.
    let (second, request) = make_company_key(&admin.keys, company);
    let dave = Person::new(&server, "dave@acme.example");
    {
        let mut s = server.0.borrow_mut();
        s.directory.get_mut(&bob.id()).unwrap().company_key = Some(request.key);
        let cert = certify(&second, company, &statement_of(&dave.keys, 1)).unwrap();
        s.certificates.push(cert);
    }
    bob.sync();
    assert!(matches!(
        bob.session.company_key_problem(),
        Some(CompanyKeyProblem::Mismatch { .. })
    ));
    assert_eq!(bob.session.company_key(), Some(pinned), "the pin stays");
    block_on(bob.session.pin_unknown(&[dave.id()], 3_000)).unwrap();
    assert_eq!(
        bob.session.contact(dave.id()).unwrap().source,
        PinSource::FirstUse
    );
}

#[test]
fn an_invitation_fingerprint_decides_the_first_pin() {
    let Acme {
        server,
        company,
        admin,
        carol,
        ..
    } = acme();
    let key = admin.session.company_pin(company).unwrap();
    // A link naming another key: nothing is pinned, and the person is told.
    let misled = carol.new_browser();
    block_on(misled.expect_company_fingerprint(&"1".repeat(30))).unwrap();
    block_on(misled.sync(2_000)).unwrap();
    assert!(matches!(
        misled.company_key_problem(),
        Some(CompanyKeyProblem::Mismatch { .. })
    ));
    assert_eq!(misled.company_pin(company), None);
    // The link an Admin copied: pinned as such.
    let invited = carol.new_browser();
    block_on(invited.expect_company_fingerprint(&key.fingerprint())).unwrap();
    block_on(invited.sync(2_000)).unwrap();
    assert_eq!(invited.company_key_problem(), None);
    assert_eq!(
        invited.company_pin(company).unwrap().via,
        CompanyPinSource::LinkFragment
    );
    drop(server);
}

#[test]
fn a_certificate_over_keys_planted_in_my_name_is_reported() {
    let Acme {
        server,
        company,
        admin,
        bob,
        ..
    } = acme();
    bob.sync();
    assert_eq!(bob.session.company_key_problem(), None);
    let key = signing_key_of(&server, company, &admin);
    let mut planted = test_account("bob@acme.example").vault;
    planted.account_id = bob.id();
    let planted_keys = statement_of(&planted, 2);
    {
        let mut s = server.0.borrow_mut();
        let state = s.directory.get_mut(&bob.id()).unwrap();
        state.certificate = certify(&key, company, &planted_keys);
        state.certified_keys = Some(planted_keys);
    }
    bob.sync();
    assert_eq!(
        bob.session.company_key_problem(),
        Some(CompanyKeyProblem::CertificateNotMine)
    );

    // The Admin's browser, asked to certify those planted keys, does not: they are not the
    // keys it pinned for Bob.
    let before = server.0.borrow().certificates.len();
    {
        let mut s = server.0.borrow_mut();
        let mut keys = s.directory[&admin.id()].uncertified.clone();
        keys.push(statement_of(&planted, 2));
        s.published.push(statement_of(&planted, 2));
        s.published
            .retain(|k| k.account_id != bob.id() || k.key_epoch == 2);
        s.directory.get_mut(&admin.id()).unwrap().uncertified = keys;
    }
    admin.sync();
    let s = server.0.borrow();
    assert_eq!(s.certificates.len(), before);
    assert!(s.certificates.iter().all(|c| c.key_epoch == 1));
}

#[test]
fn a_second_admin_making_the_key_at_the_same_moment_carries_on() {
    let Acme {
        server,
        company,
        admin,
        ..
    } = acme();
    let second = Person::new(&server, "second@acme.example");
    // The second Admin's browser still sees no key (it asked before the first one made it).
    server
        .0
        .borrow_mut()
        .directory
        .insert(second.id(), member_of(company, true, &[]));
    block_on(second.session.sync(2_000)).unwrap();
    assert_eq!(second.session.company_key_problem(), None);
    // Served the key made first, it pins that one.
    let made = server.0.borrow().directory[&admin.id()].company_key.clone();
    server
        .0
        .borrow_mut()
        .directory
        .get_mut(&second.id())
        .unwrap()
        .company_key = made;
    second.sync();
    assert_eq!(second.session.company_key(), admin.session.company_key());
}
