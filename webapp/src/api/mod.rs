//! The HTTP client for the Strongroom API (gloo-net). Every call returns an [`ApiError`] whose
//! text a person can act on.

mod groups;
mod orgs;
mod policies;
mod sharing;

use serde::Serialize;
use serde::de::DeserializeOwned;
use shared_types::DeviceId;
use shared_types::account::{
    AccountBundle, BindProfileKindsRequest, ChangePasswordRequest, ConfirmEmailRequest, DeviceView,
    DisableTwoFactorRequest, EnableTwoFactorRequest, LoginRequest, NextStep, PreloginRequest,
    PreloginResponse, ProfileKey, RecoveryCodes, SessionView, SignupRequest, TwoFactorSetup,
    TwoFactorStatus,
};
use shared_types::api::{ErrorBody, HealthResponse};
use shared_types::vault::{
    BINARY_WIRE, PullRequest, PullResponse, PushRequest, PushResponse, RollbackReport,
};

impl ApiError {
    /// The server's stable error code, when the server answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Server { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Why an API call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No answer: offline, or the server is down.
    #[error(
        "The server could not be reached. Check your connection; your vault keeps working in this browser."
    )]
    Unreachable,
    /// The server answered with an error.
    #[error("{message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// Stable error code.
        code: String,
        /// The server's message for a person.
        message: String,
    },
    /// The reply could not be understood.
    #[error("The server's reply could not be read ({0}). Reload the page to update Strongroom.")]
    Decode(String),
}

/// Talks to the server that served the app.
#[derive(Debug, Clone, Default)]
pub struct ApiClient {
    base: String,
}

impl ApiClient {
    /// A client for the origin the app was loaded from.
    pub fn same_origin() -> Self {
        Self::default()
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        let res = gloo_net::http::Request::get(&format!("{}{}", self.base, path))
            .send()
            .await
            .map_err(|_| ApiError::Unreachable)?;
        Self::read(res).await
    }

