//! What one account may do with one container. A revoked access keeps its row without a role,
//! at a new revision of the account's access sequence, so that the account's browsers learn of
//! it at their next pull.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "vault_access")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub container_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// `read`, `write` or `owner`; None once revoked.
    pub role: Option<String>,
    /// The position of the last grant or revocation in the account's access sequence.
    pub revision: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::vault_container::Entity",
        from = "Column::ContainerId",
        to = "super::vault_container::Column::Id"
    )]
    Container,
}

impl Related<super::vault_container::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Container.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
