//! The list of requests, one request, and its changes — the same
//! [`crate::ops::view`] code as `list`, `show`, `take`, `done`, `reopen`
//! and `note` — and, for a request to be listed in the directory, its
//! approval and the entry to paste ([`crate::ops::approve`], as `approve`).

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path as UrlPath, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Desk;
use super::auth::Signed;
use super::render::Frame;
use crate::Error;
use crate::error::AppError;
use crate::ops::approve;
use crate::ops::state::EventKind;
use crate::ops::view::{self, Filter, Item, Status};
use crate::queue::source::Segments;

/// Longest note, in characters (the form's textarea says so too).
pub const NOTE_MAX: usize = 4000;

/// At most this many rows on the list page; filters narrow the rest.
pub const PAGE_ROWS: usize = 200;

/// The list's filters, as the query string carries them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub desk: String,
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub topic: String,
    /// `YYYY-MM`.
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub q: String,
}

impl ListQuery {
    /// The items it keeps, newest first.
    pub fn apply(&self, items: Vec<Item>) -> Vec<Item> {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let filter = Filter {
            status: Status::parse(&self.status),
            desk: some(&self.desk),
            // `lang` in the query is the interface's; the requests' is `lang_of`.
            lang: None,
            since: None,
            search: some(&self.q),
            not_notified: false,
        };
        let topic = some(&self.topic);
        let month = some(&self.month);
        filter
            .apply(items)
            .into_iter()
            .filter(|i| topic.as_deref().is_none_or(|t| i.record.topic == t))
            .filter(|i| {
                month
                    .as_deref()
                    .is_none_or(|m| i.record.received.starts_with(m))
            })
            .collect()
    }
}

/// `?written_in=` is the requests' language; `?lang=` stays the interface's.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListParams {
    #[serde(flatten)]
    pub filter: ListQuery,
    #[serde(default)]
    pub written_in: String,
}

/// The queue and the other instances' segments that exist yet (an
/// instance that has received nothing has no file).
fn source(config: &super::DeskConfig) -> Segments {
    Segments::existing(std::iter::once(&config.queue).chain(&config.segments))
}

/// Loads every request with its state (blocking work off the runtime).
pub async fn load_items(desk: &Desk) -> Result<Vec<Item>, Error> {
    let queue = desk.config.queue.clone();
    let source = source(&desk.config);
    tokio::task::spawn_blocking(move || {
        if queue.exists() {
            crate::ops::purge::complete_pending(&queue)?;
        }
        view::load_from(&source).map(|(items, _)| items)
    })
    .await
    .map_err(|e| Error::Config(format!("task failed: {e}")))?
}

/// How long ago, in the operator's words.
fn age(desk: &Desk, lang: &str, received: &str) -> String {
    let Ok(t) = received.parse::<jiff::Timestamp>() else {
        return String::new();
    };
    let secs = jiff::Timestamp::now().duration_since(t).as_secs().max(0);
    let (key, n) = match secs {
        s if s < 3600 => ("age_minutes", s / 60),
        s if s < 86_400 => ("age_hours", s / 3600),
        s => ("age_days", s / 86_400),
    };
    desk.render.strings.count(lang, key, n.unsigned_abs())
}

#[derive(Serialize)]
struct Row {
    id: String,
    short: String,
    received: String,
    age: String,
    status: &'static str,
    by: Option<String>,
    desk: String,
    lang: String,
    lang_name: String,
    topic: String,
    name: String,
}

pub fn render_page(
    desk: &Desk,
    op: &Signed,
    template: &str,
    here: &str,
    flash: Option<&str>,
    data: &impl Serialize,
) -> Response {
    let frame = Frame {
        lang: desk.render.strings.language(Some(&op.lang)),
        operator: Some(&op.name),
        csrf: &op.csrf,
        here,
        flash,
    };
    match desk.render.page(template, &frame, data) {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError(e).into_response(),
    }
}

