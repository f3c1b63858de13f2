//! Shared folders in the vault: which shares this browser opens, with which key, and what it
//! shows of the others ("waiting for access", or why one was not opened).
//!
//! Each sync asks the server for the account's shares before it pulls, so a new share's key is
//! in place before its records arrive. A share is opened only when its chain of signed lists
//! verifies (against the list this browser verified before, kept in `Store::Sharing`), and its
//! key comes from a wrapping to this account signed by one of its managers. The signers' keys
//! are the pinned contacts' (looked up and pinned on first use when new; a contact whose keys
//! changed is not trusted until the person compares fingerprints).
//!
//! Invariants:
//! - A share whose lists or key do not verify is not opened, and a share this browser opened
//!   before keeps its verified list and key: the server cannot swap either by serving others.
//! - A share the server no longer serves to this account is forgotten: its records, waiting
//!   changes, index and kept lists are removed from this browser.
//! - A share whose key arrives after its records were skipped is pulled again from the start.
//! - What this account may do is the lower of its role in the verified list and the role the
//!   server grants now (the server may take access away unsigned, never give it).

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::Arc;

use shared_types::sharing::{
    EntryKind, KeyLookupRequest, KeyWrapping, ListRole, MAX_KEY_LOOKUP, ShareMeta,
};
use shared_types::{AccountId, ContainerId, GroupId, ShareId};
use wasm_crypto::{SealedData, SymmetricKey, VerifyingKey};

use super::groups::GROUP_PREFIX;
use super::index::ProfileIndex;
use super::listing::{Area, SharedArea};
use super::store::{CURSORS, from_bytes, to_bytes};
use super::{ContainerState, Result, VaultError, VaultSession};
use crate::cache::{Cache, Store, Write};
use crate::services::sharing::contacts::{self, Found};
use crate::services::sharing::lists::{
    ListProblem, VerifiedList, open_share_key, open_share_key_via_group, verify_chain,
};
use crate::services::sharing::making::name_binding;
use crate::services::sharing::published::Asked;

/// A share this browser knows of but does not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareNotice {
    /// The share.
    pub share: ShareId,
    /// Its owner (as the server says: nothing else is known until it verifies).
    pub owner: AccountId,
    /// Why it is not open.
    pub what: ShareNoticeKind,
}

/// Why a share is not open here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareNoticeKind {
    /// Nobody has handed this account the key yet (a manager's browser does at its next sync).
    Waiting,
    /// What the server served did not verify; nothing of it is used.
    Refused(ListProblem),
}

impl ShareNotice {
    fn about(meta: &ShareMeta, what: ShareNoticeKind) -> Self {
        Self {
            share: meta.id,
            owner: meta.owner,
            what,
        }
    }

    /// What the person reads.
    pub fn explain(&self) -> String {
        match &self.what {
            ShareNoticeKind::Waiting => {
                "Waiting for access: it opens once a browser of one of its managers has handed you its key.".to_owned()
            }
            ShareNoticeKind::Refused(problem) => format!("Not opened: {problem}"),
        }
    }
}

/// A share that verified: its key, the keys of earlier generations still served (a re-key
/// runs), and what it is to this account.
struct Opened {
    key: SymmetricKey,
    older: Vec<SymmetricKey>,
    area: SharedArea,
}

/// How much a role allows in a share (a group's roles give nothing beyond viewing here).
fn rank(role: ListRole) -> u8 {
    match role {
        ListRole::Edit => 1,
        ListRole::Manage => 2,
        ListRole::Owner => 3,
        ListRole::View | ListRole::Member | ListRole::Manager | ListRole::MemberManager => 0,
    }
}

/// The lower of two roles in a share.
fn lower(a: ListRole, b: ListRole) -> ListRole {
    if rank(a) <= rank(b) { a } else { b }
}

/// The pin a share's next lists must follow: the newest list of what was verified before.
pub(super) fn pin_of(kept: &ShareMeta) -> Option<VerifiedList> {
    kept.lists.last().map(|l| VerifiedList(l.list.clone()))
}

impl<C: Cache> VaultSession<C> {
    /// The verifying keys this browser trusts: its own and its pinned contacts'.
    pub(super) fn trusted_keys(&self) -> impl Fn(AccountId) -> Option<VerifyingKey> + use<C> {
        let me = self.inner.keys.account_id;
        let mine = self.inner.keys.signing_key.verifying_key();
        let pins: BTreeMap<AccountId, VerifyingKey> = self
            .contacts()
            .into_iter()
            .filter_map(|p| {
                Some((
                    p.account_id,
                    VerifyingKey::from_bytes(&p.verifying_key.0).ok()?,
                ))
            })
            .collect();
        move |account| {
            if account == me {
                Some(mine)
            } else {
                pins.get(&account).copied()
            }
        }
    }

