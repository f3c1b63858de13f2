//! Accounts and sign-in: sign-up, email confirmation, prelogin, login with per-browser
//! verification, and sessions.
//!
//! Invariants:
//! - No reply tells whether an email has an account: prelogin answers unknown emails with stable
//!   made-up parameters, a wrong password and an unknown email get the same error after the same
//!   work, and sign-up answers the same whether or not the address is taken.
//! - Only hashes are stored: a salted hash of the auth key, keyed hashes of one-time codes, hashes
//!   of session tokens.
//! - One-time codes: 8 digits (26.6 bits), 10 minutes, single use, 5 attempts.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, ModelTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use sha2::{Digest, Sha256};
use shared_types::account::{
    AccountBundle, AccountKeys, ChangePasswordRequest, ConfirmEmailRequest, DeviceInfo, DeviceView,
    KdfParams, LoginRequest, NextStep, OneTimeCode, PreloginResponse, ProfileKey, ProfileKind,
    SessionView, SignupRequest, codes,
};
use shared_types::vault::ContainerKind;
use shared_types::{AccountId, Base64Bytes, ContainerId, DeviceId, ProfileId};
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::entity::{account, device, email_code, profile, session};
use crate::error::ApiError;
use crate::mail::Mail;
use crate::services::access;
use crate::services::rate_limit::{self, Limit};
use crate::services::server_secret::KeyedPurpose;
use crate::state::AppState;

/// How long an emailed code stays valid.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);
/// Wrong tries a code allows before it is burned.
pub const CODE_MAX_ATTEMPTS: i32 = 5;
/// A session unused this long ends.
pub const SESSION_IDLE: Duration = Duration::days(14);
/// A session ends this long after sign-in, used or not.
pub const SESSION_LIFETIME: Duration = Duration::days(30);
/// The session cookie (the `__Host-` prefix pins it to this host, `Secure` and `Path=/`).
pub const SESSION_COOKIE: &str = "__Host-strongroom_session";

const PURPOSE_CONFIRM_EMAIL: &str = "confirm_email";
const PURPOSE_VERIFY_DEVICE: &str = "verify_device";

/// The same KDF floor and ceiling the client enforces; the server refuses anything outside.
const KDF_MIN_MEMORY_KIB: u32 = 19 * 1024;
const KDF_MAX_MEMORY_KIB: u32 = 1024 * 1024;
const KDF_DEFAULT: KdfParams = KdfParams {
    memory_kib: 64 * 1024,
    iterations: 3,
    parallelism: 1,
};

/// Wire sizes of the browser's blobs (see wasm-crypto's README): checked so that garbage is
/// refused at the door rather than stored.
const AUTH_KEY_LEN: usize = 32;
const SALT_LEN: usize = 16;
const PUBLIC_KEY_LEN: usize = 32;
const SIGNATURE_LEN: usize = 66;
const WRAPPED_KEY_LEN: usize = 63;
const ENVELOPE_LEN: usize = 90;

fn limit(max: i32, window_secs: i64) -> Limit {
    Limit { max, window_secs }
}
const LIMIT_PRELOGIN_IP: (i32, i64) = (60, 60);
const LIMIT_PRELOGIN_ACCOUNT: (i32, i64) = (30, 600);
const LIMIT_SIGNUP_IP: (i32, i64) = (10, 3600);
const LIMIT_LOGIN_IP: (i32, i64) = (30, 600);
const LIMIT_LOGIN_ACCOUNT: (i32, i64) = (10, 600);
const LIMIT_CODE_ACCOUNT: (i32, i64) = (10, 900);
const LIMIT_MAIL_ACCOUNT: (i32, i64) = (5, 3600);

/// A new session: the token goes into the cookie, only its hash into the database.
pub struct NewSession {
    /// The cookie value.
    pub token: Zeroizing<String>,
    /// What the browser needs to open the vault.
    pub bundle: AccountBundle,
}

/// The account behind a valid session.
#[derive(Debug, Clone, Copy)]
pub struct SessionInfo {
    /// The session's row id.
    pub session_id: Uuid,
    /// The signed-in account.
    pub account_id: AccountId,
    /// The browser.
    pub device_id: DeviceId,
}

pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(message.into())
}

