//! The one error type handlers return. Each variant maps to a status and a stable code; the
//! client gets a plain message in a `shared_types::api::ErrorBody`, and internal detail goes only
//! to the log.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use shared_types::api::ErrorBody;

/// An error answered to an API caller.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed; the message says what to fix.
    #[error("{0}")]
    BadRequest(String),
    /// No such resource, or not the caller's (the two are never told apart).
    #[error("not found")]
    NotFound,
    /// The caller is not signed in, or a credential or code is wrong; `code` says which.
    #[error("{message}")]
    Unauthorized {
        /// Stable code from `shared_types::account::codes`.
        code: &'static str,
        /// For a person.
        message: String,
    },
    /// Signed in, but not allowed (yet); `code` says why.
    #[error("{message}")]
    Forbidden {
        /// Stable code.
        code: &'static str,
        /// For a person.
        message: String,
    },
    /// The request conflicts with the current state (e.g. already a member); `code` says how.
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// For a person.
        message: String,
    },
    /// The thing asked for existed but is no longer usable (an expired or used link); `code`
    /// says why.
    #[error("{message}")]
    Gone {
        /// Stable code.
        code: &'static str,
        /// For a person.
        message: String,
    },
    /// Too many attempts.
    #[error("too many attempts")]
    RateLimited(crate::services::rate_limit::RateLimited),
    /// An email could not be sent.
    #[error("mail failed")]
    Mail(#[source] crate::mail::MailError),
    /// A dependency (the database) does not answer.
    #[error("service unavailable")]
    Unavailable(#[source] sea_orm::DbErr),
    /// Anything else; the detail is logged, never sent.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        match err {
            sea_orm::DbErr::Conn(_) | sea_orm::DbErr::ConnectionAcquire(_) => {
                Self::Unavailable(err)
            }
            // A row the request would add is there already, or one it names is not: ids the
            // browser chooses (profiles, devices, records, …) that collide with someone else's,
            // or a race between two of the owner's own requests. A clear answer, the same for
            // every route and whoever holds the id, never a 500 (which would also tell that the
            // id exists by failing differently).
            other => match other.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Self::Conflict {
                    code: ID_TAKEN,
                    message: "Nothing was changed: an id chosen by this browser is already in use. Reload the page and try again.".into(),
                },
                Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => Self::BadRequest(
                    "The request refers to something that does not exist (any more). Reload the page and try again.".into(),
                ),
                _ => Self::Internal(Box::new(other)),
            },
        }
    }
}

/// The code of [`ApiError::Conflict`] for an id that is taken.
pub const ID_TAKEN: &str = "id_taken";

