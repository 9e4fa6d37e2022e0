//! The HTTP face: `POST /forms/contact`, `GET /healthz` (also at
//! `/forms/healthz`, for proxies that only pass `/forms/`): `ok` or not,
//! the counters only for operators (`/desk/healthz`).
//!
//! | case | HTML form | `Accept: application/json` |
//! |---|---|---|
//! | stored and fsync'd | `303` to the thanks page of `<lang>` (its URL from the site) | `201 {"id": "<ULID>"}` |
//! | invalid | `422`, the form again, values kept, errors | `422 {"errors": {"<field>": "<code>"}}` |
//! | honeypot filled | like success, nothing stored, counted | like success (an id that is not stored) |
//! | body over the limit | `413`, localised page | `413 {"error": "too_large"}` |
//! | too many from one client | `429` + `Retry-After`, input kept | `429 {"error": "rate_limited", "retry_after_secs": n}` |
//! | queue cannot be written | `503`, input kept, desk phone | `503 {"error": "unavailable"}` |
//!
//! `GET /forms/contact` (an answer page reloaded or bookmarked) is a `303`
//! to the contact page.
//!
//! Every other form configured in `site.yaml` (`forms: <name>: {path: …}`)
//! is answered the same way at its path (`POST /forms/<name>`), with its
//! own fields, its own page and thanks page: the same body limit, rate
//! limit, honeypot and durability, and the record carries the form's name.
//! A path no form has is a `404`.
//!
//! JSON error values are the same codes the theme translates
//! ([`ErrorCode`](crate::ErrorCode)), not sentences: the page's script looks
//! the sentence up in the language it is showing.
//!
//! Every request is logged once (method, path, status, record id, latency)
//! and nothing else: never a body, a value, or an address.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::json;

use crate::config::FormsConfig;
use sportello::form::FormKind;

use crate::decode::{DecodedForm, decode_form, decode_kind};
use crate::error::AppError;
use crate::fields::{self, validate, validate_kind};
use crate::limits::{Limiter, client_ip};
use crate::metrics::Metrics;
use crate::pages::{CONTACT_PATH, FormPages, FormState, FormStatus, PlainPages};
use crate::queue::QueueHandle;

/// The record id of a stored submission, left on the response for the
/// access log.
#[derive(Debug, Clone)]
pub struct RecordId(pub ulid::Ulid);

/// The endpoint, before it becomes a [`Router`]: keeps a hand on the
/// metrics.
#[derive(Clone)]
pub struct FormsApp {
    inner: Arc<Inner>,
}

struct Inner {
    config: FormsConfig,
    pages: Arc<dyn FormPages>,
    queue: QueueHandle,
    limiter: Limiter,
    metrics: Arc<Metrics>,
}

/// The endpoint's router, with absolute paths (`/forms/contact`,
/// `/healthz`, `/forms/healthz`): `merge` it into the site's router.
pub fn app(config: FormsConfig, pages: Arc<dyn FormPages>, queue: QueueHandle) -> Router {
    FormsApp::new(config, pages, queue).router()
}

impl FormsApp {
    pub fn new(config: FormsConfig, pages: Arc<dyn FormPages>, queue: QueueHandle) -> Self {
        let limiter = Limiter::new(config.rate);
        Self {
            inner: Arc::new(Inner {
                config,
                pages,
                queue,
                limiter,
                metrics: Arc::default(),
            }),
        }
    }

    pub fn metrics(&self) -> Arc<Metrics> {
        self.inner.metrics.clone()
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route(CONTACT_PATH, post(contact).get(contact_page))
            .route("/forms/{kind}", post(kind_submit).get(kind_page))
            .route("/healthz", get(healthz))
            .route("/forms/healthz", get(healthz))
            .with_state(self.inner.clone())
            .layer(middleware::from_fn(access_log))
    }
}

/// Which form a request is for.
enum Which {
    Contact,
    Kind(FormKind),
}

impl Which {
    fn decode(&self, body: &[u8]) -> DecodedForm {
        match self {
            Which::Contact => decode_form(body),
            Which::Kind(kind) => decode_kind(body, kind),
        }
    }

    fn thanks_url(&self, pages: &dyn FormPages, lang: &str) -> String {
        match self {
            Which::Contact => pages.thanks_url(lang),
            Which::Kind(kind) => pages.url_of(&kind.thanks, lang),
        }
    }

    /// The state as this form shows it (its field order, its ticked boxes).
    fn state(&self, state: FormState, lists: BTreeMap<String, Vec<String>>) -> FormState {
        match self {
            Which::Contact => state,
            Which::Kind(kind) => state.for_kind(kind, lists),
        }
    }
}