/// Trims and lower-cases (ASCII) an email and checks that it is an address. The browser mixes
/// the same form into the key derivation.
pub fn normalize_email(raw: &str) -> Result<String, ApiError> {
    let email = raw.trim().to_ascii_lowercase();
    if email.len() > 254 || email.parse::<lettre::Address>().is_err() {
        return Err(bad(
            "Enter a valid email address, such as name@example.com.",
        ));
    }
    Ok(email)
}

pub(crate) async fn check_limit(
    state: &AppState,
    bucket: String,
    (max, window): (i32, i64),
) -> Result<(), ApiError> {
    rate_limit::hit(
        &state.db,
        &bucket,
        limit(max, window),
        now().unix_timestamp(),
    )
    .await?
    .map_err(ApiError::RateLimited)
}

/// A per-IP limit, scaled by the configured multiplier.
async fn check_ip_limit(
    state: &AppState,
    name: &str,
    ip: &str,
    (max, window): (i32, i64),
) -> Result<(), ApiError> {
    let max = max.saturating_mul(state.ip_limit_multiplier.max(1));
    check_limit(state, format!("{name}:ip:{ip}"), (max, window)).await
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out)
        .map_err(|e| ApiError::Internal(Box::new(std::io::Error::other(e.to_string()))))?;
    Ok(out)
}

pub(crate) fn hash_auth_key(salt: &[u8], auth_key: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"strongroom/v1/auth-hash");
    hasher.update(salt);
    hasher.update(auth_key);
    hasher.finalize().into()
}

fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

// ---- prelogin ----

