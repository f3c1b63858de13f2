//! The sharing endpoints: published keys and key lookups. What they return is checked by the
//! caller (`services::sharing`) before any of it is used.

use shared_types::sharing::{KeyLookupReply, KeyLookupRequest, PublishedKeys};

use super::{ApiClient, ApiError};

impl ApiClient {
    /// `PUT /api/account/keys`.
    pub async fn publish_keys(&self, keys: &PublishedKeys) -> Result<(), ApiError> {
        self.send_json("PUT", "/api/account/keys", keys).await
    }

    /// `POST /api/keys/lookup`.
    pub async fn lookup_keys(
        &self,
        request: &KeyLookupRequest,
    ) -> Result<KeyLookupReply, ApiError> {
        self.post_json("/api/keys/lookup", request).await
    }
}
