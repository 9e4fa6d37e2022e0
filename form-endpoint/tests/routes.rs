//! Every row of the answers table, through the real router (tower's
//! `oneshot`), in Italian and in Arabic (right to left).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use http_body_util::BodyExt;
use sportello_forms::pages::escape_html;
use sportello_forms::queue::{FaultyStorage, Lines, Record};
use sportello_forms::{
    ErrorCode, FormPages, FormState, FormStatus, FormsApp, FormsConfig, Metrics, PlainPages, Queue,
    Rate,
};
use tower::ServiceExt;

const FALLBACK: &str = "call 0744 812786";

/// Renders with [`PlainPages`] and remembers every state it was given.
#[derive(Clone)]
struct Recording {
    plain: PlainPages,
    seen: Arc<Mutex<Vec<(String, FormState)>>>,
}

impl FormPages for Recording {
    fn languages(&self) -> Vec<String> {
        self.plain.languages()
    }
    fn desk_ids(&self) -> Vec<String> {
        self.plain.desk_ids()
    }
    fn contact_url(&self, lang: &str) -> String {
        self.plain.contact_url(lang)
    }
    fn thanks_url(&self, lang: &str) -> String {
        self.plain.thanks_url(lang)
    }
    fn render(&self, lang: &str, state: &FormState) -> Result<String, sportello_forms::Error> {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((lang.to_owned(), state.clone()));
        self.plain.render(lang, state)
    }
}

struct Fixture {
    router: Router,
    storage: FaultyStorage,
    metrics: Arc<Metrics>,
    pages: Recording,
    _queue: Queue,
}

impl Fixture {
    fn new(config: FormsConfig) -> Self {
        let storage = FaultyStorage::new();
        let queue = Queue::with_storage(storage.clone()).expect("writer starts");
        let pages = Recording {
            plain: PlainPages::new(
                vec!["it".into(), "en".into(), "ar".into()],
                vec!["terni".into()],
                FALLBACK,
            ),
            seen: Arc::default(),
        };
        let app = FormsApp::new(config, Arc::new(pages.clone()), queue.handle());
        Self {
            router: app.router(),
            storage,
            metrics: app.metrics(),
            pages,
            _queue: queue,
        }
    }

    fn unlimited() -> Self {
        Self::new(FormsConfig {
            rate: Rate::Off,
            ..FormsConfig::default()
        })
    }

    async fn post(&self, body: impl Into<Body>, json: bool) -> Response {
        self.post_from("192.0.2.10:5555", &[], body, json).await
    }

    async fn post_from(
        &self,
        peer: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
        json: bool,
    ) -> Response {
        let mut req = Request::post("/forms/contact")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if json {
            req = req.header(header::ACCEPT, "application/json");
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut req = req.body(body.into()).expect("request");
        let peer: SocketAddr = peer.parse().expect("peer address");
        req.extensions_mut().insert(ConnectInfo(peer));
        self.router.clone().oneshot(req).await.expect("infallible")
    }

    fn records(&self) -> Vec<Record> {
        Lines::new(&self.storage.durable()[..])
            .map(|l| l.expect("in memory").entry.expect("a good record"))
            .collect()
    }

    fn last_state(&self) -> (String, FormState) {
        self.pages
            .seen
            .lock()
            .expect("lock")
            .last()
            .cloned()
            .expect("a page was rendered")
    }
}

fn form(lang: &str) -> BTreeMap<&'static str, String> {
    let (name, message) = match lang {
        "ar" => ("أمينة الحسن", "أريد تأسيس جمعية في تيرني"),
        _ => ("Giulia Rossi", "Vorrei fondare un'associazione a Terni"),
    };
    BTreeMap::from([
        ("lang", lang.to_owned()),
        ("name", name.to_owned()),
        ("email", "persona@example.org".to_owned()),
        ("phone", "+39 0744 000000".to_owned()),
        ("desk", "terni".to_owned()),
        ("topic", "founding".to_owned()),
        ("message", message.to_owned()),
        ("consent", "yes".to_owned()),
        ("website", String::new()),
    ])
}

