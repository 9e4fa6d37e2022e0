//! The editors' interface at `/admin/`: Sveltia CMS, vendored in
//! `generator/admin/` (see `scripts/update-cms`) and embedded in the binary,
//! so it is served from this origin and nothing is loaded from elsewhere;
//! its configuration is generated from `site.yaml` and the content folder at
//! each request ([`sportello::cms`]).
//!
//! The interface saves into the content folder itself (the browser's access
//! to the local folder), so the watcher rebuilds and the overlay shows any
//! mistake, exactly as for a save from a text editor.

use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

const INDEX: &str = include_str!("../../admin/index.html");
/// The interface's script, gzipped as it is kept in git (2.1 MB → 0.6 MB):
/// sent as it is to every browser (they all take gzip), unpacked once for a
/// client that does not.
const SCRIPT_GZ: &[u8] = include_bytes!("../../admin/sveltia-cms.js.gz");
const VERSION: &str = include_str!("../../admin/VERSION");

/// The fonts the interface asks for (`scripts/update-cms` points it here
/// instead of a CDN).
const FONTS: [(&str, &[u8]); 3] = [
    (
        "/admin/fonts/source-sans-3-latin-wght-normal.woff2",
        include_bytes!("../../admin/fonts/source-sans-3-latin-wght-normal.woff2"),
    ),
    (
        "/admin/fonts/noto-mono-latin-400-normal.woff2",
        include_bytes!("../../admin/fonts/noto-mono-latin-400-normal.woff2"),
    ),
    (
        "/admin/fonts/material-symbols-outlined-latin-wght-normal.woff2",
        include_bytes!("../../admin/fonts/material-symbols-outlined-latin-wght-normal.woff2"),
    ),
];

pub fn router(content: PathBuf) -> Router {
    let content = Arc::new(content);
    let mut router = Router::new();
    for (path, font) in FONTS {
        router = router.route(
            path,
            get(move || async move { ([(header::CONTENT_TYPE, "font/woff2")], font) }),
        );
    }
    router
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .route(
            sportello::cms::ADMIN_PATH,
            get(|| async { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX) }),
        )
        .route("/admin/sveltia-cms.js", get(script))
        // The interface's "is there a newer version?": the one vendored.
        .route(
            "/admin/version.json",
            get(|| async { axum::Json(serde_json::json!({ "version": VERSION.trim() })) }),
        )
        // Its "is GitHub up?": not asked of a third party; no banner.
        .route(
            "/admin/github-status.json",
            get(|| async {
                axum::Json(serde_json::json!({ "status": { "indicator": "unknown" } }))
            }),
        )
        .route(
            sportello::cms::CONFIG_PATH,
            get(move || {
                let content = Arc::clone(&content);
                async move { config(&content) }
            }),
        )
}

async fn script(headers: HeaderMap) -> Response {
    static PLAIN: LazyLock<Vec<u8>> = LazyLock::new(|| {
        let mut out = Vec::new();
        // The bytes are ours, embedded at build time: a failure here is a
        // broken build, shown as an empty script rather than a panic.
        let _ = flate2::read::GzDecoder::new(SCRIPT_GZ).read_to_end(&mut out);
        out
    });
    let gzip = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let js = (header::CONTENT_TYPE, "text/javascript; charset=utf-8");
    let vary = (header::VARY, "accept-encoding");
    if gzip {
        ([js, vary, (header::CONTENT_ENCODING, "gzip")], SCRIPT_GZ).into_response()
    } else {
        ([js, vary], PLAIN.as_slice()).into_response()
    }
}

fn config(content: &std::path::Path) -> Response {
    let mut diags = sportello::Diagnostics::default();
    let Some(site) = sportello::config::SiteConfig::load(&content.join("site.yaml"), &mut diags)
    else {
        return (StatusCode::INTERNAL_SERVER_ERROR, diags.render()).into_response();
    };
    let root = sportello::cms::repo_root(content);
    match sportello::cms::config_yaml(content, &root, &site) {
        Ok(yaml) => (
            [
                (header::CONTENT_TYPE, "application/yaml; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            yaml,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
