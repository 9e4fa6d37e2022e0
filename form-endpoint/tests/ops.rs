//! The operators' commands, run as the real binary on fixture queues.

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sportello_forms::queue::record::{Record, encode_line};
use sportello_forms::{Queue, Submission};

const ARABIC_MESSAGE: &str = "أريد تأسيس جمعية للمهاجرين في تيرني ونحتاج إلى مساعدة في كتابة النظام الأساسي للجمعية وفتح حساب مصرفي";

fn sub(lang: &str, name: &str, desk: &str, topic: &str, message: &str) -> Submission {
    Submission {
        lang: lang.into(),
        name: name.into(),
        email: Some(format!("{}@example.org", lang)),
        phone: Some("+39 0744 000000".into()),
        desk: desk.into(),
        topic: topic.into(),
        message: message.into(),
        ..Submission::default()
    }
}

fn ulid(s: &str) -> ulid::Ulid {
    s.parse().expect("a ULID")
}

/// Old records, written with the library's encoder (dates in the past), in
/// id order like the writer's.
fn old_records() -> Vec<Record> {
    vec![
        Record::new(
            ulid("01H0000000000000000000000A"),
            "2023-03-05T10:00:00.000Z".into(),
            sub(
                "it",
                "Mario Rossi",
                "terni",
                "founding",
                "Vorrei fondare un'associazione.",
            ),
        ),
        Record::new(
            ulid("01H0000000000000000000000B"),
            "2023-04-10T11:30:00.000Z".into(),
            sub("ar", "أمينة", "perugia", "running", ARABIC_MESSAGE),
        ),
        Record::new(
            ulid("01H1000000000000000000000C"),
            "2024-01-20T09:15:00.000Z".into(),
            sub(
                "fr",
                "=HYPERLINK(\"http://evil\")",
                "terni",
                "networks",
                "-2+3 @SUM(A1)\nligne deux",
            ),
        ),
    ]
}

struct Fixture {
    _dir: tempfile::TempDir,
    queue: PathBuf,
    /// Ids in file order.
    ids: Vec<String>,
}

/// A queue with three old records and two written by the real writer now.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let queue = dir.path().join("submissions.jsonl");
    let mut bytes = Vec::new();
    let mut ids = Vec::new();
    for r in old_records() {
        encode_line(&r, &mut bytes).expect("encodes");
        ids.push(r.id.to_string());
    }
    fs::write(&queue, &bytes).expect("writes");
    fs::set_permissions(&queue, fs::Permissions::from_mode(0o600)).expect("chmod");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let q = Queue::open(&queue).expect("opens");
        for s in [
            sub("uk", "Олена", "terni", "other", "Добрий день"),
            sub("it", "Giulia Bianchi", "any", "founding", "Buongiorno"),
        ] {
            ids.push(q.handle().submit(s).await.expect("stored").id.to_string());
        }
        q.close().await;
    });
    Fixture {
        _dir: dir,
        queue,
        ids,
    }
}

fn run(queue: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sportello-forms"))
        .args(args)
        .env("SPORTELLO_QUEUE", queue)
        .env_remove("SPORTELLO_OPERATOR")
        .output()
        .expect("runs")
}

