//! Security policies: the sixteen settings a company (or its partner) chooses for everyone in
//! it. One typed definition per policy ([`PolicyKey::def`]) serves the admin views, the
//! server's checks and the browser's, so they cannot drift apart.
//!
//! Invariants:
//! - A policy that was never set has its default value, and every default is the permissive
//!   one: a company without stored policies behaves as before policies existed.
//! - A value is stored only after [`PolicyValue::checked`] accepted it for its policy: the
//!   right shape, lists cleaned (trimmed, lower case, sorted, without duplicates) and bounded.
//! - Advanced policies have no effect on a Standard company ([`PolicySet::in_effect`]), and the
//!   server refuses to set one there.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::org::Tier;

mod lists;
mod wire;

pub use lists::{clean_domains, company_domain_of, host_and_path};
pub use wire::*;

use lists::{clean_list, glob, host_within, recipient_entry, url_pattern};

/// One of the sixteen policies, in the order the admin views list them (standard first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKey {
    /// Online backups and device sync.
    OnlineBackups,
    /// Two-factor authentication.
    TwoFactor,
    /// Remove business profile items when users are removed.
    RemoveBusinessOnRemoval,
    /// Force business items into the business profile.
    ForceBusinessItems,
    /// Disable sharing.
    DisableSharing,
    /// Disable emergency access.
    DisableEmergencyAccess,
    /// Disable exports.
    DisableExports,
    /// Master password change.
    MasterPasswordChange,
    /// Backup all business profile items (Advanced).
    BackupBusinessItems,
    /// Restrict sharing to specific recipients (Advanced).
    RestrictSharingRecipients,
    /// Choose location for online backups (Advanced).
    BackupLocation,
    /// Restrict business items from emergency access (Advanced).
    RestrictBusinessEmergency,
    /// User change notifications (Advanced).
    UserChangeNotifications,
    /// Restrict user portal access (Advanced).
    RestrictPortalAccess,
    /// Disable on pages or domains (Advanced).
    DisabledPages,
    /// Password auditing (Advanced).
    PasswordAuditing,
}

/// Who makes a policy hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enforcement {
    /// The server refuses what breaks it, and the browser steers the user before that.
    ServerAndBrowser,
    /// Only the browser can see what it is about (item contents, pages); the server refuses
    /// whatever of it a tampered browser could still send.
    Browser,
    /// The setting is stored and reaches every browser; the feature it governs is not built
    /// yet, and honours it when it is (named here).
    WithFeature(&'static str),
}

/// What the seeds recommend for a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recommendation {
    /// This value.
    Value(PolicyValue),
    /// It depends on the company (the admin view says why).
    CompanyChoice(&'static str),
}

/// The fixed description of one policy.
#[derive(Debug, Clone, Copy)]
pub struct PolicyDef {
    /// The policy.
    pub key: PolicyKey,
    /// Its name in the admin views.
    pub title: &'static str,
    /// What it does, in one sentence.
    pub summary: &'static str,
    /// The tier it needs.
    pub tier: Tier,
    /// Who makes it hold.
    pub enforcement: Enforcement,
}

impl PolicyKey {
    /// Every policy, standard ones first, in the order the seeds list them.
    pub const ALL: [PolicyKey; 16] = [
        PolicyKey::OnlineBackups,
        PolicyKey::TwoFactor,
        PolicyKey::RemoveBusinessOnRemoval,
        PolicyKey::ForceBusinessItems,
        PolicyKey::DisableSharing,
        PolicyKey::DisableEmergencyAccess,
        PolicyKey::DisableExports,
        PolicyKey::MasterPasswordChange,
        PolicyKey::BackupBusinessItems,
        PolicyKey::RestrictSharingRecipients,
        PolicyKey::BackupLocation,
        PolicyKey::RestrictBusinessEmergency,
        PolicyKey::UserChangeNotifications,
        PolicyKey::RestrictPortalAccess,
        PolicyKey::DisabledPages,
        PolicyKey::PasswordAuditing,
    ];

