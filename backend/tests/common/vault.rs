//! Vault changes built the way a browser builds them (random bytes stand in for ciphertext: the
//! server cannot tell them apart), and push, pull, access and the event stream through the real
//! server.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use shared_types::account::{AccountBundle, ProfileKind};
use shared_types::api::ErrorBody;
use shared_types::vault::{
    ChangeNotice, Cursor, PullRequest, PullResponse, PushRequest, PushResponse, RecordChange,
    RecordKind, RefusalCode, Role, VaultRecord, WRAPPED_KEY_BYTES,
};
use shared_types::{AccountId, ChangeId, ContainerId, RecordId};

use super::TestServer;
use super::accounts::{Reply, error};
use super::random;

/// A change creating an item in `container`: a wrapped key and 200 bytes of sealed data.
pub fn new_item(container: ContainerId) -> RecordChange {
    RecordChange {
        change_id: ChangeId::new_v7(),
        id: RecordId::new_v7(),
        kind: RecordKind::Item,
        container_id: container,
        parent_id: None,
        base_revision: None,
        key: Some(random(WRAPPED_KEY_BYTES)),
        data: Some(random(200)),
        version: 1,
        mark: None,
    }
}

/// A change creating a folder in `container`.
pub fn new_folder(container: ContainerId) -> RecordChange {
    RecordChange {
        kind: RecordKind::Folder,
        key: None,
        ..new_item(container)
    }
}

/// A change saving a past version of `item` in `container`.
pub fn new_history(container: ContainerId, item: RecordId) -> RecordChange {
    RecordChange {
        kind: RecordKind::History,
        parent_id: Some(item),
        key: None,
        ..new_item(container)
    }
}

/// A new content for `record`, in its container, based on its revision.
pub fn edit(record: &VaultRecord) -> RecordChange {
    RecordChange {
        change_id: ChangeId::new_v7(),
        id: record.id,
        kind: record.kind,
        container_id: record.container_id,
        parent_id: record.parent_id,
        base_revision: Some(record.revision),
        key: (record.kind == RecordKind::Item).then(|| random(WRAPPED_KEY_BYTES)),
        data: Some(random(200)),
        version: record.version + 1,
        mark: None,
    }
}

/// The deletion of `record`, based on its revision, with a (random) deletion mark.
pub fn deletion(record: &VaultRecord) -> RecordChange {
    RecordChange {
        key: None,
        data: None,
        mark: Some(random(60)),
        ..edit(record)
    }
}

/// The containers of the account's (personal, business) profiles.
pub async fn profiles(server: &TestServer, session: &str) -> (ContainerId, ContainerId) {
    let account: Reply<AccountBundle> = server.get_as("/api/account", Some(session)).await;
    assert_eq!(account.status, StatusCode::OK);
    let find = |kind| {
        let profile = account.body.keys.profiles.iter().find(|p| p.kind == kind);
        ContainerId::from(profile.unwrap().id)
    };
    (find(ProfileKind::Personal), find(ProfileKind::Business))
}

/// Pushes `changes` and checks that the reply names each of them once: stored, in conflict or
/// refused.
pub async fn push(server: &TestServer, session: &str, changes: Vec<RecordChange>) -> PushResponse {
    let request = PushRequest { changes };
    let reply: Reply<PushResponse> = server
        .post("/api/vault/push", &request, Some(session))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let answer = reply.body;
    let mut answered: Vec<RecordId> = (answer.accepted.iter().map(|a| a.id))
        .chain(answer.conflicts.iter().map(|c| c.id))
        .chain(answer.refused.iter().map(|r| r.id))
        .collect();
    let mut sent: Vec<RecordId> = request.changes.iter().map(|c| c.id).collect();
    answered.sort_unstable();
    sent.sort_unstable();
    assert_eq!(answered, sent, "every change is answered once");
    answer
}

