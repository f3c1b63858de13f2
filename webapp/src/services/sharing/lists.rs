//! A share's or a group's signed lists as the browser checks them: who may open it, at which
//! key generation, as its managers signed it, epoch after epoch. The server can take people off a share on its
//! own (browsers then treat them as gone), but it can never add anyone, raise a role, bring back
//! an old list or key generation, or hand out a key nobody entitled wrapped: each would need a
//! manager's signature.
//!
//! Invariants:
//! - The first list of a share is signed by the owner it names; every later one by a manager
//!   (owner or `manage`) of the list before it, at exactly the next epoch, about the same
//!   share, with the same owner and a generation that never goes down.
//! - A group's first list is signed by a manager it names, and names the group's public key;
//!   every later one by a manager of the list before it. A list at the same key generation
//!   keeps the generation id and the public key; a new generation has a new id.
//! - A group key is used only from a wrapping to this account signed by a manager of the
//!   group's verified list, and only when it is the private half of the key that list names;
//!   a share key wrapped to a group is used only when the share's verified list names the
//!   group and a manager of the share signed the wrapping.
//! - A browser that verified epoch n before (its pin) never accepts a newest list below n, nor
//!   another list at n.
//! - A share key is used only from a wrapping addressed to this account, for the verified
//!   list's generation id, signed by a manager of that list.

use std::collections::BTreeSet;

use shared_types::sharing::{
    AccessListBody, EntryKind, KeyWrapping, ListKind, ListRole, SignedList,
};
use shared_types::{AccountId, GroupId, ShareId};
use uuid::Uuid;
use wasm_crypto::{
    EncryptionPrivateKey, EncryptionPublicKey, HpkeBinding, HpkeWrappedKey, Purpose, Signature,
    Statement, SymmetricKey, VerifyingKey, unwrap_with_private_key,
};

/// Why a share's lists or key were not accepted. The browser acts on none of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListProblem {
    /// The server sent no list.
    #[error("The server sent no list of who may open this shared folder.")]
    Missing,
    /// A list is about another share, or not a share list.
    #[error("The server sent a list that belongs to another shared folder.")]
    OtherObject,
    /// A list skips or repeats an epoch.
    #[error("The lists of this shared folder do not follow one another (epoch {0}).")]
    OutOfOrder(u64),
    /// A list's signature does not verify, or its signer is not a manager of the list before.
    #[error(
        "A change to who may open this shared folder was not signed by one of its managers (epoch {0})."
    )]
    NotSignedByManager(u64),
    /// The signer's keys are not known here yet (look them up and pin them first).
    #[error("The keys of the person who changed this shared folder are not known yet.")]
    UnknownSigner(AccountId),
    /// A list changes the owner, or has none, or two.
    #[error("A list changes the owner of this shared folder.")]
    OwnerChanged,
    /// A list goes back to an older key generation.
    #[error("A list goes back to an older key of this shared folder.")]
    GenerationDown,
    /// The newest list is older than one this browser already verified, or differs from it.
    #[error(
        "The server sent an older list of who may open this shared folder than this browser has seen."
    )]
    Rollback,
    /// A wrapping is not for this account, or not for the current key.
    #[error("The server sent a key for this shared folder that is not meant for you.")]
    WrongWrapping,
    /// A wrapping is not signed by a manager of the verified list.
    #[error("The key of this shared folder was not handed out by one of its managers.")]
    UnsignedWrapping,
    /// The name does not open with the share's key.
    #[error("The name of this shared folder does not open with its key.")]
    DamagedName,
}

/// A list whose chain of signatures was verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedList(pub AccessListBody);

impl VerifiedList {
    /// The owner it names.
    pub fn owner(&self) -> Option<AccountId> {
        owner_of(&self.0)
    }

    /// The accounts that may sign the next list and hand out the key.
    pub fn managers(&self) -> BTreeSet<AccountId> {
        let manages = |role: ListRole| match self.0.kind {
            ListKind::Share => matches!(role, ListRole::Owner | ListRole::Manage),
            ListKind::Group => matches!(role, ListRole::Manager | ListRole::MemberManager),
        };
        self.0
            .entries
            .iter()
            .filter(|e| e.kind == EntryKind::Account && manages(e.role))
            .map(|e| AccountId(e.id))
            .collect()
    }

    /// The role a share's list gives `group`.
    pub fn group_role(&self, group: GroupId) -> Option<ListRole> {
        self.0
            .entries
            .iter()
            .find(|e| e.kind == EntryKind::Group && e.id == group.0)
            .map(|e| e.role)
    }

    /// Whether a group's list makes `account` a member (who receives the group's shares).
    pub fn is_member(&self, account: AccountId) -> bool {
        matches!(
            self.role_of(account),
            Some(ListRole::Member | ListRole::MemberManager)
        )
    }

