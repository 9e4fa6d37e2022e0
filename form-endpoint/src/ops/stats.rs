//! `stats`: how many requests, by status, desk, language, topic and month —
//! the desk's monitoring of the needs of the people it serves. Counts only:
//! no personal data.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::view::Item;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub total: usize,
    pub by_status: BTreeMap<String, usize>,
    pub by_desk: BTreeMap<String, usize>,
    pub by_lang: BTreeMap<String, usize>,
    pub by_topic: BTreeMap<String, usize>,
    /// `YYYY-MM` (UTC) → count.
    pub by_month: BTreeMap<String, usize>,
    pub not_notified: usize,
}

pub fn compute(items: &[Item]) -> Stats {
    let mut s = Stats {
        total: items.len(),
        ..Stats::default()
    };
    for item in items {
        let r = &item.record;
        *s.by_status
            .entry(item.status.as_str().to_owned())
            .or_default() += 1;
        *s.by_desk.entry(r.desk.clone()).or_default() += 1;
        *s.by_lang.entry(r.lang.clone()).or_default() += 1;
        *s.by_topic.entry(r.topic.clone()).or_default() += 1;
        let month = r.received.get(..7).unwrap_or("unknown").to_owned();
        *s.by_month.entry(month).or_default() += 1;
        if !item.notified {
            s.not_notified += 1;
        }
    }
    s
}

/// A plain-text report.
pub fn render(s: &Stats) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} requests in all", s.total);
    let groups: [(&str, &BTreeMap<String, usize>); 5] = [
        ("by status", &s.by_status),
        ("by desk", &s.by_desk),
        ("by language", &s.by_lang),
        ("by topic", &s.by_topic),
        ("by month (UTC)", &s.by_month),
    ];
    for (title, counts) in groups {
        let _ = writeln!(out, "\n{title}:");
        if counts.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        let w = counts
            .keys()
            .map(|k| super::table::printable(k, false).chars().count())
            .max()
            .unwrap_or(0);
        for (k, n) in counts {
            let k = super::table::printable(k, false);
            let _ = writeln!(out, "  {k:<w$}  {n:>6}");
        }
    }
    if s.not_notified > 0 {
        let _ = writeln!(out, "\nthe desk was not notified of {}", s.not_notified);
    }
    out
}
