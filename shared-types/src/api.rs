//! Bodies of the HTTP API.

use serde::{Deserialize, Serialize};

/// The body of every error reply. `message` is written for a person and never contains
/// internal detail; `code` is stable and machine-readable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `bad_request`, `not_found`, `unavailable`.
    pub code: String,
    /// What went wrong, and where a person can fix it, how.
    pub message: String,
}

/// Which database engine a server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatabaseKind {
    /// The embedded default: one SQLite file in the data folder.
    Sqlite,
    /// PostgreSQL: production, and several server instances sharing one database.
    Postgres,
}

/// `GET /api/health`: whether the server and its database answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthResponse {
    /// `ok` when the database answered.
    pub status: String,
    /// The server's version.
    pub version: String,
    /// The database engine in use.
    pub database: DatabaseKind,
    /// How many schema migrations have been applied.
    pub schema_version: u32,
}
