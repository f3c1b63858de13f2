//! Telling browsers that a container they can read changed, so that they pull at once.
//!
//! Each instance keeps a broadcast channel per account that has a listening browser
//! (`GET /api/vault/events`). A push that stored something announces, after it commits, each
//! changed container's newest revision to every account the access gate says can read it.
//!
//! With PostgreSQL, several instances may serve one database. The announcement then also goes
//! out with `NOTIFY` on the channel [`PG_CHANNEL`], and every instance `LISTEN`s on it and
//! passes on what the others announced. The payload is `instance:account:container:revision`:
//! ids and a number, never anything sealed. Notices sent while an instance's `LISTEN` connection was down
//! are lost, so once it is back every browser of that instance is told to pull.
//!
//! A notice carries no data: a browser that hears one pulls through the normal, authenticated
//! endpoint, so a notice reaching a browser whose session has just ended reveals nothing but
//! the fact of a change.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use shared_types::{AccountId, ContainerId};
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use crate::services::access;

/// The PostgreSQL channel instances announce changes on.
pub const PG_CHANNEL: &str = "strongroom_vault";

/// Notices a slow browser may fall behind by before it is simply told to pull.
const BACKLOG: usize = 16;

/// What a listening browser is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// A container the account can read changed, up to this revision.
    Changed(ContainerId, i64),
    /// Notices may have been missed: pull anyway.
    Resync,
}

/// The instance's notice channels. Cheap to clone (clones share the channels).
#[derive(Clone)]
pub struct Notifier {
    inner: Arc<Inner>,
}

struct Inner {
    /// This instance, to ignore its own announcements when they come back through LISTEN.
    instance: Uuid,
    accounts: Mutex<HashMap<Uuid, broadcast::Sender<Notice>>>,
    /// Set when the instance stops: every open event stream ends.
    stopping: watch::Sender<bool>,
}

