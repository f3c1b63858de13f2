//! This account's company, as far as sharing needs it: the directory key that seals the names
//! of the company's groups, the groups it may share with (each verified from its signed
//! lists), and the work a browser does for the company without anyone asking: an Admin's
//! browser makes the directory key and hands it to members as they publish keys, and a group
//! manager's browser hands the group key to people added while it was away (pending grants)
//! and makes the next group key after someone was taken out.
//!
//! Invariants:
//! - The directory key is used only from a wrapping to this account, bound to the company and
//!   signed by a sender whose keys this browser trusts (a pinned contact, or itself).
//! - A key is wrapped only to keys pinned here, and a group key only to people its verified
//!   list names; the server's list of who waits is a hint, never a reason to add anyone.
//! - The next group key leaves out exactly those the server took out (no longer among the
//!   group's people), and nobody is added by it.

use std::collections::BTreeSet;
use std::rc::Rc;

use shared_types::sharing::{
    DirectoryState, EntryKind, GrantRequest, GroupMeta, KeyWrapping, ListEntry,
};
use shared_types::{AccountId, CompanyId, GroupId};
use wasm_crypto::{
    HpkeBinding, HpkeWrappedKey, Purpose, SealedData, Signature, SymmetricKey, VerifyingKey,
    make_symmetric_key, unwrap_with_private_key,
};

use super::store::{from_bytes, to_bytes};
use super::{Result, VaultError, VaultSession};
use crate::cache::{Cache, Store, Write};
use crate::services::sharing::groups::{group_name_binding, rotate_group, wrap_group_key};
use crate::services::sharing::lists::{VerifiedList, verify_group_chain};
use crate::services::sharing::making::{GroupTarget, Recipient, public_key_of, wrap_key};
use crate::services::sharing::trust::ContactPin;

/// Where the directory key wrapped to this account is kept (`Store::Sharing`).
const DIRECTORY: &str = "directory";

/// The company's directory key as held here.
pub(super) struct Directory {
    pub(super) company: CompanyId,
    pub(super) admin: bool,
    pub(super) key: Option<Rc<SymmetricKey>>,
    /// What is wrong with the company key the server serves, found at the last sync.
    pub(super) problem: Option<super::CompanyKeyProblem>,
}

/// A group of the company as a sharer sees it, verified from its lists.
#[derive(Debug, Clone)]
pub struct CompanyGroup {
    /// The group.
    pub id: GroupId,
    /// Its name, if the directory key opens it.
    pub name: Option<String>,
    /// The name's version (a rename seals the next).
    pub name_version: i64,
    /// Its people (as the server says) with their roles in the verified list.
    pub people: Vec<shared_types::sharing::GroupPerson>,
    /// What a share key is wrapped to.
    pub target: GroupTarget,
    /// Someone was taken out and no manager has made the next key yet: nothing new is
    /// wrapped to the group until then.
    pub stale: bool,
    /// Whether this account manages it.
    pub managed: bool,
}

impl<C: Cache> VaultSession<C> {
    /// Opens a company secret of `purpose` (the directory key, or the signing key) from
    /// `wrapping`: to this account, bound to `company`, signed by a sender `keys` trusts.
    pub(super) fn open_company_secret<K: wasm_crypto::KeyMaterial>(
        &self,
        (purpose, company): (Purpose, CompanyId),
        wrapping: &KeyWrapping,
        keys: &impl Fn(AccountId) -> Option<VerifyingKey>,
    ) -> Option<K> {
        let me = self.inner.keys.account_id;
        if wrapping.recipient != me.0 || wrapping.recipient_kind != EntryKind::Account {
            return None;
        }
        let sender = keys(wrapping.sender)?;
        let wrapped = HpkeWrappedKey::from_bytes(wrapping.wrapped.0.clone()).ok()?;
        let signature = Signature::from_bytes(wrapping.signature.0.clone()).ok()?;
        let binding = HpkeBinding {
            purpose,
            object_id: company.0,
            sender_id: wrapping.sender.0,
            recipient_id: me.0,
        };
        unwrap_with_private_key(
            &self.inner.keys.encryption_key,
            &binding,
            &wrapped,
            &signature,
            &sender,
        )
        .ok()
    }

    /// Opens the directory key from `wrapping` (to this account, from a trusted sender).
    fn open_directory(
        &self,
        company: CompanyId,
        wrapping: &KeyWrapping,
        keys: &impl Fn(AccountId) -> Option<VerifyingKey>,
    ) -> Option<SymmetricKey> {
        self.open_company_secret((Purpose::CompanyDirectoryKey, company), wrapping, keys)
    }

