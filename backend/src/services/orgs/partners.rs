//! Partners (MSPs): made by anyone from the sign-up page; the maker is the first Admin.
//!
//! Invariants: every partner has its two built-in roles (Admin, Technician) from the start;
//! an account is active staff of at most one partner.

use std::collections::BTreeSet;

use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait};
use shared_types::org::{BuiltinRole, CreatePartnerRequest, PartnerView, Permission, codes};
use shared_types::{AccountId, PartnerId};
use uuid::Uuid;

use super::memberships::{active_staff, role_of_staff};
use super::{ACTIVE, builtin_name, clean_name};
use crate::authz::RoleGrant;
use crate::entity::{partner, partner_role, partner_staff};
use crate::error::ApiError;
use crate::services::accounts::now;

pub(crate) fn already_staff() -> ApiError {
    ApiError::Conflict {
        code: codes::ALREADY_PARTNER_STAFF,
        message: "You already work for a partner. An account can belong to one partner only."
            .into(),
    }
}

/// Whether a database error is a unique index refusing a second row.
pub(crate) fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// Makes a partner whose first Admin is `account`.
pub async fn create(
    db: &DatabaseConnection,
    account: AccountId,
    req: CreatePartnerRequest,
) -> Result<PartnerView, ApiError> {
    let name = clean_name(&req.name, "partner's name")?;
    let (txn, email) = super::begin_as(db, account).await?;
    if active_staff(&txn, account).await?.is_some() {
        return Err(already_staff());
    }
    let at = now();
    let id = Uuid::now_v7();
    partner::Entity::insert(partner::ActiveModel {
        id: Set(id),
        name: Set(name.clone()),
        created_at: Set(at),
        updated_at: Set(at),
    })
    .exec_without_returning(&txn)
    .await?;
    let mut admin_role = None;
    for (builtin, label) in [
        (BuiltinRole::Admin, "Admin"),
        (BuiltinRole::Technician, "Technician"),
    ] {
        let role_id = Uuid::now_v7();
        partner_role::Entity::insert(partner_role::ActiveModel {
            id: Set(role_id),
            partner_id: Set(id),
            name: Set(label.to_owned()),
            builtin: Set(Some(builtin_name(builtin).to_owned())),
            created_at: Set(at),
            updated_at: Set(at),
        })
        .exec_without_returning(&txn)
        .await?;
        if builtin == BuiltinRole::Admin {
            admin_role = Some(role_id);
        }
    }
    let admin_role = admin_role.ok_or_else(|| ApiError::Internal("no Admin role".into()))?;
    let inserted = partner_staff::Entity::insert(partner_staff::ActiveModel {
        id: Set(Uuid::now_v7()),
        partner_id: Set(id),
        account_id: Set(Some(account.0)),
        email: Set(email),
        name: Set(String::new()),
        role_id: Set(admin_role),
        status: Set(ACTIVE.to_owned()),
        invited_at: Set(at),
        joined_at: Set(Some(at)),
        removed_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await;
    match inserted {
        Err(err) if is_unique_violation(&err) => return Err(already_staff()),
        other => other?,
    };
    txn.commit().await?;
    Ok(PartnerView {
        id: PartnerId(id),
        name,
        role_name: "Admin".to_owned(),
        permissions: RoleGrant::Builtin(BuiltinRole::Admin)
            .permissions()
            .into_iter()
            .collect(),
    })
}

/// The partner as its staff member sees it.
pub async fn view(
    db: &impl ConnectionTrait,
    partner_id: PartnerId,
    account: AccountId,
    permissions: &BTreeSet<Permission>,
) -> Result<PartnerView, ApiError> {
    let name = super::memberships::partner_name(db, partner_id.0).await?;
    let staff = active_staff(db, account)
        .await?
        .filter(|s| s.partner_id == partner_id.0)
        .ok_or(ApiError::NotFound)?;
    let grant = RoleGrant::Custom(permissions.clone());
    let (role_name, permissions) = role_of_staff(db, staff.role_id, &grant).await?;
    Ok(PartnerView {
        id: partner_id,
        name,
        role_name,
        permissions,
    })
}