fn ok(queue: &Path, args: &[&str]) -> String {
    let out = run(queue, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn fails(queue: &Path, args: &[&str]) -> String {
    let out = run(queue, args);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8(out.stderr).expect("utf-8")
}

/// The ids column of `list`'s tab-separated output.
fn listed(queue: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["list"];
    all.extend_from_slice(args);
    let out = ok(queue, &all);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("id\treceived\tdesk\tlang\ttopic\tname\tstatus\tnotified")
    );
    lines
        .map(|l| l.split('\t').next().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn list_is_newest_first_and_filters() {
    let f = fixture();
    let q = &f.queue;
    let mut newest_first = f.ids.clone();
    newest_first.reverse();
    assert_eq!(listed(q, &[]), newest_first);
    assert_eq!(listed(q, &["--lang", "ar"]), [f.ids[1].clone()]);
    assert_eq!(listed(q, &["--desk", "perugia"]), [f.ids[1].clone()]);
    assert_eq!(
        listed(q, &["--desk", "terni"]),
        [f.ids[3].clone(), f.ids[2].clone(), f.ids[0].clone()]
    );
    assert_eq!(
        listed(q, &["--since", "2024-01-01"]),
        [f.ids[4].clone(), f.ids[3].clone(), f.ids[2].clone()]
    );
    assert_eq!(listed(q, &["--since", "2d"]).len(), 2);
    assert_eq!(listed(q, &["--search", "ROSSI"]), [f.ids[0].clone()]);
    assert_eq!(listed(q, &["--search", "مساعدة"]), [f.ids[1].clone()]);
    assert_eq!(listed(q, &["--status", "new"]).len(), 5);
    assert!(listed(q, &["--status", "done"]).is_empty());
    // Every line has all the columns, and says nobody was notified.
    let out = ok(q, &["list"]);
    for line in out.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 8, "{line}");
        assert_eq!(cols[6], "new");
        assert_eq!(cols[7], "NO");
    }
    assert!(out.contains("أمينة"), "right-to-left name as stored");
    let bad = fails(q, &["list", "--status", "archived"]);
    assert!(bad.contains("use new, taken or done"), "{bad}");
    let bad = fails(q, &["list", "--since", "last tuesday"]);
    assert!(bad.contains("2026-01-31"), "{bad}");
}

#[test]
fn show_prints_every_field_and_the_message_intact() {
    let f = fixture();
    let q = &f.queue;
    let out = ok(q, &["show", &f.ids[1].to_lowercase()]);
    for want in [
        f.ids[1].as_str(),
        "2023-04-10 11:30 UTC",
        "أمينة",
        "ar@example.org",
        "+39 0744 000000",
        "perugia",
        "running",
        "status     \u{2068}new",
        "not taken in charge",
    ] {
        assert!(out.contains(want), "{want:?} missing from {out}");
    }
    // The message is wrapped at word boundaries in logical order: its
    // lines, put back together, are the message.
    let message: Vec<&str> = out
        .split("message:\n")
        .nth(1)
        .and_then(|m| m.split("\nhistory").next())
        .expect("message section")
        .lines()
        .map(|l| l.trim().trim_matches(['\u{2068}', '\u{2069}']))
        .collect();
    assert!(message.len() > 1, "wrapped: {message:?}");
    assert_eq!(message.join(" "), ARABIC_MESSAGE);
    // Ambiguous and unknown prefixes are explained.
    let err = fails(q, &["show", "01H0"]);
    assert!(err.contains("type more characters"), "{err}");
    let err = fails(q, &["show", "01ZZZZ"]);
    assert!(
        err.contains("no request has an id starting with 01ZZZZ"),
        "{err}"
    );
}

#[test]
fn take_done_reopen_append_to_the_state_log_only() {
    let f = fixture();
    let q = &f.queue;
    let before = fs::read(q).expect("reads");
    let id = &f.ids[2];
    let said = ok(
        q,
        &["take", &id[..14], "--by", "Marta", "--note", "called back"],
    );
    assert!(said.contains("taken in charge"), "{said}");
    assert_eq!(listed(q, &["--status", "taken"]), [id.as_str()]);
    let err = fails(q, &["reopen", id]);
    assert!(err.contains("nothing to reopen"), "{err}");
    ok(
        q,
        &["done", id, "--by", "Marta", "--note", "statuto inviato"],
    );
    let err = fails(q, &["take", id]);
    assert!(err.contains("reopen"), "{err}");
    ok(q, &["reopen", id, "--note", "needs a second meeting"]);
    ok(q, &["note", id, "--note", "=not a formula"]);
    assert_eq!(listed(q, &["--status", "taken"]), [id.as_str()]);
    let page = ok(q, &["show", id]);
    let history = page.split("history:\n").nth(1).expect("history");
    let order: Vec<&str> = [
        "taken by",
        "called back",
        "done by",
        "statuto inviato",
        "reopened",
        "second meeting",
        "note",
        "=not a formula",
    ]
    .into_iter()
    .collect();
    let mut at = 0;
    for want in order {
        let found = history[at..]
            .find(want)
            .unwrap_or_else(|| panic!("{want} after {at} in {history}"));
        at += found;
    }
    // The submissions log is untouched; the state log is private and
    // checksummed.
    assert_eq!(fs::read(q).expect("reads"), before);
    let state = sportello_forms::queue::rewrite::state_path(q);
    let mode = fs::metadata(&state)
        .expect("state log")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let events = sportello_forms::ops::state::read_event_lines(&state).expect("reads");
    assert_eq!(events.len(), 4);
    assert!(events.iter().all(|e| e.entry.is_ok()));
    ok(q, &["verify"]);
}

#[test]
fn export_csv_neutralises_formulas_and_json_is_complete() {
    let f = fixture();
    let q = &f.queue;
    ok(
        q,
        &["take", &f.ids[2], "--by", "@marta", "--note", "+1 call"],
    );
    let out = run(q, &["export", "--format", "csv", "--bom", "--lang", "fr"]);
    assert!(out.status.success());
    let bytes = out.stdout;
    assert!(bytes.starts_with("\u{FEFF}id,received,status,".as_bytes()));
    assert!(bytes.windows(2).any(|w| w == b"\r\n"), "CRLF line ends");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header = reader.headers().expect("header").clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 1);
    let get = |col: &str| {
        let i = header.iter().position(|h| h == col).expect("column");
        rows[0].get(i).expect("cell").to_owned()
    };
    assert_eq!(get("name"), "'=HYPERLINK(\"http://evil\")");
    assert_eq!(get("message"), "'-2+3 @SUM(A1)\nligne deux");
    assert_eq!(get("phone"), "'+39 0744 000000");
    assert_eq!(get("by"), "'@marta");
    assert_eq!(get("status"), "taken");
    assert!(get("history").contains("+1 call"));
    // Without a BOM; same filters as list.
    let plain = ok(q, &["export", "--since", "2024-01-01"]);
    assert!(plain.starts_with("id,"));
    assert_eq!(
        csv::Reader::from_reader(plain.as_bytes()).records().count(),
        3
    );
    // JSON: everything, newest first, text as stored.
    let json = ok(q, &["export", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["count"], 5);
    let reqs = v["requests"].as_array().expect("array");
    assert_eq!(reqs[4]["id"], f.ids[0].as_str());
    assert_eq!(reqs[3]["message"], ARABIC_MESSAGE);
    assert_eq!(reqs[2]["name"], "=HYPERLINK(\"http://evil\")");
    assert_eq!(reqs[2]["history"][0]["note"], "+1 call");
    // To a new private file, never over an existing one.
    let file = q.with_file_name("export.csv");
    ok(q, &["export", "--output", file.to_str().expect("utf-8")]);
    let mode = fs::metadata(&file).expect("export").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let err = fails(q, &["export", "--output", file.to_str().expect("utf-8")]);
    assert!(err.contains("exists already"), "{err}");
}

#[test]
fn stats_count_by_status_desk_language_topic_and_month() {
    let f = fixture();
    let q = &f.queue;
    ok(q, &["done", &f.ids[0]]);
    let out = ok(q, &["stats", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["total"], 5);
    assert_eq!(v["by_status"]["done"], 1);
    assert_eq!(v["by_status"]["new"], 4);
    assert_eq!(v["by_desk"]["terni"], 3);
    assert_eq!(v["by_lang"]["it"], 2);
    assert_eq!(v["by_topic"]["founding"], 2);
    assert_eq!(v["by_month"]["2023-03"], 1);
    assert_eq!(v["by_month"]["2024-01"], 1);
    let text = ok(q, &["stats"]);
    assert!(
        text.contains("5 requests in all") && text.contains("by month"),
        "{text}"
    );
    let since = ok(q, &["stats", "--json", "--since", "2024-01-01"]);
    let v: serde_json::Value = serde_json::from_str(&since).expect("json");
    assert_eq!(v["total"], 3);
}

#[test]
fn a_torn_tail_is_read_past_and_reported_by_verify() {
    let f = fixture();
    let q = &f.queue;
    let good_len = fs::metadata(q).expect("queue").len();
    let mut bytes = fs::read(q).expect("reads");
    bytes.extend_from_slice(b"{\"v\":1,\"id\":\"01KZ");
    fs::write(q, &bytes).expect("writes");
    assert_eq!(listed(q, &[]).len(), 5);
    let out = run(q, &["list"]);
    assert!(out.stderr.is_empty(), "a line being written is no warning");
    let out = run(q, &["verify"]);
    assert!(!out.status.success());
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains(&format!("torn tail at byte {good_len}")),
        "{report}"
    );
    ok(q, &["take", &f.ids[0]]);
}

#[test]
fn a_corrupt_record_is_skipped_with_a_warning_and_fails_verify() {
    let f = fixture();
    let q = &f.queue;
    let mut bytes = fs::read(q).expect("reads");
    let second = bytes.iter().position(|b| *b == b'\n').expect("line") + 1;
    // Flip a letter inside the second record's name.
    let at = second + 100;
    bytes[at] ^= 0x01;
    fs::write(q, &bytes).expect("writes");
    let ids = listed(q, &[]);
    assert_eq!(ids.len(), 4);
    assert!(!ids.contains(&f.ids[1]));
    let out = run(q, &["list"]);
    let warning = String::from_utf8_lossy(&out.stderr);
    assert!(
        warning.contains(&format!("the first at byte {second}")) && warning.contains("verify"),
        "{warning}"
    );
    let out = run(q, &["verify"]);
    assert!(!out.status.success());
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains(&format!("damaged line at byte {second}")),
        "{report}"
    );
    assert!(report.contains("checksum mismatch"), "{report}");
}

