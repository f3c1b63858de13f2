//! Who may open a share or a group, as its managers sign it ([`crate::Statement::AccessList`]).
//!
//! A list names its object, an epoch that goes up by exactly one with each change, the key
//! generation in force and that generation's id (the `object_id` every wrapping of the
//! generation's key is bound to), and, for a group, the group's public key of that generation.
//! Entries are encoded sorted, so the same set of entries always gives the same bytes whatever
//! order a server sends them in. Deciding whether a list may follow another (who signed it,
//! which roles fit which kind of list, no duplicate entries) is the caller's job.

use uuid::Uuid;

use crate::keys::EncryptionPublicKey;

/// What a list grants access to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum AccessListKind {
    /// A share: its entries get the share key.
    Share = 1,
    /// A group: its entries get the group's private key.
    Group = 2,
}

/// Who an entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum EntryKind {
    /// An account, by id.
    Account = 1,
    /// A group, by id.
    Group = 2,
    /// Someone invited by email who has no account yet: the id is [`crate::derive_invitee_id`].
    Invitee = 3,
}

/// What an entry may do. Share lists use the first four, group lists the last three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum AccessRole {
    /// Read and copy the share's items.
    View = 1,
    /// Also change and add items.
    Edit = 2,
    /// Also change the list and the name, and re-key.
    Manage = 3,
    /// The share's owner: manages, and alone may delete it.
    Owner = 4,
    /// Receives the group's shares.
    Member = 16,
    /// Holds the group key and signs its lists, but receives no shares through it.
    Manager = 17,
    /// Both member and manager.
    MemberManager = 18,
}

/// One entry of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccessEntry {
    /// The account, group or invitee.
    pub id: Uuid,
    /// Which of the three `id` is.
    pub kind: EntryKind,
    /// What it may do.
    pub role: AccessRole,
}

/// A share's or group's list of who may open it, at one epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessList {
    /// Share or group.
    pub kind: AccessListKind,
    /// The share or group.
    pub object_id: Uuid,
    /// Starts at 1; each signed change takes the next number.
    pub epoch: u64,
    /// The key generation in force; starts at 1 and never goes down.
    pub generation: u64,
    /// The id the generation's key is bound to in every wrapping of it.
    pub generation_id: Uuid,
    /// A group's public key of this generation (none for a share).
    pub group_key: Option<EncryptionPublicKey>,
    /// Who may open it.
    pub entries: Vec<AccessEntry>,
}

impl AccessList {
    /// The canonical bytes of the list (after the statement tag).
    pub(crate) fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(self.kind as u8);
        out.extend_from_slice(self.object_id.as_bytes());
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(&self.generation.to_be_bytes());
        out.extend_from_slice(self.generation_id.as_bytes());
        out.extend_from_slice(&self.group_key.map(|k| k.to_bytes()).unwrap_or([0; 32]));
        let mut entries: Vec<&AccessEntry> = self.entries.iter().collect();
        entries.sort();
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        for entry in entries {
            out.extend_from_slice(entry.id.as_bytes());
            out.push(entry.kind as u8);
            out.push(entry.role as u8);
        }
    }
}
