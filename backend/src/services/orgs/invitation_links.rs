//! The invitation link's side: the token made when the mail is built (only its keyed hash is
//! stored), the mail itself, and what the holder of a link can do with it — look it up,
//! accept it with an existing account, or create an account through it.
//!
//! Invariants:
//! - The token is 32 random bytes made when the mail is built; only its keyed hash is stored.
//!   It travels in the link's fragment, so no server log sees it, and comes back in POST bodies.
//! - A link is accepted once (`used_at` is set by a statement that only succeeds while unused
//!   and unrevoked), within 7 days, unless revoked or replaced by a newer one.
//! - A new account made through a link has its address confirmed by the link; its browser is
//!   verified as at any sign-in.
//! - Only the holder of the token learns of another company (when accepting).

use base64::Engine as _;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, PaginatorTrait, QueryFilter,
    QuerySelect, TransactionTrait,
};
use shared_types::account::NextStep;
use shared_types::org::{
    CompanyRole, InvitationKind, InvitationSignupRequest, InvitationState, InvitationToken,
    InvitationView, Memberships, codes,
};
use shared_types::{AccountId, CompanyId, MemberId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::INVITED;
use super::access_log::{self, Action, Entry};
use super::companies::already_in_company;
use super::invitations::{REASON_REPLACED, label};
use super::memberships::{active_membership, active_staff, business_container, memberships};
use super::partners::is_unique_violation;
use super::{begin_as, company_role_of};
use crate::entity::{
    account, company, company_member, invitation, partner, partner_role, partner_staff,
};
use crate::error::ApiError;
use crate::mail::Mail;
use crate::services::accounts::{
    LIMIT_SIGNUP_IP, check_account_id_free, check_ip_limit, check_limit, check_signup,
    create_account, normalize_email, now, random_bytes,
};
use crate::services::server_secret::KeyedPurpose;
use crate::state::AppState;

const LIMIT_LOOKUP_IP: (i32, i64) = (60, 600);
const LIMIT_ACCEPT_ACCOUNT: (i32, i64) = (20, 3600);

/// The row an invitation is for.
enum Invitee {
    Member(company_member::Model),
    Staff(partner_staff::Model),
}

impl Invitee {
    fn email(&self) -> &str {
        match self {
            Invitee::Member(m) => &m.email,
            Invitee::Staff(s) => &s.email,
        }
    }
}

fn encode(token: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token)
}

fn token_hash(state: &AppState, token: &[u8]) -> Vec<u8> {
    state
        .keys
        .keyed_hash(KeyedPurpose::Invitation, &[token])
        .to_vec()
}

/// The row an invitation is for, if it still exists.
async fn invitee_of(
    db: &impl ConnectionTrait,
    inv: &invitation::Model,
) -> Result<Option<Invitee>, ApiError> {
    Ok(match (inv.member_id, inv.staff_id) {
        (Some(id), _) => company_member::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(Invitee::Member),
        (None, Some(id)) => partner_staff::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(Invitee::Staff),
        (None, None) => None,
    })
}

/// What an invitation is to: its kind, the organization's name and the role's label.
async fn described(
    db: &impl ConnectionTrait,
    invitee: &Invitee,
) -> Result<(InvitationKind, String, String), ApiError> {
    Ok(match invitee {
        Invitee::Member(m) => {
            let name: Option<String> = company::Entity::find_by_id(m.company_id)
                .select_only()
                .column(company::Column::Name)
                .into_tuple()
                .one(db)
                .await?;
            let role = company_role_of(&m.role).unwrap_or(CompanyRole::User);
            (
                InvitationKind::Company,
                name.unwrap_or_default(),
                label(role).to_owned(),
            )
        }
        Invitee::Staff(s) => {
            let name: Option<String> = partner::Entity::find_by_id(s.partner_id)
                .select_only()
                .column(partner::Column::Name)
                .into_tuple()
                .one(db)
                .await?;
            let role: Option<String> = partner_role::Entity::find_by_id(s.role_id)
                .select_only()
                .column(partner_role::Column::Name)
                .into_tuple()
                .one(db)
                .await?;
            (
                InvitationKind::Partner,
                name.unwrap_or_default(),
                role.unwrap_or_default(),
            )
        }
    })
}