fn encode(fields: &BTreeMap<&'static str, String>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

async fn text(r: Response) -> String {
    let bytes = r.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

async fn json_of(r: Response) -> serde_json::Value {
    serde_json::from_str(&text(r).await).expect("json")
}

fn dir(lang: &str) -> &'static str {
    if lang == "ar" { "rtl" } else { "ltr" }
}

const LANGS: [&str; 2] = ["it", "ar"];

#[tokio::test]
async fn accepted_html_redirects_to_thanks_after_storing() {
    for lang in LANGS {
        let f = Fixture::unlimited();
        let r = f.post(encode(&form(lang)), false).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()[header::LOCATION],
            format!("/{lang}/contact/thanks/").as_str()
        );
        let records = f.records();
        assert_eq!(records.len(), 1, "stored and fsync'd before the answer");
        let rec = &records[0];
        assert_eq!(
            (rec.v, rec.lang.as_str(), rec.name.as_str()),
            (1, lang, form(lang)["name"].as_str())
        );
        assert_eq!(rec.message, form(lang)["message"]);
        assert_eq!(rec.email.as_deref(), Some("persona@example.org"));
        assert!(rec.consent);
        assert_eq!(f.metrics.snapshot().accepted, 1);
    }
}

#[tokio::test]
async fn accepted_json_answers_201_with_the_stored_id() {
    for lang in LANGS {
        let f = Fixture::unlimited();
        let r = f.post(encode(&form(lang)), true).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let body = json_of(r).await;
        let id = body["id"].as_str().expect("id").to_owned();
        assert_eq!(id.len(), 26);
        assert_eq!(
            f.records()
                .iter()
                .map(|r| r.id.to_string())
                .collect::<Vec<_>>(),
            vec![id]
        );
    }
}

#[tokio::test]
async fn invalid_html_shows_the_form_again_in_the_readers_language_with_values_kept() {
    for lang in LANGS {
        let f = Fixture::unlimited();
        let mut fields = form(lang);
        fields.insert("email", String::new());
        fields.insert("phone", String::new());
        fields.insert("topic", "weather".into());
        fields.insert("consent", String::new());
        fields.insert("name", "x".repeat(201));
        let r = f.post(encode(&fields), false).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        let html = text(r).await;
        assert!(
            html.contains(&format!("<html lang=\"{lang}\" dir=\"{}\">", dir(lang))),
            "{html}"
        );
        assert!(
            html.contains(&format!(">{}</textarea>", escape_html(&fields["message"]))),
            "message kept"
        );
        assert!(html.contains("class=\"error-summary\""));
        let (rendered_lang, state) = f.last_state();
        assert_eq!(rendered_lang, lang);
        assert_eq!(state.status, FormStatus::Invalid);
        assert_eq!(
            state.errors,
            BTreeMap::from([
                ("consent".to_owned(), ErrorCode::ConsentRequired),
                ("email".to_owned(), ErrorCode::EmailOrPhone),
                ("name".to_owned(), ErrorCode::TooLong),
                ("topic".to_owned(), ErrorCode::InvalidChoice),
            ])
        );
        let summary: Vec<_> = state.summary.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            summary,
            ["name", "email", "topic", "consent"],
            "in the form's order"
        );
        assert_eq!(state.value("message"), fields["message"]);
        assert_eq!(state.value("name"), fields["name"]);
        assert!(!state.values.contains_key("website"));
        assert!(f.records().is_empty(), "nothing stored");
        assert_eq!(f.metrics.snapshot().invalid, 1);
    }
}

#[tokio::test]
async fn invalid_json_lists_error_codes_by_field() {
    for lang in LANGS {
        let f = Fixture::unlimited();
        let mut fields = form(lang);
        fields.insert("email", "not-an-address".into());
        fields.insert("phone", "call me".into());
        fields.insert("desk", "milano".into());
        let r = f.post(encode(&fields), true).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            json_of(r).await,
            serde_json::json!({"errors": {"email": "invalid_email", "phone": "invalid_phone", "desk": "invalid_choice"}})
        );
    }
}