/// A push the server must refuse whole (400); returns its message.
pub async fn refused_whole(
    server: &TestServer,
    session: &str,
    body: &impl serde::Serialize,
) -> String {
    let reply: Reply<ErrorBody> = server.post("/api/vault/push", body, Some(session)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    assert_eq!(error(&reply).0, "bad_request");
    reply.body.message
}

/// The refused changes of a reply, with their codes.
pub fn refusals(reply: &PushResponse) -> Vec<(ChangeId, RefusalCode)> {
    reply
        .refused
        .iter()
        .map(|r| (r.change_id, r.code))
        .collect()
}

/// A pull of everything after these revisions (other containers from the start), and of the
/// whole access feed.
pub fn after(cursors: impl IntoIterator<Item = (ContainerId, i64)>) -> PullRequest {
    PullRequest {
        access_since: 0,
        cursors: (cursors.into_iter())
            .map(|(container_id, revision)| at(container_id, revision))
            .collect(),
    }
}

pub async fn pull(server: &TestServer, session: &str, request: &PullRequest) -> PullResponse {
    let reply: Reply<PullResponse> = server.post("/api/vault/pull", request, Some(session)).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.body
}

/// Everything the account can read, in one page.
pub async fn pull_all(server: &TestServer, session: &str) -> PullResponse {
    let all = pull(server, session, &PullRequest::default()).await;
    assert!(!all.more, "one page");
    all
}

/// Every page of a pull from the start, each page's request moving the cursors to the records
/// of the pages before, as a browser does.
pub async fn pull_pages(server: &TestServer, session: &str) -> Vec<PullResponse> {
    let mut cursors: BTreeMap<ContainerId, i64> = BTreeMap::new();
    let mut pages = Vec::new();
    loop {
        let request = after(cursors.clone());
        let page = pull(server, session, &request).await;
        for record in &page.records {
            cursors.insert(record.container_id, record.revision);
        }
        let more = page.more;
        pages.push(page);
        if !more {
            return pages;
        }
    }
}

/// The newest revision of each container, as a pull reported them.
pub fn heads(pulled: &PullResponse) -> BTreeMap<ContainerId, i64> {
    let heads: BTreeMap<_, _> = (pulled.heads.iter())
        .map(|c| (c.container_id, c.revision))
        .collect();
    assert_eq!(heads.len(), pulled.heads.len(), "one head per container");
    heads
}

/// Pushes one new item and returns it as stored.
pub async fn stored_item(
    server: &TestServer,
    session: &str,
    container: ContainerId,
) -> VaultRecord {
    let change = new_item(container);
    let id = change.id;
    let reply = push(server, session, vec![change]).await;
    assert_eq!(reply.accepted.len(), 1);
    record(server, session, id).await.unwrap()
}

/// The current version of one record, from a full pull: its live row, else a tombstone (a
/// record that moved keeps one in each container it left).
pub async fn record(server: &TestServer, session: &str, id: RecordId) -> Option<VaultRecord> {
    let rows: Vec<_> = (pull_all(server, session).await.records.into_iter())
        .filter(|r| r.id == id)
        .collect();
    let live = rows.iter().filter(|r| r.data.is_some()).count();
    assert!(live <= 1, "a record lives in one container");
    let live = rows.iter().position(|r| r.data.is_some());
    live.or((!rows.is_empty()).then_some(0))
        .map(|at| rows[at].clone())
}

/// Checks that a pulled record holds what a change sent.
pub fn assert_holds(record: &VaultRecord, change: &RecordChange) {
    assert_eq!(record.id, change.id);
    assert_eq!(record.kind, change.kind);
    assert_eq!(record.container_id, change.container_id);
    assert_eq!(record.parent_id, change.parent_id);
    assert_eq!(record.key, change.key);
    assert_eq!(record.data, change.data);
    assert_eq!(record.version, change.version);
    // A live record keeps no mark; a deletion keeps the one it came with.
    let mark = change.mark.as_ref().filter(|_| change.data.is_none());
    assert_eq!(record.mark.as_ref(), mark);
}

/// Gives `account` `role` in `container` (`None`: takes its access away), straight in the
/// database, as sharing will through its own endpoints.
pub async fn set_access(
    server: &TestServer,
    container: ContainerId,
    account: AccountId,
    role: Option<Role>,
) {
    use sea_orm::TransactionTrait;
    let db = server.database().await;
    let txn = db.begin().await.unwrap();
    backend::services::access::set_access(&txn, container, account, role)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    db.close().await.unwrap();
}

/// Opens `GET /api/vault/events` on the server at `base` with a session token, and checks that
/// it answers with an event stream.
pub async fn open_event_stream(
    http: &reqwest::Client,
    base: &str,
    session: &str,
) -> reqwest::Response {
    let response = http
        .get(format!("{base}/api/vault/events"))
        .header(
            "cookie",
            format!("{}={session}", backend::services::accounts::SESSION_COOKIE),
        )
        .send()
        .await
        .expect("the event stream request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/event-stream",
        "an event stream"
    );
    response
}

/// A browser's `GET /api/vault/events` stream, read event by event.
pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    pub async fn open(server: &TestServer, session: &str) -> Self {
        Self::open_at(&server.base, session).await
    }

    pub async fn open_at(base: &str, session: &str) -> Self {
        let response = open_event_stream(&reqwest::Client::new(), base, session).await;
        let mut stream = Self {
            response,
            buffer: String::new(),
        };
        // The stream says hello at once; after it, the server is listening for us.
        let hello = stream.next_block().await;
        assert!(hello.contains("retry:"), "{hello}");
        stream
    }

    /// The next block (up to a blank line), comments included.
    async fn next_block(&mut self) -> String {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block = self.buffer[..end].to_owned();
                self.buffer.drain(..end + 2);
                return block;
            }
            // A bound, not a timing check: a missing event fails the test instead of hanging it.
            let chunk =
                tokio::time::timeout(std::time::Duration::from_secs(20), self.response.chunk())
                    .await
                    .expect("an event within 20 s")
                    .unwrap()
                    .expect("the stream stays open");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The container and revision of the next `changed` event (skipping keep-alive comments).
    pub async fn next_change(&mut self) -> Option<Cursor> {
        loop {
            let block = self.next_block().await;
            if let Some(data) = block.strip_prefix("event: changed\ndata: ") {
                let notice: ChangeNotice = serde_json::from_str(data).unwrap();
                return notice.container;
            }
            assert!(
                block.starts_with(':'),
                "only comments besides events: {block}"
            );
        }
    }
}

/// Where a container's sequence stands.
pub fn at(container_id: ContainerId, revision: i64) -> Cursor {
    Cursor {
        container_id,
        revision,
    }
}
