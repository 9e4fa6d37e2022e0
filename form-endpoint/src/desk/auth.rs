//! Signing in and out, the guard of every protected route, CSRF and origin
//! checks, sign-in rate limits.
//!
//! Sessions are tower-sessions' (an unguessable id in a cookie that is
//! `HttpOnly`, `SameSite=Strict`, `Secure` unless trying out on plain
//! localhost, scoped to `/desk/`; the data in memory, so a restart signs
//! everyone out). The id is renewed at sign-in (no fixation) and the
//! session deleted at sign-out (a copied cookie is worth nothing after).
//!
//! Every POST of a signed-in operator carries the session's CSRF token in
//! the form field `csrf`; every POST, sign-in included, is refused if the
//! browser says it comes from another origin (`Origin`, or
//! `Sec-Fetch-Site` when there is no `Origin`).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http_body_util::{BodyExt, Limited};
use serde_json::json;
use tower_sessions::Session;

use super::Desk;
use super::render::Frame;
use crate::accounts::Accounts;
use crate::error::AppError;
use crate::limits::client_ip;

const OPERATOR: &str = "operator";
const CSRF: &str = "csrf";
const LANG: &str = "lang";
const FLASH: &str = "flash";
/// Largest form an operator posts (a note is at most a few KB).
const FORM_LIMIT: usize = 64 * 1024;

/// The signed-in operator, put on the request by [`guard`].
#[derive(Debug, Clone)]
pub struct Signed {
    pub name: String,
    pub csrf: String,
    pub lang: String,
    pub session: Session,
}

impl Signed {
    /// Keeps a message for the next page.
    pub async fn flash(&self, message: String) {
        let _ = self.session.insert(FLASH, message).await;
    }

    pub async fn take_flash(&self) -> Option<String> {
        self.session.remove::<String>(FLASH).await.ok().flatten()
    }
}

/// Sign-in attempts per account name and per client address.
pub struct LoginLimits {
    account: DefaultKeyedRateLimiter<String>,
    client: DefaultKeyedRateLimiter<IpAddr>,
}

fn quota((burst, refill): (u32, Duration)) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(refill.max(Duration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl LoginLimits {
    pub fn new(per_account: (u32, Duration), per_client: (u32, Duration)) -> Self {
        Self {
            account: RateLimiter::keyed(quota(per_account)),
            client: RateLimiter::keyed(quota(per_client)),
        }
    }

    /// Takes one attempt from both buckets; `Err` is how long to wait.
    fn check(&self, account: &str, client: IpAddr) -> Result<(), Duration> {
        let now = DefaultClock::default().now();
        self.client.retain_recent();
        self.client
            .check_key(&client)
            .map_err(|n| n.wait_time_from(now))?;
        let key: String = account.trim().to_lowercase().chars().take(64).collect();
        self.account
            .check_key(&key)
            .map_err(|n| n.wait_time_from(now))
    }
}

/// A fresh random token (256 bits, hex).
fn token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares without stopping at the first difference.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether a POST may come from this page's own origin: `Origin` must name
/// the host the request was sent to; when it is absent or `null` (Chromium
/// sends `null` from a page with `Referrer-Policy: no-referrer`, as ours
/// are), `Sec-Fetch-Site` must say `same-origin`. A client sending neither
/// header is no browser, so no victim of a forged form.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let fetch_site = headers
        .get("sec-fetch-site")
        .map(|v| v.to_str().unwrap_or(""));
    let same_site = |site: &str| matches!(site, "same-origin" | "none");
    match headers.get(header::ORIGIN).map(|o| o.to_str()) {
        Some(Ok("null")) => fetch_site.is_some_and(same_site),
        Some(Ok(origin)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| host.is_some_and(|h| h.eq_ignore_ascii_case(authority))),
        Some(Err(_)) => false,
        None => fetch_site.is_none_or(same_site),
    }
}

/// Reads an `application/x-www-form-urlencoded` body (bounded).
pub async fn read_form(body: Body) -> Result<(Bytes, HashMap<String, String>), StatusCode> {
    let bytes = Limited::new(body, FORM_LIMIT)
        .collect()
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE)?
        .to_bytes();
    let fields = form_urlencoded::parse(&bytes).into_owned().collect();
    Ok((bytes, fields))
}

