//! Sharing: the public keys accounts publish for one another. Every statement here is signed in
//! a browser and checked again by the browsers that rely on it; the server only stores and
//! serves it.

use serde::{Deserialize, Serialize};

use crate::{AccountId, Base64Bytes};

/// The most addresses or ids one key lookup may ask for.
pub const MAX_KEY_LOOKUP: usize = 50;

/// The most entries one share list may name (groups count as one).
pub const MAX_SHARE_ENTRIES: usize = 500;

/// The most people one group may hold.
pub const MAX_GROUP_ENTRIES: usize = 1000;

/// An account's public keys at one key epoch, with the account's signature over them
/// (`wasm_crypto::Statement::PublishedKeys`). `PUT /api/account/keys` publishes one; lookups
/// return the current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedKeys {
    /// The account.
    pub account_id: AccountId,
    /// Goes up by one each time the account's key pairs change; starts at 1.
    pub key_epoch: u64,
    /// The address the statement names (normalised).
    pub email: String,
    /// X25519 public key.
    pub encryption_key: Base64Bytes,
    /// Ed25519 public key.
    pub verifying_key: Base64Bytes,
    /// The account's signature over the statement.
    pub signature: Base64Bytes,
}

#[cfg(feature = "crypto")]
impl PublishedKeys {
    /// The keys the statement names, if they parse and its signature over them verifies.
    pub fn verified_keys(
        &self,
    ) -> Option<(wasm_crypto::EncryptionPublicKey, wasm_crypto::VerifyingKey)> {
        let encryption_key =
            wasm_crypto::EncryptionPublicKey::from_bytes(&self.encryption_key.0).ok()?;
        let verifying_key = wasm_crypto::VerifyingKey::from_bytes(&self.verifying_key.0).ok()?;
        let signature = wasm_crypto::Signature::from_bytes(self.signature.0.clone()).ok()?;
        verifying_key
            .verify(
                &wasm_crypto::Statement::PublishedKeys {
                    account_id: self.account_id.0,
                    key_epoch: self.key_epoch,
                    email: &self.email,
                    encryption_key: &encryption_key,
                    verifying_key: &verifying_key,
                },
                &signature,
            )
            .ok()?;
        Some((encryption_key, verifying_key))
    }
}

/// `POST /api/keys/lookup`: the current published keys of accounts, by address or by id (at
/// most [`MAX_KEY_LOOKUP`] in all). Addresses outside the caller's company count against an
/// hourly limit; ids (which the caller learnt from a list it holds) do not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyLookupRequest {
    /// Addresses to look up.
    #[serde(default)]
    pub emails: Vec<String>,
    /// Accounts to look up.
    #[serde(default)]
    pub account_ids: Vec<AccountId>,
}

/// The reply to a key lookup. An address or id without a confirmed account that has published
/// keys is simply absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyLookupReply {
    /// One entry per account found.
    pub keys: Vec<PublishedKeys>,
    /// The certificates the caller's own company issued for the keys found.
    #[serde(default)]
    pub certificates: Vec<KeyCertificate>,
}

/// What a signed access list is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// A share.
    Share,
    /// A group.
    Group,
}

/// Who an access-list entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// An account.
    Account,
    /// A group of a company.
    Group,
    /// Someone invited by address, without an account yet.
    Invitee,
}

/// What an access-list entry may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListRole {
    /// Read and copy.
    View,
    /// Also change and add items.
    Edit,
    /// Also change the recipients and the name.
    Manage,
    /// The share's owner.
    Owner,
    /// A group's member.
    Member,
    /// A group's manager (holds its key, signs its lists).
    Manager,
    /// Both.
    MemberManager,
}

/// One entry of an access list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ListEntry {
    /// The account, group or invitee id.
    pub id: uuid::Uuid,
    /// Which.
    pub kind: EntryKind,
    /// What it may do.
    pub role: ListRole,
}

