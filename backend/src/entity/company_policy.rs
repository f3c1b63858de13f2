//! One security policy a company has set (the others have their defaults): its value as JSON
//! of `shared_types::policy::PolicyValue`, and who set it when. Settings, not secrets.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "company_policy")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub company_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub policy: String,
    pub value: String,
    pub changed_at: TimeDateTimeWithTimeZone,
    pub changed_by: Option<Uuid>,
    pub changed_by_email: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
