//! A change id the server stored, with the record and revision it was stored at. Kept for
//! `CHANGE_MEMORY_DAYS`, so that the same change sent again is answered, not stored twice.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "vault_change")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// The browser's id for the change.
    #[sea_orm(primary_key, auto_increment = false)]
    pub change_id: Uuid,
    /// The record it changed.
    pub record_id: Uuid,
    /// The revision it was stored at.
    pub revision: i64,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::AccountId",
        to = "super::account::Column::Id"
    )]
    Account,
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
