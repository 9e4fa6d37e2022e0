//! The needs report (`sportello-forms report`, `/desk/report`) against
//! `stats` on a generated queue of 10,000 requests: the same numbers in
//! every data table, and the waiting times' median and 90th percentile.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use sportello_forms::Submission;
use sportello_forms::ops::state::{self, Event, EventKind};
use sportello_forms::queue::record::{Record, encode_line};

const N: usize = 10_000;
const TOPICS: [&str; 4] = ["founding", "running", "networks", "other"];
const LANGS: [&str; 7] = ["it", "en", "fr", "ar", "ro", "sq", "uk"];

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sportello-forms"))
}

/// 10,000 requests over 2025; every other one taken in charge after 1–10
/// hours, every fourth also handled after 24–240 hours.
fn generate(queue: &Path) {
    let start: jiff::Timestamp = "2025-01-01T08:00:00Z".parse().expect("time");
    let mut bytes = Vec::new();
    let mut events = Vec::new();
    for i in 0..N {
        let received = start + jiff::SignedDuration::from_mins(i as i64 * 52);
        let id = ulid::Ulid::from_parts(received.as_millisecond() as u64, i as u128);
        let record = Record::new(
            id,
            received.to_string(),
            Submission {
                lang: LANGS[i % 7].into(),
                name: format!("Persona {i}"),
                email: Some(format!("p{i}@example.org")),
                phone: None,
                desk: if i % 3 == 0 { "perugia" } else { "terni" }.into(),
                topic: TOPICS[i % 4].into(),
                message: "una richiesta".into(),
                ..Submission::default()
            },
        );
        encode_line(&record, &mut bytes).expect("encodes");
        if i % 2 == 0 {
            let mut e = Event::new(id, EventKind::Taken);
            let hours = (i / 2 % 10 + 1) as i64;
            e.at = (received + jiff::SignedDuration::from_hours(hours)).to_string();
            events.push(e);
        }
        if i % 4 == 0 {
            let mut e = Event::new(id, EventKind::Done);
            let hours = ((i / 4 % 10 + 1) * 24) as i64;
            e.at = (received + jiff::SignedDuration::from_hours(hours)).to_string();
            events.push(e);
        }
    }
    fs::write(queue, &bytes).expect("write queue");
    state::append(queue, &events).expect("state log");
}

/// `label → count` of the report's data table for `chart`.
fn table(html: &str, chart: &str) -> BTreeMap<String, u64> {
    let start = html
        .find(&format!("<table data-chart=\"{chart}\">"))
        .unwrap_or_else(|| panic!("a table for {chart}"));
    let end = start + html[start..].find("</table>").expect("end of table");
    html[start..end]
        .split("<th scope=\"row\">")
        .skip(1)
        .map(|row| {
            let (label, rest) = row.split_once("</th><td class=\"n\">").expect("row");
            let n = rest
                .split('<')
                .next()
                .expect("count")
                .parse()
                .expect("number");
            (label.to_owned(), n)
        })
        .collect()
}

fn counts(v: &serde_json::Value) -> BTreeMap<String, u64> {
    v.as_object()
        .expect("object")
        .iter()
        .map(|(k, n)| (k.clone(), n.as_u64().expect("count")))
        .collect()
}

