//! End-to-end: fixture content trees built by the real `sportello` binary,
//! asserting on the HTML, the sitemap and the diagnostics an editor sees.

mod support;

use support::TestSite;

#[test]
fn right_to_left_language_gets_rtl_document() {
    let run = TestSite::new().build();
    assert!(run.ok(), "{}", run.stderr());
    let ar = run.file("ar/index.html");
    assert!(ar.contains(r#"<html lang="ar" dir="rtl">"#), "{ar}");
    assert!(
        run.file("it/index.html")
            .contains(r#"<html lang="it" dir="ltr">"#)
    );
}

#[test]
fn missing_translation_is_a_fallback_page_in_the_readers_interface() {
    let run = TestSite::new()
        .page("guides/_index.it.md", "Guide", "")
        .page("guides/_index.en.md", "Guides", "")
        .page(
            "guides/only-italian.it.md",
            "Solo italiano",
            "Testo in italiano.",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let en = run.file("en/guides/only-italian/index.html");
    // interface in English (the theme's English strings fall back to Italian
    // only where missing), text marked as Italian, canonical to the original
    assert!(en.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(
        en.contains(r#"lang="it" dir="ltr""#),
        "borrowed text must carry its language: {en}"
    );
    assert!(
        en.contains(r#"<link rel="canonical" href="https://example.org/it/guides/only-italian/">"#),
        "{en}"
    );
    assert!(en.contains(r#"class="notice""#), "fallback notice missing");
    // The language is named in the reader's language, as the sentence needs
    // ("in Italian", not "in Italiano").
    assert!(
        en.contains("Below is the original text in Italian."),
        "{en}"
    );
    assert!(en.contains("Testo in italiano."));
    let sitemap = run.file("sitemap.xml");
    assert!(sitemap.contains("https://example.org/it/guides/only-italian/"));
    assert!(
        !sitemap.contains("https://example.org/en/guides/only-italian/"),
        "fallbacks stay out of the sitemap"
    );
}

#[test]
fn translation_key_pairs_files_with_different_names_and_slugs_localise_urls() {
    let run = TestSite::new()
        .file(
            "content/guides/statuto.it.md",
            "---\ntitle: Lo statuto\ntranslation_key: statute\n---\nTesto.\n",
        )
        .file(
            "content/guides/statute.en.md",
            "---\ntitle: The statute\ntranslation_key: statute\nslug: the-statute\n---\nText.\n",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let en = run.file("en/guides/the-statute/index.html");
    assert!(
        en.contains(r#"hreflang="it" href="https://example.org/it/guides/statuto/""#),
        "{en}"
    );
    assert!(
        en.contains(r#"hreflang="x-default" href="https://example.org/it/guides/statuto/""#),
        "{en}"
    );
    let it = run.file("it/guides/statuto/index.html");
    assert!(
        it.contains(r#"href="/en/guides/the-statute/" hreflang="en""#),
        "switcher links the translation: {it}"
    );
    // Arabic has no translation: the switcher says so, the fallback uses the original's segment
    assert!(run.exists("ar/guides/statuto/index.html"));
    let sitemap = run.file("sitemap.xml");
    assert!(sitemap.contains(r#"<xhtml:link rel="alternate" hreflang="en" href="https://example.org/en/guides/the-statute/"/>"#), "{sitemap}");
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = TestSite::new().file(
        "content/wip.it.md",
        "---\ntitle: In corso\ndraft: true\n---\nx\n",
    );
    let run = site.build();
    assert!(run.ok(), "{}", run.stderr());
    assert!(!run.exists("it/wip/index.html"));
    let run = site.run(&["build", "--drafts"]);
    assert!(run.ok(), "{}", run.stderr());
    assert!(run.exists("it/wip/index.html"));
}

#[test]
fn aliases_become_redirect_pages() {
    let run = TestSite::new()
        .file(
            "content/new.it.md",
            "---\ntitle: Nuova\naliases: [/vecchia/, /old.html]\n---\nx\n",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    for alias in ["vecchia/index.html", "old.html"] {
        let html = run.file(alias);
        assert!(
            html.contains(r#"<meta http-equiv="refresh" content="0; url=/it/new/">"#),
            "{html}"
        );
        assert!(html.contains(r#"<link rel="canonical" href="https://example.org/it/new/">"#));
        assert!(html.contains(r#"<meta name="robots" content="noindex">"#));
        assert!(html.contains(r#"<a href="/it/new/">"#));
    }
}

#[test]
fn assets_are_published_and_links_to_them_resolved() {
    let run = TestSite::new()
        .file("content/guides/statuto-tipo.pdf", "%PDF-1.4 sample")
        .page(
            "guides/model.it.md",
            "Modello",
            "[Scarica lo statuto tipo](statuto-tipo.pdf)",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    assert_eq!(run.file("guides/statuto-tipo.pdf"), "%PDF-1.4 sample");
    assert!(
        run.file("it/guides/model/index.html")
            .contains(r#"href="/guides/statuto-tipo.pdf""#)
    );
}

#[test]
fn root_is_a_language_chooser_in_each_languages_script() {
    let run = TestSite::new().build();
    let root = run.file("index.html");
    for (code, name) in [("it", "Italiano"), ("en", "English"), ("ar", "العربية")] {
        assert!(
            root.contains(&format!(r#"<a href="/{code}/" lang="{code}""#)) && root.contains(name),
            "{code}: {root}"
        );
    }
    assert!(
        !root.contains("<script"),
        "the chooser works without JavaScript"
    );
}

#[test]
fn not_found_pages_per_language_and_at_root() {
    let run = TestSite::new().build();
    assert!(run.file("404.html").contains(r#"lang="it""#));
    assert!(
        run.file("ar/404.html")
            .contains(r#"<html lang="ar" dir="rtl">"#)
    );
    assert!(
        run.file("en/404.html")
            .contains(r#"<meta name="robots" content="noindex">"#)
    );
}

#[test]
fn links_between_pages_resolve_per_language_with_anchors() {
    let run = TestSite::new()
        .page("guides/_index.it.md", "Guide", "")
        .page("guides/statute.it.md", "Statuto", "## Soci {#members}\n\ntesto")
        .page("guides/statute.en.md", "Statute", "## Members {#members}\n\ntext")
        .page("guides/found.it.md", "Fondare", "[statuto](statute.md#members) e [sportelli](/desks/_index.md) e [web](https://example.com)")
        .page("guides/found.en.md", "Found", "[statute](statute.md#members)")
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let it = run.file("it/guides/found/index.html");
    assert!(it.contains(r#"href="/it/guides/statute/#members""#), "{it}");
    assert!(it.contains(r#"href="/it/desks/""#));
    assert!(it.contains(r#"href="https://example.com""#));
    assert!(
        run.file("en/guides/found/index.html")
            .contains(r#"href="/en/guides/statute/#members""#)
    );
    // a fallback page links to the reader's language
    assert!(
        run.file("ar/guides/found/index.html")
            .contains(r#"href="/ar/guides/statute/#members""#)
    );
}

#[test]
fn headings_have_ids_and_the_guide_lists_its_steps() {
    let run = TestSite::new()
        .file("content/guide.it.md", "---\ntitle: Guida\ntemplate: guide\n---\n## Primo passo {#first}\n\n## Secondo passo\n")
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let html = run.file("it/guide/index.html");
    assert!(
        html.contains(r#"<h2 id="first">Primo passo</h2>"#),
        "{html}"
    );
    assert!(html.contains(r##"<li><a href="#first">Primo passo</a></li>"##));
    assert!(html.contains(r##"<li><a href="#secondo-passo">Secondo passo</a></li>"##));
}

#[test]
fn desks_render_localised_hours_and_valid_json_ld() {
    let run = TestSite::new()
        .file("content/desks/_index.it.md", "---\ntitle: Sportelli\ntemplate: desks\n---\n")
        .file(
            "content/_data/desks.yaml",
            "- id: terni\n  name: { it: Sportello di Terni, en: Terni desk }\n  city: Terni\n  status: open\n  phone: \"+39 0744 812786\"\n  email: a@b.org\n  by_appointment: true\n  hours:\n    - { days: [mon, tue, wed, thu, fri], opens: \"09:00\", closes: \"12:00\" }\n- id: perugia\n  name: { it: Sportello di Perugia }\n  city: Perugia\n  status: coming_soon\n",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let en = run.file("en/desks/index.html");
    assert!(en.contains("Terni desk"));
    assert!(
        en.contains("Sportello di Perugia"),
        "a missing name falls back to the default language"
    );
    let it = run.file("it/desks/index.html");
    assert!(it.contains("lunedì – venerdì, 9:00 – 12:00"), "{it}");
    let start = it
        .find(r#"<script type="application/ld+json">"#)
        .expect("JSON-LD")
        + 35;
    let end = start + it[start..].find("</script>").unwrap();
    let doc: serde_json::Value = serde_json::from_str(&it[start..end]).expect("JSON-LD parses");
    let desk = &doc["@graph"][0];
    assert_eq!(desk["@type"], "LocalBusiness");
    assert_eq!(desk["contactPoint"]["@type"], "ContactPoint");
    assert_eq!(
        desk["openingHoursSpecification"][0]["dayOfWeek"][0],
        "https://schema.org/Monday"
    );
    assert_eq!(desk["openingHoursSpecification"][0]["opens"], "09:00");
    assert_eq!(
        doc["@graph"].as_array().unwrap().len(),
        1,
        "a desk not open yet is not announced as a place with hours"
    );
}

#[test]
fn contact_form_has_every_field_labelled() {
    let run = TestSite::new()
        .file(
            "content/contact/_index.it.md",
            "---\ntitle: Contatti\ntemplate: contact\n---\n",
        )
        .file(
            "content/_data/desks.yaml",
            "- { id: terni, name: { it: Terni }, city: Terni, status: open }\n",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let html = run.file("ar/contact/index.html");
    assert!(html.contains(r#"<form class="contact-form" method="post" action="/forms/contact""#));
    assert!(html.contains(r#"<input type="hidden" name="lang" value="ar">"#));
    for field in [
        "name", "email", "phone", "desk", "topic", "message", "consent", "website",
    ] {
        assert!(
            html.contains(&format!(r#"<label for="f-{field}">"#)),
            "label for {field}"
        );
        assert!(
            html.contains(&format!(r#"id="f-{field}" name="{field}""#)),
            "field {field}"
        );
    }
    assert!(
        html.contains(r#"href="/ar/privacy/""#),
        "consent links the privacy notice in the reader's language"
    );
}

#[test]
fn repeated_builds_are_identical_and_do_not_rewrite_unchanged_files() {
    let site = TestSite::new().page("a.it.md", "A", "x");
    let first = site.build();
    assert!(first.ok(), "{}", first.stderr());
    let path = site.path().join("public/it/a/index.html");
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = site.build();
    assert!(second.ok());
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        before,
        "unchanged file was rewritten"
    );
    assert!(
        second.stderr().contains("(0 written"),
        "{}",
        second.stderr()
    );
    // a page removed from content disappears from the output
    let third = site.remove("content/a.it.md").build();
    assert!(third.ok());
    assert!(!path.exists());
}

#[test]
fn no_change_rebuild_keeps_sitemap_and_feeds_and_remakes_deleted_ones() {
    let site = TestSite::new()
        .page("news/_index.it.md", "Notizie", "")
        .file(
            "content/news/a.it.md",
            "---\ntitle: Apre lo sportello\ndate: 2026-01-10\n---\nTesto.\n",
        );
    let first = site.build();
    assert!(first.ok(), "{}", first.stderr());
    let (sitemap, feed) = (first.file("sitemap.xml"), first.file("it/atom.xml"));
    let second = site.build();
    assert!(
        second.stderr().contains("(0 written"),
        "{}",
        second.stderr()
    );
    std::fs::remove_file(site.path().join("public/sitemap.xml")).unwrap();
    std::fs::remove_file(site.path().join("public/it/atom.xml")).unwrap();
    let third = site.build();
    assert!(third.ok(), "{}", third.stderr());
    assert_eq!(third.file("sitemap.xml"), sitemap);
    assert_eq!(third.file("it/atom.xml"), feed);
    // An edited page is in the next feed and sitemap.
    let site = site.file(
        "content/news/a.it.md",
        "---\ntitle: Lo sportello apre il lunedì\ndate: 2026-01-10\nupdated: 2026-03-02\n---\nTesto.\n",
    );
    let fourth = site.build();
    assert!(fourth.ok(), "{}", fourth.stderr());
    assert!(
        fourth
            .file("it/atom.xml")
            .contains("Lo sportello apre il lunedì")
    );
    assert!(
        fourth.file("sitemap.xml").contains("2026-03-02"),
        "{}",
        fourth.file("sitemap.xml")
    );
}

#[test]
fn summary_line_counts_pages_per_language_and_fallbacks() {
    let run = TestSite::new().build();
    let err = run.stderr();
    assert!(
        err.contains("built 7 pages (it 5, en 1, ar 1), 8 fallbacks"),
        "{err}"
    );
}

#[test]
fn refuses_to_write_into_a_folder_it_did_not_make() {
    let site = TestSite::new().file("public/precious.txt", "keep me");
    let run = site.build();
    assert!(!run.ok());
    assert!(
        run.stderr().contains("not made by `sportello build`"),
        "{}",
        run.stderr()
    );
    assert!(site.path().join("public/precious.txt").exists());
}

#[test]
fn a_rebuild_renders_only_what_changed_and_still_checks_anchors() {
    let site = TestSite::new()
        .page("a.it.md", "A", "## Uno {#one}\n\n[b](b.md)")
        .page("b.it.md", "B", "[a](a.md#one)");
    let first = site.build();
    assert!(first.ok(), "{}", first.stderr());
    let b_html = site.path().join("public/it/b/index.html");
    let b_time = std::fs::metadata(&b_html).unwrap().modified().unwrap();

    // Only A's body changes: A's three language versions are rendered again; B's are kept.
    let site = site.page("a.it.md", "A", "## Uno {#one}\n\nNuovo testo.\n\n[b](b.md)");
    let second = site.build();
    assert!(second.ok(), "{}", second.stderr());
    assert!(
        second.stderr().contains("(3 written"),
        "{}",
        second.stderr()
    );
    assert!(second.file("it/a/index.html").contains("Nuovo testo."));
    assert_eq!(
        std::fs::metadata(&b_html).unwrap().modified().unwrap(),
        b_time
    );

    // A's heading goes: B, although unchanged, now links to a missing anchor.
    let site = site.page("a.it.md", "A", "Niente titoli.");
    let third = site.build();
    assert!(!third.ok());
    assert!(
        third.stderr().contains("anchor `#one` does not exist"),
        "{}",
        third.stderr()
    );
    assert!(
        third.stderr().contains("content/b.it.md:4:1"),
        "{}",
        third.stderr()
    );

    // A deleted output file is made again even though nothing changed.
    let site = site.page("a.it.md", "A", "## Uno {#one}");
    assert!(site.build().ok());
    std::fs::remove_file(&b_html).unwrap();
    let again = site.build();
    assert!(again.ok(), "{}", again.stderr());
    assert!(b_html.exists());
}

#[test]
fn a_template_change_renders_every_page_again() {
    let themes = tempfile::tempdir().unwrap();
    support::copy_dir(&support::themes(), themes.path());
    let site = TestSite::new();
    let run = |site: &TestSite| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sportello"))
            .args(["build", "--content", "content", "--themes"])
            .arg(themes.path())
            .current_dir(site.path())
            .output()
            .unwrap()
    };
    assert!(run(&site).status.success());
    let page = themes.path().join("default/templates/page.html");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(
        &page,
        text.replace(
            "<h1>{{ page.title }}</h1>",
            "<h1 class=\"changed\">{{ page.title }}</h1>",
        ),
    )
    .unwrap();
    assert!(run(&site).status.success());
    let html = std::fs::read_to_string(site.path().join("public/en/about/index.html")).unwrap();
    assert!(html.contains(r#"<h1 class="changed">"#), "{html}");
}

#[test]
fn windows_line_endings_and_byte_order_mark_are_accepted() {
    let run = TestSite::new()
        .file(
            "content/win.it.md",
            "\u{feff}---\r\ntitle: Finestre\r\n---\r\n## Passo {#step}\r\n\r\nTesto.\r\n",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    assert!(
        run.file("it/win/index.html")
            .contains(r#"<h2 id="step">Passo</h2>"#)
    );
}

#[test]
fn odd_files_are_reported_not_panicked_on() {
    let run = TestSite::new()
        .file("content/empty.it.md", "")
        .file("content/fence.it.md", "---\n")
        .file("content/list.it.md", "---\n- a\n- b\n---\n")
        .file("content/binary.it.md", "\u{0}\u{1}\u{2}")
        .build();
    assert!(!run.ok());
    let err = run.stderr();
    assert!(!err.contains("panicked"), "{err}");
    for f in ["empty.it.md", "fence.it.md", "list.it.md", "binary.it.md"] {
        assert!(err.contains(&format!("content/{f}")), "{f}: {err}");
    }
}

#[test]
fn dates_are_written_in_the_readers_language() {
    let run = TestSite::new()
        .file(
            "content/news.it.md",
            "---\ntitle: Notizia\ndate: 2026-03-05\nupdated: 2026-11-26\n---\n",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let it = run.file("it/news/index.html");
    assert!(
        it.contains(r#"<time datetime="2026-03-05">5 marzo 2026</time>"#),
        "{it}"
    );
    assert!(
        it.contains(r#"<time datetime="2026-11-26">26 novembre 2026</time>"#),
        "{it}"
    );
    // the fallback in English shows the dates with English month names
    let en = run.file("en/news/index.html");
    assert!(en.contains("5 March 2026"), "{en}");
    assert!(
        en.contains(r#"<p class="meta" lang="en" dir="ltr">"#),
        "interface text in a fallback is marked as the reader's: {en}"
    );
}

#[test]
fn robots_txt_points_at_the_sitemap() {
    let run = TestSite::new().build();
    assert_eq!(
        run.file("robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/sitemap.xml\n"
    );
}

#[test]
fn language_switcher_tells_translations_from_fallbacks() {
    let run = TestSite::new()
        .page("a.it.md", "A", "")
        .page("a.en.md", "A (en)", "")
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let html = run.file("en/a/index.html");
    let switcher = &html[html.find("lang-switcher").unwrap()..html.find("</nav>").unwrap()];
    assert!(
        switcher.contains(
            r#"href="/en/a/" hreflang="en" lang="en" dir="ltr" aria-current="true">English</a>"#
        ),
        "{switcher}"
    );
    assert!(switcher.contains(r#">Italiano</a>"#), "{switcher}");
    // Arabic has no translation: the link goes to the fallback and says so, in the reader's language
    assert!(switcher.contains(r#"href="/ar/a/" hreflang="ar" lang="ar" dir="rtl">العربية <small lang="en" dir="ltr">(not translated yet)</small>"#), "{switcher}");
}

#[test]
fn dotted_names_underscore_and_hidden_files() {
    let run = TestSite::new()
        .page("news/2025.7.md", "Luglio 2025", "")
        .page("news/2025.7.en.md", "July 2025", "")
        .page("news/_notes.md", "Appunti", "")
        .page("news/.draft.it.md", "Nascosto", "")
        .page("_templates/page.it.md", "Modello", "")
        .build();
    assert!(run.ok(), "{}", run.stderr());
    assert!(
        run.file("it/news/2025.7/index.html")
            .contains("Luglio 2025")
    );
    assert!(run.file("en/news/2025.7/index.html").contains("July 2025"));
    assert!(!run.exists("it/news/_notes/index.html"));
    assert!(!run.exists("it/news/.draft/index.html"));
    assert!(!run.exists("it/_templates/page/index.html"));
}

/// Sets every file of the fixture's content to an old modification time, as
/// if edited long ago, so the next builds trust their size and time.
fn age_content(site: &TestSite) {
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for e in walkdir::WalkDir::new(site.path().join("content"))
        .into_iter()
        .flatten()
    {
        if e.file_type().is_file() {
            std::fs::File::options()
                .write(true)
                .open(e.path())
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
    }
}

#[test]
fn pages_taken_from_the_cache_are_read_when_needed() {
    let site = TestSite::new()
        .page("a.it.md", "A", "## Uno {#one}\n")
        .page("b.it.md", "B", "Vedi [a](a.md#one).\n");
    age_content(&site);
    assert!(site.build().ok());
    // Second build: every page comes from the cache, unread.
    assert!(site.build().stderr().contains("(0 written"));
    // An output removed by hand: B is rendered again from its (unread) file.
    std::fs::remove_file(site.path().join("public/it/b/index.html")).unwrap();
    let again = site.build();
    assert!(again.ok(), "{}", again.stderr());
    assert!(
        again
            .file("it/b/index.html")
            .contains(r#"href="/it/a/#one""#)
    );
    // A's heading goes: B, unchanged and unread, is quoted at its line.
    let site = site.page("a.it.md", "A", "Niente titoli.\n");
    let broken = site.build();
    assert!(!broken.ok());
    let err = broken.stderr();
    assert!(err.contains("content/b.it.md:4:6"), "{err}");
    assert!(
        err.contains("Vedi [a](a.md#one)."),
        "the line is quoted: {err}"
    );
}

/// Regression: the cache was keyed by the content folder as it was typed,
/// so `build --content content` then `serve --content /srv/desk/content`
/// (or the benchmark) found nothing and rendered every page again.
#[test]
fn cache_is_found_whether_the_content_folder_is_named_relatively_or_absolutely() {
    let site = TestSite::new().page("a.it.md", "A", "Prima.");
    age_content(&site);
    assert!(site.build().ok());
    // A file whose size and time are unchanged is not read again (as make
    // does): changed behind the cache's back, its old page shows that the
    // cache was used.
    let path = site.path().join("content/a.it.md");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("Prima.", "Primo.")).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sportello"))
        .arg("build")
        .arg("--content")
        .arg(site.path().join("content"))
        .arg("--themes")
        .arg(support::themes())
        .arg("--out")
        .arg(site.path().join("public"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let page = std::fs::read_to_string(site.path().join("public/it/a/index.html")).unwrap();
    assert!(
        page.contains("Prima."),
        "rendered again, cache not found: {err}"
    );
}

#[test]
fn right_to_left_page_isolates_left_to_right_body_links() {
    let run = TestSite::new()
        .page(
            "contacts.it.md",
            "Contatti",
            "Chiamate il [0744 812786](tel:+390744812786).",
        )
        .page(
            "contacts.ar.md",
            "اتصال",
            "اتصلوا بالرقم [0744 812786](tel:+390744812786) أو اكتبوا إلى <regionale@example.org> أو زوروا [صفحتنا](https://example.org/ar/).",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let ar = run.file("ar/contacts/index.html");
    assert!(
        ar.contains(r#"<bdi dir="ltr"><a href="tel:+390744812786">0744 812786</a></bdi>"#),
        "{ar}"
    );
    assert!(
        ar.contains(r#"<bdi dir="ltr"><a href="mailto:regionale@example.org">regionale@example.org</a></bdi>"#),
        "{ar}"
    );
    assert!(
        ar.contains(r#"زوروا <a href="https://example.org/ar/">صفحتنا</a>"#),
        "a right-to-left link text follows the page: {ar}"
    );
    // Left-to-right pages are left as they are.
    let it = run.file("it/contacts/index.html");
    assert!(
        it.contains(r#"il <a href="tel:+390744812786">0744 812786</a>."#),
        "{it}"
    );
}

#[test]
fn email_autolinks_and_mailto_tel_sms_links_pass_the_link_check() {
    let run = TestSite::new()
        .page(
            "write.it.md",
            "Scrivere",
            "Scrivete a <someone@example.org>, [a noi](mailto:desk@example.org), \
             [telefono](tel:+390744812786) o [sms](sms:+390744812786).",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let html = run.file("it/write/index.html");
    for href in [
        "mailto:someone@example.org",
        "mailto:desk@example.org",
        "tel:+390744812786",
        "sms:+390744812786",
    ] {
        assert!(
            html.contains(&format!(r#"href="{href}""#)),
            "{href}: {html}"
        );
    }
}

#[test]
fn heading_ids_follow_githubs_rules_so_copied_anchors_work() {
    let run = TestSite::new()
        .page(
            "tools.en.md",
            "Tools",
            "### llms.txt Support\n\n## Step 1: Choose!\n\n## Step 1: Choose!\n\n## مرحبا بكم\n",
        )
        .page(
            "links.en.md",
            "Links",
            "[support](tools.md#llmstxt-support), [again](tools.md#step-1-choose-1), [ar](tools.md#مرحبا-بكم)",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let html = run.file("en/tools/index.html");
    for id in [
        "llmstxt-support",
        "step-1-choose",
        "step-1-choose-1",
        "مرحبا-بكم",
    ] {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}: {html}");
    }
}

#[test]
fn build_cache_is_not_published() {
    let site = TestSite::new().page("a.it.md", "A", "## Uno {#one}\n");
    age_content(&site);
    let first = site.build();
    assert!(first.ok(), "{}", first.stderr());
    let public = site.path().join("public");
    // Nothing in the published folder is the build's own: no dot-file, no
    // file naming the source tree or its front matter.
    for e in walkdir::WalkDir::new(&public).min_depth(1) {
        let e = e.unwrap();
        let rel = e
            .path()
            .strip_prefix(&public)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            !rel.split('/').any(|s| s.starts_with('.')),
            "{rel} is published"
        );
        if e.file_type().is_file() {
            let text = String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned();
            assert!(!text.contains("a.it.md"), "{rel} holds a source path");
        }
    }
    // The cache still works, from next to the content folder.
    assert!(site.path().join(".sportello-cache").is_dir());
    let second = site.build();
    assert!(
        second.stderr().contains("(0 written"),
        "{}",
        second.stderr()
    );
    // The output folder is still recognised as ours: stale files go.
    let third = site.remove("content/a.it.md").build();
    assert!(third.ok(), "{}", third.stderr());
    assert!(!third.exists("it/a/index.html"));
}

#[test]
fn output_folder_of_an_older_version_is_taken_over_and_its_cache_removed() {
    let site = TestSite::new()
        .file("public/.sportello-build", "made by sportello build\n")
        .file("public/.sportello-cache.json", "{\"version\":2}")
        .file("public/it/old/index.html", "old");
    let run = site.build();
    assert!(run.ok(), "{}", run.stderr());
    assert!(run.exists("it/index.html"));
    for old in [
        ".sportello-build",
        ".sportello-cache.json",
        "it/old/index.html",
    ] {
        assert!(!run.exists(old), "{old} is still published");
    }
}

#[test]
fn template_written_with_html_extension_is_accepted() {
    let run = TestSite::new()
        .file(
            "content/steps.it.md",
            "---\ntitle: Passi\ntemplate: guide.html\n---\n## Uno {#one}\n",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let html = run.file("it/steps/index.html");
    assert!(
        html.contains(r##"href="#one""##),
        "the guide's step list: {html}"
    );
}

/// A desk's details come from a dated public notice: the desks page says
/// where they come from and when, in the reader's language.
#[test]
fn desk_details_show_their_source_and_its_date() {
    let run = TestSite::new()
        .file("content/desks/_index.it.md", "---\ntitle: Sportelli\ntemplate: desks\n---\n")
        .file(
            "content/_data/desks.yaml",
            "- id: perugia\n  name: { it: Sportello di Perugia }\n  city: Perugia\n  status: open\n  address: \"via Campo di Marte 9/b\"\n  by_appointment: true\n  source: \"https://www.umbriaintegra.it/avviso/?a=1&b=2\"\n  source_date: \"2022-03-02\"\n",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let it = run.file("it/desks/index.html");
    assert!(
        it.contains(
            r#"<a href="https://www.umbriaintegra.it/avviso/?a=1&amp;b=2">avviso pubblico</a>"#
        ),
        "{it}"
    );
    assert!(
        it.contains(r#"<time datetime="2022-03-02">2 marzo 2022</time>"#),
        "{it}"
    );
    let en = run.file("en/desks/index.html");
    assert!(en.contains("public notice"), "{en}");
    assert!(en.contains("may have changed"), "{en}");
}

#[test]
fn desk_source_that_is_not_a_web_address_is_a_located_error() {
    let run = TestSite::new()
        .file(
            "content/_data/desks.yaml",
            "- id: terni\n  name: { it: Terni }\n  city: Terni\n  status: open\n  source: \"javascript:alert(1)\"\n  source_date: \"2 marzo\"\n",
        )
        .build();
    assert!(!run.ok());
    let err = run.stderr();
    assert!(
        err.contains("source `javascript:alert(1)` is not a web address"),
        "{err}"
    );
    assert!(err.contains("desks.yaml:5:"), "{err}");
    assert!(err.contains("source_date `2 marzo` is not a date"), "{err}");
}

#[test]
fn default_theme_builds_a_tree_of_settings_and_one_home_page() {
    let run = TestSite::empty()
        .file(
            "content/site.yaml",
            "base_url: https://example.org\ndefault_language: en\ntitle: { en: Mini }\nlanguages:\n  - { code: en, name: English }\n",
        )
        .file("content/index.md", "---\ntitle: Home\n---\nHello.\n")
        .build();
    assert!(run.ok(), "{}", run.stderr());
    assert!(!run.stderr().contains("error"), "{}", run.stderr());
    let home = run.file("en/index.html");
    assert!(home.contains("Hello."), "{home}");
    for absent in [
        "/en/privacy/",
        "/en/about/",
        "/en/contact/",
        "/en/desks/",
        "<form",
    ] {
        assert!(!home.contains(absent), "{absent} in {home}");
    }
    assert!(
        !home.contains("contact-block"),
        "no desks and no contact pages: no contact block: {home}"
    );
}

#[test]
fn default_theme_links_about_privacy_contact_and_desks_only_where_they_exist() {
    let site = TestSite::new()
        .file(
            "content/contact/_index.it.md",
            "---\ntitle: Contatti\ntemplate: contact\n---\n",
        )
        .remove("content/privacy.it.md")
        .remove("content/desks/_index.it.md");
    let run = site.build();
    assert!(run.ok(), "{}", run.stderr());
    let page = run.file("en/about/index.html");
    assert!(page.contains(r#"href="/en/about/""#), "{page}");
    assert!(page.contains(r#"href="/en/contact/""#), "{page}");
    assert!(!page.contains("/en/privacy/"), "{page}");
    assert!(!page.contains("/en/desks/"), "{page}");
    let contact = run.file("en/contact/index.html");
    assert!(contact.contains("<form"), "{contact}");
    assert!(!contact.contains("/en/privacy/"), "{contact}");

    let run = site
        .remove("content/about.it.md")
        .remove("content/contact/_index.it.md")
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let home = run.file("ar/index.html");
    for absent in ["/ar/about/", "/ar/contact/", "/ar/privacy/", "/ar/desks/"] {
        assert!(!home.contains(absent), "{absent} in {home}");
    }
}

#[test]
fn contact_form_only_where_the_site_configures_one() {
    let run = TestSite::new()
        .file(
            "content/site.yaml",
            &support::SITE.replace("forms: { contact: /forms/contact }\n", ""),
        )
        .file(
            "content/contact/_index.it.md",
            "---\ntitle: Contatti\ntemplate: contact\n---\nScriveteci.\n",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let contact = run.file("it/contact/index.html");
    assert!(contact.contains("Scriveteci."), "{contact}");
    assert!(!contact.contains("<form"), "{contact}");
    assert!(!contact.contains("/forms/contact"), "{contact}");
    assert!(
        !run.file("it/index.html").contains("Scrivi con il modulo"),
        "no form, no \"write with the form\" link on every page"
    );
}

#[test]
fn one_template_mistake_on_every_page_is_reported_once_with_a_count() {
    let themes = tempfile::tempdir().unwrap();
    support::copy_dir(&support::themes(), themes.path());
    let base = themes.path().join("default/templates/base.html");
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(
        &base,
        text.replace(
            "</footer>",
            "<a href=\"{{ url_for(path='/team.md') }}\">team</a></footer>",
        ),
    )
    .unwrap();
    let site = TestSite::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args(["build", "--content", "content", "--themes"])
        .arg(themes.path())
        .current_dir(site.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(err.matches("no page `/team.md`").count(), 1, "{err}");
    assert!(err.contains("more pages)"), "{err}");
    assert!(err.contains("build failed: 1 error(s)"), "{err}");
}

/// Readers are told when a translation was made from an older version of
/// its original (issue 14): in their language, with the original's date and
/// a link to it; a current translation, an untracked one and a fallback say
/// nothing, and `stale_notice: false` turns the notice off.
#[test]
fn translation_older_than_its_original_tells_readers() {
    let original = "---\ntitle: Statuto\nupdated: 2026-11-20\n---\nTesto nuovo.\n";
    // The digest `check` asks for, read from its report.
    let digest = {
        let report = TestSite::new()
            .file("content/statute.it.md", original)
            .file(
                "content/statute.en.md",
                "---\ntitle: Statute\ntranslated_from: \"000000000000\"\n---\n",
            )
            .check()
            .stdout();
        let line = report
            .lines()
            .find(|l| l.contains("statute.en.md"))
            .unwrap();
        let at = line.find("`translated_from: ").unwrap() + "`translated_from: ".len();
        line[at..at + 12].to_string()
    };
    let site = TestSite::new()
        .file("content/statute.it.md", original)
        .file(
            "content/statute.en.md",
            "---\ntitle: Statute\ntranslated_from: \"000000000000\"\n---\nOld text.\n",
        )
        .file(
            "content/statute.ar.md",
            &format!("---\ntitle: النظام\ntranslated_from: \"{digest}\"\n---\nنص.\n"),
        )
        .file("content/other.it.md", "---\ntitle: Altro\n---\nX.\n")
        .file("content/other.en.md", "---\ntitle: Other\n---\nY.\n");
    let run = site.build();
    assert!(run.ok(), "{}", run.stderr());
    let en = run.file("en/statute/index.html");
    assert!(en.contains("This translation may be out of date"), "{en}");
    assert!(
        en.contains("The original text (Italian) has changed"),
        "{en}"
    );
    assert!(
        en.contains(r#"<time datetime="2026-11-20">20 November 2026</time>"#),
        "{en}"
    );
    assert!(
        en.contains(r#"<a href="/it/statute/" hreflang="it">Read the original</a>"#),
        "{en}"
    );
    let ar = run.file("ar/statute/index.html");
    assert!(!ar.contains("قد لا تكون هذه الترجمة محدَّثة"), "current: {ar}");
    assert!(
        !run.file("en/other/index.html").contains("out of date"),
        "untracked"
    );
    assert!(
        !run.file("ar/other/index.html").contains("قد لا تكون"),
        "fallback"
    );
    let off = site.file(
        "content/site.yaml",
        &format!("{}stale_notice: false\n", support::SITE),
    );
    let run = off.build();
    assert!(run.ok(), "{}", run.stderr());
    assert!(!run.file("en/statute/index.html").contains("out of date"));
}

/// Atom feeds (issue 14): one per language and one per section with dated
/// pages, valid for a feed reader (parsed here by `feed-rs`), absolute URLs,
/// newest first, no fallback pages, linked from the pages' heads.
#[test]
fn atom_feeds_per_language_and_section_are_valid_and_leave_out_fallbacks() {
    let run = TestSite::new()
        .page("news/_index.it.md", "Notizie", "")
        .file(
            "content/news/a.it.md",
            "---\ntitle: \"<script>x</script> & co\"\nsummary: Apre lo sportello\ndate: 2026-01-10\n---\nTesto.\n",
        )
        .file(
            "content/news/a.en.md",
            "---\ntitle: The desk opens\ndate: 2026-01-10\nupdated: 2026-01-12\n---\nText.\n",
        )
        .file(
            "content/news/b.it.md",
            "---\ntitle: Evento\ndate: 2026-02-01\n---\nTesto.\n",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let parse = |rel: &str| {
        feed_rs::parser::parse(run.file(rel).as_bytes())
            .unwrap_or_else(|e| panic!("{rel} is not a valid feed: {e}"))
    };
    let it = parse("it/atom.xml");
    assert_eq!(it.feed_type, feed_rs::model::FeedType::Atom);
    let titles: Vec<_> = it
        .entries
        .iter()
        .map(|e| e.title.clone().unwrap().content)
        .collect();
    assert_eq!(
        titles,
        ["Evento", "<script>x</script> & co"],
        "newest first, text kept as text"
    );
    assert_eq!(
        it.entries[1].links[0].href,
        "https://example.org/it/news/a/"
    );
    assert_eq!(
        it.entries[1].summary.as_ref().unwrap().content,
        "Apre lo sportello"
    );
    assert_eq!(it.language.as_deref(), Some("it"));
    let en = parse("en/atom.xml");
    assert_eq!(
        en.entries.len(),
        1,
        "the Italian-only page is a fallback in English"
    );
    assert_eq!(
        en.entries[0].links[0].href,
        "https://example.org/en/news/a/"
    );
    assert_eq!(
        en.entries[0].updated.unwrap().to_rfc3339(),
        "2026-01-12T00:00:00+00:00"
    );
    let section = parse("it/news/atom.xml");
    assert_eq!(section.entries.len(), 2);
    assert!(
        !run.exists("ar/atom.xml"),
        "Arabic has only fallbacks: no feed"
    );
    let page = run.file("it/news/a/index.html");
    for href in ["/it/atom.xml", "/it/news/atom.xml"] {
        assert!(
            page.contains(&format!(
                r#"<link rel="alternate" type="application/atom+xml" href="{href}""#
            )),
            "{href}: {page}"
        );
    }
    assert!(
        !run.file("ar/news/a/index.html")
            .contains("application/atom+xml")
    );
}

#[cfg(unix)]
#[test]
fn symlinks_leaving_content_are_refused_with_their_location() {
    let site = TestSite::new()
        .file("outside/secret.txt", "SECRET")
        .file("outside/page.it.md", "---\ntitle: Fuori\n---\nSECRET\n")
        .file("content/docs/real.txt", "fine");
    let root = site.path();
    std::os::unix::fs::symlink(
        root.join("outside/secret.txt"),
        root.join("content/passwd.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(root.join("outside"), root.join("content/elsewhere")).unwrap();
    // A link that stays inside content/ is an ordinary file.
    std::os::unix::fs::symlink(
        root.join("content/docs/real.txt"),
        root.join("content/same.txt"),
    )
    .unwrap();
    let run = site.build();
    assert!(!run.ok(), "{}", run.stderr());
    let err = run.stderr();
    assert!(err.contains("content/passwd.txt"), "{err}");
    assert!(err.contains("content/elsewhere"), "{err}");
    assert!(err.contains("outside the content folder"), "{err}");
    assert!(!run.exists("passwd.txt") && !run.exists("elsewhere/secret.txt"));
    assert!(!err.contains("elsewhere/page"), "not walked into: {err}");

    std::fs::remove_file(root.join("content/passwd.txt")).unwrap();
    std::fs::remove_file(root.join("content/elsewhere")).unwrap();
    let run = site.build();
    assert!(run.ok(), "{}", run.stderr());
    assert_eq!(run.file("same.txt"), "fine");
}

/// A section of dated pages (news) lists the newest first without weights;
/// weights still come first, and undated pages follow the dated ones.
#[test]
fn dated_pages_are_listed_newest_first() {
    let run = TestSite::new()
        .page("news/_index.it.md", "Notizie", "")
        .file(
            "content/news/a.it.md",
            "---\ntitle: Alfa\ndate: 2022-03-02\n---\n",
        )
        .file(
            "content/news/b.it.md",
            "---\ntitle: Beta\ndate: 2022-06-26\n---\n",
        )
        .file("content/news/c.it.md", "---\ntitle: Gamma\n---\n")
        .build();
    assert!(run.ok(), "{}", run.stderr());
    let list = run.file("it/news/index.html");
    let at = |t: &str| {
        list.find(&format!(">{t}<"))
            .unwrap_or_else(|| panic!("{t}: {list}"))
    };
    assert!(at("Beta") < at("Alfa"), "newest first: {list}");
    assert!(at("Alfa") < at("Gamma"), "undated after dated: {list}");
}

#[test]
fn every_page_shows_when_it_was_last_reviewed_in_the_readers_language() {
    let run = TestSite::new()
        .file(
            "content/news/a.it.md",
            "---\ntitle: Notizia\ndate: 2026-03-05\n---\nTesto.\n",
        )
        .file(
            "content/news/a.en.md",
            "---\ntitle: News\ndate: 2026-03-05\nupdated: 2026-11-26\n---\nText.\n",
        )
        .file(
            "content/guides/g.it.md",
            "---\ntitle: Guida\ntemplate: guide\nupdated: 2026-02-14\n---\n## Passo\n",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    // Only `date`: that is the day it was last reviewed.
    assert!(
        run.file("it/news/a/index.html")
            .contains(r#"Ultima revisione: <time datetime="2026-03-05">5 marzo 2026</time>"#),
        "{}",
        run.file("it/news/a/index.html")
    );
    // `updated` wins over `date`.
    assert!(
        run.file("en/news/a/index.html")
            .contains(r#"Last reviewed: <time datetime="2026-11-26">26 November 2026</time>"#)
    );
    // A fallback says it in the reader's language, of the text it shows.
    assert!(
        run.file("ar/news/a/index.html")
            .contains(r#"آخر مراجعة: <time datetime="2026-03-05">5 مارس 2026</time>"#)
    );
    // The guide template too, and a page with neither shows no date.
    assert!(
        run.file("en/guides/g/index.html")
            .contains(r#"Last reviewed: <time datetime="2026-02-14">14 February 2026</time>"#)
    );
    assert!(!run.file("it/about/index.html").contains("Ultima revisione"));
}

#[test]
fn check_warns_about_pages_with_no_updated_or_date() {
    let run = TestSite::new()
        .file(
            "content/news/a.it.md",
            "---\ntitle: Notizia\ndate: 2026-03-05\n---\nTesto.\n",
        )
        .check();
    assert!(run.ok(), "a warning, not an error: {}", run.stderr());
    let err = run.stderr();
    assert!(
        err.contains(
            "with no `updated` or `date`, so readers are not told when they were last reviewed"
        ),
        "{err}"
    );
    assert!(err.contains("content/about.it.md"), "{err}");
    assert!(!err.contains("content/news/a.it.md"), "{err}");
}

/// The text of every page a language's search index holds (Pagefind's
/// fragments: gzip, each starting with its `pagefind_dcd` mark).
fn search_index_text(run: &support::Run, lang: &str) -> String {
    use std::io::Read;
    let dir = run
        .root
        .join("public")
        .join(lang)
        .join("search/pagefind/fragment");
    let mut all = String::new();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .unwrap();
        all.push_str(&text);
    }
    all
}

fn search_site() -> TestSite {
    TestSite::new()
        .page("guides/_index.it.md", "Guide", "")
        .page("guides/_index.en.md", "Guides", "")
        .page("guides/_index.ar.md", "أدلة", "")
        .page("guides/house.it.md", "Casa", "Il contratto di locazione.")
        .page("guides/house.en.md", "Housing", "The pumpernickel lease.")
        .page("guides/house.ar.md", "السكن", "عقد الزيتونة للإيجار.")
        .page("guides/only-it.it.md", "Solo", "Il campanile del paese.")
}

#[test]
fn search_index_per_language_holds_only_that_languages_pages() {
    let run = search_site().build();
    assert!(run.ok(), "{}", run.stderr());
    for lang in ["it", "en", "ar"] {
        for f in [
            "pagefind-entry.json",
            "pagefind.js",
            "pagefind-ui.js",
            "pagefind-ui.css",
        ] {
            assert!(
                run.exists(&format!("{lang}/search/pagefind/{f}")),
                "{lang} {f}"
            );
        }
        // Only the interface the search page loads is published.
        assert!(!run.exists(&format!("{lang}/search/pagefind/pagefind-component-ui.js")));
    }
    let (it, en, ar) = (
        search_index_text(&run, "it"),
        search_index_text(&run, "en"),
        search_index_text(&run, "ar"),
    );
    assert!(ar.contains("الزيتونة"), "{ar}");
    assert!(!en.contains("الزيتونة") && !it.contains("الزيتونة"));
    assert!(en.contains("pumpernickel"), "{en}");
    assert!(!ar.contains("pumpernickel") && !it.contains("pumpernickel"));
    // A fallback shows the Italian text: only the Italian index holds it.
    assert!(it.contains("campanile"), "{it}");
    assert!(
        !en.contains("campanile") && !ar.contains("campanile"),
        "{en}"
    );
    // Results link to the pages' own URLs.
    assert!(ar.contains("/ar/guides/house/"), "{ar}");
    assert!(
        run.stderr().contains("search index it "),
        "{}",
        run.stderr()
    );
}

#[test]
fn search_page_per_language_and_a_link_to_it_on_every_page() {
    let run = search_site().build();
    assert!(run.ok(), "{}", run.stderr());
    let page = run.file("ar/search/index.html");
    assert!(page.contains(r#"<html lang="ar" dir="rtl">"#), "{page}");
    assert!(
        page.contains(r#"data-bundle="/ar/search/pagefind/""#),
        "{page}"
    );
    assert!(
        page.contains(r#"src="/ar/search/pagefind/pagefind-ui.js""#),
        "{page}"
    );
    // Without JavaScript: the sections, linked.
    assert!(page.contains("<noscript>"), "{page}");
    assert!(page.contains(r#"href="/ar/guides/""#), "{page}");
    for (lang, rel) in [
        ("ar", "ar/guides/house/index.html"),
        ("en", "en/index.html"),
        ("it", "it/404.html"),
    ] {
        let html = run.file(rel);
        assert!(
            html.contains(&format!(r#"class="search-link" href="/{lang}/search/""#)),
            "{rel}: {html}"
        );
        // Pagefind's script is loaded by the search page only.
        assert!(!html.contains("pagefind"), "{rel}");
    }
}

#[test]
fn search_index_follows_an_edited_page_on_rebuild() {
    let site = search_site();
    assert!(site.build().ok());
    let unchanged = site.build();
    assert!(unchanged.ok(), "{}", unchanged.stderr());
    assert!(search_index_text(&unchanged, "ar").contains("الزيتونة"));
    let site = site.page("guides/house.ar.md", "السكن", "عقد الرمانة للإيجار.");
    let run = site.build();
    assert!(run.ok(), "{}", run.stderr());
    let ar = search_index_text(&run, "ar");
    assert!(ar.contains("الرمانة"), "{ar}");
    assert!(!ar.contains("الزيتونة"), "the old text is gone: {ar}");
    // Only the language whose page changed is indexed again (Pagefind takes
    // seconds per thousand pages); the others keep their index, whole.
    let err = run.stderr();
    assert!(err.contains("search index ar "), "{err}");
    assert!(
        !err.contains("search index it ") && !err.contains("search index en "),
        "{err}"
    );
    assert!(search_index_text(&run, "en").contains("pumpernickel"));
    assert!(search_index_text(&run, "it").contains("campanile"));
    assert!(run.exists("en/search/pagefind/pagefind-entry.json"));
}

#[test]
fn search_index_deleted_from_the_output_is_made_again() {
    let site = search_site();
    let first = site.build();
    assert!(first.ok(), "{}", first.stderr());
    std::fs::remove_dir_all(first.root.join("public/en/search/pagefind")).unwrap();
    let run = site.build();
    assert!(run.ok(), "{}", run.stderr());
    assert!(search_index_text(&run, "en").contains("pumpernickel"));
    let err = run.stderr();
    assert!(err.contains("search index en "), "{err}");
    assert!(!err.contains("search index ar "), "{err}");
}

#[test]
fn page_at_the_search_pages_address_is_refused() {
    let run = TestSite::new()
        .page("search.en.md", "Search", "Mine.")
        .build();
    assert!(!run.ok());
    assert!(
        run.stderr()
            .contains("`/en/search/` is the address of the site's search page"),
        "{}",
        run.stderr()
    );
}

/// Made-up associations (tests only: the shipped directory lists none
/// without a public source and consent).
const ASSOCIATIONS: &str = r#"- id: donne-in-rete
  name: Donne in Rete
  sectors: [women, education]
  city: Terni
  province: TR
  languages: [it, ar, wo]
  email: info@donne.example.org
  phone: "+39 0744 000000"
  website: https://donne.example.org
  description:
    ar: دروس في اللغة الإيطالية للنساء
    it: Corsi di italiano per donne.
  original_language: ar
  founded: 2015
  runts: "12345"
  source: https://donne.example.org/chi-siamo
  consent_date: 2026-11-30
- id: ponte-sud
  name: Il Ponte Sud
  sectors: [education, culture]
  city: Perugia
  province: PG
  description:
    it: Doposcuola e biblioteca interculturale.
  source: https://ponte.example.org
  consent_date: 2026-10-01
- id: terni-sport
  name: Terni Sport Insieme
  sectors: [sport]
  city: Terni
  province: TR
  description: { en: Football for everyone. }
  source: https://sport.example.org
  consent_date: 2025-01-01
"#;

/// A site with the two directory pages and `associations.yaml`.
fn directory_site(associations: &str) -> TestSite {
    TestSite::new()
        .file(
            "content/associations/_index.it.md",
            "---\ntitle: Associazioni\ntemplate: directory\n---\n",
        )
        .file(
            "content/associations/_index.ar.md",
            "---\ntitle: الجمعيات\ntemplate: directory\n---\n",
        )
        .file(
            "content/associations/cities.it.md",
            "---\ntitle: Per città\ntemplate: directory_city\n---\n",
        )
        .file("content/_data/associations.yaml", associations)
}

/// The text of the `<section>` whose heading has `id`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#"<h2 id="{id}">"#))
        .unwrap_or_else(|| panic!("no section {id}\n{html}"));
    let end = start + html[start..].find("</section>").unwrap();
    &html[start..end]
}

#[test]
fn directory_lists_associations_by_sector_and_by_city_with_counts() {
    let run = directory_site(ASSOCIATIONS).build();
    assert!(run.ok(), "{}", run.stderr());
    let it = run.file("it/associations/index.html");
    assert!(
        it.contains("Associazioni nell&#39;elenco: <strong>3</strong>"),
        "{it}"
    );
    let education = section(&it, "sector-education");
    assert!(
        education.contains("Istruzione e corsi di lingua <span class=\"count\">(2)</span>"),
        "{education}"
    );
    assert!(
        education
            .contains(r#"<a href="/it/associations/donne-in-rete/"><bdi>Donne in Rete</bdi></a>"#)
    );
    assert!(education.contains(r#"<a href="/it/associations/ponte-sud/">"#));
    assert!(!education.contains("terni-sport"));
    assert!(section(&it, "sector-sport").contains("(1)"));
    assert!(
        !it.contains("sector-housing"),
        "a sector nobody works in is not listed"
    );
    // The same counts in Arabic, with the sectors' Arabic labels and Arabic URLs.
    let ar = run.file("ar/associations/index.html");
    let education = section(&ar, "sector-education");
    assert!(
        education.contains("التعليم ودروس اللغة <span class=\"count\">(2)</span>"),
        "{education}"
    );
    assert!(education.contains(r#"href="/ar/associations/donne-in-rete/""#));
    // By city: Perugia 1, Terni 2, each with its province.
    let cities = run.file("it/associations/cities/index.html");
    assert!(
        section(&cities, "city-perugia")
            .contains("Perugia</bdi> (PG) <span class=\"count\">(1)</span>"),
        "{cities}"
    );
    let terni = section(&cities, "city-terni");
    assert!(
        terni.contains("(TR) <span class=\"count\">(2)</span>"),
        "{terni}"
    );
    assert!(terni.contains("Donne in Rete") && terni.contains("Terni Sport Insieme"));
    assert!(
        cities.contains(r#"<a href="/it/associations/cities/" aria-current="page">Per città</a>"#),
        "{cities}"
    );
    for lang in ["it", "en", "ar"] {
        for id in ["donne-in-rete", "ponte-sud", "terni-sport"] {
            assert!(
                run.exists(&format!("{lang}/associations/{id}/index.html")),
                "{lang} {id}"
            );
        }
    }
}

/// The `<script type="application/ld+json">` of a page, parsed.
fn json_ld(html: &str) -> serde_json::Value {
    let open = r#"<script type="application/ld+json">"#;
    let start = html.find(open).expect("JSON-LD") + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("JSON-LD parses")
}

#[test]
fn association_page_has_organization_json_ld() {
    let run = directory_site(ASSOCIATIONS).build();
    assert!(run.ok(), "{}", run.stderr());
    let it = run.file("it/associations/donne-in-rete/index.html");
    let org = json_ld(&it);
    assert_eq!(org["@context"], "https://schema.org");
    assert_eq!(org["@type"], "Organization");
    assert_eq!(org["name"], "Donne in Rete");
    assert_eq!(
        org["@id"],
        "https://example.org/it/associations/donne-in-rete/"
    );
    assert_eq!(org["url"], "https://donne.example.org");
    assert_eq!(org["email"], "info@donne.example.org");
    assert_eq!(org["foundingDate"], "2015");
    assert_eq!(org["address"]["addressLocality"], "Terni");
    assert_eq!(org["address"]["addressRegion"], "TR");
    assert_eq!(org["description"]["@value"], "Corsi di italiano per donne.");
    assert_eq!(org["description"]["@language"], "it");
    // What a reader sees: contacts, sectors linked to the directory, source and consent.
    assert!(
        it.contains(r#"<a href="tel:+390744000000" dir="ltr">+39 0744 000000</a>"#),
        "{it}"
    );
    assert!(
        it.contains(r#"<a href="/it/associations/#sector-women">Donne</a>"#),
        "{it}"
    );
    assert!(
        it.contains(r#"<span lang="ar">العربية</span>"#),
        "a site language by its own name"
    );
    assert!(
        it.contains(r#"<span dir="ltr">wo</span>"#),
        "another language by its code"
    );
    assert!(it.contains(r#"<a href="https://donne.example.org/chi-siamo">pagina pubblica</a>"#));
    assert!(
        it.contains(r#"<time datetime="2026-11-30">30 novembre 2026</time>"#),
        "{it}"
    );
    assert!(
        it.contains(r#"<a href="/it/associations/">Associazioni</a>"#),
        "breadcrumb to the directory"
    );
    assert!(it.contains(r#"<link rel="alternate" hreflang="ar" href="https://example.org/ar/associations/donne-in-rete/">"#));
}

#[test]
fn association_description_falls_back_to_its_original_language_marked() {
    let run = directory_site(ASSOCIATIONS).build();
    assert!(run.ok(), "{}", run.stderr());
    // No English text: the original (Arabic, as `original_language` says), marked.
    let en = run.file("en/associations/donne-in-rete/index.html");
    assert!(
        en.contains(r#"<p class="lead" lang="ar" dir="rtl">دروس في اللغة الإيطالية للنساء</p>"#),
        "{en}"
    );
    assert!(
        en.contains("Description in Arabic, not translated yet"),
        "{en}"
    );
    assert_eq!(json_ld(&en)["description"]["@language"], "ar");
    // Its own language: not marked.
    let ar = run.file("ar/associations/donne-in-rete/index.html");
    assert!(
        ar.contains(r#"<p class="lead">دروس في اللغة الإيطالية للنساء</p>"#),
        "{ar}"
    );
    // Without `original_language`: the default language's text.
    let ar = run.file("ar/associations/ponte-sud/index.html");
    assert!(
        ar.contains(
            r#"<p class="lead" lang="it" dir="ltr">Doposcuola e biblioteca interculturale.</p>"#
        ),
        "{ar}"
    );
    // Only an English text: that one, everywhere else.
    let it = run.file("it/associations/terni-sport/index.html");
    assert!(
        it.contains(r#"<p class="lead" lang="en" dir="ltr">Football for everyone.</p>"#),
        "{it}"
    );
}

#[test]
fn association_pages_are_in_the_sitemap_with_alternates() {
    let run = directory_site(ASSOCIATIONS).build();
    assert!(run.ok(), "{}", run.stderr());
    let sitemap = run.file("sitemap.xml");
    for lang in ["it", "en", "ar"] {
        assert!(
            sitemap.contains(&format!(
                "<loc>https://example.org/{lang}/associations/ponte-sud/</loc>"
            )),
            "{sitemap}"
        );
    }
    assert!(
        sitemap.contains(r#"hreflang="ar" href="https://example.org/ar/associations/ponte-sud/""#),
        "{sitemap}"
    );
}

#[test]
fn hostile_association_values_are_escaped_in_pages_and_json_ld() {
    let hostile = r#"- id: hostile
  name: "<script>alert(1)</script> & \"Co\""
  sectors: [culture]
  city: "<b>Terni</b>"
  province: TR
  description:
    it: "</script><img src=x onerror=alert(1)> 'quoted'"
  website: "https://example.org/?a=1&b=<2>"
  source: https://example.org/source
  consent_date: 2026-01-01
"#;
    let run = directory_site(hostile).build();
    assert!(run.ok(), "{}", run.stderr());
    for page in [
        "it/associations/index.html",
        "it/associations/cities/index.html",
        "ar/associations/hostile/index.html",
    ] {
        let html = run.file(page);
        assert!(!html.contains("<script>alert"), "{page}: {html}");
        assert!(!html.contains("<img src=x"), "{page}");
        assert!(!html.contains("<b>Terni"), "{page}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt; &amp; &quot;Co&quot;")
                || html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"),
            "{page}: {html}"
        );
    }
    let html = run.file("it/associations/hostile/index.html");
    let org = json_ld(&html);
    assert_eq!(org["name"], r#"<script>alert(1)</script> & "Co""#);
    assert_eq!(
        org["description"]["@value"],
        "</script><img src=x onerror=alert(1)> 'quoted'"
    );
    assert_eq!(
        html.matches("</script>").count(),
        1,
        "only the JSON-LD's own end tag"
    );
}

#[test]
fn empty_directory_invites_associations_to_join() {
    let run = directory_site("[]\n").build();
    assert!(run.ok(), "{}", run.stderr());
    let ar = run.file("ar/associations/index.html");
    assert!(ar.contains("لا توجد أي جمعية في الدليل حتى الآن."), "{ar}");
    assert!(
        ar.contains(r#"<a href="/ar/contact/">اطلبوا الإدراج: اكتبوا إلى المكتب</a>"#),
        "{ar}"
    );
    assert!(!ar.contains("sector-"), "no sector without associations");
    let it = run.file("it/associations/cities/index.html");
    assert!(it.contains("Per ora nessuna associazione è nell&#39;elenco."));
}

#[test]
fn association_id_taking_the_url_of_a_page_is_refused() {
    let taken = ASSOCIATIONS.replacen("id: ponte-sud", "id: cities", 1);
    let run = directory_site(&taken).build();
    assert!(!run.ok());
    assert!(
        run.stderr().contains(
            "the page of association `cities` would be /it/associations/cities/, the URL of a page"
        ),
        "{}",
        run.stderr()
    );
}
