//! A company's signing key on the server: its public half with the statement of the Admin who
//! made it, its private half wrapped to Admins, and the certificates it issued over members'
//! published keys. Browsers that pinned the company key trust the keys it certifies without
//! comparing fingerprints; the server only stores and serves what the Admins' browsers signed.
//!
//! Invariants:
//! - A company has at most one signing key; it is made by one of its own Admins, whose
//!   published keys sign the statement, and the private half is wrapped to that Admin in the
//!   same request.
//! - The private half reaches only active Admins with published keys, from an Admin who holds
//!   it; someone who leaves the company or stops being an Admin loses their wrapping.
//! - A certificate is accepted only over a member's *current* published keys and only when the
//!   company key's signature over them verifies; each member has at most one (the newest), and
//!   leaving the company deletes it.
//! - Certificates are served only to members of the company that issued them.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};
use shared_types::org::CompanyRole;
use shared_types::sharing::{
    CertifyRequest, CompanyKey, CreateCompanyKeyRequest, DirectoryState, EntryKind, GrantRequest,
    KeyCertificate, KeyWrapping, PublishedKeys,
};
use shared_types::{AccountId, Base64Bytes, CompanyId};
use uuid::Uuid;
use wasm_crypto::{Purpose, Signature, Statement, VerifyingKey};

use super::directory::{check_signed, members};
use super::keys;
use super::shares::bad;
use crate::entity::{
    company_signing_key as signing_key, company_signing_wrapping as wrapping, key_certificate,
};
use crate::error::ApiError;
use crate::services::accounts::now;
use crate::services::orgs::begin_as;
use crate::state::AppState;

fn key_view(row: signing_key::Model) -> CompanyKey {
    CompanyKey {
        company: CompanyId(row.company_id),
        verifying_key: Base64Bytes(row.verifying_key),
        maker: AccountId(row.maker_id),
        signature: Base64Bytes(row.signature),
    }
}

fn wrapping_view(row: wrapping::Model) -> KeyWrapping {
    KeyWrapping {
        recipient: row.account_id,
        recipient_kind: EntryKind::Account,
        recipient_generation: 0,
        generation: 1,
        sender: AccountId(row.sender_id),
        wrapped: Base64Bytes(row.wrapped),
        signature: Base64Bytes(row.signature),
    }
}

fn certificate_view(row: key_certificate::Model) -> KeyCertificate {
    KeyCertificate {
        company: CompanyId(row.company_id),
        account_id: AccountId(row.account_id),
        key_epoch: u64::try_from(row.key_epoch).unwrap_or(0),
        signature: Base64Bytes(row.signature),
    }
}

async fn certificates(
    db: &impl ConnectionTrait,
    company: CompanyId,
) -> Result<BTreeMap<Uuid, key_certificate::Model>, ApiError> {
    Ok(key_certificate::Entity::find()
        .filter(key_certificate::Column::CompanyId.eq(company.0))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.account_id, c))
        .collect())
}

/// Adds the company key's part of `GET /api/directory` to `out` (for `caller`, an active
/// member of `company`).
pub async fn fill(
    db: &impl ConnectionTrait,
    company: CompanyId,
    caller: AccountId,
    out: &mut DirectoryState,
) -> Result<(), ApiError> {
    out.company_key = signing_key::Entity::find_by_id(company.0)
        .one(db)
        .await?
        .map(key_view);
    out.certificate = key_certificate::Entity::find_by_id((company.0, caller.0))
        .one(db)
        .await?
        .map(certificate_view);
    if let Some(mine) = &out.certificate {
        out.certified_keys = keys::at_epoch(db, caller.0, mine.key_epoch).await?;
    }
    if !out.admin || out.company_key.is_none() {
        return Ok(());
    }
    // Only an Admin's browser certifies: everyone's certificates are read for Admins alone.
    let issued = certificates(db, company).await?;
    let held = wrapping::Entity::find()
        .filter(wrapping::Column::CompanyId.eq(company.0))
        .all(db)
        .await?;
    let holders: BTreeSet<Uuid> = held.iter().map(|w| w.account_id).collect();
    out.signing = held
        .into_iter()
        .find(|w| w.account_id == caller.0)
        .map(wrapping_view);
    let members = members(db, company).await?;
    let mut published_keys = keys::current_of(db, members.iter().map(|(a, _)| *a)).await?;
    for (account, role) in members {
        let Some(published) = published_keys.remove(&account) else {
            continue;
        };
        let certified = issued
            .get(&account)
            .is_some_and(|c| u64::try_from(c.key_epoch).ok() == Some(published.key_epoch));
        if out.signing.is_some() && role == Some(CompanyRole::Admin) && !holders.contains(&account)
        {
            out.signing_waiting.push(published.clone());
        }
        if !certified {
            out.uncertified.push(published);
        }
    }
    Ok(())
}

