//! The change ids the server has stored, so that a push sent again (after a lost reply or a
//! server restart) is recognised and answered with the revisions it was first given, instead
//! of being stored twice or reported as a conflict with itself.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("vault_change")
                    .col(uuid("account_id"))
                    .col(uuid("change_id"))
                    .col(uuid("record_id"))
                    .col(big_integer("revision"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("account_id").col("change_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("vault_change", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Serves the pruning of ids older than the memory period.
        manager
            .create_index(
                Index::create()
                    .name("vault_change_account_created")
                    .table("vault_change")
                    .col("account_id")
                    .col("created_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("vault_change").to_owned())
            .await
    }
}
