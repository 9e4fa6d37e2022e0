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
fn check_warns_at_its_line_when_a_ukrainian_plural_lacks_few() {
    let themes = tempfile::tempdir().unwrap();
    support::copy_dir(&support::themes(), themes.path());
    let uk = themes.path().join("default/i18n/uk.yaml");
    let text = std::fs::read_to_string(&uk).unwrap();
    let few = text
        .lines()
        .position(|l| l.trim_start().starts_with("few: \"Спробуйте"))
        .expect("the shipped uk.yaml has a `few` form");
    let key_line = text
        .lines()
        .position(|l| l.trim_start().starts_with("rate_limited_wait:"))
        .unwrap()
        + 1;
    let without: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|&(i, _)| i != few)
        .map(|(_, l)| l)
        .collect();
    std::fs::write(&uk, without.join("\n")).unwrap();
    let site = TestSite::new().file(
        "content/site.yaml",
        &support::SITE.replace(
            "  - { code: ar,",
            "  - { code: uk, name: Українська }\n  - { code: ar,",
        ),
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args(["check", "--content", "content", "--themes"])
        .arg(themes.path())
        .current_dir(site.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "a missing form is a warning: {err}");
    assert!(
        err.contains("`form.status.rate_limited_wait` lacks the plural form `few` that `uk` needs"),
        "{err}"
    );
    assert!(
        err.contains(&format!("i18n/uk.yaml:{key_line}:")),
        "located at the string's line {key_line}: {err}"
    );
}

#[test]
fn shipped_theme_plurals_have_every_form_their_languages_need() {
    let out = run_with_themes("check", &support::themes());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("lacks the plural form"), "{err}");
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

/// Every file under the fixture's folder that is not its content: what a
/// build into `site/public` wrote, wherever it landed.
fn written_outside(site: &TestSite) -> Vec<String> {
    walkdir::WalkDir::new(site.path())
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(site.path())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|p| !p.starts_with("content/") && !p.starts_with("site/public/"))
        .collect()
}

/// Builds into `site/public`, so that `../..` from there is still inside
/// the fixture, where [`written_outside`] sees it.
fn build_into_site_public(site: &TestSite) -> support::Run {
    site.run(&["build", "--out", "site/public"])
}

#[test]
fn alias_with_dotdot_is_refused_and_writes_nothing_outside() {
    let site = TestSite::new().file(
        "content/new.it.md",
        "---\ntitle: Nuova\naliases:\n  - /vecchia/\n  - /../../somewhere/\n---\nx\n",
    );
    let run = build_into_site_public(&site);
    assert!(!run.ok());
    let err = run.stderr();
    assert!(err.contains("content/new.it.md:5:5"), "{err}");
    assert!(err.contains("the alias has a `..` segment"), "{err}");
    assert!(err.contains("help:"), "{err}");
    assert_eq!(written_outside(&site), Vec::<String>::new());
}

#[test]
fn alias_with_dotdot_writes_nothing_outside_even_when_the_build_fails_on_another_error() {
    // The reported bug: the alias was written before the build failed on a broken link.
    let site = TestSite::new()
        .file(
            "content/new.it.md",
            "---\ntitle: Nuova\naliases: [\"/../../somewhere/\"]\n---\nx\n",
        )
        .page("links.it.md", "Link", "[rotto](missing-page.md)\n");
    for cmd in ["build", "check"] {
        let run = if cmd == "build" {
            build_into_site_public(&site)
        } else {
            site.check()
        };
        assert!(!run.ok());
        let err = run.stderr();
        assert!(err.contains("`..` segment"), "{cmd}: {err}");
        assert!(err.contains("missing-page.md"), "{cmd}: {err}");
    }
    assert_eq!(written_outside(&site), Vec::<String>::new());
    assert!(!site.path().join("somewhere").exists());
}

