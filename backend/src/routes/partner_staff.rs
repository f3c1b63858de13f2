//! A partner's staff and access roles. Who may call each route is its scope in the table.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use shared_types::org::{ChangeStaffRoleRequest, InviteStaffRequest, Permission, RoleRequest};
use shared_types::{PartnerRoleId, StaffId};

use super::table::{Registrar, Scope, delete, get, patch, post, put};
use crate::authz::PartnerStaff;
use crate::error::ApiError;
use crate::services::orgs::{roles, staff};
use crate::state::AppState;

/// Declares the routes (see `routes::table`).
pub fn declare(r: &mut impl Registrar) {
    let manage_staff = Scope::PartnerStaff(Some(Permission::PartnerManageStaff));
    let manage_roles = Scope::PartnerStaff(Some(Permission::PartnerManageRoles));
    r.add(
        get("/partners/{partner_id}/staff", manage_staff),
        list_staff,
    );
    r.add(
        post("/partners/{partner_id}/staff/invitations", manage_staff),
        invite,
    );
    r.add(
        patch("/partners/{partner_id}/staff/{staff_id}", manage_staff),
        change_role,
    );
    r.add(
        post(
            "/partners/{partner_id}/staff/{staff_id}/remove",
            manage_staff,
        ),
        remove,
    );
    r.add(
        post(
            "/partners/{partner_id}/staff/{staff_id}/invitation/resend",
            manage_staff,
        ),
        resend,
    );
    r.add(
        post(
            "/partners/{partner_id}/staff/{staff_id}/invitation/revoke",
            manage_staff,
        ),
        revoke,
    );
    r.add(
        get("/partners/{partner_id}/roles", Scope::PartnerStaff(None)),
        list_roles,
    );
    r.add(
        post("/partners/{partner_id}/roles", manage_roles),
        create_role,
    );
    r.add(
        put("/partners/{partner_id}/roles/{role_id}", manage_roles),
        update_role,
    );
    r.add(
        delete("/partners/{partner_id}/roles/{role_id}", manage_roles),
        delete_role,
    );
}

/// A path naming one staff place of the path's partner.
#[derive(Deserialize)]
struct StaffPath {
    staff_id: StaffId,
}

/// A path naming one role of the path's partner.
#[derive(Deserialize)]
struct RolePath {
    role_id: PartnerRoleId,
}

async fn list_staff(
    state: web::Data<AppState>,
    caller: PartnerStaff,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(staff::list(&state.db, caller.partner).await?))
}

async fn invite(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    body: web::Json<InviteStaffRequest>,
) -> Result<HttpResponse, ApiError> {
    let row = staff::invite(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(row))
}

async fn change_role(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    path: web::Path<StaffPath>,
    body: web::Json<ChangeStaffRoleRequest>,
) -> Result<HttpResponse, ApiError> {
    let row = staff::change_role(&state.db, &caller, path.staff_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(row))
}

async fn remove(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    path: web::Path<StaffPath>,
) -> Result<HttpResponse, ApiError> {
    staff::remove(&state.db, &caller, path.staff_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn resend(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    path: web::Path<StaffPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(staff::resend(&state, &caller, path.staff_id).await?))
}

async fn revoke(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    path: web::Path<StaffPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(staff::revoke(&state.db, &caller, path.staff_id).await?))
}

async fn list_roles(
    state: web::Data<AppState>,
    caller: PartnerStaff,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(roles::list(&state.db, caller.partner).await?))
}

async fn create_role(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    body: web::Json<RoleRequest>,
) -> Result<HttpResponse, ApiError> {
    let made = roles::create(&state.db, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(made))
}

async fn update_role(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    path: web::Path<RolePath>,
    body: web::Json<RoleRequest>,
) -> Result<HttpResponse, ApiError> {
    let after = roles::update(&state.db, &caller, path.role_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(after))
}

async fn delete_role(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    path: web::Path<RolePath>,
) -> Result<HttpResponse, ApiError> {
    roles::delete(&state.db, &caller, path.role_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
