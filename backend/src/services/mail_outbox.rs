//! The mail outbox: a request that has mail to send (an invitation, a share's invitee) commits a row here in its own
//! transaction and returns; a worker sends it. So a request's reply and timing never depend on
//! the mail server, a mail server that is down loses nothing (the worker retries, with a
//! growing delay), and a thousand invitations are one quick commit.
//!
//! Invariants:
//! - A row is sent by one worker at a time: a worker claims it by moving its next attempt into
//!   the future, in a statement that only succeeds while the row is still due, so instances
//!   sharing a database never send the same row at once.
//! - Nothing secret is stored here: an invitation's token is made when its mail is built, just
//!   before sending (`orgs::invitation_links::mail_for`).

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::entity::mail_outbox;
use crate::error::ApiError;
use crate::services::accounts::now;
use crate::state::AppState;

/// How often the worker looks for due mail without being woken (retries, other instances).
const POLL: Duration = Duration::from_secs(5);
/// Rows claimed at a time.
const BATCH: u64 = 50;
/// How long a claim lasts: a worker that dies mid-send leaves the row due again after this.
const LEASE_SECS: i64 = 120;
/// The kind of an invitation's mail.
pub const KIND_INVITATION: &str = "invitation";

/// Wakes the worker when a request has committed mail.
#[derive(Clone, Default)]
pub struct Outbox {
    wake: Arc<Notify>,
}

impl Outbox {
    /// Tells the worker there is mail to send. Call after the commit.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Queues an invitation's mail, in the caller's transaction.
pub async fn enqueue_invitation(
    db: &impl ConnectionTrait,
    invitation: Uuid,
    to: &str,
) -> Result<(), ApiError> {
    let at = now();
    mail_outbox::Entity::insert(mail_outbox::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(KIND_INVITATION.to_owned()),
        invitation_id: Set(Some(invitation)),
        share_id: Set(None),
        to_email: Set(to.to_owned()),
        created_at: Set(at),
        next_attempt_at: Set(at),
        attempts: Set(0),
        sent_at: Set(None),
        last_error: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The delay before retry number `attempts` (1, 2, …): 30 seconds, doubling, at most an hour.
pub fn retry_delay(attempts: i32) -> time::Duration {
    let exponent = attempts.clamp(1, 8) - 1;
    time::Duration::seconds(Ord::min(30_i64 << exponent, 3600))
}

/// Sends due mail until there is none, then waits to be woken (or for [`POLL`]); forever.
pub async fn run(state: web::Data<AppState>) {
    loop {
        if let Err(err) = send_due(&state).await {
            tracing::warn!(error = %err, "mail outbox: cannot read due mail; trying again shortly");
        }
        tokio::select! {
            () = state.outbox.wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

/// Sends every due row; returns how many were sent.
pub async fn send_due(state: &AppState) -> Result<usize, ApiError> {
    let mut sent = 0;
    loop {
        let due: Vec<mail_outbox::Model> = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::SentAt.is_null())
            .filter(mail_outbox::Column::NextAttemptAt.lte(now()))
            .order_by_asc(mail_outbox::Column::NextAttemptAt)
            .limit(BATCH)
            .all(&state.db)
            .await?;
        if due.is_empty() {
            return Ok(sent);
        }
        for row in due {
            if claim(state, &row).await? && deliver(state, row).await? {
                sent += 1;
            }
        }
    }
}

/// Takes `row` for this worker, unless another one did first.
async fn claim(state: &AppState, row: &mail_outbox::Model) -> Result<bool, ApiError> {
    let at = now();
    let claimed = mail_outbox::Entity::update_many()
        .col_expr(
            mail_outbox::Column::NextAttemptAt,
            Expr::value(at + time::Duration::seconds(LEASE_SECS)),
        )
        .col_expr(
            mail_outbox::Column::Attempts,
            Expr::col(mail_outbox::Column::Attempts).add(1),
        )
        .filter(mail_outbox::Column::Id.eq(row.id))
        .filter(mail_outbox::Column::SentAt.is_null())
        .filter(mail_outbox::Column::NextAttemptAt.lte(at))
        .exec(&state.db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// Builds and sends a claimed row's mail; records the outcome. True when a message left.
async fn deliver(state: &AppState, row: mail_outbox::Model) -> Result<bool, ApiError> {
    let mail = match (row.kind.as_str(), row.invitation_id, row.share_id) {
        (KIND_INVITATION, Some(invitation), _) => {
            crate::services::orgs::invitation_links::mail_for(state, invitation).await?
        }
        (crate::services::sharing::invitees::KIND_SHARE_INVITATION, _, Some(share)) => {
            crate::services::sharing::invitees::mail_for(state, share, &row.to_email).await?
        }
        _ => None,
    };
    let outcome = match mail {
        // Nothing to send any more (the invitation was revoked or used meanwhile).
        None => Ok(false),
        Some(mail) => state
            .mailer
            .send(&row.to_email, mail)
            .await
            .map(|()| true)
            .map_err(|e| e.to_string()),
    };
    let at = now();
    let mut update = mail_outbox::Entity::update_many().filter(mail_outbox::Column::Id.eq(row.id));
    update = match &outcome {
        Ok(_) => update
            .col_expr(mail_outbox::Column::SentAt, Expr::value(at))
            .col_expr(mail_outbox::Column::LastError, Expr::value(None::<String>)),
        Err(error) => {
            tracing::warn!(outbox = %row.id, attempts = row.attempts + 1, error = %error, "mail not sent; will retry");
            let short: String = error.chars().take(200).collect();
            update
                .col_expr(
                    mail_outbox::Column::NextAttemptAt,
                    Expr::value(at + retry_delay(row.attempts + 1)),
                )
                .col_expr(mail_outbox::Column::LastError, Expr::value(Some(short)))
        }
    };
    update.exec(&state.db).await?;
    Ok(outcome.unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        let delays: Vec<i64> = (1..=10).map(|n| retry_delay(n).whole_seconds()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(retry_delay(0).whole_seconds(), 30);
    }
}
