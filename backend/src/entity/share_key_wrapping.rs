//! A share key generation wrapped to one recipient (HPKE, signed by its sender).

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "share_key_wrapping")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub share_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub generation: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub recipient_id: Uuid,
    /// `account` or `group`.
    pub recipient_kind: String,
    pub recipient_generation: i64,
    pub sender_id: Uuid,
    /// Ciphertext.
    pub wrapped: Vec<u8>,
    pub signature: Vec<u8>,
    pub created_at: TimeDateTimeWithTimeZone,
}
super::debug_fields!(
    Model,
    "ShareKeyWrapping",
    [share_id, generation, recipient_id]
);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
