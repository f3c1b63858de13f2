//! The server as a client sees it: health, the built app, security headers, error bodies and a
//! restart on the same data. Each test runs on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use backend::migration::Migrator;
use sea_orm_migration::MigratorTrait;
use shared_types::api::{DatabaseKind, ErrorBody, HealthResponse};

fn schema_version() -> u32 {
    Migrator::migrations().len() as u32
}

on_both_databases! {
    async fn health_reports_the_database_and_schema(server) {
        let res = server.get("/api/health").await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let health: HealthResponse = res.json().await.unwrap();
        assert_eq!(health.status, "ok");
        assert_eq!(health.schema_version, schema_version());
        let expected = if server.settings.database_url.is_some() { DatabaseKind::Postgres } else { DatabaseKind::Sqlite };
        assert_eq!(health.database, expected);
    }

    async fn every_response_carries_the_security_headers(server) {
        for path in ["/", "/api/health", "/app.js", "/api/nothing-here", "/vault/items"] {
            let res = server.get(path).await;
            let headers = res.headers();
            let csp = headers["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(csp.contains("'wasm-unsafe-eval'"), "{path}: {csp}");
            assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
            assert_eq!(headers["x-frame-options"], "DENY", "{path}");
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
            assert!(headers["strict-transport-security"].to_str().unwrap().contains("max-age="), "{path}");
            if path.starts_with("/api/") {
                assert_eq!(headers["cache-control"], "no-store", "{path}");
            }
        }
    }

    async fn the_csp_allows_exactly_the_inline_loader_script(server) {
        use base64::Engine as _;
        use sha2::Digest as _;
        let res = server.get("/").await;
        assert_eq!(res.headers()["cache-control"], "no-cache");
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
        let body = res.text().await.unwrap();
        assert_eq!(body, common::INDEX_HTML);
        let script = "import init from '/app.js'; await init();";
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
        let script_src = csp
            .split(';')
            .map(str::trim)
            .find_map(|directive| directive.strip_prefix("script-src "))
            .unwrap();
        assert_eq!(script_src, format!("'self' 'wasm-unsafe-eval' 'sha256-{hash}'"));
    }

    async fn app_routes_get_the_app_and_missing_files_get_404(server) {
        let res = server.get("/settings/browsers").await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-cache");
        assert_eq!(res.text().await.unwrap(), common::INDEX_HTML);
        assert_eq!(server.get("/webapp-0123abcd_bg.wasm").await.status(), 404);
        let js = server.get("/app.js").await;
        assert_eq!(js.status(), 200);
        assert!(js.headers()["content-type"].to_str().unwrap().contains("javascript"));
    }

    async fn unknown_api_paths_and_methods_get_a_json_error_body(server) {
        let res = server.get("/api/does-not-exist").await;
        assert_eq!(res.status(), 404);
        let body: ErrorBody = res.json().await.unwrap();
        assert_eq!(body.code, "not_found");
        // A method the route does not take falls through to the same reply.
        let res = server.client.post(server.url("/api/health")).body("{").send().await.unwrap();
        assert_eq!(res.status(), 404);
        let body: ErrorBody = res.json().await.unwrap();
        assert_eq!(body.code, "not_found");
    }

    async fn a_restart_on_the_same_data_keeps_the_schema_and_secrets(server) {
        let db_before = backend::db::open(&server.settings.database().unwrap()).await.unwrap();
        let secret = backend::services::server_secret::get_or_create(&db_before, "restart-test").await.unwrap();
        drop(db_before);
        let (settings, dir) = server.stop().await;
        let again = common::TestServer::start_with(settings, dir).await;
        let health: HealthResponse = again.get("/api/health").await.json().await.unwrap();
        assert_eq!(health.schema_version, schema_version());
        let db_after = backend::db::open(&again.settings.database().unwrap()).await.unwrap();
        let kept = backend::services::server_secret::get_or_create(&db_after, "restart-test").await.unwrap();
        assert_eq!(kept, secret);
    }
}

#[actix_web::test]
async fn gzip_is_used_when_the_browser_accepts_it() {
    let server = common::TestServer::start(common::Flavor::Sqlite)
        .await
        .unwrap();
    let body = "x".repeat(20_000);
    std::fs::write(server.settings.static_dir.join("big.js"), &body).unwrap();
    let res = server
        .client
        .get(server.url("/big.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
}

#[actix_web::test]
async fn a_server_without_a_built_app_says_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let settings = backend::settings::Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: dir.path().join("data"),
        database_url: None,
        static_dir: dir.path().join("no-dist"),
        log: "warn".into(),
        ..Default::default()
    };
    let server = common::TestServer::start_with(settings, dir).await;
    let res = server.get("/").await;
    assert_eq!(res.status(), 503);
    assert!(res.text().await.unwrap().contains("trunk build"));
    assert_eq!(server.get("/api/health").await.status(), 200);
}

#[actix_web::test]
async fn an_unreachable_database_stops_start_up_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let settings = backend::settings::Settings {
        database_url: Some("postgres://nobody@127.0.0.1:1/none".into()),
        data_dir: dir.path().join("data"),
        ..Default::default()
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let err = backend::run(settings, listener).await.err().unwrap();
    assert!(
        err.to_string().contains("cannot open the database"),
        "{err}"
    );
}

/// Instances started at the same moment on one new PostgreSQL database (a rolling deploy, or
/// several replicas) all come up, and each migration is applied once: one instance migrates
/// while the others wait for its lock.
#[actix_web::test]
async fn instances_starting_at_once_on_one_postgresql_migrate_it_once() {
    let Some(url) = common::fresh_postgres_url().await else {
        return;
    };
    let target = backend::settings::DatabaseTarget::Postgres(url);
    let opened = futures_util::future::join_all((0..4).map(|_| backend::db::open(&target))).await;
    for db in &opened {
        assert!(db.is_ok(), "{:?}", db.as_ref().err());
    }
    let db = opened.into_iter().next().unwrap().unwrap();
    let applied = Migrator::get_applied_migrations(&db).await.unwrap();
    assert_eq!(applied.len() as u32, schema_version());
    let names: std::collections::BTreeSet<_> = applied.iter().map(|m| m.name()).collect();
    assert_eq!(names.len(), applied.len(), "no migration recorded twice");
}
