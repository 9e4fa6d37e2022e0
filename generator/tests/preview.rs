//! The preview behind `sportello serve`: an edited page is rendered alone,
//! a structural change rebuilds, mistakes are still reported.

use std::path::{Path, PathBuf};

use sportello::preview::Preview;

fn write(root: &Path, rel: &str, text: &str) -> PathBuf {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

fn site() -> (tempfile::TempDir, Preview) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "content/site.yaml",
        "base_url: https://example.org\ndefault_language: it\nlanguages:\n  - { code: it, name: Italiano }\n  - { code: en, name: English }\n",
    );
    for (rel, title) in [
        ("index.it.md", "Home"),
        ("contact/_index.it.md", "Contatti"),
        ("desks/_index.it.md", "Sportelli"),
        ("about.it.md", "Progetto"),
        ("privacy.it.md", "Privacy"),
    ] {
        write(
            root,
            &format!("content/{rel}"),
            &format!("---\ntitle: {title}\n---\n"),
        );
    }
    write(
        root,
        "content/a.it.md",
        "---\ntitle: A\n---\n## Uno {#one}\n",
    );
    write(
        root,
        "content/b.it.md",
        "---\ntitle: B\n---\n[a](a.md#one)\n",
    );
    let opts = sportello::Options {
        content: root.join("content"),
        themes: Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes"),
        drafts: true,
        preview: true,
    };
    let preview = Preview::new(opts, root.join("public"));
    (dir, preview)
}

#[test]
fn an_edited_body_renders_only_its_page() {
    let (dir, mut preview) = site();
    preview.rebuild().unwrap();
    let b = write(
        dir.path(),
        "content/b.it.md",
        "---\ntitle: B\n---\nNuovo. [a](a.md#one)\n",
    );
    let result = preview.changed(&[b]).unwrap();
    assert_eq!(result.updated, Some(1), "{}", result.line());
    let html = std::fs::read_to_string(dir.path().join("public/it/b/index.html")).unwrap();
    assert!(html.contains("Nuovo."));
    // the English fallback of B shows the new text too
    let en = std::fs::read_to_string(dir.path().join("public/en/b/index.html")).unwrap();
    assert!(en.contains("Nuovo."));
}

#[test]
fn a_changed_title_rebuilds_the_site() {
    let (dir, mut preview) = site();
    preview.rebuild().unwrap();
    let a = write(
        dir.path(),
        "content/a.it.md",
        "---\ntitle: A nuovo\n---\n## Uno {#one}\n",
    );
    let result = preview.changed(&[a]).unwrap();
    assert_eq!(result.updated, None, "a front-matter change is structural");
}

#[test]
fn an_edit_that_breaks_an_anchor_elsewhere_is_reported() {
    let (dir, mut preview) = site();
    preview.rebuild().unwrap();
    let a = write(
        dir.path(),
        "content/a.it.md",
        "---\ntitle: A\n---\nNessun titolo.\n",
    );
    match preview.changed(&[a]) {
        Err(sportello::Error::Invalid(d)) => {
            let text = d.render();
            assert!(text.contains("anchor `#one` does not exist"), "{text}");
            assert!(text.contains("b.it.md:4:1"), "{text}");
        }
        other => panic!(
            "expected a broken anchor, got {:?}",
            other.map(|r| r.line())
        ),
    }
}

#[test]
fn drafts_carry_a_banner_in_the_preview_and_never_in_a_build() {
    let (dir, mut preview) = site();
    write(
        dir.path(),
        "content/draft.it.md",
        "---\ntitle: Bozza\ndraft: true\n---\nTesto.\n",
    );
    preview.rebuild().unwrap();
    let read = |rel: &str| std::fs::read_to_string(dir.path().join(rel)).unwrap();
    let it = read("public/it/draft/index.html");
    assert!(
        it.contains(r#"<p class="draft-banner" role="note"><strong>Bozza — non pubblicata."#),
        "{it}"
    );
    // In the reader's interface language on the fallback too.
    assert!(read("public/en/draft/index.html").contains("Draft — not published."));
    assert!(
        !read("public/it/a/index.html").contains("draft-banner"),
        "only drafts"
    );
    // A build that includes drafts (a staging site) shows no banner.
    let opts = sportello::Options {
        content: dir.path().join("content"),
        themes: Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes"),
        drafts: true,
        preview: false,
    };
    let out = dir.path().join("staging");
    sportello::build(&opts, &out).unwrap();
    let built = std::fs::read_to_string(out.join("it/draft/index.html")).unwrap();
    assert!(
        built.contains("Testo.") && !built.contains("draft-banner"),
        "{built}"
    );
}

/// Regression: the set of outdated translations is computed once per loaded
/// site; an original edited in the preview must still mark its translation.
#[test]
fn preview_edit_of_an_original_marks_its_translation_outdated() {
    let (dir, mut preview) = site();
    let original = "---\ntitle: A\n---\n## Uno {#one}\n";
    let digest = sportello::model::digest(original);
    write(
        dir.path(),
        "content/a.en.md",
        &format!("---\ntitle: A\ntranslated_from: \"{digest}\"\n---\n## One {{#one}}\n"),
    );
    preview.rebuild().unwrap();
    let read = || std::fs::read_to_string(dir.path().join("public/en/a/index.html")).unwrap();
    let notice = "This translation may be out of date";
    assert!(!read().contains(notice), "made from the current original");
    let a = write(
        dir.path(),
        "content/a.it.md",
        "---\ntitle: A\n---\n## Uno {#one}\n\nUna frase nuova.\n",
    );
    let result = preview.changed(&[a]).unwrap();
    assert_eq!(result.updated, Some(1), "{}", result.line());
    assert!(read().contains(notice), "{}", read());
}

/// `serve` after `build` into the same folder: without a draft, the preview
/// renders what the build did, so it starts on the build's cache instead of
/// rendering every page again.
#[test]
fn serve_after_build_starts_on_the_build_cache() {
    let (dir, mut preview) = site();
    let opts = sportello::Options {
        content: dir.path().join("content"),
        themes: Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes"),
        drafts: false,
        preview: false,
    };
    let built = sportello::build(&opts, &dir.path().join("public")).unwrap();
    assert!(built.written > 0);
    let before = std::fs::read_to_string(dir.path().join("public/it/a/index.html")).unwrap();
    let served = preview.rebuild().unwrap();
    assert_eq!(served.written, 0, "{}", served.line());
    let after = std::fs::read_to_string(dir.path().join("public/it/a/index.html")).unwrap();
    assert_eq!(before, after);
}

/// Regression: with a draft, the preview's banner must not be taken from a
/// build with drafts (no banner) through the shared cache, nor the reverse.
#[test]
fn draft_banner_follows_preview_and_build_in_one_folder() {
    let (dir, mut preview) = site();
    write(
        dir.path(),
        "content/draft.it.md",
        "---\ntitle: Bozza\ndraft: true\n---\nTesto.\n",
    );
    let opts = sportello::Options {
        content: dir.path().join("content"),
        themes: Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes"),
        drafts: true,
        preview: false,
    };
    let out = dir.path().join("public");
    let read = || std::fs::read_to_string(out.join("it/draft/index.html")).unwrap();
    sportello::build(&opts, &out).unwrap();
    assert!(!read().contains("draft-banner"));
    preview.rebuild().unwrap();
    assert!(read().contains("draft-banner"), "{}", read());
    sportello::build(&opts, &out).unwrap();
    assert!(!read().contains("draft-banner"));
}
