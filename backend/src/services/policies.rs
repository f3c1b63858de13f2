//! Security policies of companies: reading and setting them, what they ask of a member, and the
//! checks other services make against them. The policies themselves (names, shapes, defaults,
//! tiers) are `shared_types::policy`, shared with the browser.
//!
//! Invariants:
//! - A `company_policy` row exists only for a policy set to something other than its default,
//!   and holds a value `PolicyValue::checked` accepted for it.
//! - A Standard company never gets an Advanced policy set away from its default; a company moved
//!   back to Standard keeps its rows, but [`PolicySet::in_effect`] ignores them.
//! - Every change is written with its entry in the company's access log, in one transaction,
//!   and every active member's browser is then told to sync (which fetches the policies).

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Statement,
};
use shared_types::org::{CompanyRole, Tier};
use shared_types::policy::{
    CompanyPolicies, MyPolicies, Obligation, PolicyKey, PolicySet, PolicyState, PolicyValue,
    UpdatePolicies, codes,
};
use shared_types::sharing::{EntryKind, ListEntry};
use shared_types::{AccountId, CompanyId, ContainerId, PartnerId};
use std::collections::{BTreeMap, HashSet};
use time::OffsetDateTime;

use super::accounts::now;
use super::notify::Notifier;
use super::orgs::access_log::{self, Action, Entry};
use super::orgs::{ACTIVE, company_role_of, tier_of};
use crate::entity::{account, company, company_member, company_policy, vault_container};
use crate::error::ApiError;

fn corrupt(what: &str) -> ApiError {
    ApiError::Internal(format!("unreadable stored {what}").into())
}

/// The company's tier.
pub async fn tier(db: &impl ConnectionTrait, company: CompanyId) -> Result<Tier, ApiError> {
    let name: String = company::Entity::find_by_id(company.0)
        .select_only()
        .column(company::Column::Tier)
        .into_tuple()
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    tier_of(&name).ok_or_else(|| corrupt("tier"))
}

