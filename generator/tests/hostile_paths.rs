//! Aliases and slugs are written by editors and by pull requests: whatever
//! they hold, the build writes only under its output folder, and no page
//! carries markup taken from them unescaped.

use std::path::Path;

use proptest::prelude::*;

/// Markup with no space or slash, so that old, laxer slug checks let it through.
const MARKUP: &str = "<pwn>";

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
}

/// A string made of what breaks paths and pages: dots, slashes, backslashes,
/// quotes, markup, spaces, control and bidi characters, letters of two scripts.
fn hostile() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a", "b", "ع", ".", "..", "/", "\\", "<", ">", "\"", "'", "&", " ", "%2e", "?", "#",
        "\u{202E}", "\u{2066}", "\u{200F}", "\u{0}", "\u{7}", "\n", "\t", "C:",
    ]);
    (
        prop::collection::vec(pieces, 0..10),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(parts, markup, rooted)| {
            let mut s = String::new();
            if rooted {
                s.push('/');
            }
            let mid = parts.len() / 2;
            for (i, p) in parts.iter().enumerate() {
                if markup && i == mid {
                    s.push_str(MARKUP);
                }
                s.push_str(p);
            }
            if markup && parts.is_empty() {
                s.push_str(MARKUP);
            }
            s
        })
}

/// A path built of segments: climbing (`..`), empty, dotted, with markup,
/// backslashes or spaces, or plain.
fn path_like() -> impl Strategy<Value = String> {
    let segment = prop::sample::select(vec![
        "..", "..", ".", "", "a", "ع", MARKUP, "a\\..", "..\\..", "a b", "%2e%2e", "\u{202E}",
    ]);
    (prop::collection::vec(segment, 1..6), any::<bool>()).prop_map(|(segs, trailing)| {
        let mut s = format!("/{}", segs.join("/"));
        if trailing {
            s.push('/');
        }
        s
    })
}

fn build_with(alias: &str, slug: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "content/site.yaml",
        "base_url: https://example.org\ndefault_language: it\nlanguages:\n  - { code: it, name: Italiano }\n  - { code: ar, name: العربية, direction: rtl }\n",
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
    // JSON strings are YAML double-quoted strings, escapes included.
    let quoted = |s: &str| serde_json::to_string(s).unwrap();
    // One page carries both, so that the alias's redirect page names the
    // URL made from the slug.
    write(
        root,
        "content/named.it.md",
        &format!(
            "---\ntitle: Con nome\nslug: {}\naliases: [{}]\n---\nTesto.\n",
            quoted(slug),
            quoted(alias)
        ),
    );
    write(
        root,
        "content/other.it.md",
        "---\ntitle: Altra\n---\n[con nome](named.md)\n",
    );
    write(
        root,
        "content/linking.ar.md",
        "---\ntitle: روابط\n---\n[صفحة](named.md)\n",
    );
    let opts = sportello::Options {
        content: root.join("content"),
        themes: Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes"),
        ..Default::default()
    };
    // Whether it succeeds or reports a refusal, what it wrote is checked.
    let _ = sportello::build(&opts, &root.join("a/b/public"));
    dir
}

fn files(root: &Path) -> Vec<(String, std::path::PathBuf)> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, e.into_path())
        })
        .collect()
}

/// What a build wrote outside its output folder, and the files holding the
/// markup unescaped.
fn escapes(alias: &str, slug: &str) -> (Vec<String>, Vec<String>) {
    let dir = build_with(alias, slug);
    let mut outside = Vec::new();
    let mut unescaped = Vec::new();
    for (rel, path) in files(dir.path()) {
        // The build cache sits beside the content; its names are hashes of
        // the output folder's path, never taken from front matter.
        let cache = rel.starts_with(".sportello-cache/");
        if !(rel.starts_with("content/") || rel.starts_with("a/b/public/") || cache) {
            outside.push(rel.clone());
        }
        if (rel.ends_with(".html") || rel.ends_with(".xml"))
            && std::fs::read_to_string(&path).unwrap().contains(MARKUP)
        {
            unescaped.push(rel);
        }
    }
    (outside, unescaped)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_alias_stays_under_the_root_and_out_of_the_markup(
        alias in prop_oneof![hostile(), path_like()],
    ) {
        let (outside, unescaped) = escapes(&alias, "con-nome");
        prop_assert!(outside.is_empty(), "alias {alias:?} wrote outside: {outside:?}");
        prop_assert!(unescaped.is_empty(), "alias {alias:?}: unescaped markup in {unescaped:?}");
    }

    #[test]
    fn any_slug_stays_under_the_root_and_out_of_the_markup(
        slug in prop_oneof![hostile(), path_like()],
    ) {
        let (outside, unescaped) = escapes("/vecchia/", &slug);
        prop_assert!(outside.is_empty(), "slug {slug:?} wrote outside: {outside:?}");
        prop_assert!(unescaped.is_empty(), "slug {slug:?}: unescaped markup in {unescaped:?}");
    }
}

#[test]
fn a_plain_alias_and_slug_are_still_written() {
    let dir = build_with("/vecchia/", "con-nome");
    let public = dir.path().join("a/b/public");
    assert!(public.join("vecchia/index.html").exists());
    assert!(public.join("it/con-nome/index.html").exists());
}
