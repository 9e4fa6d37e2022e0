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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

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