    async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let res = gloo_net::http::Request::post(&format!("{}{}", self.base, path))
            .json(body)
            .map_err(|e| ApiError::Decode(e.to_string()))?
            .send()
            .await
            .map_err(|_| ApiError::Unreachable)?;
        Self::read(res).await
    }

    /// A vault call in the binary wire (postcard, sealed bytes as they are: no base64 to make
    /// or undo, no compression the server would spend time on for nothing), unless this
    /// browser is set to JSON ([`vault_wire_is_json`]). The reply is read in whichever format
    /// the server answered; errors are always JSON.
    async fn post_vault<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        if vault_wire_is_json() {
            return self.post_json(path, body).await;
        }
        let bytes = postcard::to_allocvec(body).map_err(|e| ApiError::Decode(e.to_string()))?;
        let res = gloo_net::http::Request::post(&format!("{}{}", self.base, path))
            .header("content-type", BINARY_WIRE)
            .header("accept", BINARY_WIRE)
            .body(js_sys::Uint8Array::from(bytes.as_slice()))
            .map_err(|e| ApiError::Decode(e.to_string()))?
            .send()
            .await
            .map_err(|_| ApiError::Unreachable)?;
        let binary =
            (res.headers().get("content-type")).is_some_and(|t| t.starts_with(BINARY_WIRE));
        if res.ok() && binary {
            let body = res.binary().await.map_err(|_| ApiError::Unreachable)?;
            return postcard::from_bytes(&body).map_err(|e| ApiError::Decode(e.to_string()));
        }
        Self::read(res).await
    }

    async fn read<T: DeserializeOwned>(res: gloo_net::http::Response) -> Result<T, ApiError> {
        if res.ok() {
            if res.status() == 204 {
                return serde_json::from_str("null").map_err(|e| ApiError::Decode(e.to_string()));
            }
            // Bytes, not text: a JavaScript string would be turned from UTF-16 into a Rust
            // string first (70 ms of a 10,000-record first sync). A body cut short means the
            // server went away mid-answer.
            let body = res.binary().await.map_err(|_| ApiError::Unreachable)?;
            return serde_json::from_slice(&body).map_err(|e| ApiError::Decode(e.to_string()));
        }
        let status = res.status();
        match res.json::<ErrorBody>().await {
            Ok(body) => Err(ApiError::Server {
                status,
                code: body.code,
                message: body.message,
            }),
            // A proxy or a stopped server answered instead of Strongroom.
            Err(_) if status == 502 || status == 503 || status == 504 => Err(ApiError::Unreachable),
            Err(_) => Err(ApiError::Server {
                status,
                code: "unknown".to_owned(),
                message: format!("The server answered with status {status}."),
            }),
        }
    }

    /// `GET /api/health`.
    pub async fn health(&self) -> Result<HealthResponse, ApiError> {
        self.get_json("/api/health").await
    }

    /// `POST /api/prelogin`.
    pub async fn prelogin(&self, email: &str) -> Result<PreloginResponse, ApiError> {
        self.post_json(
            "/api/prelogin",
            &PreloginRequest {
                email: email.to_owned(),
            },
        )
        .await
    }

    /// `POST /api/accounts`.
    pub async fn signup(&self, request: &SignupRequest) -> Result<NextStep, ApiError> {
        self.post_json("/api/accounts", request).await
    }

    /// `POST /api/accounts/confirm`.
    pub async fn confirm_email(
        &self,
        request: &ConfirmEmailRequest,
    ) -> Result<AccountBundle, ApiError> {
        self.post_json("/api/accounts/confirm", request).await
    }

    /// `POST /api/login`.
    pub async fn login(&self, request: &LoginRequest) -> Result<AccountBundle, ApiError> {
        self.post_json("/api/login", request).await
    }

    /// `POST /api/logout`.
    pub async fn logout(&self) -> Result<(), ApiError> {
        self.post_json::<_, ()>("/api/logout", &()).await
    }

    /// `POST /api/logout/everywhere`.
    pub async fn logout_everywhere(&self) -> Result<(), ApiError> {
        self.post_json::<_, ()>("/api/logout/everywhere", &()).await
    }

    /// `GET /api/account/devices`.
    pub async fn devices(&self) -> Result<Vec<DeviceView>, ApiError> {
        self.get_json("/api/account/devices").await
    }

    /// `DELETE /api/account/devices/{id}`.
    pub async fn revoke_device(&self, id: DeviceId) -> Result<(), ApiError> {
        let res =
            gloo_net::http::Request::delete(&format!("{}/api/account/devices/{id}", self.base))
                .send()
                .await
                .map_err(|_| ApiError::Unreachable)?;
        Self::read(res).await
    }

    /// `GET /api/account/sessions`.
    pub async fn sessions(&self) -> Result<Vec<SessionView>, ApiError> {
        self.get_json("/api/account/sessions").await
    }

    /// `DELETE /api/account/sessions/{id}`.
    pub async fn end_session(&self, id: uuid::Uuid) -> Result<(), ApiError> {
        let res =
            gloo_net::http::Request::delete(&format!("{}/api/account/sessions/{id}", self.base))
                .send()
                .await
                .map_err(|_| ApiError::Unreachable)?;
        Self::read(res).await
    }

    /// `POST /api/account/password`.
    pub async fn change_password(
        &self,
        request: &ChangePasswordRequest,
    ) -> Result<AccountBundle, ApiError> {
        self.post_json("/api/account/password", request).await
    }

    /// `GET /api/account/2fa`.
    pub async fn two_factor_status(&self) -> Result<TwoFactorStatus, ApiError> {
        self.get_json("/api/account/2fa").await
    }

    /// `POST /api/account/2fa/setup`.
    pub async fn two_factor_setup(&self) -> Result<TwoFactorSetup, ApiError> {
        self.post_json("/api/account/2fa/setup", &()).await
    }

    /// `POST /api/account/2fa/enable`.
    pub async fn two_factor_enable(
        &self,
        request: &EnableTwoFactorRequest,
    ) -> Result<RecoveryCodes, ApiError> {
        self.post_json("/api/account/2fa/enable", request).await
    }

    /// `POST /api/account/2fa/disable`.
    pub async fn two_factor_disable(
        &self,
        request: &DisableTwoFactorRequest,
    ) -> Result<(), ApiError> {
        self.post_json::<_, ()>("/api/account/2fa/disable", request)
            .await
    }

    /// `GET /api/account`.
    pub async fn account(&self) -> Result<AccountBundle, ApiError> {
        self.get_json("/api/account").await
    }

    /// `POST /api/account/profiles`: a new Business profile for an account that has none.
    pub async fn add_profile(&self, profile: &ProfileKey) -> Result<AccountBundle, ApiError> {
        self.post_json("/api/account/profiles", profile).await
    }

    /// `PUT /api/account/profile-keys`: binds the kinds of an older account's profile keys.
    pub async fn bind_profile_kinds(
        &self,
        request: &BindProfileKindsRequest,
    ) -> Result<AccountBundle, ApiError> {
        self.send_json("PUT", "/api/account/profile-keys", request)
            .await
    }

    /// `POST /api/vault/pull`.
    pub async fn vault_pull(&self, request: &PullRequest) -> Result<PullResponse, ApiError> {
        self.post_vault("/api/vault/pull", request).await
    }

    /// `POST /api/vault/rollbacks`.
    pub async fn vault_report_rollback(&self, report: &RollbackReport) -> Result<(), ApiError> {
        self.post_json::<_, ()>("/api/vault/rollbacks", report)
            .await
    }

    /// `POST /api/vault/checkpoints`.
    pub async fn vault_checkpoint(
        &self,
        request: &shared_types::vault::CheckpointRequest,
    ) -> Result<shared_types::vault::CheckpointResponse, ApiError> {
        self.post_json("/api/vault/checkpoints", request).await
    }

    /// `POST /api/vault/push`.
    pub async fn vault_push(&self, request: &PushRequest) -> Result<PushResponse, ApiError> {
        self.post_vault("/api/vault/push", request).await
    }
}

/// The key in this browser's `localStorage` that, set to `json`, makes vault pulls and pushes
/// travel as JSON instead of the binary wire: for reading them in the browser's network panel,
/// and for tests that rewrite the server's answers.
pub const VAULT_WIRE_SETTING: &str = "strongroom:vault-wire";

/// Whether this browser is set to send and receive vault calls as JSON.
pub fn vault_wire_is_json() -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|storage| storage.get_item(VAULT_WIRE_SETTING).ok().flatten())
        .is_some_and(|value| value == "json")
}
