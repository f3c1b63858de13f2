//! The organization endpoints: memberships, invitations, a company's admin routes and a
//! partner's. None of them carry vault data.

use serde::Serialize;
use serde::de::DeserializeOwned;
use shared_types::account::NextStep;
use shared_types::org::{
    AccessLogEntry, ActivityQuery, ChangeRoleRequest, ChangeStaffRoleRequest, CompanyPage,
    CompanyQuery, CompanySettings, CompanySummary, CompanyView, CreateCompanyRequest,
    CreatePartnerCompany, CreatePartnerRequest, CsvReport, CsvRequest, InvitationSignupRequest,
    InvitationView, InviteRequest, InviteStaffRequest, MemberPage, MemberQuery, MemberRow,
    Memberships, PartnerView, RemoveMemberRequest, RoleRequest, RoleView, StaffRow, TokenRequest,
    UpdateCompanySettings, UpdatePartnerCompany,
};
use shared_types::{CompanyId, MemberId, PartnerId, PartnerRoleId, StaffId};

use super::{ApiClient, ApiError};

/// A query type as `a=1&b=x`: its fields that are set, each value URL-encoded.
fn query_string<Q: Serialize>(query: &Q) -> Result<String, ApiError> {
    let value = serde_json::to_value(query).map_err(|e| ApiError::Decode(e.to_string()))?;
    let mut parts = Vec::new();
    if let serde_json::Value::Object(fields) = value {
        for (name, value) in fields {
            let text = match value {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            parts.push(format!(
                "{name}={}",
                String::from(js_sys::encode_uri_component(&text))
            ));
        }
    }
    Ok(parts.join("&"))
}

impl ApiClient {
    pub(super) async fn send_json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let url = format!("{}{}", self.base, path);
        let builder = match method {
            "PUT" => gloo_net::http::Request::put(&url),
            "PATCH" => gloo_net::http::Request::patch(&url),
            "DELETE" => gloo_net::http::Request::delete(&url),
            _ => gloo_net::http::Request::post(&url),
        };
        let res = builder
            .json(body)
            .map_err(|e| ApiError::Decode(e.to_string()))?
            .send()
            .await
            .map_err(|_| ApiError::Unreachable)?;
        Self::read(res).await
    }

    /// `GET /api/account/memberships`.
    pub async fn memberships(&self) -> Result<Memberships, ApiError> {
        self.get_json("/api/account/memberships").await
    }

    /// `POST /api/partners`.
    pub async fn create_partner(&self, name: &str) -> Result<PartnerView, ApiError> {
        self.post_json(
            "/api/partners",
            &CreatePartnerRequest {
                name: name.to_owned(),
            },
        )
        .await
    }

    /// `POST /api/companies`.
    pub async fn create_company(&self, name: &str) -> Result<CompanyView, ApiError> {
        self.post_json(
            "/api/companies",
            &CreateCompanyRequest {
                name: name.to_owned(),
                contact_email: String::new(),
            },
        )
        .await
    }

    /// `POST /api/invitations/lookup`.
    pub async fn lookup_invitation(
        &self,
        request: &TokenRequest,
    ) -> Result<InvitationView, ApiError> {
        self.post_json("/api/invitations/lookup", request).await
    }

    /// `POST /api/invitations/signup`.
    pub async fn signup_invited(
        &self,
        request: &InvitationSignupRequest,
    ) -> Result<NextStep, ApiError> {
        self.post_json("/api/invitations/signup", request).await
    }

    /// `POST /api/invitations/accept`.
    pub async fn accept_invitation(&self, request: &TokenRequest) -> Result<Memberships, ApiError> {
        self.post_json("/api/invitations/accept", request).await
    }

    /// `GET /api/companies/{id}`.
    pub async fn company(&self, company: CompanyId) -> Result<CompanyView, ApiError> {
        self.get_json(&format!("/api/companies/{company}")).await
    }

    /// `GET /api/companies/{id}/members`.
    pub async fn members(
        &self,
        company: CompanyId,
        query: &MemberQuery,
    ) -> Result<MemberPage, ApiError> {
        let query = query_string(query)?;
        self.get_json(&format!("/api/companies/{company}/members?{query}"))
            .await
    }

    /// `POST /api/companies/{id}/invitations`.
    pub async fn invite(
        &self,
        company: CompanyId,
        request: &InviteRequest,
    ) -> Result<MemberRow, ApiError> {
        self.post_json(&format!("/api/companies/{company}/invitations"), request)
            .await
    }

    /// `POST /api/companies/{id}/invitations/csv/preview` or, with `commit`, `…/csv`.
    pub async fn invite_csv(
        &self,
        company: CompanyId,
        csv: String,
        commit: bool,
    ) -> Result<CsvReport, ApiError> {
        let tail = if commit { "csv" } else { "csv/preview" };
        self.post_json(
            &format!("/api/companies/{company}/invitations/{tail}"),
            &CsvRequest { csv },
        )
        .await
    }

    /// `PATCH /api/companies/{id}/members/{member}`.
    pub async fn change_member_role(
        &self,
        company: CompanyId,
        member: MemberId,
        request: &ChangeRoleRequest,
    ) -> Result<MemberRow, ApiError> {
        self.send_json(
            "PATCH",
            &format!("/api/companies/{company}/members/{member}"),
            request,
        )
        .await
    }

    /// `POST /api/companies/{id}/members/{member}/remove`.
    pub async fn remove_member(
        &self,
        company: CompanyId,
        member: MemberId,
        request: &RemoveMemberRequest,
    ) -> Result<(), ApiError> {
        self.post_json(
            &format!("/api/companies/{company}/members/{member}/remove"),
            request,
        )
        .await
    }

    /// `POST /api/companies/{id}/members/{member}/invitation/{resend|revoke}`.
    pub async fn member_invitation(
        &self,
        company: CompanyId,
        member: MemberId,
        action: &str,
    ) -> Result<MemberRow, ApiError> {
        self.post_json(
            &format!("/api/companies/{company}/members/{member}/invitation/{action}"),
            &(),
        )
        .await
    }

    /// `POST /api/companies/{id}/members/{member}/invitation/link`: a new link to pass on.
    pub async fn copy_invitation_link(
        &self,
        company: CompanyId,
        member: MemberId,
    ) -> Result<shared_types::org::InvitationLink, ApiError> {
        self.post_json(
            &format!("/api/companies/{company}/members/{member}/invitation/link"),
            &(),
        )
        .await
    }

    /// `GET /api/companies/{id}/settings`.
    pub async fn company_settings(&self, company: CompanyId) -> Result<CompanySettings, ApiError> {
        self.get_json(&format!("/api/companies/{company}/settings"))
            .await
    }

    /// `PUT /api/companies/{id}/settings`.
    pub async fn update_company_settings(
        &self,
        company: CompanyId,
        request: &UpdateCompanySettings,
    ) -> Result<CompanySettings, ApiError> {
        self.send_json(
            "PUT",
            &format!("/api/companies/{company}/settings"),
            request,
        )
        .await
    }

    /// `GET /api/companies/{id}/activity`.
    pub async fn company_activity(
        &self,
        company: CompanyId,
        query: &ActivityQuery,
    ) -> Result<Vec<AccessLogEntry>, ApiError> {
        let query = query_string(query)?;
        self.get_json(&format!("/api/companies/{company}/activity?{query}"))
            .await
    }

    /// `GET /api/partners/{id}`.
    pub async fn partner(&self, partner: PartnerId) -> Result<PartnerView, ApiError> {
        self.get_json(&format!("/api/partners/{partner}")).await
    }

    /// `GET /api/partners/{id}/companies`.
    pub async fn partner_companies(
        &self,
        partner: PartnerId,
        query: &CompanyQuery,
    ) -> Result<CompanyPage, ApiError> {
        let query = query_string(query)?;
        self.get_json(&format!("/api/partners/{partner}/companies?{query}"))
            .await
    }

    /// `POST /api/partners/{id}/companies`.
    pub async fn create_partner_company(
        &self,
        partner: PartnerId,
        request: &CreatePartnerCompany,
    ) -> Result<CompanySummary, ApiError> {
        self.post_json(&format!("/api/partners/{partner}/companies"), request)
            .await
    }

    /// `PATCH /api/partners/{id}/companies/{company}`.
    pub async fn update_partner_company(
        &self,
        partner: PartnerId,
        company: CompanyId,
        request: &UpdatePartnerCompany,
    ) -> Result<CompanySummary, ApiError> {
        self.send_json(
            "PATCH",
            &format!("/api/partners/{partner}/companies/{company}"),
            request,
        )
        .await
    }

    /// `GET /api/partners/{id}/staff`.
    pub async fn staff(&self, partner: PartnerId) -> Result<Vec<StaffRow>, ApiError> {
        self.get_json(&format!("/api/partners/{partner}/staff"))
            .await
    }

    /// `POST /api/partners/{id}/staff/invitations`.
    pub async fn invite_staff(
        &self,
        partner: PartnerId,
        request: &InviteStaffRequest,
    ) -> Result<StaffRow, ApiError> {
        self.post_json(
            &format!("/api/partners/{partner}/staff/invitations"),
            request,
        )
        .await
    }

    /// `PATCH /api/partners/{id}/staff/{staff}`.
    pub async fn change_staff_role(
        &self,
        partner: PartnerId,
        staff: StaffId,
        request: &ChangeStaffRoleRequest,
    ) -> Result<StaffRow, ApiError> {
        self.send_json(
            "PATCH",
            &format!("/api/partners/{partner}/staff/{staff}"),
            request,
        )
        .await
    }

    /// `POST /api/partners/{id}/staff/{staff}/remove`.
    pub async fn remove_staff(&self, partner: PartnerId, staff: StaffId) -> Result<(), ApiError> {
        self.post_json(
            &format!("/api/partners/{partner}/staff/{staff}/remove"),
            &(),
        )
        .await
    }

    /// `POST /api/partners/{id}/staff/{staff}/invitation/{resend|revoke}`.
    pub async fn staff_invitation(
        &self,
        partner: PartnerId,
        staff: StaffId,
        action: &str,
    ) -> Result<StaffRow, ApiError> {
        self.post_json(
            &format!("/api/partners/{partner}/staff/{staff}/invitation/{action}"),
            &(),
        )
        .await
    }

    /// `GET /api/partners/{id}/roles`.
    pub async fn roles(&self, partner: PartnerId) -> Result<Vec<RoleView>, ApiError> {
        self.get_json(&format!("/api/partners/{partner}/roles"))
            .await
    }

    /// `POST /api/partners/{id}/roles`, or `PUT …/roles/{role}` for an existing one.
    pub async fn save_role(
        &self,
        partner: PartnerId,
        role: Option<PartnerRoleId>,
        request: &RoleRequest,
    ) -> Result<RoleView, ApiError> {
        match role {
            Some(role) => {
                self.send_json(
                    "PUT",
                    &format!("/api/partners/{partner}/roles/{role}"),
                    request,
                )
                .await
            }
            None => {
                self.post_json(&format!("/api/partners/{partner}/roles"), request)
                    .await
            }
        }
    }

    /// `DELETE /api/partners/{id}/roles/{role}`.
    pub async fn delete_role(
        &self,
        partner: PartnerId,
        role: PartnerRoleId,
    ) -> Result<(), ApiError> {
        self.send_json(
            "DELETE",
            &format!("/api/partners/{partner}/roles/{role}"),
            &(),
        )
        .await
    }
}
