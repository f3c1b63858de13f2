//! HTTP routes, one file per resource, each declaring its routes to the route table
//! (`table.rs`), which registers them and lists them.

use actix_web::web;

pub mod accounts;
pub mod groups;
pub mod health;
pub mod orgs;
pub mod partner_staff;
pub mod policies;
pub mod shares;
pub mod sharing;
pub mod table;
pub mod two_factor;
pub mod vault;
pub mod wire;

use table::{Listing, Register, Registrar, RouteRule};

/// Every route, declared to `r`.
fn declare(r: &mut impl Registrar) {
    health::declare(r);
    accounts::declare(r);
    two_factor::declare(r);
    vault::declare(r);
    orgs::declare(r);
    partner_staff::declare(r);
    sharing::declare(r);
    shares::declare(r);
    groups::declare(r);
    policies::declare(r);
}

/// Every route of the API (paths under `/api`), with who may call it.
pub fn declared() -> Vec<RouteRule> {
    let mut listing = Listing::default();
    declare(&mut listing);
    listing.0
}

/// Registers every API route under `/api`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            // API replies carry account data: never stored by browsers or proxies.
            .wrap(actix_web::middleware::DefaultHeaders::new().add(("Cache-Control", "no-store")))
            .configure(|cfg| declare(&mut Register(cfg)))
            .default_service(web::to(api_not_found)),
    );
}

async fn api_not_found() -> Result<actix_web::HttpResponse, crate::error::ApiError> {
    Err(crate::error::ApiError::NotFound)
}
