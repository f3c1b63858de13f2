//! Groups of a company: a key pair per generation whose private half is wrapped to every
//! member and manager, and a chain of signed lists, like a share's.
//!
//! - `company_group` is the group's own row; it goes with its company. Deleting a group only
//!   marks `deleted_at` after taking it off every share.
//! - `group_member` is the current list as rows; `role` is `member` (receives the group's
//!   shares), `manager` (holds the key and signs lists) or `member_manager`.
//! - `group_list` keeps every signed list exactly as sent.
//! - `group_key_wrapping` holds the group's private key wrapped to each member, per
//!   generation: older generations stay for those still in the group, so a share whose key
//!   was wrapped to an older group key still opens until it is re-keyed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn cascade(
    from: (&'static str, &'static str),
    to: (&'static str, &'static str),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("company_group")
                    .col(uuid("id").primary_key())
                    .col(uuid("company_id"))
                    .col(binary("sealed_name"))
                    .col(big_integer("name_version"))
                    .col(big_integer("list_epoch"))
                    .col(big_integer("generation"))
                    .col(uuid("generation_id"))
                    .col(binary("public_key"))
                    .col(boolean("list_stale"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("deleted_at"))
                    .foreign_key(&mut cascade(
                        ("company_group", "company_id"),
                        ("company", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("company_group_company")
                    .table("company_group")
                    .col("company_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("group_member")
                    .col(uuid("group_id"))
                    .col(uuid("account_id"))
                    .col(string_len("role", 16))
                    .col(uuid_null("added_by"))
                    .col(timestamp_with_time_zone("added_at"))
                    .primary_key(Index::create().col("group_id").col("account_id"))
                    .foreign_key(&mut cascade(
                        ("group_member", "group_id"),
                        ("company_group", "id"),
                    ))
                    .foreign_key(&mut cascade(
                        ("group_member", "account_id"),
                        ("account", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("group_member_account")
                    .table("group_member")
                    .col("account_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("group_list")
                    .col(uuid("group_id"))
                    .col(big_integer("epoch"))
                    .col(text("body"))
                    .col(uuid("signer_id"))
                    .col(binary("signature"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("group_id").col("epoch"))
                    .foreign_key(&mut cascade(
                        ("group_list", "group_id"),
                        ("company_group", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("group_key_wrapping")
                    .col(uuid("group_id"))
                    .col(big_integer("generation"))
                    .col(uuid("account_id"))
                    .col(uuid("sender_id"))
                    .col(binary("wrapped"))
                    .col(binary("signature"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(
                        Index::create()
                            .col("group_id")
                            .col("generation")
                            .col("account_id"),
                    )
                    .foreign_key(&mut cascade(
                        ("group_key_wrapping", "group_id"),
                        ("company_group", "id"),
                    ))
                    .foreign_key(&mut cascade(
                        ("group_key_wrapping", "account_id"),
                        ("account", "id"),
                    ))
                    .to_owned(),
            )
            .await
    }
}