impl Default for Notifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Notifier {
    /// Channels for a new instance.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                instance: Uuid::new_v4(),
                accounts: Mutex::new(HashMap::new()),
                stopping: watch::Sender::new(false),
            }),
        }
    }

    fn accounts(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, broadcast::Sender<Notice>>> {
        // The map stays consistent whatever a panicking holder did: entries are whole.
        self.inner
            .accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts listening for the account's notices.
    pub fn subscribe(&self, account: AccountId) -> Subscription {
        let receiver = self
            .accounts()
            .entry(account.0)
            .or_insert_with(|| broadcast::channel(BACKLOG).0)
            .subscribe();
        Subscription {
            notifier: self.clone(),
            account: account.0,
            receiver,
        }
    }

    /// Ends every event stream of this instance: it is stopping. A graceful stop waits for open
    /// connections, and an event stream never finishes by itself.
    pub fn stop(&self) {
        self.inner.stopping.send_replace(true);
    }

    /// Resolves once [`Self::stop`] has been called (at once if it has been).
    pub fn stopped(&self) -> impl std::future::Future<Output = ()> + 'static {
        let mut stopping = self.inner.stopping.subscribe();
        async move {
            // An error means the notifier is gone, which also ends the streams.
            let _ = stopping.wait_for(|stopping| *stopping).await;
        }
    }

    /// How many browsers of this instance listen for the account.
    #[cfg(test)]
    fn listeners(&self, account: AccountId) -> usize {
        self.accounts()
            .get(&account.0)
            .map_or(0, broadcast::Sender::receiver_count)
    }

    fn publish(&self, account: Uuid, notice: Notice) {
        if let Some(sender) = self.accounts().get(&account) {
            // No receiver left is not an error: the last one is leaving.
            let _ = sender.send(notice);
        }
    }

    /// Tells every listening browser of this instance to pull.
    fn resync_everyone(&self) {
        for sender in self.accounts().values() {
            let _ = sender.send(Notice::Resync);
        }
    }

    /// Announces that each of `changed`'s containers changed up to its revision, to every
    /// account that can read it: here, and with PostgreSQL to every other instance. A failed
    /// announcement is logged and otherwise ignored: the change is stored, and browsers also
    /// pull on their own.
    pub async fn changed(&self, db: &DatabaseConnection, changed: &[(ContainerId, i64)]) {
        if db.get_database_backend() == DbBackend::Postgres {
            // Each container's readers are found and announced by one statement.
            let instance = self.inner.instance.to_string();
            for (container, revision) in changed {
                let after = format!("{}:{revision}", container.0);
                match access::readers_announced(db, *container, PG_CHANNEL, &instance, &after).await
                {
                    Ok(readers) => {
                        for account in readers {
                            self.publish(account.0, Notice::Changed(*container, *revision));
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not announce a vault change");
                        return;
                    }
                }
            }
            return;
        }
        let readers = match access::readers(db, changed.iter().map(|(c, _)| *c)).await {
            Ok(readers) => readers,
            Err(e) => {
                tracing::warn!(error = %e, "could not find who to tell of a vault change");
                return;
            }
        };
        for (container, revision) in changed {
            for account in readers.get(container).into_iter().flatten() {
                self.publish(account.0, Notice::Changed(*container, *revision));
            }
        }
    }

    /// Tells each of `accounts` to pull: their access changed (a share was given to them or
    /// taken away). An account that has just lost a container is no longer among its readers,
    /// so [`Self::changed`] would not reach it. With PostgreSQL the other instances are told
    /// too, as a change of the nil container.
    pub async fn accounts_changed(&self, db: &DatabaseConnection, accounts: &[AccountId]) {
        for account in accounts {
            self.publish(account.0, Notice::Resync);
        }
        if db.get_database_backend() != DbBackend::Postgres || accounts.is_empty() {
            return;
        }
        let instance = self.inner.instance.to_string();
        for account in accounts {
            let payload = format!("{instance}:{}:{}:0", account.0, Uuid::nil());
            let sent = db
                .execute_raw(sea_orm::Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_notify($1, $2)",
                    [PG_CHANNEL.into(), payload.into()],
                ))
                .await;
            if let Err(e) = sent {
                tracing::warn!(error = %e, "could not announce an access change");
                return;
            }
        }
    }

    /// With PostgreSQL (`database_url`), passes on what other instances announce, for as long
    /// as the process runs; reconnects after a lost connection and then tells every browser
    /// here to pull. The listening connection runs on a thread of its own, with its own
    /// runtime, so that it never ends with (or holds up) the server's workers. Returns once
    /// the first `LISTEN` is in place (or has failed and will be retried), so that an instance
    /// that serves requests also hears the others.
    pub async fn listen_to_other_instances(&self, database_url: &str) -> std::io::Result<()> {
        let url = database_url.to_owned();
        let notifier = self.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (ready, listening) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("vault-notices".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let mut ready = Some(ready);
                    loop {
                        if let Err(e) = notifier.relay(&url, &mut ready).await {
                            tracing::warn!(error = %e, "lost the vault change feed between instances; reconnecting");
                        }
                        notifier.resync_everyone();
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                })
            })?;
        // Not listening yet after this long: start anyway, the thread keeps trying.
        let _ = tokio::time::timeout(Duration::from_secs(10), listening).await;
        Ok(())
    }

    async fn relay(
        &self,
        url: &str,
        ready: &mut Option<tokio::sync::oneshot::Sender<()>>,
    ) -> Result<(), sea_orm::sqlx::Error> {
        let listening = async {
            let mut listener = sea_orm::sqlx::postgres::PgListener::connect(url).await?;
            listener.listen(PG_CHANNEL).await?;
            Ok::<_, sea_orm::sqlx::Error>(listener)
        }
        .await;
        if let Some(ready) = ready.take() {
            let _ = ready.send(());
        }
        let mut listener = listening?;
        tracing::info!("listening for vault changes from other instances");
        loop {
            match listener.try_recv().await? {
                Some(notification) => self.relay_one(notification.payload()),
                // The connection dropped and is re-opened on the next call; whatever was
                // announced meanwhile is lost.
                None => self.resync_everyone(),
            }
        }
    }

    fn relay_one(&self, payload: &str) {
        match parse_payload(payload) {
            Some((instance, ..)) if instance == self.inner.instance => {}
            Some((_, account, container, revision)) => {
                self.publish(account, Notice::Changed(container, revision))
            }
            None => tracing::warn!("ignored a malformed vault change notice"),
        }
    }
}

