//! A partner's staff: invited by email (the same links and outbox as company invitations),
//! given a role, moved to another, removed.
//!
//! Invariants:
//! - A partner always keeps an active member of staff with the built-in Admin role.
//! - Nobody gives a role holding permissions their own role lacks (`roles::may_grant`), and
//!   nobody changes or removes their own place.
//! - An account is active staff of at most one partner (a partial unique index).

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use shared_types::org::{
    ChangeStaffRoleRequest, InviteStaffRequest, MemberStatus, PendingInvitation, StaffRow, codes,
};
use shared_types::{AccountId, PartnerId, PartnerRoleId, StaffId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::invitations::{
    REASON_REPLACED, REASON_REVOKED, Target, end_pending, issue, person_name,
};
use super::roles::{find_role, grant_of, may_grant};
use super::{ACTIVE, INVITED, begin_as, status_name, status_of};
use crate::authz::PartnerStaff;
use crate::entity::{invitation, partner_role, partner_staff};
use crate::error::ApiError;
use crate::services::accounts::{check_limit, normalize_email, now};
use crate::state::AppState;

/// Makes an invited staff place active as `account`, in the caller's transaction.
pub(super) async fn activate(
    db: &impl ConnectionTrait,
    staff: &partner_staff::Model,
    account: AccountId,
) -> Result<(), ApiError> {
    let done = partner_staff::Entity::update_many()
        .col_expr(partner_staff::Column::Status, Expr::value(ACTIVE))
        .col_expr(partner_staff::Column::AccountId, Expr::value(account.0))
        .col_expr(partner_staff::Column::JoinedAt, Expr::value(now()))
        .filter(partner_staff::Column::Id.eq(staff.id))
        .filter(partner_staff::Column::Status.eq(INVITED))
        .exec(db)
        .await;
    match done {
        Err(err) if super::partners::is_unique_violation(&err) => {
            Err(super::partners::already_staff())
        }
        Err(err) => Err(err.into()),
        Ok(done) if done.rows_affected != 1 => Err(ApiError::Gone {
            code: codes::INVITATION_REVOKED,
            message:
                "This invitation was withdrawn. Ask the partner's administrator for a new one."
                    .into(),
        }),
        Ok(_) => Ok(()),
    }
}

/// The partner's staff place `id`; the same `NotFound` for another partner's as for none.
pub async fn find_staff(
    db: &impl ConnectionTrait,
    partner: PartnerId,
    id: StaffId,
) -> Result<partner_staff::Model, ApiError> {
    partner_staff::Entity::find_by_id(id.0)
        .filter(partner_staff::Column::PartnerId.eq(partner.0))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn rows(
    db: &impl ConnectionTrait,
    staff: Vec<partner_staff::Model>,
) -> Result<Vec<StaffRow>, ApiError> {
    let accounts: Vec<Uuid> = staff.iter().filter_map(|s| s.account_id).collect();
    let ids: Vec<Uuid> = staff.iter().map(|s| s.id).collect();
    let roles: HashMap<Uuid, String> = partner_role::Entity::find()
        .select_only()
        .column(partner_role::Column::Id)
        .column(partner_role::Column::Name)
        .filter(partner_role::Column::Id.is_in(staff.iter().map(|s| s.role_id)))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let facts = super::members::account_facts(db, &accounts).await?;
    let mut pending: HashMap<Uuid, invitation::Model> = HashMap::new();
    for inv in invitation::Entity::find()
        .filter(invitation::Column::StaffId.is_in(ids))
        .filter(invitation::Column::UsedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .order_by_asc(invitation::Column::CreatedAt)
        .all(db)
        .await?
    {
        if let Some(id) = inv.staff_id {
            pending.insert(id, inv);
        }
    }
    let at = now();
    staff
        .into_iter()
        .map(|s| {
            let status = status_of(&s.status)
                .ok_or_else(|| ApiError::Internal("unreadable stored staff status".into()))?;
            Ok(StaffRow {
                id: StaffId(s.id),
                email: s.email,
                name: s.name,
                role_id: PartnerRoleId(s.role_id),
                role_name: roles.get(&s.role_id).cloned().unwrap_or_default(),
                status,
                two_factor: facts.two_factor(s.account_id),
                last_active: facts.last_active(s.account_id),
                invitation: pending
                    .get(&s.id)
                    .filter(|_| status == MemberStatus::Invited)
                    .map(|inv| PendingInvitation {
                        sent_at: inv.sent_at.map(OffsetDateTime::unix_timestamp),
                        expires_at: inv.expires_at.unix_timestamp(),
                        expired: inv.expires_at <= at,
                    }),
            })
        })
        .collect()
}

async fn row(db: &impl ConnectionTrait, staff: partner_staff::Model) -> Result<StaffRow, ApiError> {
    rows(db, vec![staff])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal("a staff place without a row".into()))
}

/// The partner's staff, active and invited first, then removed; by address.
pub async fn list(
    db: &impl ConnectionTrait,
    partner: PartnerId,
) -> Result<Vec<StaffRow>, ApiError> {
    let mut staff = partner_staff::Entity::find()
        .filter(partner_staff::Column::PartnerId.eq(partner.0))
        .order_by_asc(partner_staff::Column::Email)
        .all(db)
        .await?;
    staff.sort_by_key(|s| s.status == status_name(MemberStatus::Removed));
    rows(db, staff).await
}

/// Invites someone to the partner's staff with a role.
pub async fn invite(
    state: &AppState,
    caller: &PartnerStaff,
    req: InviteStaffRequest,
) -> Result<StaffRow, ApiError> {
    let email = normalize_email(&req.email)?;
    let name = person_name(&req.name)?;
    let by = caller.session.account_id;
    let (txn, _) = begin_as(&state.db, by).await?;
    let role = find_role(&txn, caller.partner, req.role_id).await?;
    may_grant(caller, &grant_of(&txn, &role).await?)?;
    let existing = partner_staff::Entity::find()
        .filter(partner_staff::Column::PartnerId.eq(caller.partner.0))
        .filter(partner_staff::Column::Email.eq(&email))
        .one(&txn)
        .await?;
    let at = now();
    let id = match existing {
        Some(s) if s.status == ACTIVE => {
            return Err(ApiError::Conflict {
                code: codes::ALREADY_MEMBER,
                message: format!("{email} is on the staff already."),
            });
        }
        Some(s) if s.status == INVITED => {
            return Err(ApiError::Conflict {
                code: codes::ALREADY_INVITED,
                message: format!(
                    "{email} has been invited already. Use Resend to send a new link."
                ),
            });
        }
        Some(s) => {
            let mut again: partner_staff::ActiveModel = s.clone().into();
            again.account_id = Set(None);
            again.name = Set(name);
            again.role_id = Set(role.id);
            again.status = Set(INVITED.to_owned());
            again.invited_at = Set(at);
            again.joined_at = Set(None);
            again.removed_at = Set(None);
            partner_staff::Entity::update(again).exec(&txn).await?;
            s.id
        }
        None => {
            let id = Uuid::now_v7();
            partner_staff::Entity::insert(partner_staff::ActiveModel {
                id: Set(id),
                partner_id: Set(caller.partner.0),
                account_id: Set(None),
                email: Set(email.clone()),
                name: Set(name),
                role_id: Set(role.id),
                status: Set(INVITED.to_owned()),
                invited_at: Set(at),
                joined_at: Set(None),
                removed_at: Set(None),
            })
            .exec_without_returning(&txn)
            .await?;
            id
        }
    };
    issue(&txn, Target::Staff(id), &email, by).await?;
    let made = find_staff(&txn, caller.partner, StaffId(id)).await?;
    txn.commit().await?;
    state.outbox.wake();
    row(&state.db, made).await
}

/// Refuses a change that leaves the partner without an active Admin, when `staff` is one.
async fn keep_an_admin(
    db: &impl ConnectionTrait,
    partner: PartnerId,
    staff: &partner_staff::Model,
) -> Result<(), ApiError> {
    let role = find_role(db, partner, PartnerRoleId(staff.role_id)).await?;
    if staff.status != ACTIVE || role.builtin.as_deref() != Some("admin") {
        return Ok(());
    }
    let admins = partner_staff::Entity::find()
        .filter(partner_staff::Column::PartnerId.eq(partner.0))
        .filter(partner_staff::Column::Status.eq(ACTIVE))
        .filter(partner_staff::Column::RoleId.eq(role.id))
        .count(db)
        .await?;
    if admins <= 1 {
        return Err(ApiError::Conflict {
            code: codes::LAST_ADMIN,
            message: "The partner would have no Admin left. Make someone else Admin first.".into(),
        });
    }
    Ok(())
}

fn not_yourself() -> ApiError {
    ApiError::BadRequest("You cannot change or remove your own place. Ask another Admin.".into())
}

/// Gives a member of staff another role; it applies at their next request.
pub async fn change_role(
    db: &DatabaseConnection,
    caller: &PartnerStaff,
    id: StaffId,
    req: ChangeStaffRoleRequest,
) -> Result<StaffRow, ApiError> {
    let (txn, _) = begin_as(db, caller.session.account_id).await?;
    let staff = find_staff(&txn, caller.partner, id).await?;
    if staff.id == caller.staff.0 {
        return Err(not_yourself());
    }
    if staff.status == status_name(MemberStatus::Removed) {
        return Err(ApiError::BadRequest(
            "This person was removed from the staff; invite them again instead.".into(),
        ));
    }
    let role = find_role(&txn, caller.partner, req.role_id).await?;
    let current = find_role(&txn, caller.partner, PartnerRoleId(staff.role_id)).await?;
    may_grant(caller, &grant_of(&txn, &role).await?)?;
    may_grant(caller, &grant_of(&txn, &current).await?)?;
    if role.id != staff.role_id {
        keep_an_admin(&txn, caller.partner, &staff).await?;
        partner_staff::Entity::update_many()
            .col_expr(partner_staff::Column::RoleId, Expr::value(role.id))
            .filter(partner_staff::Column::Id.eq(staff.id))
            .exec(&txn)
            .await?;
    }
    let after = find_staff(&txn, caller.partner, id).await?;
    txn.commit().await?;
    row(db, after).await
}

/// Removes a member of staff: they keep their account, and lose the partner at once.
pub async fn remove(
    db: &DatabaseConnection,
    caller: &PartnerStaff,
    id: StaffId,
) -> Result<(), ApiError> {
    let (txn, _) = begin_as(db, caller.session.account_id).await?;
    let staff = find_staff(&txn, caller.partner, id).await?;
    if staff.id == caller.staff.0 {
        return Err(not_yourself());
    }
    if staff.status != ACTIVE {
        return Err(ApiError::BadRequest(
            "Only active staff can be removed; revoke a pending invitation instead.".into(),
        ));
    }
    let current = find_role(&txn, caller.partner, PartnerRoleId(staff.role_id)).await?;
    may_grant(caller, &grant_of(&txn, &current).await?)?;
    keep_an_admin(&txn, caller.partner, &staff).await?;
    partner_staff::Entity::update_many()
        .col_expr(
            partner_staff::Column::Status,
            Expr::value(status_name(MemberStatus::Removed)),
        )
        .col_expr(partner_staff::Column::RemovedAt, Expr::value(now()))
        .filter(partner_staff::Column::Id.eq(staff.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

fn only_pending() -> ApiError {
    ApiError::BadRequest("Only a pending invitation can be sent again or revoked.".into())
}

/// Sends a staff invitation again with a new link.
pub async fn resend(
    state: &AppState,
    caller: &PartnerStaff,
    id: StaffId,
) -> Result<StaffRow, ApiError> {
    let staff = find_staff(&state.db, caller.partner, id).await?;
    if staff.status != INVITED {
        return Err(only_pending());
    }
    check_limit(
        state,
        format!("invitation_resend:staff:{}", id.0),
        (5, 86_400),
    )
    .await?;
    let by = caller.session.account_id;
    let (txn, _) = begin_as(&state.db, by).await?;
    end_pending(&txn, Target::Staff(staff.id), REASON_REPLACED).await?;
    issue(&txn, Target::Staff(staff.id), &staff.email, by).await?;
    txn.commit().await?;
    state.outbox.wake();
    row(&state.db, staff).await
}

/// Revokes a staff invitation.
pub async fn revoke(
    db: &DatabaseConnection,
    caller: &PartnerStaff,
    id: StaffId,
) -> Result<StaffRow, ApiError> {
    let (txn, _) = begin_as(db, caller.session.account_id).await?;
    let staff = find_staff(&txn, caller.partner, id).await?;
    if staff.status != INVITED {
        return Err(only_pending());
    }
    end_pending(&txn, Target::Staff(staff.id), REASON_REVOKED).await?;
    partner_staff::Entity::update_many()
        .col_expr(
            partner_staff::Column::Status,
            Expr::value(status_name(MemberStatus::Removed)),
        )
        .col_expr(partner_staff::Column::RemovedAt, Expr::value(now()))
        .filter(partner_staff::Column::Id.eq(staff.id))
        .exec(&txn)
        .await?;
    let after = find_staff(&txn, caller.partner, id).await?;
    txn.commit().await?;
    row(db, after).await
}
