//! Two-factor authentication with an authenticator app (TOTP, RFC 6238: SHA-1, 6 digits, 30 s,
//! one step of drift either way) and ten one-time recovery codes.
//!
//! Invariants: a time step is accepted at most once per account; the secret is active only after
//! a first correct code; recovery codes are stored as keyed hashes and work once; turning the
//! feature off needs the master password.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};
use shared_types::account::{
    DisableTwoFactorRequest, OneTimeCode, RecoveryCodes, TwoFactorSetup, TwoFactorStatus, codes,
};
use subtle::ConstantTimeEq;
use totp_rs::{Builder, Totp};
use uuid::Uuid;

use crate::entity::{account, recovery_code, two_factor};
use crate::error::ApiError;
use crate::mail::Mail;
use crate::services::accounts::{SessionInfo, check_limit, hash_auth_key, now, random_bytes};
use crate::services::server_secret::KeyedPurpose;
use crate::state::AppState;

const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "Strongroom";

fn totp(secret: &[u8], email: &str) -> Result<Totp, ApiError> {
    Builder::new()
        .with_secret(secret.to_vec())
        .with_account_name(email)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| ApiError::Internal(Box::new(std::io::Error::other(e.to_string()))))
}

fn wrong_code() -> ApiError {
    ApiError::Unauthorized {
        code: codes::INVALID_CODE,
        message: "That code is wrong or was already used. Wait for the next code in your authenticator app and try again.".into(),
    }
}

async fn email_of(state: &AppState, account_id: Uuid) -> Result<String, ApiError> {
    Ok(account::Entity::find_by_id(account_id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?
        .email)
}

/// Whether two-factor authentication is on, and how many recovery codes are left.
pub async fn status(state: &AppState, session: &SessionInfo) -> Result<TwoFactorStatus, ApiError> {
    let enabled = two_factor::Entity::find_by_id(session.account_id.0)
        .one(&state.db)
        .await?
        .is_some_and(|t| t.enabled_at.is_some());
    let left = recovery_code::Entity::find()
        .filter(recovery_code::Column::AccountId.eq(session.account_id.0))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(&state.db)
        .await?;
    Ok(TwoFactorStatus {
        enabled,
        recovery_codes_left: u32::try_from(left).unwrap_or(u32::MAX),
    })
}

/// Makes a new secret, inactive until [`enable`] gets a first code. Refused while one is active.
pub async fn setup(state: &AppState, session: &SessionInfo) -> Result<TwoFactorSetup, ApiError> {
    let account_id = session.account_id.0;
    let existing = two_factor::Entity::find_by_id(account_id)
        .one(&state.db)
        .await?;
    if existing.as_ref().is_some_and(|t| t.enabled_at.is_some()) {
        return Err(ApiError::BadRequest(
            "Two-factor authentication is already on. Turn it off first to use another authenticator.".into(),
        ));
    }
    let secret = random_bytes::<20>()?;
    let email = email_of(state, account_id).await?;
    let generator = totp(&secret, &email)?;
    let row = two_factor::ActiveModel {
        account_id: Set(account_id),
        secret: Set(secret.to_vec()),
        enabled_at: Set(None),
        last_used_step: Set(0),
        created_at: Set(now()),
    };
    match existing {
        Some(_) => row.update(&state.db).await?,
        None => row.insert(&state.db).await?,
    };
    Ok(TwoFactorSetup {
        secret: data_encoding::BASE32_NOPAD.encode(&secret),
        otpauth_url: generator
            .to_url()
            .map_err(|e| ApiError::Internal(Box::new(std::io::Error::other(e.to_string()))))?,
    })
}

/// Checks `code` against the secret and consumes its time step.
async fn accept_code(
    state: &AppState,
    row: two_factor::Model,
    email: &str,
    code: &OneTimeCode,
) -> Result<(), ApiError> {
    let digits: String = code.0.chars().filter(|c| c.is_ascii_digit()).collect();
    let now_secs = u64::try_from(now().unix_timestamp()).unwrap_or_default();
    let step = totp(&row.secret, email)?
        .check(&digits, now_secs)
        .and_then(|s| i64::try_from(s).ok())
        .ok_or_else(wrong_code)?;
    if step <= row.last_used_step {
        return Err(wrong_code());
    }
    // Only one request may consume a step: the update applies only if nobody got there first.
    let consumed = two_factor::Entity::update_many()
        .col_expr(
            two_factor::Column::LastUsedStep,
            sea_orm::sea_query::Expr::value(step),
        )
        .filter(two_factor::Column::AccountId.eq(row.account_id))
        .filter(two_factor::Column::LastUsedStep.lt(step))
        .exec(&state.db)
        .await?;
    if consumed.rows_affected == 1 {
        Ok(())
    } else {
        Err(wrong_code())
    }
}

/// Turns two-factor authentication on with a first code; returns the recovery codes (shown once).
pub async fn enable(
    state: &AppState,
    session: &SessionInfo,
    code: &OneTimeCode,
) -> Result<RecoveryCodes, ApiError> {
    let account_id = session.account_id.0;
    check_limit(state, format!("totp:account:{account_id}"), (10, 900)).await?;
    let row = two_factor::Entity::find_by_id(account_id)
        .one(&state.db)
        .await?
        .filter(|t| t.enabled_at.is_none())
        .ok_or_else(|| ApiError::BadRequest("Start the set-up first.".into()))?;
    let email = email_of(state, account_id).await?;
    accept_code(state, row.clone(), &email, code).await?;
    // Codes and their hashes first, so the transaction holds SQLite's one write lock briefly.
    let mut plain = Vec::with_capacity(RECOVERY_CODES);
    let mut rows = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let text = data_encoding::BASE32_NOPAD.encode(&random_bytes::<7>()?)[..10].to_owned();
        let id = Uuid::now_v7();
        let hash = state.keys.keyed_hash(
            KeyedPurpose::RecoveryCode,
            &[id.as_bytes(), text.as_bytes()],
        );
        rows.push(recovery_code::ActiveModel {
            id: Set(id),
            account_id: Set(account_id),
            code_hash: Set(hash.to_vec()),
            used_at: Set(None),
            created_at: Set(now()),
        });
        plain.push(format!("{}-{}", &text[..5], &text[5..]));
    }
    let txn = state.db.begin().await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::AccountId.eq(account_id))
        .exec(&txn)
        .await?;
    recovery_code::Entity::insert_many(rows).exec(&txn).await?;
    let mut active: two_factor::ActiveModel = row.into();
    active.enabled_at = Set(Some(now()));
    active.update(&txn).await?;
    txn.commit().await?;
    state
        .mailer
        .send(
            &email,
            Mail {
                subject: "Two-factor authentication is on".into(),
                body: "Two-factor authentication was turned on for your Strongroom account. Signing in now also needs a code from your authenticator app.\n\nIf this was not you, contact your administrator at once.\n".into(),
            },
        )
        .await
        .map_err(ApiError::Mail)?;
    Ok(RecoveryCodes { codes: plain })
}