#[tokio::test]
async fn an_unknown_language_is_answered_in_the_default_one() {
    let f = Fixture::unlimited();
    let mut fields = form("it");
    fields.insert("lang", "xx".into());
    let r = f.post(encode(&fields), false).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(r).await.contains("<html lang=\"it\" dir=\"ltr\">"));
    assert_eq!(
        f.last_state().1.errors.get("lang"),
        Some(&ErrorCode::InvalidLang)
    );
}

#[tokio::test]
async fn a_malformed_body_is_a_422_keeping_what_could_be_read() {
    let f = Fixture::unlimited();
    let r = f
        .post(
            "lang=ar&name=%D8%A3%D9%85%ZZ&&message=%&=&email=%C3%28",
            false,
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(r).await.contains("dir=\"rtl\""));
    let (_, state) = f.last_state();
    assert_eq!(state.value("name"), "أم%ZZ");
    assert_eq!(state.value("email"), "\u{FFFD}(");
    assert_eq!(state.errors.get("topic"), Some(&ErrorCode::Required));
}

#[tokio::test]
async fn the_honeypot_is_answered_like_success_stores_nothing_and_is_counted() {
    for lang in LANGS {
        let f = Fixture::unlimited();
        let mut fields = form(lang);
        fields.insert("website", "http://spam.example".into());
        let r = f.post(encode(&fields), false).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()[header::LOCATION],
            format!("/{lang}/contact/thanks/").as_str()
        );
        let r = f.post(encode(&fields), true).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        assert!(json_of(r).await["id"].is_string());
        assert!(f.storage.contents().is_empty(), "nothing stored");
        assert_eq!(f.metrics.snapshot().honeypot, 2);
        assert_eq!(f.metrics.snapshot().accepted, 0);
    }
}

#[tokio::test]
async fn a_body_over_32_kib_is_a_413_page_in_the_language_of_the_referring_page() {
    for lang in LANGS {
        let f = Fixture::unlimited();
        let mut fields = form(lang);
        fields.insert("message", "a".repeat(33 * 1024));
        let referer = format!("https://sportello.example/{lang}/contact/");
        let r = f
            .post_from(
                "192.0.2.10:1",
                &[("referer", &referer)],
                encode(&fields),
                false,
            )
            .await;
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(
            text(r)
                .await
                .contains(&format!("<html lang=\"{lang}\" dir=\"{}\">", dir(lang)))
        );
        assert_eq!(f.last_state().1.status, FormStatus::TooLarge);

        // Without Content-Length (chunked): cut off while reading.
        let chunks = vec![
            Ok::<_, std::io::Error>(vec![b'a'; 20 * 1024]),
            Ok(vec![b'b'; 20 * 1024]),
        ];
        let stream = Body::from_stream(futures_stream(chunks));
        let r = f.post(stream, true).await;
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(json_of(r).await, serde_json::json!({"error": "too_large"}));
        assert!(f.storage.contents().is_empty());
        assert_eq!(f.metrics.snapshot().too_large, 2);
    }
}

fn futures_stream(
    chunks: Vec<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    futures_util::stream::iter(chunks)
}

