//! The group endpoints. What they return is verified by the caller (`services::vault::groups`,
//! `services::sharing::groups`) before any of it is used.

use shared_types::sharing::{
    CertifyRequest, CreateCompanyKeyRequest, CreateGroupRequest, DirectoryState, GrantRequest,
    GroupMeta, ListChangeRequest, RenameShareRequest,
};
use shared_types::{AccountId, CompanyId, GroupId};

use super::{ApiClient, ApiError};

fn group_path(company: CompanyId, group: GroupId) -> String {
    format!("/api/companies/{company}/groups/{group}")
}

impl ApiClient {
    /// `GET /api/directory`.
    pub async fn directory(&self) -> Result<DirectoryState, ApiError> {
        self.get_json("/api/directory").await
    }

    /// `POST /api/companies/{company_id}/directory/wrappings` (an Admin).
    pub async fn grant_directory(
        &self,
        company: CompanyId,
        request: &GrantRequest,
    ) -> Result<(), ApiError> {
        self.post_json(
            &format!("/api/companies/{company}/directory/wrappings"),
            request,
        )
        .await
    }

    /// `POST /api/companies/{company_id}/key` (an Admin): the company's new signing key.
    pub async fn create_company_key(
        &self,
        company: CompanyId,
        request: &CreateCompanyKeyRequest,
    ) -> Result<(), ApiError> {
        self.post_json(&format!("/api/companies/{company}/key"), request)
            .await
    }

    /// `POST /api/companies/{company_id}/key/wrappings` (an Admin holding it).
    pub async fn grant_company_key(
        &self,
        company: CompanyId,
        request: &GrantRequest,
    ) -> Result<(), ApiError> {
        self.post_json(&format!("/api/companies/{company}/key/wrappings"), request)
            .await
    }

    /// `POST /api/companies/{company_id}/certificates` (an Admin holding the key).
    pub async fn certify(
        &self,
        company: CompanyId,
        request: &CertifyRequest,
    ) -> Result<(), ApiError> {
        self.post_json(&format!("/api/companies/{company}/certificates"), request)
            .await
    }

    /// `GET /api/groups`: the groups this account is in.
    pub async fn groups(&self) -> Result<Vec<GroupMeta>, ApiError> {
        self.get_json("/api/groups").await
    }

    /// `GET /api/companies/{company_id}/groups`.
    pub async fn company_groups(&self, company: CompanyId) -> Result<Vec<GroupMeta>, ApiError> {
        self.get_json(&format!("/api/companies/{company}/groups"))
            .await
    }

    /// `POST /api/companies/{company_id}/groups`.
    pub async fn create_group(
        &self,
        company: CompanyId,
        request: &CreateGroupRequest,
    ) -> Result<GroupMeta, ApiError> {
        self.post_json(&format!("/api/companies/{company}/groups"), request)
            .await
    }

    /// `POST …/groups/{group_id}/lists`.
    pub async fn change_group_list(
        &self,
        company: CompanyId,
        group: GroupId,
        request: &ListChangeRequest,
    ) -> Result<GroupMeta, ApiError> {
        self.post_json(&format!("{}/lists", group_path(company, group)), request)
            .await
    }

    /// `POST …/groups/{group_id}/wrappings`.
    pub async fn grant_group_key(
        &self,
        company: CompanyId,
        group: GroupId,
        request: &GrantRequest,
    ) -> Result<(), ApiError> {
        self.post_json(
            &format!("{}/wrappings", group_path(company, group)),
            request,
        )
        .await
    }

    /// `PUT …/groups/{group_id}/name`.
    pub async fn rename_group(
        &self,
        company: CompanyId,
        group: GroupId,
        request: &RenameShareRequest,
    ) -> Result<(), ApiError> {
        self.send_json(
            "PUT",
            &format!("{}/name", group_path(company, group)),
            request,
        )
        .await
    }

    /// `DELETE …/groups/{group_id}/members/{account_id}`.
    pub async fn remove_from_group(
        &self,
        company: CompanyId,
        group: GroupId,
        account: AccountId,
    ) -> Result<(), ApiError> {
        let path = format!("{}/members/{account}", group_path(company, group));
        self.send_json("DELETE", &path, &()).await
    }

    /// `DELETE /api/companies/{company_id}/groups/{group_id}`.
    pub async fn delete_group(&self, company: CompanyId, group: GroupId) -> Result<(), ApiError> {
        self.send_json("DELETE", &group_path(company, group), &())
            .await
    }
}
