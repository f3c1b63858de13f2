//! Sessions: opening one at sign-in, checking a cookie's token, listing and ending them, and the
//! account bundle a signed-in browser receives.
//!
//! Invariants:
//! - Only a hash of a session token is stored; the token itself lives only in the cookie.
//! - A session ends after [`SESSION_IDLE`] unused, [`SESSION_LIFETIME`] after sign-in, or when
//!   revoked; an ended session is never valid again.
//! - An account sees and ends only its own sessions; another account's is "not found".

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, ModelTrait,
    QueryFilter, QueryOrder,
};
use sha2::{Digest, Sha256};
use shared_types::account::{AccountBundle, AccountKeys, ProfileKey, ProfileKind, SessionView};
use shared_types::{AccountId, Base64Bytes, DeviceId, ProfileId};
use time::Duration;
use uuid::Uuid;
use zeroize::Zeroizing;

use super::{account_by_id, kdf_of, now, random_bytes};
use crate::entity::{account, device, profile, session};
use crate::error::ApiError;
use crate::state::AppState;

/// A session unused this long ends.
pub const SESSION_IDLE: Duration = Duration::days(14);
/// A session ends this long after sign-in, used or not.
pub const SESSION_LIFETIME: Duration = Duration::days(30);
/// The session cookie (the `__Host-` prefix pins it to this host, `Secure` and `Path=/`).
pub const SESSION_COOKIE: &str = "__Host-strongroom_session";

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

fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub(super) async fn start_session(
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
    account::Entity::update_many()
        .col_expr(
            account::Column::LastActiveAt,
            sea_orm::sea_query::Expr::value(stamp),
        )
        .filter(account::Column::Id.eq(found.id))
        .exec(&state.db)
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
        published_keys: crate::services::sharing::keys::current(&state.db, found.id).await?,
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
        let account = found.account_id;
        let mut active: session::ActiveModel = found.into();
        active.last_used_at = Set(stamp);
        active.update(db).await?;
        account::Entity::update_many()
            .col_expr(
                account::Column::LastActiveAt,
                sea_orm::sea_query::Expr::value(stamp),
            )
            .filter(account::Column::Id.eq(account))
            .exec(db)
            .await?;
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

pub(super) async fn revoke_sessions(
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
