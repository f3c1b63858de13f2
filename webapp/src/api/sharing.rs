//! The sharing endpoints: published keys and key lookups. What they return is checked by the
//! caller (`services::sharing`) before any of it is used.

use shared_types::ShareId;
use shared_types::sharing::{
    CreateShareRequest, KeyLookupReply, KeyLookupRequest, ListChangeRequest, NewGenerationRequest,
    PublishedKeys, RekeyClaim, RenameShareRequest, ShareMeta,
};

use super::{ApiClient, ApiError};

impl ApiClient {
    /// `PUT /api/account/keys`.
    pub async fn publish_keys(&self, keys: &PublishedKeys) -> Result<(), ApiError> {
        self.send_json("PUT", "/api/account/keys", keys).await
    }

    /// `POST /api/shares`.
    pub async fn create_share(&self, request: &CreateShareRequest) -> Result<ShareMeta, ApiError> {
        self.post_json("/api/shares", request).await
    }

    /// `GET /api/shares`.
    pub async fn shares(&self) -> Result<Vec<ShareMeta>, ApiError> {
        self.get_json("/api/shares").await
    }

    /// `GET /api/shares/{share_id}`.
    pub async fn share(&self, id: ShareId) -> Result<ShareMeta, ApiError> {
        self.get_json(&format!("/api/shares/{id}")).await
    }

    /// `POST /api/shares/{share_id}/leave`.
    pub async fn leave_share(&self, id: ShareId) -> Result<(), ApiError> {
        self.post_json(&format!("/api/shares/{id}/leave"), &())
            .await
    }

    /// `DELETE /api/shares/{share_id}` (the owner).
    pub async fn delete_share(&self, id: ShareId) -> Result<(), ApiError> {
        self.send_json("DELETE", &format!("/api/shares/{id}"), &())
            .await
    }

    /// `DELETE /api/shares/{share_id}/principals/{principal_id}` (a manager).
    pub async fn remove_share_principal(
        &self,
        id: ShareId,
        principal: uuid::Uuid,
    ) -> Result<(), ApiError> {
        self.send_json(
            "DELETE",
            &format!("/api/shares/{id}/principals/{principal}"),
            &(),
        )
        .await
    }

    /// `POST /api/shares/{share_id}/lists` (a manager): the next signed list.
    pub async fn change_share_list(
        &self,
        id: ShareId,
        request: &ListChangeRequest,
    ) -> Result<ShareMeta, ApiError> {
        self.post_json(&format!("/api/shares/{id}/lists"), request)
            .await
    }

    /// `PUT /api/shares/{share_id}/name` (a manager).
    pub async fn rename_share(
        &self,
        id: ShareId,
        request: &RenameShareRequest,
    ) -> Result<(), ApiError> {
        self.send_json("PUT", &format!("/api/shares/{id}/name"), request)
            .await
    }

    /// `POST /api/shares/{share_id}/rekey/claim` (a manager).
    pub async fn claim_rekey(&self, id: ShareId) -> Result<RekeyClaim, ApiError> {
        self.post_json(&format!("/api/shares/{id}/rekey/claim"), &())
            .await
    }

    /// `POST /api/shares/{share_id}/generations` (the manager holding the re-key).
    pub async fn new_generation(
        &self,
        id: ShareId,
        request: &NewGenerationRequest,
    ) -> Result<(), ApiError> {
        self.post_json(&format!("/api/shares/{id}/generations"), request)
            .await
    }

    /// `POST /api/shares/{share_id}/generations/{generation}/done`.
    pub async fn rekey_done(&self, id: ShareId, generation: u64) -> Result<(), ApiError> {
        self.post_json(
            &format!("/api/shares/{id}/generations/{generation}/done"),
            &(),
        )
        .await
    }

    /// `POST /api/keys/lookup`.
    pub async fn lookup_keys(
        &self,
        request: &KeyLookupRequest,
    ) -> Result<KeyLookupReply, ApiError> {
        self.post_json("/api/keys/lookup", request).await
    }
}
