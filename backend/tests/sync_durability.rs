//! Sync under pressure, on SQLite and PostgreSQL: many browsers pushing at once, and a server
//! killed (SIGKILL) in the middle of pushes and started again on the same data.
//!
//! A browser drops a change from its outbox as soon as the server acknowledges it, so an
//! acknowledged change must never be lost, and one the browser sends again (because the reply
//! never came) must not be stored twice. The tests act as such browsers, keep a ledger of every
//! acknowledged change, and compare the ledger with what a full pull returns at the end:
//!
//! - Every acknowledged change is stored exactly once: each change id got one revision, no two
//!   changes share a revision of one container, and every revision is at most its container's
//!   head.
//! - No update is lost: sorted by revision, the acknowledged changes of one record form a chain,
//!   each based on the revision of the one before (the first one creating the record). Two
//!   browsers editing the same item at once therefore cannot both win; the loser is answered
//!   with a conflict, and tries again on top of the winner with a new change id.
//! - Each record holds the content of its last acknowledged change, and there are exactly as
//!   many records as the browsers created.
//! - A push sent again is answered with the revisions it got the first time and stores nothing
//!   new. A push whose reply was lost when the server was killed is either wholly stored (and
//!   then answered with its first revisions, not as a conflict) or not at all (and then stored
//!   when sent again): never half.
//! - Sessions are in the database, so a restarted server still knows every signed-in browser.
//!
//! The killed server is the real `strongroom` binary, run as a child process on a port of its
//! own. The tests never depend on timing for their verdict: a pause only lets pushes get under
//! way before the kill.
#![allow(clippy::unwrap_used)]

mod common;

use common::ledger::{Ack, Api, deletion, edit, settle, verify};
use common::running::{Running, sign_up};
use common::vault::{after, new_item};

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use actix_web::rt::time::sleep;
use futures_util::future::{join, join_all};
use shared_types::vault::{PushRequest, PushResponse, VaultRecord};
use shared_types::{ContainerId, RecordId};

const PASSWORD: &str = "correct horse battery staple";

// ---------------------------------------------------------------------------------------------
// Fifty browsers at once.

const CLIENTS: usize = 50;
const ITEMS_PER_CLIENT: usize = 3;
const EDIT_ROUNDS: usize = 4;
const SHARED_EDITS: usize = 2;

/// What one browser did: its acknowledged changes, and every push with its reply.
#[derive(Default)]
struct Log {
    acks: Vec<Ack>,
    sent: Vec<(PushRequest, PushResponse)>,
}

/// One browser: creates its items, edits them round after round (the last round deletes one),
/// and edits the shared item [`SHARED_EDITS`] times, rebasing on every conflict.
async fn busy_client(
    api: &Api,
    container: ContainerId,
    shared: (RecordId, ContainerId, i64),
) -> Log {
    let (shared_id, shared_container, mut shared_base) = shared;
    let mut log = Log::default();
    let mut mine: Vec<(RecordId, i64)> = Vec::new();
    let mut shared_done = 0;
    let mut round = 0;
    while round <= EDIT_ROUNDS || shared_done < SHARED_EDITS {
        let mut changes = Vec::new();
        if round == 0 {
            changes.extend((0..ITEMS_PER_CLIENT).map(|_| new_item(container)));
        } else if round < EDIT_ROUNDS {
            changes.extend(mine.iter().map(|&(id, base)| edit(id, container, base)));
        } else if round == EDIT_ROUNDS {
            let (first, base) = mine[0];
            changes.push(deletion(first, container, base));
            changes.extend(
                mine[1..]
                    .iter()
                    .map(|&(id, base)| edit(id, container, base)),
            );
        }
        if round > 0 && shared_done < SHARED_EDITS {
            changes.push(edit(shared_id, shared_container, shared_base));
        }
        round += 1;
        let request = PushRequest { changes };
        let reply = api.push_answered(&request).await;
        for ack in settle(&request, &reply) {
            if ack.change.id == shared_id {
                shared_done += 1;
                shared_base = ack.revision;
            } else if let Some(entry) = mine.iter_mut().find(|(id, _)| *id == ack.change.id) {
                entry.1 = ack.revision;
            } else {
                mine.push((ack.change.id, ack.revision));
            }
            log.acks.push(ack);
        }
        for conflict in &reply.conflicts {
            assert_eq!(
                conflict.id, shared_id,
                "only the shared item is fought over"
            );
            // Keep both versions: ours goes again, on top of theirs, as a new change.
            shared_base = conflict.current.as_ref().unwrap().revision;
        }
        log.sent.push((request, reply));
    }
    log
}

