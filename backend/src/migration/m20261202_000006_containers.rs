//! Containers: vault records belong to a container (a profile today; shares, group vaults and
//! the organization backup later) instead of an account, each container has its own revision
//! sequence, and who may read or write a container is a row of `vault_access`.
//!
//! - `vault_container` holds each container's last revision. A push takes only the rows of the
//!   containers it touches, so pushes to different containers run at the same time.
//! - `vault_access` says which accounts may read or write a container. A revoked access stays
//!   as a row without a role, so that the account's browsers learn of it. Each grant or
//!   revocation takes the next number of the account's access sequence
//!   (`account.vault_access_revision`).
//! - `vault_record` is keyed by (container, id).
//!
//! Existing data: every profile becomes a container owned by its account, and every container
//! starts its sequence at the old single counter's value. Stored records keep their revisions,
//! so a browser that pulled up to N under the old counter pulls each container after N and
//! misses nothing: every later change is numbered above the old counter.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too (sea-orm runs SQLite migrations statement by statement
    /// on any pooled connection otherwise). Two reasons: a connection whose schema cache predates
    /// the `DROP TABLE vault_record` of another one refuses the rename below ("there is already
    /// another table or index with this name"), and a migration stopped half way (after the
    /// drop, before the rename) would leave a database the server can no longer open.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("vault_container")
                    .col(uuid("id").primary_key())
                    .col(string_len("kind", 16))
                    .col(uuid("owner_id"))
                    .col(big_integer("revision"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("vault_container", "owner_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("vault_access")
                    .col(uuid("container_id"))
                    .col(uuid("account_id"))
                    .col(string_len_null("role", 16))
                    .col(big_integer("revision"))
                    .primary_key(Index::create().col("container_id").col("account_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("vault_access", "container_id")
                            .to("vault_container", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("vault_access", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Serves the access feed: "WHERE account_id = ? AND revision > ?".
        manager
            .create_index(
                Index::create()
                    .name("vault_access_account_revision")
                    .table("vault_access")
                    .col("account_id")
                    .col("revision")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("account")
                    .add_column(big_integer("vault_access_revision").default(0))
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO vault_container (id, kind, owner_id, revision, created_at) \
             SELECT id, 'profile', account_id, (SELECT value FROM vault_revision WHERE id = 1), created_at \
             FROM profile",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO vault_access (container_id, account_id, role, revision) \
             SELECT id, account_id, 'owner', CASE kind WHEN 'personal' THEN 1 ELSE 2 END \
             FROM profile",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE account SET vault_access_revision = \
             (SELECT COUNT(*) FROM vault_access WHERE vault_access.account_id = account.id)",
        )
        .await?;

        // Rebuilt rather than altered: SQLite cannot change a primary key.
        manager
            .create_table(
                Table::create()
                    .table("vault_record_v2")
                    .col(uuid("container_id"))
                    .col(uuid("id"))
                    .col(string_len("kind", 16))
                    .col(uuid_null("parent_id"))
                    .col(big_integer("revision"))
                    .col(binary_null("wrapped_key"))
                    .col(binary_null("data"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("container_id").col("id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("vault_record_v2", "container_id")
                            .to("vault_container", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "INSERT INTO vault_record_v2 \
             (container_id, id, kind, parent_id, revision, wrapped_key, data, updated_at) \
             SELECT container_id, id, kind, parent_id, revision, wrapped_key, data, updated_at \
             FROM vault_record",
        )
        .await?;
        manager
            .drop_table(Table::drop().table("vault_record").to_owned())
            .await?;
        manager
            .rename_table(
                Table::rename()
                    .table("vault_record_v2", "vault_record")
                    .to_owned(),
            )
            .await?;
        // Serves "WHERE container_id = ? AND revision > ? ORDER BY revision LIMIT n". Unique:
        // every stored change takes its own revision of its container.
        manager
            .create_index(
                Index::create()
                    .name("vault_record_container_revision")
                    .table("vault_record")
                    .col("container_id")
                    .col("revision")
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Serves finding a record by id in whichever readable container it lives.
        manager
            .create_index(
                Index::create()
                    .name("vault_record_id")
                    .table("vault_record")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("vault_revision").to_owned())
            .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Going back would fold every container's sequence into one counter, renumbering
        // revisions every browser has seen: restore a backup instead.
        Err(DbErr::Migration(
            "the containers migration cannot be undone; restore a database backup".to_owned(),
        ))
    }
}
