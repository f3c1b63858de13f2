//! A group's own row: its company, sealed name, list epoch and key generation.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "company_group")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    /// The name, sealed in a browser (ciphertext).
    pub sealed_name: Vec<u8>,
    pub name_version: i64,
    pub list_epoch: i64,
    pub generation: i64,
    pub generation_id: Uuid,
    /// The X25519 public key of the current generation.
    pub public_key: Vec<u8>,
    /// Someone was taken out without a signed list yet: a manager's browser signs the next one
    /// with a new key.
    pub list_stale: bool,
    pub created_by: Uuid,
    pub created_at: TimeDateTimeWithTimeZone,
    pub deleted_at: Option<TimeDateTimeWithTimeZone>,
}
super::debug_fields!(
    Model,
    "CompanyGroup",
    [
        id, company_id, list_epoch, generation, list_stale, deleted_at
    ]
);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
