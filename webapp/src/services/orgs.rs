//! Organizations in the browser: which company and partner the signed-in person belongs to
//! (driving the navigation and which admin pages exist for them), and the admin calls of those
//! pages. Memberships are loaded when the vault unlocks and dropped when it locks; an admin
//! page asks nothing of the server unless the memberships say the person may see it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::org::{
    AccessLogEntry, ActivityQuery, ChangeRoleRequest, ChangeStaffRoleRequest, CompanyPage,
    CompanyQuery, CompanyRole, CompanySettings, CompanySummary, CreatePartnerCompany, CsvReport,
    InvitationToken, InvitationView, InviteRequest, InviteStaffRequest, MemberPage, MemberQuery,
    MemberRow, Memberships, Permission, RemoveMemberRequest, RoleRequest, RoleView, StaffRow,
    TokenRequest, UpdateCompanySettings, UpdatePartnerCompany,
};
use shared_types::{CompanyId, MemberId, PartnerId, PartnerRoleId, StaffId};

use crate::api::{ApiClient, ApiError};
use crate::services::Auth;
use crate::services::auth::AuthStatus;

/// How long typing must pause before a list's search asks the server.
pub const SEARCH_PAUSE_MS: u32 = 250;

/// The signed-in person's organizations: None until loaded (and while locked).
#[derive(Clone, Copy)]
pub struct Orgs(pub RwSignal<Option<Memberships>>);

impl Orgs {
    /// The memberships signal, from context.
    pub fn get() -> RwSignal<Option<Memberships>> {
        expect_context::<Orgs>().0
    }

    /// Provides the signal and keeps it in step with the vault: loaded on unlock, dropped on
    /// lock and sign-out.
    pub fn provide(api: ApiClient, memberships: RwSignal<Option<Memberships>>) {
        provide_context(Orgs(memberships));
        let status = Auth::get();
        Effect::new(move |_| {
            if matches!(status.get(), AuthStatus::Unlocked(_)) {
                let api = api.clone();
                spawn_local(async move {
                    // Offline, the navigation shows the vault only; the next unlock tries again.
                    if let Ok(found) = api.memberships().await {
                        memberships.set(Some(found));
                    }
                });
            } else {
                memberships.set(None);
            }
        });
    }
}

/// What the navigation and the page guards read from the memberships.
pub trait Access {
    /// Whether the person administers `company` (its Admin, or partner staff who may view it).
    fn administers(&self, company: CompanyId) -> bool;
    /// Whether the person is staff of `partner` (with `permission`, when given).
    fn staff_of(&self, partner: PartnerId, permission: Option<Permission>) -> bool;
}

impl Access for Memberships {
    fn administers(&self, company: CompanyId) -> bool {
        let own_admin = self
            .company
            .as_ref()
            .is_some_and(|c| c.id == company && c.role == CompanyRole::Admin);
        // The server decides whether the company is this partner's; the page asks it.
        let partner_view = self
            .partner
            .as_ref()
            .is_some_and(|p| p.permissions.contains(&Permission::CompaniesView));
        own_admin || partner_view
    }

    fn staff_of(&self, partner: PartnerId, permission: Option<Permission>) -> bool {
        self.partner.as_ref().is_some_and(|p| {
            p.id == partner && permission.is_none_or(|w| p.permissions.contains(&w))
        })
    }
}

/// The organization calls of the pages.
#[derive(Clone)]
pub struct OrgService {
    api: ApiClient,
    memberships: RwSignal<Option<Memberships>>,
}

fn token(raw: &str) -> TokenRequest {
    TokenRequest {
        token: InvitationToken(raw.to_owned()),
    }
}

impl OrgService {
    /// A service over the API, keeping `memberships` (the [`Orgs`] signal) up to date.
    pub fn new(api: ApiClient, memberships: RwSignal<Option<Memberships>>) -> Self {
        Self { api, memberships }
    }

    /// Loads the memberships again (after joining, creating or leaving an organization).
    pub async fn reload(&self) -> Result<Memberships, ApiError> {
        let found = self.api.memberships().await?;
        self.memberships.set(Some(found.clone()));
        Ok(found)
    }

    /// Makes a partner (MSP) whose first Admin is the signed-in person.
    pub async fn create_partner(&self, name: &str) -> Result<Memberships, ApiError> {
        self.api.create_partner(name).await?;
        self.reload().await
    }

