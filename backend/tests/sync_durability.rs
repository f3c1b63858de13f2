//! Sync under pressure, on SQLite and PostgreSQL: many browsers pushing at once, and a server
//! killed (SIGKILL) in the middle of pushes and started again on the same data.
//!
//! A browser drops a change from its outbox as soon as the server acknowledges it, so an
//! acknowledged change must never be lost, and one the browser sends again (because the reply
//! never came) must not be stored twice. The tests act as such browsers, keep a ledger of every
//! acknowledged change, and compare the ledger with what a full pull returns at the end:
//!
//! - Every acknowledged change is stored exactly once: each change id got one revision, no two
//!   changes share a revision, and every revision is at most the account's head.
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

use common::new_item;

use std::collections::{HashMap, HashSet};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use actix_web::rt::time::sleep;
use futures_util::future::{join, join_all};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use shared_types::account::{AccountBundle, ConfirmEmailRequest, OneTimeCode, ProfileKind};
use shared_types::vault::{PullResponse, PushRequest, PushResponse, RecordChange, VaultRecord};
use shared_types::{ChangeId, ProfileId, RecordId};

const PASSWORD: &str = "correct horse battery staple";

/// A new content for an item, based on the revision the browser knows.
fn edit(id: RecordId, container: ProfileId, base: i64) -> RecordChange {
    RecordChange {
        id,
        base_revision: Some(base),
        ..new_item(container)
    }
}

/// The deletion of an item, based on the revision the browser knows.
fn deletion(id: RecordId, container: ProfileId, base: i64) -> RecordChange {
    RecordChange {
        key: None,
        data: None,
        ..edit(id, container, base)
    }
}

/// A change the server acknowledged, and the revision it was stored at.
#[derive(Debug, Clone)]
struct Ack {
    change: RecordChange,
    revision: i64,
}

/// Checks that a reply answers every change of its request exactly once (stored, or a conflict
/// about its record), and returns the stored ones.
fn settle(request: &PushRequest, reply: &PushResponse) -> Vec<Ack> {
    assert_eq!(
        reply.accepted.len() + reply.conflicts.len(),
        request.changes.len(),
        "every change is answered"
    );
    let sent: HashMap<ChangeId, &RecordChange> =
        request.changes.iter().map(|c| (c.change_id, c)).collect();
    let mut answered = HashSet::new();
    let acks = reply
        .accepted
        .iter()
        .map(|accepted| {
            let change = sent
                .get(&accepted.change_id)
                .expect("only changes of the request are accepted");
            assert_eq!(accepted.id, change.id);
            assert!(answered.insert(change.id), "one answer per change");
            Ack {
                change: (*change).clone(),
                revision: accepted.revision,
            }
        })
        .collect();
    for conflict in &reply.conflicts {
        assert!(request.changes.iter().any(|c| c.id == conflict.id));
        assert!(answered.insert(conflict.id), "one answer per change");
    }
    acks
}

/// A signed-in browser's view of one server.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    session: String,
}

impl Api {
    fn cookie(&self) -> String {
        format!(
            "{}={}",
            backend::services::accounts::SESSION_COOKIE,
            self.session
        )
    }

    /// Sends a push. `Err` means no answer came (the connection failed or broke): the push is
    /// unacknowledged. An answer other than 200 fails the test.
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, reqwest::Error> {
        let res = self
            .http
            .post(format!("{}/api/vault/push", self.base))
            .header("cookie", self.cookie())
            .json(request)
            .send()
            .await?;
        let status = res.status();
        let text = res.text().await?;
        assert_eq!(
            status,
            StatusCode::OK,
            "a push was answered {status}: {text}"
        );
        Ok(serde_json::from_str(&text).unwrap())
    }

