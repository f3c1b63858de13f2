//! Organizations: making a partner or a company, the caller's memberships, and the company and
//! partner as their people see them. Who may call each route is its scope in the table; the
//! handlers take what `authz` granted.

use actix_web::{HttpResponse, web};
use shared_types::org::{CreateCompanyRequest, CreatePartnerRequest};

use super::table::{Registrar, Scope, get, post};
use crate::auth::AuthSession;
use crate::authz::{CompanyMember, PartnerStaff};
use crate::error::ApiError;
use crate::services::orgs::{companies, memberships, partners};
use crate::state::AppState;

/// Declares the routes (see `routes::table`).
pub fn declare(r: &mut impl Registrar) {
    r.add(get("/account/memberships", Scope::Account), my_memberships);
    r.add(post("/partners", Scope::Account), create_partner);
    r.add(post("/companies", Scope::Account), create_company);
    r.add(
        get("/companies/{company_id}", Scope::CompanyMember),
        company,
    );
    r.add(
        get("/partners/{partner_id}", Scope::PartnerStaff(None)),
        partner,
    );
}

async fn my_memberships(
    state: web::Data<AppState>,
    auth: AuthSession,
) -> Result<HttpResponse, ApiError> {
    let found = memberships::memberships(&state.db, auth.0.account_id).await?;
    Ok(HttpResponse::Ok().json(found))
}

async fn create_partner(
    state: web::Data<AppState>,
    auth: AuthSession,
    body: web::Json<CreatePartnerRequest>,
) -> Result<HttpResponse, ApiError> {
    let made = partners::create(&state.db, auth.0.account_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(made))
}

async fn create_company(
    state: web::Data<AppState>,
    auth: AuthSession,
    body: web::Json<CreateCompanyRequest>,
) -> Result<HttpResponse, ApiError> {
    let made = companies::create_direct(&state.db, auth.0.account_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(made))
}

async fn company(
    state: web::Data<AppState>,
    caller: CompanyMember,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(companies::view(&state.db, caller.company).await?))
}

async fn partner(
    state: web::Data<AppState>,
    caller: PartnerStaff,
) -> Result<HttpResponse, ApiError> {
    let view = partners::view(
        &state.db,
        caller.partner,
        caller.session.account_id,
        &caller.permissions,
    )
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