fn parse_payload(payload: &str) -> Option<(Uuid, Uuid, ContainerId, i64)> {
    let mut parts = payload.split(':');
    let instance = parts.next()?.parse().ok()?;
    let account = parts.next()?.parse().ok()?;
    let container = parts.next()?.parse().ok()?;
    let revision = parts.next()?.parse().ok()?;
    parts
        .next()
        .is_none()
        .then_some((instance, account, container, revision))
}

/// One browser's feed of notices; leaving drops the account's channel when it was the last.
pub struct Subscription {
    notifier: Notifier,
    account: Uuid,
    receiver: broadcast::Receiver<Notice>,
}

impl Subscription {
    /// The next notice; [`Notice::Resync`] when this browser fell behind.
    pub async fn next(&mut self) -> Notice {
        match self.receiver.recv().await {
            Ok(notice) => notice,
            Err(broadcast::error::RecvError::Lagged(_)) => Notice::Resync,
            // The sender lives in the map as long as this receiver does; this cannot happen,
            // and pulling is the safe answer if it did.
            Err(broadcast::error::RecvError::Closed) => Notice::Resync,
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut accounts = self.notifier.accounts();
        // This receiver is still counted until the fields drop.
        if accounts
            .get(&self.account)
            .is_some_and(|sender| sender.receiver_count() <= 1)
        {
            accounts.remove(&self.account);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[actix_web::test]
    async fn stopping_is_heard_by_streams_opened_before_and_after() {
        let notifier = Notifier::new();
        let before = notifier.stopped();
        notifier.stop();
        // A bound, not a timing check: a stop that is not heard fails instead of hanging.
        let bound = std::time::Duration::from_secs(5);
        tokio::time::timeout(bound, before).await.unwrap();
        tokio::time::timeout(bound, notifier.stopped())
            .await
            .unwrap();
    }

    #[actix_web::test]
    async fn each_account_hears_only_its_own_notices() {
        let notifier = Notifier::new();
        let (alice, bob) = (AccountId(Uuid::now_v7()), AccountId(Uuid::now_v7()));
        let mut a1 = notifier.subscribe(alice);
        let mut a2 = notifier.subscribe(alice);
        let mut b = notifier.subscribe(bob);
        let c = ContainerId::new_v7();
        notifier.publish(alice.0, Notice::Changed(c, 7));
        notifier.publish(bob.0, Notice::Changed(c, 8));
        assert_eq!(a1.next().await, Notice::Changed(c, 7));
        assert_eq!(a2.next().await, Notice::Changed(c, 7));
        assert_eq!(b.next().await, Notice::Changed(c, 8));
        assert_eq!(notifier.listeners(alice), 2);
        drop(a1);
        assert_eq!(notifier.listeners(alice), 1);
        drop(a2);
        assert_eq!(notifier.listeners(alice), 0);
        assert!(!notifier.accounts().contains_key(&alice.0));
    }

    #[actix_web::test]
    async fn a_listener_that_falls_behind_is_told_to_pull() {
        let notifier = Notifier::new();
        let account = AccountId(Uuid::now_v7());
        let mut slow = notifier.subscribe(account);
        for revision in 0..(BACKLOG as i64 + 5) {
            notifier.publish(account.0, Notice::Changed(ContainerId::new_v7(), revision));
        }
        assert_eq!(slow.next().await, Notice::Resync);
    }

    #[test]
    fn notices_from_other_instances_are_passed_on_and_our_own_ignored() {
        let notifier = Notifier::new();
        let account = AccountId(Uuid::now_v7());
        let mut feed = notifier.subscribe(account);
        let other = Uuid::new_v4();
        let c = ContainerId::new_v7();
        notifier.relay_one(&format!("{}:{}:{c}:5", notifier.inner.instance, account.0));
        notifier.relay_one(&format!("{other}:{}:{c}:6", account.0));
        notifier.relay_one("garbage");
        notifier.relay_one(&format!("{other}:{}:6", account.0));
        notifier.relay_one(&format!("{other}:{}:{c}:6:extra", account.0));
        assert_eq!(feed.receiver.try_recv().unwrap(), Notice::Changed(c, 6));
        assert!(feed.receiver.try_recv().is_err());
    }
}
