//! Shares: a container whose items are sealed under a share key that its recipients hold.
//!
//! - `share` is the share's own row (its id is its container's). Deleting a share only marks
//!   `deleted_at`, so the revocations written to its recipients' access feeds keep their
//!   container. It goes with its container when the owner's account is deleted (the container
//!   cascades from its owner); a pull then tells each recipient that still follows it that it
//!   may no longer read it (`services::vault::pull`).
//! - `share_principal` is the current list as rows: who the server serves the share to.
//! - `share_list` keeps every signed list exactly as sent, so a browser walks on from the last
//!   epoch it verified.
//! - `share_key_wrapping` holds the current key generation wrapped to each recipient.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("share")
                    .col(uuid("id").primary_key())
                    .col(uuid("owner_id"))
                    .col(binary("sealed_name"))
                    .col(big_integer("name_version"))
                    .col(big_integer("list_epoch"))
                    .col(big_integer("generation"))
                    .col(uuid("generation_id"))
                    .col(boolean("rekey_pending"))
                    .col(uuid_null("company_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("deleted_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("share", "id")
                            .to("vault_container", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("share", "owner_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("share_principal")
                    .col(uuid("share_id"))
                    .col(uuid("principal_id"))
                    .col(string_len("kind", 16))
                    .col(string_len("role", 16))
                    .col(string_len_null("email", 254))
                    .col(uuid_null("added_by"))
                    .col(timestamp_with_time_zone("added_at"))
                    .primary_key(Index::create().col("share_id").col("principal_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("share_principal", "share_id")
                            .to("share", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("share_principal_principal")
                    .table("share_principal")
                    .col("principal_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("share_list")
                    .col(uuid("share_id"))
                    .col(big_integer("epoch"))
                    .col(text("body"))
                    .col(uuid("signer_id"))
                    .col(binary("signature"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("share_id").col("epoch"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("share_list", "share_id")
                            .to("share", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("share_key_wrapping")
                    .col(uuid("share_id"))
                    .col(big_integer("generation"))
                    .col(uuid("recipient_id"))
                    .col(string_len("recipient_kind", 16))
                    .col(big_integer("recipient_generation"))
                    .col(uuid("sender_id"))
                    .col(binary("wrapped"))
                    .col(binary("signature"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(
                        Index::create()
                            .col("share_id")
                            .col("generation")
                            .col("recipient_id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("share_key_wrapping", "share_id")
                            .to("share", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }
}
