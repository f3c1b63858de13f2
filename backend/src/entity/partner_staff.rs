//! One address's place in a partner's staff: invited, active or removed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_staff")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub partner_id: Uuid,
    /// None while invited, and after the account is deleted.
    pub account_id: Option<Uuid>,
    pub email: String,
    pub name: String,
    pub role_id: Uuid,
    /// `invited`, `active` or `removed`.
    pub status: String,
    pub invited_at: TimeDateTimeWithTimeZone,
    pub joined_at: Option<TimeDateTimeWithTimeZone>,
    pub removed_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
