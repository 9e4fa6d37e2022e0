//! `sitemap.xml`: every real translation with its `xhtml:link` alternates.
//! Fallback pages are left out: their canonical is the original. Past the
//! protocol's 50,000 URLs a file, the sitemap becomes an index of parts.
//! The XML comes from the theme's (or the built-in) `sitemap.xml` and
//! `sitemap-index.xml` templates, escaped by Tera.

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::model::Site;
use crate::theme::Theme;

pub const MAX_URLS: usize = 50_000;

#[derive(Serialize)]
struct Entry {
    loc: String,
    lastmod: Option<String>,
    alternates: Vec<Alternate>,
}

#[derive(Serialize)]
struct Alternate {
    hreflang: String,
    href: String,
}

fn entries(site: &Site) -> Vec<Entry> {
    let mut out = Vec::new();
    for g in &site.groups {
        let translated: Vec<usize> = (0..site.config.languages.len())
            .filter(|&l| g.is_translated(l))
            .collect();
        for &l in &translated {
            let p = site.page(g.members[l].unwrap_or(0));
            let alternates = if translated.len() > 1 {
                translated
                    .iter()
                    .map(|&a| Alternate {
                        hreflang: site.config.languages[a].code.clone(),
                        href: site.config.permalink(&g.urls[a]),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            out.push(Entry {
                loc: site.config.permalink(&g.urls[l]),
                lastmod: p.front.updated.or(p.front.date).map(|d| d.to_string()),
                alternates,
            });
        }
    }
    // Each association's page is a page of its own in every language (the
    // interface translated, its description marked where it falls back).
    let nlang = site.config.languages.len();
    for a in &site.associations {
        let urls: Vec<String> = (0..nlang)
            .filter_map(|l| site.association_url(a, l))
            .collect();
        for url in &urls {
            out.push(Entry {
                loc: site.config.permalink(url),
                lastmod: None,
                alternates: if urls.len() > 1 {
                    urls.iter()
                        .enumerate()
                        .map(|(l, u)| Alternate {
                            hreflang: site.config.languages[l].code.clone(),
                            href: site.config.permalink(u),
                        })
                        .collect()
                } else {
                    Vec::new()
                },
            });
        }
    }
    out
}

/// The sitemap files: `("sitemap.xml", …)` and, for large sites, its parts.
pub fn parts(site: &Site, theme: &Theme) -> Result<Vec<(String, String)>, Box<Diagnostic>> {
    let render = |template: &str, ctx: &tera::Context| {
        theme
            .tera
            .render(template, ctx)
            .map_err(|e| Box::new(theme.diagnostic(&e, &format!("rendering `{template}`"))))
    };
    let urlset = |chunk: &[Entry]| {
        let mut ctx = tera::Context::new();
        ctx.insert("urls", chunk);
        render("sitemap.xml", &ctx)
    };
    let entries = entries(site);
    if entries.len() <= MAX_URLS {
        return Ok(vec![("sitemap.xml".into(), urlset(&entries)?)]);
    }
    let mut files = vec![(String::new(), String::new())];
    let mut locs = Vec::new();
    for (i, chunk) in entries.chunks(MAX_URLS).enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        locs.push(site.config.permalink(&format!("/{name}")));
        files.push((name, urlset(chunk)?));
    }
    let mut ctx = tera::Context::new();
    ctx.insert("sitemaps", &locs);
    files[0] = ("sitemap.xml".into(), render("sitemap-index.xml", &ctx)?);
    Ok(files)
}
