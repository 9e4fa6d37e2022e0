//! Issue 15, "add or update your association": a second form configured in
//! the shipped `site.yaml`, taken by the real router with the shipped site's
//! pages, stored with its kind; approved into a directory entry that the
//! generator accepts and publishes in every language.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use http_body_util::BodyExt;
use sportello_forms::ops::approve;
use sportello_forms::queue::{FaultyStorage, Lines, Record};
use sportello_forms::site_pages::SitePages;
use sportello_forms::{FormPages, FormsApp, FormsConfig, Queue, Rate};
use tower::ServiceExt;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn shipped() -> SitePages {
    SitePages::load(&sportello::Options {
        content: root().join("content"),
        themes: root().join("themes"),
        ..Default::default()
    })
    .expect("the shipped site loads")
}

struct Fixture {
    router: axum::Router,
    storage: FaultyStorage,
    _queue: Queue,
}

impl Fixture {
    fn new() -> Self {
        let storage = FaultyStorage::new();
        let queue = Queue::with_storage(storage.clone()).expect("writer starts");
        let config = FormsConfig {
            rate: Rate::Off,
            ..FormsConfig::default()
        };
        let app = FormsApp::new(config, Arc::new(shipped()), queue.handle());
        Self {
            router: app.router(),
            storage,
            _queue: queue,
        }
    }

    async fn post(&self, path: &str, body: String, json: bool) -> Response {
        let mut req =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if json {
            req = req.header(header::ACCEPT, "application/json");
        }
        let mut req = req.body(Body::from(body)).expect("request");
        let peer: SocketAddr = "192.0.2.10:5555".parse().expect("peer");
        req.extensions_mut().insert(ConnectInfo(peer));
        self.router.clone().oneshot(req).await.expect("infallible")
    }

    fn records(&self) -> Vec<Record> {
        Lines::new(&self.storage.durable()[..])
            .map(|l| l.expect("in memory").entry.expect("a good record"))
            .collect()
    }
}

/// A request from an association, written in Arabic.
fn arabic_request() -> Vec<(&'static str, &'static str)> {
    vec![
        ("lang", "ar"),
        ("name", "أمينة"),
        ("email", "amina@example.org"),
        ("phone", ""),
        ("org_name", "جمعية الأمل للنساء"),
        ("sectors", "women"),
        ("sectors", "culture"),
        ("city", "Terni"),
        ("province", "TR"),
        ("languages", "ar"),
        ("languages", "it"),
        (
            "description",
            "نساعد النساء المهاجرات على تعلم اللغة الإيطالية.",
        ),
        ("org_email", "info@al-amal.example.org"),
        ("org_website", "https://al-amal.example.org/"),
        ("founded", "2016"),
        ("source", "https://al-amal.example.org/chi-siamo"),
        ("publish_consent", "yes"),
        ("consent", "yes"),
        ("website", ""),
    ]
}

fn encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn with(
    pairs: &[(&'static str, &'static str)],
    k: &'static str,
    v: &'static str,
) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<_> = pairs.iter().copied().filter(|(key, _)| *key != k).collect();
    out.push((k, v));
    out
}

async fn text(r: Response) -> String {
    let bytes = r.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test]
async fn an_association_asks_in_arabic_and_is_stored_with_its_kind_then_thanked_in_arabic() {
    let f = Fixture::new();
    let r = f
        .post("/forms/association", encode(&arabic_request()), false)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[header::LOCATION]
        .to_str()
        .unwrap_or("")
        .to_owned();
    assert_eq!(to, shipped().url_of("associations/thanks", "ar"));
    assert!(to.starts_with("/ar/"), "{to}");

    let records = f.records();
    assert_eq!(records.len(), 1);
    let rec = &records[0];
    assert_eq!(rec.kind.as_deref(), Some("association"));
    assert_eq!(
        rec.topic, "networks",
        "counted under networks in the report"
    );
    assert_eq!(rec.name, "أمينة", "the person writing");
    assert_eq!(rec.data["org_name"], "جمعية الأمل للنساء");
    // In the options' order, whatever the order ticked.
    assert_eq!(rec.data["sectors"], serde_json::json!(["culture", "women"]));
    assert_eq!(rec.data["publish_consent"], true);
    assert!(
        !rec.data.contains_key("runts"),
        "empty optional fields are not stored"
    );
}

