//! Live preview for editors: pages served by `sportello serve` reload
//! themselves after a rebuild, and a build that fails shows its mistakes on
//! every open page. A small script is added to HTML responses (never to the
//! built files); it listens to a server-sent event stream that carries the
//! build number and the last failed build's problems. Without JavaScript the
//! page simply stays as it is, and the editor reloads by hand.
//!
//! The overlay is built in the browser with `textContent` only: a problem
//! quotes the editor's file, and nothing of it is ever parsed as HTML.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::Query;
use axum::http::{HeaderValue, Response, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures_util::{Stream, StreamExt as _};
use serde::Serialize;
use tokio::sync::watch;

pub const EVENTS_PATH: &str = "/_sportello/events";

const SCRIPT: &str = concat!("<script>", include_str!("live.js"), "</script>");

/// One problem as the overlay shows it: what the terminal shows, as data.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    pub error: bool,
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// The text of the line, quoted.
    pub source: Option<String>,
    pub label: String,
    pub hints: Vec<String>,
}

impl Problem {
    /// A failure that is not about a file's content (the output folder
    /// cannot be written…).
    pub fn of_error(e: &sportello::Error) -> Problem {
        Problem {
            error: true,
            file: String::new(),
            line: None,
            column: None,
            message: e.to_string(),
            source: None,
            label: String::new(),
            hints: Vec::new(),
        }
    }

    pub fn list(diags: &sportello::Diagnostics) -> Vec<Problem> {
        diags
            .iter()
            .map(|d| {
                let at = d.line_col();
                Problem {
                    error: d.is_error(),
                    file: d.path.clone(),
                    line: at.map(|a| a.0),
                    column: at.map(|a| a.1),
                    message: d.message.clone(),
                    source: d.source_line().map(str::to_string),
                    label: d.label.clone(),
                    hints: d.hints.clone(),
                }
            })
            .collect()
    }
}

/// The overlay's own words in one language, from the theme's
/// `preview_problems` strings.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OverlayText {
    pub lang: String,
    pub dir: String,
    pub title: String,
    pub help: String,
    pub hide: String,
}

impl OverlayText {
    /// Every language's words, from a loaded site's theme.
    pub fn of(project: &sportello::Project) -> HashMap<String, OverlayText> {
        let site = &project.site;
        site.config
            .languages
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let t = &project.theme.strings[i]["preview_problems"];
                let text = |k: &str, or: &str| t[k].as_str().unwrap_or(or).to_string();
                let or = OverlayText::fallback();
                let words = OverlayText {
                    lang: l.code.clone(),
                    dir: l.dir.clone(),
                    title: text("title", &or.title),
                    help: text("help", &or.help),
                    hide: text("hide", &or.hide),
                };
                (l.code.clone(), words)
            })
            .collect()
    }

    /// Before any build succeeded there is no theme to take words from.
    fn fallback() -> OverlayText {
        OverlayText {
            lang: "en".into(),
            dir: "ltr".into(),
            title: "The site was not rebuilt: fix these mistakes".into(),
            help: "Save the file once fixed: this page reloads by itself.".into(),
            hide: "Hide".into(),
        }
    }
}

/// What the stream tells each open page.
#[derive(Debug, Clone, Default)]
struct State {
    /// Bumped after every successful build: open pages reload.
    build: u64,
    /// The last build's problems, when it failed; empty once one succeeds.
    problems: Arc<Vec<Problem>>,
    texts: Arc<HashMap<String, OverlayText>>,
}

/// The preview's state, shared by the watcher and the event stream.
#[derive(Clone)]
pub struct Builds {
    tx: Arc<watch::Sender<State>>,
}

#[derive(serde::Deserialize)]
struct Lang {
    #[serde(default)]
    lang: String,
}

#[derive(Serialize)]
struct Message<'a> {
    build: u64,
    problems: &'a [Problem],
    text: &'a OverlayText,
}

impl Builds {
    pub fn new() -> Self {
        Builds {
            tx: Arc::new(watch::channel(State::default()).0),
        }
    }

    /// A build succeeded: pages reload, the overlay goes.
    pub fn succeeded(&self, texts: Option<HashMap<String, OverlayText>>) {
        self.tx.send_modify(|s| {
            s.build += 1;
            s.problems = Arc::new(Vec::new());
            if let Some(t) = texts {
                s.texts = Arc::new(t);
            }
        });
    }

    /// A build failed: every open page shows these problems over the last
    /// good version of itself.
    pub fn failed(&self, problems: Vec<Problem>) {
        self.tx.send_modify(|s| s.problems = Arc::new(problems));
    }

    /// The event stream route (`?lang=` picks the overlay's language).
    pub fn router(&self) -> Router {
        let builds = self.clone();
        Router::new().route(
            EVENTS_PATH,
            get(move |Query(q): Query<Lang>| async move {
                Sse::new(builds.stream(q.lang)).keep_alive(KeepAlive::default())
            }),
        )
    }

