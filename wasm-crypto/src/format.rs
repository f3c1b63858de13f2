//! The versioned wire format shared by every encrypted object. Every blob starts with
//! `[format version][blob kind]`; associated data always starts with the domain tag, the
//! version and the kind, so a blob of one kind can never be opened as another. See README.md.

use uuid::Uuid;

use crate::error::{Error, Result};

/// The only format version this crate writes and reads.
pub(crate) const FORMAT_VERSION: u8 = 1;

/// Domain-separation tag that starts every piece of associated data, HPKE info and signed
/// statement.
pub(crate) const DOMAIN: &[u8] = b"strongroom";

/// The kinds of blob; the second byte of every blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum BlobKind {
    SealedData = 1,
    WrappedKey = 2,
    PasswordEnvelope = 3,
    HpkeWrappedKey = 4,
    Signature = 5,
}

/// What a sealed object or a wrapped key is for. The value is bound into the associated data, so
/// an object sealed for one purpose does not open for another. New values may be added; existing
/// values never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum Purpose {
    /// A saved item's whole record (all its fields).
    Item = 1,
    /// A past version of a saved item, kept in its history.
    ItemHistory = 2,
    /// A folder's name.
    FolderName = 3,
    /// A share's name.
    ShareName = 4,
    /// A group's name.
    GroupName = 5,
    /// A tag.
    Tag = 6,
    /// A compact index of a profile's items (titles, URLs, usernames) for fast listing.
    ProfileIndex = 7,
    /// Cached account data kept in the browser.
    LocalCache = 8,
    /// The mark a key holder seals when a record is deleted (or leaves a container), so that a
    /// deletion the server invents can be told from a real one.
    RecordDeletion = 9,
    /// A checkpoint: a digest of what a container held at one revision, sealed by a key holder.
    ContainerCheckpoint = 10,
    /// A record of the browser's trust store: a contact's pinned keys, a pinned company key, or
    /// the newest list a share or group has shown.
    TrustRecord = 11,
    /// An export file's content (a profile's items, sealed under the file's own key).
    Export = 12,
    /// The per-item key.
    ItemKey = 16,
    /// A profile key wrapped before profile kinds were bound (read only, to migrate: new wraps use
    /// [`Purpose::PersonalProfileKey`] or [`Purpose::BusinessProfileKey`]).
    ProfileKey = 17,
    /// A share key.
    ShareKey = 18,
    /// An account's X25519 private key.
    AccountEncryptionKey = 19,
    /// An account's Ed25519 signing key.
    AccountSigningKey = 20,
    /// A group's private key.
    GroupPrivateKey = 21,
    /// A company's recovery private key.
    RecoveryPrivateKey = 22,
    /// A Business profile key wrapped to the company's recovery public key.
    RecoveryProfileKey = 23,
    /// An account key wrapped for an emergency contact.
    EmergencyAccessKey = 24,
    /// The account key kept (sealed) in the browser for offline unlock.
    AccountKey = 25,
    /// A company's Ed25519 signing key, wrapped to its Admins.
    CompanySigningKey = 26,
    /// A company's directory key (seals group names), wrapped to its certified members.
    CompanyDirectoryKey = 27,
    /// A Personal profile key: the kind is bound, so a server cannot pass a Personal profile off
    /// as Business (or the other way round).
    PersonalProfileKey = 28,
    /// A Business profile key (see [`Purpose::PersonalProfileKey`]).
    BusinessProfileKey = 29,
}

impl Purpose {
    /// Every purpose, for tests and for decoding.
    pub const ALL: [Purpose; 26] = [
        Purpose::Item,
        Purpose::ItemHistory,
        Purpose::FolderName,
        Purpose::ShareName,
        Purpose::GroupName,
        Purpose::Tag,
        Purpose::ProfileIndex,
        Purpose::LocalCache,
        Purpose::RecordDeletion,
        Purpose::ContainerCheckpoint,
        Purpose::TrustRecord,
        Purpose::Export,
        Purpose::ItemKey,
        Purpose::ProfileKey,
        Purpose::ShareKey,
        Purpose::AccountEncryptionKey,
        Purpose::AccountSigningKey,
        Purpose::GroupPrivateKey,
        Purpose::RecoveryPrivateKey,
        Purpose::RecoveryProfileKey,
        Purpose::EmergencyAccessKey,
        Purpose::AccountKey,
        Purpose::CompanySigningKey,
        Purpose::CompanyDirectoryKey,
        Purpose::PersonalProfileKey,
        Purpose::BusinessProfileKey,
    ];
}

/// Where a symmetrically sealed object or wrapped key belongs: what it is for, which object it
/// is, and which container (profile, share, account) holds it. Opening with any other binding
/// fails, so a server cannot move ciphertext between objects or containers.
///
/// An object that changes over time (a vault record) also binds its version: each new content
/// gets a higher one, so an older ciphertext cannot be passed off as a newer version. Version 0
/// adds nothing to the associated data: objects sealed before versions existed still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    /// What the object is for.
    pub purpose: Purpose,
    /// The object's own id (item, folder, profile, ...).
    pub object_id: Uuid,
    /// The id of the container whose key seals it (profile, share, account).
    pub container_id: Uuid,
    /// The object's version (0: none).
    pub version: u64,
}

impl Binding {
    /// A binding of `object_id` inside `container_id` for `purpose`.
    pub fn new(purpose: Purpose, object_id: Uuid, container_id: Uuid) -> Self {
        Self {
            purpose,
            object_id,
            container_id,
            version: 0,
        }
    }

    /// The same binding for version `version` of the object.
    pub fn at_version(self, version: u64) -> Self {
        Self { version, ..self }
    }

    /// The associated data for a blob of `kind` carrying a key of `key_type` (0 for data).
    pub(crate) fn associated_data(&self, kind: BlobKind, key_type: u8) -> Vec<u8> {
        let mut aad = Vec::with_capacity(DOMAIN.len() + 4 + 32 + 8);
        aad.extend_from_slice(DOMAIN);
        aad.extend_from_slice(&[FORMAT_VERSION, kind as u8, key_type, self.purpose as u8]);
        aad.extend_from_slice(self.object_id.as_bytes());
        aad.extend_from_slice(self.container_id.as_bytes());
        if self.version != 0 {
            aad.extend_from_slice(&self.version.to_be_bytes());
        }
        aad
    }
}

/// Checks the two header bytes of a blob and returns what follows them.
pub(crate) fn strip_header(bytes: &[u8], kind: BlobKind) -> Result<&[u8]> {
    match bytes {
        [] | [_] => Err(Error::Malformed("too short")),
        [version, ..] if *version != FORMAT_VERSION => Err(Error::UnsupportedVersion(*version)),
        [_, found, rest @ ..] if *found == kind as u8 => Ok(rest),
        _ => Err(Error::Malformed("not the expected kind of object")),
    }
}

/// The two header bytes of a blob of `kind`.
pub(crate) fn header(kind: BlobKind) -> [u8; 2] {
    [FORMAT_VERSION, kind as u8]
}

/// Declares an opaque, validated byte blob: public data (ciphertext, signatures), so it may be
/// cloned, compared and printed (as a length only, to keep logs short).
macro_rules! blob {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(Vec<u8>);

        impl $name {
            /// The blob's bytes, to store or send.
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }

            /// Takes the blob's bytes.
            pub fn into_bytes(self) -> Vec<u8> {
                self.0
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, concat!(stringify!($name), "({} bytes)"), self.0.len())
            }
        }
    };
}
pub(crate) use blob;
