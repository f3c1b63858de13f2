//! Where a vault syncs to. In the browser it is the server, through [`ApiClient`]; the merge
//! tests drive several sessions against one in-memory server that keeps the same rules.

use std::future::Future;
use std::pin::Pin;

use shared_types::sharing::{
    CertifyRequest, CreateCompanyKeyRequest, DirectoryState, GrantRequest, GroupMeta,
    KeyLookupReply, KeyLookupRequest, ListChangeRequest, NewGenerationRequest, RekeyClaim,
    RenameShareRequest, ShareMeta,
};
use shared_types::vault::{
    CheckpointRequest, CheckpointResponse, PullRequest, PullResponse, PushRequest, PushResponse,
    RollbackReport,
};

use shared_types::{CompanyId, GroupId, ShareId};

use crate::api::{ApiClient, ApiError};

/// A future that stays on the browser's single thread.
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The calls a sync makes.
pub trait Remote {
    /// The shares the account may open or waits for, with their lists and wrappings.
    fn shares(&self) -> LocalFuture<'_, Result<Vec<ShareMeta>, ApiError>>;
    /// The groups the account is in, with their lists and the group keys wrapped to it.
    fn groups(&self) -> LocalFuture<'_, Result<Vec<GroupMeta>, ApiError>>;
    /// The account's company and its directory key.
    fn directory(&self) -> LocalFuture<'_, Result<DirectoryState, ApiError>>;
    /// Hands the directory key on (an Admin).
    fn grant_directory<'a>(
        &'a self,
        company: CompanyId,
        request: &'a GrantRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>>;
    /// Stores the company's new signing key (an Admin).
    fn create_company_key<'a>(
        &'a self,
        company: CompanyId,
        request: &'a CreateCompanyKeyRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>>;
    /// Hands the company's signing key on (an Admin holding it).
    fn grant_company_key<'a>(
        &'a self,
        company: CompanyId,
        request: &'a GrantRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>>;
    /// Stores certificates over members' keys (an Admin holding the signing key).
    fn certify<'a>(
        &'a self,
        company: CompanyId,
        request: &'a CertifyRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>>;
    /// The groups of a company, to share with.
    fn company_groups(
        &self,
        company: CompanyId,
    ) -> LocalFuture<'_, Result<Vec<GroupMeta>, ApiError>>;
    /// Hands a group key to people on its list who have none (a manager).
    fn grant_group_key<'a>(
        &'a self,
        company: CompanyId,
        group: GroupId,
        request: &'a GrantRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>>;
    /// Stores a group's next signed list (a manager).
    fn change_group_list<'a>(
        &'a self,
        company: CompanyId,
        group: GroupId,
        request: &'a ListChangeRequest,
    ) -> LocalFuture<'a, Result<GroupMeta, ApiError>>;
    /// Published keys of accounts (signers of shares' lists, senders of wrappings).
    fn lookup_keys<'a>(
        &'a self,
        request: &'a KeyLookupRequest,
    ) -> LocalFuture<'a, Result<KeyLookupReply, ApiError>>;
    /// Takes the lease on re-keying a share (a manager).
    fn claim_rekey(&self, share: ShareId) -> LocalFuture<'_, Result<RekeyClaim, ApiError>>;
    /// Stores a share's next key generation with the list that names it.
    fn new_generation<'a>(
        &'a self,
        share: ShareId,
        request: &'a NewGenerationRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>>;
    /// Says every record of a share is sealed under `generation`.
    fn rekey_done(&self, share: ShareId, generation: u64) -> LocalFuture<'_, Result<(), ApiError>>;
    /// Stores a share's next signed list (a manager adding people or changing roles).
    fn change_share_list<'a>(
        &'a self,
        share: ShareId,
        request: &'a ListChangeRequest,
    ) -> LocalFuture<'a, Result<ShareMeta, ApiError>>;
    /// Stores a share's name sealed again (a rename, or a re-key).
    fn rename_share<'a>(
        &'a self,
        share: ShareId,
        request: &'a RenameShareRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>>;
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
    fn shares(&self) -> LocalFuture<'_, Result<Vec<ShareMeta>, ApiError>> {
        Box::pin(ApiClient::shares(self))
    }

    fn groups(&self) -> LocalFuture<'_, Result<Vec<GroupMeta>, ApiError>> {
        Box::pin(ApiClient::groups(self))
    }

    fn directory(&self) -> LocalFuture<'_, Result<DirectoryState, ApiError>> {
        Box::pin(ApiClient::directory(self))
    }

    fn grant_directory<'a>(
        &'a self,
        company: CompanyId,
        request: &'a GrantRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        Box::pin(ApiClient::grant_directory(self, company, request))
    }

    fn create_company_key<'a>(
        &'a self,
        company: CompanyId,
        request: &'a CreateCompanyKeyRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        Box::pin(ApiClient::create_company_key(self, company, request))
    }

    fn grant_company_key<'a>(
        &'a self,
        company: CompanyId,
        request: &'a GrantRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        Box::pin(ApiClient::grant_company_key(self, company, request))
    }

    fn certify<'a>(
        &'a self,
        company: CompanyId,
        request: &'a CertifyRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        Box::pin(ApiClient::certify(self, company, request))
    }

    fn company_groups(
        &self,
        company: CompanyId,
    ) -> LocalFuture<'_, Result<Vec<GroupMeta>, ApiError>> {
        Box::pin(ApiClient::company_groups(self, company))
    }

    fn grant_group_key<'a>(
        &'a self,
        company: CompanyId,
        group: GroupId,
        request: &'a GrantRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        Box::pin(ApiClient::grant_group_key(self, company, group, request))
    }

    fn change_group_list<'a>(
        &'a self,
        company: CompanyId,
        group: GroupId,
        request: &'a ListChangeRequest,
    ) -> LocalFuture<'a, Result<GroupMeta, ApiError>> {
        Box::pin(ApiClient::change_group_list(self, company, group, request))
    }

    fn lookup_keys<'a>(
        &'a self,
        request: &'a KeyLookupRequest,
    ) -> LocalFuture<'a, Result<KeyLookupReply, ApiError>> {
        Box::pin(ApiClient::lookup_keys(self, request))
    }

    fn claim_rekey(&self, share: ShareId) -> LocalFuture<'_, Result<RekeyClaim, ApiError>> {
        Box::pin(ApiClient::claim_rekey(self, share))
    }

    fn new_generation<'a>(
        &'a self,
        share: ShareId,
        request: &'a NewGenerationRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        Box::pin(ApiClient::new_generation(self, share, request))
    }

    fn rekey_done(&self, share: ShareId, generation: u64) -> LocalFuture<'_, Result<(), ApiError>> {
        Box::pin(ApiClient::rekey_done(self, share, generation))
    }

    fn rename_share<'a>(
        &'a self,
        share: ShareId,
        request: &'a RenameShareRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        Box::pin(ApiClient::rename_share(self, share, request))
    }

    fn change_share_list<'a>(
        &'a self,
        share: ShareId,
        request: &'a ListChangeRequest,
    ) -> LocalFuture<'a, Result<ShareMeta, ApiError>> {
        Box::pin(ApiClient::change_share_list(self, share, request))
    }

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
