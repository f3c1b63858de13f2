//! A share's key after someone lost access, its name, and grants completed later.
//!
//! Invariants:
//! - A re-key is one manager's browser's work at a time: it takes a 10-minute lease first. The
//!   lease only saves duplicate work; what guards the key is the compare-and-set on the share's
//!   generation and list epoch when the new generation is stored.
//! - A new generation is stored only with a list at the next epoch that names it (a new
//!   generation id, one above the current), signed by the caller, and with the new key wrapped
//!   to every account that has access now (directly, or to a group it reads through): nobody
//!   keeps access without the new key, and nobody gains it.
//! - The previous generations' wrappings stay until the re-keying browser says every record
//!   is sealed under the new key (`done`); then they are deleted and `rekey_pending` cleared.
//! - A pending grant (a recipient on the list without a wrapping) completes when a manager's
//!   browser sends the current key wrapped to them.
//! - A new name is stored only at the next name version.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use shared_types::sharing::{
    EntryKind, GrantRequest, NewGenerationRequest, RekeyClaim, RenameShareRequest,
};
use shared_types::{AccountId, ContainerId, GroupId, ShareId};
use time::Duration;
use uuid::Uuid;

use super::groups;
use super::lists::{Expected, check_share_list, check_wrappings};
use super::shares::{
    bad, current_list, epoch_of, live_share, refresh, store_list, store_wrappings, stored,
};
use crate::entity::{share, share_key_wrapping as wrapping, share_principal, vault_container};
use crate::error::ApiError;
use crate::services::access;
use crate::services::accounts::now;
use crate::services::orgs::begin_as;
use crate::state::AppState;

/// How long a re-keying browser holds the share.
const LEASE: Duration = Duration::minutes(10);

fn changed_meanwhile(code: &'static str) -> ApiError {
    ApiError::Conflict {
        code,
        message: "Someone else changed this share meanwhile. Reload and try again.".into(),
    }
}

/// `PUT /api/shares/{share_id}/name`, by a manager.
pub async fn rename(
    state: &AppState,
    id: ShareId,
    caller: AccountId,
    req: RenameShareRequest,
) -> Result<(), ApiError> {
    if req.sealed_name.0.len() > 1024 || req.sealed_name.0.len() < 30 {
        return Err(bad("The share's name must be sealed, and short."));
    }
    let (txn, _) = begin_as(&state.db, caller).await?;
    let found = live_share(&txn, id).await?;
    let moved = share::Entity::update_many()
        .col_expr(share::Column::SealedName, Expr::value(req.sealed_name.0))
        .col_expr(share::Column::NameVersion, Expr::value(req.name_version))
        .filter(share::Column::Id.eq(id.0))
        .filter(share::Column::NameVersion.eq(req.name_version - 1))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 || req.name_version != found.name_version + 1 {
        return Err(changed_meanwhile("name_changed"));
    }
    txn.commit().await?;
    let readers = readers(&state.db, id).await?;
    state.notifier.accounts_changed(&state.db, &readers).await;
    Ok(())
}

async fn readers(db: &impl ConnectionTrait, id: ShareId) -> Result<Vec<AccountId>, ApiError> {
    let container = ContainerId(id.0);
    Ok(access::readers(db, [container])
        .await?
        .remove(&container)
        .unwrap_or_default())
}

/// `POST /api/shares/{share_id}/wrappings`: completes pending grants, by a manager.
pub async fn grant(
    state: &AppState,
    id: ShareId,
    caller: AccountId,
    req: GrantRequest,
) -> Result<(), ApiError> {
    let (txn, _) = begin_as(&state.db, caller).await?;
    let found = live_share(&txn, id).await?;
    let list = current_list(&txn, id, found.list_epoch).await?;
    let wrappings = check_wrappings(&txn, caller, &list, &req.wrappings).await?;
    let held: Vec<Uuid> = wrapping::Entity::find()
        .filter(wrapping::Column::ShareId.eq(id.0))
        .filter(wrapping::Column::Generation.eq(found.generation))
        .all(&txn)
        .await?
        .into_iter()
        .map(|w| w.recipient_id)
        .collect();
    if wrappings.iter().any(|(r, _)| held.contains(r)) {
        return Err(bad("That recipient already has the key."));
    }
    store_wrappings(&txn, id, found.generation, wrappings).await?;
    let changed = refresh(&txn, id).await?;
    txn.commit().await?;
    state.notifier.accounts_changed(&state.db, &changed).await;
    Ok(())
}

/// `POST /api/shares/{share_id}/rekey/claim`, by a manager: the lease, if nobody else holds it.
pub async fn claim(
    state: &AppState,
    id: ShareId,
    caller: AccountId,
) -> Result<RekeyClaim, ApiError> {
    let (txn, _) = begin_as(&state.db, caller).await?;
    let found = live_share(&txn, id).await?;
    let at = now();
    let free = found.rekey_lease_until.is_none_or(|until| until <= at)
        || found.rekey_lease_by == Some(caller.0);
    let (holder, until) = if free {
        let until = at + LEASE;
        share::Entity::update_many()
            .col_expr(share::Column::RekeyLeaseBy, Expr::value(caller.0))
            .col_expr(share::Column::RekeyLeaseUntil, Expr::value(until))
            .filter(share::Column::Id.eq(id.0))
            .exec(&txn)
            .await?;
        (Some(caller.0), until)
    } else {
        (found.rekey_lease_by, found.rekey_lease_until.unwrap_or(at))
    };
    txn.commit().await?;
    Ok(RekeyClaim {
        granted: free,
        holder: holder.map(AccountId),
        until: until.unix_timestamp(),
    })
}

