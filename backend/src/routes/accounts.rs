//! Sign-up, email confirmation, prelogin, login, logout and the signed-in account.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, web};
use shared_types::DeviceId;
use shared_types::account::{
    BindProfileKindsRequest, ChangePasswordRequest, ConfirmEmailRequest, LoginRequest,
    PreloginRequest, ProfileKey, SignupRequest,
};

use super::table::{Registrar, Scope, delete, get, post, put};
use crate::auth::{AuthSession, client_ip};
use crate::error::ApiError;
use crate::services::accounts::{self, NewSession, SESSION_COOKIE, SESSION_LIFETIME};
use crate::state::AppState;

/// Declares the routes (see `routes::table`).
pub fn declare(r: &mut impl Registrar) {
    r.add(post("/prelogin", Scope::Public), prelogin);
    r.add(post("/accounts", Scope::Public), signup);
    r.add(post("/accounts/confirm", Scope::Public), confirm);
    r.add(post("/login", Scope::Public), login);
    r.add(post("/logout", Scope::Setup), logout);
    r.add(post("/logout/everywhere", Scope::Setup), logout_everywhere);
    r.add(get("/account/devices", Scope::Setup), devices);
    r.add(
        delete("/account/devices/{device_id}", Scope::Setup),
        revoke_device,
    );
    r.add(get("/account/sessions", Scope::Setup), sessions);
    r.add(delete("/account/sessions/{id}", Scope::Setup), end_session);
    r.add(post("/account/password", Scope::Setup), change_password);
    r.add(get("/account", Scope::Setup), me);
    r.add(post("/account/profiles", Scope::Setup), add_profile);
    r.add(
        put("/account/profile-keys", Scope::Setup),
        bind_profile_kinds,
    );
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

async fn prelogin(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<PreloginRequest>,
) -> Result<HttpResponse, ApiError> {
    let reply = accounts::prelogin(&state, &body.email, &client_ip(&req)).await?;
    Ok(HttpResponse::Ok().json(reply))
}

async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<SignupRequest>,
) -> Result<HttpResponse, ApiError> {
    let next = accounts::signup(&state, body.into_inner(), &client_ip(&req)).await?;
    Ok(HttpResponse::Accepted().json(next))
}

async fn confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<ConfirmEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(signed_in(
        accounts::confirm_email(&state, body.into_inner(), &client_ip(&req)).await?,
    ))
}

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

async fn logout(
    state: web::Data<AppState>,
    session: AuthSession,
) -> Result<HttpResponse, ApiError> {
    accounts::revoke_session(&state.db, session.0.session_id).await?;
    Ok(signed_out())
}

async fn logout_everywhere(
    state: web::Data<AppState>,
    session: AuthSession,
) -> Result<HttpResponse, ApiError> {
    accounts::sign_out_everywhere(&state, &session.0).await?;
    Ok(signed_out())
}

async fn devices(
    state: web::Data<AppState>,
    session: AuthSession,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(accounts::devices(&state, &session.0).await?))
}

async fn revoke_device(
    state: web::Data<AppState>,
    session: AuthSession,
    path: web::Path<DeviceId>,
) -> Result<HttpResponse, ApiError> {
    accounts::revoke_device(&state, &session.0, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn sessions(
    state: web::Data<AppState>,
    session: AuthSession,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(accounts::sessions(&state, &session.0).await?))
}

async fn end_session(
    state: web::Data<AppState>,
    session: AuthSession,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    accounts::end_session(&state, &session.0, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn change_password(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(signed_in(
        accounts::change_password(&state, &session.0, body.into_inner()).await?,
    ))
}

async fn add_profile(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<ProfileKey>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(accounts::add_profile(&state, &session.0, &body).await?))
}

async fn bind_profile_kinds(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<BindProfileKindsRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(accounts::bind_profile_kinds(&state, &session.0, &body).await?))
}

async fn me(state: web::Data<AppState>, session: AuthSession) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(accounts::account_of(&state, &session.0).await?))
}
