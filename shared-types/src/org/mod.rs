//! Organizations: partners (MSPs), the customer companies they look after, the people in them
//! and what each may do. None of these carry vault data: a company's admin sees who is in the
//! company, never what is in anyone's vault.

use serde::{Deserialize, Serialize};

mod invitations;
pub use invitations::*;

use crate::{CompanyId, MemberId, PartnerId, PartnerRoleId, StaffId};

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

/// `POST /api/companies/{company_id}/invitations`: invite one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRequest {
    /// Their email address.
    pub email: String,
    /// Their name, as the admin knows it (may be empty).
    #[serde(default)]
    pub name: String,
    /// Their role once they join.
    pub role: CompanyRole,
}

/// Where a member's newest invitation stands, for the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    /// When the email left (Unix seconds); None while it waits in the outbox.
    pub sent_at: Option<i64>,
    /// When the link stops working (Unix seconds).
    pub expires_at: i64,
    /// The link no longer works: resend it.
    pub expired: bool,
}

/// One member of a company, as its admins see them. Nothing of their vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    /// The membership.
    pub id: MemberId,
    /// Their address.
    pub email: String,
    /// Their name, as the admin gave it.
    pub name: String,
    /// Their role.
    pub role: CompanyRole,
    /// Invited, active or removed.
    pub status: MemberStatus,
    /// Whether two-factor authentication is on; None until they have an account here.
    pub two_factor: Option<bool>,
    /// Their last activity (Unix seconds), if known.
    pub last_active: Option<i64>,
    /// How many of their browsers are verified.
    pub verified_browsers: u32,
    /// Their pending invitation, while invited.
    pub invitation: Option<PendingInvitation>,
    /// Removing them may delete their account (the company made it).
    pub can_delete_account: bool,
}

/// How a member list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberSort {
    /// By address.
    #[default]
    Email,
    /// By name.
    Name,
    /// Admins first (ascending).
    Role,
    /// Active, invited, removed (ascending).
    Status,
    /// By last activity.
    LastActive,
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortDir {
    /// A to Z, oldest first.
    #[default]
    Asc,
    /// Z to A, newest first.
    Desc,
}

/// `GET /api/companies/{company_id}/members`: one page of the members, searched and sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemberQuery {
    /// Part of an address or name.
    pub q: Option<String>,
    /// Only members in this state; all when absent.
    pub status: Option<MemberStatus>,
    /// The order.
    pub sort: MemberSort,
    /// Its direction.
    pub dir: SortDir,
    /// The page, from 1.
    pub page: Option<u32>,
    /// Rows per page, at most 100 (50 when absent).
    pub per_page: Option<u32>,
}

/// How many members a company has in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberCounts {
    /// Joined.
    pub active: u64,
    /// Invited, not joined yet.
    pub invited: u64,
    /// Removed.
    pub removed: u64,
}

/// One page of members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    /// The rows.
    pub rows: Vec<MemberRow>,
    /// Rows matching the search and state, over all pages.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
    /// The company's members by state (not narrowed by the search).
    pub counts: MemberCounts,
}

/// `PATCH /api/companies/{company_id}/members/{member_id}`: a new role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRoleRequest {
    /// The role.
    pub role: CompanyRole,
}

/// What removing a member does to their account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoveMode {
    /// They keep their account and Personal profile; their Business items stay theirs.
    ConvertToPersonal,
    /// Their account is deleted with everything in it. Only for accounts the company made.
    DeleteAccount,
}

/// `POST /api/companies/{company_id}/members/{member_id}/remove`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveMemberRequest {
    /// What happens to their account.
    pub mode: RemoveMode,
}

/// A company's settings, as its admins see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanySettings {
    /// Its name.
    pub name: String,
    /// Its tier (set by its partner).
    pub tier: Tier,
    /// Who to contact about it.
    pub contact_email: String,
    /// The partner looking after it, if any.
    pub partner_name: Option<String>,
    /// Its own domains (items for them belong in Business under the policy that says so).
    #[serde(default)]
    pub domains: Vec<String>,
}

/// `PUT /api/companies/{company_id}/settings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateCompanySettings {
    /// The new name.
    pub name: String,
    /// The new contact address.
    pub contact_email: String,
    /// Its own domains; None keeps them.
    #[serde(default)]
    pub domains: Option<Vec<String>>,
}

/// `GET /api/companies/{company_id}/activity`: entries older than `before`, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivityQuery {
    /// Unix seconds; the newest entries when absent.
    pub before: Option<i64>,
    /// At most this many (100 when absent, at most 500).
    pub limit: Option<u32>,
}

/// One entry of a company's admin access log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLogEntry {
    /// When (Unix seconds).
    pub at: i64,
    /// Who, as their address was then.
    pub actor_email: String,
    /// They came in as the company's partner staff.
    pub via_partner: bool,
    /// What, e.g. `member.invited`.
    pub action: String,
    /// Plain facts, e.g. "user → admin".
    pub detail: String,
}

