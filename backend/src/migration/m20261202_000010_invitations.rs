//! Invitations to a company (or, later, to a partner's staff) and the outbox that mails them.
//!
//! - An `invitation` belongs to exactly one `company_member` or one `partner_staff` row. Only a
//!   keyed hash of its token is stored, and only once the outbox worker makes the token, at send
//!   time: a plaintext token is never written to the database, not even while queued. A resend
//!   makes a new invitation and marks the old one `replaced`, so the history is kept and the
//!   old link gets its own clear message.
//! - `mail_outbox` holds the mail still to send. Requests commit rows here and return; the
//!   worker claims due rows (on PostgreSQL with `SKIP LOCKED`, so instances share the work),
//!   sends, and retries with a growing delay.

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
                    .table("invitation")
                    .col(uuid("id").primary_key())
                    .col(uuid_null("member_id"))
                    .col(uuid_null("staff_id"))
                    .col(binary_null("token_hash"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(uuid_null("used_by"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(string_len_null("revoked_reason", 16))
                    .col(uuid_null("created_by"))
                    .check(Expr::cust("(member_id IS NULL) <> (staff_id IS NULL)"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("invitation", "member_id")
                            .to("company_member", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("invitation", "staff_id")
                            .to("partner_staff", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("invitation", "used_by")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("invitation", "created_by")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column, unique) in [
            ("invitation_token", "token_hash", true),
            ("invitation_member", "member_id", false),
            ("invitation_staff", "staff_id", false),
            ("invitation_created", "created_at", false),
        ] {
            let mut index = Index::create();
            index.name(name).table("invitation").col(column);
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("mail_outbox")
                    .col(uuid("id").primary_key())
                    .col(string_len("kind", 16))
                    .col(uuid_null("invitation_id"))
                    .col(string_len("to_email", 254))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(integer("attempts").default(0))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(string_len_null("last_error", 200))
                    .foreign_key(
                        ForeignKey::create()
                            .from("mail_outbox", "invitation_id")
                            .to("invitation", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("mail_outbox_due")
                    .table("mail_outbox")
                    .col("sent_at")
                    .col("next_attempt_at")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
