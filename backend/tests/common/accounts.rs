//! Accounts made the way the browser makes them: real keys from wasm-crypto, sealed and wrapped,
//! sent through the real endpoints, with codes read from the real mail folder.

use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use shared_types::account::{
    AccountBundle, AccountKeys, AuthKeyProof, ConfirmEmailRequest, DeviceInfo, KdfParams,
    LoginRequest, OneTimeCode, ProfileKey, ProfileKind, SignupRequest,
};
use shared_types::api::ErrorBody;
use shared_types::sharing::PublishedKeys;
use shared_types::{AccountId, Base64Bytes, DeviceId, ProfileId};
use wasm_crypto::{
    Binding, EncryptionPrivateKey, MasterPassword, Purpose, SigningKey, Statement,
    make_encryption_key, make_password_envelope, make_signing_key, make_symmetric_key, wrap,
};

use super::TestServer;

/// The cheapest parameters the server accepts: the floor, which is what new accounts get
/// (Argon2 is built optimised in debug builds, see the workspace's Cargo.toml).
pub const TEST_KDF: wasm_crypto::KdfParams = wasm_crypto::KdfParams::DEFAULT;

/// [`TEST_KDF`] as the API writes it.
pub fn test_kdf_wire() -> KdfParams {
    KdfParams {
        memory_kib: TEST_KDF.memory_kib,
        iterations: TEST_KDF.iterations,
        parallelism: TEST_KDF.parallelism,
    }
}

/// A person with a browser.
pub struct TestUser {
    pub email: String,
    pub password: String,
    pub auth_key: Vec<u8>,
    pub account_id: AccountId,
    pub device: DeviceInfo,
    /// The account's Ed25519 signing key, as its browser holds it.
    pub signing: SigningKey,
    /// The account's X25519 private key, as its browser holds it.
    pub encryption: EncryptionPrivateKey,
}

impl TestUser {
    /// The account's keys published at `key_epoch`, signed as its browser signs them.
    pub fn published_keys(&self, key_epoch: u64) -> PublishedKeys {
        let encryption_key = self.encryption.public_key();
        let verifying_key = self.signing.verifying_key();
        let signature = self.signing.sign(&Statement::PublishedKeys {
            account_id: self.account_id.0,
            key_epoch,
            email: &self.email,
            encryption_key: &encryption_key,
            verifying_key: &verifying_key,
        });
        PublishedKeys {
            account_id: self.account_id,
            key_epoch,
            email: self.email.clone(),
            encryption_key: Base64Bytes(encryption_key.to_bytes().to_vec()),
            verifying_key: Base64Bytes(verifying_key.to_bytes().to_vec()),
            signature: Base64Bytes(signature.into_bytes()),
        }
    }
}

pub fn device(name: &str) -> DeviceInfo {
    DeviceInfo {
        id: DeviceId::new_v7(),
        name: name.to_owned(),
    }
}

/// A change of master password built with real keys: the same account key under a new envelope.
pub fn change_password_request(
    user: &TestUser,
    new_password: &str,
) -> (shared_types::account::ChangePasswordRequest, Vec<u8>) {
    let account_key = make_symmetric_key();
    let (keys, envelope) = make_password_envelope(
        &MasterPassword::new(new_password.to_owned()),
        &user.email,
        &TEST_KDF,
        &account_key,
    )
    .unwrap();
    let new_auth = keys.auth_key().as_login_bytes().to_vec();
    let request = shared_types::account::ChangePasswordRequest {
        current_auth_key: AuthKeyProof(Base64Bytes(user.auth_key.clone())),
        new_auth_key: AuthKeyProof(Base64Bytes(new_auth.clone())),
        kdf: test_kdf_wire(),
        salt: Base64Bytes(envelope.salt().unwrap().to_bytes().to_vec()),
        password_envelope: Base64Bytes(envelope.into_bytes()),
    };
    (request, new_auth)
}

/// The purpose a browser wraps a profile key of `kind` with.
pub fn profile_purpose(kind: ProfileKind) -> Purpose {
    match kind {
        ProfileKind::Personal => Purpose::PersonalProfileKey,
        ProfileKind::Business => Purpose::BusinessProfileKey,
    }
}