on_both_databases! {
    async fn fifty_browsers_pushing_at_once_lose_and_repeat_nothing(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let api = Api {
            http: server.client.clone(),
            base: server.base.clone(),
            session,
        };
        let [personal, business] = api.profiles().await;

        let first = new_item(personal);
        let request = PushRequest { changes: vec![first.clone()] };
        let reply = api.push_answered(&request).await;
        let mut acks = settle(&request, &reply);
        let shared = (first.id, personal, acks[0].revision);

        let containers = [personal, business];
        let logs = join_all(
            (0..CLIENTS).map(|n| busy_client(&api, containers[n % 2], shared)),
        )
        .await;
        acks.extend(logs.iter().flat_map(|log| log.acks.iter().cloned()));
        let conflicts: usize = logs
            .iter()
            .flat_map(|log| &log.sent)
            .map(|(_, reply)| reply.conflicts.len())
            .sum();
        eprintln!("{} changes acknowledged, {conflicts} conflicts on the shared item", acks.len());

        let (records, heads) = api.everything().await;
        verify(&records, &heads, &acks, 1 + CLIENTS * ITEMS_PER_CLIENT);
        assert!(records.iter().filter(|r| r.data.is_none()).count() == CLIENTS, "one deletion each");

        // Pushes sent again, all at once: the same answers, nothing stored.
        let again: Vec<&(PushRequest, PushResponse)> =
            logs.iter().flat_map(|log| &log.sent).step_by(7).collect();
        let replies = join_all(again.iter().map(|(request, _)| api.push_answered(request))).await;
        for ((request, first), reply) in again.iter().zip(replies) {
            assert_eq!(reply.accepted, first.accepted, "answered as the first time");
            let ids = |r: &PushResponse| r.conflicts.iter().map(|c| c.id).collect::<Vec<_>>();
            assert_eq!(ids(&reply), ids(first), "{} changes", request.changes.len());
        }
        let later = api.pull(&after(heads.clone())).await;
        assert!(later.records.is_empty(), "a repeated push stores nothing");
        assert_eq!(common::vault::heads(&later), heads);
    }
}

// ---------------------------------------------------------------------------------------------
// A server killed mid-push.

const WRITERS: usize = 20;
const KILLS: u64 = 3;
const NEW_PER_PUSH: usize = 2;
const EDITS_PER_PUSH: usize = 3;

/// A browser that pushes continuously: each push creates items and edits some of its own, on
/// the revisions the server acknowledged. A push left without an answer stays in its outbox
/// exactly as it was, and is sent again before anything else.
struct Writer {
    container: ContainerId,
    mine: Vec<(RecordId, i64)>,
    next_edit: usize,
    outbox: Option<PushRequest>,
    acks: Vec<Ack>,
    created: usize,
    /// Resent pushes the server had stored before it was killed, and those it had not.
    replayed: usize,
    stored_on_resend: usize,
}

impl Writer {
    fn new(container: ContainerId) -> Self {
        Self {
            container,
            mine: Vec::new(),
            next_edit: 0,
            outbox: None,
            acks: Vec::new(),
            created: 0,
            replayed: 0,
            stored_on_resend: 0,
        }
    }

    fn next_push(&mut self) -> PushRequest {
        let mut changes: Vec<_> = (0..NEW_PER_PUSH)
            .map(|_| new_item(self.container))
            .collect();
        self.created += NEW_PER_PUSH;
        let count = self.mine.len();
        for k in 0..EDITS_PER_PUSH.min(count) {
            let (id, base) = self.mine[(self.next_edit + k) % count];
            changes.push(edit(id, self.container, base));
        }
        self.next_edit += EDITS_PER_PUSH;
        PushRequest { changes }
    }

    fn acknowledge(&mut self, request: &PushRequest, reply: &PushResponse) {
        assert!(
            reply.conflicts.is_empty(),
            "a browser editing its own items on acknowledged revisions never conflicts: {:?}",
            reply.conflicts
        );
        for ack in settle(request, reply) {
            match self.mine.iter_mut().find(|(id, _)| *id == ack.change.id) {
                Some(entry) => entry.1 = ack.revision,
                None => self.mine.push((ack.change.id, ack.revision)),
            }
            self.acks.push(ack);
        }
    }

    /// Pushes until the server stops answering (`until_killed`), or, on a server that stays
    /// up, sends its outbox (retrying until answered) and one more push. `heads` are the
    /// containers' heads when the server (re)started: a push stored before then was stored before
    /// the kill.
    async fn run(&mut self, api: &Api, heads: &BTreeMap<ContainerId, i64>, until_killed: bool) {
        let head = heads[&self.container];
        let mut more = if until_killed { usize::MAX } else { 1 };
        loop {
            let resending = self.outbox.is_some();
            if !resending {
                if more == 0 {
                    return;
                }
                more -= 1;
            }
            let request = self.outbox.take().unwrap_or_else(|| self.next_push());
            let reply = if until_killed {
                match api.push(&request).await {
                    Ok(reply) => reply,
                    Err(_) => {
                        self.outbox = Some(request);
                        return;
                    }
                }
            } else {
                api.push_answered(&request).await
            };
            if resending {
                self.resent(&reply, head);
            }
            self.acknowledge(&request, &reply);
        }
    }

