//! Sign-up and email confirmation: creates an unconfirmed account with its keys, profiles and
//! first browser, and confirms it with the emailed code.
//!
//! Invariants:
//! - Sign-up and confirmation answer the same, after the same work and under the same limits,
//!   whether or not the address is taken; a confirmed address's owner is told by email instead,
//!   and an unconfirmed sign-up is replaced by the newer one.
//! - The account, its profiles, their containers and the browser are created in one transaction.
//! - Confirming verifies the confirming browser and signs it in.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, ModelTrait,
    QueryFilter, TransactionTrait,
};
use shared_types::ContainerId;
use shared_types::account::{ConfirmEmailRequest, NextStep, ProfileKind, SignupRequest};
use shared_types::vault::ContainerKind;
use time::OffsetDateTime;

use super::devices::touch_device;
use super::email_codes::{
    PURPOSE_CONFIRM_EMAIL, confirmation_mail, invalid_code, issue_code, redeem_code, send_mail,
    spaced,
};
use super::sessions::{NewSession, start_session};
use super::validate::{check_device, check_signup, normalize_email};
use super::{
    LIMIT_CODE_ACCOUNT, LIMIT_LOGIN_IP, LIMIT_SIGNUP_EMAIL, LIMIT_SIGNUP_IP, bad, check_ip_limit,
    check_limit, hash_auth_key, now, random_bytes,
};
use crate::entity::{account, profile};
use crate::error::ApiError;
use crate::mail::Mail;
use crate::services::access;
use crate::state::AppState;

/// Creates an unconfirmed account and emails a confirmation code. Answers the same whether or not
/// the address already has an account (its owner is told by email instead), after the same
/// work: a taken address's sign-up is written in full under a placeholder address, with its
/// code, then rolled back, and a counter of the owner's notices committed in its place; and the
/// per-address limit counts both (`benches/enumeration.rs` compares the times).
pub async fn signup(state: &AppState, req: SignupRequest, ip: &str) -> Result<NextStep, ApiError> {
    check_ip_limit(state, "signup", ip, LIMIT_SIGNUP_IP).await?;
    let email = normalize_email(&req.email)?;
    check_signup(&req)?;
    check_limit(state, format!("signup:email:{email}"), LIMIT_SIGNUP_EMAIL).await?;
    let next = NextStep {
        message: format!("We sent a code to {email}. Enter it to finish creating your account."),
    };
    let existing = account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(&state.db)
        .await?;
    let taken = existing
        .as_ref()
        .is_some_and(|a| a.email_confirmed_at.is_some());
    let (account_id, device_id) = (req.account_id, req.device.id);
    check_account_id_free(&state.db, account_id).await?;
    // Not an address (no `@`): nobody can sign up with it, so it never collides with an
    // account (which would answer differently for a taken address).
    let placeholder = format!("sign-up placeholder {}", account_id.0);
    let txn = state.db.begin().await?;
    // An unconfirmed sign-up never blocks the address's real owner: the newer one replaces it.
    if let Some(unconfirmed) = existing.filter(|a| a.email_confirmed_at.is_none()) {
        unconfirmed.delete(&txn).await?;
    }
    create_account(&txn, req, if taken { &placeholder } else { &email }, None).await?;
    let code = issue_code(
        state,
        &txn,
        account_id.0,
        PURPOSE_CONFIRM_EMAIL,
        Some(device_id.0),
    )
    .await?;
    if taken {
        txn.rollback().await?;
        // A rollback is quicker than the commit a new account makes: the owner's notices are
        // counted in a committed write instead. Counted only, never refused (a refusal here
        // would be a reply only taken addresses get; the sign-up limit above bounds the mail).
        let _ = crate::services::rate_limit::hit(
            &state.db,
            &format!("signup:notice:{email}"),
            crate::services::rate_limit::Limit {
                max: i32::MAX,
                window_secs: LIMIT_SIGNUP_EMAIL.1,
            },
            now().unix_timestamp(),
        )
        .await?;
    } else {
        txn.commit().await?;
    }
    let mail = if taken {
        Mail {
            subject: "Someone tried to create a Strongroom account with your address".into(),
            body: "Someone tried to create a new Strongroom account with this email address, which already has one. Nothing was changed.\n\nIf it was you, sign in instead. If you forgot your master password, ask your company's administrator about account recovery.\n".into(),
        }
    } else {
        confirmation_mail(&spaced(&code))
    };
    send_mail(state, None, &email, mail).await?;
    Ok(next)
}

