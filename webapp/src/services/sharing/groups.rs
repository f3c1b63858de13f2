//! Making and changing a group in a manager's browser: a new X25519 key pair per generation,
//! its lists signed here, its private key wrapped to each person whose keys are pinned here,
//! and its name sealed with the company's directory key (so that everyone in the company who
//! may share with the group can read its name, not only its people).
//!
//! Nothing is wrapped to keys that are not pinned: whoever calls these looks people up first.

use shared_types::sharing::{
    AccessListBody, CreateGroupRequest, EntryKind, KeyWrapping, ListEntry, ListKind, ListRole,
};
use shared_types::{AccountId, Base64Bytes, CompanyId, GroupId};
use uuid::Uuid;
use wasm_crypto::{Binding, EncryptionPrivateKey, Purpose, SymmetricKey, make_encryption_key};

use super::making::{MakeError, Recipient, public_key_of, sign_list, wrap_key};
use super::trust::ContactPin;
use crate::services::keys::VaultKeys;

/// A group made or re-keyed here, before it is sent.
pub struct NewGroup {
    /// What `POST /api/companies/{company_id}/groups` takes.
    pub request: CreateGroupRequest,
    /// The group's private key of the new generation.
    pub key: EncryptionPrivateKey,
}

/// The binding a group's name is sealed with (under the company's directory key).
pub fn group_name_binding(company: CompanyId, group: GroupId, version: u64) -> Binding {
    Binding::new(Purpose::GroupName, group.0, company.0).at_version(version)
}

/// `name` sealed for `group` at `version`.
pub fn seal_group_name(
    directory_key: &SymmetricKey,
    company: CompanyId,
    group: GroupId,
    version: u64,
    name: &str,
) -> Base64Bytes {
    let sealed = crate::services::vault::seal::seal_name(
        directory_key,
        &group_name_binding(company, group, version),
        name,
    );
    Base64Bytes(sealed.into_bytes())
}

/// The group key `key` of `(generation, generation_id)` wrapped to `account`.
pub fn wrap_group_key(
    me: &VaultKeys,
    key: &EncryptionPrivateKey,
    generation: (u64, Uuid),
    account: AccountId,
    public: &wasm_crypto::EncryptionPublicKey,
) -> KeyWrapping {
    wrap_key(
        me,
        (Purpose::GroupPrivateKey, key),
        generation,
        Recipient {
            id: account.0,
            kind: EntryKind::Account,
            generation: 0,
        },
        public,
    )
}

/// A list of the group at `(epoch, generation, generation_id)` naming `key`'s public half.
fn group_list(
    group: GroupId,
    (epoch, generation, generation_id): (u64, u64, Uuid),
    key: &EncryptionPrivateKey,
    entries: Vec<ListEntry>,
) -> AccessListBody {
    AccessListBody {
        kind: ListKind::Group,
        object_id: group.0,
        epoch,
        generation,
        generation_id,
        group_key: Some(Base64Bytes(key.public_key().to_bytes().to_vec())),
        entries,
    }
}

/// Makes a group of `company` named `name`, managed by this account (also a member when
/// `i_am_member`), with `people` (pinned contacts, each a member, a manager or both).
pub fn make_group(
    me: &VaultKeys,
    (company, directory_key): (CompanyId, &SymmetricKey),
    name: &str,
    i_am_member: bool,
    people: &[(ContactPin, ListRole)],
) -> Result<NewGroup, MakeError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(MakeError::NoName);
    }
    let id = GroupId::new_v7();
    let key = make_encryption_key();
    let generation = (1, Uuid::now_v7());
    let mut entries = vec![ListEntry {
        id: me.account_id.0,
        kind: EntryKind::Account,
        role: if i_am_member {
            ListRole::MemberManager
        } else {
            ListRole::Manager
        },
    }];
    let mut wrappings = vec![wrap_group_key(
        me,
        &key,
        generation,
        me.account_id,
        &me.encryption_key.public_key(),
    )];
    for (pin, role) in people {
        if !matches!(
            role,
            ListRole::Member | ListRole::Manager | ListRole::MemberManager
        ) {
            return Err(MakeError::BadRole);
        }
        if entries.iter().any(|e| e.id == pin.account_id.0) {
            return Err(MakeError::Repeated);
        }
        let public = public_key_of(pin)?;
        entries.push(ListEntry {
            id: pin.account_id.0,
            kind: EntryKind::Account,
            role: *role,
        });
        wrappings.push(wrap_group_key(
            me,
            &key,
            generation,
            pin.account_id,
            &public,
        ));
    }
    let list = group_list(id, (1, generation.0, generation.1), &key, entries);
    Ok(NewGroup {
        request: CreateGroupRequest {
            id,
            sealed_name: seal_group_name(directory_key, company, id, 1, name),
            list: sign_list(me, list),
            wrappings,
        },
        key,
    })
}

/// The next list of a group that drops `removed` (and anyone else no longer in `entries`): a
/// new key pair at the next generation, wrapped to each of `holders` (pinned contacts, and this
/// account when it is on the list).
pub fn rotate_group(
    me: &VaultKeys,
    group: GroupId,
    (epoch, generation): (u64, u64),
    entries: Vec<ListEntry>,
    holders: &[ContactPin],
) -> Result<
    (
        shared_types::sharing::ListChangeRequest,
        EncryptionPrivateKey,
    ),
    MakeError,
> {
    let key = make_encryption_key();
    let next = (generation + 1, Uuid::now_v7());
    let mut wrappings = Vec::new();
    if entries.iter().any(|e| e.id == me.account_id.0) {
        wrappings.push(wrap_group_key(
            me,
            &key,
            next,
            me.account_id,
            &me.encryption_key.public_key(),
        ));
    }
    for pin in holders {
        if pin.account_id == me.account_id || !entries.iter().any(|e| e.id == pin.account_id.0) {
            continue;
        }
        wrappings.push(wrap_group_key(
            me,
            &key,
            next,
            pin.account_id,
            &public_key_of(pin)?,
        ));
    }
    let list = group_list(group, (epoch + 1, next.0, next.1), &key, entries);
    Ok((
        shared_types::sharing::ListChangeRequest {
            list: sign_list(me, list),
            wrappings,
            invitees: Vec::new(),
        },
        key,
    ))
}