async fn contact(State(app): State<Arc<Inner>>, req: Request) -> Result<Response, AppError> {
    submit(app, Which::Contact, req).await
}

/// The kind whose path is `path`, if the site configures one.
fn kind_at(app: &Inner, path: &str) -> Option<FormKind> {
    app.pages.kinds().into_iter().find(|k| k.path == path)
}

async fn kind_submit(State(app): State<Arc<Inner>>, req: Request) -> Result<Response, AppError> {
    match kind_at(&app, req.uri().path()) {
        Some(kind) => submit(app, Which::Kind(kind), req).await,
        None => Ok(StatusCode::NOT_FOUND.into_response()),
    }
}

/// `GET` of a configured form's path leads to the page that holds it.
async fn kind_page(State(app): State<Arc<Inner>>, req: Request) -> Response {
    let Some(kind) = kind_at(&app, req.uri().path()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let languages = app.pages.languages();
    let lang = lang_from_referer(req.headers(), &languages)
        .or_else(|| languages.first().cloned())
        .unwrap_or_else(|| "en".to_owned());
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&app.pages.url_of(&kind.page, &lang)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

async fn submit(app: Arc<Inner>, which: Which, req: Request) -> Result<Response, AppError> {
    let (parts, body) = req.into_parts();
    let json = wants_json(&parts.headers);
    let languages = app.pages.languages();
    let default_lang = languages
        .first()
        .cloned()
        .unwrap_or_else(|| "en".to_owned());
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        // Without ConnectInfo (a host that forgot it) all share one bucket.
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));

    let body = match read_body(&app.config, &parts.headers, body).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            Metrics::bump(&app.metrics.too_large);
            let lang = lang_from_referer(&parts.headers, &languages).unwrap_or(default_lang);
            let mut values = BTreeMap::new();
            values.insert(fields::LANG.to_owned(), lang.clone());
            return app.form_answer(
                json,
                &lang,
                &which,
                which.state(
                    FormState::new(FormStatus::TooLarge, values, BTreeMap::new()),
                    BTreeMap::new(),
                ),
            );
        }
        Err(BodyError::Timeout) => {
            return Ok((StatusCode::REQUEST_TIMEOUT, "request timeout").into_response());
        }
        Err(BodyError::Broken) => {
            return Ok((StatusCode::BAD_REQUEST, "bad request").into_response());
        }
    };

    let form = which.decode(&body);
    let lang = form
        .values
        .get(fields::LANG)
        .filter(|l| fields::is_known_language(l, &languages))
        .cloned()
        // A bad `lang` (a forged or stale form): the page it came from.
        .or_else(|| lang_from_referer(&parts.headers, &languages))
        .unwrap_or(default_lang);
    let client = client_ip(peer, &parts.headers, &app.config.trusted_proxies);

    if let Err(wait) = app.limiter.check(client) {
        Metrics::bump(&app.metrics.rate_limited);
        let mut state = which.state(
            FormState::new(FormStatus::RateLimited, form.values, BTreeMap::new()),
            form.lists,
        );
        // Round up: "retry after 0 seconds" would invite an immediate retry.
        state.retry_after_secs = Some(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        return app.form_answer(json, &lang, &which, state);
    }

    if form.honeypot {
        Metrics::bump(&app.metrics.honeypot);
        let thanks = which.thanks_url(app.pages.as_ref(), &lang);
        return Ok(success(json, &thanks, ulid::Ulid::new(), None));
    }

    let checked = match &which {
        Which::Contact => validate(&form.values, &languages, &app.pages.desk_ids()),
        Which::Kind(kind) => {
            let year = crate::queue::time::this_year();
            validate_kind(kind, &form.values, &form.lists, &languages, year)
        }
    };
    let submission = match checked {
        Ok(s) if form.unreadable.is_empty() => s,
        result => {
            let mut errors = result.err().unwrap_or_default();
            for field in &form.unreadable {
                errors.insert(field.clone(), fields::ErrorCode::Unreadable);
            }
            Metrics::bump(&app.metrics.invalid);
            return app.form_answer(
                json,
                &lang,
                &which,
                which.state(
                    FormState::new(FormStatus::Invalid, form.values, errors),
                    form.lists,
                ),
            );
        }
    };

    match app.queue.submit(submission).await {
        Ok(receipt) => {
            Metrics::bump(&app.metrics.accepted);
            let thanks = which.thanks_url(app.pages.as_ref(), &lang);
            Ok(success(
                json,
                &thanks,
                receipt.id,
                Some(RecordId(receipt.id)),
            ))
        }
        Err(e) => {
            Metrics::bump(&app.metrics.unavailable);
            tracing::error!(error = %e, "submission not stored");
            app.form_answer(
                json,
                &lang,
                &which,
                which.state(
                    FormState::new(FormStatus::Unavailable, form.values, BTreeMap::new()),
                    form.lists,
                ),
            )
        }
    }
}