    /// Makes a company of the signed-in person's own business.
    pub async fn create_company(&self, name: &str) -> Result<Memberships, ApiError> {
        self.api.create_company(name).await?;
        self.reload().await
    }

    /// What an invitation link is for.
    pub async fn lookup(&self, raw: &str) -> Result<InvitationView, ApiError> {
        self.api.lookup_invitation(&token(raw)).await
    }

    /// Accepts an invitation with the signed-in account.
    pub async fn accept(&self, raw: &str) -> Result<Memberships, ApiError> {
        let found = self.api.accept_invitation(&token(raw)).await?;
        self.memberships.set(Some(found.clone()));
        Ok(found)
    }

    /// One page of a company's members.
    pub async fn members(
        &self,
        company: CompanyId,
        query: &MemberQuery,
    ) -> Result<MemberPage, ApiError> {
        self.api.members(company, query).await
    }

    /// Invites one person.
    pub async fn invite(
        &self,
        company: CompanyId,
        request: &InviteRequest,
    ) -> Result<MemberRow, ApiError> {
        self.api.invite(company, request).await
    }

    /// Previews (or, with `commit`, invites) a CSV file's rows.
    pub async fn invite_csv(
        &self,
        company: CompanyId,
        csv: String,
        commit: bool,
    ) -> Result<CsvReport, ApiError> {
        self.api.invite_csv(company, csv, commit).await
    }

    /// Gives a member another role.
    pub async fn change_role(
        &self,
        company: CompanyId,
        member: MemberId,
        role: CompanyRole,
    ) -> Result<MemberRow, ApiError> {
        self.api
            .change_member_role(company, member, &ChangeRoleRequest { role })
            .await
    }

    /// Removes a member; reloads the memberships, in case it changed the person's own.
    pub async fn remove(
        &self,
        company: CompanyId,
        member: MemberId,
        request: &RemoveMemberRequest,
    ) -> Result<(), ApiError> {
        self.api.remove_member(company, member, request).await
    }

    /// Sends a member's invitation again (`resend`) or withdraws it (`revoke`).
    pub async fn member_invitation(
        &self,
        company: CompanyId,
        member: MemberId,
        action: &str,
    ) -> Result<MemberRow, ApiError> {
        self.api.member_invitation(company, member, action).await
    }

    /// Replaces a member's pending invitation with a link to pass on: the invitation page's
    /// address with the token and, when given, the company key's fingerprint in its fragment.
    pub async fn copy_invitation_link(
        &self,
        company: CompanyId,
        member: MemberId,
        origin: &str,
        fingerprint: Option<&str>,
    ) -> Result<String, ApiError> {
        let link = self.api.copy_invitation_link(company, member).await?;
        Ok(invitation_link(origin, &link.token.0, fingerprint))
    }

    /// A company's settings.
    pub async fn settings(&self, company: CompanyId) -> Result<CompanySettings, ApiError> {
        self.api.company_settings(company).await
    }

    /// Saves a company's settings.
    pub async fn save_settings(
        &self,
        company: CompanyId,
        request: &UpdateCompanySettings,
    ) -> Result<CompanySettings, ApiError> {
        let saved = self.api.update_company_settings(company, request).await?;
        let _ = self.reload().await;
        Ok(saved)
    }

    /// A company's admin access log, newest first.
    pub async fn activity(
        &self,
        company: CompanyId,
        query: &ActivityQuery,
    ) -> Result<Vec<AccessLogEntry>, ApiError> {
        self.api.company_activity(company, query).await
    }

    /// One page of a partner's companies.
    pub async fn companies(
        &self,
        partner: PartnerId,
        query: &CompanyQuery,
    ) -> Result<CompanyPage, ApiError> {
        self.api.partner_companies(partner, query).await
    }

    /// Makes a customer company (and invites its first Admin).
    pub async fn create_customer(
        &self,
        partner: PartnerId,
        request: &CreatePartnerCompany,
    ) -> Result<CompanySummary, ApiError> {
        self.api.create_partner_company(partner, request).await
    }

    /// Changes a customer company's name, tier or contact.
    pub async fn update_customer(
        &self,
        partner: PartnerId,
        company: CompanyId,
        request: &UpdatePartnerCompany,
    ) -> Result<CompanySummary, ApiError> {
        self.api
            .update_partner_company(partner, company, request)
            .await
    }

