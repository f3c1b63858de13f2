//! Sign-in: prelogin (the KDF settings and salt for an email), then login, which checks the auth
//! key, that the email is confirmed, that this browser is verified (by an emailed code), and the
//! second factor, before it opens a session.
//!
//! Invariants:
//! - Prelogin answers an unknown email with made-up parameters that are stable for that email,
//!   after the same work as for a known one.
//! - A wrong password and an unknown email get the same error after the same work.
//! - Nothing about the account (confirmation, browser, second factor) is told before the auth key
//!   is right.
//! - Failed sign-ins from elsewhere never lock out a browser the account verified.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use shared_types::Base64Bytes;
use shared_types::account::{KdfParams, LoginRequest, PreloginResponse, codes};
use subtle::ConstantTimeEq;

use super::devices::touch_device;
use super::email_codes::{
    PURPOSE_CONFIRM_EMAIL, PURPOSE_VERIFY_DEVICE, confirmation_mail, redeem_code, send_code,
};
use super::sessions::{NewSession, start_session};
use super::validate::{SALT_LEN, check_device, normalize_email};
use super::{
    LIMIT_CODE_ACCOUNT, LIMIT_LOGIN_ACCOUNT, LIMIT_LOGIN_IP, LIMIT_PRELOGIN_IP, check_ip_limit,
    check_limit, hash_auth_key, kdf_of,
};
use crate::entity::{account, device};
use crate::error::ApiError;
use crate::mail::Mail;
use crate::services::server_secret::KeyedPurpose;
use crate::state::AppState;

/// What prelogin answers for an unknown email: what a new account would have.
const KDF_DEFAULT: KdfParams = KdfParams::FLOOR;

/// The KDF parameters and salt for `email`; made-up but stable values for unknown emails.
pub async fn prelogin(
    state: &AppState,
    email: &str,
    ip: &str,
) -> Result<PreloginResponse, ApiError> {
    check_ip_limit(state, "prelogin", ip, LIMIT_PRELOGIN_IP).await?;
    // No limit per address: anyone could fill it, and every sign-in starts here (a verified
    // browser too). It answers settings and a salt, the same for every ask, and costs a lookup.
    let email = normalize_email(email)?;
    let found = account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(&state.db)
        .await?;
    // The made-up salt is computed either way, so both paths do the same work.
    let fake_salt = state
        .keys
        .keyed_hash(KeyedPurpose::Prelogin, &[email.as_bytes()]);
    Ok(match found {
        Some(a) => PreloginResponse {
            kdf: kdf_of(&a),
            salt: Base64Bytes(a.kdf_salt),
        },
        None => PreloginResponse {
            kdf: KDF_DEFAULT,
            salt: Base64Bytes(fake_salt[..SALT_LEN].to_vec()),
        },
    })
}

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized {
        code: codes::INVALID_CREDENTIALS,
        message: "The email or master password is wrong.".into(),
    }
}

/// Signs in: checks the auth key, then that this browser is verified (emailing a code when it
/// is not), then opens a session.
pub async fn login(state: &AppState, req: LoginRequest, ip: &str) -> Result<NewSession, ApiError> {
    check_ip_limit(state, "login", ip, LIMIT_LOGIN_IP).await?;
    let email = normalize_email(&req.email)?;
    check_device(&req.device)?;
    let found = account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(&state.db)
        .await?;
    // Anyone who knows an address can fill its limit; a browser the account verified (its id is
    // known only to it and the server) counts in a limit of its own, so they cannot lock the
    // owner out. An unknown address is looked up alike.
    let account_id = found.as_ref().map_or(uuid::Uuid::nil(), |a| a.id);
    let verified = device::Entity::find_by_id((account_id, req.device.id.0))
        .one(&state.db)
        .await?
        .is_some_and(|d| d.verified_at.is_some());
    let bucket = if verified {
        format!("login:browser:{account_id}:{}", req.device.id.0)
    } else {
        format!("login:email:{email}")
    };
    check_limit(state, bucket, LIMIT_LOGIN_ACCOUNT).await?;
    let Some(found) = found else {
        // Same work as a real check, so timing does not tell the account is missing.
        let _ = hash_auth_key(&[0u8; 16], &req.auth_key.0.0).ct_eq(&[0u8; 32]);
        return Err(invalid_credentials());
    };
    let presented = hash_auth_key(&found.auth_salt, &req.auth_key.0.0);
    if !bool::from(presented.as_slice().ct_eq(found.auth_hash.as_slice())) {
        return Err(invalid_credentials());
    }
    if found.email_confirmed_at.is_none() {
        send_code(
            state,
            found.id,
            &email,
            PURPOSE_CONFIRM_EMAIL,
            Some(req.device.id.0),
            confirmation_mail,
        )
        .await?;
        return Err(ApiError::Forbidden {
            code: codes::EMAIL_NOT_CONFIRMED,
            message: format!("Your email is not confirmed yet. We sent a new code to {email}."),
        });
    }
    let device = touch_device(&state.db, found.id, &req.device, false).await?;
    if device.verified_at.is_none() {
        match &req.email_code {
            Some(typed) => {
                // Per browser being verified: tries for one browser never block another's.
                check_limit(
                    state,
                    format!("code:browser:{}:{}", found.id, req.device.id.0),
                    LIMIT_CODE_ACCOUNT,
                )
                .await?;
                redeem_code(
                    state,
                    found.id,
                    PURPOSE_VERIFY_DEVICE,
                    Some(req.device.id.0),
                    typed,
                )
                .await?;
                touch_device(&state.db, found.id, &req.device, true).await?;
                // The browser is verified now: a mail that fails must not turn that into an
                // error the person would retry (and the retry would not send it again).
                if let Err(e) = state
                    .mailer
                    .send(&email, new_browser_notice(&req.device.name))
                    .await
                {
                    tracing::warn!(error = %e, "the new-browser notice could not be sent");
                }
            }
            None => {
                let browser = req.device.name.clone();
                send_code(
                    state,
                    found.id,
                    &email,
                    PURPOSE_VERIFY_DEVICE,
                    Some(req.device.id.0),
                    move |code| Mail {
                        subject: "Verify a new browser for Strongroom".into(),
                        body: format!("Someone signed in to your Strongroom account from a new browser ({}). To allow it, enter this code:\n\n    {}\n\nIt is valid for 10 minutes. If this was not you, change your master password now.\n", browser, code),
                    },
                )
                .await?;
                return Err(ApiError::Unauthorized {
                    code: codes::DEVICE_VERIFICATION_REQUIRED,
                    message: format!(
                        "This browser is new to your account. We sent a code to {email}; enter it to continue."
                    ),
                });
            }
        }
    }
    crate::services::two_factor::check_login(
        state,
        &found,
        req.totp_code.as_ref(),
        req.recovery_code.as_ref(),
    )
    .await?;
    start_session(state, found, req.device.id).await
}

/// Tells the owner that a browser was just verified with an emailed code: the code could have
/// been read by someone with access to the mailbox.
fn new_browser_notice(browser: &str) -> Mail {
    Mail {
        subject: "A new browser can now open your Strongroom account".into(),
        body: format!(
            "A new browser ({browser}) was verified for your Strongroom account with the code we emailed.\n\nIf this was not you, change your master password now and remove the browser under Account settings, Browsers.\n"
        ),
    }
}