/// `GET /forms/contact` — the address bar after a 422 page, bookmarked or
/// reloaded — leads to the contact page instead of a bare 405.
async fn contact_page(State(app): State<Arc<Inner>>, headers: HeaderMap) -> Response {
    let languages = app.pages.languages();
    let lang = lang_from_referer(&headers, &languages)
        .or_else(|| languages.first().cloned())
        .unwrap_or_else(|| "en".to_owned());
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&app.pages.contact_url(&lang)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

impl Inner {
    /// The form shown again (HTML) or the status as JSON.
    fn form_answer(
        &self,
        json: bool,
        lang: &str,
        which: &Which,
        state: FormState,
    ) -> Result<Response, AppError> {
        let status = state.status.http_status();
        let mut response = if json {
            let body = match state.status {
                FormStatus::Invalid => json!({ "errors": state.errors }),
                FormStatus::RateLimited => {
                    json!({ "error": state.status.as_str(), "retry_after_secs": state.retry_after_secs })
                }
                _ => json!({ "error": state.status.as_str() }),
            };
            (status, axum::Json(body)).into_response()
        } else {
            let rendered = match which {
                Which::Contact => self.pages.render(lang, &state),
                Which::Kind(kind) => self.pages.render_kind(kind, lang, &state),
            };
            let html = match rendered {
                Ok(html) => html,
                Err(e) => {
                    // The person still gets their text back, if plainly.
                    tracing::error!(error = %e, lang, "site renderer failed; answering with the plain page");
                    PlainPages::new(self.pages.languages(), self.pages.desk_ids(), "")
                        .render(lang, &state)?
                }
            };
            (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html,
            )
                .into_response()
        };
        if let Some(secs) = state.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(response)
    }
}

fn success(json: bool, thanks: &str, id: ulid::Ulid, record: Option<RecordId>) -> Response {
    let mut response = if json {
        (StatusCode::CREATED, axum::Json(json!({ "id": id }))).into_response()
    } else {
        let mut r = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(thanks) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        r
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(record) = record {
        response.extensions_mut().insert(record);
    }
    response
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/json"))
}

/// The language of the page the form was posted from (`/ar/contact/`), for
/// answers given before the body could be read.
fn lang_from_referer(headers: &HeaderMap, languages: &[String]) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let path = match referer.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map(|(_, p)| p).unwrap_or(""),
        None => referer.trim_start_matches('/'),
    };
    let first = path.split('/').next()?;
    languages.iter().find(|l| *l == first).cloned()
}

enum BodyError {
    TooLarge,
    Timeout,
    Broken,
}

async fn read_body(
    config: &FormsConfig,
    headers: &HeaderMap,
    body: Body,
) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > config.body_limit as u64) {
        return Err(BodyError::TooLarge);
    }
    let collect = Limited::new(body, config.body_limit).collect();
    match tokio::time::timeout(config.body_timeout, collect).await {
        Err(_) => Err(BodyError::Timeout),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(BodyError::TooLarge),
        Ok(Err(_)) => Err(BodyError::Broken),
    }
}

/// Public: ok or not ok, nothing more. The counters and the queue's figures
/// are for signed-in operators, at `/desk/healthz`.
async fn healthz(State(app): State<Arc<Inner>>) -> Response {
    let (status, body) = if app.queue.is_healthy() && app.queue.failure().is_none() {
        (StatusCode::OK, json!({ "status": "ok" }))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "unhealthy" }),
        )
    };
    let mut r = (status, axum::Json(body)).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// One line per request; deliberately blind to bodies, queries and
/// addresses, so that no personal data reaches the logs.
async fn access_log(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path: String = req.uri().path().chars().take(200).collect();
    let start = Instant::now();
    let response = next.run(req).await;
    let record_id = response
        .extensions()
        .get::<RecordId>()
        .map(|r| r.0.to_string());
    tracing::info!(
        target: "sportello_forms::access",
        %method,
        path,
        status = response.status().as_u16(),
        record_id = record_id.as_deref(),
        micros = start.elapsed().as_micros() as u64,
    );
    response
}
