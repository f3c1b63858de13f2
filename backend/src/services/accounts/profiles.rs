//! A profile added to an existing account: the fresh Business profile of someone whose old one
//! stayed with their company when it removed them (policy "Remove business profile items when
//! users are removed"). The browser makes the key; the server stores it wrapped, as at sign-up.
//!
//! Invariants: an account has at most one profile of each kind (the `profile_account_kind`
//! index); the Personal profile is never replaced; an id that is taken gets a clear 409, never
//! a 500.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};
use shared_types::ContainerId;
use shared_types::account::codes;
use shared_types::account::{AccountBundle, ProfileKey, ProfileKind};
use shared_types::vault::ContainerKind;

use super::sessions::{SessionInfo, account_of};
use super::signup::kind_name;
use super::validate::{WRAPPED_KEY_LEN, check_len};
use super::{bad, now};
use crate::entity::{profile, vault_container};
use crate::error::ApiError;
use crate::services::access;
use crate::services::orgs::partners::is_unique_violation;
use crate::state::AppState;

fn taken() -> ApiError {
    ApiError::Conflict {
        code: codes::PROFILE_EXISTS,
        message: "This account already has a Business profile (or that profile id is taken). Reload the page.".into(),
    }
}

/// Adds a Business profile to the caller's account, which has none; returns the account's
/// bundle with it.
pub async fn add_profile(
    state: &AppState,
    session: &SessionInfo,
    req: &ProfileKey,
) -> Result<AccountBundle, ApiError> {
    if req.kind != ProfileKind::Business {
        return Err(bad(
            "Only a Business profile can be added: every account keeps its Personal profile.",
        ));
    }
    check_len(&req.wrapped_key, WRAPPED_KEY_LEN, "The wrapped profile key")?;
    let account = session.account_id;
    let txn = state.db.begin().await?;
    let existing = profile::Entity::find()
        .filter(profile::Column::AccountId.eq(account.0))
        .filter(profile::Column::Kind.eq(kind_name(req.kind)))
        .count(&txn)
        .await?;
    if existing > 0 {
        return Err(taken());
    }
    let inserted = profile::ActiveModel {
        id: Set(req.id.0),
        account_id: Set(account.0),
        kind: Set(kind_name(req.kind).to_owned()),
        wrapped_key: Set(req.wrapped_key.0.clone()),
        created_at: Set(now()),
    }
    .insert(&txn)
    .await;
    match inserted {
        Err(err) if is_unique_violation(&err) => return Err(taken()),
        other => other?,
    };
    // A share or another profile may hold the id as a container already.
    if vault_container::Entity::find_by_id(req.id.0)
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(taken());
    }
    access::create_container(
        &txn,
        ContainerId::from(req.id),
        ContainerKind::Profile,
        account,
    )
    .await?;
    txn.commit().await?;
    state.notifier.accounts_changed(&state.db, &[account]).await;
    account_of(state, session).await
}
