//! Business logic. Handlers call these after authorising; these never see HTTP types.

pub mod server_secret;
