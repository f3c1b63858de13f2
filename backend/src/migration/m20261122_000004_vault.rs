//! Vault records: every item, folder and past version of an account, as ciphertext with the
//! revision at which it was stored, and the one counter those revisions are taken from.
//!
//! A record is keyed by (account, id): ids are the browser's, unique within an account only, so
//! an id another account uses is simply a different record and no reply can reveal it exists.

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
                    .table("vault_record")
                    .col(uuid("account_id"))
                    .col(uuid("id"))
                    .col(string_len("kind", 16))
                    .col(uuid("container_id"))
                    .col(uuid_null("parent_id"))
                    .col(big_integer("revision"))
                    .col(binary_null("wrapped_key"))
                    .col(binary_null("data"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("account_id").col("id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("vault_record", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Serves "WHERE account_id = ? AND revision > ? ORDER BY revision LIMIT n". Unique:
        // every stored change takes its own revision.
        manager
            .create_index(
                Index::create()
                    .name("vault_record_account_revision")
                    .table("vault_record")
                    .col("account_id")
                    .col("revision")
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One row: the last revision handed out.
        manager
            .create_table(
                Table::create()
                    .table("vault_revision")
                    .col(integer("id").primary_key())
                    .col(big_integer("value"))
                    .to_owned(),
            )
            .await?;
        manager
            .execute(
                Query::insert()
                    .into_table("vault_revision")
                    .columns(["id", "value"])
                    .values_panic([1.into(), 0i64.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("vault_revision").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("vault_record").to_owned())
            .await
    }
}
