//! Authorization of the organization routes, in one place. The route table (`routes::table`)
//! gives each route a [`Scope`]; before the handler runs, [`authorize`] finds the session, reads
//! the facts about the caller and the company or partner named in the path, and asks the pure
//! [`decide`]. The handler then takes the extractor of its scope ([`CompanyMember`],
//! [`CompanyAdmin`], [`PartnerStaff`]), which hands over what was granted. No handler looks
//! at a role.
//!
//! Invariants:
//! - A company's data is reachable by its active members (admin routes: its Admins) and by
//!   active staff of its own partner whose role holds the route's permission; nobody else.
//! - A caller who does not know the tenant (not a member of that company, not staff of that
//!   partner) gets the same `404` as for an id that does not exist. A `403 not_permitted` goes
//!   only to those who already know it.
//! - A role's permissions are read on every request, so an edit applies at once.
//! - An extractor used on a route of another scope fails closed (`500`), which the
//!   authorization matrix test catches.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use shared_types::org::{BuiltinRole, CompanyRole, Permission, TECHNICIAN_PERMISSIONS, codes};
use shared_types::vault::Role;
use shared_types::{
    AccountId, CompanyId, GroupId, MemberId, PartnerId, PartnerRoleId, ShareId, StaffId,
};
use uuid::Uuid;

use crate::auth::AuthSession;
use crate::entity::{
    company, company_group, company_member, partner, partner_role, partner_role_permission,
    partner_staff, share,
};
use crate::error::ApiError;
use crate::routes::table::Scope;
use crate::services::accounts::SessionInfo;
use crate::services::orgs::{ACTIVE, access_log, builtin_of, company_role_of};
use crate::services::policies;
use crate::state::AppState;

/// What a partner role allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleGrant {
    /// A built-in role: its permissions are code.
    Builtin(BuiltinRole),
    /// A custom role, with the permissions ticked for it.
    Custom(BTreeSet<Permission>),
}

impl RoleGrant {
    /// Whether the role allows `wanted`, directly or as implied by another permission.
    pub fn holds(&self, wanted: Permission) -> bool {
        self.permissions().contains(&wanted)
    }

    /// Every permission the role allows, implied ones included.
    pub fn permissions(&self) -> BTreeSet<Permission> {
        let direct: Vec<Permission> = match self {
            RoleGrant::Builtin(BuiltinRole::Admin) => Permission::ALL.to_vec(),
            RoleGrant::Builtin(BuiltinRole::Technician) => TECHNICIAN_PERMISSIONS.to_vec(),
            RoleGrant::Custom(set) => set.iter().copied().collect(),
        };
        direct
            .iter()
            .flat_map(|p| std::iter::once(*p).chain(p.implied().iter().copied()))
            .collect()
    }
}

/// The caller's active place in a partner's staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffFacts {
    /// The staff row.
    pub staff: StaffId,
    /// The partner.
    pub partner: PartnerId,
    /// The role.
    pub role: PartnerRoleId,
    /// What the role allows.
    pub grant: RoleGrant,
}

/// What the database says about the caller and the tenant named in the path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    /// The company or partner of the path exists.
    pub tenant_exists: bool,
    /// The caller's active membership in the path's company.
    pub member: Option<(MemberId, CompanyRole)>,
    /// The caller's active staff place in the path's partner, or in the company's partner.
    pub staff: Option<StaffFacts>,
    /// The caller's role in the path's share.
    pub share_role: Option<Role>,
    /// The caller manages the path's group.
    pub group_manager: bool,
}

/// Who was let in, and as what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// A member of the company.
    Member {
        /// The membership.
        member: MemberId,
        /// Its role.
        role: CompanyRole,
    },
    /// A recipient of the share, with this role.
    Share {
        /// The role.
        role: Role,
    },
    /// Staff of the partner (of the company, for the company scopes).
    Staff {
        /// The staff row.
        staff: StaffId,
        /// The partner.
        partner: PartnerId,
        /// What the staff member's role allows.
        permissions: BTreeSet<Permission>,
    },
}

