//! `_data/associations.yaml`: the directory of associations.
//!
//! Every entry is published, so every value is checked with its line: only
//! what an association made public and consented to publish is listed
//! (`source`, `consent_date`), and nothing in it can make a page read
//! differently from what it says (markup is escaped by the templates;
//! invisible direction and control characters are refused here).

use std::collections::BTreeMap;
use std::path::Path;

use jiff::civil::Date;
use serde::Deserialize;

use crate::config::SiteConfig;
use crate::diagnostic::{Diagnostic, Diagnostics, closest, shown};
use crate::load::frontmatter::parse_date;
use crate::load::url_path::is_bidi_control;
use crate::yaml::{self, Spanned};

/// The sectors an association may work in; their labels are the theme's
/// `sectors.<id>` strings, in every language.
pub const SECTORS: [&str; 11] = [
    "culture",
    "education",
    "work",
    "health",
    "housing",
    "legal",
    "women",
    "youth",
    "intercultural",
    "cooperation",
    "sport",
];

/// Longest name and description: a directory entry is short, and a huge
/// value pasted by mistake should be caught, not published.
const MAX_NAME: usize = 150;
const MAX_DESCRIPTION: usize = 600;
const MAX_SHORT: usize = 100;

/// One association as written in the file (positions kept for messages).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Association {
    /// Its URL segment: lowercase letters, digits and `-`.
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    pub sectors: Vec<Spanned<String>>,
    pub city: Spanned<String>,
    /// The province's two-letter code (`PG`, `TR`).
    pub province: Spanned<String>,
    /// Languages it works in (codes such as `ar`, `wo`), not only the site's.
    #[serde(default)]
    pub languages: Vec<Spanned<String>>,
    #[serde(default)]
    pub email: Option<Spanned<String>>,
    #[serde(default)]
    pub phone: Option<Spanned<String>>,
    #[serde(default)]
    pub website: Option<Spanned<String>>,
    /// A short description per site language.
    pub description: BTreeMap<String, Spanned<String>>,
    /// The language the description was written in, shown where a language
    /// has none; without it, the site's default language (or the first of
    /// the site's languages that has one).
    #[serde(default)]
    pub original_language: Option<Spanned<String>>,
    #[serde(default)]
    pub founded: Option<Spanned<i64>>,
    /// Its number in the national register of third-sector bodies (RUNTS).
    #[serde(default)]
    pub runts: Option<Spanned<String>>,
    /// Where its details are public (its own site, a public register).
    #[serde(default)]
    pub source: Option<Spanned<String>>,
    /// The day its publication was consented to, `YYYY-MM-DD`.
    #[serde(default)]
    pub consent_date: Option<Spanned<String>>,
}

impl Association {
    /// The language the description falls back to (valid once loaded).
    pub fn original_language<'a>(&'a self, config: &'a SiteConfig) -> &'a str {
        if let Some(o) = &self.original_language {
            return &o.value;
        }
        let default = config.default_code();
        if self.description.contains_key(default) {
            return default;
        }
        config
            .codes()
            .find(|c| self.description.contains_key(*c))
            .unwrap_or(default)
    }

    /// The description shown in `code`, and whether it is the original's
    /// (the fallback) rather than a text in that language.
    pub fn description_in<'a>(
        &'a self,
        code: &str,
        config: &'a SiteConfig,
    ) -> (&'a str, &'a str, bool) {
        if let Some(d) = self.description.get(code) {
            return (&d.value, code_of(&self.description, code), false);
        }
        let orig = self.original_language(config);
        let text = self.description.get(orig).map_or("", |d| d.value.as_str());
        (text, orig, true)
    }

    pub fn consent_day(&self) -> Option<Date> {
        self.consent_date
            .as_ref()
            .and_then(|d| parse_date(&d.value))
    }
}

/// The map's own copy of a key, so the returned code lives as long as it.
fn code_of<'a>(map: &'a BTreeMap<String, Spanned<String>>, code: &str) -> &'a str {
    map.get_key_value(code).map_or("", |(k, _)| k.as_str())
}

