//! Mail to people a share invites before they have an account: the outbox row names the share
//! (no foreign key: a share deleted meanwhile simply sends nothing).

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
                    .table("mail_outbox")
                    .add_column(uuid_null("share_id"))
                    .to_owned(),
            )
            .await
    }
}
