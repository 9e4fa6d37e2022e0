//! Front matter: the YAML between `---` lines at the top of a page.
//!
//! Parsed once into a map of located values, so that every unknown key, every
//! value of the wrong type and a missing title are all reported in one run,
//! each at its own line (a typed `deny_unknown_fields` parse stops at the first).

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, closest};
use crate::load::url_path;
use crate::yaml::{self, Spanned};

pub const KNOWN_KEYS: &[&str] = &[
    "title",
    "summary",
    "weight",
    "date",
    "updated",
    "draft",
    "slug",
    "aliases",
    "template",
    "translation_key",
    "translated_from",
    "extra",
];

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct FrontMatter {
    pub title: String,
    pub summary: Option<String>,
    pub weight: Option<i64>,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    pub draft: bool,
    pub slug: Option<String>,
    pub aliases: Vec<String>,
    pub template: Option<String>,
    pub translation_key: Option<String>,
    pub translated_from: Option<String>,
    pub extra: serde_json::Value,
    /// 1-based lines of some keys, for diagnostics raised later (slug, aliases…).
    pub lines: BTreeMap<String, usize>,
}

/// Where the front matter and the body are in a file.
pub struct Split<'a> {
    pub yaml: &'a str,
    /// 1-based line of the first YAML line.
    pub yaml_line: usize,
    /// Byte offset of the body.
    pub body_start: usize,
}

/// Finds the `---` fences. `None` when the file has no front matter at all.
pub fn split(text: &str) -> Option<Split<'_>> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let open = text.len() - rest.len();
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some(Split {
                yaml: &rest[..offset],
                yaml_line: 2,
                body_start: open + offset + line.len(),
            });
        }
        offset += line.len();
    }
    None
}