/// A sign-up request built with real keys, and the user it is for.
pub fn signup_request(email: &str, password: &str) -> (SignupRequest, TestUser) {
    signup_request_with(email, password, &TEST_KDF)
}

/// A sign-up request whose password envelope is made with `kdf`.
pub fn signup_request_with(
    email: &str,
    password: &str,
    kdf: &wasm_crypto::KdfParams,
) -> (SignupRequest, TestUser) {
    let account_id = AccountId::new_v7();
    let account_key = make_symmetric_key();
    let (login_keys, envelope) = make_password_envelope(
        &MasterPassword::new(password.to_owned()),
        email,
        kdf,
        &account_key,
    )
    .unwrap();
    let encryption = make_encryption_key();
    let signing = make_signing_key();
    let id = account_id.0;
    let profiles = [ProfileKind::Personal, ProfileKind::Business]
        .into_iter()
        .map(|kind| {
            let profile_id = ProfileId::new_v7();
            let wrapped = wrap(
                &account_key,
                &Binding::new(profile_purpose(kind), profile_id.0, id),
                &make_symmetric_key(),
            );
            ProfileKey {
                id: profile_id,
                kind,
                wrapped_key: Base64Bytes(wrapped.into_bytes()),
            }
        })
        .collect();
    let keys = AccountKeys {
        encryption_public_key: Base64Bytes(encryption.public_key().to_bytes().to_vec()),
        verifying_key: Base64Bytes(signing.verifying_key().to_bytes().to_vec()),
        keys_signature: Base64Bytes(
            signing
                .sign(&Statement::KindBoundAccountKeys {
                    account_id: id,
                    encryption_key: &encryption.public_key(),
                    verifying_key: &signing.verifying_key(),
                })
                .into_bytes(),
        ),
        wrapped_encryption_key: Base64Bytes(
            wrap(
                &account_key,
                &Binding::new(Purpose::AccountEncryptionKey, id, id),
                &encryption,
            )
            .into_bytes(),
        ),
        wrapped_signing_key: Base64Bytes(
            wrap(
                &account_key,
                &Binding::new(Purpose::AccountSigningKey, id, id),
                &signing,
            )
            .into_bytes(),
        ),
        profiles,
    };
    let user = TestUser {
        email: email.to_owned(),
        password: password.to_owned(),
        auth_key: login_keys.auth_key().as_login_bytes().to_vec(),
        account_id,
        device: device("Chromium on Linux"),
        signing,
        encryption,
    };
    let request = SignupRequest {
        account_id,
        email: email.to_owned(),
        auth_key: AuthKeyProof(Base64Bytes(user.auth_key.clone())),
        kdf: KdfParams {
            memory_kib: kdf.memory_kib,
            iterations: kdf.iterations,
            parallelism: kdf.parallelism,
        },
        salt: Base64Bytes(envelope.salt().unwrap().to_bytes().to_vec()),
        password_envelope: Base64Bytes(envelope.into_bytes()),
        keys,
        device: user.device.clone(),
    };
    (request, user)
}

/// A reply, read as JSON of the expected type, with its status and session cookie.
pub struct Reply<T> {
    pub status: StatusCode,
    pub body: T,
    pub session: Option<String>,
    pub retry_after: Option<String>,
    /// Every `Set-Cookie` header of the reply, whole.
    pub cookies: Vec<String>,
}