/// How a partner's company list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompanySort {
    /// By name.
    #[default]
    Name,
    /// By active users.
    Users,
    /// By pending invitations.
    Pending,
    /// By tier.
    Tier,
    /// By the last activity of any of its users.
    LastActive,
}

/// `GET /api/partners/{partner_id}/companies`: one page of the partner's companies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompanyQuery {
    /// Part of a company's name.
    pub q: Option<String>,
    /// The order.
    pub sort: CompanySort,
    /// Its direction.
    pub dir: SortDir,
    /// The page, from 1.
    pub page: Option<u32>,
    /// Rows per page, at most 100 (50 when absent).
    pub per_page: Option<u32>,
}

/// One of a partner's companies, in its list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanySummary {
    /// The company.
    pub id: CompanyId,
    /// Its name.
    pub name: String,
    /// Its tier.
    pub tier: Tier,
    /// Its active users.
    pub users: u64,
    /// Its pending invitations.
    pub pending_invitations: u64,
    /// The last activity of any of its users (Unix seconds).
    pub last_active: Option<i64>,
}

/// One page of a partner's companies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyPage {
    /// The rows.
    pub rows: Vec<CompanySummary>,
    /// Companies matching the search, over all pages.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
}

/// The first Admin to invite with a new company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstAdmin {
    /// Their address.
    pub email: String,
    /// Their name (may be empty).
    #[serde(default)]
    pub name: String,
}

/// `POST /api/partners/{partner_id}/companies`: a customer company, and the invitation of its
/// first Admin, in one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePartnerCompany {
    /// Its name.
    pub name: String,
    /// Its tier.
    pub tier: Tier,
    /// Who to contact about it.
    pub contact_email: String,
    /// Its first Admin, invited at once.
    pub first_admin: Option<FirstAdmin>,
}

/// `PATCH /api/partners/{partner_id}/companies/{company_id}`: what to change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdatePartnerCompany {
    /// A new name.
    pub name: Option<String>,
    /// A new tier.
    pub tier: Option<Tier>,
    /// A new contact address.
    pub contact_email: Option<String>,
}

/// One member of a partner's staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRow {
    /// The staff place.
    pub id: StaffId,
    /// Their address.
    pub email: String,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role_id: PartnerRoleId,
    /// The role's name.
    pub role_name: String,
    /// Invited, active or removed.
    pub status: MemberStatus,
    /// Whether two-factor authentication is on; None until they have an account here.
    pub two_factor: Option<bool>,
    /// Their last activity (Unix seconds), if known.
    pub last_active: Option<i64>,
    /// Their pending invitation, while invited.
    pub invitation: Option<PendingInvitation>,
}

/// `POST /api/partners/{partner_id}/staff/invitations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteStaffRequest {
    /// Their address.
    pub email: String,
    /// Their name (may be empty).
    #[serde(default)]
    pub name: String,
    /// Their role.
    pub role_id: PartnerRoleId,
}

/// `PATCH /api/partners/{partner_id}/staff/{staff_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeStaffRoleRequest {
    /// The new role.
    pub role_id: PartnerRoleId,
}

/// An access role of a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleView {
    /// The role.
    pub id: PartnerRoleId,
    /// Its name.
    pub name: String,
    /// Set for the built-in roles, which cannot be edited.
    pub builtin: Option<BuiltinRole>,
    /// What it allows, implied permissions included.
    pub permissions: Vec<Permission>,
    /// Staff (active or invited) holding it.
    pub staff_count: u64,
}

/// `POST /api/partners/{partner_id}/roles` and `PUT …/roles/{role_id}`: a custom role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRequest {
    /// Its name.
    pub name: String,
    /// What it allows.
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
    /// The address is an active member of this company already.
    pub const ALREADY_MEMBER: &str = "already_member";
    /// The address has a pending invitation to this company: resend it instead.
    pub const ALREADY_INVITED: &str = "already_invited";
    /// No invitation has this link.
    pub const INVITATION_INVALID: &str = "invitation_invalid";
    /// The invitation expired.
    pub const INVITATION_EXPIRED: &str = "invitation_expired";
    /// The invitation was accepted already.
    pub const INVITATION_USED: &str = "invitation_used";
    /// The invitation was revoked.
    pub const INVITATION_REVOKED: &str = "invitation_revoked";
    /// A newer invitation replaced this one.
    pub const INVITATION_REPLACED: &str = "invitation_replaced";
    /// The invitation is for another address than the signed-in account's.
    pub const INVITATION_OTHER_ACCOUNT: &str = "invitation_other_account";
    /// The invited address has an account: sign in to accept.
    pub const INVITATION_HAS_ACCOUNT: &str = "invitation_has_account";
    /// The change would leave a company or a partner without an Admin.
    pub const LAST_ADMIN: &str = "last_admin";
    /// The role is held by staff: move them to another role first.
    pub const ROLE_IN_USE: &str = "role_in_use";
    /// The caller may not grant permissions their own role does not have.
    pub const CANNOT_GRANT: &str = "cannot_grant";
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
