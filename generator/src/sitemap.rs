//! `sitemap.xml`: every real translation with its `xhtml:link` alternates.
//! Fallback pages are left out: their canonical is the original. Past the
//! protocol's 50,000 URLs a file, the sitemap becomes an index of parts
//! (written by [`parts`]).

use std::fmt::Write as _;

use crate::model::Site;

pub const MAX_URLS: usize = 50_000;

fn entries(site: &Site) -> Vec<String> {
    let mut out = Vec::new();
    for g in &site.groups {
        let translated: Vec<usize> = (0..site.config.languages.len())
            .filter(|&l| g.is_translated(l))
            .collect();
        for &l in &translated {
            let p = site.page(g.members[l].unwrap_or(0));
            let mut e = String::with_capacity(256);
            let _ = write!(
                e,
                "<url><loc>{}</loc>",
                xml(&site.config.permalink(&g.urls[l]))
            );
            if let Some(d) = p.front.updated.or(p.front.date) {
                let _ = write!(e, "<lastmod>{d}</lastmod>");
            }
            if translated.len() > 1 {
                for &a in &translated {
                    let _ = write!(
                        e,
                        "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                        site.config.languages[a].code,
                        xml(&site.config.permalink(&g.urls[a]))
                    );
                }
            }
            e.push_str("</url>\n");
            out.push(e);
        }
    }
    out
}

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n";

/// The sitemap files: `("sitemap.xml", …)` and, for large sites, its parts.
pub fn parts(site: &Site) -> Vec<(String, String)> {
    let entries = entries(site);
    if entries.len() <= MAX_URLS {
        let mut s = String::from(HEAD);
        entries.iter().for_each(|e| s.push_str(e));
        s.push_str("</urlset>\n");
        return vec![("sitemap.xml".into(), s)];
    }
    let mut files = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (i, chunk) in entries.chunks(MAX_URLS).enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        let mut s = String::from(HEAD);
        chunk.iter().for_each(|e| s.push_str(e));
        s.push_str("</urlset>\n");
        let _ = writeln!(
            index,
            "<sitemap><loc>{}</loc></sitemap>",
            xml(&site.config.permalink(&format!("/{name}")))
        );
        files.push((name, s));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".into(), index));
    files
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