/// An access list as signed (`wasm_crypto::Statement::AccessList`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessListBody {
    /// Share or group.
    pub kind: ListKind,
    /// The share or group.
    pub object_id: uuid::Uuid,
    /// 1, then one more with each change.
    pub epoch: u64,
    /// The key generation in force.
    pub generation: u64,
    /// The id every wrapping of that generation's key is bound to.
    pub generation_id: uuid::Uuid,
    /// A group's public key of the generation.
    #[serde(default)]
    pub group_key: Option<Base64Bytes>,
    /// Who may open it.
    pub entries: Vec<ListEntry>,
}

#[cfg(feature = "crypto")]
impl AccessListBody {
    /// The statement its signature covers (`None`: its group key is not a public key).
    pub fn statement(&self) -> Option<wasm_crypto::AccessList> {
        use wasm_crypto::AccessRole as R;
        let group_key = match &self.group_key {
            Some(key) => Some(wasm_crypto::EncryptionPublicKey::from_bytes(&key.0).ok()?),
            None => None,
        };
        Some(wasm_crypto::AccessList {
            kind: match self.kind {
                ListKind::Share => wasm_crypto::AccessListKind::Share,
                ListKind::Group => wasm_crypto::AccessListKind::Group,
            },
            object_id: self.object_id,
            epoch: self.epoch,
            generation: self.generation,
            generation_id: self.generation_id,
            group_key,
            entries: self
                .entries
                .iter()
                .map(|e| wasm_crypto::AccessEntry {
                    id: e.id,
                    kind: match e.kind {
                        EntryKind::Account => wasm_crypto::EntryKind::Account,
                        EntryKind::Group => wasm_crypto::EntryKind::Group,
                        EntryKind::Invitee => wasm_crypto::EntryKind::Invitee,
                    },
                    role: match e.role {
                        ListRole::View => R::View,
                        ListRole::Edit => R::Edit,
                        ListRole::Manage => R::Manage,
                        ListRole::Owner => R::Owner,
                        ListRole::Member => R::Member,
                        ListRole::Manager => R::Manager,
                        ListRole::MemberManager => R::MemberManager,
                    },
                })
                .collect(),
        })
    }
}

/// An access list with its signer and signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedList {
    /// The list.
    pub list: AccessListBody,
    /// The manager who signed it.
    pub signer: AccountId,
    /// The signature.
    pub signature: Base64Bytes,
}

/// A share or group key wrapped to one recipient with HPKE, signed by its sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyWrapping {
    /// The recipient (an account, or a group for a share key).
    pub recipient: uuid::Uuid,
    /// Which.
    pub recipient_kind: EntryKind,
    /// For a group recipient, the generation of the group key it is wrapped to (else 0).
    #[serde(default)]
    pub recipient_generation: u64,
    /// The generation of the share key wrapped (set by the server in what it serves; ignored
    /// in requests, where the request says which generation).
    #[serde(default)]
    pub generation: u64,
    /// Who wrapped it.
    pub sender: AccountId,
    /// The HPKE-wrapped key.
    pub wrapped: Base64Bytes,
    /// The sender's signature over the wrapping.
    pub signature: Base64Bytes,
}

/// `POST /api/shares`: a new share, made in the owner's browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateShareRequest {
    /// Chosen by the browser (the share key's bindings name it).
    pub id: crate::ShareId,
    /// The share's name, sealed with the share key.
    pub sealed_name: Base64Bytes,
    /// The epoch 1 list, signed by the owner.
    pub list: SignedList,
    /// The generation 1 key, wrapped to each recipient whose keys the owner has.
    pub wrappings: Vec<KeyWrapping>,
    /// The addresses of the list's invitees (people without an account yet), each the one
    /// its entry's id derives from; the server mails each of them.
    #[serde(default)]
    pub invitees: Vec<String>,
}

/// `POST /api/shares/{share_id}/lists`: the next list, signed by a manager, with the key
/// wrapped to those it adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListChangeRequest {
    /// The list at the next epoch.
    pub list: SignedList,
    /// The current generation's key wrapped to recipients who had no wrapping yet.
    #[serde(default)]
    pub wrappings: Vec<KeyWrapping>,
    /// The addresses of invitees the list adds (see [`CreateShareRequest::invitees`]).
    #[serde(default)]
    pub invitees: Vec<String>,
}

