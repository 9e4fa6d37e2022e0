//! Build and check: the pipeline run end to end, with the build cache.
//!
//! This is where the cache's data meet the stages: what an earlier load knew
//! of each file goes to [`crate::load`], which pages may be left as they are
//! goes to [`crate::render`], and what this run learnt goes back into the
//! [`cache`], which itself knows none of the stages.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::load::{Known, KnownFile};
use crate::model::Site;
use crate::render::{PageFacts, Summary};
use crate::{Diagnostics, Error, Options, Project, Theme, cache, phase, render, report, write};

/// The build cache's record: per page, what load knew of its file and what
/// render found in it.
pub type Manifest = cache::Manifest<KnownFile, PageFacts>;

impl Known for Manifest {
    fn file(&self, rel: &str) -> Option<&KnownFile> {
        self.pages.get(rel).and_then(|e| e.file.as_ref())
    }
}

/// What a successful build did.
#[derive(Debug, Clone)]
pub struct BuildResult {
    pub summary: Summary,
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub warnings: Diagnostics,
    pub elapsed: Duration,
    /// For a preview that rendered only edited pages: how many.
    pub updated: Option<usize>,
    /// The search index of each language, when this build made them (a
    /// build that changed no page keeps the last ones).
    pub search: Vec<crate::search::IndexSize>,
    /// Files of the search indexes written (not counted in `written`, which
    /// says how many pages changed).
    pub search_written: usize,
}

impl BuildResult {
    /// "built 28 pages (it 7, en 7, …), 3 fallbacks, 1 alias, 2 assets in 0.05 s".
    pub fn line(&self) -> String {
        if let Some(n) = self.updated {
            return format!(
                "updated {n} edited page(s) in {:.1} ms ({} written, {} unchanged)",
                self.elapsed.as_secs_f64() * 1000.0,
                self.written,
                self.unchanged
            );
        }
        let s = &self.summary;
        let search = if self.search.is_empty() {
            String::new()
        } else {
            let per: Vec<String> = self
                .search
                .iter()
                .map(|i| format!("{} {:.1} KB", i.lang, i.index_bytes as f64 / 1024.0))
                .collect();
            format!(
                "; search index {} ({} files written)",
                per.join(", "),
                self.search_written
            )
        };
        let total: usize = s.pages.iter().map(|(_, n)| n).sum();
        let per: Vec<String> = s.pages.iter().map(|(l, n)| format!("{l} {n}")).collect();
        format!(
            "built {total} pages ({}), {} fallbacks, {} aliases, {} assets in {:.2} s ({} written, {} unchanged, {} removed){search}",
            per.join(", "),
            s.fallbacks,
            s.aliases,
            s.assets,
            self.elapsed.as_secs_f64(),
            self.written,
            self.unchanged,
            self.removed,
        )
    }
}

/// Builds the whole site into `out`.
pub fn build(opts: &Options, out: &std::path::Path) -> Result<BuildResult, Error> {
    let start = Instant::now();
    let mut diags = Diagnostics::default();
    let store = cache::Store::new(&opts.content, out);
    // Into an empty or missing output folder every page is made again: the
    // last manifest (35 MB of JSON at 40,000 pages) would only cost memory.
    let output_empty = std::fs::read_dir(out).map_or(true, |mut d| d.next().is_none());
    let previous: Option<Manifest> = if output_empty { None } else { store.read() };
    let mut t = start;
    phase("read cache", &mut t);
    let known = previous.as_ref().map(|m| m as &dyn Known);
    let Some(project) = Project::load_cached(opts, &mut diags, known) else {
        diags.sort();
        return Err(Error::Invalid(diags));
    };
    let built = project.build(opts, out, &store, diags, start, previous);
    let (result, facts) = built?;
    drop_later((project, facts));
    Ok(result)
}