/// `caller`'s published verifying key (they must have published keys to sign anything).
async fn verifying_key_of(
    db: &impl ConnectionTrait,
    caller: AccountId,
) -> Result<VerifyingKey, ApiError> {
    let published = keys::current(db, caller.0)
        .await?
        .ok_or_else(|| bad("Publish your keys first: sign in again."))?;
    VerifyingKey::from_bytes(&published.verifying_key.0)
        .map_err(|_| ApiError::Internal("a stored verifying key does not parse".into()))
}

fn exists() -> ApiError {
    ApiError::Conflict {
        code: "company_key_exists",
        message: "This company already has a signing key; an Admin who holds it hands it on."
            .into(),
    }
}

/// `POST /api/companies/{company_id}/key`, by one of the company's own Admins.
pub async fn create(
    state: &AppState,
    company: CompanyId,
    caller: AccountId,
    req: CreateCompanyKeyRequest,
) -> Result<(), ApiError> {
    let (txn, _) = begin_as(&state.db, caller).await?;
    if signing_key::Entity::find_by_id(company.0)
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(exists());
    }
    let CreateCompanyKeyRequest { key, wrapping: w } = req;
    if key.company != company || key.maker != caller {
        return Err(bad(
            "A company key names its company and the Admin who made it.",
        ));
    }
    let company_key = VerifyingKey::from_bytes(&key.verifying_key.0)
        .map_err(|_| bad("The company key is malformed."))?;
    let signature = Signature::from_bytes(key.signature.0.clone())
        .map_err(|_| bad("The company key's signature is malformed."))?;
    let verifying = verifying_key_of(&txn, caller).await?;
    verifying
        .verify(
            &Statement::CompanyKey {
                company_id: company.0,
                verifying_key: &company_key,
            },
            &signature,
        )
        .map_err(|_| bad("The company key is not signed with your published keys."))?;
    if w.recipient != caller.0 || w.sender != caller || w.recipient_kind != EntryKind::Account {
        return Err(bad("Wrap the company's new signing key to yourself."));
    }
    check_signed(
        &verifying,
        (Purpose::CompanySigningKey, company),
        caller,
        &w,
    )?;
    signing_key::Entity::insert(signing_key::ActiveModel {
        company_id: Set(company.0),
        verifying_key: Set(key.verifying_key.0),
        maker_id: Set(caller.0),
        signature: Set(key.signature.0),
        created_at: Set(now()),
    })
    .exec_without_returning(&txn)
    .await
    // Two Admins' browsers racing: the second insert finds the first.
    .map_err(|_| exists())?;
    wrapping::Entity::insert(row(company, caller, w))
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    tell_members(state, company).await
}

fn row(company: CompanyId, sender: AccountId, w: KeyWrapping) -> wrapping::ActiveModel {
    wrapping::ActiveModel {
        company_id: Set(company.0),
        account_id: Set(w.recipient),
        sender_id: Set(sender.0),
        wrapped: Set(w.wrapped.0),
        signature: Set(w.signature.0),
        created_at: Set(now()),
    }
}

async fn tell_members(state: &AppState, company: CompanyId) -> Result<(), ApiError> {
    let told: Vec<AccountId> = members(&state.db, company)
        .await?
        .into_iter()
        .map(|(a, _)| AccountId(a))
        .collect();
    state.notifier.accounts_changed(&state.db, &told).await;
    Ok(())
}

/// Tells the Admins of `account`'s company (if any) that it has keys to certify and hand the
/// company's keys to: after it publishes keys or joins.
pub async fn tell_admins(state: &AppState, account: AccountId) -> Result<(), ApiError> {
    let Some(company) = super::keys::company_of(&state.db, account.0).await? else {
        return Ok(());
    };
    let admins: Vec<AccountId> = members(&state.db, CompanyId(company))
        .await?
        .into_iter()
        .filter(|(a, role)| *role == Some(CompanyRole::Admin) && *a != account.0)
        .map(|(a, _)| AccountId(a))
        .collect();
    state.notifier.accounts_changed(&state.db, &admins).await;
    Ok(())
}

/// The company key of `company` and whether `caller` holds its private half.
async fn held_by(
    db: &impl ConnectionTrait,
    company: CompanyId,
    caller: AccountId,
) -> Result<VerifyingKey, ApiError> {
    let key = signing_key::Entity::find_by_id(company.0)
        .one(db)
        .await?
        .ok_or_else(|| bad("This company has no signing key yet."))?;
    let holds = wrapping::Entity::find_by_id((company.0, caller.0))
        .one(db)
        .await?
        .is_some();
    if !holds {
        return Err(ApiError::Conflict {
            code: "company_key_not_held",
            message: "Your browser does not hold the company's signing key yet.".into(),
        });
    }
    VerifyingKey::from_bytes(&key.verifying_key)
        .map_err(|_| ApiError::Internal("a stored company key does not parse".into()))
}

