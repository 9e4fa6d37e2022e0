//! `sportello serve`: the built site and the contact form on one address,
//! rebuilt whenever a file under `content/` or `themes/` changes.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use notify::{RecursiveMode, Watcher as _};
use sportello_forms::{FormsConfig, Queue, ServerOptions};
use tower_http::services::ServeDir;

use crate::form_pages::ThemedPages;
use crate::live::Builds;
use sportello::preview::Preview;

pub fn run(
    opts: sportello::Options,
    out: PathBuf,
    listen: &str,
    queue_path: PathBuf,
    live_reload: bool,
) -> anyhow::Result<()> {
    let addr: SocketAddr = listen
        .parse()
        .with_context(|| format!("--listen {listen} is not an address like 127.0.0.1:8080"))?;
    let preview = Arc::new(RwLock::new(Preview::new(opts.clone(), out.clone())));
    report(preview.write().unwrap_or_else(|e| e.into_inner()).rebuild());
    let pages = Arc::new(ThemedPages {
        preview: Arc::clone(&preview),
    });
    let builds = Builds::new();
    let _watcher = watch(&opts, preview, builds.clone())?;
    if let Some(dir) = queue_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let queue = Queue::open(&queue_path)
            .with_context(|| format!("cannot open the queue {}", queue_path.display()))?;
        if let Some(torn) = &queue.recovery().torn {
            eprintln!(
                "warning: a torn last record of the queue was moved to {}",
                torn.saved_to.display()
            );
        }
        let forms = sportello_forms::FormsApp::new(FormsConfig::default(), pages, queue.handle());
        // The operators' inbox at /desk/, for a local try-out: the cookie is
        // `Secure` unless this is plain http on the loopback address.
        let mut desk = sportello_forms::desk::DeskConfig::new(&queue_path);
        desk.secure_cookies = !addr.ip().is_loopback();
        desk.metrics = Some(forms.metrics());
        desk.queue_handle = Some(queue.handle());
        let app = forms
            .router()
            .merge(sportello_forms::desk::router(desk)?)
            .merge(builds.router())
            .merge(if live_reload {
                site(&out).layer(axum::middleware::map_response(crate::live::inject))
            } else {
                site(&out)
            });
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        eprintln!(
            "serving http://{addr}/ — contact form submissions go to {}; operators' inbox at http://{addr}/desk/ (add an operator with `sportello-forms operator add NAME --queue {}`) (Ctrl-C to stop)",
            queue_path.display(),
            queue_path.display()
        );
        sportello_forms::serve(
            listener,
            app,
            ServerOptions::default(),
            sportello_forms::shutdown_signal(),
        )
        .await?;
        queue.close().await;
        anyhow::Ok(())
    })
}

/// The built site: static files, with per-language 404 pages.
pub fn site(out: &Path) -> Router {
    let root = Arc::new(out.to_path_buf());
    let files = ServeDir::new(out).append_index_html_on_directories(true);
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
    }))
}

/// The 404 page of the language the path is in, else the site's.
fn not_found(root: &Path, path: &str) -> Response {
    let lang = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let mut candidates = Vec::new();
    if !lang.is_empty() && !lang.contains('.') {
        candidates.push(root.join(lang).join("404.html"));
    }
    candidates.push(root.join("404.html"));
    let body = candidates
        .iter()
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
///
/// Reading files is an event too (inotify reports opens), and the build reads
/// every file: only events that change something count, or each build would
/// start the next.
fn watch(
    opts: &sportello::Options,
    preview: Arc<RwLock<Preview>>,
    builds: Builds,
) -> anyhow::Result<impl Drop> {
    let (tx, rx) = std::sync::mpsc::channel::<Vec<PathBuf>>();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(e) = res
            && !matches!(e.kind, notify::EventKind::Access(_))
        {
            let _ = tx.send(e.paths);
        }
    })?;
    for dir in [&opts.content, &opts.themes] {
        watcher
            .watch(dir, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", dir.display()))?;
    }
    std::thread::spawn(move || {
        while let Ok(mut paths) = rx.recv() {
            // An editor's save is several events: wait for the burst to end.
            while let Ok(more) = rx.recv_timeout(Duration::from_millis(100)) {
                paths.extend(more);
            }
            paths.sort();
            paths.dedup();
            let ok = report(
                preview
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .changed(&paths),
            );
            if ok {
                builds.bump();
            }
        }
    });
    Ok(watcher)
}

/// Prints a build's outcome as `sportello build` does.
fn report(result: Result<sportello::BuildResult, sportello::Error>) -> bool {
    crate::print_outcome(result)
}
