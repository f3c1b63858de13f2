//! The ledger the sync durability tests keep: every change a browser sent and the server
//! acknowledged, checked at the end against what a full pull returns (`sync_durability.rs`
//! lists what must hold). The browsers talk to a server through [`Api`], which works for a test
//! server and for the `strongroom` binary run as a child process alike.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use actix_web::rt::time::sleep;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use shared_types::account::{AccountBundle, ProfileKind};
use shared_types::vault::{
    PullRequest, PullResponse, PushRequest, PushResponse, RecordChange, VaultRecord,
};
use shared_types::{ChangeId, ContainerId, RecordId};

use super::vault::{after, heads, new_item};

/// A new content for an item, based on the revision the browser knows.
pub fn edit(id: RecordId, container: ContainerId, base: i64) -> RecordChange {
    RecordChange {
        id,
        base_revision: Some(base),
        ..new_item(container)
    }
}

/// The deletion of an item, based on the revision the browser knows.
pub fn deletion(id: RecordId, container: ContainerId, base: i64) -> RecordChange {
    RecordChange {
        key: None,
        data: None,
        ..edit(id, container, base)
    }
}

/// A change the server acknowledged, and the revision it was stored at.
#[derive(Debug, Clone)]
pub struct Ack {
    pub change: RecordChange,
    pub revision: i64,
}

/// Checks that a reply answers every change of its request exactly once (stored, or a conflict
/// about its record), and returns the stored ones.
pub fn settle(request: &PushRequest, reply: &PushResponse) -> Vec<Ack> {
    assert!(
        reply.refused.is_empty(),
        "nothing refused: {:?}",
        reply.refused
    );
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
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub session: String,
}

impl Api {
    pub fn cookie(&self) -> String {
        format!(
            "{}={}",
            backend::services::accounts::SESSION_COOKIE,
            self.session
        )
    }

    /// Sends a push. `Err` means no answer came (the connection failed or broke): the push is
    /// unacknowledged. An answer other than 200 fails the test.
    pub async fn push(&self, request: &PushRequest) -> Result<PushResponse, reqwest::Error> {
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
    pub async fn push_answered(&self, request: &PushRequest) -> PushResponse {
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

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> T {
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

    pub async fn pull(&self, request: &PullRequest) -> PullResponse {
        let res = self
            .http
            .post(format!("{}/api/vault/pull", self.base))
            .header("cookie", self.cookie())
            .json(request)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "a pull");
        res.json().await.unwrap()
    }

    /// Every record, page after page, and the heads of the last page.
    pub async fn everything(&self) -> (Vec<VaultRecord>, BTreeMap<ContainerId, i64>) {
        let mut records: Vec<VaultRecord> = Vec::new();
        let mut cursors: BTreeMap<ContainerId, i64> = BTreeMap::new();
        loop {
            let page = self.pull(&after(cursors.clone())).await;
            let heads = heads(&page);
            for record in &page.records {
                assert!(record.revision <= heads[&record.container_id]);
                cursors.insert(record.container_id, record.revision);
            }
            records.extend(page.records);
            if !page.more {
                return (records, heads);
            }
        }
    }

    /// The newest revision of each container the account can read.
    pub async fn heads(&self) -> BTreeMap<ContainerId, i64> {
        let [personal, business] = self.profiles().await;
        let past_everything = [(personal, i64::MAX), (business, i64::MAX)];
        heads(&self.pull(&after(past_everything)).await)
    }

    /// The account's (personal, business) profile ids.
    pub async fn profiles(&self) -> [ContainerId; 2] {
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
        [find(ProfileKind::Personal), find(ProfileKind::Business)].map(ContainerId::from)
    }
}

/// Compares the server's records with the ledger of acknowledged changes (what it checks is
/// listed at the top of `sync_durability.rs`). `created` is how many records the browsers
/// created.
pub fn verify(
    records: &[VaultRecord],
    heads: &BTreeMap<ContainerId, i64>,
    acks: &[Ack],
    created: usize,
) {
    let mut revisions = HashSet::new();
    for record in records {
        assert!(
            revisions.insert((record.container_id, record.revision)),
            "revision {} twice",
            record.revision
        );
        assert!(record.revision <= heads[&record.container_id]);
    }

    // One revision per change id (a change acknowledged twice got the same one), and one
    // change per revision of a container.
    let mut by_change: HashMap<ChangeId, &Ack> = HashMap::new();
    let mut by_revision: HashMap<(ContainerId, i64), ChangeId> = HashMap::new();
    for ack in acks {
        assert!(
            ack.revision <= heads[&ack.change.container_id],
            "an acknowledged revision beyond the head"
        );
        if let Some(first) = by_change.insert(ack.change.change_id, ack) {
            assert_eq!(first.revision, ack.revision, "a change stored twice");
        }
        let owner = by_revision
            .entry((ack.change.container_id, ack.revision))
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
