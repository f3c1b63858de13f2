//! The signed-in account's vault records: pull what changed after a revision, push changes,
//! and listen for changes made elsewhere.

use std::time::Duration;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, get, post, web};
use futures_util::stream;
use serde::Deserialize;
use shared_types::vault::{ChangeNotice, PushRequest};

use crate::auth::AuthSession;
use crate::error::ApiError;
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

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(records).service(push).service(events);
}

/// `?since=N`: the last revision the browser has; 0 (the default) for everything.
#[derive(Debug, Deserialize)]
struct Since {
    #[serde(default)]
    since: i64,
}

#[get("/vault/records")]
async fn records(
    state: web::Data<AppState>,
    session: AuthSession,
    query: web::Query<Since>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(vault::pull(&state.db, session.0.account_id, query.since).await?))
}

#[post("/vault/push")]
async fn push(
    state: web::Data<AppState>,
    session: AuthSession,
    body: web::Json<PushRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(
        vault::push(
            &state.db,
            &state.notifier,
            session.0.account_id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// A stream of server-sent events: a `changed` event (data: a [`ChangeNotice`]) whenever the
/// account's records change, from any browser and on any instance. It ends after
/// [`STREAM_LIFETIME`] and the browser reconnects.
#[get("/vault/events")]
async fn events(state: web::Data<AppState>, session: AuthSession) -> HttpResponse {
    let feed = Feed {
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
    let revision = match notice {
        Notice::Changed(revision) => Some(revision),
        Notice::Resync => None,
    };
    let data =
        serde_json::to_string(&ChangeNotice { revision }).expect("a notice always serialises");
    format!("event: changed\ndata: {data}\n\n")
}
