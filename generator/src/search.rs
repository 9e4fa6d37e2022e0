//! Search: one Pagefind index per language, made from the pages a build has
//! just written, so that each language's search page finds only its own
//! pages. Pagefind is used as a library (its indexing API); its browser
//! files are published with the index, so no third-party service is asked.
//!
//! Only real translations are indexed: a fallback shows another language's
//! text, which its own language's index already holds.

use std::path::Path;

use rayon::prelude::*;

use crate::model::Site;
use crate::render::{Sink, index_path};
use crate::{Error, Theme};

/// The theme's template for the search page; no template, no search.
pub const TEMPLATE: &str = "search";

/// The search page of a language: `/ar/search/`.
pub fn page_url(code: &str) -> String {
    format!("/{code}/search/")
}

/// Where a language's index and Pagefind's browser files go, under the
/// output folder: `ar/search/pagefind`.
pub fn bundle_dir(code: &str) -> String {
    format!("{code}/search/pagefind")
}

/// Whether this site has search: its theme has a search page.
pub fn enabled(theme: &Theme) -> bool {
    theme.has_template(TEMPLATE)
}

/// What was indexed in one language, for the build's report.
#[derive(Debug, Clone, Default)]
pub struct IndexSize {
    pub lang: String,
    pub pages: usize,
    pub files: usize,
    /// The index proper: word indexes, fragments, metadata.
    pub index_bytes: u64,
    /// Pagefind's scripts, styles and WebAssembly, the same in every language.
    pub program_bytes: u64,
}

/// Files of Pagefind's output that our search page does not load (other
/// interfaces, the highlighter, the playground): not published.
fn unused(name: &str) -> bool {
    name.starts_with("pagefind-modular-ui")
        || name.starts_with("pagefind-component-ui")
        || name.starts_with("pagefind-highlight")
        || name.starts_with("playground/")
}

/// The index proper, as opposed to Pagefind's program files.
fn is_index_file(name: &str) -> bool {
    name.ends_with(".pf_meta")
        || name.ends_with(".pf_index")
        || name.ends_with(".pf_fragment")
        || name.ends_with(".pf_filter")
        || name == "pagefind-entry.json"
}

/// The URLs of the pages a language's index is made from: its translated
/// pages, not the fallbacks.
fn indexed_urls(site: &Site, lang: usize) -> impl Iterator<Item = &str> + '_ {
    site.groups
        .iter()
        .filter(move |g| g.is_translated(lang))
        .map(move |g| g.urls[lang].as_str())
}

/// The output files (`ar/news/x/index.html`) of those pages.
pub fn indexed_files(site: &Site, lang: usize) -> impl Iterator<Item = String> + '_ {
    indexed_urls(site, lang).map(index_path)
}

/// Indexes the languages `which` says, from their pages as written in `out`,
/// and puts each bundle into `sink`; the others keep the last build's bundle
/// (their files in `previous`). Pagefind takes seconds per thousand pages,
/// so an edit in one language re-indexes that language only.
pub fn index_languages(
    site: &Site,
    which: &[bool],
    previous: &[String],
    out: &Path,
    sink: &dyn Sink,
) -> Result<Vec<IndexSize>, Error> {
    for (lang, l) in site.config.languages.iter().enumerate() {
        if !which[lang] {
            let dir = format!("{}/", bundle_dir(&l.code));
            previous
                .iter()
                .filter(|f| f.starts_with(dir.as_str()))
                .for_each(|f| sink.keep(f));
        }
    }
    (0..site.config.languages.len())
        .into_par_iter()
        .filter(|lang| which[*lang])
        .map(|lang| index_language(site, lang, out, sink))
        .collect()
}

/// Pagefind's errors (`anyhow`'s) as this crate's, with their causes.
fn failed(code: &str, e: impl std::fmt::Display) -> Error {
    Error::Search {
        lang: code.to_string(),
        message: format!("{e:#}"),
    }
}

fn index_language(
    site: &Site,
    lang: usize,
    out: &Path,
    sink: &dyn Sink,
) -> Result<IndexSize, Error> {
    let code = &site.config.languages[lang].code;
    let config = pagefind::options::PagefindServiceConfig::builder()
        .force_language(code.clone())
        .root_selector("main".to_string())
        // What every page repeats, or tells about the page, is not its text.
        .exclude_selectors(vec![
            ".breadcrumbs".into(),
            ".notice".into(),
            ".draft-banner".into(),
            ".toc".into(),
        ])
        .build();
    let mut index = pagefind::api::PagefindIndex::new(Some(config)).map_err(|e| failed(code, e))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|source| Error::Output {
            path: out.to_path_buf(),
            source,
        })?;
    // One page's HTML at a time: the site's pages are never all in memory
    // at once (Pagefind keeps only what its index needs).
    let mut count = 0;
    let files = runtime.block_on(async {
        for url in indexed_urls(site, lang) {
            let path = out.join(index_path(url));
            let html = match std::fs::read_to_string(&path) {
                Ok(html) => html,
                Err(source) => return Ok(Err(Error::Output { path, source })),
            };
            index
                .add_html_file(None, Some(url.to_owned()), html)
                .await?;
            count += 1;
        }
        index.get_files().await.map(Ok)
    });
    let files = files.map_err(|e| failed(code, e))??;
    let dir = bundle_dir(code);
    let mut size = IndexSize {
        lang: code.clone(),
        pages: count,
        ..Default::default()
    };
    for f in files {
        let name = f.filename.to_string_lossy().replace('\\', "/");
        if unused(&name) {
            continue;
        }
        sink.put(&format!("{dir}/{name}"), &f.contents)?;
        size.files += 1;
        if is_index_file(&name) {
            size.index_bytes += f.contents.len() as u64;
        } else {
            size.program_bytes += f.contents.len() as u64;
        }
    }
    Ok(size)
}