/// Takes the company's row for the rest of `txn` (a write of the same value), so that two
/// changes of its policies (an Admin's and a template's) run one after the other, each from
/// what the other left.
pub async fn lock_company(txn: &impl ConnectionTrait, company: CompanyId) -> Result<(), ApiError> {
    let locked = txn
        .execute_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            "UPDATE company SET updated_at = updated_at WHERE id = $1",
            [company.0.into()],
        ))
        .await?;
    if locked.rows_affected() != 1 {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

/// The company's stored policy rows, as a set (unknown names, from a newer build, are left
/// out).
pub async fn stored(
    db: &impl ConnectionTrait,
    company: CompanyId,
) -> Result<(PolicySet, Vec<company_policy::Model>), ApiError> {
    let rows = company_policy::Entity::find()
        .filter(company_policy::Column::CompanyId.eq(company.0))
        .all(db)
        .await?;
    let mut set = PolicySet::default();
    for row in &rows {
        if let Some(key) = PolicyKey::of_name(&row.policy) {
            set.set(key, parse_value(&row.value)?);
        }
    }
    Ok((set, rows))
}

fn parse_value(json: &str) -> Result<PolicyValue, ApiError> {
    serde_json::from_str(json).map_err(|_| corrupt("policy value"))
}

/// Refuses a member who is not an Admin the company's pages when the company restricts portal
/// access (an Advanced policy). The admin views are Admin-only anyway; this closes the company
/// view members may otherwise read. Partner staff are not members and are not affected.
pub async fn check_portal(
    db: &impl ConnectionTrait,
    company: CompanyId,
    grant: &crate::authz::Grant,
) -> Result<(), ApiError> {
    let crate::authz::Grant::Member { role, .. } = grant else {
        return Ok(());
    };
    if *role == shared_types::org::CompanyRole::Admin {
        return Ok(());
    }
    let (set, _) = stored(db, company).await?;
    if set.in_effect(tier(db, company).await?).portal_restricted() {
        return Err(ApiError::Forbidden {
            code: codes::PORTAL_RESTRICTED,
            message: "Your company keeps its pages to its Admins (policy \"Restrict user portal access\").".into(),
        });
    }
    Ok(())
}

/// Every policy of the company with who last changed it, for its admins.
pub async fn company_policies(
    db: &impl ConnectionTrait,
    company: CompanyId,
) -> Result<CompanyPolicies, ApiError> {
    let tier = tier(db, company).await?;
    let (set, rows) = stored(db, company).await?;
    let policies = PolicyKey::ALL
        .into_iter()
        .map(|key| {
            let row = rows.iter().find(|r| r.policy == key.name());
            PolicyState {
                key,
                value: set.get(key),
                changed_at: row.map(|r| r.changed_at.unix_timestamp()),
                changed_by: row.map(|r| r.changed_by_email.clone()),
            }
        })
        .collect();
    Ok(CompanyPolicies {
        company,
        tier,
        policies,
        template: super::policy_templates::followed(db, company).await?,
    })
}

/// The company's policies once `changes` are made: each value checked, and Advanced ones
/// refused on a Standard company. Nothing is written.
pub fn with_changes(
    before: &PolicySet,
    tier: Tier,
    changes: Vec<(PolicyKey, PolicyValue)>,
) -> Result<PolicySet, ApiError> {
    let mut after = before.clone();
    for (key, value) in changes {
        let value = value.checked(key).map_err(ApiError::BadRequest)?;
        if tier == Tier::Standard
            && key.def().tier == Tier::Advanced
            && value != key.default_value()
        {
            return Err(ApiError::Forbidden {
                code: codes::NEEDS_ADVANCED,
                message: format!(
                    "\"{}\" is an Advanced policy; this company is on the Standard tier.",
                    key.def().title
                ),
            });
        }
        after.set(key, value);
    }
    Ok(after)
}

/// Who is changing a company's policies, for the rows and the log.
#[derive(Debug, Clone)]
pub struct Changer {
    /// The account.
    pub account: AccountId,
    /// Its address, kept on the rows it changes (filled in by the functions that write).
    pub email: String,
    /// Set when it acts as the company's partner staff.
    pub via_partner: Option<PartnerId>,
}

/// Writes the difference between `before` and `after` for `company`, one log entry per
/// changed policy (`how` says how it came about, e.g. from a template), in `txn`. Returns the
/// number of policies changed.
pub async fn write_changes(
    txn: &impl ConnectionTrait,
    company: CompanyId,
    (before, after): (&PolicySet, &PolicySet),
    by: &Changer,
    how: &str,
) -> Result<usize, ApiError> {
    let at = now();
    let mut changed = 0;
    for key in PolicyKey::ALL {
        let (old, new) = (before.get(key), after.get(key));
        if old == new {
            continue;
        }
        changed += 1;
        if new == key.default_value() {
            company_policy::Entity::delete_many()
                .filter(company_policy::Column::CompanyId.eq(company.0))
                .filter(company_policy::Column::Policy.eq(key.name()))
                .exec(txn)
                .await?;
        } else {
            let value = serde_json::to_string(&new)
                .map_err(|e| ApiError::Internal(e.to_string().into()))?;
            company_policy::Entity::insert(company_policy::ActiveModel {
                company_id: Set(company.0),
                policy: Set(key.name().to_owned()),
                value: Set(value),
                changed_at: Set(at),
                changed_by: Set(Some(by.account.0)),
                changed_by_email: Set(by.email.clone()),
            })
            .on_conflict(
                OnConflict::columns([
                    company_policy::Column::CompanyId,
                    company_policy::Column::Policy,
                ])
                .update_columns([
                    company_policy::Column::Value,
                    company_policy::Column::ChangedAt,
                    company_policy::Column::ChangedBy,
                    company_policy::Column::ChangedByEmail,
                ])
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
        }
        access_log::record(
            txn,
            Entry {
                company,
                actor: by.account,
                via_partner: by.via_partner,
                action: Action::PolicyChanged,
                target: None,
                detail: format!(
                    "{}: {} → {}{how}",
                    key.def().title,
                    old.describe(),
                    new.describe()
                ),
            },
        )
        .await?;
    }
    Ok(changed)
}

/// The accounts of the company's active members.
pub async fn member_accounts(
    db: &impl ConnectionTrait,
    company: CompanyId,
) -> Result<Vec<AccountId>, ApiError> {
    let ids: Vec<Option<uuid::Uuid>> = company_member::Entity::find()
        .select_only()
        .column(company_member::Column::AccountId)
        .filter(company_member::Column::CompanyId.eq(company.0))
        .filter(company_member::Column::Status.eq(ACTIVE))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().flatten().map(AccountId).collect())
}

/// Tells the browsers of the company's active members to read their policies again (after
/// something that changes what is in effect: the tier, the company's domains).
pub async fn tell_members(
    state: &crate::state::AppState,
    company: CompanyId,
) -> Result<(), ApiError> {
    let members = member_accounts(&state.db, company).await?;
    state.notifier.accounts_changed(&state.db, &members).await;
    Ok(())
}

/// Sets some of a company's policies, all or none, and tells its members' browsers.
pub async fn update(
    db: &DatabaseConnection,
    notifier: &Notifier,
    (company, by): (CompanyId, Changer),
    req: UpdatePolicies,
) -> Result<CompanyPolicies, ApiError> {
    let (txn, email) = super::orgs::begin_as(db, by.account).await?;
    let by = Changer { email, ..by };
    lock_company(&txn, company).await?;
    let tier = tier(&txn, company).await?;
    let (before, _) = stored(&txn, company).await?;
    let after = with_changes(
        &before,
        tier,
        req.changes.into_iter().map(|c| (c.key, c.value)).collect(),
    )?;
    // A member cannot lift a requirement they have not met themselves (their password alone
    // must not be enough to turn two-factor authentication off for everyone).
    if before.two_factor_required()
        && !after.two_factor_required()
        && mine(&txn, by.account)
            .await?
            .obligations
            .contains(&Obligation::SetUpTwoFactor)
    {
        return Err(ApiError::Forbidden {
            code: codes::TWO_FACTOR_REQUIRED,
            message: "Set up two-factor authentication for yourself before turning the \
                      requirement off."
                .into(),
        });
    }
    let changed = write_changes(&txn, company, (&before, &after), &by, "").await?;
    let view = company_policies(&txn, company).await?;
    txn.commit().await?;
    if changed > 0 {
        let members = member_accounts(db, company).await?;
        notifier.accounts_changed(db, &members).await;
    }
    Ok(view)
}

/// What the policies ask of one member right now.
#[derive(Debug, Clone, Default)]
struct Standing {
    company: Option<(CompanyId, Tier, CompanyRole)>,
    two_factor_on: bool,
    password_set_at: Option<OffsetDateTime>,
    /// The company's domains (JSON), for members.
    domains: Option<String>,
}

/// The caller's company, tier, role and domains, whether their 2FA is on, and when their master
/// password was last set: one query.
async fn standing(db: &impl ConnectionTrait, account: AccountId) -> Result<Standing, ApiError> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT m.company_id, c.tier, m.role, t.enabled_at, a.password_changed_at, \
                    a.created_at, c.domains \
             FROM account a \
             LEFT JOIN company_member m ON m.account_id = a.id AND m.status = 'active' \
             LEFT JOIN company c ON c.id = m.company_id \
             LEFT JOIN two_factor t ON t.account_id = a.id \
             WHERE a.id = $1",
            [account.0.into()],
        ))
        .await?;
    let Some(row) = row else {
        return Ok(Standing::default());
    };
    let company: Option<uuid::Uuid> = row.try_get_by_index(0)?;
    let tier: Option<String> = row.try_get_by_index(1)?;
    let role: Option<String> = row.try_get_by_index(2)?;
    let enabled: Option<OffsetDateTime> = row.try_get_by_index(3)?;
    let changed: Option<OffsetDateTime> = row.try_get_by_index(4)?;
    let created: OffsetDateTime = row.try_get_by_index(5)?;
    let domains: Option<String> = row.try_get_by_index(6)?;
    let company = match (company, tier, role) {
        (Some(id), Some(tier), Some(role)) => Some((
            CompanyId(id),
            tier_of(&tier).ok_or_else(|| corrupt("tier"))?,
            company_role_of(&role).ok_or_else(|| corrupt("role"))?,
        )),
        _ => None,
    };
    Ok(Standing {
        company,
        two_factor_on: enabled.is_some(),
        password_set_at: Some(changed.unwrap_or(created)),
        domains,
    })
}

