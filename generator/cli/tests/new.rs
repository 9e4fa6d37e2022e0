//! `sportello new` (a page or a translation in one step) and `check
//! --fix-digests`, through the real binary on fixture sites.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::TestSite;

fn sportello(site: &TestSite, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args(args)
        .current_dir(site.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn read(site: &TestSite, rel: &str) -> String {
    std::fs::read_to_string(site.path().join(rel)).unwrap()
}

fn themes() -> String {
    support::themes().display().to_string()
}

#[test]
fn new_page_gets_title_weight_and_date_and_builds() {
    let site = TestSite::new().file(
        "content/guides/first.it.md",
        "---\ntitle: Primo\nweight: 4\n---\n",
    );
    let (ok, stdout, stderr) = sportello(&site, &["new", "guides/second-step", "--lang", "it"], "");
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("created content/guides/second-step.it.md"),
        "{stdout}"
    );
    let text = read(&site, "content/guides/second-step.it.md");
    assert!(text.starts_with("---\ntitle: \"Second step\"\n"), "{text}");
    assert!(text.contains("\nweight: 5\n"), "after its sibling: {text}");
    let date = text.lines().find_map(|l| l.strip_prefix("date: ")).unwrap();
    assert_eq!(date.len(), 10, "{date}");
    let run = site.build();
    assert!(run.ok(), "{}", run.stderr());
    assert!(
        run.file("it/guides/second-step/index.html")
            .contains("Second step")
    );
}

#[test]
fn new_translation_copies_front_matter_records_digest_and_checks_clean() {
    let site = TestSite::new().file(
        "content/guides/statute.it.md",
        "---\ntitle: Lo statuto\nsummary: Le regole\nweight: 2\nslug: statuto\naliases: [/vecchio/]\n---\n## Soci {#members}\n\nTesto da tradurre.\n",
    );
    let (ok, stdout, stderr) = sportello(
        &site,
        &[
            "new",
            "guides/statute",
            "--lang",
            "ar",
            "--from",
            "it",
            "--title",
            "النظام الأساسي",
        ],
        "",
    );
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("from content/guides/statute.it.md"),
        "{stdout}"
    );
    let ar = read(&site, "content/guides/statute.ar.md");
    assert!(ar.contains("summary: Le regole\nweight: 2\n"), "{ar}");
    assert!(!ar.contains("slug:") && !ar.contains("aliases:"), "{ar}");
    assert!(ar.contains("title: \"النظام الأساسي\""), "{ar}");
    assert!(
        ar.contains("draft: true"),
        "not published before it is translated: {ar}"
    );
    assert!(
        ar.ends_with("## Soci {#members}\n\nTesto da tradurre.\n"),
        "{ar}"
    );
    // The digest is the one `check` computes: once translated and published,
    // the translation is not stale.
    let published = ar.replace("draft: true", "draft: false");
    let site = site.file("content/guides/statute.ar.md", &published);
    let run = site.check();
    assert!(run.ok(), "{}", run.stderr());
    let report = run.stdout();
    assert!(!report.contains("statute.ar.md"), "not stale: {report}");
    assert_eq!(
        report.matches("missing  guides/statute").count(),
        1,
        "missing in English only: {report}"
    );
}

#[test]
fn new_refuses_to_overwrite_and_names_what_exists() {
    let site = TestSite::new();
    let before = read(&site, "content/about.it.md");
    let (ok, _, stderr) = sportello(&site, &["new", "about", "--lang", "it"], "");
    assert!(!ok);
    assert!(
        stderr.contains("content/about.it.md already exists"),
        "{stderr}"
    );
    assert_eq!(read(&site, "content/about.it.md"), before);
}

#[test]
fn new_refuses_paths_outside_content_unknown_languages_and_missing_originals() {
    let site = TestSite::new();
    for (args, says) in [
        (
            vec!["new", "../outside", "--lang", "it"],
            "`.` and `..` are not allowed",
        ),
        (vec!["new", "guides\\x", "--lang", "it"], "not `\\`"),
        (vec!["new", "_data/desks", "--lang", "it"], "are not pages"),
        (
            vec!["new", "guides/x.ar", "--lang", "it"],
            "give the language with --lang",
        ),
        (
            vec!["new", "x\u{202E}fdp", "--lang", "it"],
            "invisible control character",
        ),
        (
            vec!["new", "guides/x", "--lang", "de"],
            "language `de` is not in site.yaml (languages: it, en, ar)",
        ),
        (
            vec!["new", "guides/x", "--lang", "ar", "--from", "it"],
            "no `it` version of `guides/x`",
        ),
    ] {
        let (ok, _, stderr) = sportello(&site, &args, "");
        assert!(!ok, "{args:?}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    assert!(!site.path().join("outside.it.md").exists());
    assert!(!site.path().join("content/guides").exists());
}

#[test]
fn check_fix_digests_asks_then_updates_only_what_the_translator_confirms() {
    let site = TestSite::new()
        .file("content/a.it.md", "---\ntitle: A\n---\nNuovo testo.\n")
        .file(
            "content/a.en.md",
            "---\ntitle: A\ntranslated_from: \"000000000000\"\n---\nText.\n",
        )
        .file("content/b.it.md", "---\ntitle: B\n---\nAltro.\n")
        .file("content/b.en.md", "---\ntitle: B\n---\nOther.\n");
    let t = themes();
    let args = [
        "check",
        "--content",
        "content",
        "--themes",
        &t,
        "--fix-digests",
    ];
    let (_, stdout, _) = sportello(&site, &args, "y\nn\n");
    assert!(stdout.contains("1 translation(s) updated"), "{stdout}");
    let a = read(&site, "content/a.en.md");
    assert!(!a.contains("000000000000"), "{a}");
    assert!(a.ends_with("---\nText.\n"), "body kept: {a}");
    assert!(!read(&site, "content/b.en.md").contains("translated_from"));
    let report = site.check().stdout();
    assert!(!report.contains("stale    content/a.en.md"), "{report}");
    assert!(report.contains("stale    content/b.en.md"), "{report}");
    // --yes: no questions.
    let (ok, stdout, stderr) = sportello(&site, &[&args[..], &["--yes"]].concat(), "");
    assert!(ok, "{stderr}");
    assert!(stdout.contains("updated content/b.en.md"), "{stdout}");
    let report = site.check().stdout();
    assert!(!report.contains("stale    content/b.en.md"), "{report}");
}
