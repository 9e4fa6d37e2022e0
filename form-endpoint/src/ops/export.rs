//! `export`: CSV (RFC 4180, UTF-8, optional BOM for spreadsheet programs)
//! and JSON.
//!
//! Formula injection: a spreadsheet program runs a cell that begins with
//! `=`, `+`, `-` or `@` as a formula (and tab or carriage return can smuggle
//! one past a trim), so any such cell is prefixed with `'`, which the
//! program shows as text. A phone number `+39 …` therefore exports as
//! `'+39 …`. Control characters (terminal escapes: ESC, OSC, C1) and stray
//! bidi overrides are replaced as `show` replaces them: a CSV printed to a
//! terminal cannot repaint it, and spreadsheets need none of them. JSON is
//! exported as stored (its encoding escapes control characters).

use std::io::Write;

use serde::Serialize;

use super::table::printable;
use super::view::Item;
use crate::Error;

/// The CSV columns, in order.
pub const COLUMNS: [&str; 15] = [
    "id",
    "received",
    "status",
    "by",
    "notified",
    "lang",
    "desk",
    "topic",
    "name",
    "email",
    "phone",
    "message",
    "consent",
    "history",
    "last_change",
];

/// Makes a cell safe to open in a spreadsheet program.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

fn history(item: &Item) -> String {
    item.history
        .iter()
        .map(|e| {
            let mut s = format!("{} {}", e.at, e.event.as_str());
            if let Some(by) = &e.by {
                s.push_str(" by ");
                s.push_str(by);
            }
            if let Some(note) = &e.note {
                s.push_str(": ");
                s.push_str(note);
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn row(item: &Item) -> [String; 15] {
    let r = &item.record;
    [
        r.id.to_string(),
        r.received.clone(),
        item.status.as_str().to_owned(),
        item.by.clone().unwrap_or_default(),
        if item.notified { "yes" } else { "no" }.to_owned(),
        r.lang.clone(),
        r.desk.clone(),
        r.topic.clone(),
        r.name.clone(),
        r.email.clone().unwrap_or_default(),
        r.phone.clone().unwrap_or_default(),
        r.message.clone(),
        if r.consent { "yes" } else { "no" }.to_owned(),
        history(item),
        item.history
            .last()
            .map(|e| e.at.clone())
            .unwrap_or_default(),
    ]
}

/// Writes `items` as CSV: header, one row each, CRLF line ends (RFC 4180),
/// every cell neutralised.
pub fn csv<W: Write>(items: &[Item], bom: bool, mut out: W) -> Result<(), Error> {
    if bom {
        out.write_all("\u{FEFF}".as_bytes()).map_err(write_error)?;
    }
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary)
        .from_writer(out);
    let fail = |e: ::csv::Error| {
        if e.is_io_error()
            && let ::csv::ErrorKind::Io(io) = e.into_kind()
        {
            return write_error(io);
        }
        Error::Config("cannot write the export".to_owned())
    };
    w.write_record(COLUMNS).map_err(fail)?;
    for item in items {
        let cells = row(item);
        w.write_record(
            cells
                .iter()
                .map(|c| neutralise(&printable(c, true)).into_owned()),
        )
        .map_err(fail)?;
    }
    w.flush().map_err(write_error)
}

/// A failed write, its cause kept (a closed pipe is a normal end for the
/// command, a full disk is not).
fn write_error(source: std::io::Error) -> Error {
    Error::Write {
        what: "the export",
        source,
    }
}

#[derive(Serialize)]
struct JsonExport<'a> {
    exported: String,
    count: usize,
    requests: &'a [Item],
}

/// Writes `items` as one JSON document: `{"exported", "count", "requests":
/// [record fields + status, by, notified, history]}`.
pub fn json<W: Write>(items: &[Item], mut out: W) -> Result<(), Error> {
    let doc = JsonExport {
        exported: crate::queue::time::now(),
        count: items.len(),
        requests: items,
    };
    serde_json::to_writer_pretty(&mut out, &doc).map_err(|e| {
        if e.io_error_kind().is_some() {
            write_error(e.into())
        } else {
            Error::Encode(e)
        }
    })?;
    out.write_all(b"\n").map_err(write_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        let table: &[(&str, &str)] = &[
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+39 0744 812786", "'+39 0744 812786"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("plain", "plain"),
            ("a=b", "a=b"),
            (" =1", " =1"),
            ("", ""),
            ("أمينة", "أمينة"),
            ("'already", "'already"),
        ];
        for (input, want) in table {
            assert_eq!(neutralise(input), *want, "input {input:?}");
        }
    }
}