    /// A group's public key, as its list names it.
    pub fn group_key(&self) -> Option<EncryptionPublicKey> {
        let key = self.0.group_key.as_ref()?;
        EncryptionPublicKey::from_bytes(&key.0).ok()
    }

    /// The role the list gives `account` directly.
    pub fn role_of(&self, account: AccountId) -> Option<ListRole> {
        self.0
            .entries
            .iter()
            .find(|e| e.kind == EntryKind::Account && e.id == account.0)
            .map(|e| e.role)
    }
}

fn owner_of(body: &AccessListBody) -> Option<AccountId> {
    let mut owners = body
        .entries
        .iter()
        .filter(|e| e.role == ListRole::Owner && e.kind == EntryKind::Account);
    let owner = owners.next()?;
    owners.next().is_none().then_some(AccountId(owner.id))
}

fn check_signature(
    signed: &SignedList,
    keys: &impl Fn(AccountId) -> Option<VerifyingKey>,
) -> Result<(), ListProblem> {
    let epoch = signed.list.epoch;
    let key = keys(signed.signer).ok_or(ListProblem::UnknownSigner(signed.signer))?;
    let statement = signed
        .list
        .statement()
        .ok_or(ListProblem::NotSignedByManager(epoch))?;
    let signature = Signature::from_bytes(signed.signature.0.clone())
        .map_err(|_| ListProblem::NotSignedByManager(epoch))?;
    key.verify(&Statement::AccessList(&statement), &signature)
        .map_err(|_| ListProblem::NotSignedByManager(epoch))
}

/// Walks a share's lists (oldest first, as served) from `pin`, the newest list this browser
/// verified before (none: from epoch 1), and returns the newest, verified. `keys` gives the
/// verifying key this browser trusts for an account (its pinned contacts and itself).
pub fn verify_chain(
    share: ShareId,
    pin: Option<&VerifiedList>,
    lists: &[SignedList],
    keys: &impl Fn(AccountId) -> Option<VerifyingKey>,
) -> Result<VerifiedList, ListProblem> {
    walk((ListKind::Share, share.0), pin, lists, keys)
}

/// Walks a group's lists as [`verify_chain`] walks a share's.
pub fn verify_group_chain(
    group: GroupId,
    pin: Option<&VerifiedList>,
    lists: &[SignedList],
    keys: &impl Fn(AccountId) -> Option<VerifyingKey>,
) -> Result<VerifiedList, ListProblem> {
    walk((ListKind::Group, group.0), pin, lists, keys)
}

/// What a list may become from the one before it, beyond its signer: the same owner (a
/// share), a group key named (a group), a generation that never goes down, and the same
/// generation id and group key while the generation stays.
fn follows(before: &AccessListBody, list: &AccessListBody) -> Result<(), ListProblem> {
    if list.generation < before.generation {
        return Err(ListProblem::GenerationDown);
    }
    let same_generation = list.generation == before.generation;
    if same_generation
        != (list.generation_id == before.generation_id && list.group_key == before.group_key)
    {
        return Err(ListProblem::GenerationDown);
    }
    match list.kind {
        ListKind::Share if owner_of(list) != owner_of(before) => Err(ListProblem::OwnerChanged),
        ListKind::Group if list.group_key.is_none() => Err(ListProblem::OtherObject),
        _ => Ok(()),
    }
}

fn walk(
    (kind, object): (ListKind, Uuid),
    pin: Option<&VerifiedList>,
    lists: &[SignedList],
    keys: &impl Fn(AccountId) -> Option<VerifyingKey>,
) -> Result<VerifiedList, ListProblem> {
    let newest = lists.last().ok_or(ListProblem::Missing)?;
    if lists
        .iter()
        .any(|l| l.list.kind != kind || l.list.object_id != object)
    {
        return Err(ListProblem::OtherObject);
    }
    let mut current: Option<VerifiedList> = None;
    for signed in lists {
        let list = &signed.list;
        match (&current, pin) {
            // Up to the pin: the pin itself stands for what came before it.
            (None, Some(pin)) if list.epoch < pin.0.epoch => continue,
            (None, Some(pin)) if list.epoch == pin.0.epoch => {
                if *list != pin.0 {
                    return Err(ListProblem::Rollback);
                }
                current = Some(pin.clone());
                continue;
            }
            (None, Some(_)) => return Err(ListProblem::Rollback),
            (None, None) => {
                if list.epoch != 1 {
                    return Err(ListProblem::OutOfOrder(list.epoch));
                }
                let signed_by_its_own = match kind {
                    ListKind::Share => {
                        Some(signed.signer)
                            == Some(owner_of(list).ok_or(ListProblem::OwnerChanged)?)
                    }
                    ListKind::Group => {
                        let first = VerifiedList(list.clone());
                        first.group_key().is_some() && first.managers().contains(&signed.signer)
                    }
                };
                if !signed_by_its_own {
                    return Err(ListProblem::NotSignedByManager(1));
                }
            }
            (Some(before), _) => {
                if list.epoch != before.0.epoch + 1 {
                    return Err(ListProblem::OutOfOrder(list.epoch));
                }
                if !before.managers().contains(&signed.signer) {
                    return Err(ListProblem::NotSignedByManager(list.epoch));
                }
                follows(&before.0, list)?;
            }
        }
        check_signature(signed, keys)?;
        current = Some(VerifiedList(list.clone()));
    }
    let verified = current.ok_or(ListProblem::Rollback)?;
    if verified.0 != newest.list {
        return Err(ListProblem::Rollback);
    }
    Ok(verified)
}