/// The policies in effect for `account`, and what they ask of it now.
pub async fn mine(db: &impl ConnectionTrait, account: AccountId) -> Result<MyPolicies, ApiError> {
    let standing = standing(db, account).await?;
    let Some((company, tier, role)) = standing.company else {
        return Ok(MyPolicies::default());
    };
    let (set, rows) = stored(db, company).await?;
    let policies = set.in_effect(tier);
    // A new or shortened interval counts from when it was set, so nobody is locked out the
    // moment it is turned on.
    let interval_set_at = (rows.iter())
        .find(|r| r.policy == PolicyKey::MasterPasswordChange.name())
        .map(|r| r.changed_at);
    let company_domains = match &standing.domains {
        Some(json) => super::orgs::companies::domains_of(json)?,
        None => Vec::new(),
    };
    let due = match (policies.password_max_age_days(), standing.password_set_at) {
        (Some(days), Some(set_at)) => {
            let from = interval_set_at.map_or(set_at, |policy_at| policy_at.max(set_at));
            Some(from + time::Duration::days(i64::from(days)))
        }
        _ => None,
    };
    let mut obligations = Vec::new();
    if policies.two_factor_required() && !standing.two_factor_on {
        obligations.push(Obligation::SetUpTwoFactor);
    }
    if due.is_some_and(|due| due <= now()) {
        obligations.push(Obligation::ChangeMasterPassword);
    }
    let admin = role == CompanyRole::Admin;
    Ok(MyPolicies {
        company: Some(company),
        admin,
        policies,
        obligations,
        password_change_due: due.map(OffsetDateTime::unix_timestamp),
        company_domains,
        // Nobody (no Admin, no template) ever set one: the company's Admins are asked to review
        // the recommended ones (journey 2).
        review_pending: admin && rows.is_empty(),
    })
}

