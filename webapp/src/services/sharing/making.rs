//! Making a share in the owner's browser: a new share key, the epoch 1 list signed by the
//! owner, the key wrapped to the owner (for their other browsers) and to each recipient whose
//! keys are pinned here, and the name sealed under the key. Nothing is wrapped to keys that are
//! not pinned: a recipient without a pin is refused, so the caller looks them up (and the
//! person confirms any change) first.

use shared_types::sharing::{
    AccessListBody, CreateShareRequest, EntryKind, KeyWrapping, ListEntry, ListKind, ListRole,
    SignedList,
};
use shared_types::{AccountId, Base64Bytes, ShareId};
use uuid::Uuid;
use wasm_crypto::{
    Binding, EncryptionPublicKey, HpkeBinding, Purpose, Statement, SymmetricKey,
    make_symmetric_key, wrap_to_public_key,
};

use super::trust::ContactPin;
use crate::services::keys::VaultKeys;

/// A share made here, before it is sent: the request, and the key it was made with.
pub struct NewShare {
    /// What `POST /api/shares` takes.
    pub request: CreateShareRequest,
    /// The generation 1 key (kept by this browser's keyring once the server has the share).
    pub key: SymmetricKey,
}

/// Why a share could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MakeError {
    /// The name is empty.
    #[error("Give the shared folder a name.")]
    NoName,
    /// A recipient's stored keys do not parse (a damaged pin).
    #[error("The keys kept for {0} are damaged; look them up again.")]
    DamagedPin(String),
    /// A recipient is the owner, or named twice.
    #[error("Each person is added once, and you own the share already.")]
    Repeated,
    /// Only view, edit and manage are given to recipients.
    #[error("Recipients can view, edit or manage a shared folder.")]
    BadRole,
}

/// `key`, generation `generation` (id `generation_id`) of a share, wrapped to `recipient`'s
/// `public` key and signed by this account.
pub fn wrap_share_key(
    me: &VaultKeys,
    key: &SymmetricKey,
    (generation, generation_id): (u64, Uuid),
    recipient: AccountId,
    public: &EncryptionPublicKey,
) -> KeyWrapping {
    wrap_key(
        me,
        (Purpose::ShareKey, key),
        (generation, generation_id),
        Recipient {
            id: recipient.0,
            kind: EntryKind::Account,
            generation: 0,
        },
        public,
    )
}

/// Whom a key is wrapped to: an account, or a group at one generation of its key.
pub struct Recipient {
    /// The account or group.
    pub id: Uuid,
    /// Which.
    pub kind: EntryKind,
    /// A group's key generation (0 for an account).
    pub generation: u64,
}

/// `key` (of `purpose`), generation `generation` (id `generation_id`) of what it opens, wrapped
/// to `recipient`'s `public` key and signed by this account.
pub fn wrap_key<K: wasm_crypto::KeyMaterial>(
    me: &VaultKeys,
    (purpose, key): (Purpose, &K),
    (generation, generation_id): (u64, Uuid),
    recipient: Recipient,
    public: &EncryptionPublicKey,
) -> KeyWrapping {
    let binding = HpkeBinding {
        purpose,
        object_id: generation_id,
        sender_id: me.account_id.0,
        recipient_id: recipient.id,
    };
    let (wrapped, signature) = wrap_to_public_key(public, &binding, key, &me.signing_key)
        .expect("a pinned, own or verified group public key is a valid X25519 key");
    KeyWrapping {
        recipient: recipient.id,
        recipient_kind: recipient.kind,
        recipient_generation: recipient.generation,
        generation,
        sender: me.account_id,
        wrapped: Base64Bytes(wrapped.into_bytes()),
        signature: Base64Bytes(signature.into_bytes()),
    }
}

/// The X25519 key pinned for a contact, to wrap a share key to.
pub fn public_key_of(pin: &ContactPin) -> Result<EncryptionPublicKey, MakeError> {
    EncryptionPublicKey::from_bytes(&pin.encryption_key.0)
        .map_err(|_| MakeError::DamagedPin(pin.email.clone()))
}

/// `list`, signed by this account.
pub fn sign_list(me: &VaultKeys, list: AccessListBody) -> SignedList {
    let statement = list
        .statement()
        .expect("a list made here carries no group key, or a valid one");
    let signature = me.signing_key.sign(&Statement::AccessList(&statement));
    SignedList {
        list,
        signer: me.account_id,
        signature: Base64Bytes(signature.into_bytes()),
    }
}

/// The binding a share's name is sealed with.
pub fn name_binding(share: ShareId, version: u64) -> Binding {
    Binding::new(Purpose::ShareName, share.0, share.0).at_version(version)
}

/// A group as a sharer verified it: its current key generation and public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupTarget {
    /// The group.
    pub id: shared_types::GroupId,
    /// Its key generation.
    pub generation: u64,
    /// Its public key of that generation, from its verified list.
    pub public: EncryptionPublicKey,
}

/// The list entry of someone invited by `email` who has no account yet.
pub fn invitee_entry(email: &str, role: ListRole) -> Result<ListEntry, MakeError> {
    if !matches!(role, ListRole::View | ListRole::Edit | ListRole::Manage) {
        return Err(MakeError::BadRole);
    }
    Ok(ListEntry {
        id: wasm_crypto::derive_invitee_id(email),
        kind: EntryKind::Invitee,
        role,
    })
}

/// Pinned people, each with a role.
pub type PinnedPeople<'a> = &'a [(ContactPin, ListRole)];

/// Verified groups, each with a role.
pub type GroupRoles<'a> = &'a [(GroupTarget, ListRole)];

