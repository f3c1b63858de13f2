//! An account: its email, the hash of its auth key, and its encrypted keys.

use sea_orm::entity::prelude::*;

/// One account. `auth_hash` is a salted hash of the auth key; the key material is encrypted by
/// the browser.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub email_confirmed_at: Option<TimeDateTimeWithTimeZone>,
    pub auth_salt: Vec<u8>,
    pub auth_hash: Vec<u8>,
    pub kdf_memory_kib: i32,
    pub kdf_iterations: i32,
    pub kdf_parallelism: i32,
    pub kdf_salt: Vec<u8>,
    pub password_envelope: Vec<u8>,
    pub encryption_public_key: Vec<u8>,
    pub verifying_key: Vec<u8>,
    pub keys_signature: Vec<u8>,
    pub wrapped_encryption_key: Vec<u8>,
    pub wrapped_signing_key: Vec<u8>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    /// When a session of the account was last used (to the minute).
    pub last_active_at: Option<TimeDateTimeWithTimeZone>,
    /// When the master password last changed; None: not since the account was made.
    pub password_changed_at: Option<TimeDateTimeWithTimeZone>,
}
super::debug_fields!(Model, "Account", [id, email_confirmed_at, created_at]);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::profile::Entity")]
    Profile,
}

impl Related<super::profile::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Profile.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