/// Why a caller was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deny {
    /// As if the tenant did not exist.
    NotFound,
    /// The caller knows the tenant, but their role does not allow this.
    NotPermitted,
}

fn staff_grant(staff: &StaffFacts) -> Grant {
    Grant::Staff {
        staff: staff.staff,
        partner: staff.partner,
        permissions: staff.grant.permissions(),
    }
}

/// Decides whether a caller with these facts may use a route of this scope.
pub fn decide(scope: Scope, facts: &Facts) -> Result<Grant, Deny> {
    if !facts.tenant_exists {
        return Err(Deny::NotFound);
    }
    let knows_tenant = match scope {
        Scope::Share(_) => facts.share_role.is_some(),
        _ => facts.member.is_some() || facts.staff.is_some(),
    };
    let staff_with = |wanted: Permission| facts.staff.as_ref().filter(|s| s.grant.holds(wanted));
    let granted = match scope {
        // Not organization scopes: nothing to decide here, and nothing is let through.
        Scope::Public | Scope::Account | Scope::Setup => None,
        Scope::CompanyMember => match (facts.member, staff_with(Permission::CompaniesView)) {
            (Some((member, role)), _) => Some(Grant::Member { member, role }),
            (None, Some(staff)) => Some(staff_grant(staff)),
            (None, None) => None,
        },
        Scope::CompanyAdmin(wanted) => match (facts.member, staff_with(wanted)) {
            (Some((member, CompanyRole::Admin)), _) => Some(Grant::Member {
                member,
                role: CompanyRole::Admin,
            }),
            (_, Some(staff)) => Some(staff_grant(staff)),
            _ => None,
        },
        Scope::PartnerStaff(wanted) => facts
            .staff
            .as_ref()
            .filter(|s| wanted.is_none_or(|p| s.grant.holds(p)))
            .map(staff_grant),
        Scope::Share(wanted) => facts
            .share_role
            .filter(|role| *role >= wanted)
            .map(|role| Grant::Share { role }),
        Scope::CompanyOwnAdmin => match facts.member {
            Some((member, CompanyRole::Admin)) => Some(Grant::Member {
                member,
                role: CompanyRole::Admin,
            }),
            _ => None,
        },
        Scope::GroupManager => facts
            .member
            .filter(|_| facts.group_manager)
            .map(|(member, role)| Grant::Member { member, role }),
    };
    match granted {
        Some(grant) => Ok(grant),
        None if knows_tenant && !matches!(scope, Scope::Public | Scope::Account | Scope::Setup) => {
            Err(Deny::NotPermitted)
        }
        None => Err(Deny::NotFound),
    }
}

/// The company or partner a route's path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tenant {
    /// `{company_id}`.
    Company(CompanyId),
    /// `{partner_id}`.
    Partner(PartnerId),
    /// `{share_id}`.
    Share(ShareId),
    /// `{company_id}` and `{group_id}`.
    Group(CompanyId, GroupId),
}

/// What [`authorize`] leaves for the handler's extractor.
#[derive(Debug, Clone)]
struct Authorized {
    scope: Scope,
    tenant: Tenant,
    grant: Grant,
}

fn tenant_of(scope: Scope, req: &HttpRequest) -> Result<Option<Tenant>, ApiError> {
    let id = |name: &str| -> Result<Uuid, ApiError> {
        req.match_info()
            .get(name)
            .and_then(|raw| raw.parse().ok())
            .ok_or(ApiError::NotFound)
    };
    Ok(match scope {
        Scope::Public | Scope::Account | Scope::Setup => None,
        Scope::CompanyMember | Scope::CompanyAdmin(_) | Scope::CompanyOwnAdmin => {
            Some(Tenant::Company(CompanyId(id("company_id")?)))
        }
        Scope::GroupManager => Some(Tenant::Group(
            CompanyId(id("company_id")?),
            GroupId(id("group_id")?),
        )),
        Scope::PartnerStaff(_) => Some(Tenant::Partner(PartnerId(id("partner_id")?))),
        Scope::Share(_) => Some(Tenant::Share(ShareId(id("share_id")?))),
    })
}