/// The answer to a request without a valid session: the sign-in page for
/// a browser asking for a page, `401` for anything else.
fn unauthenticated(req: &Request) -> Response {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if req.method() == Method::GET && wants_html {
        Redirect::to("/desk/login").into_response()
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "FormBased")],
            "sign in at /desk/login",
        )
            .into_response()
    }
}

/// In front of every protected route: a session of an operator whose
/// account still exists; for a POST, the same origin and the CSRF token.
pub async fn guard(State(desk): State<Arc<Desk>>, req: Request, next: Next) -> Response {
    let Some(session) = req.extensions().get::<Session>().cloned() else {
        return unauthenticated(&req);
    };
    let name = session.get::<String>(OPERATOR).await.ok().flatten();
    let csrf = session.get::<String>(CSRF).await.ok().flatten();
    let (Some(name), Some(csrf)) = (name, csrf) else {
        return unauthenticated(&req);
    };
    let accounts = desk.config.accounts.clone();
    let who = name.clone();
    let exists = tokio::task::spawn_blocking(move || {
        Accounts::load(&accounts).is_ok_and(|a| a.find(&who).is_some())
    })
    .await
    .unwrap_or(false);
    if !exists {
        // A removed account's sessions end at their next request.
        let _ = session.flush().await;
        return unauthenticated(&req);
    }
    let mut lang = session.get::<String>(LANG).await.ok().flatten();
    if let Some(wanted) = query_lang(req.uri().query())
        && desk.render.strings.is_known(&wanted)
    {
        let _ = session.insert(LANG, &wanted).await;
        lang = Some(wanted);
    }
    let lang = desk
        .render
        .strings
        .language(lang.as_deref())
        .code
        .to_owned();

    let req = if req.method() == Method::POST {
        if !same_origin(req.headers()) {
            return (StatusCode::FORBIDDEN, "refused: sent from another site").into_response();
        }
        let (parts, body) = req.into_parts();
        let (bytes, fields) = match read_form(body).await {
            Ok(f) => f,
            Err(status) => return status.into_response(),
        };
        if !fields.get(CSRF).is_some_and(|t| same_secret(t, &csrf)) {
            return (
                StatusCode::FORBIDDEN,
                "refused: the form had expired or did not come from the inbox; go back, reload the page and try again",
            )
                .into_response();
        }
        Request::from_parts(parts, Body::from(bytes))
    } else {
        req
    };
    let mut req = req;
    req.extensions_mut().insert(Signed {
        name,
        csrf,
        lang,
        session,
    });
    next.run(req).await
}

fn query_lang(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == LANG)
        .map(|(_, v)| v.into_owned())
}

/// `GET /desk` → `/desk/`.
pub async fn to_inbox() -> Redirect {
    Redirect::permanent("/desk/")
}

/// `GET /desk/login`.
pub async fn login_page(State(desk): State<Arc<Desk>>, session: Session, req: Request) -> Response {
    if session
        .get::<String>(OPERATOR)
        .await
        .ok()
        .flatten()
        .is_some()
    {
        return Redirect::to("/desk/").into_response();
    }
    let lang = query_lang(req.uri().query());
    login_answer(&desk, lang.as_deref(), StatusCode::OK, None, "")
}

fn login_answer(
    desk: &Desk,
    lang: Option<&str>,
    status: StatusCode,
    error: Option<String>,
    name: &str,
) -> Response {
    let lang = desk.render.strings.language(lang);
    let frame = Frame {
        lang,
        operator: None,
        csrf: "",
        here: "/desk/login",
        flash: None,
    };
    match desk.render.page(
        "login.html",
        &frame,
        &json!({ "error": error, "name": name }),
    ) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError(e).into_response(),
    }
}

