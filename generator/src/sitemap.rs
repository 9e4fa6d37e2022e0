//! `sitemap.xml`: every real translation with its `xhtml:link` alternates.
//! Fallback pages are left out: their canonical is the original. Past the
//! protocol's 50,000 URLs a file, the sitemap becomes an index of parts.
//! The XML comes from the theme's (or the built-in) `sitemap.xml` and
//! `sitemap-index.xml` templates, escaped by Tera; a large sitemap is
//! rendered a thousand URLs at a time (see [`Shape`]).

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

#[derive(Serialize, Clone)]
struct Alternate {
    hreflang: String,
    href: String,
}

/// Every sitemap entry, in order, made as they are rendered.
fn entries(site: &Site) -> impl Iterator<Item = Entry> + '_ {
    let nlang = site.config.languages.len();
    let pages = site.groups.iter().flat_map(move |g| {
        let translated: Vec<usize> = (0..nlang).filter(|&l| g.is_translated(l)).collect();
        let alternates: Vec<(usize, String)> = if translated.len() > 1 {
            translated
                .iter()
                .map(|&a| (a, site.config.permalink(&g.urls[a])))
                .collect()
        } else {
            Vec::new()
        };
        translated.into_iter().map(move |l| {
            let p = site.page(g.members[l].unwrap_or(0));
            Entry {
                loc: site.config.permalink(&g.urls[l]),
                lastmod: p.front.updated.or(p.front.date).map(|d| d.to_string()),
                alternates: alternates
                    .iter()
                    .map(|(a, href)| Alternate {
                        hreflang: site.config.languages[*a].code.clone(),
                        href: href.clone(),
                    })
                    .collect(),
            }
        })
    });
    // Each association's page is a page of its own in every language (the
    // interface translated, its description marked where it falls back).
    let associations = site.associations.iter().flat_map(move |a| {
        let urls: Vec<String> = (0..nlang)
            .filter_map(|l| site.association_url(a, l))
            .collect();
        let alternates: Vec<Alternate> = if urls.len() > 1 {
            urls.iter()
                .enumerate()
                .map(|(l, u)| Alternate {
                    hreflang: site.config.languages[l].code.clone(),
                    href: site.config.permalink(u),
                })
                .collect()
        } else {
            Vec::new()
        };
        urls.into_iter().map(move |url| Entry {
            loc: site.config.permalink(&url),
            lastmod: None,
            alternates: alternates.clone(),
        })
    });
    pages.chain(associations)
}

/// How many entries [`entries`] gives, without making them.
fn count(site: &Site) -> usize {
    let nlang = site.config.languages.len();
    let pages: usize = site
        .groups
        .iter()
        .map(|g| (0..nlang).filter(|&l| g.is_translated(l)).count())
        .sum();
    let associations: usize = site
        .associations
        .iter()
        .map(|a| {
            (0..nlang)
                .filter(|&l| site.association_url(a, l).is_some())
                .count()
        })
        .sum();
    pages + associations
}

/// URLs given to one render of the `sitemap.xml` template. The template's
/// values take several times the size of the XML they make: a large site's
/// sitemap is rendered a chunk at a time, never held whole as values.
const CHUNK: usize = 1_000;

/// Renders the sitemap template for some entries.
type RenderUrlset<'a> = dyn Fn(&[Entry]) -> Result<String, Box<Diagnostic>> + 'a;

/// The names of the files `write_parts` makes.
pub fn names(site: &Site) -> Vec<String> {
    names_at_most(site, MAX_URLS)
}

/// The names of the files `write_parts_at_most(…, per_file, …)` makes.
pub fn names_at_most(site: &Site, per_file: usize) -> Vec<String> {
    let per_file = per_file.max(1);
    let total = count(site);
    let mut names = vec!["sitemap.xml".to_string()];
    if total > per_file {
        names.extend((1..=total.div_ceil(per_file)).map(|i| format!("sitemap-{i}.xml")));
    }
    names
}

/// Renders the sitemap files, `sitemap.xml` and, for large sites, its parts,
/// handing each to `put` (name, XML) as soon as it is made: at 400,000
/// pages the parts are 200 MB of XML, never all in memory at once.
pub fn write_parts(
    site: &Site,
    theme: &Theme,
    put: &mut dyn FnMut(&str, &str),
) -> Result<(), Box<Diagnostic>> {
    write_parts_at_most(site, theme, MAX_URLS, put)
}

