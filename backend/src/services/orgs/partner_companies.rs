//! A partner's customer companies, as its staff see and manage them: the searchable, sortable
//! list with each company's users, pending invitations and last activity; creating a company
//! with its first Admin's invitation in one step; and changing a company's name, tier or
//! contact. Every query is bounded by the partner of the path, so one partner never reaches
//! another's companies.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Statement, Value,
};
use shared_types::org::{
    CompanyPage, CompanyQuery, CompanyRole, CompanySort, CompanySummary, CreatePartnerCompany,
    SortDir, Tier, UpdatePartnerCompany,
};
use shared_types::{CompanyId, PartnerId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::access_log::{self, Action, Entry};
use super::invitations::{check_daily_cap, invite_in, person_name};
use super::members::{contains_pattern, paging};
use super::{begin_as, clean_name, tier_name, tier_of};
use crate::authz::PartnerStaff;
use crate::entity::company;
use crate::error::ApiError;
use crate::services::accounts::{normalize_email, now};
use crate::state::AppState;

/// One page of the partner's companies.
pub async fn list(
    db: &impl ConnectionTrait,
    partner: PartnerId,
    query: CompanyQuery,
) -> Result<CompanyPage, ApiError> {
    let (page, per_page) = paging(query.page, query.per_page);
    let search = query
        .q
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect::<String>()
        .to_lowercase();
    let pattern = contains_pattern(&search);
    let dir = match query.dir {
        SortDir::Asc => "ASC",
        SortDir::Desc => "DESC",
    };
    // Column names from a fixed list, never from the request.
    let order = match query.sort {
        CompanySort::Name => format!("c.name_key {dir}"),
        CompanySort::Users => format!("users_n {dir}, c.name_key ASC"),
        CompanySort::Pending => format!("pending_n {dir}, c.name_key ASC"),
        CompanySort::Tier => format!("c.tier {dir}, c.name_key ASC"),
        CompanySort::LastActive => format!("last_active_at {dir} NULLS LAST, c.name_key ASC"),
    };
    let backend = db.get_database_backend();
    let total_row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT COUNT(*) FROM company WHERE partner_id = $1 AND name_key LIKE $2 ESCAPE '\\'",
            [partner.0.into(), pattern.clone().into()],
        ))
        .await?
        .ok_or_else(|| ApiError::Internal("no count".into()))?;
    let total: i64 = total_row.try_get_by_index(0)?;
    let sql = format!(
        "SELECT c.id, c.name, c.tier, COALESCE(s.users, 0) AS users_n, \
         COALESCE(s.pending, 0) AS pending_n, s.last_active AS last_active_at \
         FROM company c LEFT JOIN ( \
           SELECT m.company_id AS company_id, \
             SUM(CASE WHEN m.status = 'active' THEN 1 ELSE 0 END) AS users, \
             SUM(CASE WHEN m.status = 'invited' THEN 1 ELSE 0 END) AS pending, \
             MAX(CASE WHEN m.status = 'active' THEN a.last_active_at END) AS last_active \
           FROM company_member m LEFT JOIN account a ON a.id = m.account_id \
           WHERE m.company_id IN (SELECT id FROM company WHERE partner_id = $1) \
           GROUP BY m.company_id \
         ) s ON s.company_id = c.id \
         WHERE c.partner_id = $1 AND c.name_key LIKE $2 ESCAPE '\\' \
         ORDER BY {order}, c.id ASC LIMIT $3 OFFSET $4"
    );
    let values: Vec<Value> = vec![
        partner.0.into(),
        pattern.into(),
        i64::from(per_page).into(),
        (i64::from(page - 1) * i64::from(per_page)).into(),
    ];
    let found = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let mut rows = Vec::with_capacity(found.len());
    for r in found {
        let tier: String = r.try_get_by_index(2)?;
        let users: i64 = r.try_get_by_index(3)?;
        let pending: i64 = r.try_get_by_index(4)?;
        let last_active: Option<OffsetDateTime> = r.try_get_by_index(5)?;
        rows.push(CompanySummary {
            id: CompanyId(r.try_get_by_index(0)?),
            name: r.try_get_by_index(1)?,
            tier: tier_of(&tier)
                .ok_or_else(|| ApiError::Internal("unreadable stored tier".into()))?,
            users: u64::try_from(users).unwrap_or_default(),
            pending_invitations: u64::try_from(pending).unwrap_or_default(),
            last_active: last_active.map(OffsetDateTime::unix_timestamp),
        });
    }
    Ok(CompanyPage {
        rows,
        total: u64::try_from(total).unwrap_or_default(),
        page,
        per_page,
    })
}