/// A new token for the pending invitation `id`, its hash stored as if the link had been mailed
/// now (for a link an Admin copies instead); None when the invitation is no longer pending.
pub(super) async fn new_token(
    state: &AppState,
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<String>, ApiError> {
    let token = random_bytes::<32>()?;
    let stored = invitation::Entity::update_many()
        .col_expr(
            invitation::Column::TokenHash,
            Expr::value(token_hash(state, &token)),
        )
        .col_expr(invitation::Column::SentAt, Expr::value(now()))
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::UsedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok((stored.rows_affected == 1).then(|| encode(&token)))
}

/// Builds the mail of a queued invitation, with a new token whose hash it stores; None when
/// the invitation is no longer pending. Called by the outbox worker just before sending.
pub async fn mail_for(state: &AppState, id: Uuid) -> Result<Option<Mail>, ApiError> {
    let Some(inv) = invitation::Entity::find_by_id(id).one(&state.db).await? else {
        return Ok(None);
    };
    if state_of(&inv, now()) != InvitationState::Valid {
        return Ok(None);
    }
    let Some(invitee) = invitee_of(&state.db, &inv).await? else {
        return Ok(None);
    };
    let (kind, organization, role) = described(&state.db, &invitee).await?;
    let inviter = inviter_email(&state.db, &inv).await?;
    let Some(token) = new_token(state, &state.db, id).await? else {
        return Ok(None);
    };
    let link = format!("{}/invite#token={token}", state.public_url);
    let who = inviter.as_deref().unwrap_or("An administrator");
    let expires = date(inv.expires_at);
    let what = match kind {
        InvitationKind::Company => {
            format!("join {organization} on Strongroom, its password manager, as {role}")
        }
        InvitationKind::Partner => format!(
            "join the staff of {organization} on Strongroom, to look after its customers' companies, as {role}"
        ),
    };
    Ok(Some(Mail {
        subject: format!("{who} invited you to {organization} on Strongroom"),
        body: format!(
            "{who} invited you to {what}.\n\n\
             Open this link to accept:\n\n{link}\n\n\
             The link works once and until {expires}. If you have a Strongroom account with this \
             address, you will sign in; otherwise you will create one.\n\n\
             If you did not expect this, ignore this message: nothing happens unless you open the link.\n",
        ),
    }))
}

fn date(at: OffsetDateTime) -> String {
    format!("{} {} {} (UTC)", at.day(), at.month(), at.year())
}

async fn inviter_email(
    db: &impl ConnectionTrait,
    inv: &invitation::Model,
) -> Result<Option<String>, ApiError> {
    let Some(by) = inv.created_by else {
        return Ok(None);
    };
    Ok(account::Entity::find_by_id(by)
        .select_only()
        .column(account::Column::Email)
        .into_tuple()
        .one(db)
        .await?)
}

/// Where an invitation stands at `at`.
pub fn state_of(inv: &invitation::Model, at: OffsetDateTime) -> InvitationState {
    if inv.used_at.is_some() {
        InvitationState::Used
    } else if inv.revoked_reason.as_deref() == Some(REASON_REPLACED) {
        InvitationState::Replaced
    } else if inv.revoked_at.is_some() {
        InvitationState::Revoked
    } else if inv.expires_at <= at {
        InvitationState::Expired
    } else {
        InvitationState::Valid
    }
}

/// The refusal for a link that is not usable.
fn refusal(state: InvitationState, inviter: Option<&str>) -> ApiError {
    let ask = inviter
        .map(|who| format!("Ask {who} to send you a new one."))
        .unwrap_or_else(|| "Ask your administrator to send you a new one.".to_owned());
    let (code, message) = match state {
        InvitationState::Valid => return ApiError::Internal("a valid link refused".into()),
        InvitationState::Expired => (
            codes::INVITATION_EXPIRED,
            format!("This invitation expired: links work for 7 days. {ask}"),
        ),
        InvitationState::Used => (
            codes::INVITATION_USED,
            "This invitation was accepted already. Sign in to use Strongroom.".to_owned(),
        ),
        InvitationState::Revoked => (
            codes::INVITATION_REVOKED,
            format!("This invitation was withdrawn. {ask}"),
        ),
        InvitationState::Replaced => (
            codes::INVITATION_REPLACED,
            "A newer invitation was sent to you: open the link in the most recent email."
                .to_owned(),
        ),
    };
    ApiError::Gone { code, message }
}

fn invalid_link() -> ApiError {
    ApiError::NotFound
}

/// The invitation a link's token opens, with the row it is for.
async fn by_token(
    state: &AppState,
    db: &impl ConnectionTrait,
    token: &InvitationToken,
) -> Result<(invitation::Model, Invitee), ApiError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.0.trim())
        .ok()
        .filter(|b| b.len() == 32)
        .ok_or_else(invalid_link)?;
    let inv = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(token_hash(state, &bytes)))
        .one(db)
        .await?
        .ok_or_else(invalid_link)?;
    let invitee = invitee_of(db, &inv).await?.ok_or_else(invalid_link)?;
    Ok((inv, invitee))
}

