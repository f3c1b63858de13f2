//! Groups of a company, the directory key that seals their names and the company key that
//! certifies its members' keys: made by its own Admins, changed by their managers, listed to the
//! company's members (who share with them) and to each person for the groups they are in.
//! Who may call each route is the scopes' job (`authz::CompanyOwnAdmin`,
//! `authz::GroupManager`); what the lists and wrappings may say is `services::sharing`'s.

use actix_web::{HttpResponse, web};
use shared_types::AccountId;
use shared_types::sharing::{
    CertifyRequest, CreateCompanyKeyRequest, CreateGroupRequest, GrantRequest, ListChangeRequest,
    RenameShareRequest,
};

use super::table::{Registrar, Scope, delete, get, post, put};
use crate::auth::AuthSession;
use crate::authz::{CompanyMember, CompanyOwnAdmin, GroupManager};
use crate::error::ApiError;
use crate::services::sharing::{company_key, directory, group_views, groups};
use crate::state::AppState;

/// Declares the routes (see `routes::table`).
pub fn declare(r: &mut impl Registrar) {
    r.add(get("/groups", Scope::Account), mine);
    r.add(get("/directory", Scope::Account), directory_state);
    r.add(
        post(
            "/companies/{company_id}/directory/wrappings",
            Scope::CompanyOwnAdmin,
        ),
        grant_directory,
    );
    r.add(
        post("/companies/{company_id}/key", Scope::CompanyOwnAdmin),
        create_company_key,
    );
    r.add(
        post(
            "/companies/{company_id}/key/wrappings",
            Scope::CompanyOwnAdmin,
        ),
        grant_company_key,
    );
    r.add(
        post(
            "/companies/{company_id}/certificates",
            Scope::CompanyOwnAdmin,
        ),
        certify,
    );
    r.add(
        get("/companies/{company_id}/groups", Scope::CompanyMember),
        of_company,
    );
    r.add(
        post("/companies/{company_id}/groups", Scope::CompanyOwnAdmin),
        create,
    );
    r.add(
        post(
            "/companies/{company_id}/groups/{group_id}/lists",
            Scope::GroupManager,
        ),
        change_list,
    );
    r.add(
        post(
            "/companies/{company_id}/groups/{group_id}/wrappings",
            Scope::GroupManager,
        ),
        grant,
    );
    r.add(
        put(
            "/companies/{company_id}/groups/{group_id}/name",
            Scope::GroupManager,
        ),
        rename,
    );
    r.add(
        delete(
            "/companies/{company_id}/groups/{group_id}/members/{account_id}",
            Scope::GroupManager,
        ),
        remove_person,
    );
    r.add(
        delete(
            "/companies/{company_id}/groups/{group_id}",
            Scope::GroupManager,
        ),
        remove,
    );
}

async fn mine(state: web::Data<AppState>, session: AuthSession) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(group_views::mine(&state.db, session.0.account_id).await?))
}

async fn directory_state(
    state: web::Data<AppState>,
    session: AuthSession,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(directory::state(&state.db, session.0.account_id).await?))
}

async fn grant_directory(
    state: web::Data<AppState>,
    admin: CompanyOwnAdmin,
    body: web::Json<GrantRequest>,
) -> Result<HttpResponse, ApiError> {
    directory::grant(
        &state,
        admin.company,
        admin.session.account_id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn create_company_key(
    state: web::Data<AppState>,
    admin: CompanyOwnAdmin,
    body: web::Json<CreateCompanyKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    let caller = admin.session.account_id;
    company_key::create(&state, admin.company, caller, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn grant_company_key(
    state: web::Data<AppState>,
    admin: CompanyOwnAdmin,
    body: web::Json<GrantRequest>,
) -> Result<HttpResponse, ApiError> {
    let caller = admin.session.account_id;
    company_key::grant(&state, admin.company, caller, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn certify(
    state: web::Data<AppState>,
    admin: CompanyOwnAdmin,
    body: web::Json<CertifyRequest>,
) -> Result<HttpResponse, ApiError> {
    let caller = admin.session.account_id;
    company_key::certify(&state, admin.company, caller, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn of_company(
    state: web::Data<AppState>,
    member: CompanyMember,
) -> Result<HttpResponse, ApiError> {
    let found =
        group_views::of_company(&state.db, member.company, member.session.account_id).await?;
    Ok(HttpResponse::Ok().json(found))
}

async fn create(
    state: web::Data<AppState>,
    admin: CompanyOwnAdmin,
    body: web::Json<CreateGroupRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = groups::create(
        &state,
        admin.company,
        admin.session.account_id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created().json(meta))
}

async fn change_list(
    state: web::Data<AppState>,
    manager: GroupManager,
    body: web::Json<ListChangeRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = groups::change_list(
        &state,
        manager.company,
        manager.group,
        manager.session.account_id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(meta))
}

async fn grant(
    state: web::Data<AppState>,
    manager: GroupManager,
    body: web::Json<GrantRequest>,
) -> Result<HttpResponse, ApiError> {
    groups::grant(
        &state,
        manager.company,
        manager.group,
        manager.session.account_id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn rename(
    state: web::Data<AppState>,
    manager: GroupManager,
    body: web::Json<RenameShareRequest>,
) -> Result<HttpResponse, ApiError> {
    groups::rename(
        &state,
        manager.company,
        manager.group,
        manager.session.account_id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn remove_person(
    state: web::Data<AppState>,
    manager: GroupManager,
    path: web::Path<(uuid::Uuid, uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, _, account) = path.into_inner();
    groups::remove_person(
        &state,
        manager.company,
        manager.group,
        manager.session.account_id,
        AccountId(account),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn remove(
    state: web::Data<AppState>,
    manager: GroupManager,
) -> Result<HttpResponse, ApiError> {
    groups::delete(
        &state,
        manager.company,
        manager.group,
        manager.session.account_id,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