/// `GET /desk/`: the requests, newest first, filtered.
pub async fn list(
    State(desk): State<Arc<Desk>>,
    Extension(op): Extension<Signed>,
    Query(params): Query<ListParams>,
) -> Response {
    let items = match load_items(&desk).await {
        Ok(items) => items,
        Err(e) => return AppError(e).into_response(),
    };
    let mut options = (
        std::collections::BTreeSet::new(),
        std::collections::BTreeSet::new(),
        std::collections::BTreeSet::new(),
        std::collections::BTreeSet::new(),
    );
    for i in &items {
        options.0.insert(i.record.desk.clone());
        options.1.insert(i.record.lang.clone());
        options.2.insert(i.record.topic.clone());
        options
            .3
            .insert(i.record.received.get(..7).unwrap_or("").to_owned());
    }
    let mut filter = params.filter.clone();
    let mut shown = filter.apply(items);
    if !params.written_in.trim().is_empty() {
        shown.retain(|i| i.record.lang.eq_ignore_ascii_case(params.written_in.trim()));
    }
    filter.lang = params.written_in.clone();
    let total = shown.len();
    let ids: Vec<ulid::Ulid> = shown.iter().map(|i| i.record.id).collect();
    let short_len = view::unique_prefix_len(&ids, 8);
    let rows: Vec<Row> = shown
        .iter()
        .take(PAGE_ROWS)
        .map(|i| Row {
            id: i.record.id.to_string(),
            short: view::short_id(i.record.id, short_len),
            received: crate::ops::table::short_time(&i.record.received),
            age: age(&desk, &op.lang, &i.record.received),
            status: i.status.as_str(),
            by: i.by.clone(),
            desk: desk.config.desk_label(&op.lang, &i.record.desk),
            lang: i.record.lang.clone(),
            lang_name: desk.render.strings.language_name(&op.lang, &i.record.lang),
            topic: desk.config.topic_label(&op.lang, &i.record.topic),
            name: i.record.name.clone(),
        })
        .collect();
    desk.log(&op.name, "list", None, Some(format!("{total} shown")))
        .await;
    let flash = op.take_flash().await;
    let mut months: Vec<String> = options.3.into_iter().filter(|m| !m.is_empty()).collect();
    months.reverse();
    render_page(
        &desk,
        &op,
        "list.html",
        "/desk/",
        flash.as_deref(),
        &json!({
            "rows": rows,
            "total": total,
            "truncated": total > PAGE_ROWS,
            "page_rows": PAGE_ROWS,
            "filter": filter,
            "statuses": Status::ALL.map(Status::as_str),
            "desks": options.0.iter().map(|d| json!({
                "id": d,
                "label": desk.config.desk_label(&op.lang, d),
            })).collect::<Vec<_>>(),
            "langs": options.1.iter().map(|l| json!({
                "code": l,
                "name": desk.render.strings.language_name(&op.lang, l),
            })).collect::<Vec<_>>(),
            "topics": options.2.iter().map(|t| json!({
                "id": t,
                "label": desk.config.topic_label(&op.lang, t),
            })).collect::<Vec<_>>(),
            "months": months,
        }),
    )
}

/// The one item with this full id, or a 404 page.
async fn find(desk: &Desk, op: &Signed, id: &str) -> Result<Item, Response> {
    let items = load_items(desk)
        .await
        .map_err(|e| AppError(e).into_response())?;
    let wanted = id.parse::<ulid::Ulid>().ok();
    match items.into_iter().find(|i| Some(i.record.id) == wanted) {
        Some(item) => Ok(item),
        None => {
            let message = desk.render.strings.get(&op.lang, "not_found");
            let mut r = render_page(
                desk,
                op,
                "message.html",
                "/desk/",
                None,
                &json!({ "message": message }),
            );
            *r.status_mut() = axum::http::StatusCode::NOT_FOUND;
            Err(r)
        }
    }
}