async fn staff_facts(
    db: &impl ConnectionTrait,
    account: Uuid,
    partner: Uuid,
) -> Result<Option<StaffFacts>, ApiError> {
    let Some((staff, role)): Option<(Uuid, Uuid)> = partner_staff::Entity::find()
        .select_only()
        .column(partner_staff::Column::Id)
        .column(partner_staff::Column::RoleId)
        .filter(partner_staff::Column::PartnerId.eq(partner))
        .filter(partner_staff::Column::AccountId.eq(account))
        .filter(partner_staff::Column::Status.eq(ACTIVE))
        .into_tuple()
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let builtin: Option<Option<String>> = partner_role::Entity::find_by_id(role)
        .select_only()
        .column(partner_role::Column::Builtin)
        .into_tuple()
        .one(db)
        .await?;
    let grant = match builtin.flatten() {
        Some(name) => match builtin_of(&name) {
            Some(builtin) => RoleGrant::Builtin(builtin),
            // A built-in role this build does not know allows nothing.
            None => RoleGrant::Custom(BTreeSet::new()),
        },
        None => {
            let names: Vec<String> = partner_role_permission::Entity::find()
                .select_only()
                .column(partner_role_permission::Column::Permission)
                .filter(partner_role_permission::Column::RoleId.eq(role))
                .into_tuple()
                .all(db)
                .await?;
            RoleGrant::Custom(
                names
                    .iter()
                    .filter_map(|n| Permission::of_name(n))
                    .collect(),
            )
        }
    };
    Ok(Some(StaffFacts {
        staff: StaffId(staff),
        partner: PartnerId(partner),
        role: PartnerRoleId(role),
        grant,
    }))
}

/// Reads the facts [`decide`] needs about `account` and `tenant`.
pub async fn facts(
    db: &impl ConnectionTrait,
    account: Uuid,
    tenant: Tenant,
) -> Result<Facts, ApiError> {
    match tenant {
        Tenant::Company(company_id) => {
            let Some(partner): Option<Option<Uuid>> = company::Entity::find_by_id(company_id.0)
                .select_only()
                .column(company::Column::PartnerId)
                .into_tuple()
                .one(db)
                .await?
            else {
                return Ok(Facts::default());
            };
            let member: Option<(Uuid, String)> = company_member::Entity::find()
                .select_only()
                .column(company_member::Column::Id)
                .column(company_member::Column::Role)
                .filter(company_member::Column::CompanyId.eq(company_id.0))
                .filter(company_member::Column::AccountId.eq(account))
                .filter(company_member::Column::Status.eq(ACTIVE))
                .into_tuple()
                .one(db)
                .await?;
            let staff = match partner {
                Some(partner) => staff_facts(db, account, partner).await?,
                None => None,
            };
            Ok(Facts {
                tenant_exists: true,
                member: member.and_then(|(id, role)| Some((MemberId(id), company_role_of(&role)?))),
                staff,
                share_role: None,
                group_manager: false,
            })
        }
        Tenant::Group(company_id, group_id) => {
            let live = company_group::Entity::find_by_id(group_id.0)
                .filter(company_group::Column::CompanyId.eq(company_id.0))
                .filter(company_group::Column::DeletedAt.is_null())
                .select_only()
                .column(company_group::Column::Id)
                .into_tuple::<Uuid>()
                .one(db)
                .await?
                .is_some();
            if !live {
                return Ok(Facts::default());
            }
            let company_facts = Box::pin(facts(db, account, Tenant::Company(company_id))).await?;
            let group_manager = company_facts.member.is_some()
                && crate::services::sharing::groups::manages(db, group_id, AccountId(account))
                    .await?;
            Ok(Facts {
                group_manager,
                ..company_facts
            })
        }
        Tenant::Partner(partner_id) => {
            let exists = partner::Entity::find_by_id(partner_id.0)
                .select_only()
                .column(partner::Column::Id)
                .into_tuple::<Uuid>()
                .one(db)
                .await?
                .is_some();
            if !exists {
                return Ok(Facts::default());
            }
            Ok(Facts {
                tenant_exists: true,
                member: None,
                staff: staff_facts(db, account, partner_id.0).await?,
                share_role: None,
                group_manager: false,
            })
        }
        Tenant::Share(share_id) => {
            // A deleted share keeps its rows (its revocations stay in the feeds) but reads as
            // missing; so does any container that is not a share.
            let live = share::Entity::find_by_id(share_id.0)
                .filter(share::Column::DeletedAt.is_null())
                .select_only()
                .column(share::Column::Id)
                .into_tuple::<Uuid>()
                .one(db)
                .await?
                .is_some();
            if !live {
                return Ok(Facts::default());
            }
            let role =
                crate::services::access::role_in(db, AccountId(account), share_id.into()).await?;
            Ok(Facts {
                tenant_exists: role.is_some(),
                member: None,
                staff: None,
                share_role: role,
                group_manager: false,
            })
        }
    }
}

