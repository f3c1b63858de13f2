//! Organizations: making a partner or a company, the caller's memberships, and the company and
//! partner as their people see them. Who may call each route is its scope in the table; the
//! handlers take what `authz` granted.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use shared_types::org::{
    ActivityQuery, ChangeRoleRequest, CompanyQuery, CreateCompanyRequest, CreatePartnerCompany,
    CreatePartnerRequest, CsvRequest, InvitationSignupRequest, InviteRequest, MemberQuery,
    Permission, RemoveMemberRequest, TokenRequest, UpdateCompanySettings, UpdatePartnerCompany,
};
use shared_types::{CompanyId, MemberId};

use super::table::{Registrar, Scope, get, patch, post, put};
use crate::auth::{AuthSession, client_ip};
use crate::authz::{CompanyAdmin, CompanyMember, PartnerStaff};
use crate::error::ApiError;
use crate::services::orgs::{
    access_log, companies, csv_import, invitation_links, invitations, members, memberships,
    partner_companies, partners,
};
use crate::services::policies;
use crate::state::AppState;

/// Declares the routes (see `routes::table`).
pub fn declare(r: &mut impl Registrar) {
    r.add(get("/account/memberships", Scope::Setup), my_memberships);
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
    let manage_users = Scope::CompanyAdmin(Permission::CompaniesManageUsers);
    r.add(
        post("/companies/{company_id}/invitations", manage_users),
        invite,
    );
    r.add(
        post(
            "/companies/{company_id}/members/{member_id}/invitation/resend",
            manage_users,
        ),
        resend,
    );
    r.add(
        post(
            "/companies/{company_id}/members/{member_id}/invitation/link",
            manage_users,
        ),
        copy_link,
    );
    r.add(
        post(
            "/companies/{company_id}/members/{member_id}/invitation/revoke",
            manage_users,
        ),
        revoke,
    );
    r.add(
        post(
            "/companies/{company_id}/invitations/csv/preview",
            manage_users,
        ),
        csv_preview,
    );
    r.add(
        post("/companies/{company_id}/invitations/csv", manage_users),
        csv_commit,
    );
    let view = Scope::CompanyAdmin(Permission::CompaniesView);
    r.add(get("/companies/{company_id}/members", view), members);
    r.add(
        patch("/companies/{company_id}/members/{member_id}", manage_users),
        change_role,
    );
    r.add(
        post(
            "/companies/{company_id}/members/{member_id}/remove",
            manage_users,
        ),
        remove,
    );
    r.add(get("/companies/{company_id}/settings", view), settings);
    r.add(
        put(
            "/companies/{company_id}/settings",
            Scope::CompanyAdmin(Permission::CompaniesCreate),
        ),
        update_settings,
    );
    r.add(get("/companies/{company_id}/activity", view), activity);
    r.add(
        get(
            "/partners/{partner_id}/companies",
            Scope::PartnerStaff(Some(Permission::CompaniesView)),
        ),
        partner_companies,
    );
    let create = Scope::PartnerStaff(Some(Permission::CompaniesCreate));
    r.add(
        post("/partners/{partner_id}/companies", create),
        create_partner_company,
    );
    r.add(
        patch("/partners/{partner_id}/companies/{company_id}", create),
        update_partner_company,
    );
    r.add(post("/invitations/lookup", Scope::Public), lookup);
    r.add(post("/invitations/signup", Scope::Public), signup);
    r.add(post("/invitations/accept", Scope::Account), accept);
}

/// A path naming one company of the path's partner.
#[derive(Deserialize)]
struct PartnerCompanyPath {
    company_id: CompanyId,
}

/// A path naming one member of the path's company.
#[derive(Deserialize)]
struct MemberPath {
    member_id: MemberId,
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
    crate::services::policies::check_portal(&state.db, caller.company, &caller.grant).await?;
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

async fn invite(
    state: web::Data<AppState>,
    caller: CompanyAdmin,
    body: web::Json<InviteRequest>,
) -> Result<HttpResponse, ApiError> {
    let row = invitations::invite(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(row))
}

async fn resend(
    state: web::Data<AppState>,
    caller: CompanyAdmin,
    path: web::Path<MemberPath>,
) -> Result<HttpResponse, ApiError> {
    let row = invitations::resend(&state, &caller, path.member_id).await?;
    Ok(HttpResponse::Ok().json(row))
}

async fn copy_link(
    state: web::Data<AppState>,
    caller: CompanyAdmin,
    path: web::Path<MemberPath>,
) -> Result<HttpResponse, ApiError> {
    let link = invitations::copy_link(&state, &caller, path.member_id).await?;
    Ok(HttpResponse::Ok().json(link))
}

async fn revoke(
    state: web::Data<AppState>,
    caller: CompanyAdmin,
    path: web::Path<MemberPath>,
) -> Result<HttpResponse, ApiError> {
    let row = invitations::revoke(&state, &caller, path.member_id).await?;
    Ok(HttpResponse::Ok().json(row))
}

async fn lookup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let view = invitation_links::lookup(&state, &body.token, &client_ip(&req)).await?;
    Ok(HttpResponse::Ok().json(view))
}

