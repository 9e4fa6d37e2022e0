//! `sportello serve`: the built site and the contact form on one address,
//! rebuilt whenever a file under `content/` or `themes/` changes.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use notify::{RecursiveMode, Watcher as _};
use sportello::served::{self, Served};
use sportello_forms::{FormsConfig, Queue, ServerOptions};
use tower_http::services::ServeFile;

use crate::form_pages::ThemedPages;
use crate::live::{Builds, OverlayText, Problem};
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
    let builds = Builds::new();
    {
        let mut p = preview.write().unwrap_or_else(|e| e.into_inner());
        let result = p.rebuild();
        tell(&builds, &p, result);
    }
    let pages = Arc::new(ThemedPages {
        preview: Arc::clone(&preview),
    });
    let _watcher = watch(&opts, preview, builds.clone())?;
    let admin = crate::admin::router(opts.content.clone());
    if let Some(dir) = queue_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let queue = Queue::open(&queue_path)
            .with_context(|| format!("cannot open the queue {}", queue_path.display()))?;
        if let Some(torn) = &queue.recovery().torn {
            let what = if torn.complete_lines > 0 {
                "damaged last record(s) of the queue, which may have been acknowledged, were"
            } else {
                "a torn last record of the queue was"
            };
            eprintln!(
                "warning: {what} moved to {} (see `sportello-forms quarantine`)",
                torn.saved_to.display()
            );
        }
        let labels: Arc<dyn sportello_forms::FormPages> = pages.clone();
        let forms = sportello_forms::FormsApp::new(FormsConfig::default(), pages, queue.handle());
        // The operators' inbox at /desk/, for a local try-out: the cookie is
        // `Secure` unless this is plain http on the loopback address.
        let mut desk = sportello_forms::desk::DeskConfig::new(&queue_path);
        desk.secure_cookies = !addr.ip().is_loopback();
        desk.metrics = Some(forms.metrics());
        desk.queue_handle = Some(queue.handle());
        desk.site = Some(labels);
        let app = forms
            .router()
            .merge(sportello_forms::desk::router(desk)?)
            .merge(builds.router())
            .merge(admin)
            .merge(if live_reload {
                site(&out).layer(axum::middleware::map_response(crate::live::inject))
            } else {
                site(&out)
            });
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        // The port chosen by the system when asked for port 0.
        let addr = listener.local_addr()?;
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

/// The built site: static files, with per-language 404 pages. Only what
/// resolves inside the output folder is served ([`sportello::served`]).
pub fn site(out: &Path) -> Router {
    let root = Arc::new(out.to_path_buf());
    Router::new().fallback_service(tower::service_fn(move |req: Request<Body>| {
        let root = Arc::clone(&root);
        async move {
            // Canonical at each request: `public/` is made by the first build.
            let Ok(real_root) = std::fs::canonicalize(&*root) else {
                return Ok(not_found(&root, req.uri().path()));
            };
            let path = req.uri().path().to_string();
            if path.len() > served::MAX_PATH {
                return Ok(StatusCode::URI_TOO_LONG.into_response());
            }
            Ok(match served::resolve(&real_root, &path) {
                Served::File(file) => tower::ServiceExt::oneshot(ServeFile::new(file), req)
                    .await
                    .map(IntoResponse::into_response)
                    .unwrap_or_else(|e| match e {}),
                Served::Redirect(to) => {
                    let to = match req.uri().query() {
                        Some(q) => format!("{to}?{q}"),
                        None => to,
                    };
                    // Never a panic on a header value (the request's path
                    // was a valid URI, so this always holds).
                    match HeaderValue::from_str(&to) {
                        Ok(to) => (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, to)])
                            .into_response(),
                        Err(_) => not_found(&real_root, &path),
                    }
                }
                Served::NotFound => not_found(&real_root, &path),
            })
        }
    }))
}