fn denied(deny: Deny) -> ApiError {
    match deny {
        Deny::NotFound => ApiError::NotFound,
        Deny::NotPermitted => ApiError::Forbidden {
            code: codes::NOT_PERMITTED,
            message: "Your role does not allow this. Ask an Admin of your organization.".into(),
        },
    }
}

/// Whether a route of `scope` is refused to a member who owes their company a policy
/// obligation (2FA to set up, a master password to change): every scope that serves or changes
/// vault data, or a member's place in the company. The admin views and the partner's stay open,
/// so an Admin can still correct a policy.
fn owes_obligations(scope: Scope) -> bool {
    match scope {
        Scope::Account
        | Scope::CompanyMember
        | Scope::Share(_)
        | Scope::CompanyOwnAdmin
        | Scope::GroupManager => true,
        Scope::Public | Scope::Setup | Scope::CompanyAdmin(_) | Scope::PartnerStaff(_) => false,
    }
}

/// Middleware of every route that needs a session (`routes::table`): finds the session before
/// anything of the request (its body least of all) is read, and for the organization scopes
/// decides, from the database, whether the caller may go on.
pub async fn authorize(
    scope: Scope,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let session = AuthSession::extract(req.request()).await?;
    req.extensions_mut().insert(session);
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("no application state".into()))?;
    if owes_obligations(scope) {
        policies::check_obligations(&state.db, session.0.account_id).await?;
    }
    if let Some(tenant) = tenant_of(scope, req.request())? {
        let facts = facts(&state.db, session.0.account_id.0, tenant).await?;
        let grant = decide(scope, &facts).map_err(denied)?;
        // Partner staff inside a customer's company: recorded in the company's own log.
        if let (Tenant::Company(company), Grant::Staff { partner, .. }) = (tenant, &grant) {
            let pattern = req.match_pattern().unwrap_or_default();
            let page = pattern
                .trim_start_matches("/api/companies/{company_id}")
                .trim_start_matches('/');
            let what = if page.is_empty() { "company" } else { page };
            access_log::record_visit(&state.db, company, session.0.account_id, *partner, what)
                .await?;
        }
        req.extensions_mut().insert(Authorized {
            scope,
            tenant,
            grant,
        });
    }
    next.call(req).await
}

fn authorized(req: &HttpRequest) -> Result<(SessionInfo, Authorized), ApiError> {
    let extensions = req.extensions();
    let missing = || ApiError::Internal("a route of this scope was not authorized".into());
    let session = extensions.get::<AuthSession>().ok_or_else(missing)?.0;
    let authorized = extensions
        .get::<Authorized>()
        .cloned()
        .ok_or_else(missing)?;
    Ok((session, authorized))
}

fn wrong_scope() -> ApiError {
    ApiError::Internal("an extractor was used on a route of another scope".into())
}

/// A caller let into a company's member routes: a member, or partner staff who may view it.
#[derive(Debug, Clone)]
pub struct CompanyMember {
    /// The session.
    pub session: SessionInfo,
    /// The company.
    pub company: CompanyId,
    /// As what.
    pub grant: Grant,
}