/// Refuses, with a clear code, a caller who owes their company a policy obligation: routes
/// that serve or change vault data call this before anything else.
pub async fn check_obligations(
    db: &impl ConnectionTrait,
    account: AccountId,
) -> Result<(), ApiError> {
    let mine = mine(db, account).await?;
    match mine.obligations.first() {
        None => Ok(()),
        Some(Obligation::SetUpTwoFactor) => Err(ApiError::Forbidden {
            code: codes::TWO_FACTOR_REQUIRED,
            message: "Your company requires two-factor authentication. Set it up in Settings \
                      to open your vault."
                .into(),
        }),
        Some(Obligation::ChangeMasterPassword) => Err(ApiError::Forbidden {
            code: codes::PASSWORD_CHANGE_REQUIRED,
            message: "Your company requires a new master password. Change it in Settings to \
                      open your vault."
                .into(),
        }),
    }
}

fn sharing_disabled() -> ApiError {
    ApiError::Forbidden {
        code: codes::SHARING_DISABLED,
        message: "Your company has disabled sharing: no new shared folders or recipients.".into(),
    }
}

/// Refuses a new share, or new recipients of a share, that the company of the sharer or of the
/// share's owner does not allow: none at all when it disabled sharing, and only listed domains
/// and addresses when it restricts recipients. `new` are the list entries being added (all of
/// them for a new share), `invitee_emails` the addresses of invitees by id. Groups are the
/// company's own and pass. Call it after the list itself was checked. The refusal names only
/// addresses the caller gave (invitees), never those of accounts it named by id.
pub async fn check_new_recipients(
    db: &impl ConnectionTrait,
    (sharer, owner): (AccountId, AccountId),
    (creating, new): (bool, &[ListEntry]),
    invitee_emails: &BTreeMap<uuid::Uuid, String>,
) -> Result<(), ApiError> {
    let others: BTreeMap<uuid::Uuid, &ListEntry> = (new.iter())
        .filter(|e| e.id != sharer.0 && e.id != owner.0)
        .map(|e| (e.id, e))
        .collect();
    if !creating && others.is_empty() {
        return Ok(());
    }
    let mut whose = vec![sharer];
    if owner != sharer {
        whose.push(owner);
    }
    for account in whose {
        let policies = mine(db, account).await?.policies;
        if policies.sharing_disabled() {
            return Err(sharing_disabled());
        }
        if policies.share_recipients().is_empty() {
            continue;
        }
        let accounts: Vec<uuid::Uuid> = (others.values())
            .filter(|e| e.kind == EntryKind::Account)
            .map(|e| e.id)
            .collect();
        let emails: Vec<String> = account::Entity::find()
            .select_only()
            .column(account::Column::Email)
            .filter(account::Column::Id.is_in(accounts.clone()))
            .into_tuple()
            .all(db)
            .await?;
        // An account not found is outside the list too.
        let accounts_refused = accounts.len() - emails.len()
            + emails
                .iter()
                .filter(|e| !policies.may_share_with(e))
                .count();
        // An invitee whose address the server was not given cannot be checked: refused.
        let invitees_refused: Vec<String> = (others.values())
            .filter(|e| e.kind == EntryKind::Invitee)
            .map(|e| invitee_emails.get(&e.id).cloned().unwrap_or_default())
            .filter(|email| !policies.may_share_with(email))
            .collect();
        if accounts_refused == 0 && invitees_refused.is_empty() {
            continue;
        }
        let mut outside: Vec<String> = invitees_refused
            .into_iter()
            .map(|e| {
                if e.is_empty() {
                    "an invitee".to_owned()
                } else {
                    e
                }
            })
            .collect();
        match accounts_refused {
            0 => {}
            1 => outside.push("1 person on the list".to_owned()),
            n => outside.push(format!("{n} people on the list")),
        }
        return Err(ApiError::Forbidden {
            code: codes::RECIPIENT_NOT_ALLOWED,
            message: format!(
                "{} lets shares go only to {}; not to {}.",
                if account == sharer {
                    "Your company"
                } else {
                    "The share owner's company"
                },
                policies.share_recipients().join(", "),
                outside.join(", ")
            ),
        });
    }
    Ok(())
}