    /// A partner's staff.
    pub async fn staff(&self, partner: PartnerId) -> Result<Vec<StaffRow>, ApiError> {
        self.api.staff(partner).await
    }

    /// Invites someone to the staff.
    pub async fn invite_staff(
        &self,
        partner: PartnerId,
        request: &InviteStaffRequest,
    ) -> Result<StaffRow, ApiError> {
        self.api.invite_staff(partner, request).await
    }

    /// Gives a member of staff another role.
    pub async fn change_staff_role(
        &self,
        partner: PartnerId,
        staff: StaffId,
        role: PartnerRoleId,
    ) -> Result<StaffRow, ApiError> {
        self.api
            .change_staff_role(partner, staff, &ChangeStaffRoleRequest { role_id: role })
            .await
    }

    /// Removes a member of staff.
    pub async fn remove_staff(&self, partner: PartnerId, staff: StaffId) -> Result<(), ApiError> {
        self.api.remove_staff(partner, staff).await
    }

    /// Sends a staff invitation again (`resend`) or withdraws it (`revoke`).
    pub async fn staff_invitation(
        &self,
        partner: PartnerId,
        staff: StaffId,
        action: &str,
    ) -> Result<StaffRow, ApiError> {
        self.api.staff_invitation(partner, staff, action).await
    }

    /// A partner's roles.
    pub async fn roles(&self, partner: PartnerId) -> Result<Vec<RoleView>, ApiError> {
        self.api.roles(partner).await
    }

    /// Makes or edits a custom role; the memberships reload, in case it is the person's own.
    pub async fn save_role(
        &self,
        partner: PartnerId,
        role: Option<PartnerRoleId>,
        request: &RoleRequest,
    ) -> Result<RoleView, ApiError> {
        let saved = self.api.save_role(partner, role, request).await?;
        let _ = self.reload().await;
        Ok(saved)
    }

    /// Deletes a custom role.
    pub async fn delete_role(
        &self,
        partner: PartnerId,
        role: PartnerRoleId,
    ) -> Result<(), ApiError> {
        self.api.delete_role(partner, role).await
    }
}

/// The invitation page's address for `token`, with the company key's `fingerprint` (its
/// digits) when the Admin's browser has the company key pinned. Both travel in the fragment,
/// which no server sees.
pub fn invitation_link(origin: &str, token: &str, fingerprint: Option<&str>) -> String {
    let mut link = format!("{origin}/invite#token={token}");
    if let Some(fp) = fingerprint {
        let digits: String = fp.chars().filter(char::is_ascii_digit).collect();
        link.push_str("&fp=");
        link.push_str(&digits);
    }
    link
}

/// What an invitation link's fragment carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteFragment {
    /// The link's secret.
    pub token: String,
    /// The company key's fingerprint, when an Admin's browser built the link.
    pub fingerprint: Option<String>,
}

impl InviteFragment {
    /// Reads `#token=…&fp=…`; None without a token.
    pub fn parse(hash: &str) -> Option<Self> {
        let part = |name: &str| {
            (hash.trim_start_matches('#').split('&'))
                .find_map(|p| p.strip_prefix(name))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        Some(Self {
            token: part("token=")?,
            fingerprint: part("fp=")
                .filter(|fp| fp.len() == 30 && fp.chars().all(|c| c.is_ascii_digit())),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_link_carries_the_fingerprint_in_its_fragment() {
        let fp = "12345 67890 12345 67890 12345 67890";
        let link = invitation_link("https://vault.example", "tok", Some(fp));
        assert_eq!(
            link,
            "https://vault.example/invite#token=tok&fp=123456789012345678901234567890"
        );
        let hash = &link[link.find('#').unwrap()..];
        assert_eq!(
            InviteFragment::parse(hash),
            Some(InviteFragment {
                token: "tok".into(),
                fingerprint: Some("123456789012345678901234567890".into()),
            })
        );
        // Without a fingerprint, or with a mangled one, the token still works.
        let plain = InviteFragment::parse("#token=tok").unwrap();
        assert_eq!(plain.fingerprint, None);
        assert_eq!(
            InviteFragment::parse("#token=tok&fp=12ab")
                .unwrap()
                .fingerprint,
            None
        );
        assert_eq!(InviteFragment::parse("#fp=1"), None);
    }
}
