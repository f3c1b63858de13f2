//! A partner's policy templates: named sets of policies applied to many companies at once, and
//! the drift report of companies whose policies no longer match the template they follow.
//!
//! Invariants:
//! - What a template asks of a company ([`plan`]) is the one rule behind the preview, the
//!   application, the drift report and the reconciliation: the template's values, except the
//!   Advanced ones on a Standard company, which keep the company's own (reported as skipped).
//! - Only the partner's own companies and templates are ever read or written: a foreign id is
//!   "not found".

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use shared_types::org::Tier;
use shared_types::policy::{
    CompanyPlan, PolicyDiff, PolicyKey, PolicySet, PolicyTemplate, SaveTemplate, TemplateRef,
};
use shared_types::{CompanyId, PartnerId, PolicyTemplateId};
use uuid::Uuid;

use super::accounts::now;
use super::notify::Notifier;
use super::orgs::{clean_name, tier_of};
use super::policies::{self, Changer};
use crate::entity::{company, company_policy_template, policy_template};
use crate::error::ApiError;
use crate::services::orgs::partners::is_unique_violation;

/// The longest template name.
const NAME_MAX: usize = 100;

fn corrupt(what: &str) -> ApiError {
    ApiError::Internal(format!("unreadable stored {what}").into())
}

fn parse_set(json: &str) -> Result<PolicySet, ApiError> {
    serde_json::from_str(json).map_err(|_| corrupt("policy template"))
}

/// The template `company` follows, if any.
pub async fn followed(
    db: &impl ConnectionTrait,
    company: CompanyId,
) -> Result<Option<TemplateRef>, ApiError> {
    let Some(link) = company_policy_template::Entity::find_by_id(company.0)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(policy_template::Entity::find_by_id(link.template_id)
        .one(db)
        .await?
        .map(|t| TemplateRef {
            id: PolicyTemplateId(t.id),
            name: t.name,
        }))
}

async fn template_of(
    db: &impl ConnectionTrait,
    partner: PartnerId,
    id: PolicyTemplateId,
) -> Result<policy_template::Model, ApiError> {
    policy_template::Entity::find_by_id(id.0)
        .filter(policy_template::Column::PartnerId.eq(partner.0))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn view(
    db: &impl ConnectionTrait,
    row: policy_template::Model,
) -> Result<PolicyTemplate, ApiError> {
    let companies = company_policy_template::Entity::find()
        .filter(company_policy_template::Column::TemplateId.eq(row.id))
        .count(db)
        .await?;
    Ok(PolicyTemplate {
        id: PolicyTemplateId(row.id),
        policies: parse_set(&row.policies)?,
        name: row.name,
        companies: u32::try_from(companies).unwrap_or(u32::MAX),
    })
}

/// The partner's templates, by name.
pub async fn list(
    db: &impl ConnectionTrait,
    partner: PartnerId,
) -> Result<Vec<PolicyTemplate>, ApiError> {
    let rows = policy_template::Entity::find()
        .filter(policy_template::Column::PartnerId.eq(partner.0))
        .order_by_asc(policy_template::Column::NameKey)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(view(db, row).await?);
    }
    Ok(out)
}

/// The name and values of a template to store: each value checked (Advanced ones are allowed:
/// they apply to Advanced companies).
fn cleaned(req: SaveTemplate) -> Result<(String, String), ApiError> {
    let name = clean_name(&req.name, "template's name")?;
    if name.chars().count() > NAME_MAX {
        return Err(ApiError::BadRequest(format!(
            "The template's name is too long: at most {NAME_MAX} characters."
        )));
    }
    let changes = req
        .policies
        .changed()
        .map(|(k, v)| (k, v.clone()))
        .collect();
    let set = policies::with_changes(&PolicySet::default(), Tier::Advanced, changes)?;
    let json = serde_json::to_string(&set).map_err(|e| ApiError::Internal(e.to_string().into()))?;
    Ok((name, json))
}

fn name_taken() -> ApiError {
    ApiError::Conflict {
        code: shared_types::policy::codes::TEMPLATE_NAME_TAKEN,
        message: "A template of that name exists already.".into(),
    }
}

/// Makes a template.
pub async fn create(
    db: &DatabaseConnection,
    partner: PartnerId,
    req: SaveTemplate,
) -> Result<PolicyTemplate, ApiError> {
    let (name, json) = cleaned(req)?;
    let at = now();
    let model = policy_template::Model {
        id: Uuid::now_v7(),
        partner_id: partner.0,
        name_key: name.to_lowercase(),
        name,
        policies: json,
        created_at: at,
        updated_at: at,
    };
    let inserted =
        policy_template::Entity::insert(policy_template::ActiveModel::from(model.clone()))
            .exec_without_returning(db)
            .await;
    match inserted {
        Err(err) if is_unique_violation(&err) => return Err(name_taken()),
        other => other?,
    };
    view(db, model).await
}

