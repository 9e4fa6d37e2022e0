//! Data files in `content/_data/`: the desks (here) and the directory of
//! [`associations`].

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::yaml;

pub mod associations;

pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Desk {
    pub id: String,
    /// Per language; a missing language falls back to the default one.
    pub name: std::collections::BTreeMap<String, String>,
    pub city: String,
    pub status: DeskStatus,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub by_appointment: bool,
    #[serde(default)]
    pub hours: Vec<Hours>,
    /// Street address, when known (extension; never invent one).
    #[serde(default)]
    pub address: Option<String>,
    /// The public page the desk's details come from (extension): shown on
    /// the desks page, so readers know where a detail comes from and how old it is.
    #[serde(default)]
    pub source: Option<String>,
    /// The date of that page, `YYYY-MM-DD`.
    #[serde(default)]
    pub source_date: Option<String>,
}

impl Desk {
    /// [`Desk::source_date`] as a date, when valid.
    pub fn source_day(&self) -> Option<jiff::civil::Date> {
        self.source_date
            .as_deref()
            .and_then(crate::load::frontmatter::parse_date)
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeskStatus {
    Open,
    ComingSoon,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    pub days: Vec<String>,
    pub opens: String,
    pub closes: String,
}

/// A data file's text; `None` when it is absent (no data) or unreadable
/// (reported).
fn read_optional(path: &Path, diags: &mut Diagnostics) -> Option<Arc<str>> {
    match std::fs::read_to_string(path) {
        Ok(t) => Some(t.into()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            diags.push(Diagnostic::error(path, format!("cannot read: {e}")));
            None
        }
    }
}

/// Reads `_data/desks.yaml` if present; a missing file means no desks.
pub fn load_desks(content: &Path, diags: &mut Diagnostics) -> Vec<Desk> {
    let path = content.join("_data").join("desks.yaml");
    let Some(text) = read_optional(&path, diags) else {
        return Vec::new();
    };
    let desks: Vec<Desk> = match yaml::from_str(&text) {
        Ok(d) => d,
        Err(e) => {
            diags.push(
                Diagnostic::error(&path, format!("invalid desks file: {}", e.message))
                    .at_line_col(&text, e.line, e.column, 1)
                    .hint("each desk has: id, name, city, status (open | coming_soon), phone, email, by_appointment, hours, address, source, source_date"),
            );
            return Vec::new();
        }
    };
    let mut ok = true;
    let mut complain = |needle: &str, msg: String, hint: &str| {
        ok = false;
        let line = text
            .lines()
            .position(|l| l.contains(needle))
            .map_or(1, |i| i + 1);
        let col = text
            .lines()
            .nth(line - 1)
            .and_then(|l| l.find(needle))
            .map_or(1, |c| c + 1);
        diags.push(
            Diagnostic::error(&path, msg)
                .at_line_col(&text, line, col, needle.chars().count())
                .hint(hint),
        );
    };
    let mut seen = std::collections::HashSet::new();
    for desk in &desks {
        if !seen.insert(desk.id.as_str()) {
            complain(
                &format!("id: {}", desk.id),
                format!("two desks have the id `{}`", desk.id),
                "ids must be unique",
            );
        }
        if let Some(src) = &desk.source
            && !is_web_address(src)
        {
            complain(
                src,
                format!("source `{src}` is not a web address"),
                "write the full address of the public page, starting with https://",
            );
        }
        if let Some(day) = &desk.source_date
            && desk.source_day().is_none()
        {
            complain(
                day,
                format!("source_date `{day}` is not a date"),
                "write the date of the source as YYYY-MM-DD, for example 2022-03-02",
            );
        }
        for h in &desk.hours {
            for d in &h.days {
                if !DAYS.contains(&d.as_str()) {
                    complain(
                        d,
                        format!("`{d}` is not a day"),
                        "days are mon, tue, wed, thu, fri, sat, sun",
                    );
                }
            }
            for t in [&h.opens, &h.closes] {
                if parse_time(t).is_none() {
                    complain(
                        t,
                        format!("`{t}` is not a time"),
                        "write times as HH:MM, for example \"09:00\"",
                    );
                }
            }
            if let (Some(o), Some(c)) = (parse_time(&h.opens), parse_time(&h.closes))
                && o >= c
            {
                complain(
                    &h.closes,
                    format!("closes at {} before it opens at {}", h.closes, h.opens),
                    "check the order of opens and closes",
                );
            }
        }
    }
    if ok { desks } else { Vec::new() }
}

/// An `http(s)` address with a host and nothing that could break out of an
/// attribute: the source becomes a link on the desks page.
fn is_web_address(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && !s.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\' | '`')
            })
    })
}

/// Minutes after midnight of `HH:MM`.
pub fn parse_time(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}
