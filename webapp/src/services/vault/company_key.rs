//! The company signing key in a sync (see `services::sharing::company_key`): every member's
//! browser pins it and checks the certificate issued for its own keys; an Admin's browser
//! makes it when the company has none, hands it to the other Admins, and certifies members'
//! published keys that match the keys pinned here.
//!
//! Invariants:
//! - Certificates from the server count only when the key that signed them is the one pinned
//!   here for this account's company ([`VaultSession::company_key`]).
//! - The private half is used only from a wrapping to this account, from a trusted sender,
//!   and only when it is the pinned key's pair.
//! - Nothing is certified that is not exactly what this browser trusts for that person: a
//!   changed key waits for the person to be compared, however the server lists it.

use shared_types::sharing::{CertifyRequest, DirectoryState, GrantRequest, KeyWrapping};
use shared_types::{AccountId, CompanyId};
use wasm_crypto::{Purpose, SigningKey, VerifyingKey};

use super::store::{from_bytes, to_bytes};
use super::{Result, VaultSession};
use crate::api::ApiError;
use crate::cache::{Cache, Store, Write};
use crate::services::sharing::company_key::{
    CompanyKeyJudgement, certificate_not_mine, certify, judge_company_key, make_company_key,
    verify_company_key, wrap_signing_key,
};
use crate::services::sharing::making::public_key_of;
use crate::services::sharing::published::statement_of;
use crate::services::sharing::trust::{CompanyPin, CompanyPinSource};

/// Where the fingerprint of the invitation link this browser followed waits (`Store::Sharing`)
/// until the company key it names is pinned.
const LINK_FINGERPRINT: &str = "invite_fp";

/// Why this browser does not trust what the server serves as its company's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompanyKeyProblem {
    /// The served key is not the one pinned here, or not the one the invitation link named.
    Mismatch {
        /// The fingerprint expected.
        expected: String,
        /// The served key's.
        served: String,
    },
    /// The company certified keys in this person's name that are not theirs.
    CertificateNotMine,
}

impl CompanyKeyProblem {
    /// What to tell the person.
    pub fn explain(&self) -> String {
        match self {
            CompanyKeyProblem::Mismatch { expected, served } => format!(
                "Your company's signing key is not the one you trust (expected {expected}, the server sent {served}). Do not share until an Admin has checked it with you; contact your company's Admin."
            ),
            CompanyKeyProblem::CertificateNotMine => "Your company certified keys in your name that are not yours. Someone may be trying to read what is shared with you: contact your company's Admin.".to_owned(),
        }
    }
}

impl<C: Cache> VaultSession<C> {
    /// The signing key pinned here for this account's company, which certificates are
    /// checked with.
    pub fn company_key(&self) -> Option<VerifyingKey> {
        let (company, _) = self.company()?;
        self.company_pin(company)?.key()
    }

    /// Keeps the fingerprint of the invitation link this browser followed, for the company
    /// key served at a later sync to be checked against.
    pub async fn expect_company_fingerprint(&self, fingerprint: &str) -> Result<()> {
        let digits: String = fingerprint.chars().filter(char::is_ascii_digit).collect();
        self.inner
            .cache
            .write(vec![Write::Put(
                Store::Sharing,
                LINK_FINGERPRINT.to_owned(),
                to_bytes(&digits)?,
            )])
            .await?;
        Ok(())
    }

    async fn link_fingerprint(&self) -> Result<Option<String>> {
        let held = self
            .inner
            .cache
            .get(Store::Sharing, LINK_FINGERPRINT)
            .await?;
        Ok(held.and_then(|bytes| from_bytes::<String>(&bytes).ok()))
    }

    /// The company key part of a sync: pins the served key (or finds a problem), checks this
    /// account's own certificate, and, in an Admin's browser, does the Admin's part.
    /// Returns the problem found, if any.
    pub(super) async fn sync_company_key(
        &self,
        company: CompanyId,
        state: &DirectoryState,
        now_ms: i64,
    ) -> Result<Option<CompanyKeyProblem>> {
        let mut makers: Vec<AccountId> = state.company_key.iter().map(|k| k.maker).collect();
        makers.extend(state.signing.iter().map(|w| w.sender));
        self.pin_unknown(&makers, now_ms).await?;
        let pinned = match &state.company_key {
            Some(served) => match self.take_company_key(company, served, now_ms).await? {
                Ok(key) => key,
                Err(problem) => return Ok(Some(problem)),
            },
            None => None,
        };
        if let (Some(key), Some(cert), Some(certified)) =
            (&pinned, &state.certificate, &state.certified_keys)
            && certificate_not_mine(&self.inner.keys, key, cert, certified)
        {
            return Ok(Some(CompanyKeyProblem::CertificateNotMine));
        }
        if state.admin {
            self.company_key_admin(company, state, pinned, now_ms)
                .await?;
        }
        Ok(None)
    }

