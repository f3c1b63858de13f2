//! One epoch of an account's published public keys, with the account's signature over them
//! (statement 4 of `wasm-crypto`). Public data.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_key_statement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key_epoch: i64,
    /// The email the statement names (normalised).
    pub email: String,
    pub encryption_key: Vec<u8>,
    pub verifying_key: Vec<u8>,
    pub signature: Vec<u8>,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
