//! Is the server there, and does this browser compute the cryptography correctly?

use shared_types::api::HealthResponse;

use crate::api::{ApiClient, ApiError};

/// Result of the in-browser cryptography self-check.
#[derive(Debug, Clone, PartialEq)]
pub struct SelfCheck {
    /// `Ok` when every fixed vector and round trip matched; otherwise what failed.
    pub outcome: Result<(), String>,
    /// How long it took, in milliseconds (it includes one Argon2id run at the floor cost).
    pub millis: f64,
}

/// Server health and the crypto self-check.
#[derive(Debug, Clone)]
pub struct StatusService {
    api: ApiClient,
}

impl StatusService {
    /// A service using `api`.
    pub fn new(api: ApiClient) -> Self {
        Self { api }
    }

    /// Asks the server for its health.
    pub async fn server_health(&self) -> Result<HealthResponse, ApiError> {
        self.api.health().await
    }

    /// Runs `wasm-crypto`'s known-answer self-test and times it.
    pub fn crypto_self_check(&self) -> SelfCheck {
        let started = precise_now();
        let outcome = wasm_crypto::self_test().map_err(|e| e.to_string());
        SelfCheck {
            outcome,
            millis: precise_now() - started,
        }
    }
}

fn precise_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}