#[test]
fn a_missing_queue_is_explained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = fails(&dir.path().join("nope.jsonl"), &["list"]);
    assert!(err.contains("there is no queue file at"), "{err}");
}

// ---- purge and erase ----

fn ids_in(queue: &Path) -> Vec<String> {
    sportello_forms::queue::read_records(queue)
        .expect("reads")
        .map(|r| r.expect("record").id.to_string())
        .collect()
}

fn event_ids(queue: &Path) -> Vec<String> {
    sportello_forms::ops::state::read_events(&sportello_forms::queue::rewrite::state_path(queue))
        .expect("reads")
        .into_iter()
        .map(|e| e.id.to_string())
        .collect()
}

fn leftovers(queue: &Path) -> Vec<String> {
    let dir = queue.parent().expect("dir");
    fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("purge"))
        .collect()
}

#[test]
fn purge_removes_old_requests_and_their_history() {
    let f = fixture();
    let q = &f.queue;
    ok(q, &["take", &f.ids[0], "--note", "old note"]);
    ok(q, &["take", &f.ids[3], "--note", "recent note"]);
    let before = fs::read(q).expect("reads");
    let dry = ok(q, &["purge", "--older-than", "365", "--dry-run"]);
    assert!(dry.contains("would delete 3 request(s)"), "{dry}");
    assert_eq!(
        fs::read(q).expect("reads"),
        before,
        "a dry run changes nothing"
    );
    let out = ok(q, &["purge", "--older-than", "365"]);
    assert!(
        out.contains("deleted 3 request(s)") && out.contains("and 1 history entry"),
        "{out}"
    );
    for id in &f.ids[..3] {
        assert!(out.contains(id.as_str()), "{id} listed in {out}");
    }
    assert!(
        !out.contains("Mario") && !out.contains("أمينة"),
        "no names: {out}"
    );
    assert_eq!(ids_in(q), f.ids[3..].to_vec());
    assert_eq!(event_ids(q), [f.ids[3].clone()]);
    let mode = fs::metadata(q).expect("queue").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(leftovers(q).is_empty(), "{:?}", leftovers(q));
    ok(q, &["verify"]);
    let again = ok(q, &["purge", "--older-than", "365"]);
    assert!(again.contains("nothing to delete"), "{again}");
    let err = fails(q, &["purge", "--older-than", "0"]);
    assert!(err.contains("0"), "{err}");
}

