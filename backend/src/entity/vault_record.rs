//! One vault record of an account: an item, a folder or a past version of an item, stored as
//! ciphertext the server cannot open. A deleted record stays as a tombstone (no key, no data)
//! so that other browsers learn of the deletion. Keyed by (account, id). Prints without its key
//! and data.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "vault_record")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// The browser's id for the record, unique within the account only.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `item`, `folder` or `history`; never changes.
    pub kind: String,
    /// The profile whose key opens it.
    pub container_id: Uuid,
    /// For a past version, the item it belongs to.
    pub parent_id: Option<Uuid>,
    /// The revision at which this content was stored.
    pub revision: i64,
    /// For an item, its key wrapped by the profile key; None for a tombstone.
    pub wrapped_key: Option<Vec<u8>>,
    /// The sealed content; None for a tombstone.
    pub data: Option<Vec<u8>>,
    pub updated_at: TimeDateTimeWithTimeZone,
}
super::debug_fields!(
    Model,
    "VaultRecord",
    [
        account_id,
        id,
        kind,
        container_id,
        parent_id,
        revision,
        updated_at
    ]
);

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
