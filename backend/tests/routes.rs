//! Every route of the API, from the route table (`backend::routes::declared`), through the real
//! server: a route that needs a session refuses a request without one (or with a made-up
//! one) before it reads anything, whatever the body; a public route answers without one. A
//! route added to the table is checked here without a line more.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use backend::routes::declared;
use backend::routes::table::Scope;
use backend::services::accounts::SESSION_COOKIE;
use reqwest::StatusCode;
use shared_types::account::codes;
use shared_types::api::ErrorBody;

/// `path` with each `{name}` segment replaced by a random id.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                uuid::Uuid::new_v4().to_string()
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

on_both_databases! {
    async fn every_route_that_needs_a_session_refuses_without_one(server) {
        let routes = declared();
        let listed: BTreeSet<_> = routes.iter().map(|r| (r.method.to_string(), r.path)).collect();
        assert_eq!(listed.len(), routes.len(), "each (method, path) is declared once");
        assert!(routes.iter().any(|r| r.path == "/vault/push" && r.scope == Scope::Account));
        for route in &routes {
            let url = server.url(&format!("/api{}", concrete(route.path)));
            for cookie in [None, Some(format!("{SESSION_COOKIE}=made-up"))] {
                let mut request = server
                    .client
                    .request(reqwest::Method::from_bytes(route.method.as_str().as_bytes()).unwrap(), &url)
                    .header("content-type", "application/json")
                    .body("{}");
                if let Some(cookie) = &cookie {
                    request = request.header("cookie", cookie);
                }
                let reply = request.send().await.unwrap();
                let status = reply.status();
                let what = format!("{} {} with cookie {cookie:?}", route.method, route.path);
                match route.scope {
                    Scope::Account
                    | Scope::Setup
                    | Scope::CompanyMember
                    | Scope::CompanyAdmin(_)
                    | Scope::PartnerStaff(_)
                    | Scope::Share(_)
                    | Scope::CompanyOwnAdmin
                    | Scope::GroupManager => {
                        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
                        let body: ErrorBody = reply.json().await.unwrap();
                        assert_eq!(body.code, codes::UNAUTHENTICATED, "{what}");
                    }
                    Scope::Public => {
                        assert_ne!(status, StatusCode::UNAUTHORIZED, "{what}");
                        assert_ne!(status, StatusCode::NOT_FOUND, "{what}: the route exists");
                    }
                }
            }
        }
    }
}
