//! Security policies in the browser: the ones the signed-in member's company sets (read on
//! unlock and again whenever the server says the account's company changed, so a changed policy
//! applies without a reload), and the admin calls of the policy pages.
//!
//! The browser applies what only it can see (which profile an item goes to, exports, pages
//! where the app stays quiet) and steers the member before the server would refuse; the server
//! refuses whatever a tampered browser would still send.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use shared_types::policy::{
    CompanyPlan, CompanyPolicies, ExportLimit, MyPolicies, PolicyTemplate, SaveTemplate,
    UpdatePolicies,
};
use shared_types::{AccountId, CompanyId, PartnerId, PolicyTemplateId};

use crate::api::{ApiClient, ApiError};
use crate::cache::{Cache, IndexedDbCache, Store};
use crate::services::Auth;
use crate::services::auth::AuthStatus;
use crate::services::preferences::Preferences;
use crate::services::sync::VaultService;

/// The policies in effect for the signed-in member: None until loaded (and while locked).
#[derive(Clone, Copy)]
pub struct Policies(pub RwSignal<Option<MyPolicies>>);

impl Policies {
    /// The signal, from context.
    pub fn get() -> RwSignal<Option<MyPolicies>> {
        expect_context::<Policies>().0
    }

    /// Provides the signal and keeps it current: loaded on unlock and whenever the change
    /// feed says the account's company changed; dropped on lock. Called after the vault
    /// service is provided.
    pub fn provide(api: ApiClient, cache: IndexedDbCache, mine: RwSignal<Option<MyPolicies>>) {
        provide_context(Policies(mine));
        let status = Auth::get();
        let vault = VaultService::get();
        let account_changes = vault.status().account_changes;
        // Once the member has done what the company asked, the vault syncs at once.
        Effect::new(move |held: Option<bool>| {
            let now_held = mine.with(owes_something);
            if held == Some(true)
                && !now_held
                && let Some(open) = vault.open_vault()
            {
                open.engine.sync_now();
            }
            now_held
        });
        // The open vault applies what it must (shared folders read-only without sharing).
        Effect::new(move |_| {
            let off = mine.with(shares_off);
            if let crate::services::sync::VaultState::Open(open) = vault.state()
                && open.session.set_sharing_disabled(off)
            {
                vault.status().changed();
            }
        });
        // A browser kept on the device only syncs again (and sends what waited) once the
        // company requires online backups, and remembers that.
        let preferences = Preferences::new(cache.clone());
        Effect::new(move |_| {
            let status = vault.status();
            if mine.with(requires_sync)
                && status.device_only.get()
                && let AuthStatus::Unlocked(keys) = Auth::get().get_untracked()
            {
                match vault.open_vault() {
                    Some(open) => open.engine.set_device_only(false),
                    None => status.device_only.set(false),
                }
                let preferences = preferences.clone();
                spawn_local(async move {
                    let _ = preferences.set_device_only(keys.account_id, false).await;
                });
            }
        });
        Effect::new(move |_| {
            account_changes.track();
            if let AuthStatus::Unlocked(keys) = status.get() {
                let api = api.clone();
                let cache = cache.clone();
                let account = keys.account_id;
                spawn_local(async move {
                    // Offline, the policies this browser last read stay (kept for the next
                    // unlock too); the server enforces its part anyway. An answer that comes
                    // after the vault locked is dropped.
                    let found = match api.my_policies().await {
                        Ok(found) => {
                            let kept = Kept {
                                account,
                                policies: found.clone(),
                            };
                            if let Ok(bytes) = serde_json::to_vec(&kept) {
                                let _ = cache.put(Store::Account, KEPT_POLICIES, &bytes).await;
                            }
                            Some(found)
                        }
                        Err(_) if mine.get_untracked().is_none() => {
                            kept_policies(&cache, account).await
                        }
                        Err(_) => None,
                    };
                    if let Some(found) = found
                        && matches!(status.get_untracked(), AuthStatus::Unlocked(_))
                    {
                        mine.set(Some(found));
                    }
                });
            } else {
                mine.set(None);
            }
        });
    }
}

/// Where this browser keeps the policies it last read, for an unlock without the server.
pub const KEPT_POLICIES: &str = "policies";

/// The policies kept for an offline unlock, with the account they are for.
#[derive(Serialize, Deserialize)]
struct Kept {
    account: AccountId,
    policies: MyPolicies,
}

async fn kept_policies(cache: &impl Cache, account: AccountId) -> Option<MyPolicies> {
    let bytes = cache.get(Store::Account, KEPT_POLICIES).await.ok()??;
    let kept: Kept = serde_json::from_slice(&bytes).ok()?;
    (kept.account == account).then_some(kept.policies)
}

/// Whether the company asks a step of the member before the vault opens.
pub fn owes_something(mine: &Option<MyPolicies>) -> bool {
    mine.as_ref().is_some_and(|m| !m.obligations.is_empty())
}

fn shares_off(mine: &Option<MyPolicies>) -> bool {
    mine.as_ref().is_some_and(|m| m.policies.sharing_disabled())
}

