//! Authentication as an extractor: a handler that takes [`AuthSession`] cannot run without a
//! valid session, so no handler can forget the check.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use shared_types::account::codes;

use crate::error::ApiError;
use crate::services::accounts::{self, SESSION_COOKIE, SessionInfo};
use crate::state::AppState;

/// A request from a signed-in browser.
#[derive(Debug, Clone, Copy)]
pub struct AuthSession(pub SessionInfo);

fn unauthenticated() -> ApiError {
    ApiError::Unauthorized {
        code: codes::UNAUTHENTICATED,
        message: "You are signed out. Sign in again to continue.".into(),
    }
}

impl FromRequest for AuthSession {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Found already by the route table's check (`authz::authorize`), before the handler.
        if let Some(found) = req.extensions().get::<AuthSession>().copied() {
            return Box::pin(async move { Ok(found) });
        }
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let (Some(token), Some(state)) = (token, state) else {
                return Err(unauthenticated());
            };
            accounts::find_session(&state.db, &token)
                .await?
                .map(AuthSession)
                .ok_or_else(unauthenticated)
        })
    }
}

/// The caller's IP address, for rate limits: the peer, or, when the peer is a trusted proxy, the
/// nearest address in `X-Forwarded-For` that is not a trusted proxy.
pub fn client_ip(req: &HttpRequest) -> String {
    let trusted = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.trusted_proxies.clone())
        .unwrap_or_default();
    let forwarded: Vec<String> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect();
    resolve_client_ip(req.peer_addr().map(|a| a.ip()), &forwarded, &trusted)
}

fn resolve_client_ip(
    peer: Option<std::net::IpAddr>,
    forwarded: &[String],
    trusted: &[std::net::IpAddr],
) -> String {
    let Some(peer) = peer else {
        return "unknown".to_owned();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    // Read right to left: the rightmost entries were added by our own proxies.
    let hops = forwarded
        .iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip.to_string(),
            // A malformed entry: stop believing the header beyond this point.
            Err(_) => break,
        }
    }
    peer.to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxy: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let other: std::net::IpAddr = "203.0.113.9".parse().unwrap();
        let header = vec!["198.51.100.7, 10.0.0.2".to_owned()];
        let trusted = vec![proxy, "10.0.0.2".parse().unwrap()];
        // A client talking directly cannot choose its bucket by sending the header.
        assert_eq!(
            resolve_client_ip(Some(other), &header, &trusted),
            "203.0.113.9"
        );
        // Through our proxies, the first address they did not add is the client.
        assert_eq!(
            resolve_client_ip(Some(proxy), &header, &trusted),
            "198.51.100.7"
        );
        // A spoofed entry to the left of the real client is ignored.
        let spoofed = vec!["1.2.3.4, 198.51.100.7".to_owned()];
        assert_eq!(
            resolve_client_ip(Some(proxy), &spoofed, &trusted),
            "198.51.100.7"
        );
        assert_eq!(resolve_client_ip(Some(proxy), &[], &trusted), "10.0.0.1");
        assert_eq!(resolve_client_ip(None, &header, &trusted), "unknown");
    }
}