    /// A push sent again after a kill was stored whole before the kill, or not at all.
    fn resent(&mut self, reply: &PushResponse, head: i64) {
        let before = reply.accepted.iter().filter(|a| a.revision <= head).count();
        if before == reply.accepted.len() {
            self.replayed += 1;
        } else {
            assert_eq!(
                before, 0,
                "a push was half stored when the server was killed"
            );
            self.stored_on_resend += 1;
        }
    }
}

/// After a restart, before any push is sent again: nothing acknowledged is missing. (The
/// server may be further along, by pushes it stored but could not answer.)
fn assert_durable(records: &[VaultRecord], writers: &[Writer]) {
    let stored: HashMap<RecordId, &VaultRecord> = records.iter().map(|r| (r.id, r)).collect();
    for ack in writers.iter().flat_map(|w| &w.acks) {
        let record = stored
            .get(&ack.change.id)
            .expect("an acknowledged record survives the kill");
        assert!(
            record.revision >= ack.revision,
            "an acknowledged change was lost"
        );
        if record.revision == ack.revision {
            assert_eq!(record.data, ack.change.data);
        }
    }
}

async fn killed_mid_push(database_url: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), common::INDEX_HTML).unwrap();
    std::fs::write(dist.join("app.js"), "export default function init() {}").unwrap();
    let mail_dir: PathBuf = dir.path().join("data").join("mail");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let url = database_url.as_deref();

    let mut server = Running::start(dir.path(), url, &http).await;
    let session = sign_up(&http, &server.base, &mail_dir, "ann@example.com").await;
    let mut api = Api {
        http: http.clone(),
        base: server.base.clone(),
        session,
    };
    let [personal, business] = api.profiles().await;
    let mut writers: Vec<Writer> = (0..WRITERS)
        .map(|n| Writer::new([personal, business][n % 2]))
        .collect();

    for cycle in 0..KILLS {
        let heads = api.heads().await;
        let kill = async {
            sleep(Duration::from_millis(300 + 200 * cycle)).await;
            server.kill();
        };
        join(
            join_all(writers.iter_mut().map(|w| w.run(&api, &heads, true))),
            kill,
        )
        .await;
        let unanswered = writers.iter().filter(|w| w.outbox.is_some()).count();
        eprintln!("kill {}: {unanswered} pushes unanswered", cycle + 1);

        server = Running::start(dir.path(), url, &http).await;
        api.base = server.base.clone();
        // The session is still valid (else the pulls below fail), and nothing acknowledged
        // was lost.
        assert_eq!(api.profiles().await, [personal, business]);
        assert_durable(&api.everything().await.0, &writers);
    }
    let heads = api.heads().await;
    join_all(writers.iter_mut().map(|w| w.run(&api, &heads, false))).await;
    assert!(writers.iter().all(|w| w.outbox.is_none()));

    let acks: Vec<Ack> = writers
        .iter()
        .flat_map(|w| w.acks.iter().cloned())
        .collect();
    let created = writers.iter().map(|w| w.created).sum();
    let (records, heads) = api.everything().await;
    verify(&records, &heads, &acks, created);
    eprintln!(
        "{} changes acknowledged, {} records; resent after a kill: {} already stored, {} stored then",
        acks.len(),
        records.len(),
        writers.iter().map(|w| w.replayed).sum::<usize>(),
        writers.iter().map(|w| w.stored_on_resend).sum::<usize>(),
    );
}

mod a_killed_server_keeps_every_acknowledged_change_once {
    use super::*;

    #[actix_web::test]
    async fn sqlite() {
        killed_mid_push(None).await;
    }

    #[actix_web::test]
    async fn postgres() {
        if let Some(url) = common::fresh_postgres_url().await {
            killed_mid_push(Some(url)).await;
        }
    }
}

// A server stopped with SIGTERM while browsers listen for changes.

/// A stopping server ends its event streams itself: each browser's stream finishes cleanly
/// (and the browser reconnects elsewhere or later), instead of holding the graceful stop open
/// until its timeout and then being cut. The server then exits successfully.
#[actix_web::test]
async fn a_stopping_server_ends_its_event_streams_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), common::INDEX_HTML).unwrap();
    let mail_dir: PathBuf = dir.path().join("data").join("mail");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let mut server = Running::start(dir.path(), None, &http).await;
    let session = sign_up(&http, &server.base, &mail_dir, "ann@example.com").await;
    let mut streams = Vec::new();
    for _ in 0..3 {
        let mut stream = common::vault::open_event_stream(&http, &server.base, &session).await;
        // The greeting: the stream is open.
        assert!(stream.chunk().await.unwrap().is_some());
        streams.push(stream);
    }

    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    for mut stream in streams {
        // Read to the end: a clean end is `Ok(None)`; a connection cut is an error.
        loop {
            match stream.chunk().await {
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(e) => panic!("the event stream was cut instead of ended: {e}"),
            }
        }
    }
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit}");
}
