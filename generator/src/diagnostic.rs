//! Editor-facing diagnostics: every problem found in a run, each pointing at a
//! file, a line and a column, with a hint, printed the way rustc prints.
//!
//! Loading and rendering never stop at the first mistake: they push a
//! [`Diagnostic`] into a [`Diagnostics`] and carry on, so an editor sees every
//! mistake of a tree in one run.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};

/// How bad a problem is: errors fail the build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem, located in a file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Path as the editor knows it (relative to the working directory).
    pub path: String,
    /// The file's text, so the report can quote the offending line.
    pub source: Option<Arc<str>>,
    /// Byte range in `source` that the problem is about.
    pub span: Option<Range<usize>>,
    /// Short text under the quoted line.
    pub label: String,
    /// "help: …" lines.
    pub hints: Vec<String>,
    /// What was being done when the problem showed, e.g. "rendering
    /// content/a.md in `en`": one per occurrence once repeats are merged.
    pub contexts: Vec<String>,
}

impl Diagnostic {
    pub fn error(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            message: message.into(),
            path: path.as_ref().display().to_string(),
            source: None,
            span: None,
            label: String::new(),
            hints: Vec::new(),
            contexts: Vec::new(),
        }
    }

    pub fn warning(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(path, message)
        }
    }

    /// Points the diagnostic at `span` of `source` (copied: diagnostics are
    /// rare, and pages need not keep their text shareable for them).
    pub fn at(mut self, source: &str, span: Range<usize>) -> Self {
        let end = span.end.min(source.len());
        let start = span.start.min(end);
        self.source = Some(Arc::from(source));
        self.span = Some(start..end);
        self
    }

    /// Points the diagnostic at a 1-based line and column of `source`.
    pub fn at_line_col(self, source: &str, line: usize, col: usize, len: usize) -> Self {
        let start = offset_of(source, line, col);
        let end = (start + len.max(1)).min(line_end(source, start));
        self.at(source, start..end.max(start))
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// What was being done when the problem showed (see [`Diagnostic::contexts`]).
    pub fn context(mut self, context: impl Into<String>) -> Self {
        self.contexts.push(context.into());
        self
    }

    /// The message with where it showed: one place, or the first and a count.
    fn full_message(&self) -> String {
        match self.contexts.as_slice() {
            [] => self.message.clone(),
            [one] => format!("{} ({one})", self.message),
            [first, rest @ ..] => format!(
                "{} ({first}, and {} more page{})",
                self.message,
                rest.len(),
                if rest.len() == 1 { "" } else { "s" }
            ),
        }
    }

    /// Everything but the context: diagnostics equal in this are one problem.
    fn cause(&self) -> impl Ord + '_ {
        (
            &self.path,
            self.span.as_ref().map(|s| (s.start, s.end)),
            &self.message,
            self.severity,
            &self.label,
            &self.hints,
        )
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// 1-based line and column of the start of the span, if located.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let (source, span) = (self.source.as_ref()?, self.span.as_ref()?);
        Some(line_col(source, span.start))
    }

    /// The text of the line the problem starts on (for the preview's overlay).
    pub fn source_line(&self) -> Option<&str> {
        let (source, span) = (self.source.as_ref()?, self.span.as_ref()?);
        let start = source[..span.start].rfind('\n').map_or(0, |i| i + 1);
        Some(source[start..line_end(source, start)].trim_end_matches('\r'))
    }

    /// The rustc-style text of this diagnostic.
    pub fn render(&self) -> String {
        let mut cs = match self.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_message(self.full_message())
        .with_notes(self.hints.iter().map(|h| format!("help: {h}")).collect());
        match (&self.source, &self.span) {
            (Some(source), Some(span)) => {
                cs = cs.with_labels(vec![
                    Label::primary((), span.clone()).with_message(&self.label),
                ]);
                let file = SimpleFile::new(self.path.as_str(), source.as_ref());
                term::emit_into_string(&Config::default(), &file, &cs).unwrap_or_else(|_| {
                    // A span past the file's end cannot be quoted; say where anyway.
                    self.render_unlocated()
                })
            }
            _ => self.render_unlocated(),
        }
    }

    fn render_unlocated(&self) -> String {
        let word = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!("{word}: {}\n  ┌─ {}\n", self.full_message(), self.path);
        if !self.label.is_empty() {
            let _ = writeln!(out, "  │ {}", self.label);
        }
        for h in &self.hints {
            let _ = writeln!(out, "  = help: {h}");
        }
        out
    }
}

