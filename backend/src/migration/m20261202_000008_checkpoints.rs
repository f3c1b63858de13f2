//! Each container's newest checkpoint: a digest of its contents sealed by a key holder, and the
//! revision it describes. Opaque to the server, which keeps the newest and serves it with every
//! pull.

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
                    .table("vault_container")
                    .add_column(big_integer_null("checkpoint_revision"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("vault_container")
                    .add_column(blob_null("checkpoint"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["checkpoint", "checkpoint_revision"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("vault_container")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
