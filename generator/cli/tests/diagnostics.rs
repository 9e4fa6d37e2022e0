//! Every kind of editor mistake: reported with file:line:column and a hint,
//! all of them in one run, non-zero exit, never a panic.

mod support;

use support::TestSite;

fn broken_site() -> TestSite {
    TestSite::new()
        .file(
            "content/yaml.it.md",
            "---\ntitle: Ciao\nsummary: [oops\n---\n",
        )
        .file("content/typo.it.md", "---\ntitle: Ciao\ntitel: Ciao\n---\n")
        .file(
            "content/untitled.it.md",
            "---\nsummary: nessun titolo\n---\n",
        )
        .page("unknown.de.md", "Hallo", "")
        .page(
            "links.it.md",
            "Link",
            "Testo.\n\n[rotto](missing-page.md)\n\n[ancora](about.md#nowhere)\n",
        )
        .file("content/one.it.md", "---\ntitle: Uno\nslug: same\n---\n")
        .file("content/two.it.md", "---\ntitle: Due\nslug: same\n---\n")
}

#[test]
fn every_mistake_of_a_tree_is_reported_in_one_run_with_its_line() {
    for cmd in ["build", "check"] {
        let run = broken_site().run(&[cmd]);
        assert!(!run.ok(), "{cmd} must fail");
        let err = run.stderr();
        assert!(!err.contains("panicked"), "{err}");
        let expect = [
            ("content/yaml.it.md:3:", "invalid front matter"),
            ("content/typo.it.md:3:1", "unknown front-matter key `titel`"),
            ("content/untitled.it.md:1:1", "this page has no `title`"),
            (
                "content/unknown.de.md",
                "`de` is not a language of this site",
            ),
        ];
        for (loc, msg) in expect {
            assert!(err.contains(loc), "{cmd}: missing location {loc}\n{err}");
            assert!(err.contains(msg), "{cmd}: missing message {msg}\n{err}");
        }
        assert!(err.contains("help: did you mean `title`?"), "{err}");
        assert!(err.contains("configured languages: it, en, ar"), "{err}");
    }
}

#[test]
fn broken_links_anchors_and_duplicate_urls_are_located() {
    let run = TestSite::new()
        .page(
            "links.it.md",
            "Link",
            "Testo.\n\n[rotto](missing-page.md)\n\n[ancora](about.md#nowhere)\n",
        )
        .file("content/one.it.md", "---\ntitle: Uno\nslug: same\n---\n")
        .file("content/two.it.md", "---\ntitle: Due\nslug: same\n---\n")
        .build();
    assert!(!run.ok());
    let err = run.stderr();
    assert!(
        err.contains("link target `missing-page.md` does not exist"),
        "{err}"
    );
    assert!(err.contains("content/links.it.md:6:1"), "{err}");
    assert!(err.contains("anchor `#nowhere` does not exist"), "{err}");
    assert!(err.contains("content/links.it.md:8:1"), "{err}");
    assert!(err.contains("two pages on one URL `/it/same/`"), "{err}");
}

#[test]
fn template_error_names_template_and_line() {
    let themes = tempfile::tempdir().unwrap();
    support::copy_dir(&support::themes(), themes.path());
    let page = themes.path().join("default/templates/page.html");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(
        &page,
        text.replacen("{{ page.title }}", "{{ page.title | no_such_filter }}", 1),
    )
    .unwrap();
    let out = run_with_themes("build", themes.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("templates/page.html:4:"), "{err}");
    assert!(err.contains("no_such_filter"), "{err}");
}

#[test]
fn missing_interface_string_is_a_warning_not_an_error() {
    let themes = tempfile::tempdir().unwrap();
    support::copy_dir(&support::themes(), themes.path());
    std::fs::write(
        themes.path().join("default/i18n/en.yaml"),
        "skip_to_content: Skip to content\n",
    )
    .unwrap();
    let out = run_with_themes("check", themes.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning:") && err.contains("interface string(s) missing"),
        "{err}"
    );
    assert!(err.contains("i18n/en.yaml"), "{err}");
}