/// Every problem of a run, in a stable order.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn errors(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.items.len() - self.errors()
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorts by file, then position, so parallel loading prints
    /// deterministically; and merges problems with one cause (a template
    /// mistake that every page hits, a page's mistake met in every
    /// language) into one diagnostic that counts the places it showed.
    pub fn sort(&mut self) {
        for d in &mut self.items {
            d.contexts.sort();
        }
        self.items
            .sort_by(|a, b| a.cause().cmp(&b.cause()).then(a.contexts.cmp(&b.contexts)));
        let mut merged: Vec<Diagnostic> = Vec::with_capacity(self.items.len());
        for d in self.items.drain(..) {
            match merged.last_mut() {
                Some(last) if last.cause() == d.cause() => last.contexts.extend(d.contexts),
                _ => merged.push(d),
            }
        }
        for d in &mut merged {
            d.contexts.sort();
            d.contexts.dedup();
        }
        self.items = merged;
    }

    /// All diagnostics, then a one-line tally, as printed to the editor.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in &self.items {
            out.push_str(&d.render());
            out.push('\n');
        }
        out
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// The known word closest to a misspelt one, if it is close enough to be a typo.
pub fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(word, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// 1-based (line, column in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

/// Byte offset of a 1-based line and character column (clamped to the text).
pub fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let end = line_end(text, start);
    text[start..end]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(end, |(i, _)| start + i)
}

fn line_end(text: &str, from: usize) -> usize {
    text[from..].find('\n').map_or(text.len(), |i| from + i)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A value as it may appear in a message: one line, not endless, with
/// invisible characters shown as their code.
pub fn shown(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(60)
        .map(|c| {
            if c.is_control() || crate::load::url_path::is_bidi_control(c) {
                format!("U+{:04X}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "a\nمرحبا x\n";
        let off = text.find('x').unwrap();
        assert_eq!(line_col(text, off), (2, 7));
        assert_eq!(offset_of(text, 2, 7), off);
    }

    #[test]
    fn rendered_error_names_file_line_and_hint() {
        let src: Arc<str> = Arc::from("---\ntitel: Ciao\n---\n");
        let d = Diagnostic::error("content/a.it.md", "unknown front-matter key `titel`")
            .at_line_col(&src, 2, 1, 5)
            .label("not a front-matter key")
            .hint("did you mean `title`?");
        let text = d.render();
        assert!(
            text.contains("error: unknown front-matter key `titel`"),
            "{text}"
        );
        assert!(text.contains("content/a.it.md:2:1"), "{text}");
        assert!(text.contains("help: did you mean `title`?"), "{text}");
        assert!(text.contains("titel: Ciao"), "{text}");
    }

    #[test]
    fn one_cause_met_on_many_pages_is_one_diagnostic_with_a_count() {
        let src = "{{ url_for(path='/privacy.md') }}";
        let mut diags = Diagnostics::default();
        for page in ["b.md", "a.md", "c.md"] {
            for lang in ["it", "en"] {
                diags.push(
                    Diagnostic::error("base.html", "no page")
                        .at(src, 3..30)
                        .context(format!("rendering {page} in `{lang}`")),
                );
            }
        }
        diags.push(Diagnostic::error("base.html", "another").at(src, 3..30));
        diags.sort();
        assert_eq!(diags.errors(), 2);
        let text = diags.render();
        assert!(
            text.contains("error: no page (rendering a.md in `en`, and 5 more pages)"),
            "{text}"
        );
    }
}