/// Checks that the link can be used now.
async fn usable(db: &impl ConnectionTrait, inv: &invitation::Model) -> Result<(), ApiError> {
    match state_of(inv, now()) {
        InvitationState::Valid => Ok(()),
        other => Err(refusal(other, inviter_email(db, inv).await?.as_deref())),
    }
}

/// What a link is for, for the page it opens. Only the holder of the token can ask.
pub async fn lookup(
    state: &AppState,
    token: &InvitationToken,
    ip: &str,
) -> Result<InvitationView, ApiError> {
    check_ip_limit(state, "invitation_lookup", ip, LIMIT_LOOKUP_IP).await?;
    let (inv, invitee) = by_token(state, &state.db, token).await?;
    let (kind, organization_name, role_label) = described(&state.db, &invitee).await?;
    let has_account = account::Entity::find()
        .filter(account::Column::Email.eq(invitee.email()))
        .filter(account::Column::EmailConfirmedAt.is_not_null())
        .count(&state.db)
        .await?
        > 0;
    Ok(InvitationView {
        kind,
        organization_name,
        email: invitee.email().to_owned(),
        role_label,
        inviter_email: inviter_email(&state.db, &inv).await?,
        expires_at: inv.expires_at.unix_timestamp(),
        state: state_of(&inv, now()),
        has_account,
    })
}

