//! sea-orm entities. They are storage types only: handlers map them to `shared-types` DTOs and
//! never send them as they are. Rows that hold hashes of secrets, or ciphertext, print without
//! them.

pub mod account;
pub mod account_key_statement;
pub mod admin_access_log;
pub mod company;
pub mod company_directory_wrapping;
pub mod company_group;
pub mod company_member;
pub mod company_policy;
pub mod company_policy_template;
pub mod company_signing_key;
pub mod company_signing_wrapping;
pub mod device;
pub mod email_code;
pub mod group_key_wrapping;
pub mod group_list;
pub mod group_member;
pub mod invitation;
pub mod key_certificate;
pub mod mail_outbox;
pub mod partner;
pub mod partner_role;
pub mod partner_role_permission;
pub mod partner_staff;
pub mod policy_template;
pub mod profile;
pub mod rate_limit;
pub mod recovery_code;
pub mod server_secret;
pub mod session;
pub mod share;
pub mod share_key_wrapping;
pub mod share_list;
pub mod share_principal;
pub mod two_factor;
pub mod vault_access;
pub mod vault_change;
pub mod vault_container;
pub mod vault_record;

/// `Debug` for a model that shows only the listed fields.
macro_rules! debug_fields {
    ($model:ty, $name:literal, [$($field:ident),*]) => {
        impl core::fmt::Debug for $model {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct($name)$(.field(stringify!($field), &self.$field))*.finish_non_exhaustive()
            }
        }
    };
}
pub(crate) use debug_fields;
