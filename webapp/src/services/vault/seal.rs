//! Turns opened vault content into sealed records and back. The one place that knows which key
//! and which binding each kind of record uses:
//! - an item is sealed with its own random key, bound to (item id, profile id); the item key is
//!   wrapped by the profile key, bound the same way. Moving an item to the other profile
//!   re-wraps its key and re-seals it under the new binding;
//! - a past version is sealed with its item's key, bound to (version id, item id), so it still
//!   opens after the item moved and cannot be attached to another item;
//! - a folder is sealed with its profile key, bound to (folder id, profile id);
//! - the browser's local index of a profile is sealed with the profile key too;
//! - the content of items, folders and past versions is bound to the record's version as well,
//!   so an older content cannot be served as a newer one (version 0: sealed before versions);
//! - a deletion is a mark sealed with the container's key, bound to (record id, container id),
//!   holding the record's kind and version: a server without the key cannot make one, nor move
//!   one to another record or container, and an old mark is older than the record it would
//!   delete.

use serde::Serialize;
use serde::de::DeserializeOwned;
use shared_types::vault::{MAX_RECORD_BYTES, RecordKind, VaultRecord};
use shared_types::{Base64Bytes, ContainerId, RecordId};
use wasm_crypto::{Binding, Purpose, SealedData, SymmetricKey, WrappedKey};
use zeroize::Zeroizing;

use super::model::{FolderData, HistoryData, ItemData};
use crate::services::sharing::trust::TrustData;

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

/// The smallest size an item's or a past version's plaintext is padded to: every item of a
/// usual size, whatever its type or the length of its password, seals to the same size.
pub const ITEM_PAD_FLOOR: usize = 1024;
/// The smallest size a folder's plaintext is padded to (folder names).
pub const FOLDER_PAD_FLOOR: usize = 256;

/// The smallest size a share's or a group's name is padded to.
pub const NAME_PAD_FLOOR: usize = 256;
/// The largest: a sealed name may be 1 KiB (the server's limit), so longer names (rare) are
/// sealed as they are.
pub const NAME_PAD_CEILING: usize = 512;

/// Pads JSON plaintext with trailing spaces (which JSON ignores, so records sealed before
/// padding and after open alike) to the next power of two from `floor`, never beyond
/// [`MAX_PLAINTEXT_BYTES`]: the server sees sizes in these buckets only.
fn padded(plain: Zeroizing<Vec<u8>>, floor: usize) -> Zeroizing<Vec<u8>> {
    padded_with(plain, (floor, MAX_PLAINTEXT_BYTES), b' ')
}

/// [`padded`] between `floor` and `ceiling`, with `fill` bytes.
fn padded_with(
    plain: Zeroizing<Vec<u8>>,
    (floor, ceiling): (usize, usize),
    fill: u8,
) -> Zeroizing<Vec<u8>> {
    let target = plain
        .len()
        .max(floor)
        .next_power_of_two()
        .min(ceiling)
        .max(plain.len());
    // A buffer of the final size from the start: growing one would leave copies of the
    // plaintext behind, unzeroed.
    let mut out = Zeroizing::new(Vec::with_capacity(target));
    out.extend_from_slice(&plain);
    out.resize(target, fill);
    out
}

/// Seals a share's or a group's name under `binding`, padded with NUL bytes (which no name
/// holds: they are taken out first) to the next power of two from [`NAME_PAD_FLOOR`], so the
/// server cannot tell names apart by length.
pub fn seal_name(key: &SymmetricKey, binding: &Binding, name: &str) -> SealedData {
    let clean: String = name.chars().filter(|c| *c != '\0').collect();
    let plain = padded_with(
        Zeroizing::new(clean.into_bytes()),
        (NAME_PAD_FLOOR, NAME_PAD_CEILING),
        0,
    );
    wasm_crypto::seal(key, binding, &plain)
}

