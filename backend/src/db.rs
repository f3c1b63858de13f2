//! Opening the database and bringing its schema up to date. SQLite (one file, WAL journal) is
//! the embedded default; PostgreSQL is used when the settings name a postgres URL.

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use shared_types::api::DatabaseKind;

use crate::migration::Migrator;
use crate::settings::DatabaseTarget;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DbOpenError {
    /// The folder for the SQLite file could not be created.
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        /// The folder.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Connecting failed.
    #[error("cannot open the database: {0}")]
    Connect(#[source] DbErr),
    /// The server's secrets could not be read or made.
    #[error("cannot load the server's secrets: {0}")]
    Secrets(#[source] DbErr),
    /// A migration failed; nothing after it was applied.
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[source] DbErr),
}

/// Connects to `target` and applies pending migrations.
pub async fn open(target: &DatabaseTarget) -> Result<DatabaseConnection, DbOpenError> {
    let mut options = match target {
        DatabaseTarget::Sqlite(path) => {
            if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(folder).map_err(|source| DbOpenError::Folder {
                    path: folder.to_owned(),
                    source,
                })?;
            }
            // The file name is set through the options below, not spliced into this URL, so any
            // path works (spaces, '?', '#', '%'). The URL only selects the SQLite driver.
            let mut options = ConnectOptions::new("sqlite:strongroom.db");
            let path = path.clone();
            // Pragmas are per connection, so set them on every pooled connection. FULL makes a
            // commit durable before the server acknowledges it: a browser drops a change from
            // its outbox once acknowledged, so losing one on power failure would lose the edit.
            options.map_sqlx_sqlite_opts(move |opts| {
                opts.filename(&path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
            options.max_connections(8);
            options
        }
        DatabaseTarget::Postgres(url) => {
            let mut options = ConnectOptions::new(url.clone());
            options.max_connections(16);
            options
        }
    };
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        // Statements may carry ciphertext and ids; the request log says enough.
        .sqlx_logging(false);
    let db = Database::connect(options)
        .await
        .map_err(DbOpenError::Connect)?;
    migrate(&db).await.map_err(DbOpenError::Migrate)?;
    Ok(db)
}

/// The PostgreSQL advisory lock held while migrating ("StrongRm" in ASCII).
const MIGRATION_LOCK: i64 = 0x5374_726f_6e67_526d;

/// Applies pending migrations. On PostgreSQL, several instances may start at once on one
/// database: each migrates inside a transaction that first takes [`MIGRATION_LOCK`], so one
/// applies the migrations and the others wait for it, then find nothing left to apply.
async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Migrator::up(db, None).await;
    }
    let txn = db.begin().await?;
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1)",
        [MIGRATION_LOCK.into()],
    ))
    .await?;
    Migrator::up(&txn, None).await?;
    txn.commit().await
}

/// The engine behind a connection.
pub fn kind(db: &DatabaseConnection) -> DatabaseKind {
    match db.get_database_backend() {
        DbBackend::Postgres => DatabaseKind::Postgres,
        _ => DatabaseKind::Sqlite,
    }
}

/// How many migrations have been applied (the schema version).
pub async fn schema_version(db: &DatabaseConnection) -> Result<u32, DbErr> {
    let applied = Migrator::get_applied_migrations(db).await?;
    Ok(u32::try_from(applied.len()).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sea_orm::{ConnectionTrait, Statement};

    #[tokio::test]
    async fn sqlite_uses_wal_and_foreign_keys_and_migrates_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("nested folder/strong?room#%.db");
        let target = DatabaseTarget::Sqlite(file.clone());
        let db = open(&target).await.unwrap();
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA journal_mode",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "wal");
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA foreign_keys",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<i32>(0).unwrap(), 1);
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA synchronous",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<i32>(0).unwrap(), 2, "2 is FULL");
        assert!(
            file.exists(),
            "the database is the named file, not in memory"
        );
        let version = schema_version(&db).await.unwrap();
        assert_eq!(version as usize, Migrator::migrations().len());
        drop(db);
        // Opening again applies nothing new and keeps the schema.
        let db = open(&target).await.unwrap();
        assert_eq!(schema_version(&db).await.unwrap(), version);
    }
}
