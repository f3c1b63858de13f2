//! Where a vault syncs to. In the browser it is the server, through [`ApiClient`]; the merge
//! tests drive several sessions against one in-memory server that keeps the same rules.

use std::future::Future;
use std::pin::Pin;

use shared_types::vault::{
    CheckpointRequest, CheckpointResponse, PullRequest, PullResponse, PushRequest, PushResponse,
    RollbackReport,
};

use crate::api::{ApiClient, ApiError};

/// A future that stays on the browser's single thread.
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The two calls a sync makes.
pub trait Remote {
    /// The records stored after the request's cursors (one page).
    fn pull(&self, request: PullRequest) -> LocalFuture<'_, Result<PullResponse, ApiError>>;
    /// Stores changes; answers which were stored and which conflicted.
    fn push<'a>(
        &'a self,
        request: &'a PushRequest,
    ) -> LocalFuture<'a, Result<PushResponse, ApiError>>;
    /// Tells the server's operator that it served older data than this browser had seen.
    fn report_rollback(&self, report: RollbackReport) -> LocalFuture<'_, Result<(), ApiError>>;
    /// Leaves checkpoints of containers this browser holds all of.
    fn checkpoint(
        &self,
        request: CheckpointRequest,
    ) -> LocalFuture<'_, Result<CheckpointResponse, ApiError>>;
}

impl Remote for ApiClient {
    fn pull(&self, request: PullRequest) -> LocalFuture<'_, Result<PullResponse, ApiError>> {
        Box::pin(async move { self.vault_pull(&request).await })
    }

    fn push<'a>(
        &'a self,
        request: &'a PushRequest,
    ) -> LocalFuture<'a, Result<PushResponse, ApiError>> {
        Box::pin(self.vault_push(request))
    }

    fn report_rollback(&self, report: RollbackReport) -> LocalFuture<'_, Result<(), ApiError>> {
        Box::pin(async move { self.vault_report_rollback(&report).await })
    }

    fn checkpoint(
        &self,
        request: CheckpointRequest,
    ) -> LocalFuture<'_, Result<CheckpointResponse, ApiError>> {
        Box::pin(async move { self.vault_checkpoint(&request).await })
    }
}
