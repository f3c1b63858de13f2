//! A company's signing key and the certificates it issues. The key pair is made in the first
//! Admin's browser; the server keeps its public half with the maker's signed statement, its
//! private half wrapped (HPKE, signed) to each Admin who holds it, and one certificate per
//! member over that member's published keys at one key epoch. The server never sees the
//! private half.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn cascade(
    table: &'static str,
    column: &'static str,
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("company_signing_key")
                    .col(uuid("company_id").primary_key())
                    .col(binary("verifying_key"))
                    .col(uuid("maker_id"))
                    .col(binary("signature"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut cascade("company_signing_key", "company_id", "company"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("company_signing_wrapping")
                    .col(uuid("company_id"))
                    .col(uuid("account_id"))
                    .col(uuid("sender_id"))
                    .col(binary("wrapped"))
                    .col(binary("signature"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("company_id").col("account_id"))
                    .foreign_key(&mut cascade(
                        "company_signing_wrapping",
                        "company_id",
                        "company",
                    ))
                    .foreign_key(&mut cascade(
                        "company_signing_wrapping",
                        "account_id",
                        "account",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("key_certificate")
                    .col(uuid("company_id"))
                    .col(uuid("account_id"))
                    .col(big_integer("key_epoch"))
                    .col(binary("signature"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("company_id").col("account_id"))
                    .foreign_key(&mut cascade("key_certificate", "company_id", "company"))
                    .foreign_key(&mut cascade("key_certificate", "account_id", "account"))
                    .to_owned(),
            )
            .await
    }
}