/// Parses front matter; problems are returned, each located in `text`.
pub fn parse(path: &str, text: &str) -> (Option<FrontMatter>, usize, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let Some(split) = split(text) else {
        diags.push(no_front_matter(path, text));
        return (None, 0, diags);
    };
    let at_yaml = |line: usize, col: usize| (split.yaml_line + line - 1, col);
    let map: BTreeMap<String, Spanned<serde_json::Value>> = if split.yaml.trim().is_empty() {
        BTreeMap::new()
    } else {
        match yaml::from_str(split.yaml) {
            Ok(m) => m,
            Err(e) if e.message.to_lowercase().contains("duplicate") => {
                let (l, c) = at_yaml(e.line, e.column);
                diags.push(duplicate_key(path, text, &split, l, c));
                return (None, split.body_start, diags);
            }
            Err(e) => {
                let (l, c) = at_yaml(e.line, e.column);
                diags.push(
                    Diagnostic::error(path, format!("invalid front matter: {}", e.message))
                        .at_line_col(text, l, c, 1)
                        .label("YAML error here")
                        .hint("front matter is YAML: `key: value` lines; quote values that contain `: ` or start with a special character"),
                );
                return (None, split.body_start, diags);
            }
        }
    };

    let mut fm = FrontMatter::default();
    // Kept apart from `diags`, which the `bad` closure below holds.
    let mut refusals = Vec::new();
    for (key, value) in &map {
        let (l, c) = at_yaml(yaml::position(value).0, yaml::position(value).1);
        if !KNOWN_KEYS.contains(&key.as_str()) {
            // The value's position is on the key's line for `key: value`; point at the key.
            let key_line = l;
            let col = text
                .lines()
                .nth(key_line - 1)
                .and_then(|line| line.find(key.as_str()))
                .map_or(1, |i| i + 1);
            let mut d = Diagnostic::error(path, format!("unknown front-matter key `{key}`"))
                .at_line_col(text, key_line, col, key.chars().count())
                .label("not a front-matter key");
            d = match closest(key, KNOWN_KEYS) {
                Some(k) => d.hint(format!("did you mean `{k}`?")),
                None => d.hint("custom values go under `extra:`"),
            };
            diags.push(d);
            continue;
        }
        let v = &value.value;
        let mut bad = |what: &str| {
            diags.push(
                Diagnostic::error(path, format!("`{key}` must be {what}"))
                    .at_line_col(text, l, c, 1)
                    .label(format!("found {}", describe(v))),
            );
        };
        match key.as_str() {
            "title" => match v.as_str() {
                Some(s) if !s.trim().is_empty() => fm.title = s.trim().to_string(),
                _ => bad("a non-empty text"),
            },
            "summary" => convert(v, &mut fm.summary, || bad("a text")),
            "weight" => convert(v, &mut fm.weight, || bad("a whole number")),
            "draft" => convert(v, &mut fm.draft, || bad("`true` or `false`")),
            "slug" => match v.as_str() {
                Some(s) => match url_path::check_slug(s) {
                    Ok(()) => fm.slug = Some(s.to_string()),
                    Err(r) => refusals.push(refused(path, text, l, c, s, r)),
                },
                None => bad("one URL segment"),
            },
            "aliases" => match serde_json::from_value::<Vec<String>>(v.clone()) {
                Ok(list) => {
                    let before = refusals.len();
                    for a in &list {
                        if let Err(r) = url_path::check_alias(a) {
                            refusals.push(refused(path, text, l, c, a, r));
                        }
                    }
                    if refusals.len() == before {
                        fm.aliases = list;
                    }
                }
                Err(_) => bad("a list of site paths starting with `/`"),
            },
            // `guide.html` is how Zola and Hugo name a template; it means `guide`.
            "template" => match v.as_str() {
                Some(t) if !t.trim().is_empty() => {
                    let t = t.trim();
                    fm.template = Some(t.strip_suffix(".html").unwrap_or(t).to_string());
                }
                _ => bad("a template name"),
            },
            "translation_key" => match v {
                serde_json::Value::String(s) => fm.translation_key = Some(s.clone()),
                serde_json::Value::Number(n) => fm.translation_key = Some(n.to_string()),
                _ => bad("a text"),
            },
            "translated_from" => convert(v, &mut fm.translated_from, || bad("a digest")),
            "date" | "updated" => match v.as_str().and_then(parse_date) {
                Some(d) if key == "date" => fm.date = Some(d),
                Some(d) => fm.updated = Some(d),
                None => bad("a date written `YYYY-MM-DD`"),
            },
            "extra" => fm.extra = v.clone(),
            _ => {}
        }
        if KNOWN_KEYS.contains(&key.as_str()) {
            fm.lines.insert(key.clone(), l);
        }
    }
    diags.extend(refusals);
    if !map.contains_key("title") {
        diags.push(
            Diagnostic::error(path, "this page has no `title`")
                .at_line_col(text, 1, 1, 3)
                .label("front matter starts here")
                .hint("add a line `title: …` to the front matter"),
        );
    }
    let ok = diags.is_empty();
    (ok.then_some(fm), split.body_start, diags)
}

/// Why a page has no front matter we can read: none at all, a `---` that is
/// never closed, or TOML between `+++` lines (Zola's and Hugo's habit).
fn no_front_matter(path: &str, text: &str) -> Diagnostic {
    let first = text.lines().next().unwrap_or("").trim_end();
    if first == "---" {
        return Diagnostic::error(path, "the front matter is never closed")
            .at_line_col(text, 1, 1, 3)
            .label("opened here, with no `---` line after it")
            .hint("end the front matter with a line holding only `---`, before the page's text");
    }
    if first == "+++" {
        let converted: Vec<String> = text
            .lines()
            .skip(1)
            .take_while(|l| l.trim_end() != "+++")
            .filter_map(|l| {
                let (k, v) = l.split_once('=')?;
                let k = k.trim();
                (!k.is_empty() && !k.starts_with('[')).then(|| format!("{k}: {}", v.trim()))
            })
            .take(3)
            .collect();
        return Diagnostic::error(path, "this front matter is TOML (`+++`); pages use YAML")
            .at_line_col(text, 1, 1, 3)
            .label("TOML front matter starts here")
            .hint(format!(
                "write it as YAML between `---` lines, `key: value` instead of `key = value`:\n---\n{}\n---",
                if converted.is_empty() {
                    "title: The page's title".to_string()
                } else {
                    converted.join("\n")
                }
            ));
    }
    Diagnostic::error(path, "this page has no front matter")
        .at_line_col(text, 1, 1, 1)
        .label("expected `---` on the first line")
        .hint("start the file with:\n---\ntitle: The page's title\n---")
}

