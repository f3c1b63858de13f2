//! One address's place in one company: invited, active or removed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "company_member")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    /// None while invited, and after the account is deleted.
    pub account_id: Option<Uuid>,
    pub email: String,
    pub name: String,
    /// `admin` or `user`.
    pub role: String,
    /// `invited`, `active` or `removed`.
    pub status: String,
    /// The member's Business profile (its container), which belongs to the company while the
    /// membership is active.
    pub business_container_id: Option<Uuid>,
    /// The account was made by accepting this company's invitation.
    pub joined_as_new_account: bool,
    pub invited_by: Option<Uuid>,
    pub invited_at: TimeDateTimeWithTimeZone,
    pub joined_at: Option<TimeDateTimeWithTimeZone>,
    pub removed_at: Option<TimeDateTimeWithTimeZone>,
    pub removed_by: Option<Uuid>,
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
