//! Build and check: the pipeline run end to end, with the build cache.

use std::time::{Duration, Instant};

use crate::render::Summary;
use crate::{Diagnostics, Error, Options, Project, cache, phase, render, report, write};

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
        let total: usize = s.pages.iter().map(|(_, n)| n).sum();
        let per: Vec<String> = s.pages.iter().map(|(l, n)| format!("{l} {n}")).collect();
        format!(
            "built {total} pages ({}), {} fallbacks, {} aliases, {} assets in {:.2} s ({} written, {} unchanged, {} removed)",
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
    let previous = store.read();
    let Some(project) = Project::load_cached(opts, &mut diags, previous.as_ref()) else {
        diags.sort();
        return Err(Error::Invalid(diags));
    };
    project
        .build(opts, out, &store, diags, start, previous)
        .map(|(result, _)| result)
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
        previous: Option<cache::Manifest>,
    ) -> Result<(BuildResult, Vec<render::PageFacts>), Error> {
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
        let structure = cache::structure_hash(&project.site, &project.theme, opts);
        let bodies: Vec<String> = project
            .site
            .pages
            .iter()
            .map(|p| p.body_hash.clone())
            .collect();
        let reuse = previous
            .as_ref()
            .filter(|m| m.structure == structure)
            .map(|m| render::Reuse {
                clean: cache::clean_groups(&project.site, m, &bodies, out),
                previous: m,
            });
        phase("cache", &mut t);
        let output_error = |source| Error::Output {
            path: out.to_path_buf(),
            source,
        };
        let sink = write::DirSink::new(out, store.made_output()).map_err(output_error)?;
        store.claim_output().map_err(output_error)?;
        let (summary, facts) = project
            .renderer()
            .render_all(&sink, &mut diags, reuse.as_ref());
        diags.sort();
        if diags.has_errors() {
            // A failed build leaves no cache: the next one renders everything.
            store.forget();
            return Err(Error::Invalid(diags));
        }
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
                .zip(bodies)
                .zip(&facts)
                .map(|((p, body), f)| {
                    // A file changed less than two seconds ago may change again
                    // within the clock's granularity with the same size: it
                    // is not trusted by its stamp ("racy git").
                    let settled = now_ns.saturating_sub(p.stamp.mtime_ns) > 2_000_000_000;
                    let file = settled.then(|| cache::FileEntry {
                        stamp: p.stamp,
                        body_start: p.body_start,
                        front_hash: p.front_hash.clone(),
                        front: p.front.clone(),
                    });
                    let entry = cache::PageEntry {
                        body,
                        ids: f.ids.clone(),
                        anchors: f.anchors.clone(),
                        file,
                    };
                    (p.path.clone(), entry)
                })
                .collect();
            let manifest = cache::Manifest {
                version: cache::VERSION,
                structure,
                pages,
                files: sink.made(),
            };
            store.write(&manifest).map_err(output_error)?;
        }
        phase("stale+cache", &mut t);
        let result = BuildResult {
            summary,
            written: sink.written.load(std::sync::atomic::Ordering::Relaxed),
            unchanged: sink.unchanged.load(std::sync::atomic::Ordering::Relaxed),
            removed,
            warnings: diags,
            elapsed: start.elapsed(),
            updated: None,
        };
        Ok((result, facts))
    }
}

/// Everything `build` checks, without writing, plus the translation report.
pub fn check(opts: &Options) -> (Diagnostics, Option<report::TranslationReport>) {
    let mut diags = Diagnostics::default();
    let project = Project::load(opts, &mut diags);
    let report = project.map(|p| {
        p.renderer().render_all(&write::NullSink, &mut diags, None);
        report::TranslationReport::new(&p.site)
    });
    diags.sort();
    (diags, report)
}
