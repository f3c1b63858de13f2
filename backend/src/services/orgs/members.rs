//! A company's members as its admins see them: one row per address, with the facts an admin
//! needs (2FA on, verified browsers, last activity, the pending invitation) and nothing of any
//! vault.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use shared_types::org::{
    CompanyRole, MemberCounts, MemberPage, MemberQuery, MemberRow, MemberSort, MemberStatus,
    PendingInvitation, RemoveMode, SortDir, codes,
};
use shared_types::{AccountId, CompanyId, MemberId, PartnerId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::access_log::{self, Action, Entry};
use super::{
    ACTIVE, INVITED, begin_as, company_role_name, company_role_of, status_name, status_of,
};
use crate::authz::{CompanyAdmin, Grant};
use crate::entity::{account, company, company_member, device, invitation, two_factor};
use crate::error::ApiError;
use crate::mail::Mail;
use crate::services::accounts::now;
use crate::state::AppState;

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
        Grant::Member { .. } | Grant::Share { .. } => None,
    }
}

fn unix(at: OffsetDateTime) -> i64 {
    at.unix_timestamp()
}

/// What admins see of some accounts: whether two-factor authentication is on, and when each
/// was last active. Two queries for a page of rows.
pub struct AccountFacts {
    two_factor: HashSet<Uuid>,
    last_active: HashMap<Uuid, Option<OffsetDateTime>>,
}

impl AccountFacts {
    /// Whether two-factor authentication is on; None without an account.
    pub fn two_factor(&self, account: Option<Uuid>) -> Option<bool> {
        account.map(|a| self.two_factor.contains(&a))
    }

    /// When the account was last active (Unix seconds), if known.
    pub fn last_active(&self, account: Option<Uuid>) -> Option<i64> {
        account
            .and_then(|a| self.last_active.get(&a).copied().flatten())
            .map(unix)
    }
}

