//! One vault record of an account: an item, a folder or a past version of an item, stored as
//! ciphertext the server cannot open. A deleted record stays as a tombstone (no key, no data,
//! the deletion mark its browser sealed) so that other browsers learn of the deletion; so does a
//! record moved to another container, in the container it left. Keyed by (container, id). Prints without its key and data.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "vault_record")]
pub struct Model {
    /// The container it lives in, whose key opens it.
    #[sea_orm(primary_key, auto_increment = false)]
    pub container_id: Uuid,
    /// The browser's id for the record.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `item`, `folder` or `history`; never changes.
    pub kind: String,
    /// For a past version, the item it belongs to.
    pub parent_id: Option<Uuid>,
    /// The revision at which this content was stored, in its container's sequence.
    pub revision: i64,
    /// For an item, its key wrapped by the container's key; None for a tombstone.
    pub wrapped_key: Option<Vec<u8>>,
    /// The sealed content; None for a tombstone.
    pub data: Option<Vec<u8>>,
    /// The record's own version, chosen and sealed by the browser (0: stored before versions).
    pub version: i64,
    /// For a tombstone, the deletion mark sealed by the browser that deleted or moved it.
    pub mark: Option<Vec<u8>>,
    pub updated_at: TimeDateTimeWithTimeZone,
}
super::debug_fields!(
    Model,
    "VaultRecord",
    [
        container_id,
        id,
        kind,
        parent_id,
        revision,
        version,
        updated_at
    ]
);

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
