//! The company's own domains (a JSON list), which the "force business items into business
//! profile" policy matches item addresses against in members' browsers.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("company")
                    .add_column(text("domains").default("[]"))
                    .to_owned(),
            )
            .await
    }
}
