//! Types that cross the wire between the web app and the server: request and response bodies of
//! the HTTP API and sync records. Compiles for wasm32 and natively and depends only on serde,
//! uuid and base64 (and, with the `crypto` feature, on `wasm-crypto` for the statements signed
//! lists stand for), so both sides agree on one definition.
//!
//! Invariant: nothing here holds plaintext secrets except request types that must carry a
//! proof (auth key, code); those redact themselves in `Debug`.

mod bytes;
mod ids;

pub mod account;
pub mod api;
pub mod org;
pub mod policy;
pub mod push_rules;
pub mod sharing;
pub mod vault;
mod wire;

pub use bytes::Base64Bytes;
pub use ids::*;
