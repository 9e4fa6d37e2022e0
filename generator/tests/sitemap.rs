//! The sitemap of a site past a thousand URLs, which is rendered a chunk of
//! URLs at a time: the same file as one render of every URL would give.

use std::path::{Path, PathBuf};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
}

const PAGES: usize = 1_300;

/// A two-language site of `PAGES` guides (every one translated) on the
/// benchmark's minimal theme, copied so that a test can add a template.
fn site() -> (tempfile::TempDir, sportello::Options) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "content/site.yaml",
        "base_url: https://example.org\ndefault_language: it\ntheme: minimal\nlanguages:\n  - { code: it, name: Italiano }\n  - { code: en, name: English }\n",
    );
    write(root, "content/index.it.md", "---\ntitle: Home\n---\n");
    write(root, "content/index.en.md", "---\ntitle: Home\n---\n");
    write(root, "content/g/_index.it.md", "---\ntitle: Guide\n---\n");
    write(root, "content/g/_index.en.md", "---\ntitle: Guides\n---\n");
    for i in 0..PAGES {
        write(
            root,
            &format!("content/g/p{i:04}.it.md"),
            &format!("---\ntitle: Pagina {i}\ndate: 2026-01-02\n---\nTesto.\n"),
        );
        write(
            root,
            &format!("content/g/p{i:04}.en.md"),
            &format!("---\ntitle: Page {i}\n---\nText.\n"),
        );
    }
    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/themes/minimal");
    copy_dir(&bench, &root.join("themes/minimal"));
    let opts = sportello::Options {
        content: root.join("content"),
        themes: root.join("themes"),
        drafts: false,
        preview: false,
    };
    (dir, opts)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target: PathBuf = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn locs(xml: &str) -> Vec<&str> {
    xml.split("<loc>")
        .skip(1)
        .map(|s| &s[..s.find("</loc>").unwrap()])
        .collect()
}

#[test]
fn sitemap_past_a_thousand_urls_lists_each_once_in_one_urlset() {
    let (dir, opts) = site();
    let out = dir.path().join("public");
    sportello::build(&opts, &out).unwrap();
    let xml = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert_eq!(xml.matches("<?xml").count(), 1);
    assert_eq!(xml.matches("<urlset").count(), 1);
    assert!(xml.trim_end().ends_with("</urlset>"));
    // Home and section in each language, then every page in each.
    let locs = locs(&xml);
    assert_eq!(locs.len(), 2 * (PAGES + 2));
    let unique: std::collections::HashSet<&&str> = locs.iter().collect();
    assert_eq!(unique.len(), locs.len(), "a URL listed twice");
    assert!(locs.contains(&"https://example.org/en/g/p1299/"));
    // Each URL keeps its own date and alternates, across chunk boundaries.
    assert_eq!(xml.matches("<lastmod>2026-01-02</lastmod>").count(), PAGES);
    assert_eq!(
        xml.matches(r#"hreflang="en" href="https://example.org/en/g/p0999/""#)
            .count(),
        2
    );
    // Every `<url>` closed before the next opens: no chunk's head or tail
    // left between two URLs.
    assert_eq!(xml.matches("<url>").count(), locs.len());
    assert_eq!(xml.matches("</url>\n<url>").count(), locs.len() - 1);
}

#[test]
fn sitemap_template_that_numbers_its_urls_is_rendered_in_one_piece() {
    let (dir, opts) = site();
    // A theme's own sitemap whose pieces depend on their place in the loop:
    // rendered in chunks, the numbers would start again at each chunk.
    write(
        dir.path(),
        "themes/minimal/templates/sitemap.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n{% for u in urls %}<!-- {{ loop.index }} --><url><loc>{{ u.loc }}</loc></url>\n{% endfor %}</urlset>\n",
    );
    let out = dir.path().join("public");
    sportello::build(&opts, &out).unwrap();
    let xml = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let numbers: Vec<usize> = xml
        .split("<!-- ")
        .skip(1)
        .map(|s| s[..s.find(' ').unwrap()].parse().unwrap())
        .collect();
    let expected: Vec<usize> = (1..=2 * (PAGES + 2)).collect();
    assert_eq!(numbers, expected);
}

/// Past the protocol's 50,000 URLs a file, `sitemap.xml` becomes an index
/// of parts. The split is tested at 1,000 a file on this site of 2,604
/// URLs (a real split would need 50,000 pages): three parts, every URL in
/// exactly one, in the order of the one-file sitemap, each part a whole
/// `<urlset>`, and the names written the ones `names` announces (the files
/// a no-change rebuild keeps).
#[test]
fn sitemap_past_the_limit_of_a_file_is_an_index_of_parts_holding_each_url_once() {
    let (dir, opts) = site();
    let out = dir.path().join("public");
    sportello::build(&opts, &out).unwrap();
    let whole = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let mut diags = sportello::Diagnostics::default();
    let project = sportello::Project::load(&opts, &mut diags).expect("loads");
    let mut files: Vec<(String, String)> = Vec::new();
    sportello::sitemap::write_parts_at_most(
        &project.site,
        &project.theme,
        1_000,
        &mut |name, xml| files.push((name.to_owned(), xml.to_owned())),
    )
    .unwrap();
    let mut names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "sitemap-1.xml",
            "sitemap-2.xml",
            "sitemap-3.xml",
            "sitemap.xml"
        ]
    );
    assert_eq!(
        sportello::sitemap::names_at_most(&project.site, 1_000),
        [
            "sitemap.xml",
            "sitemap-1.xml",
            "sitemap-2.xml",
            "sitemap-3.xml"
        ]
    );
    let file = |name: &str| &files.iter().find(|(n, _)| n == name).unwrap().1;
    let index = file("sitemap.xml");
    assert!(index.contains("<sitemapindex"), "{index}");
    assert_eq!(
        locs(index),
        [
            "https://example.org/sitemap-1.xml",
            "https://example.org/sitemap-2.xml",
            "https://example.org/sitemap-3.xml"
        ]
    );
    let mut joined = Vec::new();
    for (name, expected) in [
        ("sitemap-1.xml", 1_000),
        ("sitemap-2.xml", 1_000),
        ("sitemap-3.xml", 604),
    ] {
        let part = file(name);
        assert_eq!(part.matches("<?xml").count(), 1, "{name}");
        assert_eq!(part.matches("<urlset").count(), 1, "{name}");
        assert!(part.trim_end().ends_with("</urlset>"), "{name}");
        assert_eq!(part.matches("<url>").count(), expected, "{name}");
        assert_eq!(part.matches("</url>").count(), expected, "{name}");
        joined.extend(locs(part).into_iter().map(str::to_owned));
    }
    assert_eq!(
        joined,
        locs(&whole),
        "the parts are the one file, cut in three"
    );
}
