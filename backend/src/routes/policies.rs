//! Security policies: a company's, for its admins and its partner's staff; the caller's own
//! (what the company asks of them); and a partner's templates with their drift report.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use shared_types::PolicyTemplateId;
use shared_types::org::Permission;
use shared_types::policy::{CompanySelection, SaveTemplate, UpdatePolicies};

use super::table::{Registrar, Scope, delete, get, post, put};
use crate::auth::AuthSession;
use crate::authz::{CompanyAdmin, PartnerStaff};
use crate::error::ApiError;
use crate::services::orgs::members::via_partner;
use crate::services::policies::{self, Changer};
use crate::services::policy_templates;
use crate::state::AppState;

/// Declares the routes (see `routes::table`).
pub fn declare(r: &mut impl Registrar) {
    r.add(get("/account/policies", Scope::Setup), mine);
    r.add(
        get(
            "/companies/{company_id}/policies",
            Scope::CompanyAdmin(Permission::CompaniesView),
        ),
        company_policies,
    );
    let manage_company = Scope::CompanyAdmin(Permission::CompaniesManagePolicies);
    r.add(
        put("/companies/{company_id}/policies", manage_company),
        update_company,
    );
    let view = Scope::PartnerStaff(Some(Permission::CompaniesView));
    let manage = Scope::PartnerStaff(Some(Permission::CompaniesManagePolicies));
    r.add(
        get("/partners/{partner_id}/policy-templates", view),
        templates,
    );
    r.add(
        post("/partners/{partner_id}/policy-templates", manage),
        create_template,
    );
    r.add(
        put(
            "/partners/{partner_id}/policy-templates/{template_id}",
            manage,
        ),
        update_template,
    );
    r.add(
        delete(
            "/partners/{partner_id}/policy-templates/{template_id}",
            manage,
        ),
        delete_template,
    );
    r.add(
        post(
            "/partners/{partner_id}/policy-templates/{template_id}/preview",
            manage,
        ),
        preview,
    );
    r.add(
        post(
            "/partners/{partner_id}/policy-templates/{template_id}/apply",
            manage,
        ),
        apply,
    );
    r.add(get("/partners/{partner_id}/policy-drift", view), drift);
    r.add(
        post("/partners/{partner_id}/policy-drift/reconcile", manage),
        reconcile,
    );
}

/// A path naming one template of the path's partner.
#[derive(Deserialize)]
struct TemplatePath {
    template_id: PolicyTemplateId,
}

fn changer(account: shared_types::AccountId, via: Option<shared_types::PartnerId>) -> Changer {
    Changer {
        account,
        email: String::new(),
        via_partner: via,
    }
}

async fn mine(state: web::Data<AppState>, auth: AuthSession) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(policies::mine(&state.db, auth.0.account_id).await?))
}

async fn company_policies(
    state: web::Data<AppState>,
    caller: CompanyAdmin,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(policies::company_policies(&state.db, caller.company).await?))
}

async fn update_company(
    state: web::Data<AppState>,
    caller: CompanyAdmin,
    body: web::Json<UpdatePolicies>,
) -> Result<HttpResponse, ApiError> {
    let by = changer(caller.session.account_id, via_partner(&caller.grant));
    let view = policies::update(
        &state.db,
        &state.notifier,
        (caller.company, by),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

async fn templates(
    state: web::Data<AppState>,
    caller: PartnerStaff,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(policy_templates::list(&state.db, caller.partner).await?))
}

async fn create_template(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    body: web::Json<SaveTemplate>,
) -> Result<HttpResponse, ApiError> {
    let made = policy_templates::create(&state.db, caller.partner, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(made))
}

async fn update_template(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    path: web::Path<TemplatePath>,
    body: web::Json<SaveTemplate>,
) -> Result<HttpResponse, ApiError> {
    let saved = policy_templates::update(
        &state.db,
        caller.partner,
        path.template_id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(saved))
}

async fn delete_template(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    path: web::Path<TemplatePath>,
) -> Result<HttpResponse, ApiError> {
    policy_templates::delete(&state.db, caller.partner, path.template_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn preview(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    path: web::Path<TemplatePath>,
    body: web::Json<CompanySelection>,
) -> Result<HttpResponse, ApiError> {
    let plans =
        policy_templates::preview(&state.db, caller.partner, path.template_id, &body.companies)
            .await?;
    Ok(HttpResponse::Ok().json(plans))
}

async fn apply(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    path: web::Path<TemplatePath>,
    body: web::Json<CompanySelection>,
) -> Result<HttpResponse, ApiError> {
    let by = changer(caller.session.account_id, Some(caller.partner));
    let plans = policy_templates::apply(
        &state.db,
        &state.notifier,
        (caller.partner, by),
        path.template_id,
        &body.companies,
    )
    .await?;
    Ok(HttpResponse::Ok().json(plans))
}

async fn drift(state: web::Data<AppState>, caller: PartnerStaff) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(policy_templates::drift(&state.db, caller.partner).await?))
}

async fn reconcile(
    state: web::Data<AppState>,
    caller: PartnerStaff,
    body: web::Json<CompanySelection>,
) -> Result<HttpResponse, ApiError> {
    let by = changer(caller.session.account_id, Some(caller.partner));
    let plans = policy_templates::reconcile(
        &state.db,
        &state.notifier,
        (caller.partner, by),
        &body.companies,
    )
    .await?;
    Ok(HttpResponse::Ok().json(plans))
}