async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<InvitationSignupRequest>,
) -> Result<HttpResponse, ApiError> {
    let next = invitation_links::signup(&state, body.into_inner(), &client_ip(&req)).await?;
    Ok(HttpResponse::Created().json(next))
}

async fn accept(
    state: web::Data<AppState>,
    auth: AuthSession,
    body: web::Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let mine = invitation_links::accept(&state, auth.0.account_id, &body.token).await?;
    // A new member with keys already published: the Admins' browsers have work to do.
    crate::services::sharing::company_key::tell_admins(&state, auth.0.account_id).await?;
    Ok(HttpResponse::Ok().json(mine))
}

async fn members(
    state: web::Data<AppState>,
    caller: CompanyAdmin,
    query: web::Query<MemberQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = members::list(&state.db, caller.company, query.into_inner()).await?;
    Ok(HttpResponse::Ok().json(page))
}

async fn change_role(
    state: web::Data<AppState>,
    caller: CompanyAdmin,
    path: web::Path<MemberPath>,
    body: web::Json<ChangeRoleRequest>,
) -> Result<HttpResponse, ApiError> {
    let row = members::change_role(&state.db, &caller, path.member_id, body.role).await?;
    Ok(HttpResponse::Ok().json(row))
}

async fn remove(
    state: web::Data<AppState>,
    caller: CompanyAdmin,
    path: web::Path<MemberPath>,
    body: web::Json<RemoveMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    members::remove(&state, &caller, path.member_id, body.mode).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn settings(
    state: web::Data<AppState>,
    caller: CompanyAdmin,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(companies::settings(&state.db, caller.company).await?))
}

async fn update_settings(
    state: web::Data<AppState>,
    caller: CompanyAdmin,
    body: web::Json<UpdateCompanySettings>,
) -> Result<HttpResponse, ApiError> {
    let after = companies::update_settings(&state.db, &caller, body.into_inner()).await?;
    // The domains reach members with their policies: their browsers read them again.
    policies::tell_members(&state, caller.company).await?;
    Ok(HttpResponse::Ok().json(after))
}

async fn activity(
    state: web::Data<AppState>,
    caller: CompanyAdmin,
    query: web::Query<ActivityQuery>,
) -> Result<HttpResponse, ApiError> {
    let entries = access_log::entries(&state.db, caller.company, query.into_inner()).await?;
    Ok(HttpResponse::Ok().json(entries))
}

async fn partner_companies(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    query: web::Query<CompanyQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = partner_companies::list(&state.db, caller.partner, query.into_inner()).await?;
    Ok(HttpResponse::Ok().json(page))
}

async fn create_partner_company(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    body: web::Json<CreatePartnerCompany>,
) -> Result<HttpResponse, ApiError> {
    let made = partner_companies::create(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(made))
}

async fn update_partner_company(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    path: web::Path<PartnerCompanyPath>,
    body: web::Json<UpdatePartnerCompany>,
) -> Result<HttpResponse, ApiError> {
    let after =
        partner_companies::update(&state.db, &caller, path.company_id, body.into_inner()).await?;
    // A tier change turns Advanced policies on or off for the members.
    policies::tell_members(&state, path.company_id).await?;
    Ok(HttpResponse::Ok().json(after))
}

async fn csv_preview(
    state: web::Data<AppState>,
    caller: CompanyAdmin,
    body: web::Json<CsvRequest>,
) -> Result<HttpResponse, ApiError> {
    let report = csv_import::preview(&state, &caller, &body.csv).await?;
    Ok(HttpResponse::Ok().json(report))
}

async fn csv_commit(
    state: web::Data<AppState>,
    caller: CompanyAdmin,
    body: web::Json<CsvRequest>,
) -> Result<HttpResponse, ApiError> {
    let report = csv_import::commit(&state, &caller, &body.csv).await?;
    Ok(HttpResponse::Ok().json(report))
}
