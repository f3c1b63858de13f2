//! Re-keying a share after someone lost access, by the next browser of one of its managers:
//! a new share key, the list that drops whoever the server took away (signed here, at the next
//! epoch and generation), the key wrapped to everyone who keeps access, then every record of
//! the share sealed again (every item with a new item key, its past versions with it) and sent.
//! Once nothing of the share waits to be sent, the server is told, and drops the old keys.
//!
//! Invariants:
//! - The next list only ever drops entries of the verified list (those the server no longer
//!   names as having access); nobody is added, no role raised, the owner kept. A group keeps
//!   the share through its current key as its verified lists name it, and a group still
//!   waiting for its own next key holds the re-key back.
//! - The new key is wrapped only to keys pinned here; someone whose keys changed stops the
//!   re-key (the share stays flagged) instead of getting the key.
//! - A re-key runs inside a sync, one at a time, after the push: what it seals again goes out in
//!   the same sync, and `done` is sent only once none of the share's changes waits here.

use std::collections::BTreeSet;

use shared_types::sharing::{
    AccessListBody, EntryKind, ListRole, NewGenerationRequest, RenameShareRequest, ShareMeta,
};
use shared_types::vault::{RecordKind, VaultRecord};
use shared_types::{AccountId, ContainerId, RecordId, ShareId};
use wasm_crypto::{Purpose, make_symmetric_key};

use super::index::{FolderEntry, ItemSummary};
use super::shares::pin_of;
use super::store::{self as store, Batch, from_bytes};
use super::{Result, SyncReport, VaultError, VaultSession, seal};
use crate::cache::{Cache, Store};
use crate::services::sharing::making::{
    Recipient, name_binding, public_key_of, sign_list, wrap_key, wrap_share_key,
};

impl<C: Cache> VaultSession<C> {
    /// The shares this browser should re-key: flagged by the server, held here, and managed
    /// by this account in the verified list.
    fn shares_to_rekey(&self) -> Vec<ShareMeta> {
        let me = self.inner.keys.account_id;
        let kept = self.inner.kept_shares.borrow();
        kept.values()
            .filter(|m| m.rekey_pending && self.holds(m.id.into()))
            .filter(|m| {
                pin_of(m).is_some_and(|list| {
                    list.managers().contains(&me)
                        && matches!(m.role, ListRole::Owner | ListRole::Manage)
                })
            })
            .cloned()
            .collect()
    }

    /// Re-keys what [`Self::shares_to_rekey`] names, then sends what was sealed again. A share
    /// that cannot be re-keyed now (another browser holds the lease, a recipient's keys
    /// changed) is left for a later sync.
    pub(super) async fn rekey_shares(
        &self,
        report: &mut SyncReport,
        sent: &mut BTreeSet<(RecordId, i64)>,
        now_ms: i64,
    ) -> Result<()> {
        let mut started = Vec::new();
        for meta in self.shares_to_rekey() {
            match self.rekey_share(&meta, now_ms).await {
                Ok(Some(generation)) => started.push((meta.id, generation)),
                Ok(None) => {}
                Err(VaultError::Api(crate::api::ApiError::Unreachable)) => {
                    return Err(VaultError::Api(crate::api::ApiError::Unreachable));
                }
                // Kept flagged; the share's page says a re-key waits.
                Err(_) => {}
            }
        }
        if started.is_empty() {
            return Ok(());
        }
        self.push(report, sent, now_ms).await?;
        let waiting: BTreeSet<ContainerId> = (self.outbox().await?.into_values())
            .map(|change| change.container_id)
            .collect();
        for (share, generation) in started {
            if !waiting.contains(&share.into()) {
                self.inner.api.rekey_done(share, generation).await?;
            }
        }
        // The server now serves the new generation alone (or still both): take what it says.
        self.sync_shares(now_ms).await
    }