/// Turns two-factor authentication off, after checking the master password.
pub async fn disable(
    state: &AppState,
    session: &SessionInfo,
    req: &DisableTwoFactorRequest,
) -> Result<(), ApiError> {
    let account_id = session.account_id.0;
    check_limit(state, format!("password:account:{account_id}"), (10, 600)).await?;
    if crate::services::policies::mine(&state.db, session.account_id)
        .await?
        .policies
        .two_factor_required()
    {
        return Err(ApiError::Forbidden {
            code: shared_types::policy::codes::TWO_FACTOR_REQUIRED,
            message: "Your company requires two-factor authentication, so it cannot be turned \
                      off."
                .into(),
        });
    }
    let found = account::Entity::find_by_id(account_id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let presented = hash_auth_key(&found.auth_salt, &req.auth_key.0.0);
    if !bool::from(presented.as_slice().ct_eq(found.auth_hash.as_slice())) {
        return Err(ApiError::Unauthorized {
            code: codes::INVALID_CREDENTIALS,
            message: "The master password is wrong.".into(),
        });
    }
    let was_on = two_factor::Entity::find_by_id(account_id)
        .one(&state.db)
        .await?
        .is_some_and(|row| row.enabled_at.is_some());
    let txn = state.db.begin().await?;
    two_factor::Entity::delete_by_id(account_id)
        .exec(&txn)
        .await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::AccountId.eq(account_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    if was_on {
        // Someone who learnt the master password could turn it off: the owner hears of it. It
        // is off already: a mail that fails is logged, not an error the person would retry.
        let sent = state
            .mailer
            .send(
                &found.email,
                Mail {
                    subject: "Two-factor authentication was turned off".into(),
                    body: "Two-factor authentication was turned off for your Strongroom account. Signing in now needs only the master password (and the emailed code in a new browser).\n\nIf this was not you, change your master password and turn it on again at once.\n".into(),
                },
            )
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, "the two-factor-off notice could not be sent");
        }
    }
    Ok(())
}

/// At sign-in, after the password: passes when two-factor authentication is off, or a valid
/// authenticator or recovery code came with the request.
pub async fn check_login(
    state: &AppState,
    account: &account::Model,
    totp_code: Option<&OneTimeCode>,
    recovery: Option<&OneTimeCode>,
) -> Result<(), ApiError> {
    let Some(row) = two_factor::Entity::find_by_id(account.id)
        .one(&state.db)
        .await?
        .filter(|t| t.enabled_at.is_some())
    else {
        return Ok(());
    };
    if totp_code.is_none() && recovery.is_none() {
        return Err(ApiError::Unauthorized {
            code: codes::TWO_FACTOR_REQUIRED,
            message: "Enter the code from your authenticator app.".into(),
        });
    }
    check_limit(state, format!("totp:account:{}", account.id), (10, 900)).await?;
    if let Some(code) = totp_code {
        return accept_code(state, row, &account.email, code).await;
    }
    let typed: String = recovery
        .map(|c| {
            c.0.chars()
                .filter(|ch| ch.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_uppercase()
        })
        .unwrap_or_default();
    let unused = recovery_code::Entity::find()
        .filter(recovery_code::Column::AccountId.eq(account.id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .all(&state.db)
        .await?;
    for candidate in unused {
        let hash = state.keys.keyed_hash(
            KeyedPurpose::RecoveryCode,
            &[candidate.id.as_bytes(), typed.as_bytes()],
        );
        if bool::from(hash.as_slice().ct_eq(candidate.code_hash.as_slice())) {
            let consumed = recovery_code::Entity::update_many()
                .col_expr(
                    recovery_code::Column::UsedAt,
                    sea_orm::sea_query::Expr::value(now()),
                )
                .filter(recovery_code::Column::Id.eq(candidate.id))
                .filter(recovery_code::Column::UsedAt.is_null())
                .exec(&state.db)
                .await?;
            if consumed.rows_affected == 1 {
                return Ok(());
            }
        }
    }
    Err(ApiError::Unauthorized {
        code: codes::INVALID_CODE,
        message: "That recovery code is wrong or was already used.".into(),
    })
}
