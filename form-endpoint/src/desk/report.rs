//! The needs report as a page: `/desk/report` in the inbox, and the same
//! page made self-contained (styles inside, no links out) for
//! `sportello-forms report --output FILE.html`. Bar charts are SVG drawn
//! here, each followed by its data table; the numbers are
//! [`crate::ops::report`]'s, i.e. those of `stats`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Desk;
use super::auth::Signed;
use super::inbox::{load_items, render_page};
use super::render::{Frame, Renderer};
use crate::Error;
use crate::error::AppError;
use crate::ops::report::{Period, Report, Waits};
use crate::pages::FormPages;

/// Height of a label's line, of the bar under it and of the gap under the
/// bar, in SVG user units. The label has a line of its own, the chart's
/// whole width: beside the bar, a topic's name was cut on a phone.
const LABEL: usize = 20;
const BAR: usize = 22;
const GAP: usize = 10;

/// Most of a month the report could not read that is shown back.
const MONTH_TYPED_MAX: usize = 40;

#[derive(Debug, Serialize)]
struct Bar {
    label: String,
    n: usize,
    y: usize,
    text_y: usize,
    /// Of the bars' area, 0–100.
    width: String,
    /// Where the bar starts when it grows from the right (right to left).
    start: String,
}

#[derive(Debug, Serialize)]
struct Chart {
    key: &'static str,
    title: String,
    height: usize,
    bars: Vec<Bar>,
}

fn chart(
    key: &'static str,
    title: String,
    counts: &BTreeMap<String, usize>,
    label: impl Fn(&str) -> String,
) -> Chart {
    let max = counts.values().copied().max().unwrap_or(0).max(1);
    let bars = counts
        .iter()
        .enumerate()
        .map(|(i, (l, n))| {
            let share = *n as f64 * 100.0 / max as f64;
            Bar {
                label: label(l),
                n: *n,
                y: i * (LABEL + BAR + GAP) + LABEL,
                text_y: i * (LABEL + BAR + GAP) + 15,
                width: format!("{share:.1}"),
                start: format!("{:.1}", 100.0 - share),
            }
        })
        .collect();
    Chart {
        key,
        title,
        height: counts.len().max(1) * (LABEL + BAR + GAP),
        bars,
    }
}

fn hours(h: Option<f64>) -> String {
    h.map(|h| format!("{h:.1}"))
        .unwrap_or_else(|| "—".to_owned())
}

fn waits(w: &Waits) -> serde_json::Value {
    json!({ "count": w.count, "median": hours(w.median_hours), "p90": hours(w.p90_hours) })
}

/// The template's data for a report; topics and desks by their names in
/// `lang` when the site is known (`site`), by their ids otherwise.
fn data(
    renderer: &Renderer,
    lang: &str,
    report: &Report,
    site: Option<&dyn FormPages>,
) -> serde_json::Value {
    let t = |k: &str| renderer.strings.get(lang, k);
    let id = |v: &str| v.to_owned();
    let language = |v: &str| renderer.strings.language_name(lang, v);
    let status = |v: &str| t(&format!("status_{v}"));
    let topic = |v: &str| {
        site.and_then(|s| s.topic_label(lang, v))
            .unwrap_or_else(|| v.to_owned())
    };
    let desk = |v: &str| {
        site.and_then(|s| s.desk_label(lang, v))
            .unwrap_or_else(|| v.to_owned())
    };
    let s = &report.stats;
    let charts = [
        chart("topic", t("col_topic"), &s.by_topic, topic),
        chart("lang", t("col_language"), &s.by_lang, language),
        chart("desk", t("col_desk"), &s.by_desk, desk),
        chart("month", t("filter_month"), &s.by_month, id),
        chart("status", t("col_status"), &s.by_status, status),
    ];
    // What the figures cover: the months asked for, and where a bound was
    // left open, the first or last month that has a request.
    let covered = |asked: &Option<String>, month: Option<&String>| {
        asked.clone().or_else(|| month.cloned()).unwrap_or_default()
    };
    json!({
        "period": {
            "from": report.period.from.as_deref().unwrap_or(""),
            "to": report.period.to.as_deref().unwrap_or(""),
        },
        "covered": {
            "from": covered(&report.period.from, s.by_month.keys().next()),
            "to": covered(&report.period.to, s.by_month.keys().next_back()),
        },
        "month_errors": {},
        "total": s.total,
        "charts": charts,
        "to_taken": waits(&report.to_taken),
        "to_done": waits(&report.to_done),
    })
}

/// The report as one self-contained HTML page (for the command line).
pub fn standalone(
    renderer: &Renderer,
    lang: &str,
    report: &Report,
    site: Option<&dyn FormPages>,
) -> Result<String, Error> {
    let frame = Frame {
        lang: renderer.strings.language(Some(lang)),
        operator: None,
        csrf: "",
        here: "",
        flash: None,
    };
    let mut d = data(renderer, lang, report, site);
    d["standalone"] = true.into();
    d["inline_css"] = super::render::CSS.into();
    renderer.page("report.html", &frame, &d)
}

#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// `GET /desk/report?from=YYYY-MM&to=YYYY-MM`.
pub async fn page(
    State(desk): State<Arc<Desk>>,
    Extension(op): Extension<Signed>,
    Query(q): Query<ReportQuery>,
) -> Response {
    let items = match load_items(&desk).await {
        Ok(items) => items,
        Err(e) => return AppError(e).into_response(),
    };
    let period = Period::new(Some(&q.from), Some(&q.to));
    let unread = period.unread(Some(&q.from), Some(&q.to));
    let report = crate::ops::report::compute(&items, period);
    desk.log(&op.name, "report", None, None).await;
    let mut d = data(&desk.render, &op.lang, &report, desk.config.site.as_deref());
    // A month the report could not read is said, next to what was typed;
    // the figures then leave that end open, as the period line shows.
    // Silently showing every month misled.
    for (end, typed) in unread {
        d["period"][end] = typed
            .chars()
            .take(MONTH_TYPED_MAX)
            .collect::<String>()
            .into();
        d["month_errors"][end] = true.into();
    }
    render_page(&desk, &op, "report.html", "/desk/report", None, &d)
}