    /// One share: claim, the next generation, then every record sealed again here. Returns
    /// the new generation, or `None` when another browser holds the re-key.
    async fn rekey_share(&self, meta: &ShareMeta, now_ms: i64) -> Result<Option<u64>> {
        if !self.inner.api.claim_rekey(meta.id).await?.granted {
            return Ok(None);
        }
        let list = pin_of(meta).ok_or(VaultError::Missing)?;
        let keep: BTreeSet<uuid::Uuid> = meta.principals.iter().map(|p| p.id).collect();
        let entries: Vec<_> = (list.0.entries.iter())
            .filter(|e| matches!(e.kind, EntryKind::Account | EntryKind::Group))
            .filter(|e| e.role == ListRole::Owner || keep.contains(&e.id))
            .copied()
            .collect();
        let accounts: Vec<AccountId> = (entries.iter())
            .filter(|e| e.kind == EntryKind::Account)
            .map(|e| AccountId(e.id))
            .collect();
        self.pin_unknown(&accounts, now_ms).await?;
        // Each group keeps the share through its current key, verified from its lists; a
        // group still waiting for its own next key (someone was taken out of it) holds the
        // re-key back, so that the new share key never reaches them through the old one.
        let mut groups = Vec::new();
        if entries.iter().any(|e| e.kind == EntryKind::Group) {
            let known = self.company_groups(now_ms).await?;
            for entry in entries.iter().filter(|e| e.kind == EntryKind::Group) {
                let group = (known.iter())
                    .find(|g| g.id.0 == entry.id && !g.stale)
                    .ok_or_else(|| {
                        VaultError::Invalid(
                            "A group on this shared folder waits for its next key.".to_owned(),
                        )
                    })?;
                groups.push(group.target.clone());
            }
        }
        let next = AccessListBody {
            epoch: list.0.epoch + 1,
            generation: list.0.generation + 1,
            generation_id: uuid::Uuid::now_v7(),
            entries,
            ..list.0.clone()
        };
        let key = make_symmetric_key();
        let me = &self.inner.keys;
        let mut wrappings = Vec::with_capacity(accounts.len());
        for account in &accounts {
            let public = if *account == me.account_id {
                me.encryption_key.public_key()
            } else {
                let pin = self.contact(*account).ok_or_else(|| {
                    VaultError::Invalid(
                        "The keys of someone on this shared folder are not known here.".to_owned(),
                    )
                })?;
                public_key_of(&pin).map_err(|e| VaultError::Invalid(e.to_string()))?
            };
            wrappings.push(wrap_share_key(
                me,
                &key,
                (next.generation, next.generation_id),
                *account,
                &public,
            ));
        }
        for group in &groups {
            wrappings.push(wrap_key(
                me,
                (Purpose::ShareKey, &key),
                (next.generation, next.generation_id),
                Recipient {
                    id: group.id.0,
                    kind: EntryKind::Group,
                    generation: group.generation,
                },
                &group.public,
            ));
        }
        let generation = next.generation;
        let request = NewGenerationRequest {
            list: sign_list(me, next),
            wrappings,
        };
        self.inner.api.new_generation(meta.id, &request).await?;
        // Open the new generation from what the server serves now, then seal the name and
        // everything else again.
        self.sync_shares(now_ms).await?;
        let name = match self.area(meta.id.into()) {
            Some(super::Area::Shared(shared)) => shared.name,
            _ => return Err(VaultError::Missing),
        };
        let version = meta.name_version + 1;
        let bound = u64::try_from(version).map_err(|_| VaultError::Missing)?;
        let sealed = super::seal::seal_name(&key, &name_binding(meta.id, bound), &name);
        let rename = RenameShareRequest {
            sealed_name: shared_types::Base64Bytes(sealed.into_bytes()),
            name_version: version,
        };
        self.inner.api.rename_share(meta.id, &rename).await?;
        self.reseal_share(meta.id, now_ms).await?;
        Ok(Some(generation))
    }

    /// Seals every record of `share` held here again under its current key: each item with a
    /// new item key (its past versions sealed again under it as new records, the old ones
    /// deleted), each folder at its next version. One transaction; the changes go out with the
    /// next push.
    async fn reseal_share(&self, share: ShareId, now_ms: i64) -> Result<()> {
        let container = ContainerId::from(share);
        let key = self.key_of(container)?;
        let mut batch = Batch::new();
        let mut items = Vec::new();
        let mut folders = Vec::new();
        for prefix in ["i:", "f:"] {
            for (_, bytes) in self.inner.cache.get_prefix(Store::Records, prefix).await? {
                let Ok(record) = from_bytes::<VaultRecord>(&bytes) else {
                    continue;
                };
                if record.container_id != container || record.data.is_none() {
                    continue;
                }
                let base = self.pending_base(record.id, record.revision).await?;
                let version = record.version + 1;
                let place = store::Place {
                    id: record.id,
                    kind: record.kind,
                    container_id: container,
                    parent_id: None,
                };
                match record.kind {
                    RecordKind::Item => {
                        let Some(Ok((old_item_key, data))) =
                            self.open_in(container, |k| seal::open_item(k, &record))
                        else {
                            continue;
                        };
                        let item_key = self
                            .rekey_history(&mut batch, &record, &old_item_key, container, now_ms)
                            .await?;
                        let sealed =
                            seal::seal_item(&key, container, record.id, &item_key, &data, version)?;
                        let again =
                            store::local_record(place, sealed.key, sealed.data, version, now_ms);
                        batch.record(&again, base)?;
                        items.push((record.id, ItemSummary::of(&data, version)));
                    }
                    RecordKind::Folder => {
                        let Some(Ok(folder)) =
                            self.open_in(container, |k| seal::open_folder(k, &record))
                        else {
                            continue;
                        };
                        let data = seal::seal_folder(&key, container, record.id, &folder, version)?;
                        let again = store::local_record(place, None, data, version, now_ms);
                        batch.record(&again, base)?;
                        folders.push((record.id, FolderEntry::of(&folder, version)));
                    }
                    RecordKind::History | RecordKind::Trust => {}
                }
            }
        }
        self.update_index(&mut batch.writes, |containers| {
            if let Some(c) = containers.iter_mut().find(|c| c.id == container) {
                c.index.items.extend(items);
                c.index.folders.extend(folders);
            }
            vec![container]
        })?;
        self.inner.cache.write(batch.writes).await?;
        Ok(())
    }
}
