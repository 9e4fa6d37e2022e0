//! What `list` and `show` print: an aligned table on a terminal, plain
//! tab-separated lines when piped, and `show`'s page.
//!
//! Right-to-left text (Arabic names and messages) is kept in its logical
//! order — never reversed or reshaped here; the terminal's bidi algorithm
//! shows it. In a table each cell is wrapped in Unicode isolates (FSI … PDI)
//! so a right-to-left name cannot pull the next columns into its direction,
//! and widths are measured in terminal columns (`unicode-width`), not bytes.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use super::view::{Item, short_id, unique_prefix_len};

/// FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE.
const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';

/// Control characters (terminal escapes) and stray directional overrides
/// never reach the terminal as such: a damaged or hand-edited file must
/// not be able to repaint the operator's screen.
pub fn printable(s: &str, keep_newlines: bool) -> String {
    s.chars()
        .map(|c| match c {
            '\n' if keep_newlines => '\n',
            '\t' => ' ',
            c if c.is_control() => '\u{FFFD}',
            // Embeddings/overrides/isolates from the data: replaced, so the
            // ones this module adds are the only ones.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// `2026-01-12T09:30:12.345Z` → `2026-01-12 09:30`.
pub fn short_time(received: &str) -> String {
    match received.get(..16) {
        Some(s) => s.replacen('T', " ", 1),
        None => received.to_owned(),
    }
}

/// Truncates to `max` terminal columns, with `…`.
fn fit(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

pub const HEADER: [&str; 8] = [
    "id", "received", "desk", "lang", "topic", "name", "status", "notified",
];

fn cells(item: &Item, id_len: usize) -> [String; 8] {
    let r = &item.record;
    let status = match &item.by {
        Some(by) => format!("{} ({})", item.status.as_str(), printable(by, false)),
        None => item.status.as_str().to_owned(),
    };
    [
        short_id(r.id, id_len),
        short_time(&r.received),
        printable(&r.desk, false),
        printable(&r.lang, false),
        printable(&r.topic, false),
        printable(&r.name, false),
        status,
        if item.notified { "yes" } else { "NO" }.to_owned(),
    ]
}

/// Tab-separated: a header line, then one line per item, full ids. Tabs
/// and newlines inside values are turned into spaces.
pub fn tsv(items: &[Item]) -> String {
    let mut out = HEADER.join("\t");
    out.push('\n');
    for item in items {
        let row = cells(item, 26);
        out.push_str(&row.join("\t"));
        out.push('\n');
    }
    out
}

/// An aligned table for a terminal, ids shortened to what tells them
/// apart (at least 12 characters; `show` takes any unique prefix).
pub fn table(items: &[Item]) -> String {
    let ids: Vec<ulid::Ulid> = items.iter().map(|i| i.record.id).collect();
    let id_len = unique_prefix_len(&ids, super::view::SHORT_ID);
    let rows: Vec<[String; 8]> = items
        .iter()
        .map(|i| {
            let mut c = cells(i, id_len);
            c[5] = fit(&c[5], 28);
            c[6] = fit(&c[6], 24);
            c
        })
        .collect();
    let mut widths = HEADER.map(UnicodeWidthStr::width);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, row: &[String]| {
        for (n, (cell, w)) in row.iter().zip(widths).enumerate() {
            if n > 0 {
                out.push_str("  ");
            }
            out.push(FSI);
            out.push_str(cell);
            out.push(PDI);
            if n + 1 < row.len() {
                out.push_str(&" ".repeat(w.saturating_sub(cell.width())));
            }
        }
        out.push('\n');
    };
    line(&mut out, &HEADER.map(str::to_uppercase));
    for row in &rows {
        line(&mut out, row);
    }
    let _ = write!(
        out,
        "{} request{}",
        items.len(),
        if items.len() == 1 { "" } else { "s" }
    );
    let unnotified = items.iter().filter(|i| !i.notified).count();
    if unnotified > 0 {
        let _ = write!(out, "; the desk was not notified of {unnotified}");
    }
    out.push('\n');
    out
}

/// `show`'s page: every field, the message wrapped to `width` columns, the
/// history.
pub fn page(item: &Item, width: usize) -> String {
    let r = &item.record;
    let mut out = String::new();
    let width = width.clamp(30, 100);
    let field = |out: &mut String, label: &str, value: &str| {
        let _ = writeln!(out, "{label:<10} {FSI}{}{PDI}", printable(value, false));
    };
    field(&mut out, "id", &r.id.to_string());
    field(
        &mut out,
        "received",
        &format!("{} UTC", short_time(&r.received)),
    );
    field(&mut out, "status", item.status.as_str());
    if let Some(by) = &item.by {
        field(&mut out, "by", by);
    }
    field(
        &mut out,
        "notified",
        if item.notified { "yes" } else { "no" },
    );
    field(&mut out, "language", &r.lang);
    field(&mut out, "desk", &r.desk);
    field(&mut out, "topic", &r.topic);
    field(&mut out, "name", &r.name);
    field(&mut out, "email", r.email.as_deref().unwrap_or("—"));
    field(&mut out, "phone", r.phone.as_deref().unwrap_or("—"));
    field(&mut out, "consent", if r.consent { "yes" } else { "no" });
    out.push_str("\nmessage:\n");
    out.push_str(&wrap(&r.message, width, "  "));
    if item.history.is_empty() {
        out.push_str("\nhistory: nothing yet (not taken in charge)\n");
    } else {
        out.push_str("\nhistory:\n");
        for e in &item.history {
            let _ = write!(out, "  {} UTC  {}", short_time(&e.at), e.event.as_str());
            if let Some(by) = &e.by {
                let _ = write!(out, " by {FSI}{}{PDI}", printable(by, false));
            }
            out.push('\n');
            if let Some(note) = &e.note {
                out.push_str(&wrap(note, width, "      "));
            }
        }
    }
    out
}

/// Wraps each paragraph of `text` in logical order, never inside a word
/// (so no right-to-left word or combining sequence is split), each line
/// one isolated run so the terminal lays out its direction by itself.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let text = printable(text, true);
    let options =
        textwrap::Options::new(width.saturating_sub(indent.width()).max(10)).break_words(false);
    let mut out = String::new();
    for paragraph in text.split('\n') {
        if paragraph.trim().is_empty() {
            out.push('\n');
            continue;
        }
        for line in textwrap::wrap(paragraph, &options) {
            let _ = writeln!(out, "{indent}{FSI}{line}{PDI}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_right_to_left_words_whole_and_in_order() {
        let arabic = "أريد تأسيس جمعية للمهاجرين في تيرني ونحتاج إلى مساعدة في كتابة النظام الأساسي";
        let out = wrap(arabic, 30, "");
        let rejoined: Vec<String> = out
            .lines()
            .map(|l| l.trim_matches([FSI, PDI]).to_owned())
            .collect();
        assert!(rejoined.len() > 1, "wrapped: {out}");
        assert_eq!(
            rejoined.join(" "),
            arabic,
            "logical order kept, no word split"
        );
        for l in &rejoined {
            assert!(l.width() <= 30);
        }
    }

    #[test]
    fn escapes_and_overrides_never_reach_the_terminal() {
        let s = printable("a\u{1b}[2Jb\u{202e}c\rd", false);
        assert_eq!(s, "a\u{FFFD}[2Jb\u{FFFD}c\u{FFFD}d");
    }
}