/// `POST /api/shares/{share_id}/generations`, by the manager holding the lease.
pub async fn new_generation(
    state: &AppState,
    id: ShareId,
    caller: AccountId,
    req: NewGenerationRequest,
) -> Result<(), ApiError> {
    let (txn, _) = begin_as(&state.db, caller).await?;
    let found = live_share(&txn, id).await?;
    if found.rekey_lease_by != Some(caller.0) || found.rekey_lease_until.is_none_or(|u| u <= now())
    {
        return Err(ApiError::Conflict {
            code: "rekey_not_claimed",
            message: "Claim the re-key first; another browser may be doing it.".into(),
        });
    }
    let next_generation = epoch_of(found.generation) + 1;
    let list = &req.list.list;
    if list.generation != next_generation || list.generation_id == found.generation_id {
        return Err(bad("A new generation is the next one, with a new id."));
    }
    check_share_list(
        &txn,
        caller,
        &req.list,
        &Expected {
            share: id,
            owner: AccountId(found.owner_id),
            epoch: epoch_of(found.list_epoch) + 1,
            generation: next_generation,
        },
    )
    .await?;
    // A re-key adds nobody: whoever it names already has a place on the share (adding people
    // goes through the list route, which the company's sharing policies check).
    let current: std::collections::BTreeSet<Uuid> = share_principal::Entity::find()
        .filter(share_principal::Column::ShareId.eq(id.0))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| p.principal_id)
        .collect();
    if list.entries.iter().any(|e| !current.contains(&e.id)) {
        return Err(bad(
            "A re-key gives nobody new access; add people by changing the list first.",
        ));
    }
    let wrappings = check_wrappings(&txn, caller, list, &req.wrappings).await?;
    // Everyone with access now keeps it only with the new key: all of them get it.
    let with_access = readers(&txn, id).await?;
    let mut covered: std::collections::BTreeSet<Uuid> = std::collections::BTreeSet::new();
    for (recipient, w) in &wrappings {
        match w.recipient_kind {
            EntryKind::Group => covered.extend(
                groups::readers_at(&txn, GroupId(*recipient), stored(w.recipient_generation)?)
                    .await?,
            ),
            _ => {
                covered.insert(*recipient);
            }
        }
    }
    if with_access.iter().any(|a| !covered.contains(&a.0)) {
        return Err(bad("Wrap the new key to everyone who has access."));
    }
    let head = vault_container::Entity::find_by_id(id.0)
        .one(&txn)
        .await?
        .map(|c| c.revision);
    let moved = share::Entity::update_many()
        .col_expr(
            share::Column::Generation,
            Expr::value(stored(next_generation)?),
        )
        .col_expr(share::Column::GenerationId, Expr::value(list.generation_id))
        .col_expr(share::Column::ListEpoch, Expr::value(stored(list.epoch)?))
        .col_expr(share::Column::RekeyFromRevision, Expr::value(head))
        .filter(share::Column::Id.eq(id.0))
        .filter(share::Column::Generation.eq(found.generation))
        .filter(share::Column::ListEpoch.eq(found.list_epoch))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(changed_meanwhile("list_changed"));
    }
    store_list(&txn, id, &req.list, caller, &Default::default()).await?;
    store_wrappings(&txn, id, stored(next_generation)?, wrappings).await?;
    let changed = refresh(&txn, id).await?;
    txn.commit().await?;
    let mut tell = readers(&state.db, id).await?;
    tell.extend(changed);
    state.notifier.accounts_changed(&state.db, &tell).await;
    Ok(())
}

/// `POST /api/shares/{share_id}/generations/{generation}/done`, by a manager: every record is
/// sealed under `generation`; the older keys' wrappings go.
pub async fn done(
    state: &AppState,
    id: ShareId,
    caller: AccountId,
    generation: i64,
) -> Result<(), ApiError> {
    let (txn, _) = begin_as(&state.db, caller).await?;
    let found = live_share(&txn, id).await?;
    if generation != found.generation {
        return Err(changed_meanwhile("generation_changed"));
    }
    wrapping::Entity::delete_many()
        .filter(wrapping::Column::ShareId.eq(id.0))
        .filter(wrapping::Column::Generation.lt(generation))
        .exec(&txn)
        .await?;
    share::Entity::update_many()
        .col_expr(share::Column::RekeyPending, Expr::value(false))
        .col_expr(
            share::Column::RekeyLeaseBy,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(
            share::Column::RekeyLeaseUntil,
            Expr::value(Option::<time::OffsetDateTime>::None),
        )
        .filter(share::Column::Id.eq(id.0))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let readers = readers(&state.db, id).await?;
    state.notifier.accounts_changed(&state.db, &readers).await;
    Ok(())
}