#[tokio::test]
async fn each_rule_of_the_form_has_its_translated_error_and_the_page_keeps_what_was_typed() {
    let f = Fixture::new();
    let base = arabic_request();
    for (field, value, code) in [
        ("org_website", "javascript:alert(1)", "invalid_url"),
        ("source", "not a page", "invalid_url"),
        ("founded", "3000", "invalid_year"),
        ("founded", "20a6", "invalid_year"),
        ("province", "MI", "invalid_choice"),
        ("sectors", "weather", "invalid_choice"),
        ("org_email", "nope", "invalid_email"),
        ("publish_consent", "", "tick_required"),
        ("org_name", "", "required"),
    ] {
        let body = with(&base, field, value);
        let r = f.post("/forms/association", encode(&body), true).await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}"
        );
        let json: serde_json::Value = serde_json::from_str(&text(r).await).unwrap_or_default();
        assert_eq!(json["errors"][field], code, "{field}={value}: {json}");
    }
    // Too long, counted in characters (600 Arabic letters fit, 601 do not).
    let long = "ع".repeat(601);
    let mut body: Vec<(&str, &str)> = base
        .iter()
        .copied()
        .filter(|(k, _)| *k != "description")
        .collect();
    body.push(("description", &long));
    let r = f.post("/forms/association", encode(&body), true).await;
    let json: serde_json::Value = serde_json::from_str(&text(r).await).unwrap_or_default();
    assert_eq!(json["errors"]["description"], "too_long");
    assert!(f.records().is_empty(), "nothing refused is stored");

    // As a page: Arabic, right to left, the error next to its field, and
    // markup typed by the person shown as text, never as markup.
    let body = with(
        &with(&base, "org_name", "<script>x</script> \"Al-Amal\""),
        "publish_consent",
        "",
    );
    let r = f.post("/forms/association", encode(&body), false).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(r).await;
    assert!(html.contains(r#"<html lang="ar" dir="rtl""#), "{html}");
    assert!(
        html.contains(r##"href="#f-publish_consent""##),
        "the summary links the field"
    );
    // A label that is a sentence loses its full stop before the message
    // ("… الموقع: …", not "… الموقع.: …").
    let summary = &html[html.find("error-summary").unwrap()..];
    let summary = &summary[..summary.find("</ul>").unwrap()];
    assert!(summary.contains("الموقع: "), "{summary}");
    // The publication consent has its own message: "tick this box", not the
    // privacy notice's, which the person may well have accepted.
    assert!(
        summary.contains("لإرسال الاستمارة، يجب أن تضعوا علامة في هذا المربع."),
        "{summary}"
    );
    assert!(!summary.contains("إشعار الخصوصية"), "{summary}");
    assert!(!summary.contains(".:"), "{summary}");
    assert!(!html.contains("<script>x</script>"), "escaped");
    assert!(
        html.contains("&lt;script&gt;x&lt;&#x2F;script&gt;")
            || html.contains("&lt;script&gt;x&lt;/script&gt;"),
        "kept, as text"
    );
    assert!(
        html.contains(r#"value="culture" checked"#),
        "ticked boxes stay ticked"
    );
    assert!(html.contains("أمينة"), "the person's name is kept");
}

#[tokio::test]
async fn a_path_no_form_has_is_404_and_the_contact_form_is_unchanged() {
    let f = Fixture::new();
    let r = f
        .post("/forms/nothing", encode(&arabic_request()), false)
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The association's fields mean nothing to the contact form.
    let r = f
        .post("/forms/contact", encode(&arabic_request()), true)
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no topic, no message"
    );
    assert!(f.records().is_empty());
}

#[tokio::test]
async fn the_honeypot_of_the_second_form_stores_nothing() {
    let f = Fixture::new();
    let body = with(&arabic_request(), "website", "http://spam.example");
    let r = f.post("/forms/association", encode(&body), false).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "answered like success");
    assert!(f.records().is_empty());
}

/// The whole way, without a browser: sent in Arabic, approved, pasted into
/// the data file, published under its sector and its city in every
/// language, with the Arabic description marked as such elsewhere.
#[tokio::test]
async fn an_approved_request_becomes_an_entry_that_the_site_publishes_in_every_language() {
    let f = Fixture::new();
    let r = f
        .post("/forms/association", encode(&arabic_request()), false)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let record = f.records().remove(0);
    let site = shipped();
    assert!(approve::approvable(&record, Some(&site)));
    let entry = approve::entry(&record, Some(&site)).expect("an entry");
    assert!(entry.checked);
    assert_eq!(entry.problems, Vec::<String>::new(), "{}", entry.yaml);
    assert!(entry.yaml.contains("consent_date:"), "{}", entry.yaml);

    // An editor pastes it into a copy of the shipped content and builds.
    let dir = tempfile::tempdir().expect("tmp");
    let content = dir.path().join("content");
    copy_tree(&root().join("content"), &content);
    let data = content.join("_data/associations.yaml");
    let before = std::fs::read_to_string(&data).unwrap_or_default();
    std::fs::write(&data, format!("{before}\n{}", entry.yaml)).expect("write");
    let out = dir.path().join("public");
    let opts = sportello::Options {
        content: content.clone(),
        themes: root().join("themes"),
        ..Default::default()
    };
    let mut diags = sportello::Diagnostics::default();
    let project = sportello::Project::load(&opts, &mut diags).expect("loads");
    assert!(!diags.has_errors(), "{}", diags.render());
    assert_eq!(project.site.associations.len(), 1);
    let id = project.site.associations[0].id.value.clone();
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "{id}"
    );
    sportello::build(&opts, &out).expect("builds");
    for lang in ["it", "en", "fr", "ar", "ro", "sq", "uk"] {
        let index = project
            .site
            .url_of("associations/_index", lang)
            .expect("the directory");
        let html = std::fs::read_to_string(out.join(index.trim_matches('/')).join("index.html"))
            .expect("page");
        assert!(html.contains("جمعية الأمل للنساء"), "{lang}: listed");
        assert!(
            html.contains("id=\"sector-women\"") && html.contains("id=\"sector-culture\""),
            "{lang}: under both sectors"
        );
    }
}

