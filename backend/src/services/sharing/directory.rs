//! A company's directory key on the server: only its wrappings, one per member, each made and
//! signed in an Admin's browser. The key seals the names of the company's groups.
//!
//! Invariants:
//! - A wrapping goes only to an active member of the company with published keys, from one of
//!   its own Admins, signed with that Admin's published keys and bound to the company; each
//!   member has at most one.
//! - The first wrapping of a company (the key is made) includes the Admin's own; after that,
//!   only an Admin who holds the key hands it on.
//! - Someone who leaves the company loses their wrapping (`on_member_removed`).

use std::collections::BTreeSet;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QuerySelect,
};
use shared_types::org::CompanyRole;
use shared_types::sharing::{DirectoryState, EntryKind, GrantRequest, KeyWrapping};
use shared_types::{AccountId, Base64Bytes, CompanyId};
use uuid::Uuid;
use wasm_crypto::{HpkeBinding, HpkeWrappedKey, Purpose, Signature, Statement, VerifyingKey};

use super::shares::bad;
use super::{company_key, keys};
use crate::entity::{company_directory_wrapping as wrapping, company_member};
use crate::error::ApiError;
use crate::services::accounts::now;
use crate::services::orgs::{ACTIVE, begin_as, company_role_of};
use crate::state::AppState;

/// The active members of `company` with their role.
pub(super) async fn members(
    db: &impl ConnectionTrait,
    company: CompanyId,
) -> Result<Vec<(Uuid, Option<CompanyRole>)>, ApiError> {
    let rows: Vec<(Option<Uuid>, String)> = company_member::Entity::find()
        .select_only()
        .column(company_member::Column::AccountId)
        .column(company_member::Column::Role)
        .filter(company_member::Column::CompanyId.eq(company.0))
        .filter(company_member::Column::Status.eq(ACTIVE))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(account, role)| Some((account?, company_role_of(&role))))
        .collect())
}

fn view(row: wrapping::Model) -> KeyWrapping {
    KeyWrapping {
        recipient: row.account_id,
        recipient_kind: EntryKind::Account,
        recipient_generation: 0,
        generation: 1,
        sender: AccountId(row.sender_id),
        wrapped: Base64Bytes(row.wrapped),
        signature: Base64Bytes(row.signature),
    }
}

/// `GET /api/directory`.
pub async fn state(
    db: &impl ConnectionTrait,
    caller: AccountId,
) -> Result<DirectoryState, ApiError> {
    let mine: Option<(Uuid, String)> = company_member::Entity::find()
        .select_only()
        .column(company_member::Column::CompanyId)
        .column(company_member::Column::Role)
        .filter(company_member::Column::AccountId.eq(caller.0))
        .filter(company_member::Column::Status.eq(ACTIVE))
        .into_tuple()
        .one(db)
        .await?;
    let Some((company, role)) = mine else {
        return Ok(DirectoryState::default());
    };
    let company = CompanyId(company);
    let admin = company_role_of(&role) == Some(CompanyRole::Admin);
    let held = wrapping::Entity::find()
        .filter(wrapping::Column::CompanyId.eq(company.0))
        .all(db)
        .await?;
    let holders: BTreeSet<Uuid> = held.iter().map(|w| w.account_id).collect();
    let exists = !held.is_empty();
    let mine = held
        .into_iter()
        .find(|w| w.account_id == caller.0)
        .map(view);
    let mut waiting = Vec::new();
    if admin {
        let without: Vec<Uuid> = (members(db, company).await?.into_iter())
            .map(|(account, _)| account)
            .filter(|account| !holders.contains(account))
            .collect();
        waiting.extend(keys::current_of(db, without).await?.into_values());
    }
    let mut out = DirectoryState {
        company: Some(company),
        admin,
        exists,
        mine,
        waiting,
        ..DirectoryState::default()
    };
    company_key::fill(db, company, caller, &mut out).await?;
    Ok(out)
}

