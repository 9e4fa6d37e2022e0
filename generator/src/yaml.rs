//! The one door to YAML.
//!
//! `serde_yaml` is archived and flagged unmaintained (RUSTSEC-2024-0449); its
//! maintained successor `serde-saphyr` is pure Rust, never panics on bad input
//! and gives a line and column for every error. Everything in the generator
//! reads YAML through this module, so swapping the parser again touches one
//! file.

use serde::de::DeserializeOwned;

pub use serde_saphyr::Spanned;

/// A YAML problem, located in the YAML text that was parsed (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses `text` into `T`, or says where and why it is not valid.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str(text).map_err(|err| {
        let (line, column) = err
            .location()
            .map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
        let options = serde_saphyr::render_options! { snippets: serde_saphyr::SnippetMode::Off };
        YamlError {
            line: line.max(1),
            column: column.max(1),
            message: strip_location(&err.render_with_options(options)),
        }
    })
}

/// Writes `value` as YAML (the editors' interface configuration).
pub fn to_string<T: serde::Serialize>(value: &T) -> Result<String, YamlError> {
    serde_saphyr::to_string(value).map_err(|err| YamlError {
        line: 1,
        column: 1,
        message: err.to_string(),
    })
}

/// Line and column (1-based) where a spanned value was written.
pub fn position<T>(s: &Spanned<T>) -> (usize, usize) {
    let l = s.referenced;
    ((l.line() as usize).max(1), (l.column() as usize).max(1))
}

/// The renderer appends "at line N, column M"; we print positions ourselves.
fn strip_location(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message).trim();
    match first.rfind(" at line ") {
        Some(i) => first[..i].trim_end_matches(',').to_string(),
        None => first.to_string(),
    }
}

/// The line (1-based) where the key at `path` (`form.status.x` split on
/// dots) is written in a YAML mapping written in block style, found by
/// indentation: each part is a direct child of the line before it (the same
/// name elsewhere, `contact_block.form`, is not `form`).
pub fn key_line(text: &str, path: &[&str]) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0;
    let mut parent: Option<usize> = None;
    for part in path {
        let quoted = format!("\"{part}\"");
        let mut level = None;
        let mut found = None;
        for (i, line) in lines.iter().enumerate().skip(from) {
            let body = line.trim_start();
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            let indent = line.len() - body.len();
            if parent.is_some_and(|p| indent <= p) {
                break;
            }
            let level = *level.get_or_insert(indent);
            if indent != level {
                continue;
            }
            let rest = body
                .strip_prefix(part)
                .or_else(|| body.strip_prefix(quoted.as_str()));
            if rest.is_some_and(|r| r.trim_start().starts_with(':')) {
                found = Some((i, indent));
                break;
            }
        }
        let (i, indent) = found?;
        from = i + 1;
        parent = Some(indent);
    }
    Some(from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn key_line_finds_nested_keys_by_indentation() {
        let text = "other: x\nblock:\n  form: F\n  status: S\nform:\n  title: T\n\n  # why\n  status:\n    wait:\n      one: a\n      other: b\n";
        assert_eq!(key_line(text, &["form", "status", "wait"]), Some(10));
        assert_eq!(
            key_line(text, &["form", "status", "wait", "other"]),
            Some(12)
        );
        assert_eq!(key_line(text, &["block", "wait"]), None);
        assert_eq!(key_line(text, &["other"]), Some(1));
        assert_eq!(key_line(text, &["nope"]), None);
    }

    #[test]
    fn syntax_error_has_position_and_plain_message() {
        let err = from_str::<BTreeMap<String, String>>("a: 1\nb: [unclosed\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
        assert!(!err.message.contains("at line"), "{err:?}");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn spanned_values_know_their_line() {
        let m: BTreeMap<String, Spanned<String>> = from_str("a: x\nb: y\n").unwrap();
        assert_eq!(position(&m["b"]), (2, 4));
    }
}