/// Opens a name sealed by [`seal_name`] (or before names were padded, which opens alike).
pub fn open_name(key: &SymmetricKey, binding: &Binding, sealed: &SealedData) -> Option<String> {
    let plain = wasm_crypto::open(key, binding, sealed).ok()?;
    let end = plain
        .iter()
        .rposition(|b| *b != 0)
        .map_or(0, |last| last + 1);
    String::from_utf8(plain[..end].to_vec()).ok()
}

fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, SealError> {
    serde_json::from_slice(bytes).map_err(|_| SealError::Damaged)
}

fn item_binding(purpose: Purpose, item: RecordId, container: ContainerId) -> Binding {
    Binding::new(purpose, item.0, container.0)
}

/// A record's version as bound into its content's associated data.
fn bound_version(version: i64) -> Result<u64, SealError> {
    u64::try_from(version).map_err(|_| SealError::Damaged)
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

/// Seals version `version` of an item's content under `item_key` for `container`, and wraps
/// the key.
pub fn seal_item(
    profile_key: &SymmetricKey,
    container: impl Into<ContainerId>,
    id: RecordId,
    item_key: &SymmetricKey,
    item: &ItemData,
    version: i64,
) -> Result<Sealed, SealError> {
    let container = container.into();
    let plain = padded(to_json(item)?, ITEM_PAD_FLOOR);
    let data = wasm_crypto::seal(
        item_key,
        &item_binding(Purpose::Item, id, container).at_version(bound_version(version)?),
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
        &item_binding(Purpose::Item, record.id, record.container_id)
            .at_version(bound_version(record.version)?),
        &record.data,
    )?;
    Ok((item_key, item))
}

fn history_binding(past: RecordId, item: RecordId, version: i64) -> Result<Binding, SealError> {
    Ok(Binding::new(Purpose::ItemHistory, past.0, item.0).at_version(bound_version(version)?))
}

/// Seals past version `past` of item `item` under the item's key, as the record's version
/// `version`.
pub fn seal_history(
    item_key: &SymmetricKey,
    item: RecordId,
    past: RecordId,
    history: &HistoryData,
    version: i64,
) -> Result<Base64Bytes, SealError> {
    let plain = padded(to_json(history)?, ITEM_PAD_FLOOR);
    let data = wasm_crypto::seal(item_key, &history_binding(past, item, version)?, &plain);
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
    open_json(
        item_key,
        &history_binding(record.id, item, record.version)?,
        &record.data,
    )
}

fn folder_binding(
    folder: RecordId,
    container: ContainerId,
    version: i64,
) -> Result<Binding, SealError> {
    Ok(
        Binding::new(Purpose::FolderName, folder.0, container.0)
            .at_version(bound_version(version)?),
    )
}

/// Seals version `version` of a folder under its profile's key.
pub fn seal_folder(
    profile_key: &SymmetricKey,
    container: impl Into<ContainerId>,
    id: RecordId,
    folder: &FolderData,
    version: i64,
) -> Result<Base64Bytes, SealError> {
    let plain = padded(to_json(folder)?, FOLDER_PAD_FLOOR);
    let binding = folder_binding(id, container.into(), version)?;
    let data = wasm_crypto::seal(profile_key, &binding, &plain);
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
        &folder_binding(record.id, record.container_id, record.version)?,
        &record.data,
    )
}

fn trust_binding(id: RecordId, container: ContainerId, version: i64) -> Result<Binding, SealError> {
    Ok(Binding::new(Purpose::TrustRecord, id.0, container.0).at_version(bound_version(version)?))
}

/// Seals version `version` of a trust record under the Personal profile's key.
pub fn seal_trust(
    personal_key: &SymmetricKey,
    container: impl Into<ContainerId>,
    id: RecordId,
    trust: &TrustData,
    version: i64,
) -> Result<Base64Bytes, SealError> {
    let plain = to_json(trust)?;
    let binding = trust_binding(id, container.into(), version)?;
    Ok(Base64Bytes(
        wasm_crypto::seal(personal_key, &binding, &plain).into_bytes(),
    ))
}