    /// Sends a push until it is answered, always the same request, as a browser does. (An
    /// idle kept-alive connection the server closes just as a request goes out fails that
    /// request; that is no reason to fail the test.)
    async fn push_answered(&self, request: &PushRequest) -> PushResponse {
        let mut failures = 0;
        loop {
            match self.push(request).await {
                Ok(reply) => return reply,
                Err(e) => {
                    failures += 1;
                    assert!(failures < 50, "a running server does not answer: {e}");
                    sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> T {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        res.json().await.unwrap()
    }

    /// Every record, page after page, and the head of the last page.
    async fn everything(&self) -> (Vec<VaultRecord>, i64) {
        let mut records: Vec<VaultRecord> = Vec::new();
        loop {
            let since = records.last().map_or(0, |r| r.revision);
            let page: PullResponse = self.get(&format!("/api/vault/records?since={since}")).await;
            assert!(page.records.iter().all(|r| r.revision <= page.head));
            records.extend(page.records);
            if !page.more {
                return (records, page.head);
            }
        }
    }

    async fn head(&self) -> i64 {
        let past_everything = format!("/api/vault/records?since={}", i64::MAX);
        self.get::<PullResponse>(&past_everything).await.head
    }

    /// The account's (personal, business) profile ids.
    async fn profiles(&self) -> [ProfileId; 2] {
        let account: AccountBundle = self.get("/api/account").await;
        let find = |kind| {
            account
                .keys
                .profiles
                .iter()
                .find(|p| p.kind == kind)
                .unwrap()
                .id
        };
        [find(ProfileKind::Personal), find(ProfileKind::Business)]
    }
}

/// Compares the server's records with the ledger of acknowledged changes (see the module
/// comment). `created` is how many records the browsers created.
fn verify(records: &[VaultRecord], head: i64, acks: &[Ack], created: usize) {
    let mut revisions = HashSet::new();
    for record in records {
        assert!(
            revisions.insert(record.revision),
            "revision {} twice",
            record.revision
        );
        assert!(record.revision <= head);
    }

    // One revision per change id (a change acknowledged twice got the same one), and one
    // change per revision.
    let mut by_change: HashMap<ChangeId, &Ack> = HashMap::new();
    let mut by_revision: HashMap<i64, ChangeId> = HashMap::new();
    for ack in acks {
        assert!(
            ack.revision <= head,
            "an acknowledged revision beyond the head"
        );
        if let Some(first) = by_change.insert(ack.change.change_id, ack) {
            assert_eq!(first.revision, ack.revision, "a change stored twice");
        }
        let owner = by_revision
            .entry(ack.revision)
            .or_insert(ack.change.change_id);
        assert_eq!(
            *owner, ack.change.change_id,
            "two changes at revision {}",
            ack.revision
        );
    }

    // Per record, a chain: each change based on the revision of the one before.
    let mut chains: HashMap<RecordId, Vec<&Ack>> = HashMap::new();
    for ack in by_change.values() {
        chains.entry(ack.change.id).or_default().push(ack);
    }
    let stored: HashMap<RecordId, &VaultRecord> = records.iter().map(|r| (r.id, r)).collect();
    assert_eq!(stored.len(), records.len(), "one row per record");
    assert_eq!(records.len(), created, "as many records as were created");
    assert_eq!(chains.len(), records.len());
    for (id, chain) in &mut chains {
        chain.sort_by_key(|ack| ack.revision);
        assert_eq!(
            chain[0].change.base_revision, None,
            "{id} begins with its creation"
        );
        for pair in chain.windows(2) {
            assert_eq!(
                pair[1].change.base_revision,
                Some(pair[0].revision),
                "{id}: a change stored over one it did not see (a lost update)"
            );
        }
        let last = chain.last().unwrap();
        let record = stored.get(id).expect("every acknowledged record is stored");
        assert_eq!(
            record.revision, last.revision,
            "{id}: the last acknowledged revision"
        );
        assert_eq!(
            record.data, last.change.data,
            "{id}: the last acknowledged content"
        );
        assert_eq!(
            record.key, last.change.key,
            "{id}: the last acknowledged key"
        );
        assert_eq!(record.container_id, last.change.container_id);
    }
}

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
async fn busy_client(api: &Api, container: ProfileId, shared: (RecordId, ProfileId, i64)) -> Log {
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

        let (records, head) = api.everything().await;
        verify(&records, head, &acks, 1 + CLIENTS * ITEMS_PER_CLIENT);
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
        let after: PullResponse = api.get(&format!("/api/vault/records?since={head}")).await;
        assert!(after.records.is_empty(), "a repeated push stores nothing");
        assert_eq!(after.head, head);
    }
}

// ---------------------------------------------------------------------------------------------
// A server killed mid-push.

const WRITERS: usize = 20;
const KILLS: u64 = 3;
const NEW_PER_PUSH: usize = 2;
const EDITS_PER_PUSH: usize = 3;

/// The `strongroom` binary running as a child process; killed when dropped.
struct Running {
    child: Child,
    base: String,
}

impl Running {
    /// Starts the binary on a free port and waits until it answers `/api/health`.
    async fn start(dir: &Path, database_url: Option<&str>, http: &reqwest::Client) -> Self {
        let mut failures = Vec::new();
        // Another process may take the free port before the server binds it: try another.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut command = Command::new(env!("CARGO_BIN_EXE_strongroom"));
            for (name, _) in std::env::vars_os() {
                let text = name.to_string_lossy();
                if text.starts_with("STRONGROOM_") || text == "DATABASE_URL" {
                    command.env_remove(&name);
                }
            }
            command
                .env("STRONGROOM_BIND", format!("127.0.0.1:{port}"))
                .env("STRONGROOM_DATA_DIR", dir.join("data"))
                .env("STRONGROOM_STATIC_DIR", dir.join("dist"))
                .env("STRONGROOM_LOG", "warn")
                .stdout(Stdio::null());
            if let Some(url) = database_url {
                command.env("DATABASE_URL", url);
            }
            let mut running = Self {
                child: command.spawn().unwrap(),
                base: format!("http://127.0.0.1:{port}"),
            };
            match running.wait_until_up(http).await {
                Ok(()) => return running,
                Err(failure) => failures.push(failure),
            }
        }
        panic!("the server did not start: {failures:?}");
    }

    async fn wait_until_up(&mut self, http: &reqwest::Client) -> Result<(), String> {
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Err(format!("it exited ({status})"));
            }
            let health = http.get(format!("{}/api/health", self.base)).send().await;
            if health.is_ok_and(|res| res.status() == StatusCode::OK) {
                return Ok(());
            }
            sleep(Duration::from_millis(50)).await;
        }
        Err("no answer within 30 s".to_owned())
    }

