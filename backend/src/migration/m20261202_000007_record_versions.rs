//! Each vault record's own version and, for a tombstone, the deletion mark a key holder sealed:
//! both are opaque to the server, which stores and serves them. Records stored before this get
//! version 0 and no mark.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table("vault_record")
                    .add_column(big_integer("version").default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("vault_record")
                    .add_column(blob_null("mark"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["mark", "version"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("vault_record")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