/// The [`AccountFacts`] of `accounts`.
pub async fn account_facts(
    db: &impl ConnectionTrait,
    accounts: &[Uuid],
) -> Result<AccountFacts, ApiError> {
    let two_factor = two_factor::Entity::find()
        .select_only()
        .column(two_factor::Column::AccountId)
        .filter(two_factor::Column::AccountId.is_in(accounts.to_vec()))
        .filter(two_factor::Column::EnabledAt.is_not_null())
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let last_active = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .column(account::Column::LastActiveAt)
        .filter(account::Column::Id.is_in(accounts.to_vec()))
        .into_tuple::<(Uuid, Option<OffsetDateTime>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(AccountFacts {
        two_factor,
        last_active,
    })
}

/// The admin's rows for `members` (of one company), in the same order.
pub async fn rows(
    db: &impl ConnectionTrait,
    members: Vec<company_member::Model>,
) -> Result<Vec<MemberRow>, ApiError> {
    let accounts: Vec<Uuid> = members.iter().filter_map(|m| m.account_id).collect();
    let invited: Vec<Uuid> = members
        .iter()
        .filter(|m| m.status == INVITED)
        .map(|m| m.id)
        .collect();
    let facts = account_facts(db, &accounts).await?;
    let mut browsers: HashMap<Uuid, u32> = HashMap::new();
    let verified: Vec<Uuid> = device::Entity::find()
        .select_only()
        .column(device::Column::AccountId)
        .filter(device::Column::AccountId.is_in(accounts))
        .filter(device::Column::VerifiedAt.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    for account in verified {
        *browsers.entry(account).or_default() += 1;
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
            let verified_browsers = m
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
                two_factor: facts.two_factor(m.account_id),
                last_active: facts.last_active(m.account_id),
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

/// Rows per page when the caller does not say, and at most.
pub const PER_PAGE: u32 = 50;
const PER_PAGE_MAX: u32 = 100;
const SEARCH_MAX: usize = 254;

/// `text` for a `LIKE … ESCAPE '\'` pattern matching it anywhere.
pub fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The page and rows per page a query asks for, bounded.
pub fn paging(page: Option<u32>, per_page: Option<u32>) -> (u32, u32) {
    (
        page.unwrap_or(1).max(1),
        per_page.unwrap_or(PER_PAGE).clamp(1, PER_PAGE_MAX),
    )
}

/// One page of the company's members, searched, filtered and sorted (ties broken by id).
pub async fn list(
    db: &impl ConnectionTrait,
    company: CompanyId,
    query: MemberQuery,
) -> Result<MemberPage, ApiError> {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    let (page, per_page) = paging(query.page, query.per_page);
    let search = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| {
            q.chars()
                .take(SEARCH_MAX)
                .collect::<String>()
                .to_lowercase()
        });
    let mut select =
        company_member::Entity::find().filter(company_member::Column::CompanyId.eq(company.0));
    if let Some(status) = query.status {
        select = select.filter(company_member::Column::Status.eq(status_name(status)));
    }
    if let Some(q) = &search {
        let pattern = contains_pattern(q);
        select = select.filter(
            Condition::any()
                .add(
                    Expr::col((company_member::Entity, company_member::Column::Email))
                        .like(LikeExpr::new(pattern.clone()).escape('\\')),
                )
                .add(
                    Expr::expr(Func::lower(Expr::col((
                        company_member::Entity,
                        company_member::Column::Name,
                    ))))
                    .like(LikeExpr::new(pattern).escape('\\')),
                ),
        );
    }
    let total = select.clone().count(db).await?;
    let order = match query.dir {
        SortDir::Asc => Order::Asc,
        SortDir::Desc => Order::Desc,
    };
    select = match query.sort {
        MemberSort::Email => select.order_by(company_member::Column::Email, order.clone()),
        MemberSort::Name => select
            .order_by(company_member::Column::Name, order.clone())
            .order_by(company_member::Column::Email, order.clone()),
        MemberSort::Role => select
            .order_by(company_member::Column::Role, order.clone())
            .order_by(company_member::Column::Email, Order::Asc),
        MemberSort::Status => select
            .order_by(company_member::Column::Status, order.clone())
            .order_by(company_member::Column::Email, Order::Asc),
        MemberSort::LastActive => select
            .left_join(account::Entity)
            .order_by_with_nulls(
                account::Column::LastActiveAt,
                order.clone(),
                sea_orm::sea_query::NullOrdering::Last,
            )
            .order_by(company_member::Column::Email, Order::Asc),
    };
    let members = select
        .order_by(company_member::Column::Id, Order::Asc)
        .offset(u64::from(page - 1) * u64::from(per_page))
        .limit(u64::from(per_page))
        .all(db)
        .await?;
    let grouped: Vec<(String, i64)> = company_member::Entity::find()
        .select_only()
        .column(company_member::Column::Status)
        .column_as(company_member::Column::Id.count(), "n")
        .filter(company_member::Column::CompanyId.eq(company.0))
        .group_by(company_member::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut counts = MemberCounts::default();
    for (status, n) in grouped {
        let n = u64::try_from(n).unwrap_or_default();
        match status_of(&status) {
            Some(MemberStatus::Active) => counts.active = n,
            Some(MemberStatus::Invited) => counts.invited = n,
            Some(MemberStatus::Removed) => counts.removed = n,
            None => {}
        }
    }
    Ok(MemberPage {
        rows: rows(db, members).await?,
        total,
        page,
        per_page,
        counts,
    })
}

fn last_admin() -> ApiError {
    ApiError::Conflict {
        code: codes::LAST_ADMIN,
        message: "This company would have no Admin left. Make another member Admin first.".into(),
    }
}

/// Refuses a change that leaves a company of its own (no partner to look after it) without an
/// active Admin, when `member` is one of its Admins.
async fn keep_an_admin(
    db: &impl ConnectionTrait,
    company: CompanyId,
    member: &company_member::Model,
) -> Result<(), ApiError> {
    if member.status != ACTIVE || company_role_of(&member.role) != Some(CompanyRole::Admin) {
        return Ok(());
    }
    let partner: Option<Option<Uuid>> = company::Entity::find_by_id(company.0)
        .select_only()
        .column(company::Column::PartnerId)
        .into_tuple()
        .one(db)
        .await?;
    if partner.flatten().is_some() {
        return Ok(());
    }
    let admins = company_member::Entity::find()
        .filter(company_member::Column::CompanyId.eq(company.0))
        .filter(company_member::Column::Status.eq(ACTIVE))
        .filter(company_member::Column::Role.eq(company_role_name(CompanyRole::Admin)))
        .count(db)
        .await?;
    if admins <= 1 {
        return Err(last_admin());
    }
    Ok(())
}

fn role_label(role: CompanyRole) -> &'static str {
    match role {
        CompanyRole::Admin => "admin",
        CompanyRole::User => "user",
    }
}

/// Gives a member (active or invited) another role.
pub async fn change_role(
    db: &DatabaseConnection,
    caller: &CompanyAdmin,
    member: MemberId,
    role: CompanyRole,
) -> Result<MemberRow, ApiError> {
    let by = caller.session.account_id;
    let (txn, _) = begin_as(db, by).await?;
    let found = find_member(&txn, caller.company, member).await?;
    let was = company_role_of(&found.role)
        .ok_or_else(|| ApiError::Internal("unreadable stored company role".into()))?;
    if found.status == status_name(MemberStatus::Removed) {
        return Err(ApiError::BadRequest(
            "This person was removed from the company; invite them again instead.".into(),
        ));
    }
    if was == role {
        txn.commit().await?;
        return row(db, found).await;
    }
    if role == CompanyRole::User {
        keep_an_admin(&txn, caller.company, &found).await?;
        if let Some(account) = found.account_id {
            crate::services::sharing::company_key::on_admin_demoted(
                &txn,
                caller.company,
                AccountId(account),
            )
            .await?;
        }
    }
    company_member::Entity::update_many()
        .col_expr(
            company_member::Column::Role,
            sea_orm::sea_query::Expr::value(company_role_name(role)),
        )
        .filter(company_member::Column::Id.eq(found.id))
        .exec(&txn)
        .await?;
    access_log::record(
        &txn,
        Entry {
            company: caller.company,
            actor: by,
            via_partner: via_partner(&caller.grant),
            action: Action::RoleChanged,
            target: Some(member),
            detail: format!(
                "{}: {} → {}",
                found.email,
                role_label(was),
                role_label(role)
            ),
        },
    )
    .await?;
    let found = find_member(&txn, caller.company, member).await?;
    txn.commit().await?;
    row(db, found).await
}

/// What leaving the company takes away, in the removal's transaction: the directory key and
/// their place in each of its groups (`sharing::groups::on_member_removed`); returns the
/// accounts to tell after the commit (the removed one among them).
async fn on_member_removed(
    txn: &DatabaseTransaction,
    company: CompanyId,
    member: &company_member::Model,
) -> Result<Vec<AccountId>, ApiError> {
    match member.account_id {
        Some(account) => {
            let account = AccountId(account);
            crate::services::sharing::directory::on_member_removed(txn, company, account).await?;
            crate::services::sharing::company_key::on_member_removed(txn, company, account).await?;
            let mut changed =
                crate::services::sharing::groups::on_member_removed(txn, company, account).await?;
            changed.push(account);
            Ok(changed)
        }
        None => Ok(Vec::new()),
    }
}

/// Under the policy "Remove business profile items when users are removed", takes the removed
/// member's Business profile away from their account: their access to its container ends (their
/// browsers forget it at the next sync) and the profile leaves the account, so the browser
/// makes a new, empty one. The container and its sealed records stay with the company (the
/// server cannot forge deletions, and the company may need them back). Returns whether it did.
async fn take_business_profile(
    txn: &DatabaseTransaction,
    company: CompanyId,
    member: &company_member::Model,
    account: AccountId,
) -> Result<bool, ApiError> {
    let (policies, _) = crate::services::policies::stored(txn, company).await?;
    if !policies.business_removed_with_member() {
        return Ok(false);
    }
    let container = match member.business_container_id {
        Some(container) => container,
        None => super::memberships::business_container(txn, account).await?,
    };
    crate::services::access::set_access(txn, shared_types::ContainerId(container), account, None)
        .await?;
    crate::entity::profile::Entity::delete_many()
        .filter(crate::entity::profile::Column::Id.eq(container))
        .filter(crate::entity::profile::Column::AccountId.eq(account.0))
        .exec(txn)
        .await?;
    Ok(true)
}

/// Removes an active member: converted to a personal account (they keep their account, both
/// profiles and every item; the Business profile no longer belongs to the company), or, for
/// an account the company made, with the account deleted.
pub async fn remove(
    state: &AppState,
    caller: &CompanyAdmin,
    member: MemberId,
    mode: RemoveMode,
) -> Result<(), ApiError> {
    let by = caller.session.account_id;
    let (txn, _) = begin_as(&state.db, by).await?;
    let found = find_member(&txn, caller.company, member).await?;
    if found.status == INVITED {
        return Err(ApiError::BadRequest(
            "This person has not joined yet: revoke their invitation instead.".into(),
        ));
    }
    if found.status != ACTIVE {
        return Err(ApiError::BadRequest(
            "This person was removed already.".into(),
        ));
    }
    if found.account_id == Some(by.0) {
        return Err(ApiError::BadRequest(
            "You cannot remove yourself. Ask another Admin to do it.".into(),
        ));
    }
    let account = found
        .account_id
        .ok_or_else(|| ApiError::Internal("an active member without an account".into()))?;
    if mode == RemoveMode::DeleteAccount && !found.joined_as_new_account {
        return Err(ApiError::BadRequest(
            "This account was not made through your company's invitation, so it can only be converted to a personal account.".into(),
        ));
    }
    keep_an_admin(&txn, caller.company, &found).await?;
    company_member::Entity::update_many()
        .col_expr(
            company_member::Column::Status,
            sea_orm::sea_query::Expr::value(status_name(MemberStatus::Removed)),
        )
        .col_expr(
            company_member::Column::RemovedAt,
            sea_orm::sea_query::Expr::value(now()),
        )
        .col_expr(
            company_member::Column::RemovedBy,
            sea_orm::sea_query::Expr::value(by.0),
        )
        .filter(company_member::Column::Id.eq(found.id))
        .exec(&txn)
        .await?;
    let changed = on_member_removed(&txn, caller.company, &found).await?;
    let (action, how) = match mode {
        RemoveMode::ConvertToPersonal
            if take_business_profile(&txn, caller.company, &found, AccountId(account)).await? =>
        {
            (
                Action::MemberRemoved,
                "converted to a personal account; their Business profile stays with the company",
            )
        }
        RemoveMode::ConvertToPersonal => (Action::MemberRemoved, "converted to a personal account"),
        RemoveMode::DeleteAccount => (Action::MemberRemoved, "account deleted"),
    };
    access_log::record(
        &txn,
        Entry {
            company: caller.company,
            actor: by,
            via_partner: via_partner(&caller.grant),
            action,
            target: Some(member),
            detail: format!("{}: {how}", found.email),
        },
    )
    .await?;
    if mode == RemoveMode::DeleteAccount {
        account::Entity::delete_by_id(account).exec(&txn).await?;
    }
    txn.commit().await?;
    state.notifier.accounts_changed(&state.db, &changed).await;
    if mode == RemoveMode::DeleteAccount {
        let company_name = super::companies::view(&state.db, caller.company)
            .await?
            .name;
        let mail = Mail {
            subject: "Your Strongroom account was deleted".into(),
            body: format!(
                "An administrator of {company_name} removed you from the company and deleted the Strongroom account of this address, with everything in it.\n\nIf you think this is a mistake, contact your administrator.\n"
            ),
        };
        // The deletion stands whether or not this reaches them.
        if let Err(err) = state.mailer.send(&found.email, mail).await {
            tracing::warn!(error = %err, "could not tell a removed member that their account was deleted");
        }
    }
    Ok(())
}