/// Hostile text the form takes (it is what the person typed, kept as it
/// is) but the directory would refuse: the approval says so, naming the
/// problem, instead of giving an entry `check` then rejects.
#[tokio::test]
async fn an_entry_the_directory_would_refuse_is_shown_with_its_problem() {
    let f = Fixture::new();
    let body = with(&arabic_request(), "org_name", "Al-Amal \u{202E}lanoitan");
    let r = f.post("/forms/association", encode(&body), false).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let record = f.records().remove(0);
    let entry = approve::entry(&record, Some(&shipped())).expect("an entry");
    assert_eq!(entry.problems.len(), 1, "{:?}", entry.problems);
    assert!(entry.problems[0].contains("name"), "{:?}", entry.problems);
}

/// `sportello-forms approve ID --output FILE`: the same entry from the
/// terminal, in a file only its owner reads; the request is handled.
#[test]
fn approve_from_the_terminal_writes_the_entry_and_marks_the_request() {
    let dir = tempfile::tempdir().expect("tmp");
    let queue = dir.path().join("queue.jsonl");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let record = rt.block_on(async {
        let f = Fixture::new();
        let r = f
            .post("/forms/association", encode(&arabic_request()), false)
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        f.storage.durable()
    });
    std::fs::write(&queue, &record).expect("queue");
    let bin = env!("CARGO_BIN_EXE_sportello-forms");
    let out = dir.path().join("entry.yaml");
    let id = std::str::from_utf8(&record)
        .ok()
        .and_then(|l| l.split("\"id\":\"").nth(1))
        .map(|s| s[..26].to_owned())
        .expect("an id");
    let run = std::process::Command::new(bin)
        .args(["approve", &id[..10], "--by", "op1", "--queue"])
        .arg(&queue)
        .arg("--output")
        .arg(&out)
        .arg("--content")
        .arg(root().join("content"))
        .arg("--themes")
        .arg(root().join("themes"))
        .output()
        .expect("runs");
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(said.contains("approved"), "{said}");
    let yaml = std::fs::read_to_string(&out).expect("written");
    assert!(yaml.contains("name: جمعية الأمل للنساء"), "{yaml}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&out).expect("meta").permissions().mode() & 0o777,
        0o600
    );

    // Never over an existing file; the request now shows as approved.
    let again = std::process::Command::new(bin)
        .args(["approve", &id, "--queue"])
        .arg(&queue)
        .arg("--output")
        .arg(&out)
        .output()
        .expect("runs");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("must not exist"));
    let show = std::process::Command::new(bin)
        .args(["show", &id, "--queue"])
        .arg(&queue)
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&show.stdout).contains("approved"));
}

/// A contact request is not something to publish.
#[test]
fn a_contact_request_cannot_be_approved() {
    let site = shipped();
    let plain: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    let record = Record {
        v: 1,
        id: ulid::Ulid::new(),
        received: "2026-12-01T10:00:00.000Z".into(),
        kind: None,
        lang: "it".into(),
        name: "Ana".into(),
        email: Some("ana@example.org".into()),
        phone: None,
        desk: "any".into(),
        topic: "networks".into(),
        message: "Ciao".into(),
        data: plain,
        consent: true,
    };
    assert!(!approve::approvable(&record, Some(&site)));
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(from).expect("inside");
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every code the endpoint can answer has its own text in every language of
/// the shipped theme, not the Italian one filled in (a new code once reused
/// the privacy notice's message for want of one).
#[test]
fn every_error_code_is_translated_in_every_shipped_language() {
    let opts = sportello::Options {
        content: root().join("content"),
        themes: root().join("themes"),
        ..Default::default()
    };
    let mut diags = sportello::Diagnostics::default();
    let project = sportello::Project::load(&opts, &mut diags).expect("loads");
    let languages = &project.site.config.languages;
    let default = &project.theme.strings[project.site.config.default_language];
    for (i, lang) in languages.iter().enumerate() {
        for code in sportello_forms::ErrorCode::ALL {
            let text = project.theme.strings[i]["form"]["error"][code.as_str()].as_str();
            assert!(
                text.is_some_and(|t| !t.trim().is_empty()),
                "{}: form.error.{} has no text",
                lang.code,
                code.as_str()
            );
            if i != project.site.config.default_language {
                assert_ne!(
                    text,
                    default["form"]["error"][code.as_str()].as_str(),
                    "{}: form.error.{} is the default language's",
                    lang.code,
                    code.as_str()
                );
            }
        }
    }
}