#[test]
fn erase_removes_one_request_and_its_history() {
    let f = fixture();
    let q = &f.queue;
    ok(q, &["take", &f.ids[1], "--note", "will call"]);
    ok(q, &["take", &f.ids[2]]);
    let err = fails(q, &["erase", &f.ids[1]]);
    assert!(err.contains("add --yes"), "{err}");
    let out = ok(q, &["erase", &f.ids[1][..26].to_lowercase(), "--yes"]);
    assert!(
        out.contains(&format!("erased request {}", f.ids[1])),
        "{out}"
    );
    let mut want = f.ids.clone();
    want.remove(1);
    assert_eq!(ids_in(q), want);
    assert_eq!(event_ids(q), [f.ids[2].clone()]);
    ok(q, &["verify"]);
    let err = fails(q, &["erase", &f.ids[1], "--yes"]);
    assert!(err.contains("no request has an id"), "{err}");
}

/// Starts a purge (or erase) that pauses at `step`, kills it there.
fn kill_at(queue: &Path, args: &[&str], step: &str) {
    use std::io::Read as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sportello-forms"))
        .args(args)
        .env("SPORTELLO_QUEUE", queue)
        .env("SPORTELLO_PURGE_PAUSE_AT", step)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stderr = child.stderr.take().expect("stderr");
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("paused at") {
        let n = stderr.read(&mut buf).expect("reads");
        assert!(
            n > 0,
            "ended before pausing: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
}

#[test]
fn purge_and_erase_killed_at_any_step_leave_old_or_new_files() {
    for (args, step, new) in [
        (&["purge", "--older-than", "365"][..], "written", false),
        (&["purge", "--older-than", "365"][..], "journal", true),
        (&["purge", "--older-than", "365"][..], "renamed-queue", true),
        (&["purge", "--older-than", "365"][..], "renamed", true),
        (&["erase", "--yes", "ID"][..], "written", false),
        (&["erase", "--yes", "ID"][..], "renamed-queue", true),
    ] {
        let f = fixture();
        let q = &f.queue;
        for id in &f.ids {
            ok(q, &["take", id, "--note", "n"]);
        }
        let args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "ID" { f.ids[1].as_str() } else { a })
            .collect();
        kill_at(q, &args, step);
        // A crash between renames would be a mix: the next command
        // finishes the purge first, so nothing ever sees one.
        let out = run(q, &["verify"]);
        assert!(
            out.status.success(),
            "{args:?} killed at {step}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let expected: Vec<String> = match (new, args[0]) {
            (false, _) => f.ids.clone(),
            (true, "purge") => f.ids[3..].to_vec(),
            (true, _) => {
                let mut v = f.ids.clone();
                v.remove(1);
                v
            }
        };
        assert_eq!(ids_in(q), expected, "{args:?} killed at {step}");
        assert_eq!(event_ids(q), expected, "{args:?} killed at {step}");
        assert!(leftovers(q).is_empty(), "{:?}", leftovers(q));
        // And the next purge works normally.
        ok(q, &["purge", "--older-than", "365"]);
        assert_eq!(
            ids_in(q).len(),
            expected.iter().filter(|i| !i.starts_with("01H")).count()
        );
    }
}

#[test]
fn commands_beside_a_running_endpoint_lose_nothing() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let f = fixture();
    let q = f.queue.clone();
    let (mut server, addr) = support::start_server(&q, &[], &[], std::process::Stdio::null());
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let clients: Vec<_> = (0..3)
        .map(|c| {
            let (stop, acked) = (stop.clone(), acked.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let (status, body) =
                        support::post(addr, &support::form_body("it", c * 100_000 + n))
                            .expect("posts");
                    assert_eq!(status, 201, "{body}");
                    acked
                        .lock()
                        .expect("lock")
                        .push(support::id_of(&body).expect("id"));
                }
            })
        })
        .collect();
    let wait_for = |n: usize| {
        while acked.lock().expect("lock").len() < n {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    };
    wait_for(5);
    let first_new = acked.lock().expect("lock")[0].clone();
    ok(&q, &["take", &first_new, "--by", "Marta"]);
    ok(&q, &["take", &f.ids[0]]);
    ok(&q, &["done", &first_new, "--note", "answered"]);
    let out = ok(&q, &["purge", "--older-than", "365"]);
    assert!(out.contains("deleted 3 request(s)"), "{out}");
    wait_for(20);
    // A purge killed after its commit point, while the endpoint writes:
    // the endpoint finishes it at its next commit and writes to the new file.
    let victim = acked.lock().expect("lock")[1].clone();
    kill_at(&q, &["erase", "--yes", &victim], "journal");
    let n = acked.lock().expect("lock").len();
    wait_for(n + 20);
    let erased = acked.lock().expect("lock")[2].clone();
    ok(&q, &["erase", "--yes", &erased]);
    let n = acked.lock().expect("lock").len();
    wait_for(n + 20);
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().expect("client");
    }
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    server.wait().expect("server stops");
    let stored = ids_in(&q);
    let acked = acked.lock().expect("lock").clone();
    for id in &acked {
        let gone = *id == victim || *id == erased;
        assert_eq!(stored.contains(id), !gone, "{id} (erased: {gone})");
    }
    assert_eq!(
        stored.len(),
        2 + acked.len() - 2,
        "the two recent fixtures and the acked"
    );
    assert!(stored.iter().all(|id| !f.ids[..3].contains(id)));
    let page = ok(&q, &["show", &first_new]);
    assert!(page.contains("answered"), "{page}");
    ok(&q, &["verify"]);
    assert!(leftovers(&q).is_empty(), "{:?}", leftovers(&q));
}

