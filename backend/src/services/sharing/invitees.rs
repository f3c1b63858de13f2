//! People a share is given to before they have an account ("invitees"). A list names each by
//! an id derived from the address (`wasm_crypto::derive_invitee_id`), so the signed list commits
//! to the address without the server learning anything it did not know; the request carries
//! the addresses, which the server checks against the ids, keeps with the share's principals,
//! and mails. Once the person has an account with published keys, the share's managers see them
//! as ready, and the first manager's browser online replaces the invitee with the account in a
//! signed list and wraps the key to it.
//!
//! Invariants:
//! - Every invitee entry of a stored list has the address its id derives from; an address
//!   that matches no entry is refused.
//! - An invitee never gets a role on the container: only a list naming the account does.
//! - A share's invitee mails say who shared, never the share's name or contents (the server
//!   cannot read them), and count against the sharer's daily limit.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use shared_types::sharing::{AccessListBody, EntryKind, PublishedKeys};
use shared_types::{AccountId, ShareId};
use uuid::Uuid;
use wasm_crypto::derive_invitee_id;

use super::keys;
use super::shares::bad;
use crate::entity::{account, mail_outbox, share, share_principal as principal};
use crate::error::ApiError;
use crate::mail::Mail;
use crate::services::accounts::{normalize_email, now};
use crate::services::rate_limit::{self, Limit};
use crate::state::AppState;

/// The kind of a share invitation's mail in the outbox.
pub const KIND_SHARE_INVITATION: &str = "share_invitation";

/// Invitee mails one account may cause per day.
pub const INVITE_LIMIT: Limit = Limit {
    max: 50,
    window_secs: 86_400,
};

/// The address of each invitee entry of `list`, from the addresses `given` with it.
pub fn addresses(
    list: &AccessListBody,
    given: &[String],
) -> Result<BTreeMap<Uuid, String>, ApiError> {
    let mut by_id = BTreeMap::new();
    for raw in given {
        let email = normalize_email(raw)?;
        by_id.insert(derive_invitee_id(&email), email);
    }
    let named: BTreeSet<Uuid> = (list.entries.iter())
        .filter(|e| e.kind == EntryKind::Invitee)
        .map(|e| e.id)
        .collect();
    if by_id.keys().any(|id| !named.contains(id)) {
        return Err(bad(
            "An address was sent for someone the list does not invite.",
        ));
    }
    Ok(by_id)
}

/// The addresses of the invitees `share` names now.
pub async fn current(
    db: &impl ConnectionTrait,
    share: ShareId,
) -> Result<BTreeMap<Uuid, String>, ApiError> {
    Ok(principal::Entity::find()
        .filter(principal::Column::ShareId.eq(share.0))
        .filter(principal::Column::Kind.eq("invitee"))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| Some((p.principal_id, p.email?)))
        .collect())
}

/// The invitees among a share's principal rows.
pub fn current_from(rows: &[principal::Model]) -> BTreeSet<Uuid> {
    (rows.iter())
        .filter(|p| p.kind == "invitee")
        .map(|p| p.principal_id)
        .collect()
}

/// Counts `count` invitee mails against `caller`'s daily limit (before the list's transaction).
pub async fn limit(
    db: &sea_orm::DatabaseConnection,
    caller: AccountId,
    count: usize,
) -> Result<(), ApiError> {
    if count == 0 {
        return Ok(());
    }
    rate_limit::hit_many(
        db,
        &format!("share_invite:account:{caller}"),
        INVITE_LIMIT,
        now().unix_timestamp(),
        i32::try_from(count).unwrap_or(i32::MAX),
    )
    .await?
    .map_err(ApiError::RateLimited)
}

/// The invitees of `emails` that `before` did not name.
pub fn new_ones<'a>(
    before: &BTreeSet<Uuid>,
    emails: &'a BTreeMap<Uuid, String>,
) -> Vec<&'a String> {
    (emails.iter())
        .filter(|(id, _)| !before.contains(id))
        .map(|(_, email)| email)
        .collect()
}