/// The 404 page of the language the path is in, else the site's.
fn not_found(root: &Path, path: &str) -> Response {
    let lang = path.split('/').find(|s| !s.is_empty()).unwrap_or("");
    let body = [format!("/{lang}/404.html"), "/404.html".to_string()]
        .iter()
        .find_map(|p| match served::resolve(root, p) {
            Served::File(f) => std::fs::read(f).ok(),
            _ => None,
        })
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
/// start the next. An editor's save is a burst of events; once it is
/// complete (the file closed after writing, or renamed into place) a few
/// milliseconds of quiet are enough, so the page is written within
/// milliseconds of the save; a file still being written gets a longer wait.
fn watch(
    opts: &sportello::Options,
    preview: Arc<RwLock<Preview>>,
    builds: Builds,
) -> anyhow::Result<impl Drop> {
    let (tx, rx) = std::sync::mpsc::channel::<(Vec<PathBuf>, bool)>();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(e) = res
            && let Some(complete) = save_event(&e.kind)
        {
            let _ = tx.send((e.paths, complete));
        }
    })?;
    for dir in [&opts.content, &opts.themes] {
        watcher
            .watch(dir, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", dir.display()))?;
    }
    let content = std::fs::canonicalize(&opts.content).unwrap_or_else(|_| opts.content.clone());
    std::thread::spawn(move || {
        while let Ok((mut paths, mut complete)) = rx.recv() {
            let quiet = |complete| Duration::from_millis(if complete { 5 } else { 100 });
            while let Ok((more, done)) = rx.recv_timeout(quiet(complete)) {
                paths.extend(more);
                complete |= done;
            }
            paths.sort();
            paths.dedup();
            let mut p = preview.write().unwrap_or_else(|e| e.into_inner());
            fill_digests(&p, &content, &paths);
            let result = p.changed(&paths);
            tell(&builds, &p, result);
        }
    });
    Ok(watcher)
}

/// A translation the editors' interface has just created carries an empty
/// `translated_from`: record the original it was made from
/// ([`sportello::scaffold::fill_translated_from`]). The file is written
/// again, which the watcher sees as one more save.
fn fill_digests(preview: &Preview, content: &Path, paths: &[PathBuf]) {
    let Some(default) = preview
        .project()
        .map(|p| p.site.config.default_code().to_string())
    else {
        return;
    };
    for path in paths {
        let Ok(path) = std::fs::canonicalize(path) else {
            continue;
        };
        match sportello::scaffold::fill_translated_from(content, &path, &default) {
            Ok(Some(digest)) => eprintln!(
                "{}: `translated_from: {digest}` written (the original as it is now)",
                path.display()
            ),
            Ok(None) => {}
            Err(e) => eprintln!("warning: {e}"),
        }
    }
}

/// Whether an event is part of a save, and if so whether it ends one: a file
/// closed after writing, created, renamed or removed is complete; a write
/// may be followed by more.
fn save_event(kind: &notify::EventKind) -> Option<bool> {
    use notify::EventKind::{Access, Create, Modify, Remove};
    use notify::event::{AccessKind, AccessMode, ModifyKind};
    match kind {
        Access(AccessKind::Close(AccessMode::Write)) => Some(true),
        Access(_) => None,
        Create(_) | Remove(_) | Modify(ModifyKind::Name(_)) => Some(true),
        _ => Some(false),
    }
}

/// Prints a build's outcome as `sportello build` does, and tells the open
/// pages: reload after a success, show the problems after a failure.
fn tell(
    builds: &Builds,
    preview: &Preview,
    result: Result<sportello::BuildResult, sportello::Error>,
) {
    let problems = match &result {
        Ok(_) => None,
        Err(sportello::Error::Invalid(diags)) => Some(Problem::list(diags)),
        Err(other) => Some(vec![Problem::of_error(other)]),
    };
    crate::print_outcome(result);
    match problems {
        None => builds.succeeded(preview.project().map(OverlayText::of)),
        Some(p) => builds.failed(p),
    }
}
