//! A named random secret of this server installation.

use sea_orm::entity::prelude::*;

/// One secret. `value` is random key material: never logged (no derived `Debug`).
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "server_secret")]
pub struct Model {
    /// What the secret is for.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// The secret bytes.
    pub value: Vec<u8>,
    /// When it was made.
    pub created_at: TimeDateTimeWithTimeZone,
}

impl core::fmt::Debug for Model {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServerSecret")
            .field("name", &self.name)
            .field("value", &"***")
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