/// Whether the member's company requires online backups and device sync (tracked): no browser
/// may then keep the vault on the device only.
pub fn sync_required() -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    let mine = Policies::get();
    move || mine.with(requires_sync)
}

fn requires_sync(mine: &Option<MyPolicies>) -> bool {
    mine.as_ref().is_some_and(|m| m.policies.sync_required())
}

/// Whether the member's company disabled sharing (tracked), for the sharing controls.
pub fn sharing_disabled() -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    let mine = Policies::get();
    move || mine.with(shares_off)
}

/// Why the company does not let the member share with some of `addresses` (not tracked); Ok
/// when it does. The server refuses the same.
pub fn check_recipients<'a>(addresses: impl IntoIterator<Item = &'a String>) -> Result<(), String> {
    let mine = Policies::get().get_untracked();
    let Some(policies) = mine.map(|m| m.policies) else {
        return Ok(());
    };
    if policies.sharing_disabled() {
        return Err("Your company has disabled sharing.".to_owned());
    }
    let refused: Vec<&String> = addresses
        .into_iter()
        .filter(|a| !policies.may_share_with(a))
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    Err(format!(
        "Your company lets you share only with {}; not with {}.",
        policies.share_recipients().join(", "),
        refused
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// The company domain one of `urls` is on, when the company keeps such items in the Business
/// profile (not tracked); None when it does not.
pub fn forced_business(urls: &[String]) -> Option<String> {
    let mine = Policies::get().get_untracked()?;
    if !mine.policies.business_items_forced() {
        return None;
    }
    shared_types::policy::company_domain_of(urls, &mine.company_domains).cloned()
}

/// Whether the company turned fill and save off for `url` (tracked: policies arrive after the
/// vault opens).
pub fn page_disabled(url: &str) -> bool {
    Policies::get().with(|m| m.as_ref().is_some_and(|m| m.policies.page_disabled(url)))
}

/// What the member may export, as the browser applies it (company Admins are never limited).
pub fn export_limit(mine: Option<&MyPolicies>) -> ExportLimit {
    match mine {
        Some(m) if !m.admin => m.policies.export_limit(),
        _ => ExportLimit::Off,
    }
}

/// The policy calls of the pages.
#[derive(Clone)]
pub struct PolicyService {
    api: ApiClient,
    mine: RwSignal<Option<MyPolicies>>,
}

impl PolicyService {
    /// A service over the API, keeping `mine` (the [`Policies`] signal) up to date.
    pub fn new(api: ApiClient, mine: RwSignal<Option<MyPolicies>>) -> Self {
        Self { api, mine }
    }

    /// Reads the member's policies again (after setting up 2FA or changing the password).
    pub async fn reload(&self) -> Result<MyPolicies, ApiError> {
        let found = self.api.my_policies().await?;
        self.mine.set(Some(found.clone()));
        Ok(found)
    }

    /// A company's policies.
    pub async fn company(&self, company: CompanyId) -> Result<CompanyPolicies, ApiError> {
        self.api.company_policies(company).await
    }

    /// Sets some of a company's policies (and reads the member's own again: they may be
    /// among its members).
    pub async fn save(
        &self,
        company: CompanyId,
        request: &UpdatePolicies,
    ) -> Result<CompanyPolicies, ApiError> {
        let saved = self.api.save_policies(company, request).await?;
        let _ = self.reload().await;
        Ok(saved)
    }

    /// The partner's templates.
    pub async fn templates(&self, partner: PartnerId) -> Result<Vec<PolicyTemplate>, ApiError> {
        self.api.policy_templates(partner).await
    }

    /// Saves a template (a new one when `id` is None).
    pub async fn save_template(
        &self,
        partner: PartnerId,
        id: Option<PolicyTemplateId>,
        request: &SaveTemplate,
    ) -> Result<PolicyTemplate, ApiError> {
        self.api.save_template(partner, id, request).await
    }

    /// Deletes a template.
    pub async fn delete_template(
        &self,
        partner: PartnerId,
        id: PolicyTemplateId,
    ) -> Result<(), ApiError> {
        self.api.delete_template(partner, id).await
    }

    /// What applying a template would change (`apply: false`), or applies it.
    pub async fn template_to_companies(
        &self,
        partner: PartnerId,
        id: PolicyTemplateId,
        companies: Vec<CompanyId>,
        apply: bool,
    ) -> Result<Vec<CompanyPlan>, ApiError> {
        self.api
            .template_to_companies(partner, id, companies, apply)
            .await
    }

    /// The partner's companies that differ from their templates.
    pub async fn drift(&self, partner: PartnerId) -> Result<Vec<CompanyPlan>, ApiError> {
        self.api.policy_drift(partner).await
    }

    /// Applies their templates again to `companies`.
    pub async fn reconcile(
        &self,
        partner: PartnerId,
        companies: Vec<CompanyId>,
    ) -> Result<Vec<CompanyPlan>, ApiError> {
        self.api.reconcile_drift(partner, companies).await
    }
}
