//! The public keys each account publishes for others to wrap keys to: one signed statement per
//! key epoch (`account_key_statement`), all kept, the highest current. The statement is stored
//! exactly as the browser signed it; browsers that use it check the signature themselves.

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
                    .table("account_key_statement")
                    .col(uuid("account_id"))
                    .col(big_integer("key_epoch"))
                    .col(string_len("email", 254))
                    .col(binary("encryption_key"))
                    .col(binary("verifying_key"))
                    .col(binary("signature"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("account_id").col("key_epoch"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("account_key_statement", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }
}
