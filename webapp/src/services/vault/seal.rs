//! Turns opened vault content into sealed records and back. The one place that knows which key
//! and which binding each kind of record uses:
//! - an item is sealed with its own random key, bound to (item id, profile id); the item key is
//!   wrapped by the profile key, bound the same way. Moving an item to the other profile
//!   re-wraps its key and re-seals it under the new binding;
//! - a past version is sealed with its item's key, bound to (version id, item id), so it still
//!   opens after the item moved and cannot be attached to another item;
//! - a folder is sealed with its profile key, bound to (folder id, profile id);
//! - the browser's local index of a profile is sealed with the profile key too.

use serde::Serialize;
use serde::de::DeserializeOwned;
use shared_types::vault::{MAX_RECORD_BYTES, RecordKind, VaultRecord};
use shared_types::{Base64Bytes, ContainerId, ProfileId, RecordId};
use wasm_crypto::{Binding, Purpose, SealedData, SymmetricKey, WrappedKey};
use zeroize::Zeroizing;

use super::model::{FolderData, HistoryData, ItemData};

/// The largest plaintext an item may have; with the sealing overhead it stays under the server's
/// limit for a record.
pub const MAX_PLAINTEXT_BYTES: usize = MAX_RECORD_BYTES - 1024;

/// Why a record could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The content is larger than a record may be.
    #[error(
        "This item is too large to save ({size_kib} KiB; the limit is {limit_kib} KiB). Shorten its notes or fields, or keep large files elsewhere."
    )]
    TooLarge {
        /// The item's size.
        size_kib: usize,
        /// The limit.
        limit_kib: usize,
    },
    /// The record does not open: damaged, altered, or sealed under another key.
    #[error("This record cannot be opened: it is damaged or was altered.")]
    Damaged,
    /// A record of the wrong kind or shape.
    #[error("This record is not of the expected kind.")]
    WrongKind,
}

fn to_json(value: &impl Serialize) -> Result<Zeroizing<Vec<u8>>, SealError> {
    let bytes = Zeroizing::new(serde_json::to_vec(value).map_err(|_| SealError::WrongKind)?);
    if bytes.len() > MAX_PLAINTEXT_BYTES {
        return Err(SealError::TooLarge {
            size_kib: bytes.len().div_ceil(1024),
            limit_kib: MAX_PLAINTEXT_BYTES / 1024,
        });
    }
    Ok(bytes)
}

fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, SealError> {
    serde_json::from_slice(bytes).map_err(|_| SealError::Damaged)
}

fn item_binding(purpose: Purpose, item: RecordId, container: ContainerId) -> Binding {
    Binding::new(purpose, item.0, container.0)
}

fn sealed(data: &Option<Base64Bytes>) -> Result<SealedData, SealError> {
    let bytes = data.as_ref().ok_or(SealError::WrongKind)?;
    SealedData::from_bytes(bytes.0.clone()).map_err(|_| SealError::Damaged)
}

fn open_json<T: DeserializeOwned>(
    key: &SymmetricKey,
    binding: &Binding,
    data: &Option<Base64Bytes>,
) -> Result<T, SealError> {
    let plain = wasm_crypto::open(key, binding, &sealed(data)?).map_err(|_| SealError::Damaged)?;
    from_json(&plain)
}

/// The sealed parts of a record: its wrapped key (items only) and its data.
pub struct Sealed {
    /// The item key wrapped by the profile key.
    pub key: Option<Base64Bytes>,
    /// The sealed content.
    pub data: Base64Bytes,
}

/// Seals an item's content under `item_key` for `container`, and wraps the key.
pub fn seal_item(
    profile_key: &SymmetricKey,
    container: impl Into<ContainerId>,
    id: RecordId,
    item_key: &SymmetricKey,
    item: &ItemData,
) -> Result<Sealed, SealError> {
    let container = container.into();
    let plain = to_json(item)?;
    let data = wasm_crypto::seal(
        item_key,
        &item_binding(Purpose::Item, id, container),
        &plain,
    );
    let key = wasm_crypto::wrap(
        profile_key,
        &item_binding(Purpose::ItemKey, id, container),
        item_key,
    );
    Ok(Sealed {
        key: Some(Base64Bytes(key.into_bytes())),
        data: Base64Bytes(data.into_bytes()),
    })
}

