//! The operators' web inbox under `/desk/`, through the real router
//! (tower's `oneshot`): every protected route refuses a stranger, sessions,
//! CSRF, the sign-in rate limit, security headers, and the inbox's actions
//! going through the same state log as the command-line tools.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use axum::response::Response;
use http_body_util::BodyExt;
use sportello_forms::accounts::Accounts;
use sportello_forms::desk::{self, DeskConfig};
use sportello_forms::ops::view::{self, Status};
use sportello_forms::queue::record::{Record, encode_line};
use sportello_forms::{Metrics, Submission};
use tower::ServiceExt;

const PASSWORD: &str = "una frase lunga e segreta";
const ID_A: &str = "01H0000000000000000000000A";
const ID_B: &str = "01H0000000000000000000000B";
const NEWEST: &str = "01K0000000000000000000000C";

fn record(id: &str, received: &str, lang: &str, name: &str, topic: &str) -> Record {
    Record::new(
        id.parse().expect("a ULID"),
        received.into(),
        Submission {
            lang: lang.into(),
            name: name.into(),
            email: Some("person@example.org".into()),
            phone: None,
            desk: "terni".into(),
            topic: topic.into(),
            message: "<script>alert(1)</script> vorrei aiuto".into(),
            ..Submission::default()
        },
    )
}

struct Fixture {
    dir: tempfile::TempDir,
    queue: PathBuf,
    router: Router,
}

fn config(queue: &std::path::Path) -> DeskConfig {
    let mut c = DeskConfig::new(queue);
    c.secure_cookies = true;
    c
}

fn fixture_with(tune: impl FnOnce(&mut DeskConfig)) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let queue = dir.path().join("submissions.jsonl");
    let mut bytes = Vec::new();
    for r in [
        record(
            ID_A,
            "2023-03-05T10:00:00.000Z",
            "it",
            "Mario Rossi",
            "founding",
        ),
        record(ID_B, "2023-04-10T11:30:00.000Z", "ar", "أمينة", "running"),
        record(
            NEWEST,
            "2026-11-20T09:15:00.000Z",
            "uk",
            "Олена",
            "networks",
        ),
    ] {
        encode_line(&r, &mut bytes).expect("encodes");
    }
    fs::write(&queue, &bytes).expect("writes");
    let mut accounts =
        Accounts::load(&sportello_forms::accounts::accounts_path(&queue)).expect("accounts");
    accounts.add("fatima", PASSWORD).expect("add");
    let mut c = config(&queue);
    tune(&mut c);
    let router = desk::router(c).expect("router");
    Fixture { dir, queue, router }
}

fn fixture() -> Fixture {
    fixture_with(|_| {})
}

async fn send(router: &Router, req: Request<Body>) -> Response {
    router.clone().oneshot(req).await.expect("infallible")
}

async fn text(r: Response) -> String {
    let bytes = r.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::ACCEPT, "text/html");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).expect("req")
}

fn post(path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Request<Body> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut b = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "desk.example")
        .header(header::ORIGIN, "https://desk.example");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body)).expect("req")
}

/// The `name=value` of the session cookie a response sets.
fn session_cookie(r: &Response) -> Option<String> {
    r.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sportello_desk="))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
}

