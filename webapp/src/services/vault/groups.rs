//! The groups this account is in, as this browser verified them: each group's chain of signed
//! lists and the group keys wrapped to this account, which open the shares given to the group.
//!
//! Each sync asks the server for the account's groups before its shares, so a group key is in
//! place before a share wrapped to it is opened. A group is kept only when its chain verifies
//! (against the list this browser verified before, kept in `Store::Sharing` under
//! [`GROUP_PREFIX`]); a group key is kept only when a manager of the list that named its
//! generation wrapped it to this account and it matches that list's public key.
//!
//! Invariants:
//! - A group whose lists do not verify is not used, and a group verified before keeps its list
//!   and keys: the server cannot swap either by serving others.
//! - A group the server no longer serves to this account is forgotten with its keys; the
//!   shares opened only through it are then no longer served either, and are forgotten by the
//!   share sync that follows.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use shared_types::sharing::GroupMeta;
use shared_types::{AccountId, GroupId};
use wasm_crypto::{EncryptionPrivateKey, VerifyingKey};

use super::store::{from_bytes, to_bytes};
use super::{Result, VaultSession};
use crate::cache::{Cache, Store, Write};
use crate::services::sharing::lists::{
    ListProblem, VerifiedList, open_group_key, verify_group_chain,
};

/// Where a verified group is kept in `Store::Sharing` (shares are kept under their bare id).
pub(super) const GROUP_PREFIX: &str = "group:";

fn group_key_name(group: GroupId) -> String {
    format!("{GROUP_PREFIX}{group}")
}

/// A group that verified: its newest list and the keys of each generation this account holds.
pub(super) struct HeldGroup {
    pub(super) meta: GroupMeta,
    pub(super) list: VerifiedList,
    pub(super) keys: BTreeMap<u64, Rc<EncryptionPrivateKey>>,
}

impl<C: Cache> VaultSession<C> {
    /// Verifies `meta` against `pin` and opens every group key wrapped to this account, each
    /// under the list that named its generation (one that does not open is not used).
    fn open_group(
        &self,
        meta: GroupMeta,
        pin: Option<&VerifiedList>,
        keys: &impl Fn(AccountId) -> Option<VerifyingKey>,
    ) -> std::result::Result<HeldGroup, ListProblem> {
        let list = verify_group_chain(meta.id, pin, &meta.lists, keys)?;
        let me = self.inner.keys.account_id;
        // Only lists verified now: those before the pin were checked when it was made, and the
        // keys they opened are carried over by the caller.
        let from = pin.map_or(1, |p| p.0.epoch);
        let mut opened = BTreeMap::new();
        for wrapping in &meta.wrappings {
            let Some(named) = (meta.lists.iter().rev())
                .filter(|l| l.list.epoch >= from)
                .find(|l| l.list.generation == wrapping.generation)
                .map(|l| VerifiedList(l.list.clone()))
            else {
                continue;
            };
            if let Ok(key) =
                open_group_key(&named, wrapping, me, &self.inner.keys.encryption_key, keys)
            {
                opened.insert(wrapping.generation, Rc::new(key));
            }
        }
        Ok(HeldGroup {
            meta,
            list,
            keys: opened,
        })
    }

    /// Opens the groups kept in this browser (at unlock, offline too), each verified again from
    /// its first list with the contacts pinned now.
    pub(super) async fn open_kept_groups(&self) -> Result<()> {
        let keys = self.trusted_keys();
        let mut held = BTreeMap::new();
        for (_, bytes) in self
            .inner
            .cache
            .get_prefix(Store::Sharing, GROUP_PREFIX)
            .await?
        {
            let Ok(meta) = from_bytes::<GroupMeta>(&bytes) else {
                continue;
            };
            let id = meta.id;
            if let Ok(group) = self.open_group(meta, None, &keys) {
                held.insert(id, group);
            }
        }
        self.inner.groups.replace(held);
        Ok(())
    }

    /// Asks the server for the account's groups and keeps, updates or forgets each (see the
    /// module's invariants). Runs before the share sync.
    pub(super) async fn sync_groups(&self, now_ms: i64) -> Result<()> {
        let metas = self.inner.api.groups().await?;
        let signers: Vec<AccountId> = (metas.iter())
            .flat_map(|m| {
                (m.lists.iter().map(|l| l.signer)).chain(m.wrappings.iter().map(|w| w.sender))
            })
            .collect();
        self.pin_unknown(&signers, now_ms).await?;
        let keys = self.trusted_keys();
        let served: BTreeSet<GroupId> = metas.iter().map(|m| m.id).collect();
        let mut writes = Vec::new();
        for meta in metas {
            let pin = self.inner.groups.borrow().get(&meta.id).map(|g| {
                if g.meta == meta {
                    None
                } else {
                    Some(g.list.clone())
                }
            });
            let pin = match pin {
                // Nothing new.
                Some(None) => continue,
                Some(Some(list)) => Some(list),
                None => None,
            };
            // A group that does not verify keeps what was verified before, if anything.
            if let Ok(mut group) = self.open_group(meta, pin.as_ref(), &keys) {
                if let Some(before) = self.inner.groups.borrow().get(&group.meta.id) {
                    for (generation, key) in &before.keys {
                        group.keys.entry(*generation).or_insert_with(|| key.clone());
                    }
                }
                writes.push(Write::Put(
                    Store::Sharing,
                    group_key_name(group.meta.id),
                    to_bytes(&group.meta)?,
                ));
                self.inner.groups.borrow_mut().insert(group.meta.id, group);
            }
        }
        let gone: Vec<GroupId> = (self.inner.groups.borrow().keys())
            .filter(|g| !served.contains(g))
            .copied()
            .collect();
        for group in gone {
            self.inner.groups.borrow_mut().remove(&group);
            writes.push(Write::Delete(Store::Sharing, group_key_name(group)));
        }
        self.inner.cache.write(writes).await?;
        Ok(())
    }

    /// The key of `group` at `generation`, if this account holds it and is a member (not only
    /// a manager) in the group's verified list.
    pub(super) fn group_key_as_member(
        &self,
        group: GroupId,
        generation: u64,
    ) -> Option<Rc<EncryptionPrivateKey>> {
        let groups = self.inner.groups.borrow();
        let held = groups.get(&group)?;
        if !held.list.is_member(self.inner.keys.account_id) {
            return None;
        }
        held.keys.get(&generation).cloned()
    }

    /// The groups this account is a member of, in their verified lists.
    pub(super) fn member_of(&self) -> BTreeSet<GroupId> {
        let me = self.inner.keys.account_id;
        (self.inner.groups.borrow().iter())
            .filter(|(_, g)| g.list.is_member(me))
            .map(|(id, _)| *id)
            .collect()
    }
}