    /// Verifies `meta` against the pin kept here (if any) and opens its key and name.
    fn open_share(
        &self,
        meta: &ShareMeta,
        pin: Option<&VerifiedList>,
        keys: &impl Fn(AccountId) -> Option<VerifyingKey>,
    ) -> std::result::Result<Option<Opened>, ListProblem> {
        let list = verify_chain(meta.id, pin, &meta.lists, keys)?;
        let me = self.inner.keys.account_id;
        // This account's role: its own entry, or the highest of the groups it is a member of.
        let groups = self.member_of();
        let Some(listed) = std::iter::once(list.role_of(me))
            .chain(groups.iter().map(|g| list.group_role(*g)))
            .flatten()
            .max_by_key(|r| rank(*r))
        else {
            return Err(ListProblem::WrongWrapping);
        };
        let my_key = &self.inner.keys.encryption_key;
        // A wrapping to this account, or to a group it is a member of and holds the key of.
        let open =
            |list: &VerifiedList, w: &KeyWrapping| -> Option<Result<SymmetricKey, ListProblem>> {
                match w.recipient_kind {
                    EntryKind::Account if w.recipient == me.0 => {
                        Some(open_share_key(list, w, me, my_key, keys))
                    }
                    EntryKind::Group => {
                        let group_key =
                            self.group_key_as_member(GroupId(w.recipient), w.recipient_generation)?;
                        Some(open_share_key_via_group(list, w, &group_key, keys))
                    }
                    _ => None,
                }
            };
        let mut current = (meta.wrappings.iter())
            .filter(|w| w.generation == list.0.generation)
            .filter_map(|w| open(&list, w));
        let key = match current.next() {
            None => return Ok(None),
            // The first that opens; if none does, why the first did not.
            Some(first) => match first {
                Ok(key) => key,
                Err(problem) => current.find_map(|r| r.ok()).ok_or(problem)?,
            },
        };
        // Earlier generations, each from a wrapping made under the list that named it (the
        // chain verified them all); one that does not open is simply not used.
        let mut earlier: Vec<&KeyWrapping> = (meta.wrappings.iter())
            .filter(|w| w.generation < list.0.generation)
            .collect();
        earlier.sort_by_key(|w| std::cmp::Reverse(w.generation));
        let mut older: Vec<SymmetricKey> = Vec::new();
        let mut seen = BTreeSet::new();
        for w in earlier {
            let Some(named) = (meta.lists.iter().rev())
                .find(|l| l.list.generation == w.generation)
                .map(|l| VerifiedList(l.list.clone()))
            else {
                continue;
            };
            if seen.contains(&w.generation) {
                continue;
            }
            if let Some(Ok(key)) = open(&named, w) {
                seen.insert(w.generation);
                older.push(key);
            }
        }
        let version = u64::try_from(meta.name_version).map_err(|_| ListProblem::DamagedName)?;
        // Sealed under the current key, or (until a re-key seals it again) an earlier one.
        let sealed = SealedData::from_bytes(meta.sealed_name.0.clone())
            .map_err(|_| ListProblem::DamagedName)?;
        let name = std::iter::once(&key)
            .chain(older.iter())
            .find_map(|k| super::seal::open_name(k, &name_binding(meta.id, version), &sealed))
            .ok_or(ListProblem::DamagedName)?;
        let owner = list.owner().ok_or(ListProblem::OwnerChanged)?;
        Ok(Some(Opened {
            key,
            older,
            area: SharedArea {
                name: Arc::from(name.as_str()),
                role: lower(listed, meta.role),
                owner,
            },
        }))
    }

    /// Opens the shares kept in this browser (at unlock, offline too): each is verified again
    /// from its first list with the contacts pinned now.
    pub(super) async fn open_kept_shares(&self) -> Result<()> {
        let keys = self.trusted_keys();
        let mut notices = Vec::new();
        for (name, bytes) in self.inner.cache.get_prefix(Store::Sharing, "").await? {
            if name.starts_with(GROUP_PREFIX) {
                continue;
            }
            let Ok(meta) = from_bytes::<ShareMeta>(&bytes) else {
                continue;
            };
            match self.open_share(&meta, None, &keys) {
                Ok(Some(opened)) => {
                    self.hold_share(&meta, opened).await?;
                }
                Ok(None) => notices.push(ShareNotice::about(&meta, ShareNoticeKind::Waiting)),
                Err(problem) => {
                    notices.push(ShareNotice::about(&meta, ShareNoticeKind::Refused(problem)));
                }
            }
            self.inner.kept_shares.borrow_mut().insert(meta.id, meta);
        }
        self.inner.share_notices.replace(notices);
        Ok(())
    }