    /// The stable name, as stored and sent.
    pub fn name(self) -> &'static str {
        match self {
            PolicyKey::OnlineBackups => "online_backups",
            PolicyKey::TwoFactor => "two_factor",
            PolicyKey::RemoveBusinessOnRemoval => "remove_business_on_removal",
            PolicyKey::ForceBusinessItems => "force_business_items",
            PolicyKey::DisableSharing => "disable_sharing",
            PolicyKey::DisableEmergencyAccess => "disable_emergency_access",
            PolicyKey::DisableExports => "disable_exports",
            PolicyKey::MasterPasswordChange => "master_password_change",
            PolicyKey::BackupBusinessItems => "backup_business_items",
            PolicyKey::RestrictSharingRecipients => "restrict_sharing_recipients",
            PolicyKey::BackupLocation => "backup_location",
            PolicyKey::RestrictBusinessEmergency => "restrict_business_emergency",
            PolicyKey::UserChangeNotifications => "user_change_notifications",
            PolicyKey::RestrictPortalAccess => "restrict_portal_access",
            PolicyKey::DisabledPages => "disabled_pages",
            PolicyKey::PasswordAuditing => "password_auditing",
        }
    }

    /// The policy of a stored name; None for a name this build does not know.
    pub fn of_name(name: &str) -> Option<PolicyKey> {
        PolicyKey::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Its fixed description.
    pub fn def(self) -> PolicyDef {
        use Enforcement::*;
        use PolicyKey::*;
        let (title, summary, tier, enforcement) = match self {
            OnlineBackups => (
                "Online backups and device sync",
                "Members cannot switch a browser to keeping the vault on that device only; \
                 every change is backed up online and synced.",
                Tier::Standard,
                Browser,
            ),
            TwoFactor => (
                "Two-factor authentication",
                "Members without two-factor authentication must set it up right after signing \
                 in; until then the server serves them no vault data.",
                Tier::Standard,
                ServerAndBrowser,
            ),
            RemoveBusinessOnRemoval => (
                "Remove business profile items when users are removed",
                "A member removed and kept as a personal account loses their Business profile \
                 (it stays with the company) and starts an empty one.",
                Tier::Standard,
                ServerAndBrowser,
            ),
            ForceBusinessItems => (
                "Force business items into business profile",
                "New items for the company's domains are saved in Business, and they cannot be \
                 moved to Personal.",
                Tier::Standard,
                Browser,
            ),
            DisableSharing => (
                "Disable sharing",
                "No new shares or recipients; existing shares become read-only.",
                Tier::Standard,
                ServerAndBrowser,
            ),
            DisableEmergencyAccess => (
                "Disable emergency access",
                "Members cannot name emergency contacts or use emergency access.",
                Tier::Standard,
                WithFeature("emergency access"),
            ),
            DisableExports => (
                "Disable exports",
                "Limits which profiles members may export; never applies to company Admins.",
                Tier::Standard,
                Browser,
            ),
            MasterPasswordChange => (
                "Master password change",
                "Members must change their master password every so many days; the change is \
                 forced when due.",
                Tier::Standard,
                ServerAndBrowser,
            ),
            BackupBusinessItems => (
                "Backup all business profile items",
                "Every member's Business profile is backed up for the Recovery Group, who can \
                 restore it when someone leaves.",
                Tier::Advanced,
                WithFeature("organization backup"),
            ),
            RestrictSharingRecipients => (
                "Restrict sharing to specific recipients",
                "Members can share only with the listed domains and addresses.",
                Tier::Advanced,
                ServerAndBrowser,
            ),
            BackupLocation => (
                "Choose location for online backups",
                "The storage region that holds the company's data.",
                Tier::Advanced,
                WithFeature("regional storage"),
            ),
            RestrictBusinessEmergency => (
                "Restrict business items from emergency access",
                "Emergency contacts never receive items of the Business profile.",
                Tier::Advanced,
                WithFeature("emergency access"),
            ),
            UserChangeNotifications => (
                "User change notifications",
                "Admins, and any extra addresses, get an email when users are added or removed \
                 or a backup is downloaded.",
                Tier::Advanced,
                WithFeature("user change notifications"),
            ),
            RestrictPortalAccess => (
                "Restrict user portal access",
                "Members who are not Admins cannot open the company's pages.",
                Tier::Advanced,
                ServerAndBrowser,
            ),
            DisabledPages => (
                "Disable on pages or domains",
                "The app never offers to fill or save on these pages and domains.",
                Tier::Advanced,
                Browser,
            ),
            PasswordAuditing => (
                "Password auditing",
                "Every view, copy and use of a business password is logged for the access \
                 reports.",
                Tier::Advanced,
                WithFeature("password auditing"),
            ),
        };
        PolicyDef {
            key: self,
            title,
            summary,
            tier,
            enforcement,
        }
    }

    /// The value a company has until someone sets it: always the permissive one.
    pub fn default_value(self) -> PolicyValue {
        use PolicyKey::*;
        match self {
            OnlineBackups
            | TwoFactor
            | RemoveBusinessOnRemoval
            | ForceBusinessItems
            | DisableSharing
            | DisableEmergencyAccess
            | BackupBusinessItems
            | RestrictBusinessEmergency
            | RestrictPortalAccess
            | PasswordAuditing => PolicyValue::Switch(false),
            DisableExports => PolicyValue::Exports(ExportLimit::Off),
            MasterPasswordChange => PolicyValue::EveryDays(None),
            RestrictSharingRecipients => PolicyValue::Recipients(Vec::new()),
            BackupLocation => PolicyValue::Region(Region::ServerDefault),
            UserChangeNotifications => PolicyValue::Notifications(Notifications::default()),
            DisabledPages => PolicyValue::UrlPatterns(Vec::new()),
        }
    }

    /// What the seeds recommend.
    pub fn recommended(self) -> Recommendation {
        use PolicyKey::*;
        use Recommendation::*;
        match self {
            OnlineBackups
            | TwoFactor
            | RemoveBusinessOnRemoval
            | ForceBusinessItems
            | DisableEmergencyAccess
            | BackupBusinessItems
            | PasswordAuditing => Value(PolicyValue::Switch(true)),
            DisableSharing | RestrictPortalAccess => Value(PolicyValue::Switch(false)),
            RestrictBusinessEmergency => {
                CompanyChoice("Only matters when emergency access is allowed; then turn it on.")
            }
            DisableExports => Value(PolicyValue::Exports(ExportLimit::NoProfiles)),
            MasterPasswordChange => CompanyChoice(
                "Current NIST guidance drops forced changes; follow your own password rules.",
            ),
            RestrictSharingRecipients => {
                CompanyChoice("Rarely needed for a team that shares only among itself.")
            }
            BackupLocation => CompanyChoice("Choose the region closest to the company."),
            UserChangeNotifications => {
                CompanyChoice("Add addresses when more people than the Admins should know.")
            }
            DisabledPages => {
                CompanyChoice("List internal tools (PSA, RMM, CRM) where the app gets in the way.")
            }
        }
    }
}

