//! Sharing: published keys and key lookups.

use actix_web::{HttpResponse, web};
use shared_types::sharing::{KeyLookupRequest, PublishedKeys};

use super::table::{Registrar, Scope, post, put};
use crate::auth::AuthSession;
use crate::error::ApiError;
use crate::services::sharing::{company_key, invitees, keys};
use crate::state::AppState;

/// Declares the routes (see `routes::table`).
pub fn declare(r: &mut impl Registrar) {
    r.add(put("/account/keys", Scope::Account), publish_keys);
    r.add(post("/keys/lookup", Scope::Account), lookup_keys);
}

async fn publish_keys(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<PublishedKeys>,
) -> Result<HttpResponse, ApiError> {
    keys::publish(&state.db, session.0.account_id.0, body.into_inner()).await?;
    // The company's Admins' browsers certify the new keys and hand the company's keys on.
    company_key::tell_admins(&state, session.0.account_id).await?;
    // Shares that invited this address: their managers' browsers hand the key on.
    invitees::tell_sharers(&state, session.0.account_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn lookup_keys(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<KeyLookupRequest>,
) -> Result<HttpResponse, ApiError> {
    let reply = keys::lookup(&state, session.0.account_id.0, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(reply))
}