#[test]
fn check_reports_missing_and_stale_translations_with_the_digest_to_paste() {
    let site = TestSite::new().page("a.it.md", "A", "originale").file(
        "content/a.en.md",
        "---\ntitle: A\ntranslated_from: \"000000000000\"\n---\nold\n",
    );
    let run = site.check();
    assert!(run.ok(), "{}", run.stderr());
    let out = run.stdout();
    let digest = sportello::model::digest(
        &std::fs::read_to_string(site.path().join("content/a.it.md")).unwrap(),
    );
    assert!(
        out.contains(&format!("the original is now `translated_from: {digest}`")),
        "{out}"
    );
    assert!(out.contains("stale    content/a.en.md"), "{out}");
    assert!(
        out.contains("missing  a  (original: content/a.it.md)"),
        "{out}"
    );
    // pasting the digest makes it current
    let site = site.file(
        "content/a.en.md",
        &format!("---\ntitle: A\ntranslated_from: \"{digest}\"\n---\nnew\n"),
    );
    assert!(!site.check().stdout().contains("stale    content/a.en.md"));
    assert!(!site.path().join("public").exists(), "check writes nothing");
}

/// Runs `cmd` on a fresh fixture site with another themes folder.
fn run_with_themes(cmd: &str, themes: &std::path::Path) -> std::process::Output {
    let site = TestSite::new();
    std::process::Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args([cmd, "--content", "content", "--themes"])
        .arg(themes)
        .current_dir(site.path())
        .output()
        .unwrap()
}

/// A privacy notice with two values only the desk can supply.
fn site_with_markers() -> TestSite {
    TestSite::new().file(
        "content/privacy.it.md",
        "---\ntitle: Privacy\n---\nTitolare: Cesvol Umbria.\n\nE-mail: **[da confermare]**\n\nConservazione: [da confermare] mesi.\n",
    )
}

#[test]
fn check_lists_every_confirm_marker_with_file_and_line() {
    let run = site_with_markers().check();
    assert!(
        run.ok(),
        "markers alone do not fail check: {}",
        run.stderr()
    );
    let out = run.stdout();
    assert!(
        out.contains("to confirm (`[da confermare]`): 2 left"),
        "{out}"
    );
    assert!(out.contains("content/privacy.it.md:6:11"), "{out}");
    assert!(out.contains("content/privacy.it.md:8:16"), "{out}");
}

#[test]
fn check_lists_a_marker_configured_in_site_yaml() {
    let site = site_with_markers().file(
        "content/site.yaml",
        &format!("{}confirm_marker: \"TODO-DESK\"\n", support::SITE),
    );
    let site = site.page("about.it.md", "Progetto", "Sede: TODO-DESK.");
    let out = site.check().stdout();
    assert!(out.contains("to confirm (`TODO-DESK`): 1 left"), "{out}");
    assert!(out.contains("content/about.it.md:4:7"), "{out}");
}

#[test]
fn build_strict_refuses_to_build_while_markers_remain() {
    let site = site_with_markers();
    let run = site.run(&["build", "--strict"]);
    assert!(!run.ok());
    let err = run.stderr();
    assert!(err.contains("content/privacy.it.md:6:11"), "{err}");
    assert!(
        err.contains("2 value(s) still marked `[da confermare]`"),
        "{err}"
    );
    assert!(!run.exists("index.html"), "nothing is written");
    // Without --strict the preview still builds.
    assert!(site.build().ok());
}

#[test]
fn build_strict_builds_once_every_marker_is_confirmed() {
    let site = TestSite::new();
    let run = site.run(&["build", "--strict"]);
    assert!(run.ok(), "{}", run.stderr());
    assert!(run.exists("index.html"));
}

#[test]
fn check_warns_while_base_url_is_a_sample_host() {
    let run = TestSite::new().check();
    assert!(run.ok());
    assert!(
        run.stderr()
            .contains("base_url `https://example.org` is a sample address"),
        "{}",
        run.stderr()
    );
    let real = TestSite::new().file(
        "content/site.yaml",
        &support::SITE.replace("https://example.org", "https://sportello.cesvolumbria.org"),
    );
    let run = real.check();
    assert!(!run.stderr().contains("sample address"), "{}", run.stderr());
    assert!(
        run.stdout().contains("0 error(s), 0 warning(s)"),
        "{}",
        run.stdout()
    );
}

#[test]
fn empty_confirm_marker_is_a_located_error() {
    let site = TestSite::new().file(
        "content/site.yaml",
        &format!("{}confirm_marker: \"\"\n", support::SITE),
    );
    let run = site.check();
    assert!(!run.ok());
    assert!(
        run.stderr().contains("confirm_marker is empty"),
        "{}",
        run.stderr()
    );
}