#[test]
fn the_report_has_the_numbers_of_stats_on_10000_requests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let queue = dir.path().join("q.jsonl");
    generate(&queue);
    let out = bin()
        .args(["stats", "--json", "--queue"])
        .arg(&queue)
        .output()
        .expect("stats runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(stats["total"], N);

    let file = dir.path().join("report.html");
    let out = bin()
        .args(["report", "--lang", "en", "--queue"])
        .arg(&queue)
        .arg("--output")
        .arg(&file)
        .output()
        .expect("report runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = fs::read_to_string(&file).expect("report");
    for (chart, key) in [
        ("topic", "by_topic"),
        ("desk", "by_desk"),
        ("month", "by_month"),
    ] {
        assert_eq!(table(&html, chart), counts(&stats[key]), "{chart}");
    }
    // A funder reads names, not codes: "uk" is Ukrainian, "done" is handled.
    let named = |key: &str, names: &[(&str, &str)]| -> BTreeMap<String, u64> {
        counts(&stats[key])
            .into_iter()
            .map(|(code, n)| {
                let name = names.iter().find(|(c, _)| *c == code).expect("named").1;
                (name.to_owned(), n)
            })
            .collect()
    };
    let languages = [
        ("it", "Italian"),
        ("en", "English"),
        ("fr", "French"),
        ("ar", "Arabic"),
        ("ro", "Romanian"),
        ("sq", "Albanian"),
        ("uk", "Ukrainian"),
    ];
    let statuses = [
        ("new", "New"),
        ("taken", "Taken in charge"),
        ("done", "Handled"),
    ];
    assert_eq!(table(&html, "lang"), named("by_lang", &languages));
    assert_eq!(table(&html, "status"), named("by_status", &statuses));
    assert!(html.contains(&format!("<strong>{N}</strong>")), "the total");
    // No period asked: the months the requests cover, not "… – …".
    assert!(
        html.contains("<span dir=\"ltr\">2025-01 – 2025-12</span>"),
        "the period covered"
    );
    // Taken after 1..10 hours, equally often: median 5, p90 9 (nearest rank);
    // handled after 1..10 days.
    assert!(
        html.contains("<td class=\"n\">5000</td><td class=\"n\">5.0</td><td class=\"n\">9.0</td>"),
        "waits until taken in charge"
    );
    assert!(
        html.contains(
            "<td class=\"n\">2500</td><td class=\"n\">120.0</td><td class=\"n\">216.0</td>"
        ),
        "waits until handled"
    );
    // Self-contained: styles inside, nothing fetched, no personal data.
    assert!(html.contains("<style>") && !html.contains("<link"));
    assert!(!html.contains("src=") && !html.contains("<script"));
    assert!(!html.contains("Persona") && !html.contains("example.org"));
    assert!(
        html.matches("<svg role=\"img\"").count() == 5,
        "a chart per table"
    );

    // A period: only its months, the same as filtering by month.
    let file = dir.path().join("march.html");
    let out = bin()
        .args(["report", "--from", "2025-03", "--to", "2025-03", "--queue"])
        .arg(&queue)
        .arg("--output")
        .arg(&file)
        .output()
        .expect("report runs");
    assert!(out.status.success());
    let html = fs::read_to_string(&file).expect("report");
    let months = table(&html, "month");
    assert_eq!(months.keys().collect::<Vec<_>>(), ["2025-03"]);
    assert_eq!(months["2025-03"], counts(&stats["by_month"])["2025-03"]);
    assert!(html.contains("lang=\"it\""), "Italian by default");

    let out = bin()
        .args(["report", "--from", "March", "--queue"])
        .arg(&queue)
        .arg("--output")
        .arg(dir.path().join("x.html"))
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a month"));
}

/// `report --output FILE.html` is read from a file or an e-mail, away from
/// the server: nothing in it may point at the server (`href="/desk/…"`, a
/// stylesheet at `/desk/desk.css`, a form posting to `/desk/report`), its
/// styles are inside it, and with the site given it names topics and desks
/// as the inbox does instead of showing their ids.
#[test]
fn report_file_has_no_link_to_the_server_and_names_topics_and_desks_with_the_site() {
    let dir = tempfile::tempdir().expect("tempdir");
    let queue = dir.path().join("q.jsonl");
    generate(&queue);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let file = dir.path().join("report.html");
    let out = bin()
        .args(["report", "--lang", "en", "--queue"])
        .arg(&queue)
        .arg("--output")
        .arg(&file)
        .arg("--content")
        .arg(root.join("content"))
        .arg("--themes")
        .arg(root.join("themes"))
        .output()
        .expect("report runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = fs::read_to_string(&file).expect("report");
    for server_only in [
        "href=\"/",
        "action=\"/",
        "src=\"/",
        "url(",
        "<link",
        "<form",
    ] {
        assert!(
            !html.contains(server_only),
            "`{server_only}` only works on the server"
        );
    }
    let css = sportello_forms::desk::render::CSS;
    assert!(
        html.contains(&format!("<style>{css}</style>")),
        "the inbox's styles, inside the file"
    );
    let topics = table(&html, "topic");
    assert_eq!(
        topics.get("Starting an association"),
        Some(&2500),
        "topics by their English names: {topics:?}"
    );
    assert!(!topics.contains_key("founding"), "not by their ids");
    let desks = table(&html, "desk");
    assert_eq!(desks.values().sum::<u64>(), N as u64);
    assert!(
        !desks.contains_key("terni") && !desks.contains_key("perugia"),
        "desks by their names: {desks:?}"
    );
}