/// Opens a trust record with the Personal profile's key.
pub fn open_trust(
    personal_key: &SymmetricKey,
    record: &VaultRecord,
) -> Result<TrustData, SealError> {
    if record.kind != RecordKind::Trust {
        return Err(SealError::WrongKind);
    }
    open_json(
        personal_key,
        &trust_binding(record.id, record.container_id, record.version)?,
        &record.data,
    )
}

fn mark_binding(id: RecordId, container: ContainerId) -> Binding {
    Binding::new(Purpose::RecordDeletion, id.0, container.0)
}

/// A record kind as one byte, in deletion marks and checkpoints.
pub(super) fn kind_byte(kind: RecordKind) -> u8 {
    match kind {
        RecordKind::Item => 1,
        RecordKind::Folder => 2,
        RecordKind::History => 3,
        RecordKind::Trust => 4,
    }
}

/// Seals the mark that deletes record `id` of `kind` from `container` at `version` (or that
/// the record left `container` for another), with the container's key.
pub fn seal_mark(
    container_key: &SymmetricKey,
    kind: RecordKind,
    id: RecordId,
    container: ContainerId,
    version: i64,
) -> Result<Base64Bytes, SealError> {
    let mut plain = vec![kind_byte(kind)];
    plain.extend_from_slice(&bound_version(version)?.to_be_bytes());
    let mark = wasm_crypto::seal(container_key, &mark_binding(id, container), &plain);
    Ok(Base64Bytes(mark.into_bytes()))
}

/// Opens a tombstone's deletion mark with its container's key: the version it deletes at. A
/// tombstone without a mark, with a mark made for another record, container or kind, or with a
/// damaged one, was not made by a key holder.
pub fn open_mark(container_key: &SymmetricKey, tombstone: &VaultRecord) -> Result<i64, SealError> {
    let sealed = sealed(&tombstone.mark)?;
    let plain = wasm_crypto::open(
        container_key,
        &mark_binding(tombstone.id, tombstone.container_id),
        &sealed,
    )
    .map_err(|_| SealError::Damaged)?;
    match plain.as_slice() {
        [kind, version @ ..] if *kind == kind_byte(tombstone.kind) => {
            let version = <[u8; 8]>::try_from(version).map_err(|_| SealError::Damaged)?;
            i64::try_from(u64::from_be_bytes(version)).map_err(|_| SealError::Damaged)
        }
        _ => Err(SealError::WrongKind),
    }
}

/// The layout of the index this release writes. An index of another layout does not open and
/// is rebuilt from the records (2: the entries list their record's version).
const INDEX_LAYOUT: u64 = 2;

fn index_binding(container: ContainerId) -> Binding {
    Binding::new(Purpose::ProfileIndex, container.0, container.0).at_version(INDEX_LAYOUT)
}

/// Seals this browser's index of a container (never sent to the server). The index is written in
/// postcard, a compact binary form: it is several megabytes of JSON for 10,000 items, and
/// reading it is on the path from "Unlock" to the list. It is a local cache: one that does not
/// read back is rebuilt from the records.
pub fn seal_index(
    container_key: &SymmetricKey,
    container: ContainerId,
    index: &impl Serialize,
) -> Result<Vec<u8>, SealError> {
    let plain = Zeroizing::new(postcard::to_allocvec(index).map_err(|_| SealError::WrongKind)?);
    Ok(wasm_crypto::seal(container_key, &index_binding(container), &plain).into_bytes())
}

