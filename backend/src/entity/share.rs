//! A share's own row: its owner, sealed name, list epoch and key generation.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "share")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner_id: Uuid,
    /// The name, sealed with the share key (ciphertext).
    pub sealed_name: Vec<u8>,
    pub name_version: i64,
    pub list_epoch: i64,
    pub generation: i64,
    pub generation_id: Uuid,
    pub rekey_pending: bool,
    /// The company whose member shared it from their Business profile, if any.
    pub company_id: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub deleted_at: Option<TimeDateTimeWithTimeZone>,
    /// The manager whose browser is re-keying, and until when its lease holds.
    pub rekey_lease_by: Option<Uuid>,
    pub rekey_lease_until: Option<TimeDateTimeWithTimeZone>,
    /// The container's revision when the current generation began (None: since the start).
    pub rekey_from_revision: Option<i64>,
}
super::debug_fields!(
    Model,
    "Share",
    [id, owner_id, list_epoch, generation, deleted_at]
);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