    /// SIGKILL: no chance to finish a request, close a connection or flush anything.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Already dead after `kill`; otherwise a failed test must not leave it running.
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Signs up through the API of a server running elsewhere, reading the code from its mail
/// folder; returns the session token.
async fn sign_up(http: &reqwest::Client, base: &str, mail_dir: &Path, email: &str) -> String {
    let (request, user) = common::accounts::signup_request(email, PASSWORD);
    let res = http
        .post(format!("{base}/api/accounts"))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let mail = backend::mail::sink::read_all(mail_dir).unwrap();
    let code = mail
        .iter()
        .rev()
        .find(|m| m.to == email)
        .and_then(|m| common::accounts::code_in(&m.body))
        .expect("a code mailed to the user");
    let confirm = ConfirmEmailRequest {
        email: email.to_owned(),
        code: OneTimeCode(code),
        device: user.device,
    };
    let res = http
        .post(format!("{base}/api/accounts/confirm"))
        .json(&confirm)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let prefix = format!("{}=", backend::services::accounts::SESSION_COOKIE);
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&prefix))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// A browser that pushes continuously: each push creates items and edits some of its own, on
/// the revisions the server acknowledged. A push left without an answer stays in its outbox
/// exactly as it was, and is sent again before anything else.
struct Writer {
    container: ProfileId,
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
    fn new(container: ProfileId) -> Self {
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
    /// up, sends its outbox (retrying until answered) and one more push. `head` is the
    /// account's head when the server (re)started: a push stored before then was stored before
    /// the kill.
    async fn run(&mut self, api: &Api, head: i64, until_killed: bool) {
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
        let head = api.head().await;
        let kill = async {
            sleep(Duration::from_millis(300 + 200 * cycle)).await;
            server.kill();
        };
        join(
            join_all(writers.iter_mut().map(|w| w.run(&api, head, true))),
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
    let head = api.head().await;
    join_all(writers.iter_mut().map(|w| w.run(&api, head, false))).await;
    assert!(writers.iter().all(|w| w.outbox.is_none()));

    let acks: Vec<Ack> = writers
        .iter()
        .flat_map(|w| w.acks.iter().cloned())
        .collect();
    let created = writers.iter().map(|w| w.created).sum();
    let (records, head) = api.everything().await;
    verify(&records, head, &acks, created);
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
        let mut stream = common::open_event_stream(&http, &server.base, &session).await;
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