/// [`write_parts`] with `per_file` URLs to a file instead of the
/// protocol's 50,000: a test can split a site of a few thousand pages.
pub fn write_parts_at_most(
    site: &Site,
    theme: &Theme,
    per_file: usize,
    put: &mut dyn FnMut(&str, &str),
) -> Result<(), Box<Diagnostic>> {
    let per_file = per_file.max(1);
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
    let total = count(site);
    let shape = if total > CHUNK {
        Shape::of(&urlset, entries(site).take(2).collect())?
    } else {
        None
    };
    let part = |i: usize, all: &mut dyn Iterator<Item = Entry>| {
        let n = per_file.min(total - i * per_file);
        let whole = || urlset(&entries(site).skip(i * per_file).take(n).collect::<Vec<_>>());
        match &shape {
            Some(shape) => match shape.splice(&urlset, &mut all.take(n))? {
                Some(xml) => Ok(xml),
                None => whole(),
            },
            None => {
                all.take(n).for_each(drop);
                whole()
            }
        }
    };
    let mut all = entries(site);
    if total <= per_file {
        put("sitemap.xml", &part(0, &mut all)?);
        return Ok(());
    }
    let mut locs = Vec::new();
    for (i, name) in names_at_most(site, per_file).iter().skip(1).enumerate() {
        locs.push(site.config.permalink(&format!("/{name}")));
        put(name, &part(i, &mut all)?);
    }
    let mut ctx = tera::Context::new();
    ctx.insert("sitemaps", &locs);
    put("sitemap.xml", &render("sitemap-index.xml", &ctx)?);
    Ok(())
}

/// The `sitemap.xml` template seen as a head, one piece per URL and a tail
/// (the built-in one is): its render of no URL is head + tail, and the
/// render of a chunk of URLs is head + their pieces + tail, so a
/// `<urlset>` can be spliced from the renders of its chunks.
struct Shape {
    /// The render of no URL.
    empty: String,
    /// Where head ends and tail starts in `empty`.
    at: usize,
}

impl Shape {
    /// `None` when the template has another shape: when two URLs do not
    /// render as each one alone does (a piece depends on its place in the
    /// loop, `loop.index`, or on the list, `urls | length`).
    fn of(urlset: &RenderUrlset, two: Vec<Entry>) -> Result<Option<Shape>, Box<Diagnostic>> {
        if two.len() != 2 {
            return Ok(None);
        }
        let empty = urlset(&[])?;
        let first = urlset(&two[..1])?;
        let common = empty
            .char_indices()
            .zip(first.chars())
            .find(|((_, x), y)| x != y)
            .map_or(empty.len(), |((i, _), _)| i);
        // The head may end before the longest common prefix does (a piece
        // can start as the tail does): the longest head that fits.
        let Some(at) = (0..=common)
            .rev()
            .find(|&at| empty.is_char_boundary(at) && piece(&empty, at, &first).is_some())
        else {
            return Ok(None);
        };
        let shape = Shape { empty, at };
        let second = urlset(&two[1..])?;
        let both = urlset(&two)?;
        let alone = [&first, &second].map(|x| shape.piece(x));
        Ok(match (alone, shape.piece(&both)) {
            ([Some(a), Some(b)], Some(ab))
                if ab.len() == a.len() + b.len() && ab.starts_with(a) && ab.ends_with(b) =>
            {
                Some(shape)
            }
            _ => None,
        })
    }

    fn piece<'x>(&self, xml: &'x str) -> Option<&'x str> {
        piece(&self.empty, self.at, xml)
    }

    /// The `<urlset>` of `entries`, rendered a chunk at a time; `None` when
    /// a chunk does not render to the template's shape (the caller renders
    /// them all at once).
    fn splice(
        &self,
        urlset: &RenderUrlset<'_>,
        entries: &mut dyn Iterator<Item = Entry>,
    ) -> Result<Option<String>, Box<Diagnostic>> {
        let mut out = String::from(&self.empty[..self.at]);
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut complete = true;
        loop {
            chunk.clear();
            chunk.extend((&mut *entries).take(CHUNK));
            if chunk.is_empty() {
                break;
            }
            match self.piece(&urlset(&chunk)?) {
                Some(p) if complete => out.push_str(p),
                // Used up to keep the caller's place in the entries.
                _ => complete = false,
            }
        }
        out.push_str(&self.empty[self.at..]);
        Ok(complete.then_some(out))
    }
}

/// What `xml` has between the head `empty[..at]` and the tail `empty[at..]`.
fn piece<'x>(empty: &str, at: usize, xml: &'x str) -> Option<&'x str> {
    let (head, tail) = empty.split_at(at);
    xml.strip_prefix(head)?.strip_suffix(tail)
}