// ---- set-aside files ----

/// Opens the queue as a server does on start (recovery), then closes it.
fn start_and_stop(queue: &Path) -> Option<sportello_forms::queue::TornTail> {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let q = Queue::open(queue).expect("opens");
        let torn = q.recovery().torn.clone();
        q.close().await;
        torn
    })
}

#[test]
fn damaged_last_record_is_not_a_torn_tail_and_stays_visible_until_restored() {
    let f = fixture();
    let q = &f.queue;
    let mut bytes = fs::read(q).expect("reads");
    let last_start = bytes[..bytes.len() - 1]
        .iter()
        .rposition(|b| *b == b'\n')
        .expect("lines")
        + 1;
    // Flip a byte in the last record's name ("Giulia" → "Gjulia"); its
    // newline is intact.
    let at = last_start
        + bytes[last_start..]
            .windows(6)
            .position(|w| w == b"Giulia")
            .expect("name")
        + 1;
    bytes[at] ^= 0x03;
    fs::write(q, &bytes).expect("writes");

    let out = run(q, &["verify"]);
    assert!(!out.status.success());
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains(&format!("damaged last record(s) at byte {last_start}")),
        "{report}"
    );
    assert!(report.contains("may have been acknowledged"), "{report}");
    assert!(!report.contains("torn tail"), "{report}");

    // The server's start sets it aside: it is still reported everywhere.
    let torn = start_and_stop(q).expect("set aside");
    assert_eq!(torn.complete_lines, 1);
    let name = torn
        .saved_to
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.starts_with("submissions.jsonl.damaged-"), "{name}");
    let out = run(q, &["verify"]);
    assert!(!out.status.success(), "unresolved: verify keeps failing");
    assert!(String::from_utf8_lossy(&out.stdout).contains(&name));
    assert_eq!(listed(q, &[]).len(), 4);
    let out = run(q, &["list"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&name),
        "list reports it"
    );
    assert!(ok(q, &["quarantine", "list"]).contains(&name));
    let shown = ok(q, &["quarantine", "show", &name]);
    assert!(
        shown.contains("Gjulia Bianchi") && shown.contains(&f.ids[4]),
        "{shown}"
    );
    assert!(shown.contains("checksum mismatch"), "{shown}");

    // Restored: back in the list with a good checksum, the file gone, verify OK.
    let restored = ok(q, &["quarantine", "restore", &name]);
    assert!(
        restored.contains(&format!("restored request {}", f.ids[4])),
        "{restored}"
    );
    let ids = listed(q, &[]);
    assert_eq!(ids.len(), 5);
    assert!(ids.contains(&f.ids[4]));
    assert!(!torn.saved_to.exists());
    let out = run(q, &["verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn torn_tail_set_aside_is_listed_until_dismissed() {
    let f = fixture();
    let q = &f.queue;
    let mut bytes = fs::read(q).expect("reads");
    bytes.extend_from_slice(b"{\"v\":1,\"id\":\"01KZ");
    fs::write(q, &bytes).expect("writes");
    let torn = start_and_stop(q).expect("set aside");
    assert_eq!(torn.complete_lines, 0);
    let name = torn
        .saved_to
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.starts_with("submissions.jsonl.torn-"), "{name}");
    let out = run(q, &["verify"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("never acknowledged"));
    let shown = ok(q, &["quarantine", "show", &name]);
    assert!(shown.contains("not readable as a request"), "{shown}");
    // Nothing else can be named: only this queue's set-aside files.
    assert!(
        fails(q, &["quarantine", "dismiss", "submissions.jsonl", "--yes"])
            .contains("not a file set aside")
    );
    assert!(q.exists());
    fails(q, &["quarantine", "dismiss", &name]);
    ok(q, &["quarantine", "dismiss", &name, "--yes"]);
    assert!(!torn.saved_to.exists());
    assert!(run(q, &["verify"]).status.success());
}

// ---- a closed output ----

/// Runs a command whose stdout is a pipe nobody reads any more (as after
/// `| head -1` has exited, or `| true`).
fn run_into_closed_pipe(queue: &Path, args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_sportello-forms"))
        .args(args)
        .env("SPORTELLO_QUEUE", queue)
        .stdout(writer)
        .output()
        .expect("runs")
}

#[test]
fn a_closed_pipe_is_a_normal_end_for_every_command() {
    let f = fixture();
    let q = &f.queue;
    for args in [
        &["verify"][..],
        &["purge", "--older-than", "1", "--dry-run"],
        &["export", "--format", "csv"],
        &["export", "--format", "json"],
        &["list"],
        &["show", &f.ids[0]],
        &["stats"],
        &["stats", "--json"],
        &["quarantine", "list"],
    ] {
        let out = run_into_closed_pipe(q, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {:?} {err}", out.status);
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(ids_in(q).len(), 5, "a dry run deletes nothing");
}

#[test]
fn error_messages_say_their_cause_once() {
    let f = fixture();
    let q = &f.queue;
    // The state log cannot be read: it is a folder.
    fs::create_dir(sportello_forms::queue::rewrite::state_path(q)).expect("mkdir");
    let err = fails(q, &["list"]);
    assert_eq!(err.matches("(os error 21)").count(), 1, "{err}");
}

#[test]
fn csv_export_carries_no_terminal_escapes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let q = dir.path().join("submissions.jsonl");
    let mut bytes = Vec::new();
    let mut s = sub(
        "it",
        "Ana\u{1b}]0;pwned\u{7}\u{1b}[2J",
        "terni",
        "other",
        "ciao\u{9b}31m\nriga due\u{202E}",
    );
    s.email = Some("a\u{1b}[31m@example.org".into());
    encode_line(
        &Record::new(
            ulid("01H0000000000000000000000A"),
            "2024-01-01T00:00:00.000Z".into(),
            s,
        ),
        &mut bytes,
    )
    .expect("encodes");
    fs::write(&q, &bytes).expect("writes");
    ok(
        &q,
        &[
            "note",
            "01H0000000000000000000000A",
            "--by",
            "M\u{1b}[5m",
            "--note",
            "x\u{1b}P\u{7}y",
        ],
    );
    let csv = ok(&q, &["export", "--format", "csv"]);
    for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202E}'] {
        assert!(!csv.contains(bad), "{bad:?} in {csv:?}");
    }
    assert!(
        csv.contains("riga due"),
        "the message keeps its lines: {csv}"
    );
}

