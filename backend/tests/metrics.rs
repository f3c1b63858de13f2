//! `GET /metrics` for operators: off unless `metrics_bind` names an address, served only there,
//! and counting what the vault's sync did.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::TcpListener;

use common::TestServer;
use common::vault::{new_item, open_event_stream, profiles, pull_all, push};
use reqwest::StatusCode;
use shared_types::vault::RollbackReport;

const PASSWORD: &str = "correct horse battery staple";

fn free_address() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

async fn metrics_at(address: &str) -> String {
    let res = reqwest::get(format!("http://{address}/metrics"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    res.text().await.unwrap()
}

fn value(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("{name} in\n{text}"))
        .parse()
        .unwrap()
}

#[actix_web::test]
async fn metrics_count_the_sync_on_their_own_address_only() {
    let address = free_address();
    let configured = address.clone();
    let server = TestServer::start_configured(common::Flavor::Sqlite, move |s| {
        s.metrics_bind = Some(configured);
    })
    .await
    .unwrap();
    let (_, session) = server.signed_up("ann@example.com", PASSWORD).await;
    let (personal, _) = profiles(&server, &session).await;
    let item = new_item(personal);
    push(&server, &session, vec![item.clone()]).await;
    // The same record created again: a conflict.
    let mut again = new_item(personal);
    again.id = item.id;
    push(&server, &session, vec![again]).await;
    pull_all(&server, &session).await;
    let _stream = open_event_stream(&server.client, &server.base, &session).await;
    let reported: common::accounts::Reply<()> = server
        .post(
            "/api/vault/rollbacks",
            &RollbackReport { records: 3 },
            Some(&session),
        )
        .await;
    assert_eq!(reported.status, StatusCode::NO_CONTENT);

    let text = metrics_at(&address).await;
    assert_eq!(value(&text, "strongroom_vault_pushes_total"), 2.0);
    assert_eq!(value(&text, "strongroom_vault_conflicts_total"), 1.0);
    assert_eq!(value(&text, "strongroom_vault_refusals_total"), 0.0);
    assert!(value(&text, "strongroom_vault_pulls_total") >= 1.0);
    assert_eq!(
        value(&text, "strongroom_vault_rollbacks_reported_total"),
        1.0
    );
    assert_eq!(value(&text, "strongroom_vault_open_event_streams"), 1.0);
    assert_eq!(
        value(&text, "strongroom_vault_push_duration_seconds_count"),
        2.0
    );

    // Not on the public address.
    let public = server.get("/metrics").await.text().await.unwrap();
    assert!(!public.contains("strongroom_vault"), "{public}");
}

#[actix_web::test]
async fn reporting_a_rollback_needs_a_session() {
    let server = TestServer::start(common::Flavor::Sqlite).await.unwrap();
    let reply: common::accounts::Reply<shared_types::api::ErrorBody> = server
        .post("/api/vault/rollbacks", &RollbackReport { records: 1 }, None)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn without_metrics_bind_nothing_listens_for_metrics() {
    let server = TestServer::start(common::Flavor::Sqlite).await.unwrap();
    assert_eq!(server.settings.metrics_bind, None);
    let public = server.get("/metrics").await.text().await.unwrap();
    assert!(!public.contains("strongroom_vault"));
}
