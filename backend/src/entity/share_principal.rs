//! One recipient of a share's current list: an account, a group or an invitee.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "share_principal")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub share_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub principal_id: Uuid,
    /// `account`, `group` or `invitee`.
    pub kind: String,
    /// `view`, `edit`, `manage` or `owner`.
    pub role: String,
    /// An invitee's address.
    pub email: Option<String>,
    pub added_by: Option<Uuid>,
    pub added_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
