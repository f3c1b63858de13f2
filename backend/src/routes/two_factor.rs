//! Two-factor authentication settings of the signed-in account.

use actix_web::{HttpResponse, web};
use shared_types::account::{DisableTwoFactorRequest, EnableTwoFactorRequest};

use super::table::{Registrar, Scope, get, post};
use crate::auth::AuthSession;
use crate::error::ApiError;
use crate::services::two_factor;
use crate::state::AppState;

/// Declares the routes (see `routes::table`).
pub fn declare(r: &mut impl Registrar) {
    r.add(get("/account/2fa", Scope::Setup), status);
    r.add(post("/account/2fa/setup", Scope::Setup), setup);
    r.add(post("/account/2fa/enable", Scope::Setup), enable);
    r.add(post("/account/2fa/disable", Scope::Setup), disable);
}

async fn status(
    state: web::Data<AppState>,
    session: AuthSession,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(two_factor::status(&state, &session.0).await?))
}

async fn setup(state: web::Data<AppState>, session: AuthSession) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(two_factor::setup(&state, &session.0).await?))
}

async fn enable(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<EnableTwoFactorRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(two_factor::enable(&state, &session.0, &body.code).await?))
}

async fn disable(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<DisableTwoFactorRequest>,
) -> Result<HttpResponse, ApiError> {
    two_factor::disable(&state, &session.0, &body).await?;
    Ok(HttpResponse::NoContent().finish())
}