/// Opens an item record with its profile's key: the item key and the content.
pub fn open_item(
    profile_key: &SymmetricKey,
    record: &VaultRecord,
) -> Result<(SymmetricKey, ItemData), SealError> {
    if record.kind != RecordKind::Item {
        return Err(SealError::WrongKind);
    }
    let wrapped = record.key.as_ref().ok_or(SealError::WrongKind)?;
    let wrapped = WrappedKey::from_bytes(wrapped.0.clone()).map_err(|_| SealError::Damaged)?;
    let item_key: SymmetricKey = wasm_crypto::unwrap(
        profile_key,
        &item_binding(Purpose::ItemKey, record.id, record.container_id),
        &wrapped,
    )
    .map_err(|_| SealError::Damaged)?;
    let item = open_json(
        &item_key,
        &item_binding(Purpose::Item, record.id, record.container_id),
        &record.data,
    )?;
    Ok((item_key, item))
}

fn history_binding(version: RecordId, item: RecordId) -> Binding {
    Binding::new(Purpose::ItemHistory, version.0, item.0)
}

/// Seals a past version of item `item` under the item's key.
pub fn seal_history(
    item_key: &SymmetricKey,
    item: RecordId,
    version: RecordId,
    history: &HistoryData,
) -> Result<Base64Bytes, SealError> {
    let plain = to_json(history)?;
    let data = wasm_crypto::seal(item_key, &history_binding(version, item), &plain);
    Ok(Base64Bytes(data.into_bytes()))
}

/// Opens a past version with its item's key.
pub fn open_history(
    item_key: &SymmetricKey,
    record: &VaultRecord,
) -> Result<HistoryData, SealError> {
    let item = match (record.kind, record.parent_id) {
        (RecordKind::History, Some(item)) => item,
        _ => return Err(SealError::WrongKind),
    };
    open_json(item_key, &history_binding(record.id, item), &record.data)
}

fn folder_binding(folder: RecordId, container: ContainerId) -> Binding {
    Binding::new(Purpose::FolderName, folder.0, container.0)
}

/// Seals a folder under its profile's key.
pub fn seal_folder(
    profile_key: &SymmetricKey,
    container: impl Into<ContainerId>,
    id: RecordId,
    folder: &FolderData,
) -> Result<Base64Bytes, SealError> {
    let plain = to_json(folder)?;
    let data = wasm_crypto::seal(profile_key, &folder_binding(id, container.into()), &plain);
    Ok(Base64Bytes(data.into_bytes()))
}

/// Opens a folder record with its profile's key.
pub fn open_folder(
    profile_key: &SymmetricKey,
    record: &VaultRecord,
) -> Result<FolderData, SealError> {
    if record.kind != RecordKind::Folder {
        return Err(SealError::WrongKind);
    }
    open_json(
        profile_key,
        &folder_binding(record.id, record.container_id),
        &record.data,
    )
}

fn index_binding(profile: ProfileId) -> Binding {
    Binding::new(Purpose::ProfileIndex, profile.0, profile.0)
}

/// Seals this browser's index of a profile (never sent to the server). The index is written in
/// postcard, a compact binary form: it is several megabytes of JSON for 10,000 items, and
/// reading it is on the path from "Unlock" to the list. It is a local cache: one that does not
/// read back is rebuilt from the records.
pub fn seal_index(
    profile_key: &SymmetricKey,
    profile: ProfileId,
    index: &impl Serialize,
) -> Result<Vec<u8>, SealError> {
    let plain = Zeroizing::new(postcard::to_allocvec(index).map_err(|_| SealError::WrongKind)?);
    Ok(wasm_crypto::seal(profile_key, &index_binding(profile), &plain).into_bytes())
}

