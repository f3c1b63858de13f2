//! Starts the real server on port 0 with a fresh database: a temporary SQLite file, or a new
//! database on the PostgreSQL server named by `STRONGROOM_TEST_POSTGRES_URL` (the README's test
//! command starts a local one). Without that variable the PostgreSQL tests fail, unless
//! `STRONGROOM_TEST_SKIP_POSTGRES=1` says to skip them on purpose.
#![allow(clippy::unwrap_used, dead_code)]

pub mod accounts;
pub mod ledger;
pub mod orgs;
pub mod running;
pub mod sharing;
pub mod vault;

use std::net::TcpListener;

use actix_web::dev::ServerHandle;
use backend::settings::Settings;
use sea_orm::{ConnectionTrait, Database};

/// Random bytes: the server cannot tell them from a sealed blob, and never opens one.
pub fn random(len: usize) -> shared_types::Base64Bytes {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).unwrap();
    shared_types::Base64Bytes(bytes)
}

/// Which database a test server runs on.
#[derive(Debug, Clone, Copy)]
pub enum Flavor {
    Sqlite,
    Postgres,
}

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    handle: ServerHandle,
    pub settings: Settings,
    _dir: tempfile::TempDir,
}

pub const INDEX_HTML: &str = "<!doctype html><html><head><title>Strongroom</title>\
<script type=\"module\">import init from '/app.js'; await init();</script></head><body></body></html>";

/// A PostgreSQL URL for a brand-new database, or `None` when skipping on purpose.
pub async fn fresh_postgres_url() -> Option<String> {
    if std::env::var("STRONGROOM_TEST_SKIP_POSTGRES").as_deref() == Ok("1") {
        eprintln!("SKIPPING PostgreSQL: STRONGROOM_TEST_SKIP_POSTGRES=1");
        return None;
    }
    let admin_url = std::env::var("STRONGROOM_TEST_POSTGRES_URL").expect(
        "set STRONGROOM_TEST_POSTGRES_URL to a PostgreSQL server URL (the README's test command starts one), \
         or STRONGROOM_TEST_SKIP_POSTGRES=1 to skip the PostgreSQL tests",
    );
    let name = format!("strongroom_test_{}", uuid::Uuid::now_v7().simple());
    let admin = Database::connect(&admin_url).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    Some(format!("{base}/{name}"))
}

impl TestServer {
    /// Starts a server with a temporary data folder and a built-app stand-in.
    pub async fn start(flavor: Flavor) -> Option<Self> {
        Self::start_configured(flavor, |_| {}).await
    }

    /// [`Self::start`], with settings changed by `configure` first.
    pub async fn start_configured(
        flavor: Flavor,
        configure: impl FnOnce(&mut Settings),
    ) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let database_url = match flavor {
            Flavor::Sqlite => None,
            Flavor::Postgres => Some(fresh_postgres_url().await?),
        };
        let static_dir = dir.path().join("dist");
        std::fs::create_dir_all(&static_dir).unwrap();
        std::fs::write(static_dir.join("index.html"), INDEX_HTML).unwrap();
        std::fs::write(
            static_dir.join("app.js"),
            "export default function init() {}",
        )
        .unwrap();
        let mut settings = Settings {
            bind: "127.0.0.1:0".into(),
            data_dir: dir.path().join("data"),
            database_url,
            static_dir,
            log: "warn".into(),
            ..Default::default()
        };
        configure(&mut settings);
        Some(Self::start_with(settings, dir).await)
    }

    pub async fn start_with(settings: Settings, dir: tempfile::TempDir) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = backend::run(settings.clone(), listener).await.unwrap();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            base,
            client: reqwest::Client::new(),
            handle,
            settings,
            _dir: dir,
        }
    }

    /// Another instance on the same database (PostgreSQL only: each SQLite test server has its
    /// own file), with its own data folder.
    pub async fn sibling(&self) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            data_dir: dir.path().join("data"),
            ..self.settings.clone()
        };
        Self::start_with(settings, dir).await
    }

    /// A connection of the test's own to the server's database, for what no endpoint does
    /// (yet), such as granting an account access to a container.
    pub async fn database(&self) -> sea_orm::DatabaseConnection {
        backend::db::open(&self.settings.database().unwrap())
            .await
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// Stops the server gracefully and returns its data folder for a restart.
    pub async fn stop(self) -> (Settings, tempfile::TempDir) {
        self.handle.stop(true).await;
        (self.settings, self._dir)
    }
}

/// Runs an async test body once on SQLite and once on PostgreSQL. After the server's name, a
/// closure may change the server's settings: `async fn name(server, |s| s.log = "info".into())`.
#[macro_export]
macro_rules! on_both_databases {
    (@configure) => { |_: &mut backend::settings::Settings| {} };
    (@configure $configure:expr) => { $configure };
    ($(async fn $name:ident($server:ident $(, $configure:expr)?) $body:block)*) => {$(
        mod $name {
            use super::*;
            async fn body($server: common::TestServer) $body

            #[actix_web::test]
            async fn sqlite() {
                let server = common::TestServer::start_configured(
                    common::Flavor::Sqlite,
                    $crate::on_both_databases!(@configure $($configure)?),
                );
                body(server.await.unwrap()).await;
            }

            #[actix_web::test]
            async fn postgres() {
                let server = common::TestServer::start_configured(
                    common::Flavor::Postgres,
                    $crate::on_both_databases!(@configure $($configure)?),
                );
                if let Some(server) = server.await {
                    body(server).await;
                }
            }
        }
    )*};
}
