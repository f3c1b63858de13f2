//! Authentication as an extractor: a handler that takes [`AuthSession`] cannot run without a
//! valid session, so no handler can forget the check.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
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

/// The caller's IP address, for rate limits.
pub fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|addr| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}
