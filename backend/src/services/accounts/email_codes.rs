//! One-time codes sent by email (confirming an address, verifying a new browser), and the mail
//! sender every account mail goes through.
//!
//! Invariants:
//! - A code is 8 digits (26.6 bits), valid for [`CODE_LIFETIME`], used at most once, and burned
//!   after [`CODE_MAX_ATTEMPTS`] wrong tries; issuing a new one retires the earlier unused one.
//! - Only a keyed hash of a code is stored, and it is compared in constant time.
//! - A wrong, expired, used or missing code all get the same error.
//! - Mail is rate-limited per account and kind (sign-up mail by sign-up's own limit per
//!   address), so nobody can flood an inbox through us, and mail someone else provokes (a
//!   sign-up with the address) never uses up what the owner's own sign-in needs.
//! - Code tries are limited by the caller, per address (confirmation) or per browser being
//!   verified, never per account alone: see `signup::confirm_email` and `login::login`.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use shared_types::account::{OneTimeCode, codes};
use subtle::ConstantTimeEq;
use time::Duration;
use uuid::Uuid;

use super::{LIMIT_MAIL_ACCOUNT, check_limit, now, random_bytes};
use crate::entity::email_code;
use crate::error::ApiError;
use crate::mail::Mail;
use crate::services::server_secret::KeyedPurpose;
use crate::state::AppState;

/// How long an emailed code stays valid.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);
/// Wrong tries a code allows before it is burned.
pub const CODE_MAX_ATTEMPTS: i32 = 5;

pub(super) const PURPOSE_CONFIRM_EMAIL: &str = "confirm_email";
pub(super) const PURPOSE_VERIFY_DEVICE: &str = "verify_device";

/// Issues a new code for `purpose` and emails it (within the sign-in mail limit); `message`
/// writes the mail around the code.
pub(super) async fn send_code(
    state: &AppState,
    account_id: Uuid,
    email: &str,
    purpose: &str,
    device_id: Option<Uuid>,
    message: impl FnOnce(&str) -> Mail,
) -> Result<(), ApiError> {
    let code = issue_code(state, &state.db, account_id, purpose, device_id).await?;
    let limit = MailLimit::SignIn(account_id);
    send_mail(state, Some(limit), email, message(&spaced(&code))).await
}

/// Which limit a mail counts in. Per account, never per address: these mails follow the
/// account's own master password or changes, and an address may have an unconfirmed sign-up of
/// someone else's beside its owner's account, whose mail must not use up the owner's.
pub(super) enum MailLimit {
    /// Codes (and the confirmation code again) that only the right master password provokes.
    SignIn(Uuid),
    /// Notices of changes the owner made.
    Notice(Uuid),
}

pub(super) fn confirmation_mail(code: &str) -> Mail {
    Mail {
        subject: "Confirm your email for Strongroom".into(),
        body: format!(
            "Your Strongroom confirmation code is:\n\n    {code}\n\nIt is valid for 10 minutes. If you did not create an account, ignore this message.\n"
        ),
    }
}

pub(super) fn spaced(code: &str) -> String {
    format!("{} {}", &code[..4], &code[4..])
}

/// Sends `mail` to the address `to`, counted in `limit`; `None`: the caller's own limit bounds
/// it (sign-up, per address).
pub(super) async fn send_mail(
    state: &AppState,
    limit: Option<MailLimit>,
    to: &str,
    mail: Mail,
) -> Result<(), ApiError> {
    if let Some(limit) = limit {
        let bucket = match limit {
            MailLimit::SignIn(account) => format!("mail:sign-in:{account}"),
            MailLimit::Notice(account) => format!("mail:notice:{account}"),
        };
        check_limit(state, bucket, LIMIT_MAIL_ACCOUNT).await?;
    }
    state.mailer.send(to, mail).await.map_err(ApiError::Mail)
}

/// Makes a new code for `purpose`, replacing any earlier unused one, and returns it (in the
/// caller's transaction, if `db` is one).
pub(super) async fn issue_code(
    state: &AppState,
    db: &impl ConnectionTrait,
    account_id: Uuid,
    purpose: &str,
    device_id: Option<Uuid>,
) -> Result<String, ApiError> {
    let stamp = now();
    email_code::Entity::update_many()
        .col_expr(
            email_code::Column::UsedAt,
            sea_orm::sea_query::Expr::value(stamp),
        )
        .filter(email_code::Column::AccountId.eq(account_id))
        .filter(email_code::Column::Purpose.eq(purpose))
        .filter(email_code::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    let random = u64::from_be_bytes(random_bytes::<8>()?);
    let code = format!("{:08}", random % 100_000_000);
    let id = Uuid::now_v7();
    let code_hash = state
        .keys
        .keyed_hash(KeyedPurpose::EmailCode, &[id.as_bytes(), code.as_bytes()]);
    email_code::ActiveModel {
        id: Set(id),
        account_id: Set(account_id),
        purpose: Set(purpose.to_owned()),
        device_id: Set(device_id),
        code_hash: Set(code_hash.to_vec()),
        attempts: Set(0),
        expires_at: Set(stamp + CODE_LIFETIME),
        used_at: Set(None),
        created_at: Set(stamp),
    }
    .insert(db)
    .await?;
    Ok(code)
}

pub(super) fn invalid_code() -> ApiError {
    ApiError::Unauthorized {
        code: codes::INVALID_CODE,
        message: "That code is wrong or has expired. Check the latest email from Strongroom, or start again to get a new code.".into(),
    }
}

/// Checks `typed` against the newest unused code for `purpose` (and `device_id`, when given);
/// counts the attempt; marks the code used on success. An unknown address is asked with the nil
/// account id, so that it costs the same lookup. The caller checks the try limit first.
pub(super) async fn redeem_code(
    state: &AppState,
    account_id: Uuid,
    purpose: &str,
    device_id: Option<Uuid>,
    typed: &OneTimeCode,
) -> Result<(), ApiError> {
    let mut query = email_code::Entity::find()
        .filter(email_code::Column::AccountId.eq(account_id))
        .filter(email_code::Column::Purpose.eq(purpose))
        .filter(email_code::Column::UsedAt.is_null());
    if let Some(device_id) = device_id {
        query = query.filter(email_code::Column::DeviceId.eq(device_id));
    }
    let Some(found) = query
        .order_by_desc(email_code::Column::CreatedAt)
        .one(&state.db)
        .await?
    else {
        return Err(invalid_code());
    };
    let stamp = now();
    if found.expires_at <= stamp || found.attempts >= CODE_MAX_ATTEMPTS {
        return Err(invalid_code());
    }
    let digits: String = typed
        .0
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let expected = state.keys.keyed_hash(
        KeyedPurpose::EmailCode,
        &[found.id.as_bytes(), digits.as_bytes()],
    );
    let matches: bool = expected.as_slice().ct_eq(found.code_hash.as_slice()).into();
    let attempts = found.attempts + 1;
    let mut active: email_code::ActiveModel = found.into();
    active.attempts = Set(attempts);
    if matches {
        active.used_at = Set(Some(stamp));
    }
    active.update(&state.db).await?;
    if matches { Ok(()) } else { Err(invalid_code()) }
}