    /// Makes `meta`'s container one this browser reads and writes with `opened.key`, or
    /// updates its name and role (and its key, after a re-key).
    async fn hold_share(&self, meta: &ShareMeta, opened: Opened) -> Result<bool> {
        let id = ContainerId::from(meta.id);
        let area = Area::Shared(opened.area);
        let older: Vec<Rc<SymmetricKey>> = opened.older.into_iter().map(Rc::new).collect();
        let known = {
            let mut containers = self.inner.containers.borrow_mut();
            match containers.iter_mut().find(|c| c.id == id) {
                Some(held) if *held.key == opened.key => {
                    held.area = area.clone();
                    held.older = older.clone();
                    Some(true)
                }
                Some(held) => {
                    held.key = Rc::new(opened.key.clone());
                    held.area = area.clone();
                    held.older = older.clone();
                    Some(false)
                }
                None => None,
            }
        };
        self.inner.search.replace(None);
        match known {
            Some(true) => return Ok(false),
            // A new key: what is kept here is listed again under it.
            Some(false) => {
                self.rebuild_indexes().await?;
                return Ok(false);
            }
            None => {}
        }
        let index = Self::stored_index(&self.inner.cache, id, &opened.key).await?;
        let fresh = index.is_none();
        self.inner.containers.borrow_mut().push(ContainerState {
            id,
            area,
            key: Rc::new(opened.key),
            older,
            index: index.unwrap_or_else(ProfileIndex::default),
        });
        if fresh {
            // Records kept from an earlier session whose index did not open are listed again.
            self.verify_index().await?;
        }
        Ok(true)
    }

    /// Looks up the signers of `metas` this browser has no pin for, and pins them on first
    /// use (a signer whose keys changed stays untrusted: its lists do not verify).
    pub(super) async fn pin_signers(&self, metas: &[ShareMeta], now_ms: i64) -> Result<()> {
        let signers: Vec<AccountId> = metas
            .iter()
            .flat_map(|m| {
                (m.lists.iter().map(|l| l.signer))
                    .chain(m.wrappings.iter().map(|w| w.sender))
                    .chain([m.owner])
            })
            .collect();
        self.pin_unknown(&signers, now_ms).await
    }

    /// Looks up the accounts among `accounts` this browser trusts no keys of, and pins each on
    /// first use. Keys that changed or were replayed are left for the person (Contacts).
    pub(super) async fn pin_unknown(&self, accounts: &[AccountId], now_ms: i64) -> Result<()> {
        let keys = self.trusted_keys();
        let unknown: BTreeSet<AccountId> = accounts
            .iter()
            .copied()
            .filter(|a| keys(*a).is_none())
            .collect();
        let unknown: Vec<AccountId> = unknown.into_iter().collect();
        for chunk in unknown.chunks(MAX_KEY_LOOKUP) {
            let request = KeyLookupRequest {
                emails: Vec::new(),
                account_ids: chunk.to_vec(),
            };
            let reply = self.inner.api.lookup_keys(&request).await?;
            let pins = self.contacts();
            let company = self.company_key();
            for account in chunk {
                let served = reply.keys.iter().find(|k| k.account_id == *account);
                let certificates = company.as_ref().map(|k| (k, &reply.certificates[..]));
                let found = contacts::found(&pins, Asked::Account(*account), served, certificates);
                if matches!(found, Found::Judged { .. }) {
                    contacts::keep(self, &found, now_ms)
                        .await
                        .map_err(VaultError::Invalid)?;
                }
            }
        }
        Ok(())
    }

    /// Asks the server for the account's shares and opens, updates or forgets each (see the
    /// module's invariants). Runs between the push and the pull of a sync.
    pub(super) async fn sync_shares(&self, now_ms: i64) -> Result<()> {
        let metas = self.inner.api.shares().await?;
        self.take_shares(metas, now_ms).await?;
        self.complete_invitees(now_ms).await
    }

