//! A partner's access roles: the two built-in ones (Admin: every permission; Technician: see
//! companies and manage their users), which cannot be changed, and custom roles made from the
//! list of permissions. A role is read on every request, so an edit applies at once.
//!
//! Invariants:
//! - Nobody grants a permission their own role lacks: a role they make or edit, or a role they
//!   give someone, holds only permissions they hold. So a custom role with `manage_roles` cannot
//!   raise itself to Admin.
//! - A role held by staff (active or invited) is not deleted.

use std::collections::BTreeSet;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use shared_types::org::{Permission, RoleRequest, RoleView, codes};
use shared_types::{PartnerId, PartnerRoleId};
use uuid::Uuid;

use super::{begin_as, builtin_of};
use crate::authz::{PartnerStaff, RoleGrant};
use crate::entity::{partner_role, partner_role_permission, partner_staff};
use crate::error::ApiError;
use crate::services::accounts::now;

/// The partner's role `id`; the same `NotFound` for another partner's as for none.
pub async fn find_role(
    db: &impl ConnectionTrait,
    partner: PartnerId,
    id: PartnerRoleId,
) -> Result<partner_role::Model, ApiError> {
    partner_role::Entity::find_by_id(id.0)
        .filter(partner_role::Column::PartnerId.eq(partner.0))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// What a role allows.
pub async fn grant_of(
    db: &impl ConnectionTrait,
    role: &partner_role::Model,
) -> Result<RoleGrant, ApiError> {
    if let Some(builtin) = &role.builtin {
        return Ok(builtin_of(builtin)
            .map(RoleGrant::Builtin)
            .unwrap_or_else(|| RoleGrant::Custom(BTreeSet::new())));
    }
    let names: Vec<String> = partner_role_permission::Entity::find()
        .select_only()
        .column(partner_role_permission::Column::Permission)
        .filter(partner_role_permission::Column::RoleId.eq(role.id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(RoleGrant::Custom(
        names
            .iter()
            .filter_map(|n| Permission::of_name(n))
            .collect(),
    ))
}

/// Refuses when `granted` holds a permission the caller does not.
pub fn may_grant(caller: &PartnerStaff, granted: &RoleGrant) -> Result<(), ApiError> {
    let missing: Vec<&str> = granted
        .permissions()
        .into_iter()
        .filter(|p| !caller.permissions.contains(p))
        .map(Permission::name)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::Forbidden {
        code: codes::CANNOT_GRANT,
        message: format!(
            "You can only grant permissions your own role has; yours lacks {}.",
            missing.join(", ")
        ),
    })
}

async fn view(db: &impl ConnectionTrait, role: partner_role::Model) -> Result<RoleView, ApiError> {
    let grant = grant_of(db, &role).await?;
    let staff_count = partner_staff::Entity::find()
        .filter(partner_staff::Column::RoleId.eq(role.id))
        .filter(partner_staff::Column::Status.ne("removed"))
        .count(db)
        .await?;
    Ok(RoleView {
        id: PartnerRoleId(role.id),
        name: role.name,
        builtin: role.builtin.as_deref().and_then(builtin_of),
        permissions: grant.permissions().into_iter().collect(),
        staff_count,
    })
}

/// The partner's roles: built-in first, then custom ones by name.
pub async fn list(
    db: &impl ConnectionTrait,
    partner: PartnerId,
) -> Result<Vec<RoleView>, ApiError> {
    let roles = partner_role::Entity::find()
        .filter(partner_role::Column::PartnerId.eq(partner.0))
        .order_by_asc(partner_role::Column::CreatedAt)
        .order_by_asc(partner_role::Column::Id)
        .all(db)
        .await?;
    let (mut builtin, mut custom): (Vec<_>, Vec<_>) =
        roles.into_iter().partition(|r| r.builtin.is_some());
    custom.sort_by_key(|r| r.name.to_lowercase());
    builtin.append(&mut custom);
    let mut out = Vec::with_capacity(builtin.len());
    for role in builtin {
        out.push(view(db, role).await?);
    }
    Ok(out)
}

fn checked(req: &RoleRequest) -> Result<(String, BTreeSet<Permission>), ApiError> {
    let name = req.name.trim();
    if name.is_empty() {
        return Err(ApiError::BadRequest("Enter the role's name.".into()));
    }
    if name.chars().count() > 100 {
        return Err(ApiError::BadRequest(
            "The role's name is too long: at most 100 characters.".into(),
        ));
    }
    Ok((name.to_owned(), req.permissions.iter().copied().collect()))
}

fn name_taken(name: &str) -> ApiError {
    ApiError::Conflict {
        code: "role_name_taken",
        message: format!("A role called \"{name}\" exists already; choose another name."),
    }
}

async fn set_permissions(
    db: &impl ConnectionTrait,
    role: Uuid,
    permissions: &BTreeSet<Permission>,
) -> Result<(), ApiError> {
    partner_role_permission::Entity::delete_many()
        .filter(partner_role_permission::Column::RoleId.eq(role))
        .exec(db)
        .await?;
    for p in permissions {
        partner_role_permission::Entity::insert(partner_role_permission::ActiveModel {
            role_id: Set(role),
            permission: Set(p.name().to_owned()),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Makes a custom role.
pub async fn create(
    db: &DatabaseConnection,
    caller: &PartnerStaff,
    req: RoleRequest,
) -> Result<RoleView, ApiError> {
    let (name, permissions) = checked(&req)?;
    may_grant(caller, &RoleGrant::Custom(permissions.clone()))?;
    let (txn, _) = begin_as(db, caller.session.account_id).await?;
    let id = Uuid::now_v7();
    let inserted = partner_role::Entity::insert(partner_role::ActiveModel {
        id: Set(id),
        partner_id: Set(caller.partner.0),
        name: Set(name.clone()),
        builtin: Set(None),
        created_at: Set(now()),
        updated_at: Set(now()),
    })
    .exec_without_returning(&txn)
    .await;
    match inserted {
        Err(err) if super::partners::is_unique_violation(&err) => return Err(name_taken(&name)),
        other => other?,
    };
    set_permissions(&txn, id, &permissions).await?;
    let made = find_role(&txn, caller.partner, PartnerRoleId(id)).await?;
    let made = view(&txn, made).await?;
    txn.commit().await?;
    Ok(made)
}

fn builtin_read_only() -> ApiError {
    ApiError::BadRequest("The built-in roles cannot be changed. Make a custom role instead.".into())
}

/// Renames a custom role and sets its permissions; its staff hold the new ones at once.
pub async fn update(
    db: &DatabaseConnection,
    caller: &PartnerStaff,
    id: PartnerRoleId,
    req: RoleRequest,
) -> Result<RoleView, ApiError> {
    let (name, permissions) = checked(&req)?;
    let (txn, _) = begin_as(db, caller.session.account_id).await?;
    let role = find_role(&txn, caller.partner, id).await?;
    if role.builtin.is_some() {
        return Err(builtin_read_only());
    }
    // Both what it held and what it will hold: nobody takes away what they could not give.
    may_grant(caller, &grant_of(&txn, &role).await?)?;
    may_grant(caller, &RoleGrant::Custom(permissions.clone()))?;
    let renamed = partner_role::Entity::update_many()
        .col_expr(partner_role::Column::Name, Expr::value(name.clone()))
        .col_expr(partner_role::Column::UpdatedAt, Expr::value(now()))
        .filter(partner_role::Column::Id.eq(role.id))
        .exec(&txn)
        .await;
    match renamed {
        Err(err) if super::partners::is_unique_violation(&err) => return Err(name_taken(&name)),
        other => other?,
    };
    set_permissions(&txn, role.id, &permissions).await?;
    let after = view(&txn, find_role(&txn, caller.partner, id).await?).await?;
    txn.commit().await?;
    Ok(after)
}

/// Deletes a custom role that nobody holds.
pub async fn delete(
    db: &DatabaseConnection,
    caller: &PartnerStaff,
    id: PartnerRoleId,
) -> Result<(), ApiError> {
    let (txn, _) = begin_as(db, caller.session.account_id).await?;
    let role = find_role(&txn, caller.partner, id).await?;
    if role.builtin.is_some() {
        return Err(builtin_read_only());
    }
    may_grant(caller, &grant_of(&txn, &role).await?)?;
    let holders = partner_staff::Entity::find()
        .filter(partner_staff::Column::RoleId.eq(role.id))
        .filter(partner_staff::Column::Status.ne("removed"))
        .count(&txn)
        .await?;
    if holders > 0 {
        return Err(ApiError::Conflict {
            code: codes::ROLE_IN_USE,
            message: format!("{holders} staff have this role. Give them another role first."),
        });
    }
    // Removed staff keep their row for the record; it points at the Technician role from now.
    let technician = partner_role::Entity::find()
        .filter(partner_role::Column::PartnerId.eq(caller.partner.0))
        .filter(partner_role::Column::Builtin.eq("technician"))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::Internal("a partner without its Technician role".into()))?;
    partner_staff::Entity::update_many()
        .col_expr(partner_staff::Column::RoleId, Expr::value(technician.id))
        .filter(partner_staff::Column::RoleId.eq(role.id))
        .exec(&txn)
        .await?;
    partner_role::Entity::delete_by_id(role.id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}
