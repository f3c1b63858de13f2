//! A container of vault records (a profile today) with the last revision of its own sequence.
//! A push holds the rows of the containers it writes until it commits, which numbers each
//! container's changes in commit order. It also keeps the newest checkpoint a browser sealed of
//! it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "vault_container")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `profile`.
    pub kind: String,
    /// The account that made it; deleting that account deletes the container.
    pub owner_id: Uuid,
    /// The last revision handed out in this container.
    pub revision: i64,
    /// The revision the newest checkpoint describes.
    pub checkpoint_revision: Option<i64>,
    /// The newest checkpoint, sealed by a key holder (opaque here).
    pub checkpoint: Option<Vec<u8>>,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::OwnerId",
        to = "super::account::Column::Id"
    )]
    Owner,
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Owner.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