/// `POST /api/companies/{company_id}/directory/wrappings`, by one of the company's own Admins.
pub async fn grant(
    state: &AppState,
    company: CompanyId,
    caller: AccountId,
    req: GrantRequest,
) -> Result<(), ApiError> {
    let (txn, _) = begin_as(&state.db, caller).await?;
    let holders: BTreeSet<Uuid> = wrapping::Entity::find()
        .select_only()
        .column(wrapping::Column::AccountId)
        .filter(wrapping::Column::CompanyId.eq(company.0))
        .into_tuple::<Uuid>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let first = holders.is_empty();
    if first && !req.wrappings.iter().any(|w| w.recipient == caller.0) {
        return Err(bad("Wrap the company's new directory key to yourself too."));
    }
    if !first && !holders.contains(&caller.0) {
        return Err(ApiError::Conflict {
            code: "directory_key_exists",
            message: "This company already has a directory key; an Admin who holds it hands it on."
                .into(),
        });
    }
    let members: BTreeSet<Uuid> = members(&txn, company)
        .await?
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    let published = keys::current(&txn, caller.0)
        .await?
        .ok_or_else(|| bad("Publish your keys first: sign in again."))?;
    let verifying = VerifyingKey::from_bytes(&published.verifying_key.0)
        .map_err(|_| ApiError::Internal("a stored verifying key does not parse".into()))?;
    let mut seen = BTreeSet::new();
    let mut rows = Vec::with_capacity(req.wrappings.len());
    for w in req.wrappings {
        if w.sender != caller || w.recipient_kind != EntryKind::Account {
            return Err(bad(
                "A wrapping is sent by the Admin who made it, to a person.",
            ));
        }
        if !members.contains(&w.recipient) || !seen.insert(w.recipient) {
            return Err(bad(
                "The directory key goes to each member of the company once.",
            ));
        }
        if holders.contains(&w.recipient) {
            return Err(bad("That person already has the directory key."));
        }
        if keys::current(&txn, w.recipient).await?.is_none() {
            return Err(bad("That person has not published keys yet."));
        }
        check_signed(
            &verifying,
            (Purpose::CompanyDirectoryKey, company),
            caller,
            &w,
        )?;
        rows.push(wrapping::ActiveModel {
            company_id: Set(company.0),
            account_id: Set(w.recipient),
            sender_id: Set(caller.0),
            wrapped: Set(w.wrapped.0),
            signature: Set(w.signature.0),
            created_at: Set(now()),
        });
    }
    if !rows.is_empty() {
        wrapping::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    let told: Vec<AccountId> = seen.into_iter().map(AccountId).collect();
    state.notifier.accounts_changed(&state.db, &told).await;
    Ok(())
}

/// Checks that `w` (a key of `purpose` for `company`) is signed by `caller`'s `verifying` key.
pub(super) fn check_signed(
    verifying: &VerifyingKey,
    (purpose, company): (Purpose, CompanyId),
    caller: AccountId,
    w: &KeyWrapping,
) -> Result<(), ApiError> {
    let wrapped = HpkeWrappedKey::from_bytes(w.wrapped.0.clone())
        .map_err(|_| bad("A wrapped key is malformed."))?;
    let signature = Signature::from_bytes(w.signature.0.clone())
        .map_err(|_| bad("A wrapping's signature is malformed."))?;
    let binding = HpkeBinding {
        purpose,
        object_id: company.0,
        sender_id: caller.0,
        recipient_id: w.recipient,
    };
    verifying
        .verify(
            &Statement::Wrapping {
                binding: &binding,
                wrapped: &wrapped,
            },
            &signature,
        )
        .map_err(|_| bad("A wrapping is not signed with your published keys."))
}

/// Takes the directory key away from someone who left the company, in the removal's
/// transaction.
pub async fn on_member_removed(
    txn: &DatabaseTransaction,
    company: CompanyId,
    account: AccountId,
) -> Result<(), ApiError> {
    wrapping::Entity::delete_many()
        .filter(wrapping::Column::CompanyId.eq(company.0))
        .filter(wrapping::Column::AccountId.eq(account.0))
        .exec(txn)
        .await?;
    Ok(())
}
