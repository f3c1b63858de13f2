//! Organizations: partners (MSPs), the customer companies they look after, the people in them
//! and what each may do. None of these carry vault data: a company's admin sees who is in the
//! company, never what is in anyone's vault.

use serde::{Deserialize, Serialize};

use crate::{CompanyId, MemberId, PartnerId, PartnerRoleId};

/// What partner staff may do. Built-in Admin holds every permission (also those later releases
/// add); Technician holds [`TECHNICIAN_PERMISSIONS`]; a custom role holds the ones ticked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    /// See the partner's companies and open their admin views.
    #[serde(rename = "companies.view")]
    CompaniesView,
    /// Create companies and edit their name, tier and contact.
    #[serde(rename = "companies.create")]
    CompaniesCreate,
    /// Invite, change and remove a company's users.
    #[serde(rename = "companies.manage_users")]
    CompaniesManageUsers,
    /// Set a company's security policies.
    #[serde(rename = "companies.manage_policies")]
    CompaniesManagePolicies,
    /// Read password-auditing reports of a company.
    #[serde(rename = "reports.password_auditing")]
    ReportsPasswordAuditing,
    /// Invite, change and remove the partner's staff.
    #[serde(rename = "partner.manage_staff")]
    PartnerManageStaff,
    /// Create and edit custom access roles.
    #[serde(rename = "partner.manage_roles")]
    PartnerManageRoles,
}

impl Permission {
    /// Every permission, in the order a role editor lists them.
    pub const ALL: [Permission; 7] = [
        Permission::CompaniesView,
        Permission::CompaniesCreate,
        Permission::CompaniesManageUsers,
        Permission::CompaniesManagePolicies,
        Permission::ReportsPasswordAuditing,
        Permission::PartnerManageStaff,
        Permission::PartnerManageRoles,
    ];

    /// The stable name, as stored and sent.
    pub fn name(self) -> &'static str {
        match self {
            Permission::CompaniesView => "companies.view",
            Permission::CompaniesCreate => "companies.create",
            Permission::CompaniesManageUsers => "companies.manage_users",
            Permission::CompaniesManagePolicies => "companies.manage_policies",
            Permission::ReportsPasswordAuditing => "reports.password_auditing",
            Permission::PartnerManageStaff => "partner.manage_staff",
            Permission::PartnerManageRoles => "partner.manage_roles",
        }
    }

    /// The permission of a stored name; None for a name this build does not know.
    pub fn of_name(name: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The permissions holding this one brings with it: whoever may act on a company may also
    /// see it.
    pub fn implied(self) -> &'static [Permission] {
        match self {
            Permission::CompaniesCreate
            | Permission::CompaniesManageUsers
            | Permission::CompaniesManagePolicies
            | Permission::ReportsPasswordAuditing => &[Permission::CompaniesView],
            Permission::CompaniesView
            | Permission::PartnerManageStaff
            | Permission::PartnerManageRoles => &[],
        }
    }
}

/// What the built-in Technician role may do.
pub const TECHNICIAN_PERMISSIONS: [Permission; 2] =
    [Permission::CompaniesView, Permission::CompaniesManageUsers];

/// A company member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompanyRole {
    /// Runs the company: users, settings, and later groups and policies.
    Admin,
    /// Uses the vault.
    User,
}

/// Where a membership (or a staff place) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// Invited, not joined yet.
    Invited,
    /// Joined.
    Active,
    /// Removed by an admin; kept for the record.
    Removed,
}

/// A company's subscription tier, set by its partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// The standard tier.
    Standard,
    /// The advanced tier.
    Advanced,
}

/// A built-in partner role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinRole {
    /// Every permission.
    Admin,
    /// [`TECHNICIAN_PERMISSIONS`].
    Technician,
}

/// `POST /api/partners`: a new partner, whose first Admin is the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePartnerRequest {
    /// The MSP's name.
    pub name: String,
}

/// `POST /api/companies`: a company of the caller's own business, with no partner; the caller
/// becomes its first Admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateCompanyRequest {
    /// The company's name.
    pub name: String,
    /// Who to contact about the company; the caller's own address when empty.
    #[serde(default)]
    pub contact_email: String,
}

/// The caller's company, as the navigation needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyMembership {
    /// The company.
    pub id: CompanyId,
    /// The caller's membership.
    pub member_id: MemberId,
    /// Its name.
    pub name: String,
    /// The caller's role in it.
    pub role: CompanyRole,
    /// Its tier.
    pub tier: Tier,
    /// The partner looking after it, if any.
    pub partner_name: Option<String>,
}

/// The caller's place in a partner, as the navigation needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerMembership {
    /// The partner.
    pub id: PartnerId,
    /// Its name.
    pub name: String,
    /// The caller's role.
    pub role_id: PartnerRoleId,
    /// The role's name.
    pub role_name: String,
    /// What the role allows, implied permissions included.
    pub permissions: Vec<Permission>,
}

/// `GET /api/account/memberships`: the organizations the caller belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memberships {
    /// The caller's company (at most one).
    pub company: Option<CompanyMembership>,
    /// The partner the caller works for (at most one).
    pub partner: Option<PartnerMembership>,
}

/// A company as its members see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyView {
    /// The company.
    pub id: CompanyId,
    /// Its name.
    pub name: String,
    /// Its tier.
    pub tier: Tier,
    /// The partner looking after it, if any.
    pub partner_name: Option<String>,
}

/// A partner as its staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerView {
    /// The partner.
    pub id: PartnerId,
    /// Its name.
    pub name: String,
    /// The caller's role's name.
    pub role_name: String,
    /// What the caller may do, implied permissions included.
    pub permissions: Vec<Permission>,
}

/// Stable error codes of the organization routes.
pub mod codes {
    /// The caller knows the company or partner, but their role does not allow this.
    pub const NOT_PERMITTED: &str = "not_permitted";
    /// The caller is already an active member of a company.
    pub const ALREADY_IN_COMPANY: &str = "already_in_company";
    /// The caller already works for a partner.
    pub const ALREADY_PARTNER_STAFF: &str = "already_partner_staff";
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn permission_names_round_trip_and_match_serde() {
        for p in Permission::ALL {
            assert_eq!(Permission::of_name(p.name()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.name());
        }
        assert_eq!(Permission::of_name("companies.delete_everything"), None);
    }

    #[test]
    fn implied_permissions_are_held_permissions() {
        for p in Permission::ALL {
            for implied in p.implied() {
                assert!(Permission::ALL.contains(implied));
                assert!(implied.implied().is_empty(), "one level deep");
            }
        }
    }
}
