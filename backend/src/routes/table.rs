//! The API's routes as one table: each route's method, path (under `/api`) and who may call
//! it. The table both registers the routes ([`Register`]) and lists them ([`Listing`]), so no
//! route exists without its row, and tests walk every row: every route that needs a session
//! refuses a request without one (`tests/routes.rs`). The company and partner scopes of the
//! admin views plug in here.

use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{FromRequest, Handler, Responder, guard, web};

use shared_types::org::Permission;
use shared_types::vault::Role;

use crate::authz::authorize;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anyone: sign-up, sign-in, health.
    Public,
    /// A signed-in account (the handler takes `AuthSession`) that owes its company nothing:
    /// a member who must first set up two-factor authentication or change their master
    /// password is refused (`policies::check_obligations`), since these routes serve or
    /// change vault data.
    Account,
    /// A signed-in account, also while it owes its company a policy obligation: its own
    /// settings, sessions and sign-out, and what it needs to meet the obligation.
    Setup,
    /// A member of the company named by `{company_id}`, or its partner's staff who may view
    /// it (`authz::CompanyMember`).
    CompanyMember,
    /// An Admin of the company named by `{company_id}`, or its partner's staff holding the
    /// permission (`authz::CompanyAdmin`).
    CompanyAdmin(Permission),
    /// Staff of the partner named by `{partner_id}`, holding the permission if one is given
    /// (`authz::PartnerStaff`).
    PartnerStaff(Option<Permission>),
    /// A recipient of the share named by `{share_id}` whose role is at least this one
    /// (`authz::ShareMember`).
    Share(Role),
    /// An Admin who is an active member of the company named by `{company_id}` itself, not
    /// partner staff: the work needs a member's own keys (`authz::CompanyOwnAdmin`).
    CompanyOwnAdmin,
    /// An active member of the company named by `{company_id}` who manages its group named by
    /// `{group_id}` (`authz::GroupManager`).
    GroupManager,
}

/// One route of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRule {
    /// The HTTP method.
    pub method: Method,
    /// The path under `/api`, with `{name}` for each segment taken from the path.
    pub path: &'static str,
    /// Who may call it.
    pub scope: Scope,
}

/// A `GET` route.
pub fn get(path: &'static str, scope: Scope) -> RouteRule {
    RouteRule {
        method: Method::GET,
        path,
        scope,
    }
}

/// A `POST` route.
pub fn post(path: &'static str, scope: Scope) -> RouteRule {
    RouteRule {
        method: Method::POST,
        path,
        scope,
    }
}

/// A `PUT` route.
pub fn put(path: &'static str, scope: Scope) -> RouteRule {
    RouteRule {
        method: Method::PUT,
        path,
        scope,
    }
}

/// A `PATCH` route.
pub fn patch(path: &'static str, scope: Scope) -> RouteRule {
    RouteRule {
        method: Method::PATCH,
        path,
        scope,
    }
}

/// A `DELETE` route.
pub fn delete(path: &'static str, scope: Scope) -> RouteRule {
    RouteRule {
        method: Method::DELETE,
        path,
        scope,
    }
}

/// What the routes files declare their routes to.
pub trait Registrar {
    /// Declares `rule`, served by `handler`.
    fn add<F, Args>(&mut self, rule: RouteRule, handler: F)
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static;
}

/// Registers each declared route with actix: a resource per (method, path), guarded by the
/// method, so that a request with another method goes on to the next one (as actix's route
/// macros do). A route that needs a session is authorized before anything else
/// (`authz::authorize`): the session, and for the organization scopes the caller's place in
/// the company or partner of the path.
pub struct Register<'a>(pub &'a mut web::ServiceConfig);

impl Registrar for Register<'_> {
    fn add<F, Args>(&mut self, rule: RouteRule, handler: F)
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let resource = web::resource(rule.path).guard(guard::Method(rule.method));
        let scope = rule.scope;
        match scope {
            Scope::Public => self.0.service(resource.to(handler)),
            _ => self.0.service(
                resource
                    .wrap(from_fn(move |req, next| authorize(scope, req, next)))
                    .to(handler),
            ),
        };
    }
}

/// Lists each declared route.
#[derive(Debug, Default)]
pub struct Listing(pub Vec<RouteRule>);

impl Registrar for Listing {
    fn add<F, Args>(&mut self, rule: RouteRule, _handler: F)
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.0.push(rule);
    }
}
