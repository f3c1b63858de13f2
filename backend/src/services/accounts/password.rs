//! Changing the master password: the account's password envelope and auth-key hash are replaced
//! together.
//!
//! Invariants: the current password must be proven first; every session ends with the change;
//! the owner is told by email.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, TransactionTrait};
use shared_types::account::{ChangePasswordRequest, codes};
use subtle::ConstantTimeEq;

use super::email_codes::{MailLimit, send_mail};
use super::sessions::{NewSession, SessionInfo, revoke_sessions, start_session};
use super::validate::{AUTH_KEY_LEN, check_envelope, check_len};
use super::{LIMIT_LOGIN_ACCOUNT, account_by_id, check_limit, hash_auth_key, now, random_bytes};
use crate::entity::account;
use crate::error::ApiError;
use crate::mail::Mail;
use crate::state::AppState;

/// Replaces the master password: checks the current one, stores the new envelope and auth-key
/// hash, ends every session (this one too) and tells the owner by email. The browser that made
/// the change gets a new session, so it stays signed in on a fresh token.
pub async fn change_password(
    state: &AppState,
    session: &SessionInfo,
    req: ChangePasswordRequest,
) -> Result<NewSession, ApiError> {
    check_limit(
        state,
        format!("password:account:{}", session.account_id),
        LIMIT_LOGIN_ACCOUNT,
    )
    .await?;
    check_len(&req.new_auth_key.0, AUTH_KEY_LEN, "The new auth key")?;
    check_envelope(&req.password_envelope, &req.kdf, &req.salt)?;
    let found = account_by_id(state, session.account_id).await?;
    let presented = hash_auth_key(&found.auth_salt, &req.current_auth_key.0.0);
    if !bool::from(presented.as_slice().ct_eq(found.auth_hash.as_slice())) {
        return Err(ApiError::Unauthorized {
            code: codes::INVALID_CREDENTIALS,
            message: "The current master password is wrong.".into(),
        });
    }
    let email = found.email.clone();
    let auth_salt = random_bytes::<16>()?;
    let txn = state.db.begin().await?;
    let mut active: account::ActiveModel = found.into();
    active.auth_salt = Set(auth_salt.to_vec());
    active.auth_hash = Set(hash_auth_key(&auth_salt, &req.new_auth_key.0.0).to_vec());
    active.kdf_memory_kib = Set(req.kdf.memory_kib as i32);
    active.kdf_iterations = Set(req.kdf.iterations as i32);
    active.kdf_parallelism = Set(req.kdf.parallelism as i32);
    active.kdf_salt = Set(req.salt.0);
    active.password_envelope = Set(req.password_envelope.0);
    let at = now();
    active.updated_at = Set(at);
    active.password_changed_at = Set(Some(at));
    let updated = active.update(&txn).await?;
    revoke_sessions(&txn, session.account_id.0, None, None).await?;
    txn.commit().await?;
    // The change is made: a notice that cannot be sent (mail down, or the notice limit) must not
    // turn it into an error the person would retry.
    if let Err(e) = send_mail(
        state,
        Some(MailLimit::Notice(session.account_id.0)),
        &email,
        Mail {
            subject: "Your Strongroom master password was changed".into(),
            body: "The master password of your Strongroom account was just changed, and every browser was signed out (the one that made the change signed in again).\n\nIf this was not you, contact your administrator at once.\n".into(),
        },
    )
    .await
    {
        tracing::warn!(error = %e, "the password-change notice could not be sent");
    }
    start_session(state, updated, session.device_id).await
}
