//! Sign-up, email confirmation, prelogin, login, logout and the signed-in account.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use shared_types::DeviceId;
use shared_types::account::{
    ChangePasswordRequest, ConfirmEmailRequest, LoginRequest, PreloginRequest, SignupRequest,
};

use crate::auth::{AuthSession, client_ip};
use crate::error::ApiError;
use crate::services::accounts::{self, NewSession, SESSION_COOKIE, SESSION_LIFETIME};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(prelogin)
        .service(signup)
        .service(confirm)
        .service(login)
        .service(logout)
        .service(logout_everywhere)
        .service(me)
        .service(devices)
        .service(revoke_device)
        .service(sessions)
        .service(end_session)
        .service(change_password);
}

fn session_cookie(token: &str) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token.to_owned())
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::seconds(SESSION_LIFETIME.whole_seconds()))
        .finish()
}

fn signed_in(new: NewSession) -> HttpResponse {
    HttpResponse::Ok()
        .cookie(session_cookie(&new.token))
        .json(new.bundle)
}

#[post("/prelogin")]
async fn prelogin(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<PreloginRequest>,
) -> Result<HttpResponse, ApiError> {
    let reply = accounts::prelogin(&state, &body.email, &client_ip(&req)).await?;
    Ok(HttpResponse::Ok().json(reply))
}

#[post("/accounts")]
async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<SignupRequest>,
) -> Result<HttpResponse, ApiError> {
    let next = accounts::signup(&state, body.into_inner(), &client_ip(&req)).await?;
    Ok(HttpResponse::Accepted().json(next))
}

#[post("/accounts/confirm")]
async fn confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<ConfirmEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(signed_in(
        accounts::confirm_email(&state, body.into_inner(), &client_ip(&req)).await?,
    ))
}

#[post("/login")]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(signed_in(
        accounts::login(&state, body.into_inner(), &client_ip(&req)).await?,
    ))
}

fn signed_out() -> HttpResponse {
    let mut gone = session_cookie("");
    gone.make_removal();
    HttpResponse::NoContent().cookie(gone).finish()
}

#[post("/logout")]
async fn logout(
    state: web::Data<AppState>,
    session: AuthSession,
) -> Result<HttpResponse, ApiError> {
    accounts::revoke_session(&state.db, session.0.session_id).await?;
    Ok(signed_out())
}

#[post("/logout/everywhere")]
async fn logout_everywhere(
    state: web::Data<AppState>,
    session: AuthSession,
) -> Result<HttpResponse, ApiError> {
    accounts::sign_out_everywhere(&state, &session.0).await?;
    Ok(signed_out())
}

#[get("/account/devices")]
async fn devices(
    state: web::Data<AppState>,
    session: AuthSession,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(accounts::devices(&state, &session.0).await?))
}

#[delete("/account/devices/{device_id}")]
async fn revoke_device(
    state: web::Data<AppState>,
    session: AuthSession,
    path: web::Path<DeviceId>,
) -> Result<HttpResponse, ApiError> {
    accounts::revoke_device(&state, &session.0, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[get("/account/sessions")]
async fn sessions(
    state: web::Data<AppState>,
    session: AuthSession,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(accounts::sessions(&state, &session.0).await?))
}

#[delete("/account/sessions/{id}")]
async fn end_session(
    state: web::Data<AppState>,
    session: AuthSession,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    accounts::end_session(&state, &session.0, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[post("/account/password")]
async fn change_password(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(signed_in(
        accounts::change_password(&state, &session.0, body.into_inner()).await?,
    ))
}

#[get("/account")]
async fn me(state: web::Data<AppState>, session: AuthSession) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(accounts::account_of(&state, &session.0).await?))
}