/// Reads `_data/associations.yaml` if present (a missing file: none listed).
/// Dates after `today` are refused: consent cannot come from the future.
pub fn load(
    content: &Path,
    config: &SiteConfig,
    today: Date,
    diags: &mut Diagnostics,
) -> Vec<Association> {
    let path = content.join("_data").join("associations.yaml");
    let Some(text) = super::read_optional(&path, diags) else {
        return Vec::new();
    };
    if text.trim().is_empty() {
        return Vec::new();
    }
    let list: Vec<Association> = match yaml::from_str::<Option<Vec<Association>>>(&text) {
        Ok(l) => l.unwrap_or_default(),
        Err(e) => {
            diags.push(
                Diagnostic::error(&path, format!("invalid associations file: {}", e.message))
                    .at_line_col(&text, e.line, e.column, 1)
                    .hint("each association has: id, name, sectors, city, province, languages, email, phone, website, description, original_language, founded, runts, source, consent_date"),
            );
            return Vec::new();
        }
    };
    let mut check = Check {
        path: &path,
        text: &text,
        diags,
        ok: true,
    };
    let mut seen = std::collections::HashSet::new();
    for a in &list {
        check.entry(a, config, today);
        if !seen.insert(a.id.value.as_str()) {
            check.at(
                &a.id,
                format!("two associations have the id `{}`", a.id.value),
                "ids must be unique: each is the address of the association's page",
            );
        }
    }
    if check.ok { list } else { Vec::new() }
}

/// An entry of `associations.yaml` made from an approved request, in the
/// file's own key order. A form that publishes to the directory names its
/// fields after these keys, with `org_` before `name`, `email`, `phone` and
/// `website` (every form already uses those for the person writing).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewEntry {
    pub id: String,
    pub name: String,
    pub sectors: Vec<String>,
    pub city: String,
    pub province: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    pub description: BTreeMap<String, String>,
    pub original_language: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub founded: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runts: Option<String>,
    pub source: String,
    pub consent_date: String,
}

impl NewEntry {
    /// The entry for a request's fields (`data`), written in `lang`, whose
    /// consent to publication was given on `consent_date`; `taken` are the
    /// ids already in the file (the new one gets a free one).
    pub fn from_request(
        data: &BTreeMap<String, serde_json::Value>,
        lang: &str,
        consent_date: &str,
        taken: &[&str],
    ) -> NewEntry {
        let text = |k: &str| data.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let list = |k: &str| {
            data.get(k)
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let name = text("org_name").unwrap_or_default();
        NewEntry {
            id: free_id(&name, taken),
            sectors: list("sectors"),
            city: text("city").unwrap_or_default(),
            province: text("province").unwrap_or_default(),
            languages: list("languages"),
            email: text("org_email"),
            phone: text("org_phone"),
            website: text("org_website"),
            description: text("description")
                .map(|d| BTreeMap::from([(lang.to_owned(), d)]))
                .unwrap_or_default(),
            original_language: lang.to_owned(),
            founded: text("founded").and_then(|y| y.parse().ok()),
            runts: text("runts"),
            source: text("source").unwrap_or_default(),
            consent_date: consent_date.to_owned(),
            name,
        }
    }

    /// The entry as a YAML list item, to paste at the end of
    /// `associations.yaml` (or to be the whole of a new one).
    pub fn to_yaml(&self) -> Result<String, crate::Error> {
        yaml::to_string(&[self])
            .map_err(|e| crate::Error::Render(format!("directory entry: {}", e.message)))
    }
}

/// An id from a name in any script (`slug`: transliterated to a-z, digits
/// and `-`), shortened, made unique against `taken`.
fn free_id(name: &str, taken: &[&str]) -> String {
    let mut base: String = slug::slugify(name).chars().take(60).collect();
    base = base.trim_end_matches('-').to_owned();
    if base.is_empty() {
        base = "association".to_owned();
    }
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id.as_str()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// The entry an approved request makes, as YAML ready to paste, with what
/// `check` would say of it once pasted into this site's
/// `_data/associations.yaml` (its id is free there).
pub fn approved_entry(
    site: &crate::model::Site,
    data: &BTreeMap<String, serde_json::Value>,
    lang: &str,
    consent_date: &str,
) -> Result<(String, Diagnostics), crate::Error> {
    let taken: Vec<&str> = site
        .associations
        .iter()
        .map(|a| a.id.value.as_str())
        .collect();
    let yaml = NewEntry::from_request(data, lang, consent_date, &taken).to_yaml()?;
    let mut diags = Diagnostics::default();
    check_text(
        &yaml,
        Path::new("content/_data/associations.yaml"),
        &site.config,
        jiff::ZonedDateTime::now().date(),
        &mut diags,
    );
    Ok((yaml, diags))
}

/// Checks `text`, the YAML of entries, as `load` checks the file: the
/// diagnostics are those `check` would give once it is pasted (against
/// `path`, for their location).
pub fn check_text(
    text: &str,
    path: &Path,
    config: &SiteConfig,
    today: Date,
    diags: &mut Diagnostics,
) {
    let list: Vec<Association> = match yaml::from_str::<Option<Vec<Association>>>(text) {
        Ok(l) => l.unwrap_or_default(),
        Err(e) => {
            diags.push(
                Diagnostic::error(path, format!("invalid associations file: {}", e.message))
                    .at_line_col(text, e.line, e.column, 1),
            );
            return;
        }
    };
    let mut check = Check {
        path,
        text,
        diags,
        ok: true,
    };
    for a in &list {
        check.entry(a, config, today);
    }
}

/// Collects the problems of the file, each at the value it is about.
struct Check<'a> {
    path: &'a Path,
    text: &'a str,
    diags: &'a mut Diagnostics,
    ok: bool,
}

impl Check<'_> {
    /// An error underlining `value` where it is written.
    fn at<T: Width>(&mut self, value: &Spanned<T>, message: String, hint: impl Into<String>) {
        let (line, col) = yaml::position(value);
        self.at_span(line, col, value.value.width(), message, hint);
    }

