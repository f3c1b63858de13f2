//! The security-policy endpoints: the caller's own, a company's, and a partner's templates with
//! the drift report. Settings, never vault data.

use shared_types::policy::{
    CompanyPlan, CompanyPolicies, CompanySelection, MyPolicies, PolicyTemplate, SaveTemplate,
    UpdatePolicies,
};
use shared_types::{CompanyId, PartnerId, PolicyTemplateId};

use super::{ApiClient, ApiError};

impl ApiClient {
    /// `GET /api/account/policies`.
    pub async fn my_policies(&self) -> Result<MyPolicies, ApiError> {
        self.get_json("/api/account/policies").await
    }

    /// `GET /api/companies/{company_id}/policies`.
    pub async fn company_policies(&self, company: CompanyId) -> Result<CompanyPolicies, ApiError> {
        self.get_json(&format!("/api/companies/{company}/policies"))
            .await
    }

    /// `PUT /api/companies/{company_id}/policies`.
    pub async fn save_policies(
        &self,
        company: CompanyId,
        request: &UpdatePolicies,
    ) -> Result<CompanyPolicies, ApiError> {
        self.send_json(
            "PUT",
            &format!("/api/companies/{company}/policies"),
            request,
        )
        .await
    }

    /// `GET /api/partners/{partner_id}/policy-templates`.
    pub async fn policy_templates(
        &self,
        partner: PartnerId,
    ) -> Result<Vec<PolicyTemplate>, ApiError> {
        self.get_json(&format!("/api/partners/{partner}/policy-templates"))
            .await
    }

    /// `POST` (new) or `PUT` (existing) a template.
    pub async fn save_template(
        &self,
        partner: PartnerId,
        id: Option<PolicyTemplateId>,
        request: &SaveTemplate,
    ) -> Result<PolicyTemplate, ApiError> {
        match id {
            None => {
                self.post_json(
                    &format!("/api/partners/{partner}/policy-templates"),
                    request,
                )
                .await
            }
            Some(id) => {
                self.send_json(
                    "PUT",
                    &format!("/api/partners/{partner}/policy-templates/{id}"),
                    request,
                )
                .await
            }
        }
    }

    /// `DELETE /api/partners/{partner_id}/policy-templates/{template_id}`.
    pub async fn delete_template(
        &self,
        partner: PartnerId,
        id: PolicyTemplateId,
    ) -> Result<(), ApiError> {
        self.send_json(
            "DELETE",
            &format!("/api/partners/{partner}/policy-templates/{id}"),
            &(),
        )
        .await
    }

    /// `POST …/policy-templates/{template_id}/preview` (`apply: false`) or `…/apply`.
    pub async fn template_to_companies(
        &self,
        partner: PartnerId,
        id: PolicyTemplateId,
        companies: Vec<CompanyId>,
        apply: bool,
    ) -> Result<Vec<CompanyPlan>, ApiError> {
        let what = if apply { "apply" } else { "preview" };
        self.post_json(
            &format!("/api/partners/{partner}/policy-templates/{id}/{what}"),
            &CompanySelection { companies },
        )
        .await
    }

    /// `GET /api/partners/{partner_id}/policy-drift`.
    pub async fn policy_drift(&self, partner: PartnerId) -> Result<Vec<CompanyPlan>, ApiError> {
        self.get_json(&format!("/api/partners/{partner}/policy-drift"))
            .await
    }

    /// `POST /api/partners/{partner_id}/policy-drift/reconcile`.
    pub async fn reconcile_drift(
        &self,
        partner: PartnerId,
        companies: Vec<CompanyId>,
    ) -> Result<Vec<CompanyPlan>, ApiError> {
        self.post_json(
            &format!("/api/partners/{partner}/policy-drift/reconcile"),
            &CompanySelection { companies },
        )
        .await
    }
}