impl Project {
    /// Renders and writes this loaded site into `out`, reusing the last
    /// build's output where nothing it depends on changed; `diags` holds what
    /// loading found. Returns the facts of every page, for later previews.
    pub fn build(
        &self,
        opts: &Options,
        out: &std::path::Path,
        store: &cache::Store,
        mut diags: Diagnostics,
        start: Instant,
        previous: Option<Manifest>,
    ) -> Result<(BuildResult, Vec<PageFacts>), Error> {
        let project = self;
        if diags.has_errors() {
            // Render without writing, so link and template mistakes are reported too.
            project
                .renderer()
                .render_all(&write::NullSink, &mut diags, None);
            diags.sort();
            return Err(Error::Invalid(diags));
        }
        let mut t = Instant::now();
        let structure = structure_hash(&project.site, &project.theme, opts);
        let reuse = previous
            .as_ref()
            .filter(|m| m.structure == structure)
            .map(|m| render::Reuse {
                clean: clean_groups(&project.site, m, out),
                previous: project
                    .site
                    .pages
                    .iter()
                    .map(|p| m.pages.get(&p.rel).map(|e| &e.rendered))
                    .collect(),
            });
        phase("what changed", &mut t);
        let output_error = |source| Error::Output {
            path: out.to_path_buf(),
            source,
        };
        let mut sink = write::DirSink::new(out, store.made_output()).map_err(output_error)?;
        if crate::search::enabled(&project.theme) {
            // Which languages' pages changed decides which indexes are redone.
            sink = sink.track_changes();
        }
        let cache_error = |source| Error::Cache {
            path: store.dir().to_path_buf(),
            source,
        };
        store.claim_output().map_err(cache_error)?;
        let (summary, facts) = project
            .renderer()
            .render_all(&sink, &mut diags, reuse.as_ref());
        diags.sort();
        if diags.has_errors() {
            // A failed build leaves no cache: the next one renders everything.
            store.forget();
            return Err(Error::Invalid(diags));
        }
        let pages_written = sink.written.load(std::sync::atomic::Ordering::Relaxed);
        t = Instant::now();
        let search = index_search(project, out, &sink, reuse.as_ref(), previous.as_ref())?;
        let search_written =
            sink.written.load(std::sync::atomic::Ordering::Relaxed) - pages_written;
        phase("search", &mut t);
        let removed = sink
            .remove_stale_since(previous.as_ref().map(|m| m.files.as_slice()))
            .map_err(output_error)?;
        // Same structure (so the same pages and files) and every page reused:
        // the cache on disk already says all there is to say.
        let unchanged = reuse.as_ref().is_some_and(|r| r.clean.iter().all(|c| *c))
            && removed == 0
            && project.site.pages.iter().all(|p| p.from_cache);
        if !unchanged {
            let now_ns = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
            let pages = project
                .site
                .pages
                .iter()
                .zip(&facts)
                .map(|(p, f)| {
                    // A file changed less than two seconds ago may change again
                    // within the clock's granularity with the same size: it
                    // is not trusted by its stamp ("racy git").
                    let settled = now_ns.saturating_sub(p.stamp.mtime_ns) > 2_000_000_000;
                    let entry = cache::PageEntry {
                        body: p.body_hash.clone(),
                        rendered: f,
                        file: settled.then(|| p.known_ref()),
                    };
                    (p.rel.as_str(), entry)
                })
                .collect();
            let manifest = cache::Manifest {
                version: cache::VERSION,
                structure,
                pages,
                files: sink.made(),
            };
            store.write(&manifest).map_err(cache_error)?;
        }
        phase("stale+cache", &mut t);
        let result = BuildResult {
            summary,
            written: pages_written,
            unchanged: sink.unchanged.load(std::sync::atomic::Ordering::Relaxed),
            removed,
            warnings: diags,
            elapsed: start.elapsed(),
            updated: None,
            search,
            search_written,
        };
        drop(reuse);
        drop_later((previous, sink));
        Ok((result, facts))
    }
}

/// Frees `value` on another thread. Freeing a 40,000-page site and its
/// manifest took a fifth of a no-change rebuild; nobody waits for it (a
/// command that exits next never does, `serve` frees it meanwhile).
fn drop_later<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

/// Each language's search index, made again from the written pages unless
/// the site's structure is the same as at the last build, none of that
/// language's indexed pages changed, and its index is still there.
fn index_search(
    project: &Project,
    out: &Path,
    sink: &write::DirSink,
    reuse: Option<&render::Reuse>,
    previous: Option<&Manifest>,
) -> Result<Vec<crate::search::IndexSize>, Error> {
    if !crate::search::enabled(&project.theme) {
        return Ok(Vec::new());
    }
    let site = &project.site;
    let previous_files = previous.map_or(&[][..], |m| m.files.as_slice());
    let which: Vec<bool> = site
        .config
        .languages
        .iter()
        .enumerate()
        .map(|(lang, l)| {
            let entry = format!("{}/pagefind-entry.json", crate::search::bundle_dir(&l.code));
            let kept = reuse.is_some()
                && previous_files.binary_search(&entry).is_ok()
                && out.join(&entry).is_file()
                && !crate::search::indexed_files(site, lang).any(|f| sink.changed(&f));
            !kept
        })
        .collect();
    crate::search::index_languages(site, &which, previous_files, out, sink)
}

