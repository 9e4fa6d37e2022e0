//! Whole outputs where the whole text is the clearest check: what an editor
//! reads for a broken tree, the sitemap, and an alias page.

mod support;

use support::TestSite;

#[test]
fn diagnostics_read_like_rustc() {
    let run = TestSite::new()
        .file("content/typo.it.md", "---\ntitle: Ciao\ntitel: Ciao\n---\n")
        .page(
            "links.it.md",
            "Link",
            "Vedi [la guida](guida.md) e [il progetto](about.md#fondi).\n",
        )
        .check();
    assert!(!run.ok());
    insta::assert_snapshot!(run.stderr());
}

#[test]
fn sitemap_lists_real_translations_with_alternates() {
    let run = TestSite::new()
        .file(
            "content/a.it.md",
            "---\ntitle: A\nupdated: 2026-11-01\n---\n",
        )
        .file("content/a.ar.md", "---\ntitle: أ\n---\n")
        .build();
    assert!(run.ok(), "{}", run.stderr());
    insta::assert_snapshot!(run.file("sitemap.xml"));
}

#[test]
fn alias_page() {
    let run = TestSite::new()
        .file(
            "content/new.en.md",
            "---\ntitle: \"Fish & chips\"\naliases: [/old/]\n---\n",
        )
        .build();
    assert!(run.ok(), "{}", run.stderr());
    insta::assert_snapshot!(run.file("old/index.html"));
}