    /// Opens the directory key kept here (at unlock, offline too).
    pub(super) async fn open_kept_directory(&self) -> Result<()> {
        let Some(bytes) = self.inner.cache.get(Store::Sharing, DIRECTORY).await? else {
            return Ok(());
        };
        let Ok(state) = from_bytes::<DirectoryState>(&bytes) else {
            return Ok(());
        };
        let keys = self.trusted_keys();
        if let Some(company) = state.company {
            let key = (state.mine.as_ref()).and_then(|w| self.open_directory(company, w, &keys));
            self.inner.directory.replace(Some(Directory {
                company,
                admin: state.admin,
                key: key.map(Rc::new),
                problem: None,
            }));
        }
        Ok(())
    }

    /// The company step of a sync: the directory key, then what this browser does for the
    /// company's groups it manages. Runs after the group sync, before the share sync.
    pub(super) async fn sync_company(&self, now_ms: i64) -> Result<()> {
        let state = self.inner.api.directory().await?;
        let Some(company) = state.company else {
            // Not (or no longer) in a company: forget what was kept, once.
            if self.inner.directory.replace(None).is_some() {
                self.inner
                    .cache
                    .write(vec![Write::Delete(Store::Sharing, DIRECTORY.to_owned())])
                    .await?;
            }
            return Ok(());
        };
        // The directory first, so that certificates are checked against the pinned key.
        if self.company() != Some((company, state.admin)) {
            self.inner.directory.replace(Some(Directory {
                company,
                admin: state.admin,
                key: None,
                problem: None,
            }));
        }
        let problem = self.sync_company_key(company, &state, now_ms).await?;
        let senders: Vec<AccountId> = state.mine.iter().map(|w| w.sender).collect();
        self.pin_unknown(&senders, now_ms).await?;
        let keys = self.trusted_keys();
        let mut key = (state.mine.as_ref()).and_then(|w| self.open_directory(company, w, &keys));
        if state.admin {
            key = self.hand_on_directory(company, &state, key, now_ms).await?;
        }
        self.inner.directory.replace(Some(Directory {
            company,
            admin: state.admin,
            key: key.map(Rc::new),
            problem,
        }));
        self.inner
            .cache
            .write(vec![Write::Put(
                Store::Sharing,
                DIRECTORY.to_owned(),
                to_bytes(&state)?,
            )])
            .await?;
        self.manage_groups(company, now_ms).await
    }

    /// An Admin's part: make the directory key when the company has none, and wrap the one
    /// held here to each member who waits for it and whose keys are pinned here.
    async fn hand_on_directory(
        &self,
        company: CompanyId,
        state: &DirectoryState,
        held: Option<SymmetricKey>,
        now_ms: i64,
    ) -> Result<Option<SymmetricKey>> {
        let me = self.inner.keys.account_id;
        let key = match (&held, state.exists) {
            (Some(key), _) => key.clone(),
            (None, false) => make_symmetric_key(),
            // Someone else's browser holds it; it reaches this one from there.
            (None, true) => return Ok(None),
        };
        let waiting: Vec<AccountId> = state.waiting.iter().map(|k| k.account_id).collect();
        self.pin_unknown(&waiting, now_ms).await?;
        let mut wrappings = Vec::new();
        for account in waiting {
            let public = if account == me {
                self.inner.keys.encryption_key.public_key()
            } else {
                let Some(pin) = self.contact(account) else {
                    continue;
                };
                let Ok(public) = public_key_of(&pin) else {
                    continue;
                };
                public
            };
            wrappings.push(wrap_key(
                &self.inner.keys,
                (Purpose::CompanyDirectoryKey, &key),
                (1, company.0),
                Recipient {
                    id: account.0,
                    kind: EntryKind::Account,
                    generation: 0,
                },
                &public,
            ));
        }
        if held.is_none() && !wrappings.iter().any(|w| w.recipient == me.0) {
            // A new key is made only when it reaches this browser too.
            return Ok(None);
        }
        if !wrappings.is_empty() {
            match (self.inner.api)
                .grant_directory(company, &GrantRequest { wrappings })
                .await
            {
                // Another Admin's browser made the key first: it reaches this one from there.
                Err(crate::api::ApiError::Server { code, .. })
                    if held.is_none() && code == "directory_key_exists" =>
                {
                    return Ok(None);
                }
                other => other?,
            }
        }
        Ok(Some(key))
    }

