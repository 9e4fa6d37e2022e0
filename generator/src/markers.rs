//! Values only the desk can supply (a controller's contact, a retention
//! period…) are written in the content as a marker, `[da confermare]` by
//! default (`confirm_marker:` in `site.yaml`). Editors must see what is left
//! before publishing: `check` lists every marker with its file and line, and
//! `build --strict` refuses to build while one remains.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::url_path::is_bidi_control;

/// Files an editor writes text in; anything else (PDFs, images) is published as is.
const TEXT_EXTENSIONS: [&str; 3] = ["md", "yaml", "yml"];

/// Longest excerpt of the marked line shown in the list.
const EXCERPT_CHARS: usize = 72;

/// Characters kept before the marker when the line is cut, so the list
/// shows what the marker stands for rather than the start of a long line.
const EXCERPT_LEAD: usize = 32;

/// One marker left in the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// The file, as the content folder was given plus the file's path in it.
    pub path: PathBuf,
    /// 1-based line and column (in characters).
    pub line: usize,
    pub column: usize,
    /// The marked line, trimmed, shortened and without control characters.
    pub excerpt: String,
}

/// Every marker left in a content folder.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    pub marker: String,
    pub found: Vec<Marker>,
}

/// Finds `marker` in every text file under `content`, in path order.
/// Unreadable or non-UTF-8 files are skipped: loading reports them.
pub fn find(content: &Path, marker: &str) -> Pending {
    let mut found = Vec::new();
    if marker.is_empty() {
        return Pending::default();
    }
    let walker = WalkDir::new(content)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            e.path()
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| TEXT_EXTENSIONS.contains(&x))
        });
    let settings = content.join("site.yaml");
    for entry in walker {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let is_yaml = entry.path().extension().is_some_and(|x| x != "md");
        let is_settings = entry.path() == settings;
        for (i, line) in text.lines().enumerate() {
            let start = line.trim_start();
            // A YAML comment is never published, and the setting that names
            // the marker is not a value left to confirm.
            if (is_yaml && start.starts_with('#'))
                || (is_settings && start.starts_with("confirm_marker:"))
            {
                continue;
            }
            for (byte, _) in line.match_indices(marker) {
                let column = line[..byte].chars().count() + 1;
                found.push(Marker {
                    path: entry.path().to_path_buf(),
                    line: i + 1,
                    column,
                    excerpt: excerpt(line, column),
                });
            }
        }
    }
    Pending {
        marker: marker.to_string(),
        found,
    }
}

/// The line around the marker at `column`, as it can be printed safely on a
/// terminal: no control or bidi override characters, at most
/// [`EXCERPT_CHARS`] characters, `…` where it was cut.
fn excerpt(line: &str, column: usize) -> String {
    let chars: Vec<char> = line
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect();
    if chars.len() <= EXCERPT_CHARS {
        return chars.iter().collect::<String>().trim().to_string();
    }
    let start = column
        .saturating_sub(1 + EXCERPT_LEAD)
        .min(chars.len() - EXCERPT_CHARS);
    let end = start + EXCERPT_CHARS;
    let mut s: String = chars[start..end].iter().collect();
    if start > 0 {
        s.insert(0, '…');
    }
    if end < chars.len() {
        s.push('…');
    }
    s.trim().to_string()
}

impl Pending {
    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// The list `check` prints: a count, then one marker a line.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "to confirm (`{}`): {} left",
            self.marker,
            self.found.len()
        );
        for m in &self.found {
            let _ = writeln!(
                s,
                "  {}:{}:{}  {}",
                m.path.display(),
                m.line,
                m.column,
                m.excerpt
            );
        }
        s
    }

    /// One error a marker, for `build --strict`.
    pub fn errors(&self) -> Diagnostics {
        let mut diags = Diagnostics::default();
        for m in &self.found {
            let text = std::fs::read_to_string(&m.path).unwrap_or_default();
            diags.push(
                Diagnostic::error(
                    &m.path,
                    format!(
                        "`{}` is still here: a value the desk must confirm",
                        self.marker
                    ),
                )
                .at_line_col(&text, m.line, m.column, self.marker.chars().count())
                .hint("replace it with the confirmed value, or build without --strict to preview"),
            );
        }
        diags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_marker_with_line_and_character_column() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("p.ar.md"),
            "---\ntitle: x\n---\nالمسؤول: [da confermare] و [da confermare]\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("a.pdf"), "[da confermare]").unwrap();
        std::fs::write(
            dir.path().join("site.yaml"),
            "# write [da confermare] where the desk must answer\nconfirm_marker: \"[da confermare]\"\n",
        )
        .unwrap();
        let p = find(dir.path(), "[da confermare]");
        let at: Vec<_> = p.found.iter().map(|m| (m.line, m.column)).collect();
        assert_eq!(at, vec![(4, 10), (4, 28)]);
    }

    #[test]
    fn excerpt_drops_bidi_overrides_and_control_characters() {
        assert_eq!(excerpt("  a\u{202e}b\u{7}c  ", 3), "abc");
        // The Arabic letter mark (U+061C), which Arabic editors can type,
        // was missed by this module's own list before it used the shared one.
        assert_eq!(
            excerpt("ا\u{061c}ب [da confermare]", 4),
            "اب [da confermare]"
        );
        let long = format!("{}[da confermare]{}", "x".repeat(100), "y".repeat(100));
        let cut = excerpt(&long, 101);
        assert!(cut.contains("[da confermare]"), "{cut}");
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 2);
    }
}
