//! The browsers an account has signed in from: recording them, listing them, forgetting one.
//!
//! Invariants:
//! - A browser is verified once (by confirming the email on it, or by an emailed code) and stays
//!   verified until it is forgotten; forgetting it also ends its sessions.
//! - An account sees and forgets only its own browsers; another account's is "not found".

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use shared_types::DeviceId;
use shared_types::account::{DeviceInfo, DeviceView};
use uuid::Uuid;

use super::now;
use super::sessions::{SessionInfo, revoke_sessions};
use crate::entity::device;
use crate::error::ApiError;
use crate::state::AppState;

pub(super) async fn touch_device(
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

/// Forgets a browser: it must be verified by email again, and its sessions end. Another
/// account's browser, or an unknown one, is "not found".
pub async fn revoke_device(
    state: &AppState,
    session: &SessionInfo,
    device_id: DeviceId,
) -> Result<(), ApiError> {
    // A write first: on SQLite a transaction that reads before it writes can fail to write
    // when another one committed in between.
    let txn = state.db.begin().await?;
    let deleted = device::Entity::delete_by_id((session.account_id.0, device_id.0))
        .exec(&txn)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(ApiError::NotFound);
    }
    revoke_sessions(&txn, session.account_id.0, Some(device_id.0), None).await?;
    txn.commit().await?;
    Ok(())
}