/// Marks the invitation used, in the caller's transaction; refuses when another request used
/// or revoked it first.
async fn mark_used(
    db: &impl ConnectionTrait,
    inv: &invitation::Model,
    by: Option<AccountId>,
) -> Result<(), ApiError> {
    let done = invitation::Entity::update_many()
        .col_expr(invitation::Column::UsedAt, Expr::value(now()))
        .col_expr(invitation::Column::UsedBy, Expr::value(by.map(|a| a.0)))
        .filter(invitation::Column::Id.eq(inv.id))
        .filter(invitation::Column::UsedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if done.rows_affected != 1 {
        return Err(refusal(InvitationState::Used, None));
    }
    Ok(())
}

/// Makes the invited member active as `account`, whose Business profile then belongs to the
/// company.
async fn join(
    db: &impl ConnectionTrait,
    member: &company_member::Model,
    account: AccountId,
    container: Uuid,
    new_account: bool,
) -> Result<(), ApiError> {
    let joined = company_member::Entity::update_many()
        .col_expr(company_member::Column::Status, Expr::value(super::ACTIVE))
        .col_expr(company_member::Column::AccountId, Expr::value(account.0))
        .col_expr(
            company_member::Column::BusinessContainerId,
            Expr::value(container),
        )
        .col_expr(company_member::Column::JoinedAt, Expr::value(now()))
        .col_expr(
            company_member::Column::JoinedAsNewAccount,
            Expr::value(new_account),
        )
        .filter(company_member::Column::Id.eq(member.id))
        .filter(company_member::Column::Status.eq(INVITED))
        .exec(db)
        .await;
    match joined {
        Err(err) if is_unique_violation(&err) => Err(already_in_company()),
        Err(err) => Err(err.into()),
        Ok(done) if done.rows_affected != 1 => Err(refusal(InvitationState::Revoked, None)),
        Ok(_) => Ok(()),
    }
}

async fn log_joined(
    db: &impl ConnectionTrait,
    member: &company_member::Model,
    account: AccountId,
    how: &str,
) -> Result<(), ApiError> {
    access_log::record(
        db,
        Entry {
            company: CompanyId(member.company_id),
            actor: account,
            via_partner: None,
            action: Action::MemberJoined,
            target: Some(MemberId(member.id)),
            detail: format!("{} {how}", member.email),
        },
    )
    .await
}

/// Accepts an invitation with the signed-in account, which must have the invited address and
/// belong to no company yet.
pub async fn accept(
    state: &AppState,
    account: AccountId,
    token: &InvitationToken,
) -> Result<Memberships, ApiError> {
    check_limit(
        state,
        format!("invitation_accept:account:{}", account.0),
        LIMIT_ACCEPT_ACCOUNT,
    )
    .await?;
    let (txn, email) = begin_as(&state.db, account).await?;
    let (inv, invitee) = by_token(state, &txn, token).await?;
    usable(&txn, &inv).await?;
    if invitee.email() != email {
        return Err(ApiError::Forbidden {
            code: codes::INVITATION_OTHER_ACCOUNT,
            message: format!(
                "This invitation is for {}. Sign out, then sign in with that address (or create its account) to accept it.",
                invitee.email()
            ),
        });
    }
    match &invitee {
        Invitee::Member(member) => {
            if active_membership(&txn, account).await?.is_some() {
                return Err(ApiError::Conflict {
                    code: codes::ALREADY_IN_COMPANY,
                    message: "You are a member of another company. Ask its administrator to \
                              remove you (converting you to a personal account), then open this \
                              link again."
                        .into(),
                });
            }
            let container = business_container(&txn, account).await?;
            mark_used(&txn, &inv, Some(account)).await?;
            join(&txn, member, account, container, false).await?;
            log_joined(&txn, member, account, "joined with their existing account").await?;
        }
        Invitee::Staff(staff) => {
            if active_staff(&txn, account).await?.is_some() {
                return Err(super::partners::already_staff());
            }
            mark_used(&txn, &inv, Some(account)).await?;
            super::staff::activate(&txn, staff, account).await?;
        }
    }
    txn.commit().await?;
    memberships(&state.db, account).await
}

/// Creates an account through an invitation and makes it a member. The link proves the
/// address; the browser is verified at its first sign-in, as any new browser is.
pub async fn signup(
    state: &AppState,
    req: InvitationSignupRequest,
    ip: &str,
) -> Result<NextStep, ApiError> {
    check_ip_limit(state, "signup", ip, LIMIT_SIGNUP_IP).await?;
    let email = normalize_email(&req.account.email)?;
    check_signup(&req.account)?;
    let (inv, invitee) = by_token(state, &state.db, &req.token).await?;
    usable(&state.db, &inv).await?;
    if invitee.email() != email {
        return Err(ApiError::BadRequest(format!(
            "This invitation is for {}: create the account with that address.",
            invitee.email()
        )));
    }
    if let Some(existing) = account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(&state.db)
        .await?
    {
        if existing.email_confirmed_at.is_some() {
            return Err(ApiError::Conflict {
                code: codes::INVITATION_HAS_ACCOUNT,
                message: format!(
                    "{email} has a Strongroom account already. Sign in with it, then open the link again to join."
                ),
            });
        }
        // An unconfirmed sign-up never blocks the address's real owner.
        existing.delete(&state.db).await?;
    }
    let business = req
        .account
        .keys
        .profiles
        .iter()
        .find(|p| p.kind == shared_types::account::ProfileKind::Business)
        .map(|p| p.id.0)
        .ok_or_else(|| ApiError::BadRequest("The account needs a Business profile.".into()))?;
    let account = req.account.account_id;
    check_account_id_free(&state.db, account).await?;
    let txn = state.db.begin().await?;
    // The first statement is a write: on SQLite the transaction takes the write lock at once.
    mark_used(&txn, &inv, None).await?;
    create_account(&txn, req.account, &email, Some(now())).await?;
    invitation::Entity::update_many()
        .col_expr(invitation::Column::UsedBy, Expr::value(account.0))
        .filter(invitation::Column::Id.eq(inv.id))
        .exec(&txn)
        .await?;
    match &invitee {
        Invitee::Member(member) => {
            join(&txn, member, account, business, true).await?;
            log_joined(&txn, member, account, "joined with a new account").await?;
        }
        Invitee::Staff(staff) => super::staff::activate(&txn, staff, account).await?,
    }
    txn.commit().await?;
    Ok(NextStep {
        message: "Your account is ready. Sign in to verify this browser; we will email you a code."
            .into(),
    })
}
