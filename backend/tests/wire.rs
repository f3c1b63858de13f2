//! The vault's binary wire through the real server, on SQLite and PostgreSQL: pushes and pulls
//! in postcard, answered uncompressed however much compression the client accepts; the same
//! records as in JSON; a malformed binary body refused with a clear error.
#![allow(clippy::unwrap_used)]

mod common;

use common::vault::{assert_holds, new_item, profiles, pull_all};
use reqwest::StatusCode;
use shared_types::api::ErrorBody;
use shared_types::vault::{PullRequest, PullResponse, PushRequest, PushResponse};

const PASSWORD: &str = "correct horse battery staple";

/// What Chromium sends as `Accept-Encoding`.
const BROWSER_ENCODINGS: &str = "gzip, deflate, br, zstd";

/// Sends `body` to `path` in the binary wire, asking for a binary reply and accepting the
/// `compression` given (reqwest here decompresses nothing, so a compressed reply shows).
async fn binary_post(
    server: &common::TestServer,
    path: &str,
    session: &str,
    body: Vec<u8>,
    compression: &str,
) -> reqwest::Response {
    server
        .client
        .post(server.url(path))
        .header("content-type", shared_types::vault::BINARY_WIRE)
        .header("accept", shared_types::vault::BINARY_WIRE)
        .header("accept-encoding", compression)
        .header(
            "cookie",
            format!("{}={session}", backend::services::accounts::SESSION_COOKIE),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

on_both_databases! {
    async fn the_binary_wire_carries_pushes_and_pulls_uncompressed(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        let (personal, _) = profiles(&server, &session).await;
        let change = new_item(personal);
        let request = PushRequest { changes: vec![change.clone()] };
        let reply = binary_post(&server, "/api/vault/push", &session, postcard::to_allocvec(&request).unwrap(), BROWSER_ENCODINGS).await;
        assert_eq!(reply.status(), StatusCode::OK);
        assert_eq!(reply.headers()["content-type"], shared_types::vault::BINARY_WIRE);
        let pushed: PushResponse = postcard::from_bytes(&reply.bytes().await.unwrap()).unwrap();
        assert_eq!(pushed.accepted.len(), 1);

        let pull = postcard::to_allocvec(&PullRequest::default()).unwrap();
        let reply = binary_post(&server, "/api/vault/pull", &session, pull, BROWSER_ENCODINGS).await;
        assert_eq!(reply.status(), StatusCode::OK);
        // Sealed bytes do not compress: the binary reply is sent as it is.
        assert!(reply.headers().get("content-encoding").is_none_or(|e| e == "identity"));
        let page: PullResponse = postcard::from_bytes(&reply.bytes().await.unwrap()).unwrap();
        assert_eq!(page.records.len(), 1);
        assert_holds(&page.records[0], &change);
        // The same page in JSON is what a client that does not ask for the binary wire gets.
        assert_eq!(pull_all(&server, &session).await.records, page.records);
    }

    async fn a_malformed_binary_body_is_refused_with_a_clear_error(server) {
        let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
        for path in ["/api/vault/push", "/api/vault/pull"] {
            let reply = binary_post(&server, path, &session, vec![0xff; 7], "identity").await;
            assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
            let body: ErrorBody = reply.json().await.unwrap();
            assert!(body.message.contains("not a valid"), "{}", body.message);
        }
        assert!(pull_all(&server, &session).await.records.is_empty());
    }
}