/// How far exports are limited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportLimit {
    /// Members export any profile.
    #[default]
    Off,
    /// Members export their Personal profile only.
    PersonalOnly,
    /// Members export nothing.
    NoProfiles,
}

/// Where a company's online backups are kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// Wherever this server keeps its data.
    #[default]
    ServerDefault,
    /// The European Union.
    Eu,
    /// The United Kingdom.
    Uk,
    /// The United States.
    Us,
    /// Canada.
    Ca,
    /// Australia.
    Au,
}

impl Region {
    /// Every region, in the order a picker lists them.
    pub const ALL: [Region; 6] = [
        Region::ServerDefault,
        Region::Eu,
        Region::Uk,
        Region::Us,
        Region::Ca,
        Region::Au,
    ];

    /// Its name in a picker.
    pub fn label(self) -> &'static str {
        match self {
            Region::ServerDefault => "This server's location",
            Region::Eu => "European Union",
            Region::Uk => "United Kingdom",
            Region::Us => "United States",
            Region::Ca => "Canada",
            Region::Au => "Australia",
        }
    }
}

/// Who is told about user changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Notifications {
    /// The company's Admins.
    pub admins: bool,
    /// And these addresses.
    #[serde(default)]
    pub addresses: Vec<String>,
}

/// A policy's value. Each policy takes one shape ([`PolicyKey::default_value`] shows which).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyValue {
    /// On or off.
    Switch(bool),
    /// [`PolicyKey::DisableExports`].
    Exports(ExportLimit),
    /// Every so many days; None is off.
    EveryDays(Option<u16>),
    /// Domains (`example.com`, which takes its subdomains too) and addresses; empty is off.
    Recipients(Vec<String>),
    /// [`PolicyKey::BackupLocation`].
    Region(Region),
    /// [`PolicyKey::UserChangeNotifications`].
    Notifications(Notifications),
    /// Domains and page patterns (`intranet.example.com`, `psa.example.com/admin/*`); empty is
    /// off.
    UrlPatterns(Vec<String>),
}

