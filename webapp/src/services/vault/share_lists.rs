//! What a share's managers change from their browser: adding people (the next signed list, with
//! the current key wrapped to each newcomer) and renaming it (the name sealed again under the
//! current key). Each change is sent at once and, once the server has it, taken in as the new
//! pin through the same checks as any list the server serves.
//!
//! Invariants:
//! - The next list starts from the verified list without the people the server has taken away
//!   since (they are gone, unsigned, and are never listed again by this browser), then adds the
//!   newcomers; the owner and everyone's roles stay as they are.
//! - The key is wrapped only to keys pinned here (the caller resolves and judges them first).
//! - An invitee is replaced only by the account whose verified statement names the address its
//!   entry derives from, with the keys pinned here, and keeps the role the list gave it.

use std::collections::BTreeSet;

use shared_types::sharing::{
    EntryKind, ListChangeRequest, ListEntry, ListRole, RenameShareRequest, ShareMeta,
};
use shared_types::{Base64Bytes, ShareId};

use super::listing::Area;
use super::shares::pin_of;
use super::{Result, VaultError, VaultSession};
use crate::cache::Cache;
use crate::services::sharing::making::{
    invitee_entry, name_binding, public_key_of, sign_list, wrap_share_key,
};
use crate::services::sharing::published::{Asked, verify};
use crate::services::sharing::trust::ContactPin;

impl<C: Cache> VaultSession<C> {
    /// The share as verified here, when this account manages it.
    fn managed(&self, share: ShareId) -> Result<ShareMeta> {
        let meta = self.kept_share(share).ok_or(VaultError::Missing)?;
        let me = self.inner.keys.account_id;
        let manages = pin_of(&meta).is_some_and(|l| l.managers().contains(&me))
            && matches!(meta.role, ListRole::Owner | ListRole::Manage);
        if !manages {
            return Err(VaultError::Invalid(
                "Only the owner and the managers of a shared folder change who has access or its name."
                    .to_owned(),
            ));
        }
        Ok(meta)
    }

    /// Adds `people` (pinned contacts, each with view, edit or manage) and `invitees`
    /// (addresses without an account, mailed by the server) to a share this account manages.
    pub async fn add_to_share(
        &self,
        share: ShareId,
        people: &[(ContactPin, ListRole)],
        invitees: &[(String, ListRole)],
        now_ms: i64,
    ) -> Result<()> {
        self.change_people(share, people, invitees, &[], now_ms)
            .await
    }

    /// The next list of `share`: without those the server took away and the invitees in
    /// `replaced`, with `people` and `invitees` added, and the key wrapped to each person added.
    async fn change_people(
        &self,
        share: ShareId,
        people: &[(ContactPin, ListRole)],
        invitees: &[(String, ListRole)],
        replaced: &[uuid::Uuid],
        now_ms: i64,
    ) -> Result<()> {
        let meta = self.managed(share)?;
        let list = pin_of(&meta).ok_or(VaultError::Missing)?;
        let me = &self.inner.keys;
        let still: BTreeSet<uuid::Uuid> = meta.principals.iter().map(|p| p.id).collect();
        let mut entries: Vec<ListEntry> = (list.0.entries.iter())
            .filter(|e| {
                e.role == ListRole::Owner || e.id == me.account_id.0 || still.contains(&e.id)
            })
            .filter(|e| !replaced.contains(&e.id))
            .copied()
            .collect();
        let key = self.key_of(share)?;
        let mut wrappings = Vec::with_capacity(people.len());
        let bad_role = || {
            VaultError::Invalid("Recipients can view, edit or manage a shared folder.".to_owned())
        };
        for (pin, role) in people {
            if !matches!(role, ListRole::View | ListRole::Edit | ListRole::Manage) {
                return Err(bad_role());
            }
            if entries.iter().any(|e| e.id == pin.account_id.0) {
                return Err(VaultError::Invalid(format!(
                    "{} already has access to this shared folder.",
                    pin.email
                )));
            }
            let public = public_key_of(pin).map_err(|e| VaultError::Invalid(e.to_string()))?;
            entries.push(ListEntry {
                id: pin.account_id.0,
                kind: EntryKind::Account,
                role: *role,
            });
            wrappings.push(wrap_share_key(
                me,
                &key,
                (list.0.generation, list.0.generation_id),
                pin.account_id,
                &public,
            ));
        }
        for (email, role) in invitees {
            let entry = invitee_entry(email, *role).map_err(|_| bad_role())?;
            if entries.iter().any(|e| e.id == entry.id) {
                return Err(VaultError::Invalid(format!(
                    "{email} is invited to this shared folder already."
                )));
            }
            entries.push(entry);
        }
        let mut next = list.0.clone();
        next.epoch += 1;
        next.entries = entries;
        let request = ListChangeRequest {
            list: sign_list(me, next),
            wrappings,
            invitees: (invitees.iter())
                .map(|(email, _)| wasm_crypto::normalize_email(email))
                .collect(),
        };
        let served = self.inner.api.change_share_list(share, &request).await?;
        self.adopt_share(served, now_ms).await?;
        Ok(())
    }

