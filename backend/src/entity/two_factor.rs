//! An account's authenticator secret. The server must read it to check codes; it never leaves
//! the server after set-up and never prints.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "two_factor")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    pub secret: Vec<u8>,
    /// None while set-up waits for its first code.
    pub enabled_at: Option<TimeDateTimeWithTimeZone>,
    /// The last accepted time step: a code is never accepted twice.
    pub last_used_step: i64,
    pub created_at: TimeDateTimeWithTimeZone,
}
super::debug_fields!(Model, "TwoFactor", [account_id, enabled_at, last_used_step]);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