    fn stream(&self, lang: String) -> impl Stream<Item = Result<Event, Infallible>> + use<> {
        self.updates(lang)
            .map(|data| Ok(Event::default().data(data)))
    }

    /// The JSON each event carries: now, then after every change.
    fn updates(&self, lang: String) -> impl Stream<Item = String> + use<> {
        let rx = self.tx.subscribe();
        futures_util::stream::unfold((rx, true, lang), |(mut rx, first, lang)| async move {
            if !first && rx.changed().await.is_err() {
                return None;
            }
            let data = {
                let s = rx.borrow_and_update();
                let fallback = OverlayText::fallback();
                let text = s.texts.get(&lang).unwrap_or(&fallback);
                serde_json::to_string(&Message {
                    build: s.build,
                    problems: &s.problems,
                    text,
                })
                .unwrap_or_default()
            };
            Some((data, (rx, false, lang)))
        })
    }
}

/// Adds the reload script to an HTML response.
pub async fn inject(res: Response<Body>) -> Response<Body> {
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 8 * 1024 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let mut html = String::from_utf8_lossy(&bytes).into_owned();
    match html.rfind("</body>") {
        Some(i) => html.insert_str(i, SCRIPT),
        None => html.push_str(SCRIPT),
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Response::from_parts(parts, Body::from(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem() -> Problem {
        Problem {
            error: true,
            file: "content/a.it.md".into(),
            line: Some(2),
            column: Some(1),
            message: "unknown front-matter key `titel`".into(),
            source: Some("titel: <b>A</b>".into()),
            label: "not a front-matter key".into(),
            hints: vec!["did you mean `title`?".into()],
        }
    }

    async fn next(s: &mut (impl Stream<Item = String> + Unpin)) -> serde_json::Value {
        serde_json::from_str(&s.next().await.unwrap()).unwrap()
    }

    #[tokio::test]
    async fn a_failed_build_reaches_open_pages_and_a_fixed_one_reloads_them() {
        let builds = Builds::new();
        let mut texts = HashMap::new();
        texts.insert(
            "ar".to_string(),
            OverlayText {
                lang: "ar".into(),
                dir: "rtl".into(),
                title: "لم يُحدَّث الموقع".into(),
                help: "h".into(),
                hide: "x".into(),
            },
        );
        builds.succeeded(Some(texts));
        let mut ar = Box::pin(builds.updates("ar".into()));
        let first = next(&mut ar).await;
        assert_eq!(
            (
                first["build"].as_u64(),
                first["problems"].as_array().map(Vec::len)
            ),
            (Some(1), Some(0))
        );
        builds.failed(vec![problem()]);
        let failed = next(&mut ar).await;
        assert_eq!(failed["build"], 1, "no reload on a failure");
        assert_eq!(failed["problems"][0]["file"], "content/a.it.md");
        assert_eq!(failed["problems"][0]["line"], 2);
        assert_eq!(failed["problems"][0]["source"], "titel: <b>A</b>");
        assert_eq!(failed["problems"][0]["hints"][0], "did you mean `title`?");
        assert_eq!(failed["text"]["title"], "لم يُحدَّث الموقع");
        assert_eq!(failed["text"]["dir"], "rtl");
        // A page opened while the build is broken sees the problems at once,
        // in English where the theme has no words for its language.
        let mut late = Box::pin(builds.updates("xx".into()));
        let opened = next(&mut late).await;
        assert_eq!(
            opened["problems"][0]["message"],
            "unknown front-matter key `titel`"
        );
        assert_eq!(
            opened["text"]["title"],
            "The site was not rebuilt: fix these mistakes"
        );
        builds.succeeded(None);
        let fixed = next(&mut ar).await;
        assert_eq!(fixed["build"], 2, "open pages reload");
        assert_eq!(fixed["problems"], serde_json::json!([]));
    }

    #[tokio::test]
    async fn script_goes_before_the_end_of_body_of_html_only() {
        let html = Response::builder()
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .body(Body::from("<html><body><p>x</p></body></html>"))
            .unwrap();
        let out = axum::body::to_bytes(inject(html).await.into_body(), 1 << 20)
            .await
            .unwrap();
        let out = String::from_utf8(out.to_vec()).unwrap();
        assert!(out.contains("<p>x</p><script>"), "{out}");
        assert!(out.ends_with("</script></body></html>"));
        let css = Response::builder()
            .header(header::CONTENT_TYPE, "text/css")
            .body(Body::from("a{}"))
            .unwrap();
        let out = axum::body::to_bytes(inject(css).await.into_body(), 1 << 20)
            .await
            .unwrap();
        assert_eq!(&out[..], b"a{}");
    }
}
