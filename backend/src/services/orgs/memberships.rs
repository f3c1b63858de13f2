//! Which organizations an account belongs to. Every "is this account a member?" question goes
//! through [`active_membership`], so that a later step of joining (the sharing issue's
//! certification of a member's keys) changes one place.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use shared_types::org::{CompanyMembership, Memberships, PartnerMembership};
use shared_types::{AccountId, CompanyId, MemberId, PartnerId, PartnerRoleId};
use uuid::Uuid;

use super::{ACTIVE, company_role_of, tier_of};
use crate::authz::RoleGrant;
use crate::entity::{company, company_member, partner, partner_role, partner_staff, profile};
use crate::error::ApiError;

fn corrupt(what: &str) -> ApiError {
    ApiError::Internal(format!("unreadable stored {what}").into())
}

/// The account's active membership, if any.
pub async fn active_membership(
    db: &impl ConnectionTrait,
    account: AccountId,
) -> Result<Option<company_member::Model>, ApiError> {
    Ok(company_member::Entity::find()
        .filter(company_member::Column::AccountId.eq(account.0))
        .filter(company_member::Column::Status.eq(ACTIVE))
        .one(db)
        .await?)
}

/// The account's active staff place, if any.
pub async fn active_staff(
    db: &impl ConnectionTrait,
    account: AccountId,
) -> Result<Option<partner_staff::Model>, ApiError> {
    Ok(partner_staff::Entity::find()
        .filter(partner_staff::Column::AccountId.eq(account.0))
        .filter(partner_staff::Column::Status.eq(ACTIVE))
        .one(db)
        .await?)
}

/// The account's Business profile, whose container belongs to its company while it is a member.
pub async fn business_container(
    db: &impl ConnectionTrait,
    account: AccountId,
) -> Result<Uuid, ApiError> {
    profile::Entity::find()
        .select_only()
        .column(profile::Column::Id)
        .filter(profile::Column::AccountId.eq(account.0))
        .filter(profile::Column::Kind.eq("business"))
        .into_tuple()
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Conflict {
            code: shared_types::account::codes::BUSINESS_PROFILE_MISSING,
            message: "This account has no Business profile yet: open its vault once (a new one is made then), and try again.".into(),
        })
}

/// The name of a partner.
pub async fn partner_name(db: &impl ConnectionTrait, id: Uuid) -> Result<String, ApiError> {
    partner::Entity::find_by_id(id)
        .select_only()
        .column(partner::Column::Name)
        .into_tuple()
        .one(db)
        .await?
        .ok_or_else(|| corrupt("company of a missing partner"))
}

/// What a staff member's role is called and allows.
pub async fn role_of_staff(
    db: &impl ConnectionTrait,
    role_id: Uuid,
    grant: &RoleGrant,
) -> Result<(String, Vec<shared_types::org::Permission>), ApiError> {
    let name: String = partner_role::Entity::find_by_id(role_id)
        .select_only()
        .column(partner_role::Column::Name)
        .into_tuple()
        .one(db)
        .await?
        .ok_or_else(|| corrupt("staff of a missing role"))?;
    Ok((name, grant.permissions().into_iter().collect()))
}

/// The organizations `account` belongs to, for its navigation.
pub async fn memberships(
    db: &impl ConnectionTrait,
    account: AccountId,
) -> Result<Memberships, ApiError> {
    let company = match active_membership(db, account).await? {
        None => None,
        Some(member) => {
            let row = company::Entity::find_by_id(member.company_id)
                .one(db)
                .await?
                .ok_or_else(|| corrupt("membership of a missing company"))?;
            let partner_name = match row.partner_id {
                Some(id) => Some(partner_name(db, id).await?),
                None => None,
            };
            Some(CompanyMembership {
                id: CompanyId(row.id),
                member_id: MemberId(member.id),
                name: row.name,
                role: company_role_of(&member.role).ok_or_else(|| corrupt("company role"))?,
                tier: tier_of(&row.tier).ok_or_else(|| corrupt("tier"))?,
                partner_name,
            })
        }
    };
    let partner = match active_staff(db, account).await? {
        None => None,
        Some(staff) => {
            let facts = crate::authz::facts(
                db,
                account.0,
                crate::authz::Tenant::Partner(PartnerId(staff.partner_id)),
            )
            .await?;
            let grant = facts
                .staff
                .map(|s| s.grant)
                .ok_or_else(|| corrupt("staff place"))?;
            let (role_name, permissions) = role_of_staff(db, staff.role_id, &grant).await?;
            Some(PartnerMembership {
                id: PartnerId(staff.partner_id),
                name: partner_name(db, staff.partner_id).await?,
                role_id: PartnerRoleId(staff.role_id),
                role_name,
                permissions,
            })
        }
    };
    Ok(Memberships { company, partner })
}