/// Renames a template and replaces its values. Companies that follow it are not changed: the
/// drift report then shows where they differ.
pub async fn update(
    db: &DatabaseConnection,
    partner: PartnerId,
    id: PolicyTemplateId,
    req: SaveTemplate,
) -> Result<PolicyTemplate, ApiError> {
    template_of(db, partner, id).await?;
    let (name, json) = cleaned(req)?;
    let updated = policy_template::Entity::update_many()
        .col_expr(
            policy_template::Column::NameKey,
            Expr::value(name.to_lowercase()),
        )
        .col_expr(policy_template::Column::Name, Expr::value(name))
        .col_expr(policy_template::Column::Policies, Expr::value(json))
        .col_expr(policy_template::Column::UpdatedAt, Expr::value(now()))
        .filter(policy_template::Column::Id.eq(id.0))
        .exec(db)
        .await;
    match updated {
        Err(err) if is_unique_violation(&err) => return Err(name_taken()),
        other => other?,
    };
    view(db, template_of(db, partner, id).await?).await
}

/// Deletes a template; its companies keep their policies and follow no template.
pub async fn delete(
    db: &DatabaseConnection,
    partner: PartnerId,
    id: PolicyTemplateId,
) -> Result<(), ApiError> {
    template_of(db, partner, id).await?;
    policy_template::Entity::delete_by_id(id.0).exec(db).await?;
    Ok(())
}

/// What `template` asks of a company of `tier` whose policies are `current`: the policies to
/// set, and the Advanced ones left alone on Standard.
pub fn plan(current: &PolicySet, tier: Tier, template: &PolicySet) -> (PolicySet, Vec<PolicyKey>) {
    let mut target = current.clone();
    let mut skipped = Vec::new();
    for key in PolicyKey::ALL {
        let wanted = template.get(key);
        if tier == Tier::Standard && key.def().tier == Tier::Advanced {
            if wanted != key.default_value() {
                skipped.push(key);
            }
            continue;
        }
        target.set(key, wanted);
    }
    (target, skipped)
}

fn differences(current: &PolicySet, target: &PolicySet) -> Vec<PolicyDiff> {
    PolicyKey::ALL
        .into_iter()
        .filter(|k| current.get(*k) != target.get(*k))
        .map(|key| PolicyDiff {
            key,
            company: current.get(key),
            template: target.get(key),
        })
        .collect()
}

/// A company of the partner, with its tier.
async fn company_of(
    db: &impl ConnectionTrait,
    partner: PartnerId,
    id: CompanyId,
) -> Result<(company::Model, Tier), ApiError> {
    let row = company::Entity::find_by_id(id.0)
        .filter(company::Column::PartnerId.eq(partner.0))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let tier = tier_of(&row.tier).ok_or_else(|| corrupt("tier"))?;
    Ok((row, tier))
}

fn selection(companies: &[CompanyId]) -> Result<Vec<CompanyId>, ApiError> {
    let mut out = companies.to_vec();
    out.sort_by_key(|c| c.0);
    out.dedup();
    if out.is_empty() {
        return Err(ApiError::BadRequest("Choose at least one company.".into()));
    }
    if out.len() > 1000 {
        return Err(ApiError::BadRequest(
            "Choose at most 1,000 companies at once.".into(),
        ));
    }
    Ok(out)
}

/// What applying the template to each company would change. Nothing is written.
pub async fn preview(
    db: &impl ConnectionTrait,
    partner: PartnerId,
    id: PolicyTemplateId,
    companies: &[CompanyId],
) -> Result<Vec<CompanyPlan>, ApiError> {
    let row = template_of(db, partner, id).await?;
    let template = parse_set(&row.policies)?;
    let reference = TemplateRef { id, name: row.name };
    let mut out = Vec::new();
    for company in selection(companies)? {
        let (found, tier) = company_of(db, partner, company).await?;
        let (current, _) = policies::stored(db, company).await?;
        let (target, skipped) = plan(&current, tier, &template);
        out.push(CompanyPlan {
            company,
            name: found.name,
            tier,
            template: reference.clone(),
            changes: differences(&current, &target),
            skipped,
        });
    }
    Ok(out)
}

