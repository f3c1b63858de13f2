//! Checkpoints through the real server, on SQLite and PostgreSQL: a checkpoint is stored only
//! by an account that can write the container and only while the container is at the revision
//! it describes; every reader is served the newest with each pull, and nobody else is.
#![allow(clippy::unwrap_used)]

mod common;

use common::accounts::{Reply, error};
use common::random;
use common::vault::{profiles, pull_all, set_access, stored_item};
use reqwest::StatusCode;
use shared_types::ContainerId;
use shared_types::account::codes;
use shared_types::api::ErrorBody;
use shared_types::vault::{Checkpoint, CheckpointRequest, CheckpointResponse, Role};

const PASSWORD: &str = "correct horse battery staple";

fn checkpoint(container: ContainerId, revision: i64) -> Checkpoint {
    Checkpoint {
        container_id: container,
        revision,
        sealed: random(80),
    }
}

async fn send(
    server: &common::TestServer,
    session: &str,
    checkpoints: Vec<Checkpoint>,
) -> Vec<ContainerId> {
    let reply: Reply<CheckpointResponse> = server
        .post(
            "/api/vault/checkpoints",
            &CheckpointRequest { checkpoints },
            Some(session),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.body.stored
}

/// The checkpoints a full pull serves to `session`.
async fn served(server: &common::TestServer, session: &str) -> Vec<Checkpoint> {
    pull_all(server, session).await.checkpoints
}

on_both_databases! {
    async fn checkpoints_need_a_session(server) {
        let body = CheckpointRequest { checkpoints: vec![] };
        for cookie in [None, Some("not-a-session")] {
            let reply: Reply<ErrorBody> = server.post("/api/vault/checkpoints", &body, cookie).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
            assert_eq!(error(&reply).0, codes::UNAUTHENTICATED);
        }
    }

    async fn a_checkpoint_is_stored_only_at_its_containers_head_and_served_until_replaced(server) {
        let (_, ann) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, business) = profiles(&server, &ann).await;
        assert!(served(&server, &ann).await.is_empty());
        let first = stored_item(&server, &ann, personal).await;
        // Behind the head, or ahead of it: nothing stored.
        assert!(send(&server, &ann, vec![checkpoint(personal, first.revision + 1)]).await.is_empty());
        let at_head = checkpoint(personal, first.revision);
        assert_eq!(send(&server, &ann, vec![at_head.clone()]).await, vec![personal]);
        assert_eq!(served(&server, &ann).await, vec![at_head.clone()]);
        // A push moves the head: a checkpoint of the old head is refused, the stored one is
        // still served (a browser compares only one at its own cursor).
        stored_item(&server, &ann, personal).await;
        let late = checkpoint(personal, first.revision);
        assert!(send(&server, &ann, vec![late]).await.is_empty());
        assert_eq!(served(&server, &ann).await, vec![at_head]);
        // One per container, each on its own.
        let newer = checkpoint(personal, first.revision + 1);
        let stale = checkpoint(business, 5);
        assert_eq!(send(&server, &ann, vec![newer.clone(), stale]).await, vec![personal]);
        assert_eq!(served(&server, &ann).await, vec![newer]);
    }

    async fn only_writers_store_checkpoints_and_only_readers_are_served_them(server) {
        let (_, ann) = server.signed_up("ann@example.com", PASSWORD).await;
        let (bob_user, bob) = server.signed_up("bob@example.com", PASSWORD).await;
        let (_, cat) = server.signed_up("cat@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &ann).await;
        stored_item(&server, &ann, personal).await;
        let bob_id = bob_user.account_id;
        set_access(&server, personal, bob_id, Some(Role::Read)).await;
        // Neither a reader nor a stranger may store one.
        for session in [&bob, &cat] {
            assert!(send(&server, session, vec![checkpoint(personal, 1)]).await.is_empty());
        }
        assert!(served(&server, &ann).await.is_empty());
        let stored = checkpoint(personal, 1);
        assert_eq!(send(&server, &ann, vec![stored.clone()]).await, vec![personal]);
        assert_eq!(served(&server, &bob).await, vec![stored]);
        assert!(served(&server, &cat).await.is_empty(), "never to a stranger");
        set_access(&server, personal, bob_id, None).await;
        assert!(served(&server, &bob).await.is_empty(), "not once access is gone");
    }

    async fn malformed_checkpoint_requests_are_refused_whole(server) {
        let (_, ann) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &ann).await;
        stored_item(&server, &ann, personal).await;
        let good = checkpoint(personal, 1);
        let cases = [
            (vec![good.clone(), good.clone()], "one checkpoint per container"),
            (vec![Checkpoint { revision: 0, ..good.clone() }], "1 or more"),
            (vec![Checkpoint { sealed: random(257), ..good.clone() }], "at most 256 bytes"),
            (vec![Checkpoint { sealed: random(10), ..good.clone() }], "at most 256 bytes"),
        ];
        for (checkpoints, expected) in cases {
            let reply: Reply<ErrorBody> = server
                .post("/api/vault/checkpoints", &CheckpointRequest { checkpoints }, Some(&ann))
                .await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST);
            assert!(reply.body.message.contains(expected), "{}", reply.body.message);
        }
        assert!(served(&server, &ann).await.is_empty(), "nothing stored");
    }
}