/// A recipient of a share as its managers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharePrincipal {
    /// The account, group or invitee id.
    pub id: uuid::Uuid,
    /// Which.
    pub kind: EntryKind,
    /// Its role.
    pub role: ListRole,
    /// An account's or invitee's address.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether it holds a wrapping of the current key (else it waits for a manager's browser).
    pub has_key: bool,
}

/// A share, as one of its recipients sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareMeta {
    /// The share (also its container's id).
    pub id: crate::ShareId,
    /// Its owner.
    pub owner: AccountId,
    /// The caller's role.
    pub role: ListRole,
    /// The name, sealed with the share key.
    pub sealed_name: Base64Bytes,
    /// The name's version (goes up with each rename).
    pub name_version: i64,
    /// Every signed list, oldest first (a browser walks on from the last it verified).
    pub lists: Vec<SignedList>,
    /// The key generation in force.
    pub generation: u64,
    /// The wrappings to the caller (directly or through a group) of the current key and, while
    /// a re-key runs, of the previous ones still needed to open what is not sealed again yet.
    pub wrappings: Vec<KeyWrapping>,
    /// Who has access.
    pub principals: Vec<SharePrincipal>,
    /// A recipient was removed and the key has not been replaced yet.
    pub rekey_pending: bool,
    /// For managers: invitees of the list who now have an account with published keys (a
    /// manager's browser replaces each with the account and wraps the key to it).
    #[serde(default)]
    pub invitees_ready: Vec<PublishedKeys>,
}

/// `PUT /api/shares/{share_id}/name`: a new name, sealed with the current share key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenameShareRequest {
    /// The name, sealed with the share key at `name_version`.
    pub sealed_name: Base64Bytes,
    /// The version after the current one.
    pub name_version: i64,
}

/// `POST /api/shares/{share_id}/wrappings`: the current key wrapped to recipients who are on
/// the list but had none yet (a pending grant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRequest {
    /// One per recipient.
    pub wrappings: Vec<KeyWrapping>,
}

/// The reply to `POST /api/shares/{share_id}/rekey/claim`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RekeyClaim {
    /// Whether the caller holds the lease now.
    pub granted: bool,
    /// Who holds it.
    pub holder: Option<AccountId>,
    /// Until when (Unix seconds).
    pub until: i64,
}

/// `POST /api/shares/{share_id}/generations`: the next key generation, with the list that names
/// it (the next epoch) and the new key wrapped to every recipient that keeps access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGenerationRequest {
    /// The list at the next epoch and generation, with a new generation id.
    pub list: SignedList,
    /// The new key, wrapped to each recipient.
    pub wrappings: Vec<KeyWrapping>,
}

/// `POST /api/companies/{company_id}/groups`: a new group, made in a company Admin's browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateGroupRequest {
    /// Chosen by the browser (the group key's bindings name it).
    pub id: crate::GroupId,
    /// The group's name, sealed in the browser.
    pub sealed_name: Base64Bytes,
    /// The epoch 1 list at generation 1, with the group's public key, signed by the creator.
    pub list: SignedList,
    /// The group's private key, wrapped to each person whose keys the creator has (the creator
    /// included).
    pub wrappings: Vec<KeyWrapping>,
}

/// One person of a group, as the company's members see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPerson {
    /// The account.
    pub account: AccountId,
    /// Their address.
    pub email: String,
    /// Member, manager or both.
    pub role: ListRole,
    /// Whether they hold the current group key (else they wait for a manager's browser).
    pub has_key: bool,
}

/// A group, as a member of its company sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMeta {
    /// The group.
    pub id: crate::GroupId,
    /// Its company.
    pub company: crate::CompanyId,
    /// Its name, sealed in a browser.
    pub sealed_name: Base64Bytes,
    /// The name's version (goes up with each rename).
    pub name_version: i64,
    /// Every signed list, oldest first.
    pub lists: Vec<SignedList>,
    /// The key generation in force.
    pub generation: u64,
    /// The group key wrapped to the caller, one per generation still kept (newest first).
    pub wrappings: Vec<KeyWrapping>,
    /// Its people.
    pub people: Vec<GroupPerson>,
    /// Someone was taken out and no manager has signed a list with a new key since.
    pub list_stale: bool,
}