#[tokio::test]
async fn too_many_from_one_client_is_a_429_with_retry_after_and_input_kept() {
    for lang in LANGS {
        let f = Fixture::new(FormsConfig {
            rate: "2/h".parse().expect("rate"),
            ..FormsConfig::default()
        });
        let body = encode(&form(lang));
        for _ in 0..2 {
            assert_eq!(
                f.post(body.clone(), false).await.status(),
                StatusCode::SEE_OTHER
            );
        }
        let r = f.post(body.clone(), false).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = r.headers()[header::RETRY_AFTER]
            .to_str()
            .ok()
            .and_then(|s| s.parse().ok())
            .expect("secs");
        assert!((1..=1800).contains(&retry), "{retry}");
        let html = text(r).await;
        assert!(html.contains(&format!("dir=\"{}\"", dir(lang))));
        assert!(
            html.contains(&escape_html(&form(lang)["message"])),
            "input kept"
        );
        let (_, state) = f.last_state();
        assert_eq!(
            (state.status, state.retry_after_secs),
            (FormStatus::RateLimited, Some(retry))
        );
        assert_eq!(state.value("name"), form(lang)["name"]);

        let r = f.post(body.clone(), true).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers().contains_key(header::RETRY_AFTER));
        assert_eq!(json_of(r).await["error"], "rate_limited");

        // Another client is not affected; a forged X-Forwarded-For does not help.
        let forged = [("x-forwarded-for", "203.0.113.99")];
        assert_eq!(
            f.post_from("192.0.2.10:9", &forged, body.clone(), false)
                .await
                .status(),
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            f.post_from("192.0.2.11:9", &[], body.clone(), false)
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(f.records().len(), 3);
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_clients_are_told_apart_by_forwarded_for() {
    let f = Fixture::new(FormsConfig {
        rate: "1/h".parse().expect("rate"),
        trusted_proxies: vec!["127.0.0.1".parse().expect("ip")],
        ..FormsConfig::default()
    });
    let body = encode(&form("it"));
    let from = |ip: &'static str| [("x-forwarded-for", ip)];
    assert_eq!(
        f.post_from("127.0.0.1:1", &from("203.0.113.1"), body.clone(), true)
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        f.post_from("127.0.0.1:2", &from("203.0.113.2"), body.clone(), true)
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        f.post_from("127.0.0.1:3", &from("203.0.113.1"), body.clone(), true)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_queue_that_cannot_be_written_is_a_503_with_input_and_phone_and_unhealthy() {
    for lang in LANGS {
        let f = Fixture::unlimited();
        let ok = f.post(encode(&form(lang)), true).await;
        assert_eq!(ok.status(), StatusCode::CREATED);
        let health = f
            .router
            .clone()
            .oneshot(Request::get("/healthz").body(Body::empty()).expect("req"))
            .await;
        assert_eq!(health.expect("infallible").status(), StatusCode::OK);

        f.storage.fail_syncs();
        let r = f.post(encode(&form(lang)), false).await;
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        let html = text(r).await;
        assert!(html.contains(FALLBACK), "the desk's phone is shown");
        assert!(
            html.contains(&escape_html(&form(lang)["message"])),
            "input kept"
        );
        assert!(html.contains(&format!("dir=\"{}\"", dir(lang))));
        assert_eq!(f.last_state().1.status, FormStatus::Unavailable);
        assert_eq!(f.records().len(), 1, "only the acknowledged one");
        assert_eq!(
            f.storage.contents(),
            f.storage.durable(),
            "the failed batch was cut off"
        );

        // Stopped for good: the next one is refused without trying.
        let r = f.post(encode(&form(lang)), true).await;
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            json_of(r).await,
            serde_json::json!({"error": "unavailable"})
        );
        assert_eq!(f.storage.syncs(), 1);
        assert_eq!(f.metrics.snapshot().unavailable, 2);

        for path in ["/healthz", "/forms/healthz"] {
            let r = f
                .router
                .clone()
                .oneshot(Request::get(path).body(Body::empty()).expect("req"))
                .await;
            let r = r.expect("infallible");
            assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(json_of(r).await["status"], "unhealthy");
        }
    }
}

#[tokio::test]
async fn getting_the_form_address_leads_to_the_contact_page() {
    let f = Fixture::unlimited();
    let req = Request::get("/forms/contact")
        .header(header::REFERER, "https://sportello.example/ar/contact/")
        .body(Body::empty())
        .expect("req");
    let r = f.router.clone().oneshot(req).await.expect("infallible");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/ar/contact/");
    let req = Request::get("/forms/contact")
        .body(Body::empty())
        .expect("req");
    let r = f.router.clone().oneshot(req).await.expect("infallible");
    assert_eq!(r.headers()[header::LOCATION], "/it/contact/");
}

/// Issue 10, item 11: `/healthz` showed the request counters to anyone.
#[tokio::test]
async fn healthz_answers_ok_without_counters_to_anyone() {
    let f = Fixture::unlimited();
    assert_eq!(
        f.post(encode(&form("it")), true).await.status(),
        StatusCode::CREATED
    );
    let r = f
        .router
        .clone()
        .oneshot(Request::get("/healthz").body(Body::empty()).expect("req"))
        .await;
    let body = json_of(r.expect("infallible")).await;
    assert_eq!(body, serde_json::json!({ "status": "ok" }));
    assert_eq!(f.metrics.snapshot().accepted, 1, "counted, not shown");
}

#[tokio::test]
async fn the_router_mounts_inside_another_app() {
    let f = Fixture::unlimited();
    let site = Router::new()
        .route("/", axum::routing::get(|| async { "site" }))
        .merge(f.router.clone());
    let mut req = Request::post("/forms/contact")
        .body(Body::from(encode(&form("ar"))))
        .expect("req");
    req.extensions_mut().insert(ConnectInfo(
        "192.0.2.1:1".parse::<SocketAddr>().expect("addr"),
    ));
    let r = site.oneshot(req).await.expect("infallible");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(f.records().len(), 1);
}

#[tokio::test]
async fn invalid_utf8_in_a_field_is_a_422_not_a_record_with_replacement_characters() {
    let f = Fixture::unlimited();
    let body = encode(&form("it")).replace("name=Giulia+Rossi", "name=Giulia%FF%FERossi");
    let r = f.post(body.clone(), true).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json_of(r).await["errors"]["name"], "unreadable");
    let r = f.post(body, false).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, state) = f.last_state();
    assert!(
        state.value("name").contains('\u{FFFD}'),
        "shown where it was"
    );
    assert!(f.records().is_empty());
}

#[tokio::test]
async fn invisible_only_name_or_message_is_required() {
    for invisible in [
        "\u{200B}\u{200D}",
        "\u{202E}\u{2067}\u{200F}",
        "\u{FEFF}\u{3000}\u{2800}",
    ] {
        let f = Fixture::unlimited();
        let mut fields = form("it");
        fields.insert("name", invisible.into());
        fields.insert("message", invisible.into());
        let r = f.post(encode(&fields), true).await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{invisible:?}"
        );
        let errors = json_of(r).await["errors"].clone();
        assert_eq!(errors["name"], "required", "{invisible:?}");
        assert_eq!(errors["message"], "required", "{invisible:?}");
        assert!(f.records().is_empty());
    }
}