/// Queues a mail to each of `new` (invited to `share`), in the list's transaction.
pub async fn mail_new(
    db: &impl ConnectionTrait,
    share: ShareId,
    new: &[&String],
) -> Result<(), ApiError> {
    if new.is_empty() {
        return Ok(());
    }
    let at = now();
    let rows: Vec<mail_outbox::ActiveModel> = new
        .iter()
        .map(|email| mail_outbox::ActiveModel {
            id: Set(Uuid::now_v7()),
            kind: Set(KIND_SHARE_INVITATION.to_owned()),
            invitation_id: Set(None),
            share_id: Set(Some(share.0)),
            to_email: Set((*email).clone()),
            created_at: Set(at),
            next_attempt_at: Set(at),
            attempts: Set(0),
            sent_at: Set(None),
            last_error: Set(None),
        })
        .collect();
    mail_outbox::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The mail to `to`, invited to `share`; None when the share is gone or no longer invites them.
pub async fn mail_for(
    state: &AppState,
    share_id: Uuid,
    to: &str,
) -> Result<Option<Mail>, ApiError> {
    let Some(found) = share::Entity::find_by_id(share_id).one(&state.db).await? else {
        return Ok(None);
    };
    if found.deleted_at.is_some() {
        return Ok(None);
    }
    let invited = principal::Entity::find_by_id((share_id, derive_invitee_id(to)))
        .one(&state.db)
        .await?;
    let Some(invited) = invited else {
        return Ok(None);
    };
    let by = invited.added_by.unwrap_or(found.owner_id);
    let who = account::Entity::find_by_id(by)
        .one(&state.db)
        .await?
        .map(|a| a.email)
        .unwrap_or_else(|| "Someone".to_owned());
    Ok(Some(Mail {
        subject: format!("{who} shared a folder with you on Strongroom"),
        body: format!(
            "{who} shared a folder of passwords with you on Strongroom, their password manager.\n\n\
             To open it, create your Strongroom account with this address ({to}):\n\n{}/signup\n\n\
             The folder appears in your vault under Shared folders once {who}'s browser (or that of \
             someone who manages the folder) has handed you its key, which happens by itself when \
             they are next online. This mail does not contain the folder's name or anything in it.\n\n\
             If you did not expect this, ignore this message.\n",
            state.public_url
        ),
    }))
}

/// For a manager's view of `share`: the invitees who now have a confirmed account with
/// published keys.
pub async fn ready(
    db: &impl ConnectionTrait,
    share: ShareId,
) -> Result<Vec<PublishedKeys>, ApiError> {
    let invited = current(db, share).await?;
    if invited.is_empty() {
        return Ok(Vec::new());
    }
    let accounts = account::Entity::find()
        .filter(account::Column::Email.is_in(invited.values().cloned()))
        .filter(account::Column::EmailConfirmedAt.is_not_null())
        .all(db)
        .await?;
    let mut out = Vec::new();
    for found in accounts {
        if let Some(published) = keys::current(db, found.id).await? {
            out.push(published);
        }
    }
    Ok(out)
}

/// Tells the owners and inviters of the shares that invite `account`'s address that the
/// person is ready for their key (after they publish keys).
pub async fn tell_sharers(state: &AppState, account: AccountId) -> Result<(), ApiError> {
    let Some(found) = account::Entity::find_by_id(account.0)
        .one(&state.db)
        .await?
    else {
        return Ok(());
    };
    let rows = principal::Entity::find()
        .filter(principal::Column::Kind.eq("invitee"))
        .filter(principal::Column::PrincipalId.eq(derive_invitee_id(&found.email)))
        .all(&state.db)
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut told: BTreeSet<Uuid> = rows.iter().filter_map(|p| p.added_by).collect();
    for row in &rows {
        if let Some(s) = share::Entity::find_by_id(row.share_id)
            .one(&state.db)
            .await?
        {
            told.insert(s.owner_id);
        }
    }
    let told: Vec<AccountId> = told.into_iter().map(AccountId).collect();
    state.notifier.accounts_changed(&state.db, &told).await;
    Ok(())
}
