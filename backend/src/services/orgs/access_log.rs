//! A company's admin access log: every admin write, by anyone, and the visits of its partner's
//! staff. The company's Admins read it; it holds plain facts ("user → admin"), never vault
//! data, and keeps the actor's address as it was.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use shared_types::org::{AccessLogEntry, ActivityQuery};
use shared_types::{AccountId, CompanyId, MemberId, PartnerId};
use uuid::Uuid;

use crate::entity::{account, admin_access_log};
use crate::error::ApiError;
use crate::services::accounts::now;

/// What was done, as the log names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A company was created.
    CompanyCreated,
    /// Someone was invited.
    MemberInvited,
    /// An invitation was sent again.
    InvitationResent,
    /// An invitation's link was handed to an Admin to pass on (instead of mailed).
    InvitationLinkCopied,
    /// An invitation was revoked.
    InvitationRevoked,
    /// An invited person joined.
    MemberJoined,
    /// A member's role changed.
    RoleChanged,
    /// A member was removed.
    MemberRemoved,
    /// The company's settings changed.
    SettingsChanged,
    /// The partner changed the company's tier.
    TierChanged,
    /// The partner's staff opened the company's admin view.
    AdminViewOpened,
    /// People were invited from a CSV file.
    InvitedFromCsv,
    /// A security policy changed.
    PolicyChanged,
}

impl Action {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Action::CompanyCreated => "company.created",
            Action::MemberInvited => "member.invited",
            Action::InvitationResent => "invitation.resent",
            Action::InvitationLinkCopied => "invitation.link_copied",
            Action::InvitationRevoked => "invitation.revoked",
            Action::MemberJoined => "member.joined",
            Action::RoleChanged => "member.role_changed",
            Action::MemberRemoved => "member.removed",
            Action::SettingsChanged => "company.settings_changed",
            Action::TierChanged => "company.tier_changed",
            Action::AdminViewOpened => "admin_view.opened",
            Action::InvitedFromCsv => "members.invited_csv",
            Action::PolicyChanged => "policy.changed",
        }
    }
}

/// One entry to record.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The company whose log it goes to.
    pub company: CompanyId,
    /// Who did it.
    pub actor: AccountId,
    /// Set when the actor came in as the company's partner staff.
    pub via_partner: Option<PartnerId>,
    /// What.
    pub action: Action,
    /// To whom, if to a member.
    pub target: Option<MemberId>,
    /// Plain facts, at most 300 characters.
    pub detail: String,
}

/// Records `entry`, in the caller's transaction.
pub async fn record(db: &impl ConnectionTrait, entry: Entry) -> Result<(), ApiError> {
    let email: Option<String> = account::Entity::find_by_id(entry.actor.0)
        .select_only()
        .column(account::Column::Email)
        .into_tuple()
        .one(db)
        .await?;
    let detail: String = entry.detail.chars().take(300).collect();
    admin_access_log::Entity::insert(admin_access_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(entry.company.0),
        at: Set(now()),
        actor_account_id: Set(Some(entry.actor.0)),
        actor_email: Set(email.unwrap_or_default()),
        actor_partner_id: Set(entry.via_partner.map(|p| p.0)),
        action: Set(entry.action.name().to_owned()),
        target_member_id: Set(entry.target.map(|m| m.0)),
        detail: Set(detail),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The company's log, newest first, from before `query.before`.
pub async fn entries(
    db: &impl ConnectionTrait,
    company: CompanyId,
    query: ActivityQuery,
) -> Result<Vec<AccessLogEntry>, ApiError> {
    let limit = query.limit.unwrap_or(100).clamp(1, 500);
    let mut select =
        admin_access_log::Entity::find().filter(admin_access_log::Column::CompanyId.eq(company.0));
    if let Some(before) = query.before {
        let before = time::OffsetDateTime::from_unix_timestamp(before)
            .map_err(|_| ApiError::BadRequest("`before` is not a time.".into()))?;
        select = select.filter(admin_access_log::Column::At.lt(before));
    }
    Ok(select
        .order_by_desc(admin_access_log::Column::At)
        .order_by_desc(admin_access_log::Column::Id)
        .limit(u64::from(limit))
        .all(db)
        .await?
        .into_iter()
        .map(|e| AccessLogEntry {
            at: e.at.unix_timestamp(),
            actor_email: e.actor_email,
            via_partner: e.actor_partner_id.is_some(),
            action: e.action,
            detail: e.detail,
        })
        .collect())
}

/// How long one visit of partner staff to a company's admin view lasts in the log: more
/// requests within it add no entry.
pub const VISIT_WINDOW: time::Duration = time::Duration::minutes(15);

/// Records that partner staff opened the company's admin view, unless they did within
/// [`VISIT_WINDOW`].
pub async fn record_visit(
    db: &impl ConnectionTrait,
    company: CompanyId,
    actor: AccountId,
    partner: PartnerId,
    what: &str,
) -> Result<(), ApiError> {
    let since = now() - VISIT_WINDOW;
    let recent = admin_access_log::Entity::find()
        .select_only()
        .column(admin_access_log::Column::Id)
        .filter(admin_access_log::Column::CompanyId.eq(company.0))
        .filter(admin_access_log::Column::ActorAccountId.eq(actor.0))
        .filter(admin_access_log::Column::Action.eq(Action::AdminViewOpened.name()))
        .filter(admin_access_log::Column::At.gt(since))
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    if recent.is_some() {
        return Ok(());
    }
    record(
        db,
        Entry {
            company,
            actor,
            via_partner: Some(partner),
            action: Action::AdminViewOpened,
            target: None,
            detail: what.to_owned(),
        },
    )
    .await
}
