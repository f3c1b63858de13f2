//! Invitations to a company, from the inviting side: invite one person (or, through
//! `csv_import`, many), resend with a new link, revoke, and the rules they share (the daily
//! cap, a removed row invited again). The link's side — token, mail, lookup, accept, sign-up —
//! is `invitation_links`.
//!
//! Invariants:
//! - Inviting reads and writes only the inviter's own company: the reply, its timing and the
//!   rows stored are the same whether or not the address has an account or belongs to another
//!   company.
//! - An invitation's mail is queued in the invitation's own transaction (the outbox), so a
//!   request never waits for, or fails with, the mail server.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use shared_types::org::{
    CompanyRole, InvitationLink, InvitationToken, InviteRequest, MemberRow, MemberStatus, codes,
};
use shared_types::{AccountId, CompanyId, MemberId, PartnerId};
use uuid::Uuid;

use super::access_log::{self, Action, Entry};
use super::members::{find_member, row, via_partner};
use super::{INVITED, NAME_MAX, begin_as, company_role_name, status_name};
use crate::authz::CompanyAdmin;
use crate::entity::{company_member, invitation};
use crate::error::ApiError;
use crate::services::accounts::{check_limit, normalize_email, now};
use crate::services::mail_outbox::enqueue_invitation;
use crate::state::AppState;

/// How long a link works.
pub const LIFETIME: time::Duration = time::Duration::days(7);
/// Invitations one company may create in 24 hours (a CSV's rows count one each).
pub const DAILY_CAP: u64 = 10_000;
const LIMIT_RESEND_MEMBER: (i32, i64) = (5, 86_400);

pub(super) const REASON_REVOKED: &str = "revoked";
pub(super) const REASON_REPLACED: &str = "replaced";

/// Whom an invitation is for: a company's member row or a partner's staff row.
#[derive(Debug, Clone, Copy)]
pub(super) enum Target {
    /// `company_member.id`.
    Member(Uuid),
    /// `partner_staff.id`.
    Staff(Uuid),
}

/// A company role as the mail and the log name it.
pub(super) fn label(role: CompanyRole) -> &'static str {
    match role {
        CompanyRole::Admin => "Admin",
        CompanyRole::User => "User",
    }
}

/// A person's name as typed: trimmed, may be empty, bounded.
pub(super) fn person_name(raw: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    if name.chars().count() > NAME_MAX {
        return Err(ApiError::BadRequest(format!(
            "The name is too long: at most {NAME_MAX} characters."
        )));
    }
    Ok(name.to_owned())
}

/// Refuses when the company has created [`DAILY_CAP`] invitations in the last 24 hours
/// (`adding` counts those about to be made).
pub(super) async fn check_daily_cap(
    db: &impl ConnectionTrait,
    company: CompanyId,
    adding: u64,
) -> Result<(), ApiError> {
    let since = now() - time::Duration::days(1);
    let members = sea_orm::sea_query::Query::select()
        .column(company_member::Column::Id)
        .from(company_member::Entity)
        .and_where(company_member::Column::CompanyId.eq(company.0))
        .to_owned();
    let made = invitation::Entity::find()
        .filter(invitation::Column::MemberId.in_subquery(members))
        .filter(invitation::Column::CreatedAt.gt(since))
        .count(db)
        .await?;
    if made + adding > DAILY_CAP {
        return Err(ApiError::RateLimited(
            crate::services::rate_limit::RateLimited {
                retry_after_secs: 3600,
            },
        ));
    }
    Ok(())
}

