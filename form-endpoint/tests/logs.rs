//! No personal data ever reaches the logs: everything logged, at every
//! level, while submissions of every kind go through, is captured and
//! searched for what was submitted.

mod support;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use sportello_forms::queue::FaultyStorage;
use sportello_forms::{FormsConfig, PlainPages, Queue};
use tower::ServiceExt;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|e| std::io::Error::other(e.to_string()))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions_log_method_path_status_and_id_but_no_personal_data() {
    let capture = Capture::default();
    let writer = capture.clone();
    // Global, so that the writer thread and every worker are captured too.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let storage = FaultyStorage::new();
    let queue = Queue::with_storage(storage.clone()).expect("writer");
    let pages = Arc::new(PlainPages::new(
        vec!["it".into(), "ar".into()],
        vec!["terni".into()],
        "0744 812786",
    ));
    let config = FormsConfig {
        rate: "3/h".parse().expect("rate"),
        ..FormsConfig::default()
    };
    let router = sportello_forms::app(config, pages, queue.handle());
    let peer: SocketAddr = "198.51.100.77:40000".parse().expect("addr");

    let post = |body: String, json: bool| {
        let mut req = Request::post("/forms/contact")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-forwarded-for", "203.0.113.55");
        if json {
            req = req.header(header::ACCEPT, "application/json");
        }
        let mut req = req.body(Body::from(body)).expect("request");
        req.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(req)
    };
    let ok = post(support::form_body("it", 1), true)
        .await
        .expect("infallible");
    assert_eq!(ok.status(), 201);
    let invalid = support::form_body("ar", 2).replace("consent=yes", "consent=");
    assert_eq!(
        post(invalid, false).await.expect("infallible").status(),
        422
    );
    let honeypot = support::form_body("it", 3).replace("website=", "website=spam");
    assert_eq!(
        post(honeypot, false).await.expect("infallible").status(),
        303
    );
    assert_eq!(
        post(support::form_body("it", 4), false)
            .await
            .expect("infallible")
            .status(),
        429
    );
    storage.fail_syncs();
    // A fresh client (new bucket) so the failure path is reached.
    let mut req = Request::post("/forms/contact")
        .body(Body::from(support::form_body("it", 5)))
        .expect("request");
    req.extensions_mut().insert(ConnectInfo(
        "198.51.100.78:1".parse::<SocketAddr>().expect("addr"),
    ));
    assert_eq!(
        router
            .clone()
            .oneshot(req)
            .await
            .expect("infallible")
            .status(),
        503
    );
    queue.close().await;

    let logs = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(
        logs.contains("method=POST path=\"/forms/contact\" status=201 record_id="),
        "{logs}"
    );
    assert!(
        logs.contains("status=201") && logs.contains("status=422") && logs.contains("status=503"),
        "{logs}"
    );
    let id = String::from_utf8(storage.durable()).expect("utf-8");
    let id = &id[id.find("\"id\":\"").expect("an id") + 6..][..26];
    assert!(logs.contains(id), "the record id is logged: {logs}");
    assert!(logs.contains("queue writer stopped for good"), "{logs}");
    for secret in
        support::PERSONAL
            .iter()
            .chain(&["198.51.100.77", "198.51.100.78", "203.0.113.55", "spam"])
    {
        assert!(
            !logs.contains(secret),
            "{secret:?} leaked into the logs:\n{logs}"
        );
    }
}