/// `POST /desk/login`: name, password, lang.
pub async fn login(State(desk): State<Arc<Desk>>, session: Session, req: Request) -> Response {
    if !same_origin(req.headers()) {
        return (StatusCode::FORBIDDEN, "refused: sent from another site").into_response();
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let client = client_ip(peer, req.headers(), &desk.config.trusted_proxies);
    let (_, fields) = match read_form(req.into_body()).await {
        Ok(f) => f,
        Err(status) => return status.into_response(),
    };
    let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    let (name, password) = (get("name").trim().to_owned(), get("password").to_owned());
    let code = get("code").to_owned();
    let lang = desk.render.strings.language(Some(get("lang"))).code;

    if let Err(wait) = desk.limits.check(&name, client) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let message = desk.render.strings.count(lang, "login_too_many", minutes);
        let mut r = login_answer(
            &desk,
            Some(lang),
            StatusCode::TOO_MANY_REQUESTS,
            Some(message),
            &name,
        );
        r.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(wait.as_secs().max(1)),
        );
        return r;
    }

    let accounts = desk.config.accounts.clone();
    let (who, pw) = (name.clone(), password);
    let verdict = tokio::task::spawn_blocking(move || {
        let accounts = Accounts::load(&accounts)?;
        Ok::<_, crate::Error>((
            accounts.verify_with_code(&who, &pw, &code),
            accounts.find(&who).is_some(),
        ))
    })
    .await;
    let (ok, known) = match verdict {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return AppError(e).into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    if !ok {
        if known {
            desk.log(&name, "login_failed", None, None).await;
        }
        let message = desk.render.strings.get(lang, "login_failed");
        return login_answer(
            &desk,
            Some(lang),
            StatusCode::UNAUTHORIZED,
            Some(message),
            &name,
        );
    }
    // A new id at sign-in: an id planted before it is worth nothing after.
    if session.cycle_id().await.is_err()
        || session.insert(OPERATOR, &name).await.is_err()
        || session.insert(CSRF, token()).await.is_err()
        || session.insert(LANG, lang).await.is_err()
    {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    desk.log(&name, "login", None, None).await;
    Redirect::to("/desk/").into_response()
}

/// `POST /desk/logout`.
pub async fn logout(
    State(desk): State<Arc<Desk>>,
    axum::Extension(op): axum::Extension<Signed>,
) -> Response {
    let _ = op.session.flush().await;
    desk.log(&op.name, "logout", None, None).await;
    Redirect::to(&format!("/desk/login?lang={}", op.lang)).into_response()
}

impl Desk {
    /// Writes to the access log; a failure is logged (without personal
    /// data) and does not stop the operator.
    pub async fn log(
        &self,
        operator: &str,
        action: &str,
        id: Option<&str>,
        detail: Option<String>,
    ) {
        let audit = self.audit.clone();
        let (operator, action, id) = (
            operator.to_owned(),
            action.to_owned(),
            id.map(str::to_owned),
        );
        let done = tokio::task::spawn_blocking(move || {
            audit.record(&operator, &action, id.as_deref(), detail)
        })
        .await;
        if let Ok(Err(e)) = done {
            tracing::error!(error = %e, "access log not written");
        }
    }
}

/// One log line per inbox request: method, path, status, time — never the
/// query (it may hold a searched name) nor a body.
pub async fn request_log(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path: String = req.uri().path().chars().take(200).collect();
    let start = Instant::now();
    let response = next.run(req).await;
    tracing::info!(
        target: "sportello_forms::desk",
        %method,
        path,
        status = response.status().as_u16(),
        micros = start.elapsed().as_micros() as u64,
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn posts_from_another_origin_are_told_apart() {
        let host = ("host", "desk.example");
        for (pairs, ok) in [
            (vec![host, ("origin", "https://desk.example")], true),
            (vec![host, ("origin", "https://evil.example")], false),
            (
                vec![host, ("origin", "https://desk.example.evil.example")],
                false,
            ),
            (
                vec![host, ("origin", "null"), ("sec-fetch-site", "same-origin")],
                true,
            ),
            (
                vec![host, ("origin", "null"), ("sec-fetch-site", "cross-site")],
                false,
            ),
            (vec![host, ("origin", "null")], false),
            (vec![host, ("sec-fetch-site", "same-site")], false),
            (vec![host], true),
        ] {
            assert_eq!(same_origin(&headers(&pairs)), ok, "{pairs:?}");
        }
    }
}
