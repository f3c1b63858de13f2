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

use std::collections::BTreeSet;

use shared_types::sharing::{
    EntryKind, ListChangeRequest, ListEntry, ListRole, RenameShareRequest, ShareMeta,
};
use shared_types::{Base64Bytes, ShareId};

use super::listing::Area;
use super::shares::pin_of;
use super::{Result, VaultError, VaultSession};
use crate::cache::Cache;
use crate::services::sharing::making::{name_binding, public_key_of, sign_list, wrap_share_key};
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

    /// Adds `people` (pinned contacts, each with view, edit or manage) to a share this account
    /// manages.
    pub async fn add_to_share(
        &self,
        share: ShareId,
        people: &[(ContactPin, ListRole)],
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
            .copied()
            .collect();
        let key = self.key_of(share)?;
        let mut wrappings = Vec::with_capacity(people.len());
        for (pin, role) in people {
            if !matches!(role, ListRole::View | ListRole::Edit | ListRole::Manage) {
                return Err(VaultError::Invalid(
                    "Recipients can view, edit or manage a shared folder.".to_owned(),
                ));
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
        let mut next = list.0.clone();
        next.epoch += 1;
        next.entries = entries;
        let request = ListChangeRequest {
            list: sign_list(me, next),
            wrappings,
        };
        let served = self.inner.api.change_share_list(share, &request).await?;
        self.adopt_share(served, now_ms).await?;
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
        let sealed = wasm_crypto::seal(&key, &name_binding(share, bound), name.as_bytes());
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