/// The partner's company `id`; the same `NotFound` for another partner's as for none.
pub async fn find_company_of_partner(
    db: &impl ConnectionTrait,
    partner: PartnerId,
    id: CompanyId,
) -> Result<company::Model, ApiError> {
    company::Entity::find_by_id(id.0)
        .filter(company::Column::PartnerId.eq(partner.0))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn summary(
    db: &impl ConnectionTrait,
    partner: PartnerId,
    id: CompanyId,
) -> Result<CompanySummary, ApiError> {
    let name = find_company_of_partner(db, partner, id).await?.name_key;
    let page = list(
        db,
        partner,
        CompanyQuery {
            q: Some(name),
            per_page: Some(100),
            ..CompanyQuery::default()
        },
    )
    .await?;
    page.rows
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(ApiError::NotFound)
}

fn tier_label(tier: Tier) -> &'static str {
    match tier {
        Tier::Standard => "Standard",
        Tier::Advanced => "Advanced",
    }
}

/// Creates a customer company of the partner and, when asked, invites its first Admin, in one
/// transaction.
pub async fn create(
    state: &AppState,
    caller: &PartnerStaff,
    req: CreatePartnerCompany,
) -> Result<CompanySummary, ApiError> {
    let name = clean_name(&req.name, "company's name")?;
    let contact_email = normalize_email(&req.contact_email)?;
    let first_admin = match &req.first_admin {
        Some(admin) => Some((normalize_email(&admin.email)?, person_name(&admin.name)?)),
        None => None,
    };
    let by = caller.session.account_id;
    let (txn, _) = begin_as(&state.db, by).await?;
    let at = now();
    let id = CompanyId(Uuid::now_v7());
    company::Entity::insert(company::ActiveModel {
        id: Set(id.0),
        partner_id: Set(Some(caller.partner.0)),
        name: Set(name.clone()),
        name_key: Set(name.to_lowercase()),
        tier: Set(tier_name(req.tier).to_owned()),
        contact_email: Set(contact_email),
        created_by: Set(Some(by.0)),
        created_at: Set(at),
        updated_at: Set(at),
        domains: Set("[]".to_owned()),
    })
    .exec_without_returning(&txn)
    .await?;
    access_log::record(
        &txn,
        Entry {
            company: id,
            actor: by,
            via_partner: Some(caller.partner),
            action: Action::CompanyCreated,
            target: None,
            detail: format!("\"{name}\", {} tier", tier_label(req.tier)),
        },
    )
    .await?;
    if let Some((email, admin_name)) = first_admin {
        check_daily_cap(&txn, id, 1).await?;
        invite_in(
            &txn,
            id,
            &email,
            admin_name,
            CompanyRole::Admin,
            by,
            Some(caller.partner),
        )
        .await?;
    }
    txn.commit().await?;
    state.outbox.wake();
    summary(&state.db, caller.partner, id).await
}

/// Changes a company's name, tier or contact address.
pub async fn update(
    db: &DatabaseConnection,
    caller: &PartnerStaff,
    id: CompanyId,
    req: UpdatePartnerCompany,
) -> Result<CompanySummary, ApiError> {
    let name = req
        .name
        .as_deref()
        .map(|n| clean_name(n, "company's name"))
        .transpose()?;
    let contact = req
        .contact_email
        .as_deref()
        .map(normalize_email)
        .transpose()?;
    let by = caller.session.account_id;
    let (txn, _) = begin_as(db, by).await?;
    let before = find_company_of_partner(&txn, caller.partner, id).await?;
    let mut update = company::Entity::update_many()
        .col_expr(company::Column::UpdatedAt, Expr::value(now()))
        .filter(company::Column::Id.eq(id.0));
    let mut changes = Vec::new();
    if let Some(name) = name.filter(|n| *n != before.name) {
        changes.push((
            Action::SettingsChanged,
            format!("name \"{}\" → \"{name}\"", before.name),
        ));
        update = update
            .col_expr(company::Column::NameKey, Expr::value(name.to_lowercase()))
            .col_expr(company::Column::Name, Expr::value(name));
    }
    if let Some(contact) = contact.filter(|c| *c != before.contact_email) {
        changes.push((
            Action::SettingsChanged,
            format!("contact {} → {contact}", before.contact_email),
        ));
        update = update.col_expr(company::Column::ContactEmail, Expr::value(contact));
    }
    if let Some(tier) = req.tier.filter(|t| Some(*t) != tier_of(&before.tier)) {
        let was = tier_of(&before.tier).map(tier_label).unwrap_or("unknown");
        changes.push((Action::TierChanged, format!("{was} → {}", tier_label(tier))));
        update = update.col_expr(company::Column::Tier, Expr::value(tier_name(tier)));
    }
    if !changes.is_empty() {
        update.exec(&txn).await?;
        for (action, detail) in changes {
            access_log::record(
                &txn,
                Entry {
                    company: id,
                    actor: by,
                    via_partner: Some(caller.partner),
                    action,
                    target: None,
                    detail,
                },
            )
            .await?;
        }
    }
    txn.commit().await?;
    summary(db, caller.partner, id).await
}
