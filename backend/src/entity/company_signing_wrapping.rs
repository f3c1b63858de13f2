//! The private half of a company's signing key wrapped to one of its Admins (HPKE, signed by its sender).

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "company_signing_wrapping")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub company_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    pub sender_id: Uuid,
    /// Ciphertext.
    pub wrapped: Vec<u8>,
    pub signature: Vec<u8>,
    pub created_at: TimeDateTimeWithTimeZone,
}
super::debug_fields!(Model, "CompanySigningWrapping", [company_id, account_id]);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
