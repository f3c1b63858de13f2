//! The vault records of the containers the signed-in account can read: pull what changed after
//! each container's cursor, push changes, and listen for changes made elsewhere. Which
//! containers those are is decided by the access gate (`services::access`) inside each call.

use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::stream;
use shared_types::vault::{
    ChangeNotice, CheckpointRequest, Cursor, PullRequest, PushRequest, RollbackReport,
};

use super::table::{Registrar, Scope, get, post};
use super::wire::{self, VaultBody};
use crate::auth::AuthSession;
use crate::error::ApiError;
use crate::services::metrics::OpenStream;
use crate::services::notify::{Notice, Subscription};
use crate::services::vault;
use crate::state::AppState;

/// How often an idle event stream sends a comment, so that proxies keep it open and a browser
/// that went away is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(25);
/// How long one event stream lasts. The browser reconnects at once, which checks its session
/// again: a stream never outlives a signed-out session by more than this.
const STREAM_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// How long a browser waits before reconnecting a closed stream (the SSE `retry` field).
const RECONNECT_MS: u32 = 2000;

/// Declares the routes (see `routes::table`).
pub fn declare(r: &mut impl Registrar) {
    r.add(post("/vault/pull", Scope::Account), pull);
    r.add(post("/vault/push", Scope::Account), push);
    r.add(post("/vault/checkpoints", Scope::Account), checkpoints);
    r.add(post("/vault/rollbacks", Scope::Account), rollbacks);
    r.add(get("/vault/events", Scope::Account), events);
}

async fn pull(
    state: web::Data<AppState>,
    session: AuthSession,
    req: HttpRequest,
    body: VaultBody<PullRequest>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let page = vault::pull(&state.db, session.0.account_id, body.0).await?;
    let response = wire::reply(&req, &page);
    state.metrics.pulled(started.elapsed());
    response
}

async fn push(
    state: web::Data<AppState>,
    session: AuthSession,
    req: HttpRequest,
    body: VaultBody<PushRequest>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let reply = vault::push(&state.db, &state.notifier, session.0.account_id, body.0).await?;
    state.metrics.pushed(
        started.elapsed(),
        reply.conflicts.len(),
        reply.refused.len(),
    );
    wire::reply(&req, &reply)
}

/// Checkpoints of containers a browser holds all of (see `services::vault::checkpoint`).
async fn checkpoints(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<CheckpointRequest>,
) -> Result<HttpResponse, ApiError> {
    let reply =
        vault::store_checkpoints(&state.db, session.0.account_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(reply))
}

/// A browser found this server serving older data than it had seen. Logged and counted for
/// the operator (a restore from an old backup, or tampering); nothing else changes.
async fn rollbacks(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<RollbackReport>,
) -> HttpResponse {
    tracing::warn!(
        account = %session.0.account_id,
        records = body.records,
        "a browser found the vault older than it had seen it (restored from a backup, or tampered with)"
    );
    state.metrics.rollback_reported();
    HttpResponse::NoContent().finish()
}

/// A stream of server-sent events: a `changed` event (data: a [`ChangeNotice`]) whenever a
/// container the account can read changes, from any browser and on any instance. It ends after
/// [`STREAM_LIFETIME`] and the browser reconnects.
async fn events(state: web::Data<AppState>, session: AuthSession) -> HttpResponse {
    let feed = Feed {
        _open: state.metrics.stream_opened(),
        subscription: state.notifier.subscribe(session.0.account_id),
        stopped: Box::pin(state.notifier.stopped()),
        started: false,
        ends: actix_web::rt::time::Instant::now() + STREAM_LIFETIME,
    };
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // Sent as it comes: not compressed (which would hold events back), not buffered by a
        // proxy.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream::unfold(feed, Feed::next))
}

struct Feed {
    /// Counted as open while the stream lasts.
    _open: OpenStream,
    subscription: Subscription,
    /// The server is stopping: the stream ends (the browser reconnects to another instance,
    /// or to this one once it is back).
    stopped: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>,
    started: bool,
    ends: actix_web::rt::time::Instant,
}

impl Feed {
    async fn next(mut self) -> Option<(Result<Bytes, std::convert::Infallible>, Self)> {
        if !self.started {
            // Sent at once, so the browser knows the stream is open.
            self.started = true;
            let hello = format!("retry: {RECONNECT_MS}\n: listening\n\n");
            return Some((Ok(Bytes::from(hello)), self));
        }
        let chunk = tokio::select! {
            notice = self.subscription.next() => event(notice),
            () = actix_web::rt::time::sleep(KEEP_ALIVE) => ": keep-alive\n\n".to_owned(),
            () = actix_web::rt::time::sleep_until(self.ends) => return None,
            () = &mut self.stopped => return None,
        };
        Some((Ok(Bytes::from(chunk)), self))
    }
}

fn event(notice: Notice) -> String {
    let container = match notice {
        Notice::Changed(container_id, revision) => Some(Cursor {
            container_id,
            revision,
        }),
        Notice::Resync => None,
    };
    let data =
        serde_json::to_string(&ChangeNotice { container }).expect("a notice always serialises");
    format!("event: changed\ndata: {data}\n\n")
}
