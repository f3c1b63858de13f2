//! Two-factor authentication: an authenticator secret per account (active once confirmed with a
//! first code) and one-time recovery codes, stored as keyed hashes.

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
                    .table("two_factor")
                    .col(uuid("account_id").primary_key())
                    .col(binary("secret"))
                    .col(timestamp_with_time_zone_null("enabled_at"))
                    .col(big_integer("last_used_step"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("two_factor", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("recovery_code")
                    .col(uuid("id").primary_key())
                    .col(uuid("account_id"))
                    .col(binary("code_hash"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("recovery_code", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("recovery_code_account")
                    .table("recovery_code")
                    .col("account_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("recovery_code").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("two_factor").to_owned())
            .await
    }
}
