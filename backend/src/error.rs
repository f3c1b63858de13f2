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
            other => Self::Internal(Box::new(other)),
        }
    }
}

impl ApiError {
    fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::NotFound => "not_found",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    fn message(&self) -> String {
        match self {
            Self::BadRequest(message) => message.clone(),
            Self::NotFound => "Not found.".to_owned(),
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
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Unavailable(cause) => tracing::warn!(error = %cause, "database unavailable"),
            Self::Internal(cause) => tracing::error!(error = %cause, "internal error"),
            Self::BadRequest(_) | Self::NotFound => {}
        }
        HttpResponse::build(self.status_code()).json(ErrorBody {
            code: self.code().to_owned(),
            message: self.message(),
        })
    }
}

/// Turns actix's extractor errors (bad JSON, bad path or query) into our error body.
pub fn extractor_error(err: impl std::fmt::Display) -> actix_web::Error {
    ApiError::BadRequest(format!("The request is malformed: {err}")).into()
}