    fn at_span(
        &mut self,
        line: usize,
        col: usize,
        width: usize,
        message: String,
        hint: impl Into<String>,
    ) {
        self.ok = false;
        // Never past the end of the line (a quoted value is longer than its text).
        let room = self
            .text
            .lines()
            .nth(line.saturating_sub(1))
            .map_or(1, |l| l.chars().count().saturating_sub(col - 1).max(1));
        self.diags.push(
            Diagnostic::error(self.path, message)
                .at_line_col(self.text, line, col, width.clamp(1, room))
                .hint(hint),
        );
    }

    fn entry(&mut self, a: &Association, config: &SiteConfig, today: Date) {
        let id = &a.id.value;
        if id.is_empty()
            || id.len() > MAX_SHORT
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            || id.starts_with('-')
        {
            self.at(
                &a.id,
                format!("id `{}` is not a page address", shown(id)),
                "write the id with lowercase letters a-z, digits and `-`, for example `donne-in-rete`",
            );
        }
        self.text_field(&a.name, "name", MAX_NAME, false);
        self.text_field(&a.city, "city", MAX_SHORT, false);
        let p = &a.province.value;
        if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_uppercase()) {
            self.at(
                &a.province,
                format!("province `{}` is not a province code", shown(p)),
                "write the two capital letters of the province, for example PG or TR",
            );
        }
        if a.sectors.is_empty() {
            self.at(
                &a.id,
                format!("association `{}` has no sectors", shown(id)),
                format!("list at least one of: {}", SECTORS.join(", ")),
            );
        }
        for s in &a.sectors {
            if !SECTORS.contains(&s.value.as_str()) {
                let hint = match closest(&s.value, &SECTORS) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!("sectors are: {}", SECTORS.join(", ")),
                };
                self.at(s, format!("`{}` is not a sector", shown(&s.value)), hint);
            }
        }
        for l in &a.languages {
            let v = &l.value;
            if !(2..=3).contains(&v.len()) || !v.bytes().all(|b| b.is_ascii_lowercase()) {
                self.at(
                    l,
                    format!("`{}` is not a language code", shown(v)),
                    "write the language's ISO 639 code in lowercase, for example ar, fr, wo",
                );
            }
        }
        if let Some(e) = &a.email {
            self.email(e);
        }
        if let Some(p) = &a.phone {
            let digits = p.value.chars().filter(char::is_ascii_digit).count();
            let allowed = p.value.chars().all(|c| {
                c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '/' | '(' | ')')
            });
            if !allowed || !(6..=15).contains(&digits) || p.value.len() > 30 {
                self.at(
                    p,
                    format!("`{}` is not a phone number", shown(&p.value)),
                    "write the number with its digits and spaces, for example +39 0744 123456",
                );
            }
        }
        if let Some(w) = &a.website {
            self.web_address(w, "website");
        }
        if a.description.is_empty() {
            self.at(
                &a.id,
                format!("association `{}` has no description", shown(id)),
                "add `description:` with a short text in at least one of the site's languages",
            );
        }
        for (code, d) in &a.description {
            if config.lang(code).is_none() {
                let (line, col) = self.key_position(d, code);
                // Two-letter codes are all close to each other: a "did you
                // mean" would guess; the list is short enough to read.
                let hint = format!(
                    "write it in one of the site's languages: {}",
                    config.code_list()
                );
                self.at_span(
                    line,
                    col,
                    code.chars().count(),
                    format!(
                        "description in `{}`, a language this site does not have",
                        shown(code)
                    ),
                    hint,
                );
            }
            self.text_field(d, "description", MAX_DESCRIPTION, true);
        }
        if let Some(o) = &a.original_language
            && !a.description.contains_key(&o.value)
        {
            self.at(
                o,
                format!("original_language `{}` has no description", shown(&o.value)),
                "write the language the description was written in, one of the `description:` keys",
            );
        }
        if let Some(f) = &a.founded
            && !(1800..=i64::from(today.year())).contains(&f.value)
        {
            self.at(
                f,
                format!("founded `{}` is not a year gone by", f.value),
                "write the year the association was founded, for example 2015",
            );
        }
        if let Some(r) = &a.runts {
            let v = &r.value;
            if v.is_empty()
                || v.len() > 40
                || !v
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | ' '))
            {
                self.at(
                    r,
                    format!("runts `{}` is not a register number", shown(v)),
                    "write the RUNTS number as the register shows it (letters, digits, `/`, `-`)",
                );
            }
        }
        match &a.source {
            Some(s) => self.web_address(s, "source"),
            None => self.at(
                &a.id,
                format!("association `{}` has no source", shown(id)),
                "add `source:` with the public page its details come from (its own site, a public register)",
            ),
        }
        match &a.consent_date {
            Some(d) => match parse_date(&d.value) {
                None => self.at(
                    d,
                    format!("consent_date `{}` is not a date", shown(&d.value)),
                    "write the day publication was consented to as YYYY-MM-DD",
                ),
                Some(day) if day > today => self.at(
                    d,
                    format!("consent_date {day} is in the future"),
                    "write the day the association consented to publication, today or before",
                ),
                Some(_) => {}
            },
            None => self.at(
                &a.id,
                format!("association `{}` has no consent_date", shown(id)),
                "an association is listed only once it has consented: add `consent_date: YYYY-MM-DD`",
            ),
        }
    }

    /// Free text shown on pages: no control or invisible direction
    /// characters (they can make a line read as another), not huge.
    fn text_field(&mut self, v: &Spanned<String>, what: &str, max: usize, multiline: bool) {
        let s = &v.value;
        if s.trim().is_empty() {
            self.at(v, format!("{what} is empty"), format!("write the {what}"));
        } else if let Some(c) = s
            .chars()
            .find(|&c| (c.is_control() && !(multiline && c == '\n')) || is_bidi_control(c))
        {
            self.at(
                v,
                format!(
                    "{what} contains an invisible character (U+{:04X})",
                    c as u32
                ),
                "retype it by hand: an invisible character was pasted with it",
            );
        } else if s.chars().count() > max {
            self.at(
                v,
                format!(
                    "{what} is {} characters long (at most {max})",
                    s.chars().count()
                ),
                format!("shorten the {what}"),
            );
        }
    }

    /// A strict address: the `email_address` crate's RFC 5322 parse, with
    /// a dotted domain, no display name, no `[ip]` domain and no quoted
    /// local part (valid, but never an association's public address).
    fn email(&mut self, e: &Spanned<String>) {
        let options = email_address::Options {
            minimum_sub_domains: 2,
            allow_domain_literal: false,
            allow_display_text: false,
            ..Default::default()
        };
        let ok = email_address::EmailAddress::parse_with_options(&e.value, options).is_ok()
            && !e.value.contains('"')
            && e.value.is_ascii();
        if !ok {
            self.at(
                e,
                format!("`{}` is not an e-mail address", shown(&e.value)),
                "write the address as name@domain.it, without spaces or a name around it",
            );
        }
    }

    /// An `http(s)` address with a host (parsed by the `url` crate).
    fn web_address(&mut self, w: &Spanned<String>, what: &str) {
        let ok = url::Url::parse(&w.value).is_ok_and(|u| {
            matches!(u.scheme(), "https" | "http") && u.host_str().is_some_and(|h| h.contains('.'))
        }) && !w.value.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            self.at(
                w,
                format!("{what} `{}` is not a web address", shown(&w.value)),
                "write the full address of the page, starting with https://",
            );
        }
    }

    /// Where a description's language key is written: on its value's line.
    fn key_position(&self, value: &Spanned<String>, key: &str) -> (usize, usize) {
        let (line, col) = yaml::position(value);
        let col = self
            .text
            .lines()
            .nth(line - 1)
            .and_then(|l| l.find(key).map(|b| l[..b].chars().count() + 1))
            .unwrap_or(col);
        (line, col)
    }
}

/// How many characters a value takes where it is written (at least).
trait Width {
    fn width(&self) -> usize;
}

impl Width for String {
    fn width(&self) -> usize {
        self.chars().count()
    }
}

impl Width for i64 {
    fn width(&self) -> usize {
        self.to_string().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Other languages fall back to Italian and `check` reports the gap;
    /// a sector missing in Italian would show its bare id.
    #[test]
    fn every_sector_has_a_label_in_the_default_theme() {
        let it: serde_json::Value =
            yaml::from_str(include_str!("../../../themes/default/i18n/it.yaml")).unwrap();
        for s in SECTORS {
            assert!(it["sectors"][s].is_string(), "no label for sector `{s}`");
        }
    }

    #[test]
    fn shown_values_stay_short_and_visible() {
        assert_eq!(shown("a\u{202E}b"), "aU+202Eb");
        assert!(shown(&"x".repeat(500)).ends_with('…'));
    }
}