/// A caller let into a company's admin routes: one of its Admins, or its partner's staff
/// whose role holds the route's permission.
#[derive(Debug, Clone)]
pub struct CompanyAdmin {
    /// The session.
    pub session: SessionInfo,
    /// The company.
    pub company: CompanyId,
    /// As what.
    pub grant: Grant,
}

/// A caller let into a partner's routes: its staff, with the route's permission.
#[derive(Debug, Clone)]
pub struct PartnerStaff {
    /// The session.
    pub session: SessionInfo,
    /// The partner.
    pub partner: PartnerId,
    /// The staff row.
    pub staff: StaffId,
    /// What the staff member's role allows.
    pub permissions: BTreeSet<Permission>,
}

type Ready<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

impl FromRequest for CompanyMember {
    type Error = ApiError;
    type Future = Ready<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = authorized(req).and_then(|(session, a)| match (a.scope, a.tenant) {
            (Scope::CompanyMember, Tenant::Company(company)) => Ok(Self {
                session,
                company,
                grant: a.grant,
            }),
            _ => Err(wrong_scope()),
        });
        Box::pin(async move { found })
    }
}

impl FromRequest for CompanyAdmin {
    type Error = ApiError;
    type Future = Ready<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = authorized(req).and_then(|(session, a)| match (a.scope, a.tenant) {
            (Scope::CompanyAdmin(_), Tenant::Company(company)) => Ok(Self {
                session,
                company,
                grant: a.grant,
            }),
            _ => Err(wrong_scope()),
        });
        Box::pin(async move { found })
    }
}

impl FromRequest for PartnerStaff {
    type Error = ApiError;
    type Future = Ready<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = authorized(req).and_then(|(session, a)| match (a.scope, a.tenant, a.grant) {
            (
                Scope::PartnerStaff(_),
                Tenant::Partner(partner),
                Grant::Staff {
                    staff, permissions, ..
                },
            ) => Ok(Self {
                session,
                partner,
                staff,
                permissions,
            }),
            _ => Err(wrong_scope()),
        });
        Box::pin(async move { found })
    }
}

/// A caller let into the routes that need a company Admin's own keys.
#[derive(Debug, Clone)]
pub struct CompanyOwnAdmin {
    /// The session.
    pub session: SessionInfo,
    /// The company.
    pub company: CompanyId,
}

impl FromRequest for CompanyOwnAdmin {
    type Error = ApiError;
    type Future = Ready<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = authorized(req).and_then(|(session, a)| match (a.scope, a.tenant) {
            (Scope::CompanyOwnAdmin, Tenant::Company(company)) => Ok(Self { session, company }),
            _ => Err(wrong_scope()),
        });
        Box::pin(async move { found })
    }
}

/// A caller let into a group's routes: an active member of its company who manages it.
#[derive(Debug, Clone)]
pub struct GroupManager {
    /// The session.
    pub session: SessionInfo,
    /// The company.
    pub company: CompanyId,
    /// The group.
    pub group: GroupId,
}

impl FromRequest for GroupManager {
    type Error = ApiError;
    type Future = Ready<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = authorized(req).and_then(|(session, a)| match (a.scope, a.tenant) {
            (Scope::GroupManager, Tenant::Group(company, group)) => Ok(Self {
                session,
                company,
                group,
            }),
            _ => Err(wrong_scope()),
        });
        Box::pin(async move { found })
    }
}

/// A caller let into a share's routes: a recipient whose role is at least the route's.
#[derive(Debug, Clone)]
pub struct ShareMember {
    /// The session.
    pub session: SessionInfo,
    /// The share.
    pub share: ShareId,
    /// The caller's role in it.
    pub role: Role,
}

impl FromRequest for ShareMember {
    type Error = ApiError;
    type Future = Ready<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = authorized(req).and_then(|(session, a)| match (a.scope, a.tenant, a.grant) {
            (Scope::Share(_), Tenant::Share(share), Grant::Share { role }) => Ok(Self {
                session,
                share,
                role,
            }),
            _ => Err(wrong_scope()),
        });
        Box::pin(async move { found })
    }
}

#[cfg(test)]
#[path = "authz_tests.rs"]
mod tests;
