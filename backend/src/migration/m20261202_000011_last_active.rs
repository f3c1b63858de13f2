//! When each account was last active, for the admin's member list and the partner's company
//! list. Set when a session is refreshed (at most once a minute per session), so it costs no
//! write per request.

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
                    .table("account")
                    .add_column(timestamp_with_time_zone_null("last_active_at"))
                    .to_owned(),
            )
            .await
    }
}
