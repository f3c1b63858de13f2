//! Organizations: partners (MSPs) with their staff and access roles, companies with their
//! members, and each company's admin access log.
//!
//! - A company has at most one partner; a business that signs up directly has none.
//! - `company_member` keeps one row per (company, address), whatever its state (invited,
//!   active, removed), so re-inviting a removed address reuses its row. The partial unique
//!   index on active rows is the database's own guard for "an account is in at most one
//!   company"; `partner_staff` has the same for "works for at most one partner".
//! - Built-in partner roles (`admin`, `technician`) get a row each so staff can point at them,
//!   but their permissions are code; custom roles list theirs in `partner_role_permission`.
//! - `admin_access_log` records every admin write, and partner staff's visits, for the company
//!   to read. It keeps the actor's address as it was, so it outlives the actor's account.

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

fn set_null(
    table: &'static str,
    column: &'static str,
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(to, "id")
        .on_delete(ForeignKeyAction::SetNull)
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
                    .table("partner")
                    .col(uuid("id").primary_key())
                    .col(string_len("name", 200))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("partner_role")
                    .col(uuid("id").primary_key())
                    .col(uuid("partner_id"))
                    .col(string_len("name", 100))
                    .col(string_len_null("builtin", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut cascade("partner_role", "partner_id", "partner"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("partner_role_name")
                    .table("partner_role")
                    .col("partner_id")
                    .col("name")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("partner_role_permission")
                    .col(uuid("role_id"))
                    .col(string_len("permission", 48))
                    .primary_key(Index::create().col("role_id").col("permission"))
                    .foreign_key(&mut cascade(
                        "partner_role_permission",
                        "role_id",
                        "partner_role",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("partner_staff")
                    .col(uuid("id").primary_key())
                    .col(uuid("partner_id"))
                    .col(uuid_null("account_id"))
                    .col(string_len("email", 254))
                    .col(string_len("name", 200))
                    .col(uuid("role_id"))
                    .col(string_len("status", 8))
                    .col(timestamp_with_time_zone("invited_at"))
                    .col(timestamp_with_time_zone_null("joined_at"))
                    .col(timestamp_with_time_zone_null("removed_at"))
                    .foreign_key(&mut cascade("partner_staff", "partner_id", "partner"))
                    .foreign_key(&mut set_null("partner_staff", "account_id", "account"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("partner_staff", "role_id")
                            .to("partner_role", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("partner_staff_email")
                    .table("partner_staff")
                    .col("partner_id")
                    .col("email")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("partner_staff_role")
                    .table("partner_staff")
                    .col("role_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("company")
                    .col(uuid("id").primary_key())
                    .col(uuid_null("partner_id"))
                    .col(string_len("name", 200))
                    .col(string_len("name_key", 200))
                    .col(string_len("tier", 16))
                    .col(string_len("contact_email", 254))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("company", "partner_id")
                            .to("partner", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(&mut set_null("company", "created_by", "account"))
                    .to_owned(),
            )
            .await?;
        for (name, last) in [
            ("company_partner_name", "name_key"),
            ("company_partner_created", "created_at"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table("company")
                        .col("partner_id")
                        .col(last)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("company_member")
                    .col(uuid("id").primary_key())
                    .col(uuid("company_id"))
                    .col(uuid_null("account_id"))
                    .col(string_len("email", 254))
                    .col(string_len("name", 200))
                    .col(string_len("role", 8))
                    .col(string_len("status", 8))
                    .col(uuid_null("business_container_id"))
                    .col(boolean("joined_as_new_account").default(false))
                    .col(uuid_null("invited_by"))
                    .col(timestamp_with_time_zone("invited_at"))
                    .col(timestamp_with_time_zone_null("joined_at"))
                    .col(timestamp_with_time_zone_null("removed_at"))
                    .col(uuid_null("removed_by"))
                    .foreign_key(&mut cascade("company_member", "company_id", "company"))
                    .foreign_key(&mut set_null("company_member", "account_id", "account"))
                    .foreign_key(&mut set_null(
                        "company_member",
                        "business_container_id",
                        "vault_container",
                    ))
                    .foreign_key(&mut set_null("company_member", "invited_by", "account"))
                    .foreign_key(&mut set_null("company_member", "removed_by", "account"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("company_member_email")
                    .table("company_member")
                    .col("company_id")
                    .col("email")
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, last) in [
            ("company_member_status_email", "email"),
            ("company_member_status_name", "name"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table("company_member")
                        .col("company_id")
                        .col("status")
                        .col(last)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("company_member_container")
                    .table("company_member")
                    .col("business_container_id")
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        // Partial unique indexes: the same text on SQLite and PostgreSQL.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX company_member_one_company \
             ON company_member (account_id) WHERE status = 'active'",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX partner_staff_one_partner \
             ON partner_staff (account_id) WHERE status = 'active'",
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("admin_access_log")
                    .col(uuid("id").primary_key())
                    .col(uuid("company_id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(uuid_null("actor_account_id"))
                    .col(string_len("actor_email", 254))
                    .col(uuid_null("actor_partner_id"))
                    .col(string_len("action", 48))
                    .col(uuid_null("target_member_id"))
                    .col(string_len("detail", 300))
                    .foreign_key(&mut cascade("admin_access_log", "company_id", "company"))
                    .foreign_key(&mut set_null(
                        "admin_access_log",
                        "actor_account_id",
                        "account",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("admin_access_log_company_at")
                    .table("admin_access_log")
                    .col("company_id")
                    .col("at")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