/// Applies the template to each company, all or none: their policies become the template's
/// (as [`plan`] says) and they follow it from now on. Each company's log records each change.
pub async fn apply(
    db: &DatabaseConnection,
    notifier: &Notifier,
    (partner, by): (PartnerId, Changer),
    id: PolicyTemplateId,
    companies: &[CompanyId],
) -> Result<Vec<CompanyPlan>, ApiError> {
    let (txn, email) = super::orgs::begin_as(db, by.account).await?;
    let by = Changer { email, ..by };
    let plans = preview(&txn, partner, id, companies).await?;
    let template = parse_set(&template_of(&txn, partner, id).await?.policies)?;
    let at = now();
    let how = format!(
        " (template \"{}\")",
        plans.first().map_or("", |p| &p.template.name)
    );
    let mut touched = Vec::new();
    for p in &plans {
        policies::lock_company(&txn, p.company).await?;
        let (current, _) = policies::stored(&txn, p.company).await?;
        let (target, _) = plan(&current, p.tier, &template);
        if policies::write_changes(&txn, p.company, (&current, &target), &by, &how).await? > 0 {
            touched.push(p.company);
        }
        company_policy_template::Entity::insert(company_policy_template::ActiveModel {
            company_id: Set(p.company.0),
            template_id: Set(id.0),
            applied_at: Set(at),
        })
        .on_conflict(
            OnConflict::column(company_policy_template::Column::CompanyId)
                .update_columns([
                    company_policy_template::Column::TemplateId,
                    company_policy_template::Column::AppliedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    for company in touched {
        let members = policies::member_accounts(db, company).await?;
        notifier.accounts_changed(db, &members).await;
    }
    Ok(plans)
}

/// Every company of the partner whose policies differ from the template it follows, with the
/// differences.
pub async fn drift(
    db: &impl ConnectionTrait,
    partner: PartnerId,
) -> Result<Vec<CompanyPlan>, ApiError> {
    let links = company_policy_template::Entity::find()
        .inner_join(company::Entity)
        .filter(company::Column::PartnerId.eq(partner.0))
        .order_by_asc(company::Column::NameKey)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for link in links {
        let row = template_of(db, partner, PolicyTemplateId(link.template_id)).await?;
        let template = parse_set(&row.policies)?;
        let company = CompanyId(link.company_id);
        let (found, tier) = company_of(db, partner, company).await?;
        let (current, _) = policies::stored(db, company).await?;
        let (target, skipped) = plan(&current, tier, &template);
        let changes = differences(&current, &target);
        if !changes.is_empty() {
            out.push(CompanyPlan {
                company,
                name: found.name,
                tier,
                template: TemplateRef {
                    id: PolicyTemplateId(row.id),
                    name: row.name,
                },
                changes,
                skipped,
            });
        }
    }
    Ok(out)
}

/// Applies again, to each company, the template it follows (a company that follows none is
/// "not found"): one transaction per template, so companies of one template are reconciled
/// together or not at all. Returns what changed.
pub async fn reconcile(
    db: &DatabaseConnection,
    notifier: &Notifier,
    (partner, by): (PartnerId, Changer),
    companies: &[CompanyId],
) -> Result<Vec<CompanyPlan>, ApiError> {
    let mut by_template: Vec<(PolicyTemplateId, Vec<CompanyId>)> = Vec::new();
    for company in selection(companies)? {
        company_of(db, partner, company).await?;
        let template = followed(db, company).await?.ok_or(ApiError::NotFound)?;
        match by_template.iter_mut().find(|(t, _)| *t == template.id) {
            Some((_, list)) => list.push(company),
            None => by_template.push((template.id, vec![company])),
        }
    }
    let mut out = Vec::new();
    for (template, list) in by_template {
        out.extend(apply(db, notifier, (partner, by.clone()), template, &list).await?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared_types::policy::PolicyValue;

    #[test]
    fn a_plan_leaves_advanced_policies_of_standard_companies_alone() {
        let mut template = PolicySet::default();
        template.set(PolicyKey::TwoFactor, PolicyValue::Switch(true));
        template.set(PolicyKey::PasswordAuditing, PolicyValue::Switch(true));
        let mut current = PolicySet::default();
        current.set(PolicyKey::DisableSharing, PolicyValue::Switch(true));
        let (target, skipped) = plan(&current, Tier::Standard, &template);
        assert!(target.two_factor_required());
        assert!(!target.sharing_disabled(), "the template's default wins");
        assert_eq!(
            target.get(PolicyKey::PasswordAuditing),
            PolicyValue::Switch(false)
        );
        assert_eq!(skipped, vec![PolicyKey::PasswordAuditing]);
        let (target, skipped) = plan(&current, Tier::Advanced, &template);
        assert_eq!(target, template);
        assert!(skipped.is_empty());
        assert_eq!(differences(&target, &template), vec![]);
        assert_eq!(differences(&current, &template).len(), 3);
    }
}
