//! Export, retention purge and erasure, each a page that says what will
//! happen and a form that does it — with [`crate::ops::export`] and
//! [`crate::ops::purge`], as the `export`, `purge` and `erase` commands.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::Desk;
use super::auth::Signed;
use super::inbox::{ListParams, load_items, render_page};
use crate::error::AppError;
use crate::ops::{export as ops_export, purge as ops_purge, view};

/// `GET /desk/export`: the choice of format and filters, and the warning.
pub async fn export_page(
    State(desk): State<Arc<Desk>>,
    Extension(op): Extension<Signed>,
) -> Response {
    render_page(&desk, &op, "export.html", "/desk/export", None, &json!({}))
}

#[derive(Debug, Deserialize)]
pub struct ExportForm {
    #[serde(default)]
    pub format: String,
    #[serde(flatten)]
    pub filter: ListParams,
}

/// `POST /desk/export`: the file, as `export --format csv --bom` or `json`.
pub async fn export(
    State(desk): State<Arc<Desk>>,
    Extension(op): Extension<Signed>,
    axum::Form(form): axum::Form<ExportForm>,
) -> Response {
    let items = match load_items(&desk).await {
        Ok(items) => items,
        Err(e) => return AppError(e).into_response(),
    };
    let mut items = form.filter.filter.apply(items);
    if !form.filter.written_in.trim().is_empty() {
        items.retain(|i| {
            i.record
                .lang
                .eq_ignore_ascii_case(form.filter.written_in.trim())
        });
    }
    let json = form.format == "json";
    let mut body = Vec::new();
    let written = if json {
        ops_export::json(&items, &mut body)
    } else {
        // With a byte-order mark: spreadsheet programs then read accents and Arabic.
        ops_export::csv(&items, true, &mut body)
    };
    if let Err(e) = written {
        return AppError(e).into_response();
    }
    let format = if json { "json" } else { "csv" };
    desk.log(
        &op.name,
        "export",
        None,
        Some(format!("{} requests, {format}", items.len())),
    )
    .await;
    let day = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    let (mime, name) = if json {
        ("application/json", format!("richieste-{day}.json"))
    } else {
        ("text/csv; charset=utf-8", format!("richieste-{day}.csv"))
    };
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

#[derive(Debug, Deserialize)]
pub struct PurgeQuery {
    #[serde(default)]
    pub days: Option<u32>,
}

/// `GET /desk/purge?days=N`: how many requests a purge would delete.
pub async fn purge_page(
    State(desk): State<Arc<Desk>>,
    Extension(op): Extension<Signed>,
    Query(q): Query<PurgeQuery>,
) -> Response {
    let days = q.days.unwrap_or(365).max(1);
    let queue = desk.config.queue.clone();
    let dry = tokio::task::spawn_blocking(move || {
        if !queue.exists() {
            return Ok(ops_purge::PurgeReport::default());
        }
        let cutoff = view::days_ago(i64::from(days))?;
        ops_purge::purge(&queue, &ops_purge::Selection::ReceivedBefore(cutoff), true)
    })
    .await;
    let report = match dry {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return AppError(e).into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    render_page(
        &desk,
        &op,
        "purge.html",
        "/desk/purge",
        None,
        &json!({ "days": days, "count": report.removed.len() }),
    )
}

#[derive(Debug, Deserialize)]
pub struct PurgeForm {
    pub days: u32,
}

/// `POST /desk/purge`: deletes requests older than `days` days.
pub async fn purge(
    State(desk): State<Arc<Desk>>,
    Extension(op): Extension<Signed>,
    axum::Form(form): axum::Form<PurgeForm>,
) -> Response {
    let days = form.days.max(1);
    let queue = desk.config.queue.clone();
    let done = tokio::task::spawn_blocking(move || {
        let cutoff = view::days_ago(i64::from(days))?;
        ops_purge::purge(&queue, &ops_purge::Selection::ReceivedBefore(cutoff), false)
    })
    .await;
    let report = match done {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return AppError(e).into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    desk.log(
        &op.name,
        "purge",
        None,
        Some(format!(
            "{} requests older than {days} days",
            report.removed.len()
        )),
    )
    .await;
    let message = desk
        .render
        .strings
        .count(&op.lang, "flash_purged", report.removed.len() as u64);
    op.flash(message).await;
    Redirect::to("/desk/").into_response()
}

/// `GET /desk/r/{id}/erase`: what erasing this request means.
pub async fn erase_page(
    State(desk): State<Arc<Desk>>,
    Extension(op): Extension<Signed>,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let items = match load_items(&desk).await {
        Ok(items) => items,
        Err(e) => return AppError(e).into_response(),
    };
    let wanted = id.parse::<ulid::Ulid>().ok();
    let Some(item) = items.iter().find(|i| Some(i.record.id) == wanted) else {
        return not_found(&desk, &op);
    };
    let here = format!("/desk/r/{id}/erase");
    render_page(
        &desk,
        &op,
        "erase.html",
        &here,
        None,
        &json!({
            "r": item.record,
            "received": crate::ops::table::short_time(&item.record.received),
        }),
    )
}

/// `POST /desk/r/{id}/erase`: deletes the request and its history.
pub async fn erase(
    State(desk): State<Arc<Desk>>,
    Extension(op): Extension<Signed>,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let Ok(full) = id.parse::<ulid::Ulid>() else {
        return not_found(&desk, &op);
    };
    // The request may be in any segment; purges coordinate with each
    // segment's writer through its rewrite lock.
    let segments: Vec<_> = std::iter::once(desk.config.queue.clone())
        .chain(desk.config.segments.iter().cloned())
        .filter(|p| p.exists())
        .collect();
    let done = tokio::task::spawn_blocking(move || {
        let mut all = ops_purge::PurgeReport::default();
        for segment in &segments {
            let r = ops_purge::purge(segment, &ops_purge::Selection::Id(full), false)?;
            all.removed.extend(r.removed);
        }
        Ok::<_, crate::Error>(all)
    })
    .await;
    let report = match done {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return AppError(e).into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    if report.removed.is_empty() {
        return not_found(&desk, &op);
    }
    desk.log(&op.name, "erase", Some(&id), None).await;
    op.flash(desk.render.strings.get(&op.lang, "flash_erased"))
        .await;
    Redirect::to("/desk/").into_response()
}

fn not_found(desk: &Desk, op: &Signed) -> Response {
    let message = desk.render.strings.get(&op.lang, "not_found");
    let mut r = render_page(
        desk,
        op,
        "message.html",
        "/desk/",
        None,
        &json!({ "message": message }),
    );
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}
