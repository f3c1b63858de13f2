//! Strongroom's server: a thin HTTP API over the database, and the host of the built web app.
//! It stores only ciphertext, public keys and key wrappings; it never sees a plaintext secret.
//!
//! [`run`] starts the server on a listener the caller bound, so tests can use port 0.

pub mod auth;
pub mod authz;
pub mod db;
pub mod entity;
pub mod error;
pub mod mail;
pub mod migration;
pub mod origin;
pub mod routes;
pub mod services;
pub mod settings;
pub mod spa;
pub mod state;

use std::net::TcpListener;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, Next, from_fn};
use actix_web::{App, HttpServer, web};

use crate::settings::Settings;
use crate::spa::Spa;
use crate::state::AppState;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The settings are invalid.
    #[error(transparent)]
    Settings(#[from] settings::SettingsError),
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Database(#[from] db::DbOpenError),
    /// The mail transport could not be set up.
    #[error(transparent)]
    Mail(#[from] mail::MailError),
    /// The web app or the listener could not be set up.
    #[error("cannot start the server: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the database, applies migrations and returns the running server on `listener`. Await
/// the returned [`Server`] to serve until it is stopped (SIGINT/SIGTERM stop it gracefully).
pub async fn run(settings: Settings, listener: TcpListener) -> Result<Server, StartError> {
    settings.validate()?;
    let db = db::open(&settings.database()?).await?;
    tracing::info!(database = ?db::kind(&db), "database ready");
    let mailer = match &settings.smtp_url {
        Some(url) => mail::Mailer::smtp(url, settings.mail_from()?)?,
        None => {
            let folder = settings.mail_dir();
            tracing::info!(folder = %folder.display(), "no SMTP server set: mail is written to files");
            mail::Mailer::to_folder(&folder, settings.mail_from()?)?
        }
    };
    let keys = services::server_secret::ServerKeys::load(&db)
        .await
        .map_err(db::DbOpenError::Secrets)?;
    let notifier = services::notify::Notifier::new();
    if let settings::DatabaseTarget::Postgres(url) = settings.database()? {
        notifier.listen_to_other_instances(&url).await?;
    }
    actix_web::rt::spawn(end_event_streams_on_stop(notifier.clone()));
    let state = web::Data::new(AppState {
        db,
        mailer,
        keys: std::sync::Arc::new(keys),
        ip_limit_multiplier: i32::try_from(settings.ip_limit_multiplier).unwrap_or(i32::MAX),
        trusted_proxies: settings.trusted_proxies()?,
        notifier,
        metrics: std::sync::Arc::new(services::metrics::Metrics::new()),
        outbox: services::mail_outbox::Outbox::default(),
        public_url: match settings.public_url_checked()? {
            Some(url) => url,
            None => format!("http://{}", listener.local_addr()?),
        },
    });
    // On the runtime itself rather than actix's local task set: at shutdown the runtime drops
    // it inside its own context, where the database pool can take its connection back.
    tokio::spawn(services::mail_outbox::run(state.clone()));
    if let Some(addr) = settings.metrics_addr()? {
        serve_metrics(addr, state.clone())?;
    }
    let spa = web::Data::new(Spa::load(&settings.static_dir)?);

    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(spa.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(routes::wire::MAX_BODY)
                    .error_handler(|e, _| error::json_error(e)),
            )
            .app_data(web::PayloadConfig::new(routes::wire::MAX_BODY))
            .app_data(web::PathConfig::default().error_handler(|e, _| error::address_error(e)))
            .app_data(web::QueryConfig::default().error_handler(|e, _| error::address_error(e)))
            .wrap(from_fn(origin::same_origin_writes))
            .wrap(spa::security_headers(spa.csp()))
            .wrap(Compress::default())
            .wrap(from_fn(log_request))
            .configure(routes::configure)
            // index.html must never be cached: it names the current hashed wasm and JS files.
            .route("/", web::get().to(spa::index))
            .route("/index.html", web::get().to(spa::index))
            .service(
                actix_files::Files::new("/", spa.dir())
                    .index_file("index.html")
                    .use_etag(true)
                    .default_handler(web::to(spa::fallback)),
            )
            .default_service(web::to(spa::fallback))
    })
    .listen(listener)?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}

/// Serves `GET /metrics` on `addr` alone, beside the main server; it stops with the process
/// (on SIGTERM or SIGINT, like the main server).
fn serve_metrics(addr: std::net::SocketAddr, state: web::Data<AppState>) -> std::io::Result<()> {
    async fn metrics(state: web::Data<AppState>) -> actix_web::HttpResponse {
        actix_web::HttpResponse::Ok()
            .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
            .body(state.metrics.render())
    }
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(metrics))
    })
    .workers(1)
    .bind(addr)?
    .run();
    tracing::info!(%addr, "metrics served at /metrics");
    actix_web::rt::spawn(server);
    Ok(())
}

/// On SIGTERM (which also starts actix's graceful stop) or SIGINT (actix's immediate stop),
/// ends the open event streams: the graceful stop waits for open connections, and a stream
/// would otherwise hold it for the whole shutdown timeout and then be cut.
async fn end_event_streams_on_stop(notifier: services::notify::Notifier) {
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot watch for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = terminate => {}
        () = interrupt => {}
    }
    tracing::info!("stopping: ending the event streams");
    notifier.stop();
}

/// Logs method, path (never the query string), status and duration of every request.
async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();
    let res = next.call(req).await?;
    tracing::info!(
        %method,
        %path,
        status = res.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    Ok(res)
}
