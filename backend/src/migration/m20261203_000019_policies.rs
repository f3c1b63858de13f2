//! Security policies: each company's values (only those set; the rest are defaults), a
//! partner's named templates and which template a company follows, and when each account's
//! master password last changed (for the "change every N days" policy; NULL: never since the
//! account was made, so `created_at` counts).

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
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("company_policy")
                    .col(uuid("company_id"))
                    .col(string_len("policy", 48))
                    .col(text("value"))
                    .col(timestamp_with_time_zone("changed_at"))
                    .col(uuid_null("changed_by"))
                    .col(string_len("changed_by_email", 254))
                    .primary_key(Index::create().col("company_id").col("policy"))
                    .foreign_key(&mut cascade("company_policy", "company_id", "company"))
                    .foreign_key(&mut set_null("company_policy", "changed_by", "account"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("policy_template")
                    .col(uuid("id").primary_key())
                    .col(uuid("partner_id"))
                    .col(string_len("name", 100))
                    .col(string_len("name_key", 100))
                    .col(text("policies"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut cascade("policy_template", "partner_id", "partner"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("policy_template_partner_name")
                    .table("policy_template")
                    .col("partner_id")
                    .col("name_key")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("company_policy_template")
                    .col(uuid("company_id").primary_key())
                    .col(uuid("template_id"))
                    .col(timestamp_with_time_zone("applied_at"))
                    .foreign_key(&mut cascade(
                        "company_policy_template",
                        "company_id",
                        "company",
                    ))
                    .foreign_key(&mut cascade(
                        "company_policy_template",
                        "template_id",
                        "policy_template",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("company_policy_template_template")
                    .table("company_policy_template")
                    .col("template_id")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("account")
                    .add_column(timestamp_with_time_zone_null("password_changed_at"))
                    .to_owned(),
            )
            .await
    }
}
