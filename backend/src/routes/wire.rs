//! The vault's two wires: JSON, and the binary wire ([`BINARY_WIRE`]: postcard, bytes as
//! bytes). A request is read in the format its `Content-Type` names; a reply is written in the
//! binary wire when the request's `Accept` names it, else in JSON. Binary replies are sealed
//! bytes that do not compress, so they are sent as they are; JSON replies stay compressed.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::web::{Bytes, Json};
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared_types::vault::BINARY_WIRE;

use crate::error::ApiError;

/// The largest vault request body, in either wire.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// A vault request body, in JSON or the binary wire.
pub struct VaultBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for VaultBody<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if !names_binary(req, header::CONTENT_TYPE) {
            let json = Json::<T>::from_request(req, payload);
            return Box::pin(async move { Ok(Self(json.await?.into_inner())) });
        }
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(|_| {
                ApiError::BadRequest("The request body is too large or could not be read.".into())
            })?;
            let value = postcard::from_bytes(&bytes).map_err(|_| {
                ApiError::BadRequest(format!(
                    "The request body is not a valid {BINARY_WIRE} body for this request."
                ))
            })?;
            Ok(Self(value))
        })
    }
}

/// Whether `name` (Content-Type or Accept) of the request names the binary wire.
fn names_binary(req: &HttpRequest, name: header::HeaderName) -> bool {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().starts_with(BINARY_WIRE)))
}

/// `value` in the wire the request asked for.
pub fn reply<T: Serialize>(req: &HttpRequest, value: &T) -> Result<HttpResponse, ApiError> {
    if !names_binary(req, header::ACCEPT) {
        return Ok(HttpResponse::Ok().json(value));
    }
    let body = postcard::to_allocvec(value)
        .map_err(|e| ApiError::Internal(format!("binary reply: {e}").into()))?;
    Ok(HttpResponse::Ok()
        .content_type(BINARY_WIRE)
        // Sealed bytes do not compress: spare the CPU (the compression middleware leaves a
        // reply that already names its encoding alone).
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .body(body))
}