/// Refuses an account id that is taken. Asked before the transaction that writes the account:
/// on SQLite a transaction that reads before it writes can fail to write when another one
/// committed in between ("database is locked" at once, whatever the busy timeout).
pub(crate) async fn check_account_id_free(
    db: &impl sea_orm::ConnectionTrait,
    id: shared_types::AccountId,
) -> Result<(), ApiError> {
    if account::Entity::find_by_id(id.0).one(db).await?.is_some() {
        return Err(bad(
            "This account id is already in use; reload the page and try again.",
        ));
    }
    Ok(())
}

/// Writes a new account with its profiles, their containers and its first (unverified)
/// browser, in the caller's transaction, whose first statement this may be (it writes before
/// it reads). `confirmed_at` is set when the address was proven another way (an invitation
/// link). Checks nothing of the request: callers have (see [`check_account_id_free`]).
pub(crate) async fn create_account(
    txn: &DatabaseTransaction,
    req: SignupRequest,
    email: &str,
    confirmed_at: Option<OffsetDateTime>,
) -> Result<(), ApiError> {
    let stamp = now();
    let auth_salt = random_bytes::<16>()?;
    account::ActiveModel {
        id: Set(req.account_id.0),
        email: Set(email.to_owned()),
        email_confirmed_at: Set(confirmed_at),
        auth_salt: Set(auth_salt.to_vec()),
        auth_hash: Set(hash_auth_key(&auth_salt, &req.auth_key.0.0).to_vec()),
        kdf_memory_kib: Set(req.kdf.memory_kib as i32),
        kdf_iterations: Set(req.kdf.iterations as i32),
        kdf_parallelism: Set(req.kdf.parallelism as i32),
        kdf_salt: Set(req.salt.0),
        password_envelope: Set(req.password_envelope.0),
        encryption_public_key: Set(req.keys.encryption_public_key.0),
        verifying_key: Set(req.keys.verifying_key.0),
        keys_signature: Set(req.keys.keys_signature.0),
        wrapped_encryption_key: Set(req.keys.wrapped_encryption_key.0),
        wrapped_signing_key: Set(req.keys.wrapped_signing_key.0),
        created_at: Set(stamp),
        updated_at: Set(stamp),
        last_active_at: Set(None),
        password_changed_at: Set(None),
    }
    .insert(txn)
    .await?;
    for p in req.keys.profiles {
        profile::ActiveModel {
            id: Set(p.id.0),
            account_id: Set(req.account_id.0),
            kind: Set(kind_name(p.kind).to_owned()),
            wrapped_key: Set(p.wrapped_key.0),
            created_at: Set(stamp),
        }
        .insert(txn)
        .await?;
        access::create_container(
            txn,
            ContainerId::from(p.id),
            ContainerKind::Profile,
            req.account_id,
        )
        .await?;
    }
    touch_device(txn, req.account_id.0, &req.device, false).await?;
    Ok(())
}

pub(super) fn kind_name(kind: ProfileKind) -> &'static str {
    match kind {
        ProfileKind::Personal => "personal",
        ProfileKind::Business => "business",
    }
}

/// Confirms the email with its code; the confirming browser becomes verified and signed in.
pub async fn confirm_email(
    state: &AppState,
    req: ConfirmEmailRequest,
    ip: &str,
) -> Result<NewSession, ApiError> {
    check_ip_limit(state, "confirm", ip, LIMIT_LOGIN_IP).await?;
    check_device(&req.device)?;
    let email = normalize_email(&req.email)?;
    // Counted per address whether or not it has an account, and an unknown one is looked up
    // alike (there is never a code for the nil account), so replies and limits tell nothing.
    check_limit(state, format!("code:confirm:{email}"), LIMIT_CODE_ACCOUNT).await?;
    let found = account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(&state.db)
        .await?;
    let account_id = found.as_ref().map_or(uuid::Uuid::nil(), |a| a.id);
    redeem_code(state, account_id, PURPOSE_CONFIRM_EMAIL, None, &req.code).await?;
    let found = found.ok_or_else(invalid_code)?;
    let mut active: account::ActiveModel = found.clone().into();
    if found.email_confirmed_at.is_none() {
        active.email_confirmed_at = Set(Some(now()));
        active.updated_at = Set(now());
    }
    let found = active.update(&state.db).await?;
    touch_device(&state.db, found.id, &req.device, true).await?;
    start_session(state, found, req.device.id).await
}
