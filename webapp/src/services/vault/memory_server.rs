//! The server in memory, for the vault's native tests: a revision sequence per container,
//! records keyed by (container, id), the push rules the real server applies
//! (`shared_types::push_rules`), checkpoints, an access feed, and the shares and published keys
//! each account is served. Switches make it misbehave as a malicious server would.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use shared_types::push_rules::{self, Verdict};
use shared_types::sharing::{
    CertifyRequest, CreateCompanyKeyRequest, DirectoryState, EntryKind, GrantRequest, GroupMeta,
    KeyCertificate, KeyLookupReply, KeyLookupRequest, KeyWrapping, ListChangeRequest, ListEntry,
    ListRole, NewGenerationRequest, RekeyClaim, RenameShareRequest, ShareMeta, SharePrincipal,
};
use shared_types::vault::{
    Accepted, Checkpoint, CheckpointRequest, CheckpointResponse, Conflict, ContainerAccess, Cursor,
    PullRequest, PullResponse, PushRequest, PushResponse, RecordKind, RollbackReport, VaultRecord,
};
use shared_types::{AccountId, ChangeId, CompanyId, ContainerId, GroupId, RecordId, ShareId};

use super::remote::{LocalFuture, Remote};
use crate::api::ApiError;

/// Who has access, as the server shows it to a share's managers: every entry of `entries`.
pub(super) fn principals_of(entries: &[ListEntry]) -> Vec<SharePrincipal> {
    entries
        .iter()
        .map(|e| SharePrincipal {
            id: e.id,
            kind: e.kind,
            role: e.role,
            email: None,
            has_key: true,
        })
        .collect()
}

/// The server in memory: a revision sequence per container, records keyed by (container, id),
/// a change naming another container moves the record (its old container keeps a tombstone).
/// Each change is judged by the server's own rules (`shared_types::push_rules`).
#[derive(Default)]
pub(super) struct Server {
    pub(super) heads: BTreeMap<ContainerId, i64>,
    pub(super) records: BTreeMap<(ContainerId, RecordId), VaultRecord>,
    pub(super) changes: BTreeMap<ChangeId, (RecordId, i64)>,
    /// Rollbacks browsers reported.
    pub(super) reported: Vec<u32>,
    /// While set, every call fails as if the network were down.
    pub(super) unreachable: bool,
    /// A malicious server: while set, a conflict is answered with this record as the current
    /// one, whatever record the change named.
    pub(super) forged_current: Option<VaultRecord>,
    /// The account's access feed: containers taken away from it are not served any more.
    pub(super) revoked: Vec<ContainerAccess>,
    /// The newest checkpoint of each container.
    pub(super) checkpoints: BTreeMap<ContainerId, Checkpoint>,
    /// A malicious server: records it never serves.
    pub(super) hidden: BTreeSet<RecordId>,
    /// A malicious server: while set, it serves no checkpoint.
    pub(super) withhold_checkpoints: bool,
    /// The shares served to each account (`GET /api/shares`).
    pub(super) shares: BTreeMap<AccountId, Vec<ShareMeta>>,
    /// The groups served to each account (`GET /api/groups`).
    pub(super) groups: BTreeMap<AccountId, Vec<GroupMeta>>,
    /// What `GET /api/directory` answers each account.
    pub(super) directory: BTreeMap<AccountId, DirectoryState>,
    /// Each company's groups (`GET /api/companies/{c}/groups`).
    pub(super) company_groups: BTreeMap<CompanyId, Vec<GroupMeta>>,
    /// Group keys handed on and group lists sent, in order.
    pub(super) group_requests: Vec<(GroupId, GrantRequest, Option<ListChangeRequest>)>,
    /// Every account's published keys.
    pub(super) published: Vec<shared_types::sharing::PublishedKeys>,
    /// The certificates served with looked-up keys.
    pub(super) certificates: Vec<KeyCertificate>,
    /// The companies that have a signing key (a second one is refused).
    pub(super) company_keys: BTreeSet<CompanyId>,
    /// How many new share key generations were stored.
    pub(super) rekeys: usize,
    /// The new share key generations sent, in order.
    pub(super) generations: Vec<NewGenerationRequest>,
}

