//! One id type per entity, so an item id can never be passed where a folder id is expected.
//! All are UUIDs (version 7 when made by us: time-ordered, which keeps database indexes compact)
//! and serialize as the plain UUID string.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id.
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl core::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type! {
    /// A person's account.
    AccountId;
    /// One browser (profile) an account has used; kept in that browser's IndexedDB.
    DeviceId;
    /// A Personal or Business profile.
    ProfileId;
    /// Where vault records live and what opens them: a profile today (its id is the
    /// profile's), a share, a group's vault or the organization backup later. Each container
    /// has its own revision sequence and its own readers and writers.
    ContainerId;
    /// A folder inside a profile.
    FolderId;
    /// A saved item.
    ItemId;
    /// Any record of a vault (an item, a folder or a past version of an item); its kind says
    /// which. The same UUID as the item's or folder's own id.
    RecordId;
    /// One change a browser made to a record, chosen by the browser. A change sent twice (after
    /// a lost reply or a server restart) is recognised by it and stored once.
    ChangeId;
    /// A share.
    ShareId;
    /// A group of users in a company.
    GroupId;
    /// A customer company.
    CompanyId;
    /// A partner (MSP).
    PartnerId;
    /// One address's place in one company: invited, active or removed.
    MemberId;
    /// One address's place in a partner's staff.
    StaffId;
    /// An access role of a partner's staff (built-in or custom).
    PartnerRoleId;
    /// An invitation sent to an address.
    InvitationId;
    /// A partner's named set of security policies, applied to many companies.
    PolicyTemplateId;
}

impl From<ShareId> for ContainerId {
    fn from(share: ShareId) -> Self {
        Self(share.0)
    }
}

impl From<ProfileId> for ContainerId {
    fn from(profile: ProfileId) -> Self {
        Self(profile.0)
    }
}