fn set_cookie(r: &Response) -> String {
    r.headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Signs in; returns the cookie and the CSRF token of the inbox's forms.
async fn sign_in(f: &Fixture) -> (String, String) {
    let r = send(
        &f.router,
        post(
            "/desk/login",
            None,
            &[("name", "fatima"), ("password", PASSWORD), ("lang", "it")],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed in");
    assert_eq!(r.headers()[header::LOCATION], "/desk/");
    let cookie = session_cookie(&r).expect("a session cookie");
    let page = text(send(&f.router, get("/desk/", Some(&cookie))).await).await;
    let token = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a CSRF token in the page")
        .to_owned();
    (cookie, token)
}

/// Every protected route, with the method that reaches it.
const PROTECTED: [(&str, &str); 16] = [
    ("GET", "/desk/"),
    ("GET", "/desk/r/01H0000000000000000000000A"),
    ("POST", "/desk/r/01H0000000000000000000000A/take"),
    ("POST", "/desk/r/01H0000000000000000000000A/done"),
    ("POST", "/desk/r/01H0000000000000000000000A/reopen"),
    ("POST", "/desk/r/01H0000000000000000000000A/note"),
    ("POST", "/desk/r/01H0000000000000000000000A/approve"),
    ("GET", "/desk/r/01H0000000000000000000000A/entry.yaml"),
    ("GET", "/desk/r/01H0000000000000000000000A/erase"),
    ("POST", "/desk/r/01H0000000000000000000000A/erase"),
    ("GET", "/desk/export"),
    ("POST", "/desk/export"),
    ("GET", "/desk/purge"),
    ("POST", "/desk/purge"),
    ("GET", "/desk/healthz"),
    ("GET", "/desk/report"),
];

#[tokio::test]
async fn every_desk_route_refuses_a_request_without_a_session() {
    let f = fixture();
    for (method, path) in PROTECTED.into_iter().chain([("POST", "/desk/logout")]) {
        let req = if method == "GET" {
            get(path, None)
        } else {
            post(
                path,
                None,
                &[("note", "x"), ("days", "1"), ("format", "csv")],
            )
        };
        let r = send(&f.router, req).await;
        if method == "GET" {
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{method} {path}");
            assert_eq!(r.headers()[header::LOCATION], "/desk/login", "{path}");
        } else {
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        }
        // A script (no HTML wanted) gets a 401, never a page.
        let req = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).expect("method"))
            .uri(path)
            .body(Body::empty())
            .expect("req");
        assert_eq!(
            send(&f.router, req).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
        // A forged cookie is no session.
        let r = send(&f.router, get(path, Some("sportello_desk=forged"))).await;
        assert!(
            matches!(
                r.status(),
                StatusCode::SEE_OTHER | StatusCode::METHOD_NOT_ALLOWED
            ),
            "{path}: {}",
            r.status()
        );
    }
    assert!(
        view::load(&f.queue)
            .expect("load")
            .0
            .iter()
            .all(|i| i.status == Status::New),
        "nothing changed"
    );
}

#[tokio::test]
async fn signing_in_sets_a_strict_httponly_secure_cookie_that_expires_when_idle() {
    let f = fixture_with(|c| c.idle_timeout = Duration::from_secs(600));
    let r = send(
        &f.router,
        post(
            "/desk/login",
            None,
            &[("name", "fatima"), ("password", PASSWORD)],
        ),
    )
    .await;
    let c = set_cookie(&r).to_ascii_lowercase();
    for part in [
        "httponly",
        "samesite=strict",
        "secure",
        "path=/desk/",
        "max-age=600",
    ] {
        assert!(c.contains(part), "{part} in {c}");
    }
}

/// Session fixation: a session id planted in the browser before sign-in
/// (here a valid one, the attacker's own) is worth nothing after it.
#[tokio::test]
async fn the_session_id_is_renewed_at_sign_in() {
    let f = fixture();
    Accounts::load(&sportello_forms::accounts::accounts_path(&f.queue))
        .expect("load")
        .add("marta", "another long password")
        .expect("add");
    let (planted, _) = sign_in(&f).await;
    let r = send(
        &f.router,
        post(
            "/desk/login",
            Some(&planted),
            &[("name", "marta"), ("password", "another long password")],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let fresh = session_cookie(&r).expect("a new cookie");
    assert_ne!(fresh, planted);
    let page = text(send(&f.router, get("/desk/", Some(&fresh))).await).await;
    assert!(page.contains("<strong>marta</strong>"));
    let r = send(&f.router, get("/desk/", Some(&planted))).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the planted id is not marta's session"
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_message() {
    let f = fixture();
    let r = send(
        &f.router,
        post(
            "/desk/login",
            None,
            &[
                ("name", "fatima"),
                ("password", "not the password"),
                ("lang", "en"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        session_cookie(&r).is_none(),
        "no session for a failed sign-in"
    );
    assert!(text(r).await.contains("Wrong user name, password or code."));
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused() {
    let f = fixture();
    let (cookie, token) = sign_in(&f).await;
    for path in [
        "/desk/r/01H0000000000000000000000A/take",
        "/desk/r/01H0000000000000000000000A/note",
        "/desk/r/01H0000000000000000000000A/erase",
        "/desk/purge",
        "/desk/export",
        "/desk/logout",
    ] {
        let r = send(
            &f.router,
            post(path, Some(&cookie), &[("note", "x"), ("days", "1")]),
        )
        .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path} without a token");
        let r = send(
            &f.router,
            post(
                path,
                Some(&cookie),
                &[("note", "x"), ("days", "1"), ("csrf", "0123")],
            ),
        )
        .await;
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "{path} with a wrong token"
        );
    }
    // From another site, even with the token.
    let mut req = post(
        "/desk/r/01H0000000000000000000000A/take",
        Some(&cookie),
        &[("csrf", &token)],
    );
    req.headers_mut().insert(
        header::ORIGIN,
        "https://evil.example".parse().expect("value"),
    );
    assert_eq!(send(&f.router, req).await.status(), StatusCode::FORBIDDEN);
    let (items, _) = view::load(&f.queue).expect("load");
    assert!(
        items
            .iter()
            .all(|i| i.status == Status::New && i.history.is_empty())
    );
    assert!(f.queue.exists());
}

#[tokio::test]
async fn a_session_replayed_after_logout_is_refused() {
    let f = fixture();
    let (cookie, token) = sign_in(&f).await;
    let r = send(
        &f.router,
        post("/desk/logout", Some(&cookie), &[("csrf", &token)]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = send(&f.router, get("/desk/", Some(&cookie))).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/desk/login");
    let r = send(
        &f.router,
        post(
            "/desk/r/01H0000000000000000000000A/take",
            Some(&cookie),
            &[("csrf", &token)],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_removed_operator_is_signed_out_at_the_next_request() {
    let f = fixture();
    let (cookie, _) = sign_in(&f).await;
    let path = sportello_forms::accounts::accounts_path(&f.queue);
    Accounts::load(&path)
        .expect("load")
        .remove("fatima")
        .expect("remove");
    let r = send(&f.router, get("/desk/", Some(&cookie))).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_account_with_a_clear_message() {
    let f = fixture_with(|c| {
        c.login_per_account = (3, Duration::from_secs(600));
        c.login_per_client = (100, Duration::from_secs(1));
    });
    for _ in 0..3 {
        let r = send(
            &f.router,
            post(
                "/desk/login",
                None,
                &[
                    ("name", "fatima"),
                    ("password", "wrong guess 1234"),
                    ("lang", "en"),
                ],
            ),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password now waits: guessing cannot continue.
    let r = send(
        &f.router,
        post(
            "/desk/login",
            None,
            &[("name", "fatima"), ("password", PASSWORD), ("lang", "en")],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key(header::RETRY_AFTER));
    let page = text(r).await;
    assert!(
        page.contains("Too many sign-in attempts. Wait 10 minutes"),
        "{page}"
    );
    // Other accounts' names are not locked by it.
    let r = send(
        &f.router,
        post("/desk/login", None, &[("name", "marta"), ("password", "x")]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_client() {
    let f = fixture_with(|c| {
        c.login_per_account = (100, Duration::from_secs(1));
        c.login_per_client = (4, Duration::from_secs(600));
    });
    for n in 0..4 {
        let name = format!("guess{n}");
        let r = send(
            &f.router,
            post("/desk/login", None, &[("name", &name), ("password", "x")]),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = send(
        &f.router,
        post(
            "/desk/login",
            None,
            &[("name", "fatima"), ("password", PASSWORD), ("lang", "it")],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(text(r).await.contains("Troppi tentativi di accesso"));
}

#[tokio::test]
async fn every_inbox_answer_carries_the_security_headers() {
    let f = fixture();
    let (cookie, _) = sign_in(&f).await;
    let paths = [
        ("/desk/login", None),
        ("/desk/", Some(cookie.as_str())),
        ("/desk/r/01H0000000000000000000000A", Some(cookie.as_str())),
        (
            "/desk/r/01H0000000000000000000000A/erase",
            Some(cookie.as_str()),
        ),
        ("/desk/export", Some(cookie.as_str())),
        ("/desk/purge", Some(cookie.as_str())),
        ("/desk/healthz", Some(cookie.as_str())),
        (
            "/desk/report?from=2023-01&to=2023-12",
            Some(cookie.as_str()),
        ),
        ("/desk/r/01H0000000000000000000000Z", Some(cookie.as_str())),
        ("/desk/", None),
    ];
    for (path, c) in paths {
        let r = send(&f.router, get(path, c)).await;
        let h = r.headers();
        assert_eq!(h[header::CACHE_CONTROL], "no-store", "{path}");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{path}");
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().expect("ascii");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("http"),
            "{path}"
        );
        if r.status() == StatusCode::OK && path != "/desk/healthz" {
            let html = text(r).await;
            assert!(!html.contains("<script"), "{path}: no script at all");
            assert!(!html.contains(" style="), "{path}: no inline style");
        }
    }
}

#[tokio::test]
async fn the_list_is_newest_first_filtered_and_escaped() {
    let f = fixture();
    let (cookie, _) = sign_in(&f).await;
    let page = text(send(&f.router, get("/desk/", Some(&cookie))).await).await;
    let (a, b, c) = (
        page.find(ID_A).expect("A"),
        page.find(ID_B).expect("B"),
        page.find(NEWEST).expect("C"),
    );
    assert!(c < b && b < a, "newest first");
    assert!(page.contains("giorni fa"), "each request's age");
    let page = text(
        send(
            &f.router,
            get("/desk/?written_in=ar&topic=running", Some(&cookie)),
        )
        .await,
    )
    .await;
    assert!(page.contains(ID_B) && !page.contains(ID_A) && !page.contains(NEWEST));
    let page = text(send(&f.router, get("/desk/?month=2023-03", Some(&cookie))).await).await;
    assert!(page.contains(ID_A) && !page.contains(ID_B));
    let page = text(send(&f.router, get("/desk/?q=rossi", Some(&cookie))).await).await;
    assert!(page.contains(ID_A) && !page.contains(ID_B));
    let page = text(send(&f.router, get("/desk/?status=taken", Some(&cookie))).await).await;
    assert!(!page.contains(ID_A));
    // The interface in Arabic, right to left.
    let page = text(send(&f.router, get("/desk/?lang=ar", Some(&cookie))).await).await;
    assert!(page.contains("<html lang=\"ar\" dir=\"rtl\">"));
    let page = text(send(&f.router, get(&format!("/desk/r/{ID_A}"), Some(&cookie))).await).await;
    assert!(
        page.contains("<html lang=\"ar\" dir=\"rtl\">"),
        "the choice is kept"
    );
    assert!(!page.contains("<script>alert"), "the message is escaped");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            || page.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(page.contains("href=\"mailto:person@example.org?subject="));
}

#[tokio::test]
async fn take_note_done_reopen_go_to_the_state_log_and_the_access_log() {
    let f = fixture();
    let (cookie, token) = sign_in(&f).await;
    let path = format!("/desk/r/{ID_A}");
    for (action, extra) in [
        ("take", ""),
        ("note", "Richiamata, appuntamento lunedì"),
        ("done", ""),
        ("reopen", ""),
    ] {
        let r = send(
            &f.router,
            post(
                &format!("{path}/{action}"),
                Some(&cookie),
                &[("csrf", &token), ("note", extra)],
            ),
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{action}");
        assert_eq!(r.headers()[header::LOCATION], path.as_str());
    }
    let (items, _) = view::load(&f.queue).expect("load");
    let a = items
        .iter()
        .find(|i| i.record.id.to_string() == ID_A)
        .expect("A");
    assert_eq!(a.status, Status::Taken, "reopened");
    assert_eq!(a.by.as_deref(), Some("fatima"));
    let kinds: Vec<&str> = a.history.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(kinds, ["taken", "note", "done", "reopened"]);
    assert_eq!(
        a.history[1].note.as_deref(),
        Some("Richiamata, appuntamento lunedì")
    );
    let page = text(send(&f.router, get(&path, Some(&cookie))).await).await;
    assert!(
        page.contains("Richiamata, appuntamento lunedì"),
        "the note in the history"
    );

    let log_path = sportello_forms::queue::rewrite::sibling(&f.queue, ".access.jsonl");
    let log = fs::read_to_string(&log_path).expect("access log");
    let mode = fs::metadata(&log_path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    for action in [
        "\"login\"",
        "\"list\"",
        "\"open\"",
        "\"taken\"",
        "\"note\"",
        "\"done\"",
        "\"reopened\"",
    ] {
        assert!(log.contains(action), "{action} in {log}");
    }
    assert!(log.contains(ID_A) && log.contains("\"operator\":\"fatima\""));
    for personal in [
        "Mario",
        "Rossi",
        "person@example.org",
        "Richiamata",
        "vorrei",
    ] {
        assert!(
            !log.contains(personal),
            "{personal} must not be in the access log"
        );
    }
    let _ = &f.dir;
}

#[tokio::test]
async fn export_purge_and_erase_need_their_confirmation_and_work() {
    let f = fixture();
    let (cookie, token) = sign_in(&f).await;
    // Export: the page warns, the POST downloads, formulas neutralised by ops::export.
    let page = text(send(&f.router, get("/desk/export", Some(&cookie))).await).await;
    assert!(page.contains("dati personali"));
    let r = send(
        &f.router,
        post(
            "/desk/export",
            Some(&cookie),
            &[("csrf", &token), ("format", "csv")],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("ascii")
            .starts_with("attachment;")
    );
    let csv = text(r).await;
    assert!(csv.starts_with('\u{feff}'));
    assert_eq!(csv.lines().count(), 4, "header and three rows");
    let r = send(
        &f.router,
        post(
            "/desk/export",
            Some(&cookie),
            &[("csrf", &token), ("format", "json"), ("written_in", "ar")],
        ),
    )
    .await;
    let json: serde_json::Value = serde_json::from_str(&text(r).await).expect("json");
    assert_eq!(json["count"], 1);

    // Purge: the GET only counts.
    let page = text(send(&f.router, get("/desk/purge?days=365", Some(&cookie))).await).await;
    assert!(
        page.contains("Richieste arrivate da più di 365 giorni: 2."),
        "{page}"
    );
    assert_eq!(
        view::load(&f.queue).expect("load").0.len(),
        3,
        "nothing deleted by looking"
    );
    let r = send(
        &f.router,
        post(
            "/desk/purge",
            Some(&cookie),
            &[("csrf", &token), ("days", "365")],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let left: Vec<String> = view::load(&f.queue)
        .expect("load")
        .0
        .into_iter()
        .map(|i| i.record.id.to_string())
        .collect();
    assert_eq!(left, [NEWEST]);

    // Erase: the GET asks, the POST erases.
    let page = text(
        send(
            &f.router,
            get(&format!("/desk/r/{NEWEST}/erase"), Some(&cookie)),
        )
        .await,
    )
    .await;
    assert!(page.contains("Cancellare questa richiesta?"));
    assert_eq!(view::load(&f.queue).expect("load").0.len(), 1);
    let r = send(
        &f.router,
        post(
            &format!("/desk/r/{NEWEST}/erase"),
            Some(&cookie),
            &[("csrf", &token)],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(view::load(&f.queue).expect("load").0.is_empty());
    let page = text(send(&f.router, get("/desk/", Some(&cookie))).await).await;
    assert!(page.contains("Richiesta cancellata."), "the flash message");

    let log = fs::read_to_string(sportello_forms::queue::rewrite::sibling(
        &f.queue,
        ".access.jsonl",
    ))
    .expect("log");
    for action in ["\"export\"", "\"purge\"", "\"erase\""] {
        assert!(log.contains(action), "{action}");
    }
}

#[tokio::test]
async fn the_counters_are_shown_to_operators_only() {
    let metrics = Arc::new(Metrics::default());
    let m = metrics.clone();
    let f = fixture_with(move |c| c.metrics = Some(m));
    metrics
        .accepted
        .fetch_add(7, std::sync::atomic::Ordering::Relaxed);
    let (cookie, _) = sign_in(&f).await;
    let r = send(&f.router, get("/desk/healthz", Some(&cookie))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = serde_json::from_str(&text(r).await).expect("json");
    assert_eq!(body["counts"]["accepted"], 7);
    let r = send(&f.router, get("/desk/healthz", None)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_account_with_a_second_factor_cannot_sign_in_without_its_code() {
    let f = fixture();
    let path = sportello_forms::accounts::accounts_path(&f.queue);
    let setup = Accounts::load(&path)
        .expect("load")
        .enable_totp("fatima")
        .expect("totp");
    let r = send(
        &f.router,
        post(
            "/desk/login",
            None,
            &[("name", "fatima"), ("password", PASSWORD)],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "the password alone");
    assert!(session_cookie(&r).is_none());
    let bytes = totp_rs::Secret::Encoded(setup.secret)
        .to_bytes()
        .expect("base32");
    let code = totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("Sportello".into()),
        "fatima".into(),
    )
    .expect("totp")
    .generate_current()
    .expect("clock");
    let r = send(
        &f.router,
        post(
            "/desk/login",
            None,
            &[("name", "fatima"), ("password", PASSWORD), ("code", &code)],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "password and code");
}

#[tokio::test]
async fn the_report_page_counts_the_chosen_months() {
    let f = fixture();
    let (cookie, _) = sign_in(&f).await;
    let page = text(
        send(
            &f.router,
            get("/desk/report?from=2023-01&to=2023-12", Some(&cookie)),
        )
        .await,
    )
    .await;
    assert!(page.contains("<strong>2</strong>"), "two requests in 2023");
    assert!(page.contains("<th scope=\"row\">2023-03</th><td class=\"n\">1</td>"));
    assert!(!page.contains("2026-11"));
    assert!(
        page.contains("<link rel=\"stylesheet\" href=\"/desk/desk.css\">"),
        "no inline style under the CSP"
    );
    let page = text(
        send(
            &f.router,
            get("/desk/report?from=%3Cscript%3E&to=..%2F..", Some(&cookie)),
        )
        .await,
    )
    .await;
    assert!(
        page.contains("<strong>3</strong>"),
        "a bad month is no bound"
    );
    assert!(!page.contains("<script>"));
    // Regression: a month the report could not read was dropped without a
    // word, and the report silently covered every month. It is now said,
    // next to what was typed, which is kept (escaped).
    assert_eq!(
        page.matches(
            "Scrivi il mese come anno-mese, per esempio <span dir=\"ltr\">2026-03</span>."
        )
        .count(),
        2,
        "{page}"
    );
    assert!(page.contains(
        "<input id=\"r-from\" name=\"from\" aria-invalid=\"true\" aria-describedby=\"r-from-error\""
    ));
    assert!(page.contains("value=\"&lt;script&gt;\""), "{page}");
    assert!(
        page.contains("value=\"..&#x2F;..\"") || page.contains("value=\"../..\""),
        "{page}"
    );
    // In Arabic the example month keeps its order ("03-2026" without the span).
    let arabic = text(
        send(
            &f.router,
            get("/desk/report?from=March&lang=ar", Some(&cookie)),
        )
        .await,
    )
    .await;
    assert!(
        arabic.contains("مثلًا <span dir=\"ltr\">2026-03</span>."),
        "{arabic}"
    );
    let good = text(send(&f.router, get("/desk/report?from=2023-01", Some(&cookie))).await).await;
    assert!(!good.contains("error-message") && !good.contains("aria-invalid"));
}

/// With the site loaded, operators read topics and desks by the names the
/// site gives them in their language, not by the ids stored in the queue.
#[tokio::test]
async fn topics_and_desks_are_shown_by_their_names_in_the_operators_language() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let site = sportello_forms::site_pages::SitePages::load(&sportello::Options {
        content: root.join("content"),
        themes: root.join("themes"),
        ..Default::default()
    })
    .expect("the shipped site loads");
    let f = fixture_with(|c| c.site = Some(std::sync::Arc::new(site)));
    let (cookie, _) = sign_in(&f).await;

    let list = text(send(&f.router, get("/desk/", Some(&cookie))).await).await;
    assert!(list.contains("<td>Reti e collaborazioni</td>"), "{list}");
    assert!(list.contains("<td>Sportello di Terni</td>"), "{list}");
    assert!(!list.contains("<td>terni</td>") && !list.contains("<td>networks</td>"));
    assert!(
        list.contains("<option value=\"running\">Gestire un"),
        "the filter shows the name and sends the id: {list}"
    );
    let filtered = text(send(&f.router, get("/desk/?topic=running", Some(&cookie))).await).await;
    assert!(filtered.contains(ID_B) && !filtered.contains(ID_A));

    let request = text(send(&f.router, get(&format!("/desk/r/{ID_A}"), Some(&cookie))).await).await;
    assert!(request.contains("<dd>Sportello di Terni</dd>"), "{request}");
    assert!(request.contains("<dd>Fondare un"), "{request}");

    let english = text(send(&f.router, get("/desk/?lang=en", Some(&cookie))).await).await;
    assert!(english.contains("<td>Terni desk</td>"), "{english}");

    let report = text(send(&f.router, get("/desk/report", Some(&cookie))).await).await;
    assert!(report.contains("Terni desk"), "{report}");
    assert!(!report.contains(">terni<") && !report.contains(">founding<"));
}

/// A request's language was shown as its code: "uk" reads as the United
/// Kingdom to a coordinator, "sq" as nothing. The list, its filter, one
/// request and the report name it in the operator's language.
#[tokio::test]
async fn request_languages_are_named_in_the_operators_language() {
    let f = fixture();
    let (cookie, _) = sign_in(&f).await;
    let list = text(send(&f.router, get("/desk/", Some(&cookie))).await).await;
    assert!(
        list.contains("<td>Ucraino</td>") && list.contains("<td>Arabo</td>"),
        "{list}"
    );
    assert!(!list.contains("<td>uk</td>"), "{list}");
    assert!(
        list.contains("<option value=\"uk\">Ucraino</option>"),
        "the filter shows the name and sends the code: {list}"
    );
    let request = text(send(&f.router, get(&format!("/desk/r/{ID_B}"), Some(&cookie))).await).await;
    assert!(request.contains("<dd>Arabo</dd>"), "{request}");

    let report = text(send(&f.router, get("/desk/report?lang=en", Some(&cookie))).await).await;
    assert!(
        report.contains("<th scope=\"row\">Ukrainian</th>"),
        "{report}"
    );
    assert!(
        report.contains("<th scope=\"row\">New</th>"),
        "statuses by name: {report}"
    );
    assert!(
        report.contains("<span dir=\"ltr\">2023-03 – 2026-11</span>"),
        "the months covered: {report}"
    );
    // Right to left, the charts are mirrored as the page is: each label at
    // the right edge.
    let arabic = text(send(&f.router, get("/desk/report?lang=ar", Some(&cookie))).await).await;
    assert!(
        arabic.contains("<text x=\"100%\" y=\"15\" text-anchor=\"end\" font-size=\"14\" fill=\"#1a1a1a\">العربية</text>"),
        "{arabic}"
    );
    assert!(
        report.contains("<text x=\"0\" y=\"15\" font-size=\"14\" fill=\"#1a1a1a\">Arabic</text>")
    );
}

/// The inbox of one instance shows the requests of the other instances'
/// segments too, and a request there can be taken in charge.
#[tokio::test]
async fn the_inbox_reads_every_segment() {
    let other_dir = tempfile::tempdir().expect("tempdir");
    let other = other_dir.path().join("instance-2.jsonl");
    const OTHER: &str = "01K0000000000000000000000D";
    let mut bytes = Vec::new();
    encode_line(
        &record(OTHER, "2026-11-21T09:15:00.000Z", "fr", "Awa", "other"),
        &mut bytes,
    )
    .expect("encodes");
    std::fs::write(&other, &bytes).expect("writes");
    let segment = other.clone();
    let f = fixture_with(move |c| c.segments = vec![segment]);
    let (cookie, token) = sign_in(&f).await;

    let list = text(send(&f.router, get("/desk/", Some(&cookie))).await).await;
    assert!(list.contains(OTHER) && list.contains(ID_A), "{list}");
    let r = send(
        &f.router,
        post(
            &format!("/desk/r/{OTHER}/take"),
            Some(&cookie),
            &[("csrf", &token), ("note", "")],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let events = sportello_forms::ops::state::read_events(
        &sportello_forms::queue::rewrite::state_path(&other),
    )
    .expect("reads");
    assert_eq!(events.len(), 1, "the event is beside its segment");
    assert_eq!(events[0].id.to_string(), OTHER);
}

/// Issue 15: a request to be listed is shown with its form's fields by
/// their names; approving it (with the CSRF token) marks it handled and
/// shows the entry to paste, which is also a download; a contact request
/// has no approval; an unapproved request has no entry to download.
#[tokio::test]
async fn a_request_to_be_listed_is_approved_and_gives_its_entry() {
    const ASSOC: &str = "01K0000000000000000000000D";
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let site = sportello_forms::site_pages::SitePages::load(&sportello::Options {
        content: root.join("content"),
        themes: root.join("themes"),
        ..Default::default()
    })
    .expect("the shipped site loads");
    let f = fixture_with(|c| c.site = Some(std::sync::Arc::new(site)));
    let mut data = std::collections::BTreeMap::new();
    data.insert(
        "org_name".to_owned(),
        serde_json::json!("Donne <b>in</b> rete"),
    );
    data.insert("sectors".to_owned(), serde_json::json!(["women", "work"]));
    data.insert("city".to_owned(), serde_json::json!("Perugia"));
    data.insert("province".to_owned(), serde_json::json!("PG"));
    data.insert(
        "description".to_owned(),
        serde_json::json!("Aiutiamo le donne a trovare lavoro."),
    );
    data.insert(
        "source".to_owned(),
        serde_json::json!("https://donne.example.org/"),
    );
    data.insert("publish_consent".to_owned(), serde_json::json!(true));
    let r = Record::new(
        ASSOC.parse().expect("a ULID"),
        "2026-11-28T09:00:00.000Z".into(),
        Submission {
            lang: "it".into(),
            name: "Lucia".into(),
            email: Some("lucia@example.org".into()),
            desk: "any".into(),
            topic: "networks".into(),
            kind: Some("association".into()),
            data,
            ..Submission::default()
        },
    );
    let mut bytes = Vec::new();
    encode_line(&r, &mut bytes).expect("encodes");
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(&f.queue)
        .expect("open");
    std::io::Write::write_all(&mut file, &bytes).expect("append");
    let (cookie, token) = sign_in(&f).await;
    let path = format!("/desk/r/{ASSOC}");

    let page = text(send(&f.router, get(&path, Some(&cookie))).await).await;
    assert!(
        page.contains("<dt>Nome dell&#39;associazione</dt>"),
        "labels in the operator's language: {page}"
    );
    assert!(
        page.contains(">Donne &lt;b&gt;in&lt;/b&gt; rete</dd>"),
        "escaped: {page}"
    );
    assert!(
        page.contains(">Donne, Lavoro e formazione</dd>"),
        "choices by their names: {page}"
    );
    assert!(page.contains(">Perugia (PG)</dd>"), "{page}");
    assert!(
        page.contains(&format!("action=\"{path}/approve\"")),
        "{page}"
    );
    assert!(
        !page.contains("<pre class=\"entry\""),
        "no entry before approval"
    );
    let r = send(&f.router, get(&format!("{path}/entry.yaml"), Some(&cookie))).await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "nothing to download before approval"
    );

    // Without the token: refused, nothing changes.
    let r = send(
        &f.router,
        post(&format!("{path}/approve"), Some(&cookie), &[]),
    )
    .await;
    assert_ne!(r.status(), StatusCode::SEE_OTHER);
    let r = send(
        &f.router,
        post(
            &format!("{path}/approve"),
            Some(&cookie),
            &[("csrf", &token)],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = text(send(&f.router, get(&path, Some(&cookie))).await).await;
    assert!(page.contains("<pre class=\"entry\""), "{page}");
    assert!(
        page.contains("consent_date: &quot;2026-11-28&quot;"),
        "the day it was sent: {page}"
    );
    assert!(page.contains("status-done"), "approved is handled: {page}");
    // The operator learns that the made-up id may be changed.
    assert!(page.contains("La prima riga, id, identifica"), "{page}");
    let r = send(&f.router, get(&format!("{path}/entry.yaml"), Some(&cookie))).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap_or("")
            .contains("attachment")
    );
    let yaml = text(r).await;
    assert!(
        yaml.contains("name: Donne <b>in</b> rete"),
        "the file is the data, not HTML: {yaml}"
    );
    assert!(
        yaml.contains("- culture") || yaml.contains("women"),
        "{yaml}"
    );

    // The access log says who approved and who downloaded.
    let log_path = sportello_forms::queue::rewrite::sibling(&f.queue, ".access.jsonl");
    let log = fs::read_to_string(&log_path).expect("access log");
    assert!(log.contains("\"approved\"") && log.contains(ASSOC), "{log}");

    // A contact request has no approval.
    let page = text(send(&f.router, get(&format!("/desk/r/{ID_A}"), Some(&cookie))).await).await;
    assert!(!page.contains("/approve\""), "{page}");
}
