//! Two-factor authentication settings of the signed-in account.

use actix_web::{HttpResponse, get, post, web};
use shared_types::account::{DisableTwoFactorRequest, EnableTwoFactorRequest};

use crate::auth::AuthSession;
use crate::error::ApiError;
use crate::services::two_factor;
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(status)
        .service(setup)
        .service(enable)
        .service(disable);
}

#[get("/account/2fa")]
async fn status(
    state: web::Data<AppState>,
    session: AuthSession,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(two_factor::status(&state, &session.0).await?))
}

#[post("/account/2fa/setup")]
async fn setup(state: web::Data<AppState>, session: AuthSession) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(two_factor::setup(&state, &session.0).await?))
}

#[post("/account/2fa/enable")]
async fn enable(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<EnableTwoFactorRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(two_factor::enable(&state, &session.0, &body.code).await?))
}

#[post("/account/2fa/disable")]
async fn disable(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<DisableTwoFactorRequest>,
) -> Result<HttpResponse, ApiError> {
    two_factor::disable(&state, &session.0, &body).await?;
    Ok(HttpResponse::NoContent().finish())
}