    /// The directory key of this account's company, if held here.
    pub fn directory_key(&self) -> Option<(CompanyId, Rc<SymmetricKey>)> {
        let held = self.inner.directory.borrow();
        let d = held.as_ref()?;
        Some((d.company, d.key.clone()?))
    }

    /// What is wrong with the company's signing key as served, if anything (shown to the
    /// person; certificates are not relied on meanwhile).
    pub fn company_key_problem(&self) -> Option<super::CompanyKeyProblem> {
        (self.inner.directory.borrow().as_ref()).and_then(|d| d.problem.clone())
    }

    /// This account's company and whether it is one of its Admins.
    pub fn company(&self) -> Option<(CompanyId, bool)> {
        (self.inner.directory.borrow().as_ref()).map(|d| (d.company, d.admin))
    }

    /// A group's name, opened with the directory key.
    fn group_name(&self, meta: &GroupMeta) -> Option<String> {
        let (company, key) = self.directory_key()?;
        let version = u64::try_from(meta.name_version).ok()?;
        let sealed = SealedData::from_bytes(meta.sealed_name.0.clone()).ok()?;
        super::seal::open_name(
            &key,
            &group_name_binding(company, meta.id, version),
            &sealed,
        )
    }

    /// The groups of this account's company, each verified from its lists (signers pinned on
    /// first use); a group whose lists do not verify is left out.
    pub async fn company_groups(&self, now_ms: i64) -> Result<Vec<CompanyGroup>> {
        let Some((company, _)) = self.company() else {
            return Ok(Vec::new());
        };
        let metas = self.inner.api.company_groups(company).await?;
        let signers: Vec<AccountId> = (metas.iter())
            .flat_map(|m| m.lists.iter().map(|l| l.signer))
            .collect();
        self.pin_unknown(&signers, now_ms).await?;
        let keys = self.trusted_keys();
        let me = self.inner.keys.account_id;
        let mut out = Vec::new();
        for meta in metas {
            // A group this account is in follows the list verified before.
            let pin = (self.inner.groups.borrow().get(&meta.id)).map(|g| g.list.clone());
            let Ok(list) = verify_group_chain(meta.id, pin.as_ref(), &meta.lists, &keys) else {
                continue;
            };
            let Some(public) = list.group_key() else {
                continue;
            };
            out.push(CompanyGroup {
                id: meta.id,
                name: self.group_name(&meta),
                name_version: meta.name_version,
                people: meta.people.clone(),
                target: GroupTarget {
                    id: meta.id,
                    generation: list.0.generation,
                    public,
                },
                stale: meta.list_stale,
                managed: list.managers().contains(&me),
            });
        }
        Ok(out)
    }

    /// A group manager's part, for each group this account manages in its verified list:
    /// hand the current key to people on the list who have none yet, and make the next key
    /// when the server took someone out.
    async fn manage_groups(&self, company: CompanyId, now_ms: i64) -> Result<()> {
        let me = self.inner.keys.account_id;
        let managed: Vec<(
            GroupMeta,
            VerifiedList,
            Option<Rc<wasm_crypto::EncryptionPrivateKey>>,
        )> = (self.inner.groups.borrow().values())
            .filter(|g| g.meta.company == company && g.list.managers().contains(&me))
            .map(|g| {
                let key = g.keys.get(&g.list.0.generation).cloned();
                (g.meta.clone(), g.list.clone(), key)
            })
            .collect();
        let mut changed = false;
        for (meta, list, key) in managed {
            let now_in: BTreeSet<AccountId> = meta.people.iter().map(|p| p.account).collect();
            let listed: Vec<AccountId> = (list.0.entries.iter())
                .filter(|e| e.kind == EntryKind::Account)
                .map(|e| AccountId(e.id))
                .collect();
            self.pin_unknown(&listed, now_ms).await?;
            if meta.list_stale {
                let entries: Vec<ListEntry> = (list.0.entries.iter())
                    .filter(|e| now_in.contains(&AccountId(e.id)))
                    .copied()
                    .collect();
                let pins: Vec<ContactPin> = entries
                    .iter()
                    .filter_map(|e| self.contact(AccountId(e.id)))
                    .collect();
                let (request, _) = rotate_group(
                    &self.inner.keys,
                    meta.id,
                    (list.0.epoch, list.0.generation),
                    entries,
                    &pins,
                )
                .map_err(|e| VaultError::Invalid(e.to_string()))?;
                self.inner
                    .api
                    .change_group_list(company, meta.id, &request)
                    .await?;
                changed = true;
                continue;
            }
            let Some(key) = key else {
                continue;
            };
            let mut wrappings = Vec::new();
            for person in meta.people.iter().filter(|p| !p.has_key) {
                if list.role_of(person.account).is_none() {
                    continue;
                }
                let Some(pin) = self.contact(person.account) else {
                    continue;
                };
                let Ok(public) = public_key_of(&pin) else {
                    continue;
                };
                wrappings.push(wrap_group_key(
                    &self.inner.keys,
                    &key,
                    (list.0.generation, list.0.generation_id),
                    person.account,
                    &public,
                ));
            }
            if !wrappings.is_empty() {
                self.inner
                    .api
                    .grant_group_key(company, meta.id, &GrantRequest { wrappings })
                    .await?;
                changed = true;
            }
        }
        if changed {
            self.sync_groups(now_ms).await?;
        }
        Ok(())
    }