/// Opens this browser's index of a container.
pub fn open_index<T: DeserializeOwned>(
    container_key: &SymmetricKey,
    container: ContainerId,
    bytes: Vec<u8>,
) -> Result<T, SealError> {
    let sealed = SealedData::from_bytes(bytes).map_err(|_| SealError::Damaged)?;
    let plain = wasm_crypto::open(container_key, &index_binding(container), &sealed)
        .map_err(|_| SealError::Damaged)?;
    postcard::from_bytes(&plain).map_err(|_| SealError::Damaged)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::services::vault::model::{HistoryReason, ItemKind};
    use shared_types::ProfileId;
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
            version: 1,
            mark: None,
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

    /// The sealed size of an item's content.
    fn sealed_size(item: &ItemData) -> usize {
        let sealed = seal_item(
            &make_symmetric_key(),
            ProfileId::new_v7(),
            RecordId::new_v7(),
            &make_symmetric_key(),
            item,
            1,
        );
        sealed.unwrap().data.0.len()
    }

    #[test]
    fn sizes_tell_neither_item_types_nor_password_lengths_apart() {
        let short = login();
        let mut long = login();
        long.set_field("password", "x".repeat(64));
        let mut card = ItemData::new(ItemKind::CreditCard, 5);
        card.title = "Company card".into();
        for (field, value) in [
            ("cardholder", "Ann Example"),
            ("number", "4111111111111111"),
            ("expiry", "12/29"),
            ("security_code", "123"),
        ] {
            card.set_field(field, value.into());
        }
        let mut note = ItemData::new(ItemKind::SecureNote, 5);
        note.title = "Alarm".into();
        note.notes = "Code 4321, then the green key.".into();
        let sizes: Vec<usize> = [&short, &long, &card, &note]
            .into_iter()
            .map(sealed_size)
            .collect();
        assert!(sizes.iter().all(|s| *s == sizes[0]), "{sizes:?}");
        // Larger content goes to the next bucket, a power of two.
        let mut big = login();
        big.notes = "n".repeat(1500);
        assert_eq!(sealed_size(&big) - sizes[0], ITEM_PAD_FLOOR);
        // Folder names of any usual length seal alike.
        let pk = make_symmetric_key();
        let folder = |name: &str| {
            let data = FolderData {
                name: name.into(),
                parent: None,
            };
            seal_folder(&pk, ProfileId::new_v7(), RecordId::new_v7(), &data, 1)
                .unwrap()
                .0
                .len()
        };
        assert_eq!(
            folder("HR"),
            folder("Customer network equipment, second floor")
        );
    }

    #[test]
    fn share_and_group_names_seal_alike_and_open_as_typed() {
        let key = make_symmetric_key();
        let binding = Binding::new(
            Purpose::ShareName,
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
        );
        let size = |name: &str| seal_name(&key, &binding, name).as_bytes().len();
        assert_eq!(
            size("HR"),
            size("Customer network equipment, second floor, rack B")
        );
        assert!(
            size(&"n".repeat(300)) > size("HR"),
            "a longer name: the next bucket"
        );
        assert_eq!(
            size(&"n".repeat(700)),
            size("") - NAME_PAD_FLOOR + 700,
            "none beyond the ceiling"
        );
        assert!(size(&"n".repeat(900)) <= 1024, "the server's limit");
        for name in ["HR", "Ops  ", "Ünïcødé 🔑"] {
            let sealed = seal_name(&key, &binding, name);
            assert_eq!(open_name(&key, &binding, &sealed).as_deref(), Some(name));
        }
        let with_nul = seal_name(&key, &binding, "a\0b");
        assert_eq!(open_name(&key, &binding, &with_nul).as_deref(), Some("ab"));
        // Names sealed before padding open alike.
        let unpadded = wasm_crypto::seal(&key, &binding, b"Finance");
        assert_eq!(
            open_name(&key, &binding, &unpadded).as_deref(),
            Some("Finance")
        );
        let other = Binding::new(Purpose::GroupName, binding.object_id, binding.container_id);
        assert_eq!(open_name(&key, &other, &unpadded), None);
    }

    #[test]
    fn content_sealed_before_padding_still_opens() {
        let (pk, item_key) = (make_symmetric_key(), make_symmetric_key());
        let (profile, id) = (ProfileId::new_v7(), RecordId::new_v7());
        let mut sealed = seal_item(&pk, profile, id, &item_key, &login(), 1).unwrap();
        let unpadded = wasm_crypto::seal(
            &item_key,
            &item_binding(Purpose::Item, id, profile.into()).at_version(1),
            &serde_json::to_vec(&login()).unwrap(),
        );
        assert!(unpadded.as_bytes().len() < sealed.data.0.len());
        sealed.data = Base64Bytes(unpadded.into_bytes());
        let old = record(RecordKind::Item, id, profile, None, sealed.key, sealed.data);
        assert!(open_item(&pk, &old).unwrap().1 == login());
    }

    #[test]
    fn an_item_opens_only_in_its_own_place() {
        let (pk, other_pk) = (make_symmetric_key(), make_symmetric_key());
        let (profile, other_profile) = (ProfileId::new_v7(), ProfileId::new_v7());
        let (id, other_id) = (RecordId::new_v7(), RecordId::new_v7());
        let item_key = make_symmetric_key();
        let sealed = seal_item(&pk, profile, id, &item_key, &login(), 1).unwrap();
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
    fn content_opens_only_as_the_version_it_was_sealed_as() {
        let (pk, item_key) = (make_symmetric_key(), make_symmetric_key());
        let (profile, id) = (ProfileId::new_v7(), RecordId::new_v7());
        let sealed = seal_item(&pk, profile, id, &item_key, &login(), 2).unwrap();
        let mut item = record(RecordKind::Item, id, profile, None, sealed.key, sealed.data);
        item.version = 2;
        assert!(open_item(&pk, &item).is_ok());
        let folder = FolderData {
            name: "Clients".into(),
            parent: None,
        };
        let data = seal_folder(&pk, profile, id, &folder, 2).unwrap();
        let mut folder_record = record(RecordKind::Folder, id, profile, None, None, data);
        folder_record.version = 2;
        assert!(open_folder(&pk, &folder_record).is_ok());
        // Served as a newer (or older) version than it is, it does not open.
        for version in [0, 1, 3, -1] {
            item.version = version;
            assert_eq!(open_item(&pk, &item).err(), Some(SealError::Damaged));
            folder_record.version = version;
            assert_eq!(
                open_folder(&pk, &folder_record).err(),
                Some(SealError::Damaged)
            );
        }
    }

    #[test]
    fn a_deletion_mark_opens_only_for_its_record_container_and_kind() {
        let pk = make_symmetric_key();
        let (profile, id) = (ProfileId::new_v7(), RecordId::new_v7());
        let container = ContainerId::from(profile);
        let mark = seal_mark(&pk, RecordKind::Item, id, container, 7).unwrap();
        let mut tombstone = record(
            RecordKind::Item,
            id,
            profile,
            None,
            None,
            Base64Bytes(vec![]),
        );
        tombstone.data = None;
        tombstone.mark = Some(mark);
        assert_eq!(open_mark(&pk, &tombstone), Ok(7));
        assert_eq!(
            open_mark(&make_symmetric_key(), &tombstone),
            Err(SealError::Damaged)
        );
        let mut elsewhere = tombstone.clone();
        elsewhere.container_id = ContainerId::new_v7();
        assert_eq!(open_mark(&pk, &elsewhere), Err(SealError::Damaged));
        let mut other = tombstone.clone();
        other.id = RecordId::new_v7();
        assert_eq!(open_mark(&pk, &other), Err(SealError::Damaged));
        let mut folder = tombstone.clone();
        folder.kind = RecordKind::Folder;
        assert_eq!(open_mark(&pk, &folder), Err(SealError::WrongKind));
        let mut bare = tombstone;
        bare.mark = None;
        assert_eq!(open_mark(&pk, &bare), Err(SealError::WrongKind));
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
        let data = seal_history(&item_key, item, version, &history, 1).unwrap();
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
        let data = seal_folder(&pk, profile, id, &folder, 1).unwrap();
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
            1,
        )
        .err()
        .unwrap();
        assert!(matches!(err, SealError::TooLarge { .. }));
        assert!(err.to_string().contains("too large"));
    }
}
