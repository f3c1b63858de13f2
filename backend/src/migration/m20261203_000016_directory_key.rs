//! A company's directory key: a symmetric key made in the first Admin's browser that seals the
//! names of the company's groups, wrapped (HPKE, signed by the Admin who wrapped it) to each
//! active member with published keys, so that everyone who may share with a group can read its
//! name. The server never sees the key.

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
                    .table("company_directory_wrapping")
                    .col(uuid("company_id"))
                    .col(uuid("account_id"))
                    .col(uuid("sender_id"))
                    .col(binary("wrapped"))
                    .col(binary("signature"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("company_id").col("account_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("company_directory_wrapping", "company_id")
                            .to("company", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("company_directory_wrapping", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }
}