/// Opens this browser's index of a profile.
pub fn open_index<T: DeserializeOwned>(
    profile_key: &SymmetricKey,
    profile: ProfileId,
    bytes: Vec<u8>,
) -> Result<T, SealError> {
    let sealed = SealedData::from_bytes(bytes).map_err(|_| SealError::Damaged)?;
    let plain = wasm_crypto::open(profile_key, &index_binding(profile), &sealed)
        .map_err(|_| SealError::Damaged)?;
    postcard::from_bytes(&plain).map_err(|_| SealError::Damaged)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::services::vault::model::{HistoryReason, ItemKind};
    use wasm_crypto::make_symmetric_key;

    fn record(
        kind: RecordKind,
        id: RecordId,
        profile: ProfileId,
        parent: Option<RecordId>,
        key: Option<Base64Bytes>,
        data: Base64Bytes,
    ) -> VaultRecord {
        VaultRecord {
            id,
            kind,
            container_id: profile.into(),
            parent_id: parent,
            revision: 1,
            key,
            data: Some(data),
            updated_at: 0,
        }
    }

    fn login() -> ItemData {
        let mut item = ItemData::new(ItemKind::Login, 5);
        item.title = "Bank".into();
        item.urls = vec!["https://bank.example".into()];
        item.set_field("password", "s3cret".into());
        item
    }

    #[test]
    fn an_item_opens_only_in_its_own_place() {
        let (pk, other_pk) = (make_symmetric_key(), make_symmetric_key());
        let (profile, other_profile) = (ProfileId::new_v7(), ProfileId::new_v7());
        let (id, other_id) = (RecordId::new_v7(), RecordId::new_v7());
        let item_key = make_symmetric_key();
        let sealed = seal_item(&pk, profile, id, &item_key, &login()).unwrap();
        let good = record(
            RecordKind::Item,
            id,
            profile,
            None,
            sealed.key.clone(),
            sealed.data.clone(),
        );
        let (key, opened) = open_item(&pk, &good).unwrap();
        assert!(key == item_key);
        assert!(opened == login());
        // Wrong profile key, another profile id, another item id: all refused.
        assert_eq!(open_item(&other_pk, &good).err(), Some(SealError::Damaged));
        let mut moved = good.clone();
        moved.container_id = other_profile.into();
        assert_eq!(open_item(&pk, &moved).err(), Some(SealError::Damaged));
        let mut renamed = good.clone();
        renamed.id = other_id;
        assert_eq!(open_item(&pk, &renamed).err(), Some(SealError::Damaged));
        let mut flipped = good.clone();
        if let Some(data) = flipped.data.as_mut() {
            let last = data.0.len() - 1;
            data.0[last] ^= 1;
        }
        assert_eq!(open_item(&pk, &flipped).err(), Some(SealError::Damaged));
    }

    #[test]
    fn history_follows_the_item_key_and_not_another_item() {
        let item_key = make_symmetric_key();
        let (item, other_item, version) =
            (RecordId::new_v7(), RecordId::new_v7(), RecordId::new_v7());
        let history = HistoryData {
            item: login(),
            replaced_at: 9,
            reason: HistoryReason::Edit,
        };
        let data = seal_history(&item_key, item, version, &history).unwrap();
        let rec = record(
            RecordKind::History,
            version,
            ProfileId::new_v7(),
            Some(item),
            None,
            data,
        );
        assert!(open_history(&item_key, &rec).unwrap() == history);
        let mut elsewhere = rec.clone();
        elsewhere.parent_id = Some(other_item);
        assert_eq!(
            open_history(&item_key, &elsewhere).err(),
            Some(SealError::Damaged)
        );
    }

    #[test]
    fn folders_open_with_their_profile_key() {
        let pk = make_symmetric_key();
        let (profile, id) = (ProfileId::new_v7(), RecordId::new_v7());
        let folder = FolderData {
            name: "Clients".into(),
            parent: None,
        };
        let data = seal_folder(&pk, profile, id, &folder).unwrap();
        let rec = record(RecordKind::Folder, id, profile, None, None, data);
        assert!(open_folder(&pk, &rec).unwrap() == folder);
        assert_eq!(
            open_folder(&make_symmetric_key(), &rec).err(),
            Some(SealError::Damaged)
        );
    }

    #[test]
    fn an_oversized_item_is_refused_before_sealing() {
        let mut item = login();
        item.notes = "x".repeat(MAX_PLAINTEXT_BYTES);
        let err = seal_item(
            &make_symmetric_key(),
            ProfileId::new_v7(),
            RecordId::new_v7(),
            &make_symmetric_key(),
            &item,
        )
        .err()
        .unwrap();
        assert!(matches!(err, SealError::TooLarge { .. }));
        assert!(err.to_string().contains("too large"));
    }
}