    /// Applies what the server served of the account's shares.
    pub(super) async fn take_shares(&self, metas: Vec<ShareMeta>, now_ms: i64) -> Result<()> {
        self.pin_signers(&metas, now_ms).await?;
        let keys = self.trusted_keys();
        let mut notices = Vec::new();
        let mut writes = Vec::new();
        let mut restart = Vec::new();
        let served: BTreeSet<ShareId> = metas.iter().map(|m| m.id).collect();
        for meta in metas {
            let kept = self.inner.kept_shares.borrow().get(&meta.id).cloned();
            if kept.as_ref() == Some(&meta) && self.holds(meta.id.into()) {
                continue;
            }
            let pin = kept.as_ref().and_then(pin_of);
            match self.open_share(&meta, pin.as_ref(), &keys) {
                Ok(Some(opened)) => {
                    self.keep_opened(meta, opened, &mut writes, &mut restart)
                        .await?;
                }
                Ok(None) => {
                    // Nobody wrapped the key to this account yet. A share opened here before
                    // stays open with the key it had.
                    if !self.holds(meta.id.into()) {
                        notices.push(ShareNotice::about(&meta, ShareNoticeKind::Waiting));
                    }
                }
                Err(problem) => {
                    notices.push(ShareNotice::about(&meta, ShareNoticeKind::Refused(problem)));
                }
            }
        }
        let gone: BTreeSet<ContainerId> = (self.inner.containers.borrow().iter())
            .filter(|c| matches!(c.area, Area::Shared(_)))
            .map(|c| c.id)
            .chain(
                self.inner
                    .kept_shares
                    .borrow()
                    .keys()
                    .map(|s| ContainerId::from(*s)),
            )
            .filter(|c| !served.contains(&ShareId(c.0)))
            .collect();
        if !gone.is_empty() {
            self.forget_shares(&gone).await?;
        }
        self.restart_pulls(&restart, &mut writes)?;
        self.inner.cache.write(writes).await?;
        self.inner.share_notices.replace(notices);
        Ok(())
    }

    /// Holds a share that verified and keeps what was served of it (the next pin).
    async fn keep_opened(
        &self,
        meta: ShareMeta,
        opened: Opened,
        writes: &mut Vec<Write>,
        restart: &mut Vec<ContainerId>,
    ) -> Result<()> {
        if self.hold_share(&meta, opened).await? {
            restart.push(ContainerId::from(meta.id));
        }
        writes.push(Write::Put(
            Store::Sharing,
            meta.id.to_string(),
            to_bytes(&meta)?,
        ));
        self.inner.kept_shares.borrow_mut().insert(meta.id, meta);
        Ok(())
    }

    /// Pulls `containers` from the start at the next pull: their key has just arrived, and
    /// the records pulled before it were skipped.
    fn restart_pulls(&self, containers: &[ContainerId], writes: &mut Vec<Write>) -> Result<()> {
        if containers.is_empty() {
            return Ok(());
        }
        let mut cursors = self.inner.pulled.borrow().clone();
        for container in containers {
            cursors.containers.insert(*container, 0);
        }
        writes.push(Write::Put(
            Store::Meta,
            CURSORS.to_owned(),
            to_bytes(&cursors)?,
        ));
        self.inner.pulled.replace(cursors);
        Ok(())
    }

    /// Opens a share this browser has just made, without waiting for the next sync; returns
    /// its container.
    pub async fn adopt_share(&self, meta: ShareMeta, now_ms: i64) -> Result<ContainerId> {
        self.pin_signers(std::slice::from_ref(&meta), now_ms)
            .await?;
        let keys = self.trusted_keys();
        let pin = self
            .inner
            .kept_shares
            .borrow()
            .get(&meta.id)
            .and_then(pin_of);
        let id = ContainerId::from(meta.id);
        let opened = match self.open_share(&meta, pin.as_ref(), &keys) {
            Ok(Some(opened)) => opened,
            Ok(None) => {
                let waiting = ShareNotice::about(&meta, ShareNoticeKind::Waiting);
                return Err(VaultError::Invalid(waiting.explain()));
            }
            Err(problem) => return Err(VaultError::Invalid(problem.to_string())),
        };
        let (mut writes, mut restart) = (Vec::new(), Vec::new());
        self.keep_opened(meta, opened, &mut writes, &mut restart)
            .await?;
        self.restart_pulls(&restart, &mut writes)?;
        self.inner.cache.write(writes).await?;
        Ok(id)
    }

    /// The account's keys (to make and sign shares with).
    pub fn keys(&self) -> Arc<crate::services::keys::VaultKeys> {
        self.inner.keys.clone()
    }

    /// Forgets shares this account may no longer open: their records, changes, index, kept
    /// lists and key.
    async fn forget_shares(&self, gone: &BTreeSet<ContainerId>) -> Result<()> {
        self.forget_containers(gone).await?;
        let mut writes = Vec::new();
        for container in gone {
            writes.push(Write::Delete(Store::Sharing, container.to_string()));
            self.inner
                .kept_shares
                .borrow_mut()
                .remove(&ShareId(container.0));
        }
        self.drop_containers(gone, writes).await
    }

    /// The shares this browser knows of but does not open, and why.
    pub fn share_notices(&self) -> Vec<ShareNotice> {
        self.inner.share_notices.borrow().clone()
    }

    /// What the server last served of a share this browser opened (its lists and recipients
    /// as verified).
    pub fn kept_share(&self, share: ShareId) -> Option<ShareMeta> {
        self.inner.kept_shares.borrow().get(&share).cloned()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "shares_tests.rs"]
mod tests;