/// The KDF parameters and salt for `email`; made-up but stable values for unknown emails.
pub async fn prelogin(
    state: &AppState,
    email: &str,
    ip: &str,
) -> Result<PreloginResponse, ApiError> {
    check_ip_limit(state, "prelogin", ip, LIMIT_PRELOGIN_IP).await?;
    let email = normalize_email(email)?;
    check_limit(
        state,
        format!("prelogin:email:{email}"),
        LIMIT_PRELOGIN_ACCOUNT,
    )
    .await?;
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

fn kdf_of(a: &account::Model) -> KdfParams {
    KdfParams {
        memory_kib: a.kdf_memory_kib as u32,
        iterations: a.kdf_iterations as u32,
        parallelism: a.kdf_parallelism as u32,
    }
}

// ---- sign-up ----

fn check_len(value: &Base64Bytes, len: usize, what: &str) -> Result<(), ApiError> {
    if value.0.len() != len {
        return Err(bad(format!(
            "{what} has the wrong length; reload the page to update Strongroom."
        )));
    }
    Ok(())
}

fn check_kdf(kdf: &KdfParams) -> Result<(), ApiError> {
    let ok = (KDF_MIN_MEMORY_KIB..=KDF_MAX_MEMORY_KIB).contains(&kdf.memory_kib)
        && (2..=10).contains(&kdf.iterations)
        && (1..=16).contains(&kdf.parallelism);
    if ok {
        Ok(())
    } else {
        Err(bad(
            "The key-derivation settings are outside the allowed range.",
        ))
    }
}

fn check_device(device: &DeviceInfo) -> Result<(), ApiError> {
    if device.name.chars().count() > 200 {
        return Err(bad("The browser name is too long."));
    }
    Ok(())
}

/// Checks a password envelope's size and that it carries the declared KDF settings and salt.
fn check_envelope(
    envelope: &Base64Bytes,
    kdf: &KdfParams,
    salt: &Base64Bytes,
) -> Result<(), ApiError> {
    check_len(salt, SALT_LEN, "The salt")?;
    check_kdf(kdf)?;
    check_len(envelope, ENVELOPE_LEN, "The password envelope")?;
    let mut declared = Vec::with_capacity(30);
    declared.extend_from_slice(&[1, 3]);
    declared.extend_from_slice(&kdf.memory_kib.to_be_bytes());
    declared.extend_from_slice(&kdf.iterations.to_be_bytes());
    declared.extend_from_slice(&kdf.parallelism.to_be_bytes());
    declared.extend_from_slice(&salt.0);
    if envelope.0[..declared.len()] != declared[..] {
        return Err(bad(
            "The password envelope does not match the declared key-derivation settings.",
        ));
    }
    Ok(())
}

fn check_signup(req: &SignupRequest) -> Result<(), ApiError> {
    check_len(&req.auth_key.0, AUTH_KEY_LEN, "The auth key")?;
    check_envelope(&req.password_envelope, &req.kdf, &req.salt)?;
    let keys = &req.keys;
    check_len(
        &keys.encryption_public_key,
        PUBLIC_KEY_LEN,
        "The encryption key",
    )?;
    check_len(&keys.verifying_key, PUBLIC_KEY_LEN, "The verifying key")?;
    check_len(&keys.keys_signature, SIGNATURE_LEN, "The key signature")?;
    check_len(
        &keys.wrapped_encryption_key,
        WRAPPED_KEY_LEN,
        "The wrapped encryption key",
    )?;
    check_len(
        &keys.wrapped_signing_key,
        WRAPPED_KEY_LEN,
        "The wrapped signing key",
    )?;
    let kinds: Vec<ProfileKind> = keys.profiles.iter().map(|p| p.kind).collect();
    if kinds.len() != 2
        || !kinds.contains(&ProfileKind::Personal)
        || !kinds.contains(&ProfileKind::Business)
    {
        return Err(bad(
            "An account needs exactly one Personal and one Business profile.",
        ));
    }
    for p in &keys.profiles {
        check_len(&p.wrapped_key, WRAPPED_KEY_LEN, "A profile key")?;
    }
    check_device(&req.device)
}

/// Creates an unconfirmed account and emails a confirmation code. Answers the same whether or not
/// the address already has an account (its owner is told by email instead).
pub async fn signup(state: &AppState, req: SignupRequest, ip: &str) -> Result<NextStep, ApiError> {
    check_ip_limit(state, "signup", ip, LIMIT_SIGNUP_IP).await?;
    let email = normalize_email(&req.email)?;
    check_signup(&req)?;
    let next = NextStep {
        message: format!("We sent a code to {email}. Enter it to finish creating your account."),
    };
    let existing = account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(&state.db)
        .await?;
    if let Some(existing) = existing {
        if existing.email_confirmed_at.is_some() {
            send_mail(
                state,
                existing.id,
                &email,
                Mail {
                    subject: "Someone tried to create a Strongroom account with your address".into(),
                    body: "Someone tried to create a new Strongroom account with this email address, which already has one. Nothing was changed.\n\nIf it was you, sign in instead. If you forgot your master password, ask your company's administrator about account recovery.\n".into(),
                },
            )
            .await?;
            return Ok(next);
        }
        // An unconfirmed sign-up never blocks the address's real owner: the newer one replaces it.
        existing.delete(&state.db).await?;
    }

    let stamp = now();
    let auth_salt = random_bytes::<16>()?;
    let txn = state.db.begin().await?;
    if account::Entity::find_by_id(req.account_id.0)
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(bad(
            "This account id is already in use; reload the page and try again.",
        ));
    }
    account::ActiveModel {
        id: Set(req.account_id.0),
        email: Set(email.clone()),
        email_confirmed_at: Set(None),
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
    }
    .insert(&txn)
    .await?;
    for p in req.keys.profiles {
        profile::ActiveModel {
            id: Set(p.id.0),
            account_id: Set(req.account_id.0),
            kind: Set(kind_name(p.kind).to_owned()),
            wrapped_key: Set(p.wrapped_key.0),
            created_at: Set(stamp),
        }
        .insert(&txn)
        .await?;
        access::create_container(
            &txn,
            ContainerId::from(p.id),
            ContainerKind::Profile,
            req.account_id,
        )
        .await?;
    }
    touch_device(&txn, req.account_id.0, &req.device, false).await?;
    txn.commit().await?;

    send_code(
        state,
        req.account_id.0,
        &email,
        PURPOSE_CONFIRM_EMAIL,
        Some(req.device.id.0),
        confirmation_mail,
    )
    .await?;
    Ok(next)
}

/// Issues a new code for `purpose` and emails it; `message` writes the mail around the code.
async fn send_code(
    state: &AppState,
    account_id: Uuid,
    email: &str,
    purpose: &str,
    device_id: Option<Uuid>,
    message: impl FnOnce(&str) -> Mail,
) -> Result<(), ApiError> {
    let code = issue_code(state, account_id, purpose, device_id).await?;
    send_mail(state, account_id, email, message(&spaced(&code))).await
}