    /// A manager's part for invitees who now have an account with published keys: each whose
    /// verified statement names the address an invitee entry of the verified list derives
    /// from, and whose keys are pinned here (first use, or certified), replaces that entry with
    /// the same role, and gets the key. Runs in the share sync; the server's list of who is
    /// ready is only a hint.
    pub(super) async fn complete_invitees(&self, now_ms: i64) -> Result<()> {
        let me = self.inner.keys.account_id;
        let waiting: Vec<ShareMeta> = (self.inner.kept_shares.borrow().values())
            .filter(|m| !m.invitees_ready.is_empty())
            .filter(|m| pin_of(m).is_some_and(|l| l.managers().contains(&me)))
            .cloned()
            .collect();
        for meta in waiting {
            let Some(list) = pin_of(&meta) else {
                continue;
            };
            let ready: Vec<_> = meta.invitees_ready.iter().map(|k| k.account_id).collect();
            self.pin_unknown(&ready, now_ms).await?;
            let mut people = Vec::new();
            let mut replaced = Vec::new();
            for served in &meta.invitees_ready {
                let Ok(keys) = verify(served, &Asked::Account(served.account_id)) else {
                    continue;
                };
                let invitee = wasm_crypto::derive_invitee_id(&keys.email);
                let Some(entry) = (list.0.entries.iter())
                    .find(|e| e.kind == EntryKind::Invitee && e.id == invitee)
                else {
                    continue;
                };
                // Only the keys pinned here: changed keys wait for the person to compare them.
                let Some(pin) = self.contact(keys.account_id).filter(|p| {
                    p.encryption_key.0 == keys.encryption_key.to_bytes()
                        && p.verifying_key.0 == keys.verifying_key.to_bytes()
                }) else {
                    continue;
                };
                if list.role_of(pin.account_id).is_some() {
                    continue;
                }
                people.push((pin, entry.role));
                replaced.push(invitee);
            }
            if !people.is_empty() {
                self.change_people(meta.id, &people, &[], &replaced, now_ms)
                    .await?;
            }
        }
        Ok(())
    }

    /// Renames a share this account manages.
    pub async fn rename_shared(&self, share: ShareId, name: &str, now_ms: i64) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(VaultError::Invalid(
                "Give the shared folder a name.".to_owned(),
            ));
        }
        let mut meta = self.managed(share)?;
        if matches!(self.area(share.into()), Some(Area::Shared(s)) if &*s.name == name) {
            return Ok(());
        }
        let key = self.key_of(share)?;
        let version = meta.name_version + 1;
        let bound = u64::try_from(version).map_err(|_| VaultError::Missing)?;
        let sealed = super::seal::seal_name(&key, &name_binding(share, bound), name);
        let request = RenameShareRequest {
            sealed_name: Base64Bytes(sealed.into_bytes()),
            name_version: version,
        };
        self.inner.api.rename_share(share, &request).await?;
        meta.sealed_name = request.sealed_name;
        meta.name_version = version;
        self.adopt_share(meta, now_ms).await?;
        Ok(())
    }
}
