//! The operators' web inbox under `/desk/`: sign in, the list of requests,
//! one request with its history, take in charge / handled / reopen / note,
//! export, retention purge and erasure — through the same library code as
//! the command-line tools ([`crate::ops`]).
//!
//! - [`auth`]: accounts' sign-in, sessions (tower-sessions, memory store),
//!   the guard every protected route sits behind, CSRF and origin checks,
//!   the sign-in rate limits.
//! - [`inbox`]: the list, one request and its changes.
//! - [`manage`]: export, purge and erasure, each behind a confirmation page.
//! - [`report`]: the needs report, in the inbox and as a file.
//! - [`audit`]: the access log (who opened or changed what, when).
//! - [`headers`]: security headers on every answer.
//! - [`render`], [`i18n`]: embedded Tera templates and strings in seven
//!   languages.

pub mod audit;
pub mod auth;
pub mod headers;
pub mod i18n;
pub mod inbox;
pub mod manage;
pub mod render;
pub mod report;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tower_sessions::{Expiry, MemoryStore, SessionManagerLayer, cookie::SameSite};

use crate::Error;
use crate::accounts::accounts_path;
use crate::metrics::Metrics;
use crate::pages::FormPages;
use crate::queue::QueueHandle;
use crate::queue::rewrite::sibling;

pub const CSS_PATH: &str = "/desk/desk.css";

/// Settings of the inbox.
#[derive(Clone)]
pub struct DeskConfig {
    pub queue: PathBuf,
    /// The operators' accounts (default `QUEUE.operators.json`).
    pub accounts: PathBuf,
    /// The access log (default `QUEUE.access.jsonl`).
    pub access_log: PathBuf,
    /// Mark the session cookie `Secure` (always, except when trying it out
    /// on plain `http://localhost`).
    pub secure_cookies: bool,
    /// A session ends after this long without a request.
    pub idle_timeout: Duration,
    /// Sign-in attempts per account: `burst` at once, one more every `refill`.
    pub login_per_account: (u32, Duration),
    /// Sign-in attempts per client address.
    pub login_per_client: (u32, Duration),
    /// Peers whose `X-Forwarded-For` is believed (the reverse proxy).
    pub trusted_proxies: Vec<IpAddr>,
    /// The endpoint's counters and queue, shown to operators.
    pub metrics: Option<Arc<Metrics>>,
    pub queue_handle: Option<QueueHandle>,
    /// The site, for the names of topics and desks in the operator's
    /// language; without it the inbox shows their ids.
    pub site: Option<Arc<dyn FormPages>>,
    /// The queue segments of the other endpoint instances, read with
    /// `queue` (list, request, report, export, take/done/reopen/note);
    /// purge and erase work on `queue` only.
    pub segments: Vec<PathBuf>,
}

impl DeskConfig {
    /// `topic`'s name in `lang`, or the id itself.
    pub fn topic_label(&self, lang: &str, topic: &str) -> String {
        self.site
            .as_ref()
            .and_then(|s| s.topic_label(lang, topic))
            .unwrap_or_else(|| topic.to_owned())
    }

    /// `desk`'s name in `lang`, or the id itself.
    pub fn desk_label(&self, lang: &str, desk: &str) -> String {
        self.site
            .as_ref()
            .and_then(|s| s.desk_label(lang, desk))
            .unwrap_or_else(|| desk.to_owned())
    }

    /// Defaults for a queue: files next to it, `Secure` cookies, 30 minutes
    /// of inactivity, 5 sign-in attempts per account (one more every 3
    /// minutes) and 20 per client (one more every minute).
    pub fn new(queue: impl Into<PathBuf>) -> Self {
        let queue = queue.into();
        Self {
            accounts: accounts_path(&queue),
            access_log: sibling(&queue, ".access.jsonl"),
            queue,
            secure_cookies: true,
            idle_timeout: Duration::from_secs(30 * 60),
            login_per_account: (5, Duration::from_secs(180)),
            login_per_client: (20, Duration::from_secs(60)),
            trusted_proxies: Vec::new(),
            metrics: None,
            queue_handle: None,
            site: None,
            segments: Vec::new(),
        }
    }
}

/// What the handlers share.
pub struct Desk {
    pub config: DeskConfig,
    pub render: render::Renderer,
    pub limits: auth::LoginLimits,
    pub audit: audit::AccessLog,
}

/// The inbox's router, with absolute paths under `/desk/`: `merge` it into
/// the endpoint's.
pub fn router(config: DeskConfig) -> Result<Router, Error> {
    let desk = Arc::new(Desk {
        render: render::Renderer::new()?,
        limits: auth::LoginLimits::new(config.login_per_account, config.login_per_client),
        audit: audit::AccessLog::new(config.access_log.clone()),
        config,
    });
    let idle = tower_sessions::cookie::time::Duration::try_from(desk.config.idle_timeout)
        .map_err(|e| Error::Config(format!("session timeout: {e}")))?;
    let sessions = SessionManagerLayer::new(MemoryStore::default())
        .with_name("sportello_desk")
        .with_path("/desk/")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(desk.config.secure_cookies)
        // Saved on every request, so the expiry counts from the last one.
        .with_always_save(true)
        .with_expiry(Expiry::OnInactivity(idle));

    let protected = Router::new()
        .route("/desk/", get(inbox::list))
        .route("/desk/r/{id}", get(inbox::show))
        .route("/desk/r/{id}/take", post(inbox::take))
        .route("/desk/r/{id}/done", post(inbox::done))
        .route("/desk/r/{id}/reopen", post(inbox::reopen))
        .route("/desk/r/{id}/note", post(inbox::note))
        .route("/desk/r/{id}/approve", post(inbox::approve_request))
        .route("/desk/r/{id}/entry.yaml", get(inbox::entry_file))
        .route(
            "/desk/r/{id}/erase",
            get(manage::erase_page).post(manage::erase),
        )
        .route(
            "/desk/export",
            get(manage::export_page).post(manage::export),
        )
        .route("/desk/purge", get(manage::purge_page).post(manage::purge))
        .route("/desk/healthz", get(inbox::healthz))
        .route("/desk/report", get(report::page))
        .route("/desk/logout", post(auth::logout))
        .route_layer(middleware::from_fn_with_state(desk.clone(), auth::guard));
    let public = Router::new()
        .route("/desk", get(auth::to_inbox))
        .route("/desk/login", get(auth::login_page).post(auth::login))
        .route(CSS_PATH, get(css));
    Ok(protected
        .merge(public)
        .layer(middleware::from_fn(headers::security_headers))
        .layer(sessions)
        .layer(middleware::from_fn(auth::request_log))
        .with_state(desk))
}

async fn css() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/css; charset=utf-8"),
        )],
        render::CSS,
    )
}