impl ApiError {
    fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::NotFound => "not_found",
            Self::Unauthorized { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Conflict { code, .. }
            | Self::Gone { code, .. } => code,
            Self::RateLimited(_) => shared_types::account::codes::RATE_LIMITED,
            Self::Mail(_) => "mail_failed",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    fn message(&self) -> String {
        match self {
            Self::BadRequest(message) => message.clone(),
            Self::NotFound => "Not found.".to_owned(),
            Self::Unauthorized { message, .. }
            | Self::Forbidden { message, .. }
            | Self::Conflict { message, .. }
            | Self::Gone { message, .. } => message.clone(),
            Self::RateLimited(limited) => format!(
                "Too many attempts. Wait {} and try again.",
                wait_text(limited.retry_after_secs)
            ),
            Self::Mail(_) => "We could not send the email. Nothing was lost; try again in a few minutes.".to_owned(),
            Self::Unavailable(_) => {
                "The server cannot reach its database right now. Your changes are kept in this browser; try again shortly.".to_owned()
            }
            Self::Internal(_) => "Something went wrong on the server. Nothing was changed; please try again.".to_owned(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Gone { .. } => StatusCode::GONE,
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Mail(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Unavailable(cause) => tracing::warn!(error = %cause, "database unavailable"),
            Self::Internal(cause) => tracing::error!(error = %cause, "internal error"),
            Self::Mail(cause) => tracing::error!(error = %cause, "mail failed"),
            Self::BadRequest(_)
            | Self::NotFound
            | Self::Unauthorized { .. }
            | Self::Forbidden { .. }
            | Self::Conflict { .. }
            | Self::Gone { .. }
            | Self::RateLimited(_) => {}
        }
        let mut reply = HttpResponse::build(self.status_code());
        if let Self::RateLimited(limited) = self {
            reply.insert_header(("Retry-After", limited.retry_after_secs.to_string()));
        }
        reply.json(ErrorBody {
            code: self.code().to_owned(),
            message: self.message(),
        })
    }
}

fn wait_text(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s} seconds"),
        s if s < 120 => "a minute".to_owned(),
        s => format!("{} minutes", (s + 59) / 60),
    }
}

/// Turns a JSON body that cannot be read into our error body. The reply names the kind of
/// problem and where, never the request's values (a body may carry a secret); the full detail
/// goes to the debug log.
pub fn json_error(err: actix_web::error::JsonPayloadError) -> actix_web::Error {
    use actix_web::error::JsonPayloadError;
    tracing::debug!(error = %err, "unreadable JSON body");
    let message = match &err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            "The request body is too large.".to_owned()
        }
        JsonPayloadError::ContentType => {
            "The request body must be JSON (Content-Type: application/json).".to_owned()
        }
        JsonPayloadError::Deserialize(e) => {
            let what = match e.classify() {
                serde_json::error::Category::Syntax => "is not valid JSON",
                serde_json::error::Category::Eof => "ends too early",
                serde_json::error::Category::Data | serde_json::error::Category::Io => {
                    "does not have the fields this request needs"
                }
            };
            format!(
                "The request body {what} (line {}, column {}).",
                e.line(),
                e.column()
            )
        }
        _ => "The request body could not be read.".to_owned(),
    };
    ApiError::BadRequest(message).into()
}

/// Turns a malformed path or query into our error body, without echoing it.
pub fn address_error(err: impl std::fmt::Display) -> actix_web::Error {
    tracing::debug!(error = %err, "malformed path or query");
    ApiError::BadRequest("The request address is malformed.".to_owned()).into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use actix_web::{App, test, web};

    #[derive(serde::Deserialize)]
    struct Body {
        #[allow(dead_code)]
        count: u32,
    }

    async fn echo(_: web::Json<Body>) -> &'static str {
        "ok"
    }

    #[actix_web::test]
    async fn bad_json_gets_a_400_body_that_does_not_echo_the_request() {
        let app = test::init_service(
            App::new()
                .app_data(
                    web::JsonConfig::default()
                        .limit(64)
                        .error_handler(|e, _| json_error(e)),
                )
                .route("/", web::post().to(echo)),
        )
        .await;
        for (body, expected) in [
            (r#"{"count": "hunter2"}"#, "does not have the fields"),
            (r#"{"count": 1"#, "ends too early"),
            (r#"{count: hunter2}"#, "is not valid JSON"),
            (
                r#"{"count": 1, "padding": "hunter2 hunter2 hunter2 hunter2 hunter2 hunter2"}"#,
                "too large",
            ),
        ] {
            let req = test::TestRequest::post()
                .uri("/")
                .insert_header(("content-type", "application/json"))
                .set_payload(body)
                .to_request();
            let res = test::call_service(&app, req).await;
            assert_eq!(res.status(), 400, "{body}");
            let reply: ErrorBody = test::read_body_json(res).await;
            assert_eq!(reply.code, "bad_request");
            assert!(
                reply.message.contains(expected),
                "{body}: {}",
                reply.message
            );
            assert!(!reply.message.contains("hunter2"), "{}", reply.message);
        }
        let ok = test::TestRequest::post()
            .uri("/")
            .insert_header(("content-type", "application/json"))
            .set_payload(r#"{"count": 1}"#)
            .to_request();
        assert_eq!(test::call_service(&app, ok).await.status(), 200);
    }
}
