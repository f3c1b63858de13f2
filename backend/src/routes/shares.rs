//! Shares: made, read, changed, left and deleted. Who may call each route is the share scope's
//! job (`authz::ShareMember`); what the lists and wrappings may say is `services::sharing`'s.

use actix_web::{HttpResponse, web};
use shared_types::sharing::{CreateShareRequest, ListChangeRequest};
use shared_types::vault::Role;

use super::table::{Registrar, Scope, delete, get, post};
use crate::auth::AuthSession;
use crate::authz::ShareMember;
use crate::error::ApiError;
use crate::services::sharing::shares;
use crate::state::AppState;

/// Declares the routes (see `routes::table`).
pub fn declare(r: &mut impl Registrar) {
    r.add(post("/shares", Scope::Account), create);
    r.add(get("/shares", Scope::Account), mine);
    r.add(get("/shares/{share_id}", Scope::Share(Role::Read)), read);
    r.add(
        post("/shares/{share_id}/lists", Scope::Share(Role::Manage)),
        change_list,
    );
    r.add(
        delete(
            "/shares/{share_id}/principals/{principal_id}",
            Scope::Share(Role::Manage),
        ),
        remove_principal,
    );
    r.add(
        post("/shares/{share_id}/leave", Scope::Share(Role::Read)),
        leave,
    );
    r.add(
        delete("/shares/{share_id}", Scope::Share(Role::Owner)),
        remove,
    );
}

async fn create(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<CreateShareRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = shares::create(&state, session.0.account_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(meta))
}

async fn mine(state: web::Data<AppState>, session: AuthSession) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(shares::mine(&state.db, session.0.account_id).await?))
}

async fn read(state: web::Data<AppState>, member: ShareMember) -> Result<HttpResponse, ApiError> {
    let meta = shares::meta(
        &state.db,
        member.share,
        member.session.account_id,
        member.role,
    )
    .await?;
    Ok(HttpResponse::Ok().json(meta))
}

async fn change_list(
    state: web::Data<AppState>,
    member: ShareMember,
    body: web::Json<ListChangeRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = shares::change_list(
        &state,
        member.share,
        member.session.account_id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(meta))
}

async fn remove_principal(
    state: web::Data<AppState>,
    member: ShareMember,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, principal) = path.into_inner();
    shares::remove_principal(&state, member.share, member.session.account_id, principal).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn leave(state: web::Data<AppState>, member: ShareMember) -> Result<HttpResponse, ApiError> {
    shares::leave(&state, member.share, member.session.account_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn remove(state: web::Data<AppState>, member: ShareMember) -> Result<HttpResponse, ApiError> {
    shares::delete(&state, member.share, member.session.account_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
