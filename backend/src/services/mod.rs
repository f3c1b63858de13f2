//! Business logic. Handlers call these after authorising; these never see HTTP types.

pub mod access;
pub mod accounts;
pub mod mail_outbox;
pub mod metrics;
pub mod notify;
pub mod orgs;
pub mod policies;
pub mod policy_templates;
pub mod rate_limit;
pub mod server_secret;
pub mod sharing;
pub mod two_factor;
pub mod vault;