/// A stored record as the push rules see it.
fn held(record: &VaultRecord) -> push_rules::Held {
    push_rules::Held {
        container_id: record.container_id,
        kind: record.kind,
        revision: record.revision,
        live: record.data.is_some(),
    }
}

impl Server {
    pub(super) fn next(&mut self, container: ContainerId) -> i64 {
        let head = self.heads.entry(container).or_default();
        *head += 1;
        *head
    }
}

/// The server, as one account calls it (`None`: the single account of the merge tests).
#[derive(Clone, Default)]
pub(super) struct MemoryServer(pub(super) Rc<RefCell<Server>>, pub(super) Option<AccountId>);

impl MemoryServer {
    /// The same server, called by `account`.
    pub(super) fn as_account(&self, account: AccountId) -> Self {
        Self(self.0.clone(), Some(account))
    }
}

impl Remote for MemoryServer {
    fn shares(&self) -> LocalFuture<'_, Result<Vec<ShareMeta>, ApiError>> {
        let server = self.0.borrow();
        let result = match (server.unreachable, self.1) {
            (true, _) => Err(ApiError::Unreachable),
            (false, Some(account)) => Ok(server.shares.get(&account).cloned().unwrap_or_default()),
            (false, None) => Ok(Vec::new()),
        };
        Box::pin(async move { result })
    }

    fn groups(&self) -> LocalFuture<'_, Result<Vec<GroupMeta>, ApiError>> {
        let server = self.0.borrow();
        let result = match (server.unreachable, self.1) {
            (true, _) => Err(ApiError::Unreachable),
            (false, Some(account)) => Ok(server.groups.get(&account).cloned().unwrap_or_default()),
            (false, None) => Ok(Vec::new()),
        };
        Box::pin(async move { result })
    }

    fn directory(&self) -> LocalFuture<'_, Result<DirectoryState, ApiError>> {
        let server = self.0.borrow();
        let result = match (server.unreachable, self.1) {
            (true, _) => Err(ApiError::Unreachable),
            (false, Some(account)) => {
                Ok(server.directory.get(&account).cloned().unwrap_or_default())
            }
            (false, None) => Ok(DirectoryState::default()),
        };
        Box::pin(async move { result })
    }

    fn grant_directory<'a>(
        &'a self,
        company: CompanyId,
        request: &'a GrantRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        let mut server = self.0.borrow_mut();
        for state in server.directory.values_mut() {
            if state.company != Some(company) {
                continue;
            }
            state.exists = true;
            state.waiting.retain(|k| {
                !request
                    .wrappings
                    .iter()
                    .any(|w| w.recipient == k.account_id.0)
            });
        }
        for wrapping in &request.wrappings {
            if let Some(state) = server.directory.get_mut(&AccountId(wrapping.recipient)) {
                state.mine = Some(wrapping.clone());
            }
        }
        Box::pin(async move { Ok(()) })
    }

    fn create_company_key<'a>(
        &'a self,
        company: CompanyId,
        request: &'a CreateCompanyKeyRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        let mut server = self.0.borrow_mut();
        if server.company_keys.contains(&company) {
            return Box::pin(async move {
                Err(ApiError::Server {
                    status: 409,
                    code: "company_key_exists".to_owned(),
                    message: "This company already has a signing key.".to_owned(),
                })
            });
        }
        server.company_keys.insert(company);
        for (account, state) in server.directory.iter_mut() {
            if state.company != Some(company) {
                continue;
            }
            state.company_key = Some(request.key.clone());
            if *account == request.key.maker {
                state.signing = Some(request.wrapping.clone());
            }
        }
        Box::pin(async move { Ok(()) })
    }

    fn grant_company_key<'a>(
        &'a self,
        company: CompanyId,
        request: &'a GrantRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        let mut server = self.0.borrow_mut();
        for (account, state) in server.directory.iter_mut() {
            if state.company != Some(company) {
                continue;
            }
            let given = |id: AccountId| request.wrappings.iter().find(|w| w.recipient == id.0);
            state
                .signing_waiting
                .retain(|k| given(k.account_id).is_none());
            if let Some(w) = given(*account) {
                state.signing = Some(w.clone());
            }
        }
        Box::pin(async move { Ok(()) })
    }

    fn certify<'a>(
        &'a self,
        company: CompanyId,
        request: &'a CertifyRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        let mut server = self.0.borrow_mut();
        for cert in &request.certificates {
            server
                .certificates
                .retain(|c| c.account_id != cert.account_id);
            server.certificates.push(cert.clone());
        }
        let published = server.published.clone();
        for (account, state) in server.directory.iter_mut() {
            if state.company != Some(company) {
                continue;
            }
            let given = |id: AccountId| request.certificates.iter().find(|c| c.account_id == id);
            state.uncertified.retain(|k| given(k.account_id).is_none());
            if let Some(cert) = given(*account) {
                state.certificate = Some(cert.clone());
                state.certified_keys = (published.iter())
                    .find(|k| k.account_id == *account && k.key_epoch == cert.key_epoch)
                    .cloned();
            }
        }
        Box::pin(async move { Ok(()) })
    }

    fn company_groups(
        &self,
        company: CompanyId,
    ) -> LocalFuture<'_, Result<Vec<GroupMeta>, ApiError>> {
        let result = Ok(self
            .0
            .borrow()
            .company_groups
            .get(&company)
            .cloned()
            .unwrap_or_default());
        Box::pin(async move { result })
    }

    fn grant_group_key<'a>(
        &'a self,
        _company: CompanyId,
        group: GroupId,
        request: &'a GrantRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        let mut server = self.0.borrow_mut();
        server.group_requests.push((group, request.clone(), None));
        Box::pin(async move { Ok(()) })
    }

    fn change_group_list<'a>(
        &'a self,
        _company: CompanyId,
        group: GroupId,
        request: &'a ListChangeRequest,
    ) -> LocalFuture<'a, Result<GroupMeta, ApiError>> {
        let mut server = self.0.borrow_mut();
        let empty = GrantRequest {
            wrappings: Vec::new(),
        };
        server
            .group_requests
            .push((group, empty, Some(request.clone())));
        let caller = self
            .1
            .and_then(|a| server.groups.get(&a))
            .and_then(|g| g.iter().find(|g| g.id == group).cloned());
        Box::pin(async move { caller.ok_or(ApiError::Unreachable) })
    }

    fn claim_rekey(&self, _share: ShareId) -> LocalFuture<'_, Result<RekeyClaim, ApiError>> {
        let result = Ok(RekeyClaim {
            granted: true,
            holder: self.1,
            until: 0,
        });
        Box::pin(async move { result })
    }

    fn new_generation<'a>(
        &'a self,
        share: ShareId,
        request: &'a NewGenerationRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        let mut server = self.0.borrow_mut();
        server.rekeys += 1;
        server.generations.push(request.clone());
        for (account, metas) in &mut server.shares {
            for meta in metas.iter_mut().filter(|m| m.id == share) {
                meta.lists.push(request.list.clone());
                meta.generation = request.list.list.generation;
                meta.wrappings.extend(
                    (request.wrappings.iter())
                        .filter(|w| w.recipient == account.0)
                        .map(|w| KeyWrapping {
                            generation: request.list.list.generation,
                            ..w.clone()
                        }),
                );
            }
        }
        Box::pin(async move { Ok(()) })
    }

    fn rekey_done(&self, share: ShareId, generation: u64) -> LocalFuture<'_, Result<(), ApiError>> {
        let mut server = self.0.borrow_mut();
        for metas in server.shares.values_mut() {
            for meta in metas.iter_mut().filter(|m| m.id == share) {
                meta.wrappings.retain(|w| w.generation >= generation);
                meta.rekey_pending = false;
            }
        }
        Box::pin(async move { Ok(()) })
    }

    fn change_share_list<'a>(
        &'a self,
        share: ShareId,
        request: &'a ListChangeRequest,
    ) -> LocalFuture<'a, Result<ShareMeta, ApiError>> {
        let mut server = self.0.borrow_mut();
        let list = &request.list.list;
        let template = (server.shares.values().flatten())
            .find(|m| m.id == share)
            .cloned();
        let Some(template) = template else {
            return Box::pin(async move { Err(ApiError::Unreachable) });
        };
        for entry in list.entries.iter().filter(|e| e.kind == EntryKind::Account) {
            let account = AccountId(entry.id);
            let metas = server.shares.entry(account).or_default();
            if !metas.iter().any(|m| m.id == share) {
                metas.push(ShareMeta {
                    role: entry.role,
                    wrappings: Vec::new(),
                    principals: Vec::new(),
                    ..template.clone()
                });
            }
        }
        for (account, metas) in &mut server.shares {
            for meta in metas.iter_mut().filter(|m| m.id == share) {
                meta.lists.push(request.list.clone());
                meta.wrappings.extend(
                    (request.wrappings.iter())
                        .filter(|w| w.recipient == account.0)
                        .map(|w| KeyWrapping {
                            generation: list.generation,
                            ..w.clone()
                        }),
                );
                if matches!(meta.role, ListRole::Owner | ListRole::Manage) {
                    meta.principals = principals_of(&list.entries);
                }
                meta.invitees_ready
                    .retain(|k| !list.entries.iter().any(|e| e.id == k.account_id.0));
            }
        }
        let caller = self
            .1
            .and_then(|a| server.shares.get(&a))
            .and_then(|m| m.iter().find(|m| m.id == share).cloned());
        Box::pin(async move { caller.ok_or(ApiError::Unreachable) })
    }

    fn rename_share<'a>(
        &'a self,
        share: ShareId,
        request: &'a RenameShareRequest,
    ) -> LocalFuture<'a, Result<(), ApiError>> {
        let mut server = self.0.borrow_mut();
        for metas in server.shares.values_mut() {
            for meta in metas.iter_mut().filter(|m| m.id == share) {
                meta.sealed_name = request.sealed_name.clone();
                meta.name_version = request.name_version;
            }
        }
        Box::pin(async move { Ok(()) })
    }

    fn lookup_keys<'a>(
        &'a self,
        request: &'a KeyLookupRequest,
    ) -> LocalFuture<'a, Result<KeyLookupReply, ApiError>> {
        let server = self.0.borrow();
        let result = if server.unreachable {
            Err(ApiError::Unreachable)
        } else {
            Ok(KeyLookupReply {
                keys: (server.published.iter())
                    .filter(|k| request.account_ids.contains(&k.account_id))
                    .cloned()
                    .collect(),
                certificates: (server.certificates.iter())
                    .filter(|c| request.account_ids.contains(&c.account_id))
                    .cloned()
                    .collect(),
            })
        };
        Box::pin(async move { result })
    }

    fn pull(&self, request: PullRequest) -> LocalFuture<'_, Result<PullResponse, ApiError>> {
        let server = self.0.borrow();
        let result = if server.unreachable {
            Err(ApiError::Unreachable)
        } else {
            let since = |c: ContainerId| {
                request
                    .cursors
                    .iter()
                    .find(|cursor| cursor.container_id == c)
                    .map_or(0, |cursor| cursor.revision)
            };
            let readable = |c: &ContainerId| !server.revoked.iter().any(|a| a.container_id == *c);
            let mut records: Vec<VaultRecord> = server
                .records
                .values()
                .filter(|r| readable(&r.container_id) && r.revision > since(r.container_id))
                .filter(|r| !server.hidden.contains(&r.id))
                .cloned()
                .collect();
            records.sort_by_key(|r| (r.container_id, r.revision));
            // Small pages, so that paging is exercised too.
            let more = records.len() > 3;
            records.truncate(3);
            Ok(PullResponse {
                access: server
                    .revoked
                    .iter()
                    .filter(|a| a.revision > request.access_since)
                    .copied()
                    .collect(),
                access_head: server.revoked.iter().map(|a| a.revision).max().unwrap_or(0),
                heads: server
                    .heads
                    .iter()
                    .filter(|(c, _)| readable(c))
                    .map(|(&container_id, &revision)| Cursor {
                        container_id,
                        revision,
                    })
                    .collect(),
                records,
                more,
                checkpoints: (server.checkpoints.values())
                    .filter(|c| readable(&c.container_id) && !server.withhold_checkpoints)
                    .cloned()
                    .collect(),
            })
        };
        Box::pin(async move { result })
    }

    fn checkpoint(
        &self,
        request: CheckpointRequest,
    ) -> LocalFuture<'_, Result<CheckpointResponse, ApiError>> {
        let mut server = self.0.borrow_mut();
        let result = if server.unreachable {
            Err(ApiError::Unreachable)
        } else {
            let mut stored = Vec::new();
            for checkpoint in request.checkpoints {
                let head = server.heads.get(&checkpoint.container_id).copied();
                if head == Some(checkpoint.revision) {
                    stored.push(checkpoint.container_id);
                    server
                        .checkpoints
                        .insert(checkpoint.container_id, checkpoint);
                }
            }
            Ok(CheckpointResponse { stored })
        };
        Box::pin(async move { result })
    }

    fn push<'a>(
        &'a self,
        request: &'a PushRequest,
    ) -> LocalFuture<'a, Result<PushResponse, ApiError>> {
        let mut server = self.0.borrow_mut();
        let result = if server.unreachable {
            Err(ApiError::Unreachable)
        } else {
            // The server's own rules (`shared_types::push_rules`): shape, change ids stored
            // once, the current row, who may write where, kinds, base revisions, parents.
            let (changes, refused) = push_rules::well_formed(request.changes.clone());
            let mut reply = PushResponse {
                accepted: Vec::new(),
                conflicts: Vec::new(),
                refused,
            };
            // The account owns every container it was not taken out of.
            let revoked: BTreeSet<ContainerId> =
                server.revoked.iter().map(|a| a.container_id).collect();
            let may_write = |c: ContainerId| !revoked.contains(&c);
            let pushed_items: BTreeSet<RecordId> = changes
                .iter()
                .filter(|c| c.kind == RecordKind::Item && c.data.is_some())
                .map(|c| c.id)
                .collect();
            for change in &changes {
                if let Some(&(record, revision)) = server.changes.get(&change.change_id) {
                    match push_rules::replayed(change, record) {
                        Ok(()) => reply.accepted.push(Accepted {
                            id: change.id,
                            change_id: change.change_id,
                            revision,
                        }),
                        Err(refusal) => reply.refused.push(refusal),
                    }
                    continue;
                }
                let rows: Vec<&VaultRecord> = server
                    .records
                    .values()
                    .filter(|r| r.id == change.id && may_write(r.container_id))
                    .collect();
                let current = push_rules::current(&rows, |r| held(r), change.container_id)
                    .map(|r| (*r).clone());
                if let Some(parent) = push_rules::needed_parent(change)
                    && !pushed_items.contains(&parent)
                    && !server
                        .records
                        .values()
                        .any(|r| r.id == parent && r.kind == RecordKind::Item && r.data.is_some())
                {
                    reply.refused.push(push_rules::missing_parent(change));
                    continue;
                }
                match push_rules::judge(change, current.as_ref().map(held), may_write) {
                    Verdict::Store => {}
                    Verdict::Conflict => {
                        reply.conflicts.push(Conflict {
                            id: change.id,
                            current: server.forged_current.clone().or(current),
                        });
                        continue;
                    }
                    Verdict::Refuse(code, message) => {
                        reply
                            .refused
                            .push(push_rules::refuse(change, code, message));
                        continue;
                    }
                }
                if let Some(moved) = current.filter(|c| c.container_id != change.container_id) {
                    let revision = server.next(moved.container_id);
                    server.records.insert(
                        (moved.container_id, moved.id),
                        VaultRecord {
                            revision,
                            key: None,
                            data: None,
                            version: change.version,
                            mark: change.mark.clone(),
                            ..moved
                        },
                    );
                }
                let revision = server.next(change.container_id);
                server.records.insert(
                    (change.container_id, change.id),
                    VaultRecord {
                        id: change.id,
                        kind: change.kind,
                        container_id: change.container_id,
                        parent_id: change.parent_id,
                        revision,
                        key: change.key.clone(),
                        data: change.data.clone(),
                        version: change.version,
                        mark: change.mark.clone().filter(|_| change.data.is_none()),
                        updated_at: 0,
                    },
                );
                server
                    .changes
                    .insert(change.change_id, (change.id, revision));
                reply.accepted.push(Accepted {
                    id: change.id,
                    change_id: change.change_id,
                    revision,
                });
            }
            Ok(reply)
        };
        Box::pin(async move { result })
    }

    fn report_rollback(&self, report: RollbackReport) -> LocalFuture<'_, Result<(), ApiError>> {
        self.0.borrow_mut().reported.push(report.records);
        Box::pin(async { Ok(()) })
    }
}
