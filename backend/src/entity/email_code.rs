//! A one-time code sent by email (confirming an address, verifying a browser). Only a keyed
//! hash of the code is stored.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_code")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    /// `confirm_email` or `verify_device`.
    pub purpose: String,
    pub device_id: Option<Uuid>,
    pub code_hash: Vec<u8>,
    pub attempts: i32,
    pub expires_at: TimeDateTimeWithTimeZone,
    pub used_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
}
super::debug_fields!(
    Model,
    "EmailCode",
    [id, account_id, purpose, attempts, expires_at, used_at]
);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
