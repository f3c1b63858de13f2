//! HTTP routes, one file per resource, each with `configure`.

use actix_web::web;

pub mod accounts;
pub mod health;
pub mod two_factor;
pub mod vault;
pub mod wire;

/// Registers every API route under `/api`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            // API replies carry account data: never stored by browsers or proxies.
            .wrap(actix_web::middleware::DefaultHeaders::new().add(("Cache-Control", "no-store")))
            .configure(health::configure)
            .configure(accounts::configure)
            .configure(two_factor::configure)
            .configure(vault::configure)
            .default_service(web::to(api_not_found)),
    );
}

async fn api_not_found() -> Result<actix_web::HttpResponse, crate::error::ApiError> {
    Err(crate::error::ApiError::NotFound)
}