    /// Pins `served` as the company key (or finds it is the pinned one); `Ok(None)` when its
    /// maker's keys are not trusted here or its statement does not verify.
    async fn take_company_key(
        &self,
        company: CompanyId,
        served: &shared_types::sharing::CompanyKey,
        now_ms: i64,
    ) -> Result<std::result::Result<Option<VerifyingKey>, CompanyKeyProblem>> {
        let keys = self.trusted_keys();
        let Some(key) = keys(served.maker).and_then(|m| verify_company_key(served, company, &m))
        else {
            return Ok(Ok(None));
        };
        let pin = self.company_pin(company);
        let link = self.link_fingerprint().await?;
        match judge_company_key(pin.as_ref(), &key, link.as_deref()) {
            CompanyKeyJudgement::Same => Ok(Ok(Some(key))),
            CompanyKeyJudgement::Pin(via) => {
                let via = if served.maker == self.inner.keys.account_id {
                    CompanyPinSource::Made
                } else {
                    via
                };
                self.pin_company(
                    CompanyPin {
                        company,
                        verifying_key: served.verifying_key.clone(),
                        maker: served.maker,
                        pinned_at: now_ms,
                        via,
                    },
                    now_ms,
                )
                .await?;
                if link.is_some() {
                    self.inner
                        .cache
                        .write(vec![Write::Delete(
                            Store::Sharing,
                            LINK_FINGERPRINT.to_owned(),
                        )])
                        .await?;
                }
                Ok(Ok(Some(key)))
            }
            CompanyKeyJudgement::Mismatch { expected, served } => {
                Ok(Err(CompanyKeyProblem::Mismatch { expected, served }))
            }
        }
    }

    /// Opens the company's signing key from a wrapping to this account (from a trusted
    /// sender), if it is the pair of `pinned`.
    fn open_signing_key(
        &self,
        company: CompanyId,
        wrapping: &KeyWrapping,
        pinned: &VerifyingKey,
    ) -> Option<SigningKey> {
        let key: SigningKey = self.open_company_secret(
            (Purpose::CompanySigningKey, company),
            wrapping,
            &self.trusted_keys(),
        )?;
        (key.verifying_key() == *pinned).then_some(key)
    }

    /// An Admin's part: make the company key when there is none; otherwise, holding it, hand
    /// it to the Admins who wait and certify members' keys that match their pins here.
    async fn company_key_admin(
        &self,
        company: CompanyId,
        state: &DirectoryState,
        pinned: Option<VerifyingKey>,
        now_ms: i64,
    ) -> Result<()> {
        let me = &self.inner.keys;
        if state.company_key.is_none() {
            let (_, request) = make_company_key(me, company);
            return match self.inner.api.create_company_key(company, &request).await {
                // Another Admin's browser made it first: it is pinned at the next sync.
                Err(ApiError::Server { code, .. }) if code == "company_key_exists" => Ok(()),
                other => Ok(other?),
            };
        }
        let (Some(pinned), Some(wrapping)) = (pinned, &state.signing) else {
            return Ok(());
        };
        let Some(key) = self.open_signing_key(company, wrapping, &pinned) else {
            return Ok(());
        };
        let waiting: Vec<AccountId> = (state.signing_waiting.iter())
            .chain(&state.uncertified)
            .map(|k| k.account_id)
            .filter(|a| *a != me.account_id)
            .collect();
        self.pin_unknown(&waiting, now_ms).await?;
        let wrappings: Vec<KeyWrapping> = (state.signing_waiting.iter())
            .filter_map(|k| {
                let pin = self.contact(k.account_id)?;
                let public = public_key_of(&pin).ok()?;
                Some(wrap_signing_key(me, company, &key, k.account_id, &public))
            })
            .collect();
        if !wrappings.is_empty() {
            self.inner
                .api
                .grant_company_key(company, &GrantRequest { wrappings })
                .await?;
        }
        let certificates: Vec<_> = (state.uncertified.iter())
            .filter(|k| {
                if k.account_id == me.account_id {
                    return **k == statement_of(me, k.key_epoch);
                }
                // Exactly the keys pinned here, whatever the pin's statement epoch.
                self.contact(k.account_id).is_some_and(|pin| {
                    pin.encryption_key == k.encryption_key
                        && pin.verifying_key == k.verifying_key
                        && pin.key_epoch <= k.key_epoch
                })
            })
            .filter_map(|k| certify(&key, company, k))
            .collect();
        if !certificates.is_empty() {
            self.inner
                .api
                .certify(company, &CertifyRequest { certificates })
                .await?;
        }
        Ok(())
    }
}