/// The longest list a policy takes.
pub const MAX_LIST: usize = 500;
/// The longest master-password change interval, in days (ten years).
pub const MAX_DAYS: u16 = 3650;

impl PolicyValue {
    /// Whether `self` has the shape `other` has.
    fn same_shape(&self, other: &PolicyValue) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    /// `self` made ready to store for `key`: lists cleaned, everything checked; or why not, in
    /// a sentence for the admin.
    pub fn checked(self, key: PolicyKey) -> Result<PolicyValue, String> {
        let title = key.def().title;
        if !self.same_shape(&key.default_value()) {
            return Err(format!("\"{title}\" does not take a value of that kind."));
        }
        Ok(match self {
            PolicyValue::EveryDays(Some(days)) if days == 0 || days > MAX_DAYS => {
                return Err(format!(
                    "\"{title}\": choose between 1 and {MAX_DAYS} days."
                ));
            }
            PolicyValue::Recipients(list) => {
                PolicyValue::Recipients(clean_list(list, title, recipient_entry)?)
            }
            PolicyValue::UrlPatterns(list) => {
                PolicyValue::UrlPatterns(clean_list(list, title, url_pattern)?)
            }
            PolicyValue::Notifications(Notifications { admins, addresses }) => {
                let addresses = clean_list(addresses, title, |a| {
                    recipient_entry(a).filter(|e| e.contains('@'))
                })?;
                PolicyValue::Notifications(Notifications { admins, addresses })
            }
            other => other,
        })
    }

    /// How the value reads in a log line or a preview.
    pub fn describe(&self) -> String {
        match self {
            PolicyValue::Switch(true) => "on".into(),
            PolicyValue::Switch(false) => "off".into(),
            PolicyValue::Exports(ExportLimit::Off) => "off".into(),
            PolicyValue::Exports(ExportLimit::PersonalOnly) => "personal profile only".into(),
            PolicyValue::Exports(ExportLimit::NoProfiles) => "no profiles".into(),
            PolicyValue::EveryDays(None) => "off".into(),
            PolicyValue::EveryDays(Some(days)) => format!("every {days} days"),
            PolicyValue::Recipients(list) | PolicyValue::UrlPatterns(list) if list.is_empty() => {
                "off".into()
            }
            PolicyValue::Recipients(list) | PolicyValue::UrlPatterns(list) => list.join(", "),
            PolicyValue::Region(region) => region.label().into(),
            PolicyValue::Notifications(n) => match (n.admins, n.addresses.is_empty()) {
                (false, true) => "off".into(),
                (true, true) => "admins".into(),
                (admins, false) => format!(
                    "{}{}",
                    if admins { "admins + " } else { "" },
                    n.addresses.join(", ")
                ),
            },
        }
    }
}

/// A company's policies: what was set, and the default for the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PolicySet {
    values: BTreeMap<PolicyKey, PolicyValue>,
}

impl PolicySet {
    /// The value of `key`.
    pub fn get(&self, key: PolicyKey) -> PolicyValue {
        self.values
            .get(&key)
            .cloned()
            .unwrap_or_else(|| key.default_value())
    }