/// Opens the share key of the verified list's generation from a wrapping addressed to `me`.
pub fn open_share_key(
    list: &VerifiedList,
    wrapping: &KeyWrapping,
    me: AccountId,
    my_key: &EncryptionPrivateKey,
    keys: &impl Fn(AccountId) -> Option<VerifyingKey>,
) -> Result<SymmetricKey, ListProblem> {
    if wrapping.recipient != me.0 || wrapping.recipient_kind != EntryKind::Account {
        return Err(ListProblem::WrongWrapping);
    }
    unwrap_signed(list, wrapping, Purpose::ShareKey, my_key, keys)
}

/// Opens the share key of the verified share list's generation from a wrapping to a group the
/// list names, with that group's private key of the wrapping's group generation.
pub fn open_share_key_via_group(
    list: &VerifiedList,
    wrapping: &KeyWrapping,
    group_key: &EncryptionPrivateKey,
    keys: &impl Fn(AccountId) -> Option<VerifyingKey>,
) -> Result<SymmetricKey, ListProblem> {
    let named = list.group_role(GroupId(wrapping.recipient)).is_some();
    if wrapping.recipient_kind != EntryKind::Group || !named {
        return Err(ListProblem::WrongWrapping);
    }
    unwrap_signed(list, wrapping, Purpose::ShareKey, group_key, keys)
}

/// Opens a group's private key of the verified group list's generation from a wrapping to
/// `me`, and checks it is the private half of the public key the list names.
pub fn open_group_key(
    list: &VerifiedList,
    wrapping: &KeyWrapping,
    me: AccountId,
    my_key: &EncryptionPrivateKey,
    keys: &impl Fn(AccountId) -> Option<VerifyingKey>,
) -> Result<EncryptionPrivateKey, ListProblem> {
    if wrapping.recipient != me.0 || wrapping.recipient_kind != EntryKind::Account {
        return Err(ListProblem::WrongWrapping);
    }
    let key: EncryptionPrivateKey =
        unwrap_signed(list, wrapping, Purpose::GroupPrivateKey, my_key, keys)?;
    if Some(key.public_key()) != list.group_key() {
        return Err(ListProblem::WrongWrapping);
    }
    Ok(key)
}

/// Unwraps `wrapping` (to its recipient, bound to the list's generation id) with
/// `private_key`, once its sender is a manager of `list` whose signature verifies.
fn unwrap_signed<K: wasm_crypto::KeyMaterial>(
    list: &VerifiedList,
    wrapping: &KeyWrapping,
    purpose: Purpose,
    private_key: &EncryptionPrivateKey,
    keys: &impl Fn(AccountId) -> Option<VerifyingKey>,
) -> Result<K, ListProblem> {
    if !list.managers().contains(&wrapping.sender) {
        return Err(ListProblem::UnsignedWrapping);
    }
    let sender = keys(wrapping.sender).ok_or(ListProblem::UnknownSigner(wrapping.sender))?;
    let binding = HpkeBinding {
        purpose,
        object_id: list.0.generation_id,
        sender_id: wrapping.sender.0,
        recipient_id: wrapping.recipient,
    };
    let wrapped = HpkeWrappedKey::from_bytes(wrapping.wrapped.0.clone())
        .map_err(|_| ListProblem::WrongWrapping)?;
    let signature = Signature::from_bytes(wrapping.signature.0.clone())
        .map_err(|_| ListProblem::UnsignedWrapping)?;
    unwrap_with_private_key(private_key, &binding, &wrapped, &signature, &sender).map_err(|e| {
        match e {
            wasm_crypto::Error::BadSignature => ListProblem::UnsignedWrapping,
            _ => ListProblem::WrongWrapping,
        }
    })
}

#[cfg(test)]
#[path = "lists_tests.rs"]
mod tests;
