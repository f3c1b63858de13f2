//! Where a vault syncs to. In the browser it is the server, through [`ApiClient`]; the merge
//! tests drive several sessions against one in-memory server that keeps the same rules.

use std::future::Future;
use std::pin::Pin;

use shared_types::vault::{PullResponse, PushRequest, PushResponse};

use crate::api::{ApiClient, ApiError};

/// A future that stays on the browser's single thread.
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The two calls a sync makes.
pub trait Remote {
    /// The records stored after revision `since` (one page).
    fn pull(&self, since: i64) -> LocalFuture<'_, Result<PullResponse, ApiError>>;
    /// Stores changes; answers which were stored and which conflicted.
    fn push<'a>(
        &'a self,
        request: &'a PushRequest,
    ) -> LocalFuture<'a, Result<PushResponse, ApiError>>;
}

impl Remote for ApiClient {
    fn pull(&self, since: i64) -> LocalFuture<'_, Result<PullResponse, ApiError>> {
        Box::pin(self.vault_pull(since))
    }

    fn push<'a>(
        &'a self,
        request: &'a PushRequest,
    ) -> LocalFuture<'a, Result<PushResponse, ApiError>> {
        Box::pin(self.vault_push(request))
    }
}
