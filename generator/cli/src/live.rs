//! Live preview for editors: pages served by `sportello serve` reload
//! themselves after a rebuild. A tiny script is added to HTML responses
//! (never to the built files); it listens to a server-sent event stream that
//! carries the build number. Without JavaScript the page simply stays as it
//! is, and the editor reloads by hand.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Response, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures_util::Stream;
use tokio::sync::watch;

pub const EVENTS_PATH: &str = "/_sportello/events";

const SCRIPT: &str = "<script>(()=>{let v;const s=new EventSource('/_sportello/events');\
s.onmessage=e=>{if(v!==undefined&&v!==e.data)location.reload();v=e.data}})()</script>";

/// The build number, bumped after every rebuild.
#[derive(Clone)]
pub struct Builds {
    tx: Arc<watch::Sender<u64>>,
}

impl Builds {
    pub fn new() -> Self {
        Builds {
            tx: Arc::new(watch::channel(0).0),
        }
    }

    pub fn bump(&self) {
        self.tx.send_modify(|n| *n += 1);
    }

    /// The event stream route.
    pub fn router(&self) -> Router {
        let builds = self.clone();
        Router::new().route(
            EVENTS_PATH,
            get(move || async move { Sse::new(builds.stream()).keep_alive(KeepAlive::default()) }),
        )
    }

    fn stream(&self) -> impl Stream<Item = Result<Event, Infallible>> + use<> {
        let rx = self.tx.subscribe();
        futures_util::stream::unfold((rx, true), |(mut rx, first)| async move {
            if !first && rx.changed().await.is_err() {
                return None;
            }
            let n = *rx.borrow_and_update();
            Some((Ok(Event::default().data(n.to_string())), (rx, false)))
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