/// Makes a share named `name` for `recipients` (pinned contacts, each with a role), `groups`
/// (verified, each with a role) and `invitees` (addresses without an account, each with a
/// role: the server mails them, and a manager's browser wraps the key once they have keys).
pub fn make_share(
    me: &VaultKeys,
    name: &str,
    (recipients, groups): (PinnedPeople<'_>, GroupRoles<'_>),
    invitees: &[(String, ListRole)],
) -> Result<NewShare, MakeError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(MakeError::NoName);
    }
    let id = ShareId::new_v7();
    let key = make_symmetric_key();
    let generation_id = Uuid::now_v7();
    let mut entries = vec![ListEntry {
        id: me.account_id.0,
        kind: EntryKind::Account,
        role: ListRole::Owner,
    }];
    let mut wrappings = vec![wrap_share_key(
        me,
        &key,
        (1, generation_id),
        me.account_id,
        &me.encryption_key.public_key(),
    )];
    for (pin, role) in recipients {
        if !matches!(role, ListRole::View | ListRole::Edit | ListRole::Manage) {
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
        wrappings.push(wrap_share_key(
            me,
            &key,
            (1, generation_id),
            pin.account_id,
            &public,
        ));
    }
    for (group, role) in groups {
        if !matches!(role, ListRole::View | ListRole::Edit | ListRole::Manage) {
            return Err(MakeError::BadRole);
        }
        if entries.iter().any(|e| e.id == group.id.0) {
            return Err(MakeError::Repeated);
        }
        entries.push(ListEntry {
            id: group.id.0,
            kind: EntryKind::Group,
            role: *role,
        });
        wrappings.push(wrap_key(
            me,
            (Purpose::ShareKey, &key),
            (1, generation_id),
            Recipient {
                id: group.id.0,
                kind: EntryKind::Group,
                generation: group.generation,
            },
            &group.public,
        ));
    }
    for (email, role) in invitees {
        let entry = invitee_entry(email, *role)?;
        if entries.iter().any(|e| e.id == entry.id) {
            return Err(MakeError::Repeated);
        }
        entries.push(entry);
    }
    let list = AccessListBody {
        kind: ListKind::Share,
        object_id: id.0,
        epoch: 1,
        generation: 1,
        generation_id,
        group_key: None,
        entries,
    };
    let sealed_name = crate::services::vault::seal::seal_name(&key, &name_binding(id, 1), name);
    Ok(NewShare {
        request: CreateShareRequest {
            id,
            sealed_name: Base64Bytes(sealed_name.into_bytes()),
            list: sign_list(me, list),
            wrappings,
            invitees: invitees
                .iter()
                .map(|(email, _)| wasm_crypto::normalize_email(email))
                .collect(),
        },
        key,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::services::keys::test_account;
    use crate::services::sharing::lists::{open_share_key, verify_chain};
    use crate::services::sharing::published::statement_of;
    use crate::services::sharing::published::{Asked, verify};
    use crate::services::sharing::trust::PinSource;

    #[test]
    fn a_share_made_here_verifies_and_opens_for_each_recipient() {
        let owner = test_account("owner@example.com");
        let bob = test_account("bob@example.com");
        let carol = test_account("carol@example.com");
        let pin = |a: &crate::services::keys::NewAccount| {
            let keys = verify(
                &statement_of(&a.vault, 1),
                &Asked::Account(a.vault.account_id),
            )
            .unwrap();
            ContactPin::of(&keys, PinSource::FirstUse, 1)
        };
        let made = make_share(
            &owner.vault,
            "  Client servers ",
            (
                &[(pin(&bob), ListRole::Edit), (pin(&carol), ListRole::View)],
                &[],
            ),
            &[("New@Example.com".to_owned(), ListRole::View)],
        )
        .unwrap();
        let keys = |id: AccountId| {
            [&owner, &bob, &carol]
                .into_iter()
                .find(|a| a.vault.account_id == id)
                .map(|a| a.vault.signing_key.verifying_key())
        };
        let list = verify_chain(
            made.request.id,
            None,
            std::slice::from_ref(&made.request.list),
            &keys,
        )
        .unwrap();
        assert_eq!(list.role_of(bob.vault.account_id), Some(ListRole::Edit));
        assert_eq!(made.request.invitees, vec!["new@example.com".to_owned()]);
        assert!(list.0.entries.iter().any(|e| e.kind == EntryKind::Invitee
            && e.id == wasm_crypto::derive_invitee_id("new@example.com")));
        for who in [&owner, &bob, &carol] {
            let wrapping = made
                .request
                .wrappings
                .iter()
                .find(|w| w.recipient == who.vault.account_id.0)
                .unwrap();
            let key = open_share_key(
                &list,
                wrapping,
                who.vault.account_id,
                &who.vault.encryption_key,
                &keys,
            )
            .unwrap();
            assert!(key == made.key);
        }
        let name = crate::services::vault::seal::open_name(
            &made.key,
            &name_binding(made.request.id, 1),
            &wasm_crypto::SealedData::from_bytes(made.request.sealed_name.0.clone()).unwrap(),
        );
        assert_eq!(name.as_deref(), Some("Client servers"));

        assert_eq!(
            make_share(&owner.vault, " ", (&[], &[]), &[]).err(),
            Some(MakeError::NoName)
        );
        assert_eq!(
            make_share(
                &owner.vault,
                "x",
                (&[(pin(&bob), ListRole::Owner)], &[]),
                &[]
            )
            .err(),
            Some(MakeError::BadRole)
        );
        assert_eq!(
            make_share(
                &owner.vault,
                "x",
                (
                    &[(pin(&bob), ListRole::View), (pin(&bob), ListRole::Edit)],
                    &[]
                ),
                &[]
            )
            .err(),
            Some(MakeError::Repeated)
        );
    }
}
