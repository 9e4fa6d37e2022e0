//! `sportello serve`: the built site and the contact form on one address,
//! rebuilt whenever a file under `content/` or `themes/` changes.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use notify_debouncer_mini::{DebounceEventResult, new_debouncer, notify::RecursiveMode};
use tower_http::services::ServeDir;

pub fn run(
    opts: sportello::Options,
    out: PathBuf,
    listen: &str,
    queue: PathBuf,
) -> anyhow::Result<()> {
    let addr: SocketAddr = listen
        .parse()
        .with_context(|| format!("--listen {listen} is not an address like 127.0.0.1:8080"))?;
    crate::build_and_report(&opts, &out);
    let _watcher = watch(opts.clone(), out.clone())?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let app = app(&opts, &out, &queue)?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        eprintln!("serving http://{addr}/ (Ctrl-C to stop)");
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
        anyhow::Ok(())
    })
}

/// The site: static files with per-language 404 pages, and the form endpoint.
pub fn app(_opts: &sportello::Options, out: &Path, _queue: &Path) -> anyhow::Result<Router> {
    let root = Arc::new(out.to_path_buf());
    let files = ServeDir::new(out).append_index_html_on_directories(true);
    Ok(
        Router::new().fallback_service(tower::service_fn(move |req: Request<Body>| {
            let files = files.clone();
            let root = Arc::clone(&root);
            async move {
                let path = req.uri().path().to_string();
                let res = tower::ServiceExt::oneshot(files, req)
                    .await
                    .map(IntoResponse::into_response);
                match res {
                    Ok(r) if r.status() == StatusCode::NOT_FOUND => Ok(not_found(&root, &path)),
                    other => other.map_err(|e| match e {}),
                }
            }
        })),
    )
}

/// The 404 page of the language the path is in, else the site's.
fn not_found(root: &Path, path: &str) -> Response {
    let lang = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let candidates = [root.join(lang).join("404.html"), root.join("404.html")];
    let body = candidates
        .iter()
        .filter(|p| !lang.is_empty() || p.parent() == Some(root))
        .find_map(|p| std::fs::read(p).ok())
        .unwrap_or_else(|| b"Not found".to_vec());
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Rebuilds on every change under the content and themes folders.
fn watch(opts: sportello::Options, out: PathBuf) -> anyhow::Result<impl Drop> {
    let dirs = [opts.content.clone(), opts.themes.clone()];
    let mut debouncer = new_debouncer(
        Duration::from_millis(150),
        move |res: DebounceEventResult| {
            if res.is_ok_and(|events| !events.is_empty()) {
                crate::build_and_report(&opts, &out);
            }
        },
    )?;
    for dir in &dirs {
        debouncer
            .watcher()
            .watch(dir, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", dir.display()))?;
    }
    Ok(debouncer)
}
