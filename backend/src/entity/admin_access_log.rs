//! One entry of a company's admin access log: who did what, and when. Plain facts only; never
//! vault data.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "admin_access_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub at: TimeDateTimeWithTimeZone,
    pub actor_account_id: Option<Uuid>,
    /// The actor's address at the time.
    pub actor_email: String,
    /// Set when the actor came in as the company's partner staff.
    pub actor_partner_id: Option<Uuid>,
    pub action: String,
    pub target_member_id: Option<Uuid>,
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
