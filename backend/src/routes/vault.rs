//! The signed-in account's vault records: pull what changed after a revision, push changes.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use shared_types::vault::PushRequest;

use crate::auth::AuthSession;
use crate::error::ApiError;
use crate::services::vault;
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(records).service(push);
}

/// `?since=N`: the last revision the browser has; 0 (the default) for everything.
#[derive(Debug, Deserialize)]
struct Since {
    #[serde(default)]
    since: i64,
}

#[get("/vault/records")]
async fn records(
    state: web::Data<AppState>,
    session: AuthSession,
    query: web::Query<Since>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(vault::pull(&state.db, session.0.account_id, query.since).await?))
}

#[post("/vault/push")]
async fn push(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<PushRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .json(vault::push(&state.db, session.0.account_id, body.into_inner()).await?))
}