// ---- a full disk ----

/// Runs a command that cannot make any file larger than `limit` bytes
/// (`ulimit -f`, SIGXFSZ ignored): its writes past the limit are cut short
/// by the kernel, then refused, as on a disk that fills up mid-write.
fn run_with_file_limit(queue: &Path, limit: u64, args: &[&str]) -> Output {
    assert_eq!(limit % 1024, 0, "bash counts ulimit -f in KiB");
    Command::new("bash")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {}; exec \"$0\" \"$@\"",
            limit / 1024
        ))
        .arg(env!("CARGO_BIN_EXE_sportello-forms"))
        .args(args)
        .env("SPORTELLO_QUEUE", queue)
        .env("SPORTELLO_OPERATOR", "Marta")
        .output()
        .expect("runs")
}

#[test]
fn a_full_disk_leaves_no_partial_line_in_the_state_log() {
    let f = fixture();
    let q = &f.queue;
    ok(q, &["take", &f.ids[0], "--by", "Marta"]);
    let state = sportello_forms::queue::rewrite::state_path(q);
    let before = fs::read(&state).expect("state log");
    // Room for part of the next line only.
    let limit = (before.len() as u64 / 1024 + 1) * 1024;
    let note = "n".repeat(3000);
    let out = run_with_file_limit(q, limit, &["note", &f.ids[1], "--note", &note]);
    assert!(!out.status.success(), "the write must have failed");
    assert_eq!(
        fs::read(&state).expect("state log"),
        before,
        "whole or not at all"
    );
    assert!(run(q, &["verify"]).status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write"), "{err}");
}

#[test]
fn a_failed_erase_leaves_no_purge_new_behind() {
    let f = fixture();
    let q = &f.queue;
    let before = fs::read(q).expect("queue");
    let out = run_with_file_limit(q, 1024, &["erase", &f.ids[0], "--yes"]);
    assert!(
        !out.status.success(),
        "the new file is larger than the limit"
    );
    assert_eq!(leftovers(q), Vec::<String>::new());
    assert_eq!(fs::read(q).expect("queue"), before, "nothing erased");
    assert!(run(q, &["verify"]).status.success());
}

#[test]
fn serve_help_gives_each_option_its_own_text() {
    let out = Command::new(env!("CARGO_BIN_EXE_sportello-forms"))
        .args(["serve", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&out.stdout);
    let content = help
        .split("--content")
        .nth(1)
        .and_then(|s| s.split("--themes").next())
        .expect("--content documented");
    assert!(content.contains("content folder"), "{content}");
    assert!(!content.contains("language codes"), "{content}");
}

// ---- several segments (one queue file per endpoint instance) ----

/// Two endpoint instances, each with its own queue file: the operators'
/// commands read both, and a change goes to the state log of the segment
/// that holds the request.
#[test]
fn list_stats_export_and_take_read_every_segment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    let records = old_records();
    for (path, record) in [(&a, &records[0]), (&b, &records[1])] {
        let mut bytes = Vec::new();
        encode_line(record, &mut bytes).expect("encodes");
        fs::write(path, &bytes).expect("writes");
    }
    let (id_a, id_b) = (records[0].id.to_string(), records[1].id.to_string());
    let b_arg = b.to_str().expect("utf-8 path");

    assert_eq!(
        listed(&a, &[]),
        std::slice::from_ref(&id_a),
        "one segment alone"
    );
    assert_eq!(
        listed(&a, &["--segment", b_arg]),
        [id_b.clone(), id_a.clone()],
        "both, newest first"
    );
    let v: serde_json::Value =
        serde_json::from_str(&ok(&a, &["stats", "--json", "--segment", b_arg])).expect("json");
    assert_eq!(v["total"], 2);
    let export = ok(&a, &["export", "--format", "json", "--segment", b_arg]);
    assert!(export.contains(&id_a) && export.contains(&id_b), "{export}");

    ok(&a, &["take", &id_b, "--by", "marta", "--segment", b_arg]);
    let events_b =
        sportello_forms::ops::state::read_events(&sportello_forms::queue::rewrite::state_path(&b))
            .expect("reads");
    assert_eq!(events_b.len(), 1);
    assert_eq!(events_b[0].id.to_string(), id_b);
    assert!(
        !sportello_forms::queue::rewrite::state_path(&a).exists(),
        "nothing written beside the other segment"
    );
    let listed_taken = listed(&a, &["--segment", b_arg, "--status", "taken"]);
    assert_eq!(listed_taken, [id_b]);
}