fn confirmation_mail(code: &str) -> Mail {
    Mail {
        subject: "Confirm your email for Strongroom".into(),
        body: format!(
            "Your Strongroom confirmation code is:\n\n    {code}\n\nIt is valid for 10 minutes. If you did not create an account, ignore this message.\n"
        ),
    }
}

fn kind_name(kind: ProfileKind) -> &'static str {
    match kind {
        ProfileKind::Personal => "personal",
        ProfileKind::Business => "business",
    }
}

fn spaced(code: &str) -> String {
    format!("{} {}", &code[..4], &code[4..])
}

async fn send_mail(
    state: &AppState,
    account_id: Uuid,
    to: &str,
    mail: Mail,
) -> Result<(), ApiError> {
    check_limit(
        state,
        format!("mail:account:{account_id}"),
        LIMIT_MAIL_ACCOUNT,
    )
    .await?;
    state.mailer.send(to, mail).await.map_err(ApiError::Mail)
}

async fn touch_device(
    db: &impl sea_orm::ConnectionTrait,
    account_id: Uuid,
    info: &DeviceInfo,
    verified: bool,
) -> Result<device::Model, ApiError> {
    let stamp = now();
    let found = device::Entity::find_by_id((account_id, info.id.0))
        .one(db)
        .await?;
    let model = match found {
        Some(found) => {
            let verified_at = found.verified_at.or(verified.then_some(stamp));
            let mut active: device::ActiveModel = found.into();
            active.name = Set(info.name.clone());
            active.last_seen_at = Set(stamp);
            active.verified_at = Set(verified_at);
            active.update(db).await?
        }
        None => {
            device::ActiveModel {
                account_id: Set(account_id),
                device_id: Set(info.id.0),
                name: Set(info.name.clone()),
                verified_at: Set(verified.then_some(stamp)),
                first_seen_at: Set(stamp),
                last_seen_at: Set(stamp),
            }
            .insert(db)
            .await?
        }
    };
    Ok(model)
}

// ---- one-time codes ----

/// Makes a new code for `purpose`, replacing any earlier unused one, and returns it.
async fn issue_code(
    state: &AppState,
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
        .exec(&state.db)
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
    .insert(&state.db)
    .await?;
    Ok(code)
}

fn invalid_code() -> ApiError {
    ApiError::Unauthorized {
        code: codes::INVALID_CODE,
        message: "That code is wrong or has expired. Check the latest email from Strongroom, or start again to get a new code.".into(),
    }
}

/// Checks `typed` against the newest unused code for `purpose` (and `device_id`, when given);
/// counts the attempt; marks the code used on success.
async fn redeem_code(
    state: &AppState,
    account_id: Uuid,
    purpose: &str,
    device_id: Option<Uuid>,
    typed: &OneTimeCode,
) -> Result<(), ApiError> {
    check_limit(
        state,
        format!("code:account:{account_id}"),
        LIMIT_CODE_ACCOUNT,
    )
    .await?;
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

// ---- confirmation, login, sessions ----

/// Confirms the email with its code; the confirming browser becomes verified and signed in.
pub async fn confirm_email(
    state: &AppState,
    req: ConfirmEmailRequest,
    ip: &str,
) -> Result<NewSession, ApiError> {
    check_ip_limit(state, "confirm", ip, LIMIT_LOGIN_IP).await?;
    check_device(&req.device)?;
    let email = normalize_email(&req.email)?;
    let Some(found) = account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(&state.db)
        .await?
    else {
        return Err(invalid_code());
    };
    redeem_code(state, found.id, PURPOSE_CONFIRM_EMAIL, None, &req.code).await?;
    let mut active: account::ActiveModel = found.clone().into();
    if found.email_confirmed_at.is_none() {
        active.email_confirmed_at = Set(Some(now()));
        active.updated_at = Set(now());
    }
    let found = active.update(&state.db).await?;
    touch_device(&state.db, found.id, &req.device, true).await?;
    start_session(state, found, req.device.id).await
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
    check_limit(state, format!("login:email:{email}"), LIMIT_LOGIN_ACCOUNT).await?;
    check_device(&req.device)?;
    let found = account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(&state.db)
        .await?;
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
                redeem_code(
                    state,
                    found.id,
                    PURPOSE_VERIFY_DEVICE,
                    Some(req.device.id.0),
                    typed,
                )
                .await?;
                touch_device(&state.db, found.id, &req.device, true).await?;
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

async fn start_session(
    state: &AppState,
    found: account::Model,
    device_id: DeviceId,
) -> Result<NewSession, ApiError> {
    use base64::Engine as _;
    let token = Zeroizing::new(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()?),
    );
    let stamp = now();
    session::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(hash_token(&token)),
        account_id: Set(found.id),
        device_id: Set(device_id.0),
        created_at: Set(stamp),
        last_used_at: Set(stamp),
        expires_at: Set(stamp + SESSION_LIFETIME),
        revoked_at: Set(None),
    }
    .insert(&state.db)
    .await?;
    Ok(NewSession {
        token,
        bundle: bundle(state, found).await?,
    })
}

