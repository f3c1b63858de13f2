//! The sharing endpoints: published keys and key lookups. What they return is checked by the
//! caller (`services::sharing`) before any of it is used.

use shared_types::ShareId;
use shared_types::sharing::{
    CreateShareRequest, KeyLookupReply, KeyLookupRequest, PublishedKeys, ShareMeta,
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

    /// `POST /api/keys/lookup`.
    pub async fn lookup_keys(
        &self,
        request: &KeyLookupRequest,
    ) -> Result<KeyLookupReply, ApiError> {
        self.post_json("/api/keys/lookup", request).await
    }
}
