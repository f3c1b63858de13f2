//! What every handler can reach.

use sea_orm::DatabaseConnection;

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: DatabaseConnection,
}
