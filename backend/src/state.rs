//! What every handler can reach.

use sea_orm::DatabaseConnection;

use std::sync::Arc;

use crate::mail::Mailer;
use crate::services::mail_outbox::Outbox;
use crate::services::metrics::Metrics;
use crate::services::notify::Notifier;
use crate::services::server_secret::ServerKeys;

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: DatabaseConnection,
    /// Outgoing mail.
    pub mailer: Mailer,
    /// The server's keyed-hash secrets.
    pub keys: Arc<ServerKeys>,
    /// Multiplier for per-IP rate limits.
    pub ip_limit_multiplier: i32,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Tells browsers that their vault changed.
    pub notifier: Notifier,
    /// Counters for operators (`GET /metrics` on `metrics_bind`).
    pub metrics: Arc<Metrics>,
    /// Wakes the mail worker.
    pub outbox: Outbox,
    /// Where people open Strongroom, for links in email (no trailing `/`).
    pub public_url: String,
}