    /// Sets `key` (to its default: forgets it).
    pub fn set(&mut self, key: PolicyKey, value: PolicyValue) {
        if value == key.default_value() {
            self.values.remove(&key);
        } else {
            self.values.insert(key, value);
        }
    }

    /// The policies that differ from their defaults.
    pub fn changed(&self) -> impl Iterator<Item = (PolicyKey, &PolicyValue)> {
        self.values.iter().map(|(k, v)| (*k, v))
    }

    /// What holds for a company of `tier`: advanced policies drop back to their defaults on
    /// Standard.
    pub fn in_effect(&self, tier: Tier) -> PolicySet {
        let mut out = self.clone();
        if tier == Tier::Standard {
            out.values.retain(|k, _| k.def().tier == Tier::Standard);
        }
        out
    }

    fn switch(&self, key: PolicyKey) -> bool {
        matches!(self.values.get(&key), Some(PolicyValue::Switch(true)))
    }

    fn list(&self, key: PolicyKey) -> &[String] {
        match self.values.get(&key) {
            Some(PolicyValue::Recipients(list) | PolicyValue::UrlPatterns(list)) => list,
            _ => &[],
        }
    }

    /// Members must have two-factor authentication.
    pub fn two_factor_required(&self) -> bool {
        self.switch(PolicyKey::TwoFactor)
    }

    /// Members may not keep a vault on one device only.
    pub fn sync_required(&self) -> bool {
        self.switch(PolicyKey::OnlineBackups)
    }

    /// A member removed and kept as a personal account loses their Business profile (it stays
    /// with the company) and gets a new, empty one.
    pub fn business_removed_with_member(&self) -> bool {
        self.switch(PolicyKey::RemoveBusinessOnRemoval)
    }

    /// No new shares or recipients; shares are read-only.
    pub fn sharing_disabled(&self) -> bool {
        self.switch(PolicyKey::DisableSharing)
    }

    /// New items for the company's domains go to Business.
    pub fn business_items_forced(&self) -> bool {
        self.switch(PolicyKey::ForceBusinessItems)
    }

    /// Non-admins may not open the company's pages.
    pub fn portal_restricted(&self) -> bool {
        self.switch(PolicyKey::RestrictPortalAccess)
    }

    /// How far exports are limited (for members who are not Admins).
    pub fn export_limit(&self) -> ExportLimit {
        match self.values.get(&PolicyKey::DisableExports) {
            Some(PolicyValue::Exports(limit)) => *limit,
            _ => ExportLimit::Off,
        }
    }

    /// Every so many days the master password must change; None when never.
    pub fn password_max_age_days(&self) -> Option<u16> {
        match self.values.get(&PolicyKey::MasterPasswordChange) {
            Some(PolicyValue::EveryDays(days)) => *days,
            _ => None,
        }
    }

    /// The domains and addresses shares may go to; empty when anyone will do.
    pub fn share_recipients(&self) -> &[String] {
        self.list(PolicyKey::RestrictSharingRecipients)
    }

    /// Whether a share may go to `email`.
    pub fn may_share_with(&self, email: &str) -> bool {
        let allowed = self.share_recipients();
        if allowed.is_empty() {
            return true;
        }
        let email = email.trim().to_lowercase();
        let host = email.rsplit_once('@').map_or("", |(_, h)| h);
        allowed.iter().any(|entry| {
            if entry.contains('@') {
                *entry == email
            } else {
                host_within(host, entry)
            }
        })
    }

    /// The pages and domains where the app offers no fill or save.
    pub fn disabled_pages(&self) -> &[String] {
        self.list(PolicyKey::DisabledPages)
    }

    /// Whether `url` is one of [`Self::disabled_pages`].
    pub fn page_disabled(&self, url: &str) -> bool {
        let Some((host, path)) = host_and_path(url) else {
            return false;
        };
        self.disabled_pages()
            .iter()
            .any(|pattern| match pattern.find('/') {
                None => host_within(&host, pattern),
                Some(at) => host == pattern[..at] && glob(&pattern[at..], &path),
            })
    }
}

#[cfg(test)]
mod tests;
