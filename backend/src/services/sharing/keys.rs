//! The public keys accounts publish (statement 4 of `wasm-crypto`), and key lookups.
//!
//! Invariants:
//! - A statement is accepted only from the account it names, for the account's own email and
//!   its own key pairs, with a valid signature, at an epoch no lower than the current one; the
//!   same epoch again is accepted only with the same bytes. Every epoch is kept.
//! - A lookup returns the current statement of confirmed accounts only; anything else is simply
//!   absent, so a reply says no more than "this address has an account".
//! - Addresses outside the caller's company count against an hourly limit per caller, so the
//!   lookup cannot list who has an account; lookups by id (learnt from lists the caller holds)
//!   and inside the company are free.

use std::collections::HashSet;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder,
};
use shared_types::sharing::{KeyLookupReply, KeyLookupRequest, MAX_KEY_LOOKUP, PublishedKeys};
use shared_types::{AccountId, Base64Bytes};
use uuid::Uuid;

use crate::entity::{account, account_key_statement as statement, company_member};
use crate::error::ApiError;
use crate::services::accounts::{normalize_email, now};
use crate::services::orgs::ACTIVE;
use crate::services::rate_limit::{self, Limit};
use crate::state::AppState;

/// Addresses outside the caller's company one account may look up per hour.
pub const LOOKUP_LIMIT: Limit = Limit {
    max: 30,
    window_secs: 3600,
};

fn bad(message: &str) -> ApiError {
    ApiError::BadRequest(message.to_owned())
}

fn stale() -> ApiError {
    ApiError::Conflict {
        code: "key_epoch_stale",
        message: "Newer keys of this account are already published. Reload the page.".into(),
    }
}

fn view(row: statement::Model) -> PublishedKeys {
    PublishedKeys {
        account_id: AccountId(row.account_id),
        key_epoch: u64::try_from(row.key_epoch).unwrap_or(0),
        email: row.email,
        encryption_key: Base64Bytes(row.encryption_key),
        verifying_key: Base64Bytes(row.verifying_key),
        signature: Base64Bytes(row.signature),
    }
}

/// The account's current published keys, if it has published any.
pub async fn current(
    db: &impl ConnectionTrait,
    account_id: Uuid,
) -> Result<Option<PublishedKeys>, ApiError> {
    Ok(statement::Entity::find()
        .filter(statement::Column::AccountId.eq(account_id))
        .order_by_desc(statement::Column::KeyEpoch)
        .one(db)
        .await?
        .map(view))
}

/// The current statement of each of `accounts` that has published keys, in one query.
pub async fn current_of(
    db: &impl ConnectionTrait,
    accounts: impl IntoIterator<Item = Uuid>,
) -> Result<std::collections::BTreeMap<Uuid, PublishedKeys>, ApiError> {
    let accounts: Vec<Uuid> = accounts.into_iter().collect();
    let mut out = std::collections::BTreeMap::new();
    for chunk in accounts.chunks(500) {
        let rows = statement::Entity::find()
            .filter(statement::Column::AccountId.is_in(chunk.iter().copied()))
            .order_by_asc(statement::Column::KeyEpoch)
            .all(db)
            .await?;
        // Ascending: the last one seen per account is its newest.
        for row in rows {
            out.insert(row.account_id, view(row));
        }
    }
    Ok(out)
}

/// The statement `account_id` published at `key_epoch`, if any.
pub async fn at_epoch(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    key_epoch: u64,
) -> Result<Option<PublishedKeys>, ApiError> {
    Ok(
        statement::Entity::find_by_id((account_id, i64::try_from(key_epoch).unwrap_or(i64::MAX)))
            .one(db)
            .await?
            .map(view),
    )
}

/// Checks the statement's signature with the keys it names.
fn verify(keys: &PublishedKeys) -> Result<(), ApiError> {
    keys.verified_keys().map(drop).ok_or_else(|| {
        bad("These keys are not validly signed; reload the page to update Strongroom.")
    })
}

