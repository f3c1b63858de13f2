//! The request and reply bodies of the policy routes: a company's policies, a member's own,
//! and a partner's templates with their plans.

use serde::{Deserialize, Serialize};

use super::{PolicyKey, PolicySet, PolicyValue};
use crate::CompanyId;
use crate::org::Tier;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyState {
    /// The policy.
    pub key: PolicyKey,
    /// Its value (the default when never set).
    pub value: PolicyValue,
    /// When it was last changed (Unix seconds); None when never.
    pub changed_at: Option<i64>,
    /// By whom (their address at the time).
    pub changed_by: Option<String>,
}

/// `GET /api/companies/{company_id}/policies`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyPolicies {
    /// The company.
    pub company: CompanyId,
    /// Its tier: advanced policies hold only on Advanced.
    pub tier: Tier,
    /// Every policy, in [`PolicyKey::ALL`] order.
    pub policies: Vec<PolicyState>,
    /// The partner's template the company follows, if one was applied.
    pub template: Option<TemplateRef>,
}

impl CompanyPolicies {
    /// The values, as a set.
    pub fn set(&self) -> PolicySet {
        let mut set = PolicySet::default();
        for p in &self.policies {
            set.set(p.key, p.value.clone());
        }
        set
    }
}

/// A partner's policy template, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateRef {
    /// The template.
    pub id: crate::PolicyTemplateId,
    /// Its name.
    pub name: String,
}

/// One policy to set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyChange {
    /// The policy.
    pub key: PolicyKey,
    /// Its new value.
    pub value: PolicyValue,
}

/// `PUT /api/companies/{company_id}/policies`: set some policies, all or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdatePolicies {
    /// The policies to set; the others keep their values.
    pub changes: Vec<PolicyChange>,
}

/// A partner's policy template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyTemplate {
    /// The template.
    pub id: crate::PolicyTemplateId,
    /// Its name, unique within the partner.
    pub name: String,
    /// Its values (Advanced ones apply only to Advanced companies).
    pub policies: PolicySet,
    /// How many companies follow it.
    pub companies: u32,
}

/// `POST /api/partners/{partner_id}/policy-templates`, or `PUT` on one: a template's name and
/// values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveTemplate {
    /// Its name.
    pub name: String,
    /// Its values.
    pub policies: PolicySet,
}

/// Some of the partner's companies, for a template's preview or application, or a
/// reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanySelection {
    /// The companies.
    pub companies: Vec<CompanyId>,
}

/// One policy whose value differs between a company and what it should be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDiff {
    /// The policy.
    pub key: PolicyKey,
    /// The company's value.
    pub company: PolicyValue,
    /// The template's value.
    pub template: PolicyValue,
}

/// What a template does (or did, or would do again) to one company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyPlan {
    /// The company.
    pub company: CompanyId,
    /// Its name.
    pub name: String,
    /// Its tier.
    pub tier: Tier,
    /// The template it follows (after an application: the one applied).
    pub template: TemplateRef,
    /// The policies that change (a drift report: that differ).
    pub changes: Vec<PolicyDiff>,
    /// Advanced policies of the template left alone because the company is on Standard.
    pub skipped: Vec<PolicyKey>,
}

/// Something a member must do before the server serves them vault data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Obligation {
    /// Set up two-factor authentication.
    SetUpTwoFactor,
    /// Change the master password: it is older than the company allows.
    ChangeMasterPassword,
}

/// `GET /api/account/policies`: the policies in effect for the caller, and what they must do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPolicies {
    /// The caller's company, if any.
    pub company: Option<CompanyId>,
    /// Whether the caller is one of its Admins (exports are never limited for them).
    pub admin: bool,
    /// The policies in effect (advanced ones only on Advanced).
    pub policies: PolicySet,
    /// What the caller must do before the vault opens.
    pub obligations: Vec<Obligation>,
    /// When the master password must next change (Unix seconds), under a change policy.
    pub password_change_due: Option<i64>,
    /// The company's own domains (for "force business items into business profile").
    #[serde(default)]
    pub company_domains: Vec<String>,
    /// The caller is an Admin of a company whose policies nobody has set yet: the browser
    /// offers to review the recommended ones.
    #[serde(default)]
    pub review_pending: bool,
}

/// Error codes of policy replies.
pub mod codes {
    /// The policy needs the Advanced tier.
    pub const NEEDS_ADVANCED: &str = "policy_needs_advanced";
    /// The company requires two-factor authentication, and the caller has none.
    pub const TWO_FACTOR_REQUIRED: &str = "two_factor_required";
    /// The company requires a new master password.
    pub const PASSWORD_CHANGE_REQUIRED: &str = "password_change_required";
    /// The company has disabled sharing.
    pub const SHARING_DISABLED: &str = "sharing_disabled";
    /// The company allows shares only to listed recipients.
    pub const RECIPIENT_NOT_ALLOWED: &str = "recipient_not_allowed";
    /// The partner has a template of that name.
    pub const TEMPLATE_NAME_TAKEN: &str = "template_name_taken";
    /// The company keeps its pages to Admins.
    pub const PORTAL_RESTRICTED: &str = "portal_restricted";
}
