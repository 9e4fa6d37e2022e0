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