/// What a signed-in browser needs to open the vault.
pub async fn bundle(state: &AppState, found: account::Model) -> Result<AccountBundle, ApiError> {
    let profiles = found
        .find_related(profile::Entity)
        .order_by_asc(profile::Column::Kind)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| ProfileKey {
            id: ProfileId(p.id),
            kind: if p.kind == "business" {
                ProfileKind::Business
            } else {
                ProfileKind::Personal
            },
            wrapped_key: Base64Bytes(p.wrapped_key),
        })
        .collect();
    Ok(AccountBundle {
        account_id: AccountId(found.id),
        email: found.email.clone(),
        kdf: kdf_of(&found),
        password_envelope: Base64Bytes(found.password_envelope),
        keys: AccountKeys {
            encryption_public_key: Base64Bytes(found.encryption_public_key),
            verifying_key: Base64Bytes(found.verifying_key),
            keys_signature: Base64Bytes(found.keys_signature),
            wrapped_encryption_key: Base64Bytes(found.wrapped_encryption_key),
            wrapped_signing_key: Base64Bytes(found.wrapped_signing_key),
            profiles,
        },
    })
}

/// The session for a cookie token, if it is valid; refreshes its last use.
pub async fn find_session(
    db: &DatabaseConnection,
    token: &str,
) -> Result<Option<SessionInfo>, ApiError> {
    let Some(found) = session::Entity::find()
        .filter(session::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let stamp = now();
    if found.revoked_at.is_some()
        || found.expires_at <= stamp
        || found.last_used_at + SESSION_IDLE <= stamp
    {
        return Ok(None);
    }
    let info = SessionInfo {
        session_id: found.id,
        account_id: AccountId(found.account_id),
        device_id: DeviceId(found.device_id),
    };
    // Refresh at most once a minute: every request would otherwise be a write.
    if stamp - found.last_used_at > Duration::minutes(1) {
        let mut active: session::ActiveModel = found.into();
        active.last_used_at = Set(stamp);
        active.update(db).await?;
    }
    Ok(Some(info))
}

/// Ends one session.
pub async fn revoke_session(db: &DatabaseConnection, session_id: Uuid) -> Result<(), ApiError> {
    session::Entity::update_many()
        .col_expr(
            session::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(now()),
        )
        .filter(session::Column::Id.eq(session_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The account of a session.
pub async fn account_of(
    state: &AppState,
    session: &SessionInfo,
) -> Result<AccountBundle, ApiError> {
    bundle(state, account_by_id(state, session.account_id).await?).await
}

// ---- account settings ----

async fn account_by_id(state: &AppState, id: AccountId) -> Result<account::Model, ApiError> {
    account::Entity::find_by_id(id.0)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The browsers that have signed in to the account, newest first.
pub async fn devices(state: &AppState, session: &SessionInfo) -> Result<Vec<DeviceView>, ApiError> {
    let rows = device::Entity::find()
        .filter(device::Column::AccountId.eq(session.account_id.0))
        .order_by_desc(device::Column::LastSeenAt)
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|d| DeviceView {
            id: DeviceId(d.device_id),
            current: d.device_id == session.device_id.0,
            name: d.name,
            verified: d.verified_at.is_some(),
            first_seen: d.first_seen_at.unix_timestamp(),
            last_seen: d.last_seen_at.unix_timestamp(),
        })
        .collect())
}

async fn revoke_sessions(
    db: &impl sea_orm::ConnectionTrait,
    account_id: Uuid,
    device_id: Option<Uuid>,
    except: Option<Uuid>,
) -> Result<(), ApiError> {
    let mut update = session::Entity::update_many()
        .col_expr(
            session::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(now()),
        )
        .filter(session::Column::AccountId.eq(account_id))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(device_id) = device_id {
        update = update.filter(session::Column::DeviceId.eq(device_id));
    }
    if let Some(keep) = except {
        update = update.filter(session::Column::Id.ne(keep));
    }
    update.exec(db).await?;
    Ok(())
}

/// Forgets a browser: it must be verified by email again, and its sessions end. Another
/// account's browser, or an unknown one, is "not found".
pub async fn revoke_device(
    state: &AppState,
    session: &SessionInfo,
    device_id: DeviceId,
) -> Result<(), ApiError> {
    let txn = state.db.begin().await?;
    let found = device::Entity::find_by_id((session.account_id.0, device_id.0))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    found.delete(&txn).await?;
    revoke_sessions(&txn, session.account_id.0, Some(device_id.0), None).await?;
    txn.commit().await?;
    Ok(())
}

/// The account's live sessions, most recently used first.
pub async fn sessions(
    state: &AppState,
    session: &SessionInfo,
) -> Result<Vec<SessionView>, ApiError> {
    let stamp = now();
    let rows = session::Entity::find()
        .filter(session::Column::AccountId.eq(session.account_id.0))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(stamp))
        .filter(session::Column::LastUsedAt.gt(stamp - SESSION_IDLE))
        .order_by_desc(session::Column::LastUsedAt)
        .all(&state.db)
        .await?;
    let names: std::collections::HashMap<Uuid, String> = device::Entity::find()
        .filter(device::Column::AccountId.eq(session.account_id.0))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|d| (d.device_id, d.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|s| SessionView {
            id: s.id,
            device_name: names
                .get(&s.device_id)
                .cloned()
                .unwrap_or_else(|| "A forgotten browser".to_owned()),
            created: s.created_at.unix_timestamp(),
            last_used: s.last_used_at.unix_timestamp(),
            current: s.id == session.session_id,
        })
        .collect())
}

/// Ends one of the account's sessions. Another account's session is "not found".
pub async fn end_session(
    state: &AppState,
    session: &SessionInfo,
    id: Uuid,
) -> Result<(), ApiError> {
    let ended = session::Entity::update_many()
        .col_expr(
            session::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(now()),
        )
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::AccountId.eq(session.account_id.0))
        .filter(session::Column::RevokedAt.is_null())
        .exec(&state.db)
        .await?;
    if ended.rows_affected == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

/// Ends every session of the account, this one included.
pub async fn sign_out_everywhere(state: &AppState, session: &SessionInfo) -> Result<(), ApiError> {
    revoke_sessions(&state.db, session.account_id.0, None, None).await
}

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
    active.updated_at = Set(now());
    let updated = active.update(&txn).await?;
    revoke_sessions(&txn, session.account_id.0, None, None).await?;
    txn.commit().await?;
    send_mail(
        state,
        session.account_id.0,
        &email,
        Mail {
            subject: "Your Strongroom master password was changed".into(),
            body: "The master password of your Strongroom account was just changed, and every browser was signed out (the one that made the change signed in again).\n\nIf this was not you, contact your administrator at once.\n".into(),
        },
    )
    .await?;
    start_session(state, updated, session.device_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(
            normalize_email("  Alice@Example.COM ").ok(),
            Some("alice@example.com".into())
        );
        assert!(normalize_email("alice").is_err());
        assert!(normalize_email("").is_err());
        assert!(normalize_email(&format!("{}@example.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn auth_hashes_depend_on_salt_and_key() {
        let a = hash_auth_key(&[1; 16], &[2; 32]);
        assert_ne!(a, hash_auth_key(&[3; 16], &[2; 32]));
        assert_ne!(a, hash_auth_key(&[1; 16], &[4; 32]));
        assert_eq!(a, hash_auth_key(&[1; 16], &[2; 32]));
    }
}
