//! What every handler can reach.

use sea_orm::DatabaseConnection;

use crate::mail::Mailer;

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: DatabaseConnection,
    /// Outgoing mail.
    pub mailer: Mailer,
}
