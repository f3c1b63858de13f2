//! Accounts and sign-in: accounts with their (encrypted) keys, their profiles, the browsers
//! they use, one-time email codes, sessions and rate-limit counters.

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
                    .table("account")
                    .col(uuid("id").primary_key())
                    .col(string_uniq("email"))
                    .col(timestamp_with_time_zone_null("email_confirmed_at"))
                    .col(binary("auth_salt"))
                    .col(binary("auth_hash"))
                    .col(integer("kdf_memory_kib"))
                    .col(integer("kdf_iterations"))
                    .col(integer("kdf_parallelism"))
                    .col(binary("kdf_salt"))
                    .col(binary("password_envelope"))
                    .col(binary("encryption_public_key"))
                    .col(binary("verifying_key"))
                    .col(binary("keys_signature"))
                    .col(binary("wrapped_encryption_key"))
                    .col(binary("wrapped_signing_key"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("profile")
                    .col(uuid("id").primary_key())
                    .col(uuid("account_id"))
                    .col(string_len("kind", 16))
                    .col(binary("wrapped_key"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("profile", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("profile_account_kind")
                    .table("profile")
                    .col("account_id")
                    .col("kind")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("device")
                    .col(uuid("account_id"))
                    .col(uuid("device_id"))
                    .col(string_len("name", 200))
                    .col(timestamp_with_time_zone_null("verified_at"))
                    .col(timestamp_with_time_zone("first_seen_at"))
                    .col(timestamp_with_time_zone("last_seen_at"))
                    .primary_key(Index::create().col("account_id").col("device_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("device", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("email_code")
                    .col(uuid("id").primary_key())
                    .col(uuid("account_id"))
                    .col(string_len("purpose", 32))
                    .col(uuid_null("device_id"))
                    .col(binary("code_hash"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("email_code", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("email_code_account_purpose")
                    .table("email_code")
                    .col("account_id")
                    .col("purpose")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("session")
                    .col(uuid("id").primary_key())
                    .col(binary_uniq("token_hash"))
                    .col(uuid("account_id"))
                    .col(uuid("device_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("last_used_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("session", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("session_account")
                    .table("session")
                    .col("account_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("rate_limit")
                    .col(string_len("bucket", 300).primary_key())
                    .col(big_integer("window_start"))
                    .col(integer("hits"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "rate_limit",
            "session",
            "email_code",
            "device",
            "profile",
            "account",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