/// Ends the pending invitations of `target`, for `reason`.
pub(super) async fn end_pending(
    db: &impl ConnectionTrait,
    target: Target,
    reason: &str,
) -> Result<(), ApiError> {
    let of = match target {
        Target::Member(id) => invitation::Column::MemberId.eq(id),
        Target::Staff(id) => invitation::Column::StaffId.eq(id),
    };
    invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(now()))
        .col_expr(invitation::Column::RevokedReason, Expr::value(reason))
        .filter(of)
        .filter(invitation::Column::UsedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// A new invitation for `target` and its mail in the outbox.
pub(super) async fn issue(
    db: &impl ConnectionTrait,
    target: Target,
    email: &str,
    by: AccountId,
) -> Result<(), ApiError> {
    let id = insert(db, target, by).await?;
    enqueue_invitation(db, id, email).await
}

/// A new pending invitation for `target`, not mailed yet.
async fn insert(
    db: &impl ConnectionTrait,
    target: Target,
    by: AccountId,
) -> Result<Uuid, ApiError> {
    let at = now();
    let id = Uuid::now_v7();
    invitation::Entity::insert(invitation::ActiveModel {
        id: Set(id),
        member_id: Set(match target {
            Target::Member(id) => Some(id),
            Target::Staff(_) => None,
        }),
        staff_id: Set(match target {
            Target::Staff(id) => Some(id),
            Target::Member(_) => None,
        }),
        token_hash: Set(None),
        created_at: Set(at),
        expires_at: Set(at + LIFETIME),
        sent_at: Set(None),
        used_at: Set(None),
        used_by: Set(None),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        created_by: Set(Some(by.0)),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Makes a removed member row invited again, as someone new: no account, no Business profile.
pub(super) async fn reinvite_row(
    txn: &impl ConnectionTrait,
    id: Uuid,
    name: String,
    role: CompanyRole,
    by: AccountId,
) -> Result<(), ApiError> {
    company_member::Entity::update(company_member::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(id),
        account_id: Set(None),
        name: Set(name),
        role: Set(company_role_name(role).to_owned()),
        status: Set(INVITED.to_owned()),
        business_container_id: Set(None),
        joined_as_new_account: Set(false),
        invited_by: Set(Some(by.0)),
        invited_at: Set(now()),
        joined_at: Set(None),
        removed_at: Set(None),
        removed_by: Set(None),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Ok(())
}

/// Invites `email` to `company` as `role`, in the caller's transaction: a new member row, or
/// the removed one again; its invitation; its mail in the outbox; an entry in the log. Reads
/// nothing but this company's rows. Returns the member.
pub(super) async fn invite_in(
    txn: &impl ConnectionTrait,
    company: CompanyId,
    email: &str,
    name: String,
    role: CompanyRole,
    by: AccountId,
    via: Option<PartnerId>,
) -> Result<MemberId, ApiError> {
    let existing = company_member::Entity::find()
        .filter(company_member::Column::CompanyId.eq(company.0))
        .filter(company_member::Column::Email.eq(email))
        .one(txn)
        .await?;
    let at = now();
    let member_id = match existing {
        Some(m) if m.status == super::ACTIVE => {
            return Err(ApiError::Conflict {
                code: codes::ALREADY_MEMBER,
                message: format!("{email} is a member of this company already."),
            });
        }
        Some(m) if m.status == INVITED => {
            return Err(ApiError::Conflict {
                code: codes::ALREADY_INVITED,
                message: format!(
                    "{email} has been invited already. Use Resend to send a new link."
                ),
            });
        }
        // Removed earlier: the same row is invited again.
        Some(m) => {
            reinvite_row(txn, m.id, name, role, by).await?;
            m.id
        }
        None => {
            let id = Uuid::now_v7();
            company_member::Entity::insert(company_member::ActiveModel {
                id: Set(id),
                company_id: Set(company.0),
                account_id: Set(None),
                email: Set(email.to_owned()),
                name: Set(name),
                role: Set(company_role_name(role).to_owned()),
                status: Set(INVITED.to_owned()),
                business_container_id: Set(None),
                joined_as_new_account: Set(false),
                invited_by: Set(Some(by.0)),
                invited_at: Set(at),
                joined_at: Set(None),
                removed_at: Set(None),
                removed_by: Set(None),
            })
            .exec_without_returning(txn)
            .await?;
            id
        }
    };
    issue(txn, Target::Member(member_id), email, by).await?;
    access_log::record(
        txn,
        Entry {
            company,
            actor: by,
            via_partner: via,
            action: Action::MemberInvited,
            target: Some(MemberId(member_id)),
            detail: format!("{email} as {}", label(role)),
        },
    )
    .await?;
    Ok(MemberId(member_id))
}

/// Invites one person to the caller's company.
pub async fn invite(
    state: &AppState,
    caller: &CompanyAdmin,
    req: InviteRequest,
) -> Result<MemberRow, ApiError> {
    let email = normalize_email(&req.email)?;
    let name = person_name(&req.name)?;
    let by = caller.session.account_id;
    let (txn, _) = begin_as(&state.db, by).await?;
    check_daily_cap(&txn, caller.company, 1).await?;
    let member = invite_in(
        &txn,
        caller.company,
        &email,
        name,
        req.role,
        by,
        via_partner(&caller.grant),
    )
    .await?;
    let member = find_member(&txn, caller.company, member).await?;
    txn.commit().await?;
    state.outbox.wake();
    row(&state.db, member).await
}

/// Sends the member's newest invitation again, with a new link; the old link stops working.
pub async fn resend(
    state: &AppState,
    caller: &CompanyAdmin,
    member: MemberId,
) -> Result<MemberRow, ApiError> {
    let found = find_member(&state.db, caller.company, member).await?;
    if found.status != INVITED {
        return Err(ApiError::BadRequest(
            "Only a pending invitation can be sent again.".into(),
        ));
    }
    check_limit(
        state,
        format!("invitation_resend:member:{}", member.0),
        LIMIT_RESEND_MEMBER,
    )
    .await?;
    let by = caller.session.account_id;
    let (txn, _) = begin_as(&state.db, by).await?;
    check_daily_cap(&txn, caller.company, 1).await?;
    end_pending(&txn, Target::Member(found.id), REASON_REPLACED).await?;
    issue(&txn, Target::Member(found.id), &found.email, by).await?;
    access_log::record(
        &txn,
        Entry {
            company: caller.company,
            actor: by,
            via_partner: via_partner(&caller.grant),
            action: Action::InvitationResent,
            target: Some(member),
            detail: found.email.clone(),
        },
    )
    .await?;
    txn.commit().await?;
    state.outbox.wake();
    row(&state.db, found).await
}

/// Replaces the member's pending invitation with a new one whose link goes to the calling
/// Admin instead of the mail (to pass on with the company key's fingerprint, out of the
/// server's reach); the old link stops working.
pub async fn copy_link(
    state: &AppState,
    caller: &CompanyAdmin,
    member: MemberId,
) -> Result<InvitationLink, ApiError> {
    let found = find_member(&state.db, caller.company, member).await?;
    if found.status != INVITED {
        return Err(ApiError::BadRequest(
            "Only a pending invitation has a link to copy.".into(),
        ));
    }
    check_limit(
        state,
        format!("invitation_link:member:{}", member.0),
        LIMIT_RESEND_MEMBER,
    )
    .await?;
    let by = caller.session.account_id;
    let (txn, _) = begin_as(&state.db, by).await?;
    end_pending(&txn, Target::Member(found.id), REASON_REPLACED).await?;
    let id = insert(&txn, Target::Member(found.id), by).await?;
    let token = super::invitation_links::new_token(state, &txn, id)
        .await?
        .ok_or_else(|| ApiError::Internal("a new invitation is not pending".into()))?;
    access_log::record(
        &txn,
        Entry {
            company: caller.company,
            actor: by,
            via_partner: via_partner(&caller.grant),
            action: Action::InvitationLinkCopied,
            target: Some(member),
            detail: found.email.clone(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(InvitationLink {
        token: InvitationToken(token),
    })
}

/// Revokes the member's pending invitation: its link stops working and the address is no
/// longer invited.
pub async fn revoke(
    state: &AppState,
    caller: &CompanyAdmin,
    member: MemberId,
) -> Result<MemberRow, ApiError> {
    let found = find_member(&state.db, caller.company, member).await?;
    if found.status != INVITED {
        return Err(ApiError::BadRequest(
            "Only a pending invitation can be revoked.".into(),
        ));
    }
    let by = caller.session.account_id;
    let (txn, _) = begin_as(&state.db, by).await?;
    end_pending(&txn, Target::Member(found.id), REASON_REVOKED).await?;
    company_member::Entity::update_many()
        .col_expr(
            company_member::Column::Status,
            Expr::value(status_name(MemberStatus::Removed)),
        )
        .col_expr(company_member::Column::RemovedAt, Expr::value(now()))
        .col_expr(company_member::Column::RemovedBy, Expr::value(by.0))
        .filter(company_member::Column::Id.eq(found.id))
        .filter(company_member::Column::Status.eq(INVITED))
        .exec(&txn)
        .await?;
    access_log::record(
        &txn,
        Entry {
            company: caller.company,
            actor: by,
            via_partner: via_partner(&caller.grant),
            action: Action::InvitationRevoked,
            target: Some(member),
            detail: found.email.clone(),
        },
    )
    .await?;
    let found = find_member(&txn, caller.company, member).await?;
    txn.commit().await?;
    row(&state.db, found).await
}