/// A key written twice: both lines named, in the editor's words.
fn duplicate_key(path: &str, text: &str, split: &Split, line: usize, col: usize) -> Diagnostic {
    let key_of = |l: &str| -> Option<String> {
        let (k, _) = l.split_once(':')?;
        let k = k.trim_end();
        (!k.is_empty() && !k.starts_with([' ', '\t', '-', '#']))
            .then(|| k.trim_matches(['"', '\'']).to_string())
    };
    // Top-level keys with their lines; of the keys written twice, the one the
    // parser stopped nearest to.
    let mut seen: Vec<(String, usize)> = Vec::new();
    let mut pairs: Vec<(String, usize, usize)> = Vec::new();
    for (i, l) in split.yaml.lines().enumerate() {
        let n = split.yaml_line + i;
        if let Some(k) = key_of(l) {
            match seen.iter().find(|(s, _)| *s == k) {
                Some((_, first)) => pairs.push((k, *first, n)),
                None => seen.push((k, n)),
            }
        }
    }
    let pair = pairs.into_iter().min_by_key(|(_, _, n2)| n2.abs_diff(line));
    match pair {
        Some((key, n1, n2)) => Diagnostic::error(
            path,
            format!("`{key}` is written twice, on lines {n1} and {n2}"),
        )
        .at_line_col(text, n2, 1, key.chars().count())
        .label(format!("`{key}` again (first on line {n1})"))
        .hint("keep one of the two lines"),
        _ => Diagnostic::error(path, "a front-matter key is written twice")
            .at_line_col(text, line, col, 1)
            .label("written again here")
            .hint("keep one of the two lines"),
    }
}

fn convert<T: DeserializeOwned + Default>(
    v: &serde_json::Value,
    slot: &mut T,
    mut bad: impl FnMut(),
) {
    match serde_json::from_value::<T>(v.clone()) {
        Ok(x) => *slot = x,
        Err(_) => bad(),
    }
}