/// A `mailto:` address with a subject, percent-encoded (RFC 6068).
fn mailto(email: &str, subject: &str) -> String {
    let enc = |s: &str| {
        form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
    format!(
        "mailto:{}@{}?subject={}",
        enc(local),
        enc(domain),
        enc(subject)
    )
}

/// `GET /desk/r/{id}`: everything the person sent, the history, actions.
pub async fn show(
    State(desk): State<Arc<Desk>>,
    Extension(op): Extension<Signed>,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let item = match find(&desk, &op, &id).await {
        Ok(item) => item,
        Err(r) => return r,
    };
    desk.log(&op.name, "open", Some(&item.record.id.to_string()), None)
        .await;
    let flash = op.take_flash().await;
    let subject = desk.render.strings.get(&item.record.lang, "reply_subject");
    let reply = item.record.email.as_deref().map(|e| mailto(e, &subject));
    let history: Vec<_> = item
        .history
        .iter()
        .map(|e| {
            json!({
                "at": crate::ops::table::short_time(&e.at),
                "event": e.event.as_str(),
                "by": e.by,
                "note": e.note,
            })
        })
        .collect();
    let here = format!("/desk/r/{}", item.record.id);
    let details = details(&desk, &op.lang, &item.record);
    let site = desk.config.site.as_deref();
    let approvable = approve::approvable(&item.record, site);
    // Once approved, the entry is shown to copy (made again from the
    // record each time: nothing of it is stored).
    let entry = match (approvable && item.approved).then(|| approve::entry(&item.record, site)) {
        Some(Ok(e)) => {
            Some(json!({ "yaml": e.yaml, "problems": e.problems, "checked": e.checked }))
        }
        Some(Err(e)) => return AppError(e).into_response(),
        None => None,
    };
    render_page(
        &desk,
        &op,
        "request.html",
        &here,
        flash.as_deref(),
        &json!({
            "details": details,
            "approvable": approvable,
            "approved": item.approved,
            "entry": entry,
            "r": item.record,
            "received": crate::ops::table::short_time(&item.record.received),
            "desk_label": desk.config.desk_label(&op.lang, &item.record.desk),
            "topic_label": desk.config.topic_label(&op.lang, &item.record.topic),
            "lang_name": desk.render.strings.language_name(&op.lang, &item.record.lang),
            "age": age(&desk, &op.lang, &item.record.received),
            "status": item.status.as_str(),
            "by": item.by,
            "history": history,
            "reply": reply,
            "note_max": NOTE_MAX,
        }),
    )
}

/// A configured form's own fields, labelled in the operator's language as
/// the form shows them (choices by their names), in the form's order.
fn details(desk: &Desk, lang: &str, record: &crate::queue::Record) -> Vec<serde_json::Value> {
    let Some(kind) = &record.kind else {
        return Vec::new();
    };
    let site = desk.config.site.as_deref();
    let order: Vec<String> = site
        .and_then(|s| s.kinds().into_iter().find(|k| &k.name == kind))
        .map(|k| k.fields.iter().map(|f| f.name.clone()).collect())
        .unwrap_or_else(|| record.data.keys().cloned().collect());
    order
        .iter()
        .filter_map(|field| {
            let value = record.data.get(field)?;
            let label = site
                .and_then(|s| s.field_label(lang, kind, field))
                .unwrap_or_else(|| field.clone());
            let name = |o: &str| {
                site.and_then(|s| s.option_label(lang, kind, field, o))
                    .unwrap_or_else(|| o.to_owned())
            };
            let shown = match value {
                serde_json::Value::String(v) => {
                    match site.and_then(|s| s.option_label(lang, kind, field, v)) {
                        Some(l) => l,
                        None => v.clone(),
                    }
                }
                serde_json::Value::Array(list) => list
                    .iter()
                    .filter_map(|v| v.as_str())
                    .map(name)
                    .collect::<Vec<_>>()
                    .join(", "),
                serde_json::Value::Bool(true) => desk.render.strings.get(lang, "yes"),
                other => other.to_string(),
            };
            Some(json!({ "field": field, "label": label, "value": shown }))
        })
        .collect()
}

/// `POST /desk/r/{id}/approve`: approves a request to be listed; the page
/// then shows the entry to paste.
pub async fn approve_request(
    State(desk): State<Arc<Desk>>,
    Extension(op): Extension<Signed>,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let item = match find(&desk, &op, &id).await {
        Ok(item) => item,
        Err(r) => return r,
    };
    if !approve::approvable(&item.record, desk.config.site.as_deref()) {
        op.flash(desk.render.strings.get(&op.lang, "flash_not_changed"))
            .await;
        return Redirect::to(&format!("/desk/r/{id}")).into_response();
    }
    change(&desk, &op, &id, EventKind::Approved, String::new()).await
}

/// `GET /desk/r/{id}/entry.yaml`: the approved entry as a file.
pub async fn entry_file(
    State(desk): State<Arc<Desk>>,
    Extension(op): Extension<Signed>,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let item = match find(&desk, &op, &id).await {
        Ok(item) => item,
        Err(r) => return r,
    };
    if !item.approved {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    let entry = match approve::entry(&item.record, desk.config.site.as_deref()) {
        Ok(e) => e,
        Err(e) => return AppError(e).into_response(),
    };
    desk.log(&op.name, "download entry", Some(&id), None).await;
    let mut r = entry.yaml.into_response();
    let h = r.headers_mut();
    h.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/yaml; charset=utf-8"),
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!(
        "attachment; filename=\"association-{}.yaml\"",
        item.record.id
    )) {
        h.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    r
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    pub note: String,
}

async fn change(desk: &Desk, op: &Signed, id: &str, kind: EventKind, note: String) -> Response {
    let (full, by) = (id.to_owned(), op.name.clone());
    let note = Some(note.trim().to_owned()).filter(|n| !n.is_empty());
    let source = source(&desk.config);
    let result =
        tokio::task::spawn_blocking(move || view::change_in(&source, &full, kind, Some(by), note))
            .await;
    let key = match (&result, kind) {
        (Ok(Ok(_)), EventKind::Taken) => "flash_taken",
        (Ok(Ok(_)), EventKind::Done) => "flash_done",
        (Ok(Ok(_)), EventKind::Reopened) => "flash_reopened",
        (Ok(Ok(_)), EventKind::Approved) => "flash_approved",
        (Ok(Ok(_)), _) => "flash_note",
        (Ok(Err(_)), EventKind::Note) => "flash_note_empty",
        _ => "flash_not_changed",
    };
    if matches!(result, Ok(Ok(_))) {
        desk.log(&op.name, kind.as_str(), Some(id), None).await;
    }
    op.flash(desk.render.strings.get(&op.lang, key)).await;
    Redirect::to(&format!("/desk/r/{id}")).into_response()
}

macro_rules! change_handler {
    ($name:ident, $kind:expr) => {
        pub async fn $name(
            State(desk): State<Arc<Desk>>,
            Extension(op): Extension<Signed>,
            UrlPath(id): UrlPath<String>,
            axum::Form(form): axum::Form<ChangeForm>,
        ) -> Response {
            if let Err(r) = find(&desk, &op, &id).await {
                return r;
            }
            change(&desk, &op, &id, $kind, form.note).await
        }
    };
}

change_handler!(take, EventKind::Taken);
change_handler!(done, EventKind::Done);
change_handler!(reopen, EventKind::Reopened);
change_handler!(note, EventKind::Note);

/// `GET /desk/healthz`: the endpoint's counters and the queue writer's
/// figures, for operators only.
pub async fn healthz(State(desk): State<Arc<Desk>>) -> Response {
    let counts = desk.config.metrics.as_ref().map(|m| m.snapshot());
    let handle = desk.config.queue_handle.as_ref();
    let queue = handle.map(|q| q.stats());
    let failure = handle.and_then(|q| q.failure());
    axum::Json(json!({ "counts": counts, "queue": queue, "failure": failure })).into_response()
}
