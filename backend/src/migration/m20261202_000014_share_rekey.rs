//! Re-keying a share: the lease one manager's browser takes while it seals everything again
//! under the next key generation, and the container revision the new generation starts at.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ColumnDef::new("rekey_lease_by").uuid().null().to_owned(),
            ColumnDef::new("rekey_lease_until")
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new("rekey_from_revision")
                .big_integer()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(Table::alter().table("share").add_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