/// Everything but page bodies that can change a page's output.
fn structure_hash(site: &Site, theme: &Theme, opts: &Options) -> String {
    let mut h = cache::Fingerprint::default();
    h.feed(env!("CARGO_PKG_VERSION").as_bytes());
    // A rebuilt binary may render differently: its identity is part of the key.
    if let Some(m) = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
    {
        h.feed(&m.len().to_le_bytes());
        let mtime = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        h.feed(&mtime.map_or(0, |d| d.as_nanos()).to_le_bytes());
    }
    // Which drafts are included shows in the pages fed below. The preview
    // changes only draft pages (their banner): without one, `serve` renders
    // what `build` did, and starts on the build's cache.
    let preview_shows = opts.preview && site.pages.iter().any(|p| p.front.draft);
    h.feed(&[u8::from(preview_shows)]);
    h.feed(&std::fs::read(opts.content.join("site.yaml")).unwrap_or_default());
    for entry in walkdir::WalkDir::new(opts.content.join("_data"))
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        // By its place in the content folder, however that folder was named.
        let rel = entry
            .path()
            .strip_prefix(&opts.content)
            .unwrap_or(entry.path());
        h.feed(rel.to_string_lossy().as_bytes());
        h.feed(&std::fs::read(entry.path()).unwrap_or_default());
    }
    let mut names: Vec<&String> = theme.sources.keys().collect();
    names.sort();
    for n in names {
        h.feed(n.as_bytes());
        h.feed(theme.sources[n].1.as_bytes());
    }
    h.feed(
        serde_json::to_string(&theme.strings)
            .unwrap_or_default()
            .as_bytes(),
    );
    for f in &theme.static_files {
        h.feed(f.url.as_bytes());
    }
    for a in &site.assets {
        h.feed(a.rel.as_bytes());
    }
    for p in &site.pages {
        h.feed(p.rel.as_bytes());
        h.feed(p.front_hash.as_bytes());
    }
    h.finish()
}

/// Which groups can be skipped given the last build's manifest: their files'
/// bodies are unchanged and their output files are still there.
fn clean_groups(site: &Site, previous: &Manifest, out: &Path) -> Vec<bool> {
    use rayon::prelude::*;
    site.groups
        .par_iter()
        .map(|g| {
            g.members.iter().flatten().all(|&pid| {
                let page = site.page(pid);
                previous
                    .pages
                    .get(&page.rel)
                    .is_some_and(|e| e.body == page.body_hash)
            }) && g
                .urls
                .iter()
                .all(|u| out.join(render::index_path(u)).is_file())
        })
        .collect()
}

/// Everything `build` checks, without writing, plus the translation report.
pub fn check(opts: &Options) -> (Diagnostics, Option<report::TranslationReport>) {
    let mut diags = Diagnostics::default();
    let project = Project::load(opts, &mut diags);
    let report = project.map(|p| {
        if p.site.config.base_url_is_sample() {
            diags.push(sample_base_url(opts, &p.site.config.base_url));
        }
        p.renderer().render_all(&write::NullSink, &mut diags, None);
        diags.extend(report::unreviewed(&p.site, &opts.content));
        report::TranslationReport::new(&p.site)
    });
    diags.sort();
    (diags, report)
}

/// The warning `check` gives while `base_url` is a sample: published as is,
/// the sitemap, canonical links and language alternates would point there.
fn sample_base_url(opts: &Options, base_url: &str) -> crate::Diagnostic {
    let path = opts.content.join("site.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let located = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.trim_start().starts_with("base_url:"))
        .and_then(|(i, l)| l.find(base_url).map(|c| (i + 1, c + 1)));
    let d = crate::Diagnostic::warning(&path, format!("base_url `{base_url}` is a sample address"))
        .hint("before publishing, write the address the site is published at");
    match located {
        Some((line, col)) => d.at_line_col(&text, line, col, base_url.chars().count()),
        None => d,
    }
}

/// The markers left in the content (see [`crate::markers`]), with the
/// marker `site.yaml` names; `None` when the settings cannot be read (the
/// build or check reports why).
pub fn pending(opts: &Options) -> Option<crate::markers::Pending> {
    let mut ignored = Diagnostics::default();
    let config = crate::config::SiteConfig::load(&opts.content.join("site.yaml"), &mut ignored)?;
    Some(crate::markers::find(&opts.content, &config.confirm_marker))
}