#[test]
fn alias_with_backslash_is_refused() {
    let site = TestSite::new().file(
        "content/new.it.md",
        "---\ntitle: Nuova\naliases: ['/a\\..\\..\\b/']\n---\nx\n",
    );
    let run = build_into_site_public(&site);
    assert!(!run.ok());
    assert!(
        run.stderr().contains("contains a backslash"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("content/new.it.md:3:"),
        "{}",
        run.stderr()
    );
    assert_eq!(written_outside(&site), Vec::<String>::new());
}

#[test]
fn alias_with_empty_segment_is_refused() {
    let run = TestSite::new()
        .file(
            "content/new.it.md",
            "---\ntitle: Nuova\naliases: [/a//b/]\n---\nx\n",
        )
        .build();
    assert!(!run.ok());
    assert!(run.stderr().contains("empty segment"), "{}", run.stderr());
    assert!(!run.exists("a/b/index.html"));
}

#[test]
fn alias_with_bidi_control_or_control_character_is_refused() {
    for (alias, what) in [
        ("/a\\u202Eb/", "direction mark (U+202E)"),
        ("/a\\u2066b/", "direction mark (U+2066)"),
        ("/a\\u0007b/", "control character (U+0007)"),
    ] {
        let run = TestSite::new()
            .file(
                "content/new.it.md",
                &format!("---\ntitle: Nuova\naliases: [\"{alias}\"]\n---\nx\n"),
            )
            .build();
        assert!(!run.ok(), "{alias}");
        let err = run.stderr();
        assert!(err.contains(what), "{alias}: {err}");
        assert!(err.contains("content/new.it.md:3:"), "{alias}: {err}");
    }
}

#[test]
fn alias_onto_a_file_the_site_makes_is_refused() {
    for alias in ["/sitemap.xml", "/404.html", "/robots.txt"] {
        let run = TestSite::new()
            .file(
                "content/new.it.md",
                &format!("---\ntitle: Nuova\naliases: [\"{alias}\"]\n---\nx\n"),
            )
            .build();
        assert!(!run.ok(), "{alias}");
        assert!(
            run.stderr()
                .contains("is the path of a file the site makes"),
            "{alias}: {}",
            run.stderr()
        );
    }
}

#[test]
fn slug_with_dotdot_is_refused_and_writes_nothing_outside() {
    let site = TestSite::new().file(
        "content/new.it.md",
        "---\ntitle: Nuova\nslug: \"..\"\n---\nx\n",
    );
    let run = build_into_site_public(&site);
    assert!(!run.ok());
    let err = run.stderr();
    assert!(err.contains("the slug has a `..` segment"), "{err}");
    assert!(err.contains("content/new.it.md:3:8"), "{err}");
    assert_eq!(written_outside(&site), Vec::<String>::new());
}

#[test]
fn slug_with_more_than_one_segment_or_markup_is_refused() {
    for (slug, what) in [
        ("a/b", "the slug contains `/`"),
        ("\"<b>x</b>\"", "the slug contains `<`"),
        ("\"a\\\\b\"", "the slug contains a backslash"),
        ("\"a\\u200Fb\"", "direction mark (U+200F)"),
    ] {
        let run = TestSite::new()
            .file(
                "content/new.it.md",
                &format!("---\ntitle: Nuova\nslug: {slug}\n---\nx\n"),
            )
            .build();
        assert!(!run.ok(), "{slug}");
        let err = run.stderr();
        assert!(err.contains(what), "{slug}: {err}");
        assert!(err.contains("content/new.it.md:3:"), "{slug}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_theme_may_override_the_alias_sitemap_and_robots_templates() {
    let themes = tempfile::tempdir().unwrap();
    support::copy_dir(&support::themes(), themes.path());
    let t = themes.path().join("default/templates");
    std::fs::write(
        t.join("alias.html"),
        "<p>moved: {{ target }} {{ title }}</p>\n",
    )
    .unwrap();
    std::fs::write(t.join("robots.txt"), "User-agent: *\nDisallow: /private/\n").unwrap();
    let site = TestSite::new().file(
        "content/new.it.md",
        "---\ntitle: \"<i>Nuova</i>\"\naliases: [/vecchia/]\n---\nx\n",
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args(["build", "--content", "content", "--themes"])
        .arg(themes.path())
        .current_dir(site.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = site.path().join("public");
    assert_eq!(
        std::fs::read_to_string(public.join("vecchia/index.html")).unwrap(),
        "<p>moved: /it/new/ &lt;i&gt;Nuova&lt;/i&gt;</p>\n"
    );
    assert_eq!(
        std::fs::read_to_string(public.join("robots.txt")).unwrap(),
        "User-agent: *\nDisallow: /private/\n"
    );
    // not overridden: the built-in sitemap
    assert!(
        std::fs::read_to_string(public.join("sitemap.xml"))
            .unwrap()
            .contains("<loc>https://example.org/it/new/</loc>")
    );
}

#[test]
fn front_matter_never_closed_points_at_the_opening_line() {
    let run = TestSite::new()
        .file(
            "content/open.it.md",
            "---\ntitle: Aperta\nsummary: Mai chiusa\n\nTesto della pagina.\n",
        )
        .check();
    assert!(!run.ok());
    let err = run.stderr();
    assert!(
        err.contains("error: the front matter is never closed"),
        "{err}"
    );
    assert!(err.contains("content/open.it.md:1:1"), "{err}");
    assert!(!err.contains("has no front matter"), "{err}");
}

#[test]
fn toml_front_matter_says_yaml_is_expected_and_shows_the_conversion() {
    let run = TestSite::new()
        .file(
            "content/zola.it.md",
            "+++\ntitle = \"Da Zola\"\nweight = 2\ndate = 2025-01-31\n+++\nTesto.\n",
        )
        .check();
    assert!(!run.ok());
    let err = run.stderr();
    assert!(
        err.contains("this front matter is TOML (`+++`); pages use YAML"),
        "{err}"
    );
    assert!(err.contains("content/zola.it.md:1:1"), "{err}");
    assert!(
        err.contains("title: \"Da Zola\"\n    weight: 2\n    date: 2025-01-31"),
        "{err}"
    );
}

#[test]
fn duplicated_key_names_both_lines_in_plain_words() {
    let run = TestSite::new()
        .file(
            "content/dup.it.md",
            "---\ntitle: Uno\nsummary: breve\ntitle: Due\n---\n",
        )
        .check();
    assert!(!run.ok());
    let err = run.stderr();
    assert!(
        err.contains("`title` is written twice, on lines 2 and 4"),
        "{err}"
    );
    assert!(err.contains("content/dup.it.md:4:1"), "{err}");
    assert!(!err.contains("DuplicateKeyPolicy"), "{err}");
    assert!(!err.contains("Options"), "{err}");
}

#[test]
fn broken_link_suggests_the_closest_existing_source_path() {
    let run = TestSite::new()
        .page("guides/_index.it.md", "Guide", "")
        .page("guides/found-an-association.it.md", "Fondare", "")
        .page(
            "links.it.md",
            "Link",
            "[a](guides/found-an-asociation.md) [b](found-an-association.md)\n",
        )
        .check();
    assert!(!run.ok());
    let err = run.stderr();
    assert_eq!(
        err.matches("did you mean `/guides/found-an-association.md`?")
            .count(),
        2,
        "{err}"
    );
}

#[test]
fn a_theme_without_a_language_chooser_gets_the_built_in_one_escaped() {
    let themes = tempfile::tempdir().unwrap();
    support::copy_dir(&support::themes(), themes.path());
    std::fs::remove_file(themes.path().join("default/templates/languages.html")).unwrap();
    let site = TestSite::new().file(
        "content/site.yaml",
        &support::SITE.replace("it: Sito,", "it: \"Sito <script>x</script>\","),
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args(["build", "--content", "content", "--themes"])
        .arg(themes.path())
        .current_dir(site.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let root = std::fs::read_to_string(site.path().join("public/index.html")).unwrap();
    assert!(
        root.contains(r#"<a href="/ar/" lang="ar" dir="rtl" hreflang="ar">العربية</a>"#),
        "{root}"
    );
    assert!(
        root.contains("Sito &lt;script&gt;x&lt;/script&gt;"),
        "{root}"
    );
    assert!(!root.contains("<script>"), "{root}");
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
    // The one warning left: the fixture's pages carry no `updated` date.
    assert!(
        run.stdout().contains("0 error(s), 1 warning(s)")
            && run.stderr().contains("with no `updated` or `date`"),
        "{}{}",
        run.stdout(),
        run.stderr()
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

/// Every mistake an entry of `associations.yaml` can have, each at its
/// line: what `check` says of an entry an operator pasted in.
#[test]
fn association_entries_are_validated_with_located_errors() {
    let bad = r#"- id: Donne In Rete
  name: "Donne\u202Ein Rete"
  sectors: [educaton, women]
  city: Terni
  province: Terni
  languages: [arabic]
  email: info@donne
  phone: call us
  website: javascript:alert(1)
  description:
    de: Deutschkurse.
    it: Corsi di italiano.
  founded: 2999
  consent_date: 2999-01-01
- id: ponte
  name: Ponte
  sectors: [culture]
  city: Perugia
  province: PG
  description: { it: ok }
  source: ponte.example.org
"#;
    let run = TestSite::new()
        .file(
            "content/associations/_index.it.md",
            "---\ntitle: Associazioni\ntemplate: directory\n---\n",
        )
        .file("content/_data/associations.yaml", bad)
        .check();
    assert!(!run.ok());
    let err = run.stderr();
    assert!(!err.contains("panicked"), "{err}");
    insta::assert_snapshot!(err);
}

#[test]
fn huge_association_description_is_refused_at_its_line() {
    let huge = format!(
        "- id: a\n  name: A\n  sectors: [sport]\n  city: Terni\n  province: TR\n  description:\n    it: \"{}\"\n  source: https://a.example.org\n  consent_date: 2026-01-01\n",
        "x".repeat(100_000)
    );
    let run = TestSite::new()
        .file("content/_data/associations.yaml", &huge)
        .check();
    assert!(!run.ok());
    let err = run.stderr();
    assert!(
        err.contains("description is 100000 characters long (at most 600)"),
        "{err}"
    );
    assert!(err.contains("content/_data/associations.yaml:7:"), "{err}");
}
