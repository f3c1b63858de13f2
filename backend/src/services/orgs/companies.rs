//! Companies: of a partner (made by its staff, a later step) or of a business on its own, made
//! by one of its people, who becomes its first Admin.
//!
//! Invariants: a company on its own always has an active Admin; the maker's Business profile
//! belongs to the company from the moment it is made.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait};
use sea_orm::{ColumnTrait, QueryFilter};
use shared_types::org::{
    CompanyRole, CompanySettings, CompanyView, CreateCompanyRequest, MemberStatus, Tier,
    UpdateCompanySettings, codes,
};
use shared_types::{AccountId, CompanyId};
use uuid::Uuid;

use super::access_log::{self, Action, Entry};
use super::memberships::{active_membership, business_container, partner_name};
use super::partners::is_unique_violation;
use super::{clean_name, company_role_name, status_name, tier_name, tier_of};
use crate::authz::CompanyAdmin;
use crate::entity::{company, company_member};
use crate::error::ApiError;
use crate::services::accounts::{normalize_email, now};

pub(super) fn already_in_company() -> ApiError {
    ApiError::Conflict {
        code: codes::ALREADY_IN_COMPANY,
        message: "You are a member of a company already. An account belongs to one company \
                  at most; ask its administrator to remove you first."
            .into(),
    }
}

/// Makes a company of `account`'s own business, with no partner, and makes `account` its
/// first Admin.
pub async fn create_direct(
    db: &DatabaseConnection,
    account: AccountId,
    req: CreateCompanyRequest,
) -> Result<CompanyView, ApiError> {
    let name = clean_name(&req.name, "company's name")?;
    let (txn, email) = super::begin_as(db, account).await?;
    if active_membership(&txn, account).await?.is_some() {
        return Err(already_in_company());
    }
    let contact_email = match req.contact_email.trim() {
        "" => email.clone(),
        given => normalize_email(given)?,
    };
    let container = business_container(&txn, account).await?;
    let at = now();
    let id = Uuid::now_v7();
    company::Entity::insert(company::ActiveModel {
        id: Set(id),
        partner_id: Set(None),
        name: Set(name.clone()),
        name_key: Set(name.to_lowercase()),
        tier: Set(tier_name(Tier::Standard).to_owned()),
        contact_email: Set(contact_email),
        created_by: Set(Some(account.0)),
        created_at: Set(at),
        updated_at: Set(at),
        domains: Set("[]".to_owned()),
    })
    .exec_without_returning(&txn)
    .await?;
    let inserted = company_member::Entity::insert(company_member::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(id),
        account_id: Set(Some(account.0)),
        email: Set(email),
        name: Set(String::new()),
        role: Set(company_role_name(CompanyRole::Admin).to_owned()),
        status: Set(status_name(MemberStatus::Active).to_owned()),
        business_container_id: Set(Some(container)),
        joined_as_new_account: Set(false),
        invited_by: Set(None),
        invited_at: Set(at),
        joined_at: Set(Some(at)),
        removed_at: Set(None),
        removed_by: Set(None),
    })
    .exec_without_returning(&txn)
    .await;
    match inserted {
        // Another request made this account a member in the meantime.
        Err(err) if is_unique_violation(&err) => return Err(already_in_company()),
        other => other?,
    };
    access_log::record(
        &txn,
        Entry {
            company: CompanyId(id),
            actor: account,
            via_partner: None,
            action: Action::CompanyCreated,
            target: None,
            detail: format!("\"{name}\", on its own (no partner)"),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(CompanyView {
        id: CompanyId(id),
        name,
        tier: Tier::Standard,
        partner_name: None,
    })
}

/// The company as its members see it.
pub async fn view(db: &impl ConnectionTrait, id: CompanyId) -> Result<CompanyView, ApiError> {
    let row = company::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let partner_name = match row.partner_id {
        Some(partner) => Some(partner_name(db, partner).await?),
        None => None,
    };
    Ok(CompanyView {
        id,
        name: row.name,
        tier: tier_of(&row.tier)
            .ok_or_else(|| ApiError::Internal("unreadable stored tier".into()))?,
        partner_name,
    })
}

/// The company's settings, for its admins.
pub async fn settings(
    db: &impl ConnectionTrait,
    id: CompanyId,
) -> Result<CompanySettings, ApiError> {
    let row = company::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let partner_name = match row.partner_id {
        Some(partner) => Some(partner_name(db, partner).await?),
        None => None,
    };
    Ok(CompanySettings {
        name: row.name,
        tier: tier_of(&row.tier)
            .ok_or_else(|| ApiError::Internal("unreadable stored tier".into()))?,
        contact_email: row.contact_email,
        partner_name,
        domains: domains_of(&row.domains)?,
    })
}

/// The stored list of a company's domains.
pub fn domains_of(json: &str) -> Result<Vec<String>, ApiError> {
    serde_json::from_str(json)
        .map_err(|_| ApiError::Internal("unreadable stored company domains".into()))
}

/// Renames the company and sets its contact address and domains. The tier is its partner's to
/// set.
pub async fn update_settings(
    db: &DatabaseConnection,
    caller: &CompanyAdmin,
    req: UpdateCompanySettings,
) -> Result<CompanySettings, ApiError> {
    let name = clean_name(&req.name, "company's name")?;
    let contact_email = normalize_email(&req.contact_email)?;
    let by = caller.session.account_id;
    let (txn, _) = super::begin_as(db, by).await?;
    let before = settings(&txn, caller.company).await?;
    let mut changes = Vec::new();
    if before.name != name {
        changes.push(format!("name \"{}\" → \"{name}\"", before.name));
    }
    if before.contact_email != contact_email {
        changes.push(format!(
            "contact {} → {contact_email}",
            before.contact_email
        ));
    }
    let domains = match req.domains {
        Some(list) => shared_types::policy::clean_domains(list).map_err(ApiError::BadRequest)?,
        None => before.domains.clone(),
    };
    if before.domains != domains {
        changes.push(format!(
            "domains [{}] → [{}]",
            before.domains.join(", "),
            domains.join(", ")
        ));
    }
    if changes.is_empty() {
        txn.commit().await?;
        return Ok(before);
    }
    company::Entity::update_many()
        .col_expr(company::Column::Name, Expr::value(name.clone()))
        .col_expr(company::Column::NameKey, Expr::value(name.to_lowercase()))
        .col_expr(company::Column::ContactEmail, Expr::value(contact_email))
        .col_expr(
            company::Column::Domains,
            Expr::value(
                serde_json::to_string(&domains)
                    .map_err(|e| ApiError::Internal(e.to_string().into()))?,
            ),
        )
        .col_expr(company::Column::UpdatedAt, Expr::value(now()))
        .filter(company::Column::Id.eq(caller.company.0))
        .exec(&txn)
        .await?;
    access_log::record(
        &txn,
        Entry {
            company: caller.company,
            actor: by,
            via_partner: super::members::via_partner(&caller.grant),
            action: Action::SettingsChanged,
            target: None,
            detail: changes.join("; "),
        },
    )
    .await?;
    let after = settings(&txn, caller.company).await?;
    txn.commit().await?;
    Ok(after)
}