/// The shares `account` may no longer change because its company disabled sharing: every
/// container of `readable` that is a share (none when sharing is allowed). Asked only when the
/// account reads a container besides its two profiles.
pub async fn read_only_shares(
    db: &impl ConnectionTrait,
    account: AccountId,
    readable: impl Iterator<Item = ContainerId>,
) -> Result<HashSet<ContainerId>, ApiError> {
    let ids: Vec<uuid::Uuid> = readable.map(|c| c.0).collect();
    if ids.len() <= 2 || !mine(db, account).await?.policies.sharing_disabled() {
        return Ok(HashSet::new());
    }
    let shares: Vec<uuid::Uuid> = vault_container::Entity::find()
        .select_only()
        .column(vault_container::Column::Id)
        .filter(vault_container::Column::Id.is_in(ids))
        .filter(vault_container::Column::Kind.eq("share"))
        .into_tuple()
        .all(db)
        .await?;
    Ok(shares.into_iter().map(ContainerId).collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use shared_types::policy::ExportLimit;

    #[test]
    fn advanced_policies_are_refused_on_standard_unless_set_to_their_default() {
        let before = PolicySet::default();
        let refused = with_changes(
            &before,
            Tier::Standard,
            vec![(PolicyKey::RestrictPortalAccess, PolicyValue::Switch(true))],
        );
        assert!(matches!(
            refused,
            Err(ApiError::Forbidden { code, .. }) if code == codes::NEEDS_ADVANCED
        ));
        let back = with_changes(
            &before,
            Tier::Standard,
            vec![(PolicyKey::RestrictPortalAccess, PolicyValue::Switch(false))],
        );
        assert_eq!(back.unwrap(), before);
        assert!(
            with_changes(
                &before,
                Tier::Advanced,
                vec![(PolicyKey::RestrictPortalAccess, PolicyValue::Switch(true))],
            )
            .unwrap()
            .portal_restricted()
        );
    }

    #[test]
    fn a_bad_value_refuses_the_whole_change() {
        let refused = with_changes(
            &PolicySet::default(),
            Tier::Advanced,
            vec![
                (
                    PolicyKey::DisableExports,
                    PolicyValue::Exports(ExportLimit::NoProfiles),
                ),
                (PolicyKey::TwoFactor, PolicyValue::EveryDays(Some(3))),
            ],
        );
        assert!(matches!(
            refused,
            Err(ApiError::BadRequest(message)) if message.contains("Two-factor")
        ));
    }
}