/// `YYYY-MM-DD`; a full RFC 3339 time is accepted and its date kept.
pub fn parse_date(s: &str) -> Option<Date> {
    let day = s.get(..10)?;
    let rest = &s[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    day.parse::<Date>().ok()
}

/// A refused slug or alias, pointed at where it is written: the first
/// occurrence of its text at or after the key's line (a list may run over
/// several lines), else the key's value.
fn refused(
    path: &str,
    text: &str,
    line: usize,
    col: usize,
    value: &str,
    r: url_path::Refusal,
) -> Diagnostic {
    let from = crate::diagnostic::offset_of(text, line, 1);
    let end = split(text).map_or(text.len(), |s| s.body_start);
    let found = (!value.is_empty())
        .then(|| text.get(from..end)?.find(value))
        .flatten();
    let d = Diagnostic::error(path, r.message);
    let d = match found {
        Some(i) => d.at(text, from + i..from + i + value.len()),
        None => d.at_line_col(text, line, col, 1),
    };
    d.label("refused: it would not stay a plain path of this site")
        .hint(r.hint)
}

fn describe(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "nothing",
        serde_json::Value::Bool(_) => "true/false",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a text",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> (Option<FrontMatter>, Vec<Diagnostic>) {
        let text = s;
        let (fm, _, d) = parse("p.md", text);
        (fm, d)
    }

    #[test]
    fn reads_every_known_key() {
        let (fm, d) = parse_str(
            "---\ntitle: Ciao\nsummary: Breve\nweight: 3\ndate: 2025-01-31\nupdated: 2026-02-01\ndraft: true\nslug: ciao-mondo\naliases: [/old/]\ntemplate: guide\ntranslation_key: k\ntranslated_from: abc\nextra: { x: 1 }\n---\nbody\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let fm = fm.unwrap();
        assert_eq!(fm.title, "Ciao");
        assert_eq!(fm.weight, Some(3));
        assert!(fm.draft);
        assert_eq!(fm.slug.as_deref(), Some("ciao-mondo"));
        assert_eq!(fm.aliases, vec!["/old/"]);
        assert_eq!(fm.date.unwrap().to_string(), "2025-01-31");
        assert_eq!(fm.extra["x"], 1);
    }

    #[test]
    fn every_mistake_is_reported_at_its_line() {
        let (fm, d) = parse_str("---\ntitel: Ciao\nweight: heavy\ndate: 31/01/2025\n---\n");
        assert!(fm.is_none());
        let lines: Vec<_> = d
            .iter()
            .map(|d| (d.line_col().unwrap().0, d.message.clone()))
            .collect();
        assert!(
            lines.contains(&(2, "unknown front-matter key `titel`".into())),
            "{lines:?}"
        );
        let titel = d.iter().find(|d| d.message.contains("titel")).unwrap();
        assert!(titel.hints[0].contains("did you mean `title`?"));
        assert!(
            lines.iter().any(|(l, m)| *l == 3 && m.contains("`weight`")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|(l, m)| *l == 4 && m.contains("`date`")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|(_, m)| m.contains("no `title`")),
            "{lines:?}"
        );
    }

    #[test]
    fn yaml_syntax_error_is_located_in_the_file() {
        let (_, d) = parse_str("---\ntitle: Ciao\nsummary: [oops\n---\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.starts_with("invalid front matter"), "{d:?}");
        assert!(d[0].line_col().unwrap().0 >= 3, "{d:?}");
    }

    #[test]
    fn front_matter_never_closed_points_at_the_opening_line() {
        let (_, d) = parse_str("---\ntitle: Ciao\n\nTesto della pagina.\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].message, "the front matter is never closed");
        assert_eq!(d[0].line_col(), Some((1, 1)));
        assert!(d[0].hints[0].contains("`---`"), "{d:?}");
    }

    #[test]
    fn toml_front_matter_says_yaml_is_expected_and_shows_the_conversion() {
        let (_, d) = parse_str("+++\ntitle = \"Ciao\"\nweight = 3\n+++\nTesto\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("TOML"), "{d:?}");
        assert!(d[0].message.contains("YAML"), "{d:?}");
        assert!(
            d[0].hints[0].contains("---\ntitle: \"Ciao\"\nweight: 3\n---"),
            "{d:?}"
        );
    }

    #[test]
    fn duplicated_key_names_both_lines_without_library_internals() {
        let (_, d) = parse_str("---\ntitle: Ciao\nsummary: a\ntitle: Salve\n---\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].message, "`title` is written twice, on lines 2 and 4");
        assert_eq!(d[0].line_col(), Some((4, 1)));
        let all = format!("{} {} {:?}", d[0].message, d[0].label, d[0].hints);
        assert!(!all.contains("DuplicateKeyPolicy"), "{all}");
    }

    #[test]
    fn template_with_html_extension_means_the_template() {
        let (fm, d) = parse_str("---\ntitle: Ciao\ntemplate: desks.html\n---\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(fm.unwrap().template.as_deref(), Some("desks"));
    }

    #[test]
    fn alias_with_dotdot_is_refused_at_its_line() {
        let (fm, d) =
            parse_str("---\ntitle: Ciao\naliases:\n  - /old/\n  - /../../somewhere/\n---\n");
        assert!(fm.is_none());
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("`..`"), "{d:?}");
        assert_eq!(d[0].line_col(), Some((5, 5)));
    }

    #[test]
    fn slug_with_a_slash_or_bidi_control_is_refused() {
        for slug in ["a/b", "\"a\\u202Eb\"", "..", "\"<b>x</b>\""] {
            let (fm, d) = parse_str(&format!("---\ntitle: Ciao\nslug: {slug}\n---\n"));
            assert!(fm.is_none(), "{slug}");
            assert_eq!(d[0].line_col().map(|l| l.0), Some(3), "{slug}: {d:?}");
            assert!(d[0].message.starts_with("the slug"), "{slug}: {d:?}");
        }
    }

    #[test]
    fn missing_front_matter_is_an_error() {
        let (_, d) = parse_str("# just text\n");
        assert!(d[0].message.contains("no front matter"));
    }

    #[test]
    fn dates_accept_rfc3339_and_reject_others() {
        assert!(parse_date("2017-08-10T01:00:00Z").is_some());
        assert!(parse_date("2025-02-30").is_none());
        assert!(parse_date("2025-1-3").is_none());
    }
}