    /// Adds `people` (pinned contacts, each a member, a manager or both) to a group this
    /// account manages: the next list at the same key generation, and the current group key
    /// wrapped to each of them.
    pub async fn add_to_group(
        &self,
        group: GroupId,
        people: &[(ContactPin, shared_types::sharing::ListRole)],
        now_ms: i64,
    ) -> Result<()> {
        use shared_types::sharing::ListRole;
        let me = self.inner.keys.account_id;
        let (meta, list, key) = {
            let groups = self.inner.groups.borrow();
            let held = groups.get(&group).ok_or(VaultError::Missing)?;
            if !held.list.managers().contains(&me) {
                return Err(VaultError::Invalid(
                    "Only a manager of this group can add people to it.".to_owned(),
                ));
            }
            let key = held.keys.get(&held.list.0.generation).cloned();
            (held.meta.clone(), held.list.clone(), key)
        };
        if meta.list_stale {
            return Err(VaultError::Invalid(
                "Someone was just taken out of this group; your browser makes its next key at the next sync. Try again in a moment.".to_owned(),
            ));
        }
        let key = key.ok_or_else(|| {
            VaultError::Invalid("This browser does not hold the group's key yet.".to_owned())
        })?;
        let mut entries = list.0.entries.clone();
        let mut wrappings = Vec::with_capacity(people.len());
        for (pin, role) in people {
            if !matches!(
                role,
                ListRole::Member | ListRole::Manager | ListRole::MemberManager
            ) {
                return Err(VaultError::Invalid(
                    "People in a group are members, managers or both.".to_owned(),
                ));
            }
            if entries.iter().any(|e| e.id == pin.account_id.0) {
                return Err(VaultError::Invalid(format!(
                    "{} is in this group already.",
                    pin.email
                )));
            }
            let public = public_key_of(pin).map_err(|e| VaultError::Invalid(e.to_string()))?;
            entries.push(ListEntry {
                id: pin.account_id.0,
                kind: EntryKind::Account,
                role: *role,
            });
            wrappings.push(wrap_group_key(
                &self.inner.keys,
                &key,
                (list.0.generation, list.0.generation_id),
                pin.account_id,
                &public,
            ));
        }
        let mut next = list.0.clone();
        next.epoch += 1;
        next.entries = entries;
        let request = shared_types::sharing::ListChangeRequest {
            list: crate::services::sharing::making::sign_list(&self.inner.keys, next),
            wrappings,
            invitees: Vec::new(),
        };
        self.inner
            .api
            .change_group_list(meta.company, group, &request)
            .await?;
        self.sync_groups(now_ms).await
    }

    /// The sealed name of `group` at `version`, for a rename (needs the directory key).
    pub fn seal_group_name(
        &self,
        group: GroupId,
        version: u64,
        name: &str,
    ) -> Result<shared_types::Base64Bytes> {
        let (company, key) = self.directory_key().ok_or_else(no_directory_key)?;
        Ok(crate::services::sharing::groups::seal_group_name(
            &key, company, group, version, name,
        ))
    }
}

/// Why a group cannot be named here yet.
pub fn no_directory_key() -> VaultError {
    VaultError::Invalid(
        "The company's directory key has not reached this browser yet: an Admin's browser hands it on at its next sync.".to_owned(),
    )
}
