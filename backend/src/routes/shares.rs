//! Shares: made, read, changed, left and deleted. Who may call each route is the share scope's
//! job (`authz::ShareMember`); what the lists and wrappings may say is `services::sharing`'s.

use actix_web::{HttpResponse, web};
use shared_types::sharing::{
    CreateShareRequest, GrantRequest, ListChangeRequest, NewGenerationRequest, RenameShareRequest,
};
use shared_types::vault::Role;

use super::table::{Registrar, Scope, delete, get, post, put};
use crate::auth::AuthSession;
use crate::authz::ShareMember;
use crate::error::ApiError;
use crate::services::sharing::{rotation, shares};
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
    r.add(
        put("/shares/{share_id}/name", Scope::Share(Role::Manage)),
        rename,
    );
    r.add(
        post("/shares/{share_id}/wrappings", Scope::Share(Role::Manage)),
        grant,
    );
    r.add(
        post("/shares/{share_id}/rekey/claim", Scope::Share(Role::Manage)),
        claim,
    );
    r.add(
        post("/shares/{share_id}/generations", Scope::Share(Role::Manage)),
        new_generation,
    );
    r.add(
        post(
            "/shares/{share_id}/generations/{generation}/done",
            Scope::Share(Role::Manage),
        ),
        done,
    );
}

async fn rename(
    state: web::Data<AppState>,
    member: ShareMember,
    body: web::Json<RenameShareRequest>,
) -> Result<HttpResponse, ApiError> {
    rotation::rename(
        &state,
        member.share,
        member.session.account_id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn grant(
    state: web::Data<AppState>,
    member: ShareMember,
    body: web::Json<GrantRequest>,
) -> Result<HttpResponse, ApiError> {
    rotation::grant(
        &state,
        member.share,
        member.session.account_id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn claim(state: web::Data<AppState>, member: ShareMember) -> Result<HttpResponse, ApiError> {
    let claim = rotation::claim(&state, member.share, member.session.account_id).await?;
    Ok(HttpResponse::Ok().json(claim))
}

async fn new_generation(
    state: web::Data<AppState>,
    member: ShareMember,
    body: web::Json<NewGenerationRequest>,
) -> Result<HttpResponse, ApiError> {
    rotation::new_generation(
        &state,
        member.share,
        member.session.account_id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn done(
    state: web::Data<AppState>,
    member: ShareMember,
    path: web::Path<(uuid::Uuid, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (_, generation) = path.into_inner();
    rotation::done(&state, member.share, member.session.account_id, generation).await?;
    Ok(HttpResponse::NoContent().finish())
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
