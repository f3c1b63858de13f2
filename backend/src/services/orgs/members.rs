//! A company's members as its admins see them: one row per address, with the facts an admin
//! needs (2FA on, verified browsers, last activity, the pending invitation) and nothing of any
//! vault.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use shared_types::org::{MemberRow, MemberStatus, PendingInvitation};
use shared_types::{CompanyId, MemberId, PartnerId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{company_role_of, status_of};
use crate::authz::Grant;
use crate::entity::{company_member, device, invitation, two_factor};
use crate::error::ApiError;
use crate::services::accounts::now;

/// The member `id` of `company`; the same `NotFound` for a member of another company as for
/// none at all.
pub async fn find_member(
    db: &impl ConnectionTrait,
    company: CompanyId,
    id: MemberId,
) -> Result<company_member::Model, ApiError> {
    company_member::Entity::find_by_id(id.0)
        .filter(company_member::Column::CompanyId.eq(company.0))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The partner an admin came in through, for the access log.
pub fn via_partner(grant: &Grant) -> Option<PartnerId> {
    match grant {
        Grant::Staff { partner, .. } => Some(*partner),
        Grant::Member { .. } => None,
    }
}

fn unix(at: OffsetDateTime) -> i64 {
    at.unix_timestamp()
}

/// The admin's rows for `members` (of one company), in the same order.
pub async fn rows(
    db: &impl ConnectionTrait,
    members: Vec<company_member::Model>,
) -> Result<Vec<MemberRow>, ApiError> {
    let accounts: Vec<Uuid> = members.iter().filter_map(|m| m.account_id).collect();
    let invited: Vec<Uuid> = members
        .iter()
        .filter(|m| m.status == "invited")
        .map(|m| m.id)
        .collect();
    let with_two_factor: HashSet<Uuid> = two_factor::Entity::find()
        .select_only()
        .column(two_factor::Column::AccountId)
        .filter(two_factor::Column::AccountId.is_in(accounts.clone()))
        .filter(two_factor::Column::EnabledAt.is_not_null())
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut browsers: HashMap<Uuid, (u32, Option<OffsetDateTime>)> = HashMap::new();
    let seen: Vec<(Uuid, Option<OffsetDateTime>, OffsetDateTime)> = device::Entity::find()
        .select_only()
        .column(device::Column::AccountId)
        .column(device::Column::VerifiedAt)
        .column(device::Column::LastSeenAt)
        .filter(device::Column::AccountId.is_in(accounts))
        .into_tuple()
        .all(db)
        .await?;
    for (account, verified, last_seen) in seen {
        let entry = browsers.entry(account).or_default();
        if verified.is_some() {
            entry.0 += 1;
            entry.1 = entry.1.max(Some(last_seen));
        }
    }
    let mut pending: HashMap<Uuid, invitation::Model> = HashMap::new();
    for inv in invitation::Entity::find()
        .filter(invitation::Column::MemberId.is_in(invited))
        .filter(invitation::Column::UsedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .all(db)
        .await?
    {
        let Some(member) = inv.member_id else {
            continue;
        };
        match pending.get(&member) {
            Some(newer) if newer.created_at >= inv.created_at => {}
            _ => {
                pending.insert(member, inv);
            }
        }
    }
    let at = now();
    members
        .into_iter()
        .map(|m| {
            let status = status_of(&m.status)
                .ok_or_else(|| ApiError::Internal("unreadable stored member status".into()))?;
            let (verified_browsers, last_active) = m
                .account_id
                .and_then(|a| browsers.get(&a).copied())
                .unwrap_or_default();
            Ok(MemberRow {
                id: MemberId(m.id),
                email: m.email,
                name: m.name,
                role: company_role_of(&m.role)
                    .ok_or_else(|| ApiError::Internal("unreadable stored company role".into()))?,
                status,
                two_factor: m.account_id.map(|a| with_two_factor.contains(&a)),
                last_active: last_active.map(unix),
                verified_browsers,
                invitation: pending
                    .get(&m.id)
                    .filter(|_| status == MemberStatus::Invited)
                    .map(|inv| PendingInvitation {
                        sent_at: inv.sent_at.map(unix),
                        expires_at: unix(inv.expires_at),
                        expired: inv.expires_at <= at,
                    }),
                can_delete_account: m.joined_as_new_account
                    && m.account_id.is_some()
                    && status == MemberStatus::Active,
            })
        })
        .collect()
}

/// One member's row.
pub async fn row(
    db: &impl ConnectionTrait,
    member: company_member::Model,
) -> Result<MemberRow, ApiError> {
    rows(db, vec![member])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal("a member without a row".into()))
}