/// `POST /api/companies/{company_id}/key/wrappings`: an Admin who holds the signing key hands
/// it to other Admins.
pub async fn grant(
    state: &AppState,
    company: CompanyId,
    caller: AccountId,
    req: GrantRequest,
) -> Result<(), ApiError> {
    let (txn, _) = begin_as(&state.db, caller).await?;
    held_by(&txn, company, caller).await?;
    let admins: BTreeSet<Uuid> = members(&txn, company)
        .await?
        .into_iter()
        .filter(|(_, role)| *role == Some(CompanyRole::Admin))
        .map(|(a, _)| a)
        .collect();
    let verifying = verifying_key_of(&txn, caller).await?;
    let mut seen = BTreeSet::new();
    let mut rows = Vec::with_capacity(req.wrappings.len());
    for w in req.wrappings {
        if w.sender != caller || w.recipient_kind != EntryKind::Account {
            return Err(bad(
                "A wrapping is sent by the Admin who made it, to a person.",
            ));
        }
        if !admins.contains(&w.recipient) || !seen.insert(w.recipient) {
            return Err(bad(
                "The signing key goes to each of the company's Admins once.",
            ));
        }
        if wrapping::Entity::find_by_id((company.0, w.recipient))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(bad("That Admin already holds the signing key."));
        }
        if keys::current(&txn, w.recipient).await?.is_none() {
            return Err(bad("That person has not published keys yet."));
        }
        check_signed(
            &verifying,
            (Purpose::CompanySigningKey, company),
            caller,
            &w,
        )?;
        rows.push(row(company, caller, w));
    }
    if !rows.is_empty() {
        wrapping::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    let told: Vec<AccountId> = seen.into_iter().map(AccountId).collect();
    state.notifier.accounts_changed(&state.db, &told).await;
    Ok(())
}

/// `POST /api/companies/{company_id}/certificates`: certificates signed in the browser of an
/// Admin who holds the signing key, each over a member's current published keys.
pub async fn certify(
    state: &AppState,
    company: CompanyId,
    caller: AccountId,
    req: CertifyRequest,
) -> Result<(), ApiError> {
    let (txn, _) = begin_as(&state.db, caller).await?;
    let company_key = held_by(&txn, company, caller).await?;
    let members: BTreeSet<Uuid> = members(&txn, company)
        .await?
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    let mut seen = BTreeSet::new();
    for cert in req.certificates {
        if cert.company != company
            || !members.contains(&cert.account_id.0)
            || !seen.insert(cert.account_id)
        {
            return Err(bad(
                "A certificate names this company and one of its members, once.",
            ));
        }
        let current = keys::current(&txn, cert.account_id.0)
            .await?
            .ok_or_else(|| bad("That person has not published keys yet."))?;
        if !cert.certifies(&company_key, &current) {
            return Err(bad(
                "A certificate does not match that person's current keys or is not signed with the company key.",
            ));
        }
        key_certificate::Entity::delete_by_id((company.0, cert.account_id.0))
            .exec(&txn)
            .await?;
        key_certificate::Entity::insert(key_certificate::ActiveModel {
            company_id: Set(company.0),
            account_id: Set(cert.account_id.0),
            key_epoch: Set(i64::try_from(cert.key_epoch).unwrap_or(i64::MAX)),
            signature: Set(cert.signature.0),
            created_at: Set(now()),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    let told: Vec<AccountId> = seen.into_iter().collect();
    state.notifier.accounts_changed(&state.db, &told).await;
    Ok(())
}

/// The certificates `company` issued for the current keys in `found` (for a lookup by one of
/// its members).
pub async fn certificates_for(
    db: &impl ConnectionTrait,
    company: Uuid,
    found: &[PublishedKeys],
) -> Result<Vec<KeyCertificate>, ApiError> {
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let epochs: BTreeMap<Uuid, u64> = found
        .iter()
        .map(|k| (k.account_id.0, k.key_epoch))
        .collect();
    Ok(key_certificate::Entity::find()
        .filter(key_certificate::Column::CompanyId.eq(company))
        .filter(key_certificate::Column::AccountId.is_in(epochs.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(certificate_view)
        .filter(|c| epochs.get(&c.account_id.0) == Some(&c.key_epoch))
        .collect())
}

/// Takes the signing key and the certificate away from someone who left the company, in the
/// removal's transaction.
pub async fn on_member_removed(
    txn: &DatabaseTransaction,
    company: CompanyId,
    account: AccountId,
) -> Result<(), ApiError> {
    on_admin_demoted(txn, company, account).await?;
    key_certificate::Entity::delete_by_id((company.0, account.0))
        .exec(txn)
        .await?;
    Ok(())
}

/// Takes the signing key away from an Admin who becomes a User, in the change's transaction.
pub async fn on_admin_demoted(
    txn: &DatabaseTransaction,
    company: CompanyId,
    account: AccountId,
) -> Result<(), ApiError> {
    wrapping::Entity::delete_by_id((company.0, account.0))
        .exec(txn)
        .await?;
    Ok(())
}
