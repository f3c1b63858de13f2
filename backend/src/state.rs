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
    /// Multiplier for per-IP rate limits.
    pub ip_limit_multiplier: i32,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}