#[tokio::test]
async fn line_breaks_in_single_line_fields_are_folded_before_storing() {
    let f = Fixture::unlimited();
    let mut fields = form("it");
    fields.insert("name", "Ana\r\nBcc: victim@example.org\u{2028}x".into());
    fields.insert("phone", "0744\n812786".into());
    fields.insert("message", "one\r\ntwo".into());
    let r = f.post(encode(&fields), true).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let rec = &f.records()[0];
    assert_eq!(rec.name, "Ana Bcc: victim@example.org x");
    assert_eq!(rec.phone.as_deref(), Some("0744 812786"));
    assert_eq!(rec.message, "one\ntwo", "the message keeps its lines");
}

#[tokio::test]
async fn bad_lang_is_named_in_the_error_summary() {
    for bad in ["../../etc", "<script>", ""] {
        let f = Fixture::unlimited();
        let mut fields = form("ar");
        fields.insert("lang", bad.into());
        let r = f
            .post_from(
                "192.0.2.10:5555",
                &[("referer", "https://example.org/ar/contact/")],
                encode(&fields),
                false,
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = text(r).await;
        let (lang, state) = f.last_state();
        assert_eq!(lang, "ar", "the language of the page it came from");
        assert_eq!(state.summary.len(), 1);
        assert_eq!(state.summary[0].code, ErrorCode::InvalidLang);
        assert!(html.contains(ErrorCode::InvalidLang.english()), "{html}");
        assert!(!html.contains("<script>"), "escaped");
    }
}
