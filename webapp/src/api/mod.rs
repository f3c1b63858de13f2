//! The HTTP client for the Strongroom API (gloo-net). Every call returns an [`ApiError`] whose
//! text a person can act on.

use serde::Serialize;
use serde::de::DeserializeOwned;
use shared_types::DeviceId;
use shared_types::account::{
    AccountBundle, ChangePasswordRequest, ConfirmEmailRequest, DeviceView, DisableTwoFactorRequest,
    EnableTwoFactorRequest, LoginRequest, NextStep, PreloginRequest, PreloginResponse,
    RecoveryCodes, SessionView, SignupRequest, TwoFactorSetup, TwoFactorStatus,
};
use shared_types::api::{ErrorBody, HealthResponse};
use shared_types::vault::{PullRequest, PullResponse, PushRequest, PushResponse, RollbackReport};

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

    /// `POST /api/vault/pull`.
    pub async fn vault_pull(&self, request: &PullRequest) -> Result<PullResponse, ApiError> {
        self.post_json("/api/vault/pull", request).await
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
        self.post_json("/api/vault/push", request).await
    }
}
