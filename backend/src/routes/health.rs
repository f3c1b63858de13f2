//! `GET /api/health`: public, answers whether the server and its database work. Used by load
//! balancers and shown in the web app.

use actix_web::{HttpResponse, web};
use shared_types::api::HealthResponse;

use super::table::{Registrar, Scope, get};
use crate::error::ApiError;
use crate::state::AppState;

/// Declares the routes (see `routes::table`).
pub fn declare(r: &mut impl Registrar) {
    r.add(get("/health", Scope::Public), health);
}

async fn health(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let schema_version = crate::db::schema_version(&state.db).await?;
    Ok(HttpResponse::Ok().json(HealthResponse {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database: crate::db::kind(&state.db),
        schema_version,
    }))
}
