//! Refuses state-changing requests that a browser sent on behalf of another site.
//!
//! The session cookie is `SameSite=Strict`, so a cross-site request carries no session; this is
//! the second, independent defence, and the one that also covers *same-site* senders (a sibling
//! subdomain is "same site" to the browser, and Strict lets its requests carry the cookie).
//! Browsers mark every request with `Sec-Fetch-Site`, and every non-GET request with `Origin`;
//! a request with neither did not come from a browser page, so it carries no ambient
//! credentials to abuse and is let through (API clients, tests).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

use crate::error::ApiError;
use crate::state::AppState;

/// The reply's code.
pub const CROSS_SITE: &str = "cross_site_request";

/// The middleware: reads pass; anything else from another origin is answered 403.
pub async fn same_origin_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if changes_state(req.method()) {
        let public_url = req
            .app_data::<web::Data<AppState>>()
            .map(|state| state.public_url.clone())
            .unwrap_or_default();
        let headers = req.headers();
        let text = |name: header::HeaderName| headers.get(name).map(|v| v.to_str().unwrap_or(""));
        if !from_this_origin(
            text(header::HeaderName::from_static("sec-fetch-site")),
            text(header::ORIGIN),
            text(header::HOST),
            &public_url,
        ) {
            let refused = ApiError::Forbidden {
                code: CROSS_SITE,
                message: "This request came from another site and was refused.".into(),
            };
            return Ok(req
                .into_response(refused.error_response())
                .map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a request may change state: `Sec-Fetch-Site`, when the browser sent it, must say
/// same-origin (or `none`: typed by the user); `Origin`, when sent, must be this server, either
/// as configured (`public_url`) or as addressed (`Host`: a proxy may end TLS, so the scheme is
/// not compared there).
fn from_this_origin(
    fetch_site: Option<&str>,
    origin: Option<&str>,
    host: Option<&str>,
    public_url: &str,
) -> bool {
    if fetch_site.is_some_and(|site| !matches!(site, "same-origin" | "none")) {
        return false;
    }
    let Some(origin) = origin else {
        return true;
    };
    if origin.eq_ignore_ascii_case(public_url.trim_end_matches('/')) {
        return true;
    }
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    matches!((authority, host), (Some(a), Some(h)) if !a.is_empty() && a.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::from_this_origin;

    const HOME: &str = "https://vault.example.com";

    #[test]
    fn a_browser_on_this_origin_may_write() {
        let host = Some("vault.example.com");
        assert!(from_this_origin(
            Some("same-origin"),
            Some(HOME),
            host,
            HOME
        ));
        assert!(from_this_origin(
            None,
            Some("https://vault.example.com"),
            host,
            "https://vault.example.com/"
        ));
        // Behind a proxy that ends TLS and keeps the Host.
        assert!(from_this_origin(
            None,
            Some("https://vault.example.com"),
            host,
            "http://10.0.0.5:8080"
        ));
        // Not a browser page: no ambient credentials to abuse.
        assert!(from_this_origin(None, None, host, HOME));
    }

    #[test]
    fn other_sites_and_siblings_may_not() {
        let host = Some("vault.example.com");
        assert!(!from_this_origin(Some("cross-site"), None, host, HOME));
        assert!(!from_this_origin(
            Some("same-site"),
            Some("https://blog.example.com"),
            host,
            HOME
        ));
        assert!(!from_this_origin(
            None,
            Some("https://blog.example.com"),
            host,
            HOME
        ));
        assert!(!from_this_origin(None, Some("null"), host, HOME));
        assert!(!from_this_origin(
            None,
            Some("https://vault.example.com.evil.test"),
            host,
            HOME
        ));
        assert!(!from_this_origin(
            Some("same-origin"),
            Some("https://evil.test"),
            host,
            HOME
        ));
        assert!(!from_this_origin(None, Some("https://"), None, HOME));
    }
}