/// `GET /api/directory`: the caller's company and its directory key (which seals the names of
/// the company's groups), as far as the caller takes part in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryState {
    /// The company the caller is an active member of, if any.
    pub company: Option<crate::CompanyId>,
    /// Whether the caller is one of its Admins (who hand the key to members).
    pub admin: bool,
    /// Whether anyone holds a directory key yet (none: the first Admin's browser makes it).
    pub exists: bool,
    /// The key wrapped to the caller.
    pub mine: Option<KeyWrapping>,
    /// For Admins: the members with published keys who have no wrapping yet.
    #[serde(default)]
    pub waiting: Vec<PublishedKeys>,
    /// The company's signing key, once an Admin's browser made it.
    #[serde(default)]
    pub company_key: Option<CompanyKey>,
    /// For Admins: the signing key's private half wrapped to the caller.
    #[serde(default)]
    pub signing: Option<KeyWrapping>,
    /// For Admins holding the signing key: the other Admins with published keys who do not.
    #[serde(default)]
    pub signing_waiting: Vec<PublishedKeys>,
    /// For Admins: members whose current published keys the company has not certified.
    #[serde(default)]
    pub uncertified: Vec<PublishedKeys>,
    /// The certificate the company issued for the caller's keys, if any (each browser checks
    /// that it certifies keys it holds).
    #[serde(default)]
    pub certificate: Option<KeyCertificate>,
    /// The caller's published statement that certificate is over.
    #[serde(default)]
    pub certified_keys: Option<PublishedKeys>,
}

/// A company's signing key: its public half and the signature of the Admin whose browser made
/// it (`wasm_crypto::Statement::CompanyKey`). It certifies members' published keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyKey {
    /// The company.
    pub company: crate::CompanyId,
    /// The Ed25519 public key.
    pub verifying_key: Base64Bytes,
    /// The Admin who made it.
    pub maker: AccountId,
    /// The maker's signature over the statement.
    pub signature: Base64Bytes,
}

/// "The company vouches for these keys of this member" (`wasm_crypto::Statement::KeyCertificate`),
/// signed with the company's signing key over the member's published statement at `key_epoch`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyCertificate {
    /// The company.
    pub company: crate::CompanyId,
    /// The member.
    pub account_id: AccountId,
    /// The epoch of the published keys certified.
    pub key_epoch: u64,
    /// The company key's signature.
    pub signature: Base64Bytes,
}

#[cfg(feature = "crypto")]
impl KeyCertificate {
    /// Whether this certificate, checked with `company_key`, vouches for exactly `keys`.
    pub fn certifies(&self, company_key: &wasm_crypto::VerifyingKey, keys: &PublishedKeys) -> bool {
        if self.account_id != keys.account_id || self.key_epoch != keys.key_epoch {
            return false;
        }
        let (Ok(encryption_key), Ok(verifying_key), Ok(signature)) = (
            wasm_crypto::EncryptionPublicKey::from_bytes(&keys.encryption_key.0),
            wasm_crypto::VerifyingKey::from_bytes(&keys.verifying_key.0),
            wasm_crypto::Signature::from_bytes(self.signature.0.clone()),
        ) else {
            return false;
        };
        company_key
            .verify(
                &wasm_crypto::Statement::KeyCertificate {
                    company_id: self.company.0,
                    account_id: keys.account_id.0,
                    key_epoch: keys.key_epoch,
                    email: &keys.email,
                    encryption_key: &encryption_key,
                    verifying_key: &verifying_key,
                },
                &signature,
            )
            .is_ok()
    }
}

/// `POST /api/companies/{company_id}/key`: the company's new signing key, made in one of its
/// Admins' browsers, with its private half wrapped to that Admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateCompanyKeyRequest {
    /// The public half and the maker's statement.
    pub key: CompanyKey,
    /// The private half, wrapped to the maker.
    pub wrapping: KeyWrapping,
}

/// `POST /api/companies/{company_id}/certificates`: certificates an Admin's browser signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertifyRequest {
    /// One per member, over their current published keys.
    pub certificates: Vec<KeyCertificate>,
}