impl TestServer {
    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl serde::Serialize,
        session: Option<&str>,
    ) -> Reply<T> {
        let mut req = self.client.post(self.url(path)).json(body);
        req = with_session(req, session);
        read(req.send().await.unwrap()).await
    }

    pub async fn put<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl serde::Serialize,
        session: Option<&str>,
    ) -> Reply<T> {
        let mut req = self.client.put(self.url(path)).json(body);
        req = with_session(req, session);
        read(req.send().await.unwrap()).await
    }

    pub async fn patch<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl serde::Serialize,
        session: Option<&str>,
    ) -> Reply<T> {
        let mut req = self.client.patch(self.url(path)).json(body);
        req = with_session(req, session);
        read(req.send().await.unwrap()).await
    }

    pub async fn delete_as<T: DeserializeOwned>(
        &self,
        path: &str,
        session: Option<&str>,
    ) -> Reply<T> {
        let mut req = self.client.delete(self.url(path));
        req = with_session(req, session);
        read(req.send().await.unwrap()).await
    }

    pub async fn get_as<T: DeserializeOwned>(&self, path: &str, session: Option<&str>) -> Reply<T> {
        let mut req = self.client.get(self.url(path));
        req = with_session(req, session);
        read(req.send().await.unwrap()).await
    }

    /// Every mail sent so far.
    pub fn mail(&self) -> Vec<backend::mail::sink::Received> {
        backend::mail::sink::read_all(&self.settings.mail_dir()).unwrap()
    }

    /// The code in the newest message to `email`.
    pub fn latest_code(&self, email: &str) -> String {
        let mail = self.mail();
        let message = mail
            .iter()
            .rev()
            .find(|m| m.to == email)
            .expect("a message to the user");
        code_in(&message.body).expect("a code in the message")
    }

    /// Signs up and confirms the email; returns the user and their session.
    pub async fn signed_up(&self, email: &str, password: &str) -> (TestUser, String) {
        let (request, user) = signup_request(email, password);
        let reply: Reply<serde_json::Value> = self.post("/api/accounts", &request, None).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
        let confirmed: Reply<AccountBundle> = self
            .post(
                "/api/accounts/confirm",
                &ConfirmEmailRequest {
                    email: email.to_owned(),
                    code: OneTimeCode(self.latest_code(email)),
                    device: user.device.clone(),
                },
                None,
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK);
        let session = confirmed.session.expect("a session cookie");
        (user, session)
    }

    pub async fn login<T: DeserializeOwned>(
        &self,
        user: &TestUser,
        device: &DeviceInfo,
        code: Option<String>,
    ) -> Reply<T> {
        self.post(
            "/api/login",
            &LoginRequest {
                email: user.email.clone(),
                auth_key: AuthKeyProof(Base64Bytes(user.auth_key.clone())),
                device: device.clone(),
                email_code: code.map(OneTimeCode),
                totp_code: None,
                recovery_code: None,
            },
            None,
        )
        .await
    }

    /// Signs in with a second factor: an authenticator code or a recovery code.
    pub async fn login_2fa<T: DeserializeOwned>(
        &self,
        user: &TestUser,
        totp_code: Option<String>,
        recovery_code: Option<String>,
    ) -> Reply<T> {
        self.post(
            "/api/login",
            &LoginRequest {
                email: user.email.clone(),
                auth_key: AuthKeyProof(Base64Bytes(user.auth_key.clone())),
                device: user.device.clone(),
                email_code: None,
                totp_code: totp_code.map(OneTimeCode),
                recovery_code: recovery_code.map(OneTimeCode),
            },
            None,
        )
        .await
    }
}

/// Adds the session cookie, when there is one.
fn with_session(req: reqwest::RequestBuilder, session: Option<&str>) -> reqwest::RequestBuilder {
    match session {
        Some(token) => req.header(
            "cookie",
            format!("{}={token}", backend::services::accounts::SESSION_COOKIE),
        ),
        None => req,
    }
}

async fn read<T: DeserializeOwned>(res: reqwest::Response) -> Reply<T> {
    let status = res.status();
    let cookie_name = format!("{}=", backend::services::accounts::SESSION_COOKIE);
    let session = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&cookie_name))
        .map(|v| {
            v[cookie_name.len()..]
                .split(';')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .filter(|v| !v.is_empty());
    let cookies = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let retry_after = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = res.text().await.unwrap();
    let body = if text.is_empty() {
        serde_json::from_str("null")
    } else {
        serde_json::from_str(&text)
    }
    .unwrap_or_else(|e| panic!("{status}: cannot read {text}: {e}"));
    Reply {
        status,
        body,
        session,
        retry_after,
        cookies,
    }
}

/// The "1234 5678" code in a message body.
pub fn code_in(body: &str) -> Option<String> {
    body.lines().map(str::trim).find_map(|line| {
        let digits: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        (digits.len() == 8 && digits.chars().all(|c| c.is_ascii_digit()) && line.len() == 9)
            .then_some(digits)
    })
}

pub fn error(reply: &Reply<ErrorBody>) -> (&str, &str) {
    (reply.body.code.as_str(), reply.body.message.as_str())
}
