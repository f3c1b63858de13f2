//! Organizations: partners, companies, their people, and the company's admin access log.
//! Handlers reach these only through the authorization extractors (`authz`), so every function
//! here takes the tenant it was let into and never reads another tenant's rows.
//!
//! Invariants:
//! - An account is an active member of at most one company, and active staff of at most one
//!   partner (partial unique indexes; the services check first to answer clearly).
//! - While a membership is active, the member's Business profile belongs to the company
//!   (`company_member.business_container_id`; ask `access::company_of_container`).
//! - Every admin write records an entry in the company's access log, in the write's
//!   transaction.

pub mod access_log;
pub mod companies;
pub mod csv_import;
pub mod invitation_links;
pub mod invitations;
pub mod members;
pub mod memberships;
pub mod partner_companies;
pub mod partners;
pub mod roles;
pub mod staff;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, Statement, TransactionTrait,
};
use shared_types::AccountId;
use shared_types::org::{BuiltinRole, CompanyRole, MemberStatus, Tier};

use crate::error::ApiError;

/// The stored status of an active membership or staff place.
pub const ACTIVE: &str = "active";

/// The stored status of a membership or staff place that is invited, not joined yet.
pub const INVITED: &str = "invited";

/// The longest name of a company, partner or person.
pub const NAME_MAX: usize = 200;

/// The stored name of a company role.
pub fn company_role_name(role: CompanyRole) -> &'static str {
    match role {
        CompanyRole::Admin => "admin",
        CompanyRole::User => "user",
    }
}

/// The company role of a stored name.
pub fn company_role_of(name: &str) -> Option<CompanyRole> {
    match name {
        "admin" => Some(CompanyRole::Admin),
        "user" => Some(CompanyRole::User),
        _ => None,
    }
}

/// The stored name of a status.
pub fn status_name(status: MemberStatus) -> &'static str {
    match status {
        MemberStatus::Invited => INVITED,
        MemberStatus::Active => ACTIVE,
        MemberStatus::Removed => "removed",
    }
}

/// The status of a stored name.
pub fn status_of(name: &str) -> Option<MemberStatus> {
    match name {
        INVITED => Some(MemberStatus::Invited),
        ACTIVE => Some(MemberStatus::Active),
        "removed" => Some(MemberStatus::Removed),
        _ => None,
    }
}

/// The stored name of a tier.
pub fn tier_name(tier: Tier) -> &'static str {
    match tier {
        Tier::Standard => "standard",
        Tier::Advanced => "advanced",
    }
}

/// The tier of a stored name.
pub fn tier_of(name: &str) -> Option<Tier> {
    match name {
        "standard" => Some(Tier::Standard),
        "advanced" => Some(Tier::Advanced),
        _ => None,
    }
}

/// The stored name of a built-in partner role.
pub fn builtin_name(role: BuiltinRole) -> &'static str {
    match role {
        BuiltinRole::Admin => "admin",
        BuiltinRole::Technician => "technician",
    }
}

/// The built-in partner role of a stored name.
pub fn builtin_of(name: &str) -> Option<BuiltinRole> {
    match name {
        "admin" => Some(BuiltinRole::Admin),
        "technician" => Some(BuiltinRole::Technician),
        _ => None,
    }
}

/// Begins a transaction that changes `account`'s organizations, and returns the account's
/// email. Its first statement takes the account's row (a write of the same value): on
/// PostgreSQL two such transactions of one account run one after the other, so a check such
/// as "not in a company yet" holds until commit; on SQLite it takes the write lock at once
/// (waiting out the busy timeout), since a transaction that reads first may fail to write later.
pub async fn begin_as(
    db: &DatabaseConnection,
    account: AccountId,
) -> Result<(DatabaseTransaction, String), ApiError> {
    let txn = db.begin().await?;
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            "UPDATE account SET updated_at = updated_at WHERE id = $1 RETURNING email",
            [account.0.into()],
        ))
        .await?
        .ok_or(ApiError::NotFound)?;
    let email: String = row.try_get_by_index(0)?;
    Ok((txn, email))
}

/// A name as typed, trimmed; refused when empty or too long.
pub fn clean_name(raw: &str, what: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ApiError::BadRequest(format!("Enter the {what}.")));
    }
    if name.chars().count() > NAME_MAX {
        return Err(ApiError::BadRequest(format!(
            "The {what} is too long: at most {NAME_MAX} characters."
        )));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for role in [CompanyRole::Admin, CompanyRole::User] {
            assert_eq!(company_role_of(company_role_name(role)), Some(role));
        }
        for status in [
            MemberStatus::Invited,
            MemberStatus::Active,
            MemberStatus::Removed,
        ] {
            assert_eq!(status_of(status_name(status)), Some(status));
        }
        for tier in [Tier::Standard, Tier::Advanced] {
            assert_eq!(tier_of(tier_name(tier)), Some(tier));
        }
        for role in [BuiltinRole::Admin, BuiltinRole::Technician] {
            assert_eq!(builtin_of(builtin_name(role)), Some(role));
        }
        assert_eq!(company_role_of("owner"), None);
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(clean_name("  Acme  ", "name").unwrap(), "Acme");
        assert!(clean_name("   ", "name").is_err());
        assert!(clean_name(&"x".repeat(201), "name").is_err());
        assert!(clean_name(&"é".repeat(200), "name").is_ok());
    }
}
