//! A profile added to an existing account: the fresh Business profile of someone whose old one
//! stayed with their company when it removed them (policy "Remove business profile items when
//! users are removed"). The browser makes the key; the server stores it wrapped, as at sign-up.
//!
//! Also the migration of an account made before profile kinds were bound: its browser wraps
//! every profile key again with the kind in the binding and signs the keys as kind-bound.
//!
//! Invariants: an account has at most one profile of each kind (the `profile_account_kind`
//! index); the Personal profile is never replaced; an id that is taken gets a clear 409, never
//! a 500; profile keys are replaced only all together, each by the account that owns it, with a
//! kind-bound signature that verifies under the account's own key, and only once: never on an
//! account signed kind-bound already.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};
use shared_types::ContainerId;
use shared_types::account::codes;
use shared_types::account::{AccountBundle, BindProfileKindsRequest, ProfileKey, ProfileKind};
use shared_types::vault::ContainerKind;

use super::sessions::{SessionInfo, account_of};
use super::signup::kind_name;
use super::validate::{SIGNATURE_LEN, WRAPPED_KEY_LEN, check_len};
use super::{bad, now};
use crate::entity::{account, profile, vault_container};
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

/// Replaces every profile key of the caller's account with one wrapped with its kind bound, and
/// its keys' signature with the kind-bound one; returns the account's bundle. Once only: an
/// account whose keys are signed kind-bound already (made so, or migrated) is refused with
/// `kinds_bound`, so a stolen session cannot replace the profile keys (which the server cannot
/// check) after the fact. The request must name each of the account's profiles once, with its
/// kind, and the signature must verify under the account's verifying key: a half-migrated
/// account would not open in its browsers.
pub async fn bind_profile_kinds(
    state: &AppState,
    session: &SessionInfo,
    req: &BindProfileKindsRequest,
) -> Result<AccountBundle, ApiError> {
    check_len(&req.keys_signature, SIGNATURE_LEN, "The key signature")?;
    for p in &req.profiles {
        check_len(&p.wrapped_key, WRAPPED_KEY_LEN, "A profile key")?;
    }
    let account_id = session.account_id;
    let found = account::Entity::find_by_id(account_id.0)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let verifying = wasm_crypto::VerifyingKey::from_bytes(&found.verifying_key)
        .map_err(|_| bad("This account's verifying key is malformed."))?;
    let encryption = wasm_crypto::EncryptionPublicKey::from_bytes(&found.encryption_public_key)
        .map_err(|_| bad("This account's encryption key is malformed."))?;
    let signed = |statement: wasm_crypto::Statement<'_>, bytes: &[u8]| {
        wasm_crypto::Signature::from_bytes(bytes.to_vec())
            .is_ok_and(|signature| verifying.verify(&statement, &signature).is_ok())
    };
    let older = wasm_crypto::Statement::AccountKeys {
        account_id: account_id.0,
        encryption_key: &encryption,
        verifying_key: &verifying,
    };
    let bound = wasm_crypto::Statement::KindBoundAccountKeys {
        account_id: account_id.0,
        encryption_key: &encryption,
        verifying_key: &verifying,
    };
    if !signed(older, &found.keys_signature) {
        return Err(ApiError::Conflict {
            code: codes::KINDS_BOUND,
            message: "This account's profile kinds are bound already; nothing was changed.".into(),
        });
    }
    if !signed(bound, &req.keys_signature.0) {
        return Err(bad(
            "The key signature does not verify under this account's key.",
        ));
    }
    let rows = profile::Entity::find()
        .filter(profile::Column::AccountId.eq(account_id.0))
        .all(&state.db)
        .await?;
    let names_each_once = req.profiles.len() == rows.len()
        && rows.iter().all(|row| {
            (req.profiles.iter())
                .filter(|p| p.id.0 == row.id && kind_name(p.kind) == row.kind)
                .count()
                == 1
        });
    let changed = || ApiError::Conflict {
        code: codes::PROFILES_CHANGED,
        message: "Nothing was changed: this account's profiles changed meanwhile. Reload the page."
            .into(),
    };
    if !names_each_once {
        return Err(changed());
    }
    // Writes only, the first one conditional on the signature read above: another migration
    // (another tab) that came first makes this one change nothing. (On SQLite a transaction
    // that reads before it writes can fail to write when another committed in between.)
    let txn = state.db.begin().await?;
    let swapped = account::Entity::update_many()
        .col_expr(
            account::Column::KeysSignature,
            sea_orm::sea_query::Expr::value(req.keys_signature.0.clone()),
        )
        .filter(account::Column::Id.eq(account_id.0))
        .filter(account::Column::KeysSignature.eq(found.keys_signature.clone()))
        .exec(&txn)
        .await?;
    if swapped.rows_affected != 1 {
        return Err(ApiError::Conflict {
            code: codes::KINDS_BOUND,
            message: "This account's profile kinds are bound already; nothing was changed.".into(),
        });
    }
    for p in &req.profiles {
        let updated = profile::Entity::update_many()
            .col_expr(
                profile::Column::WrappedKey,
                sea_orm::sea_query::Expr::value(p.wrapped_key.0.clone()),
            )
            .filter(profile::Column::Id.eq(p.id.0))
            .filter(profile::Column::AccountId.eq(account_id.0))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(changed());
        }
    }
    txn.commit().await?;
    state
        .notifier
        .accounts_changed(&state.db, &[account_id])
        .await;
    account_of(state, session).await
}