/// `PUT /api/account/keys`: publishes the caller's keys at an epoch.
pub async fn publish(
    db: &DatabaseConnection,
    caller: Uuid,
    mut keys: PublishedKeys,
) -> Result<(), ApiError> {
    let found = account::Entity::find_by_id(caller)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    if keys.account_id.0 != caller {
        return Err(bad("These keys name another account."));
    }
    keys.email = normalize_email(&keys.email)?;
    if keys.email != found.email {
        return Err(bad(
            "These keys name another email address than the account's.",
        ));
    }
    if keys.encryption_key.0 != found.encryption_public_key
        || keys.verifying_key.0 != found.verifying_key
    {
        return Err(bad("These are not the account's keys."));
    }
    let epoch = i64::try_from(keys.key_epoch)
        .ok()
        .filter(|e| *e >= 1)
        .ok_or_else(|| bad("A key epoch starts at 1."))?;
    verify(&keys)?;
    if let Some(held) = current(db, caller).await?
        && held.key_epoch > keys.key_epoch
    {
        return Err(stale());
    }
    statement::Entity::insert(statement::ActiveModel {
        account_id: Set(caller),
        key_epoch: Set(epoch),
        email: Set(keys.email.clone()),
        encryption_key: Set(keys.encryption_key.0.clone()),
        verifying_key: Set(keys.verifying_key.0.clone()),
        signature: Set(keys.signature.0.clone()),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([statement::Column::AccountId, statement::Column::KeyEpoch])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    // Two browsers may publish the same epoch at once: the same statement is fine, another
    // one at that epoch is not.
    let stored = statement::Entity::find_by_id((caller, epoch))
        .one(db)
        .await?
        .map(view);
    match stored {
        Some(stored) if stored == keys => Ok(()),
        _ => Err(stale()),
    }
}

/// The active company of `account`, if any.
pub(super) async fn company_of(
    db: &DatabaseConnection,
    account: Uuid,
) -> Result<Option<Uuid>, ApiError> {
    Ok(company_member::Entity::find()
        .filter(company_member::Column::AccountId.eq(account))
        .filter(company_member::Column::Status.eq(ACTIVE))
        .one(db)
        .await?
        .map(|m| m.company_id))
}

/// `POST /api/keys/lookup`.
pub async fn lookup(
    state: &AppState,
    caller: Uuid,
    req: KeyLookupRequest,
) -> Result<KeyLookupReply, ApiError> {
    if req.emails.len() + req.account_ids.len() > MAX_KEY_LOOKUP {
        return Err(bad("Look up at most 50 people at a time."));
    }
    let emails: HashSet<String> = req
        .emails
        .iter()
        .map(|e| normalize_email(e))
        .collect::<Result<_, _>>()?;
    let db = &state.db;
    let company = company_of(db, caller).await?;
    let inside: HashSet<String> = match company {
        Some(company) if !emails.is_empty() => company_member::Entity::find()
            .filter(company_member::Column::CompanyId.eq(company))
            .filter(company_member::Column::Status.eq(ACTIVE))
            .filter(company_member::Column::Email.is_in(emails.iter().cloned()))
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.email)
            .collect(),
        _ => HashSet::new(),
    };
    let outside = emails.difference(&inside).count();
    if outside > 0 {
        rate_limit::hit_many(
            db,
            &format!("keys_lookup:account:{caller}"),
            LOOKUP_LIMIT,
            now().unix_timestamp(),
            i32::try_from(outside).unwrap_or(i32::MAX),
        )
        .await?
        .map_err(ApiError::RateLimited)?;
    }
    let ids: Vec<Uuid> = req.account_ids.iter().map(|id| id.0).collect();
    let accounts = account::Entity::find()
        .filter(account::Column::EmailConfirmedAt.is_not_null())
        .filter(
            Condition::any()
                .add(account::Column::Email.is_in(emails.iter().cloned()))
                .add(account::Column::Id.is_in(ids)),
        )
        .all(db)
        .await?;
    let keys: Vec<PublishedKeys> = current_of(db, accounts.iter().map(|a| a.id))
        .await?
        .into_values()
        .collect();
    let certificates = match company {
        Some(company) => super::company_key::certificates_for(db, company, &keys).await?,
        None => Vec::new(),
    };
    Ok(KeyLookupReply { keys, certificates })
}
