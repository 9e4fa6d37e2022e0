//! Sportello's static site generator.
//!
//! The pipeline, one module a stage:
//!
//! 1. **load** — [`config`] reads `site.yaml`, [`load`] reads every page and
//!    its front matter in parallel, [`data`] reads the desks;
//! 2. **model** — [`model`] groups files into translations, hangs them in
//!    sections, and gives each page its URL in every language;
//! 3. **render** — [`render`] turns each page into HTML with the [`theme`]'s
//!    Tera templates, [`markdown`] resolving links as it goes, plus
//!    [`sitemap`], [`jsonld`] and opening [`hours`];
//! 4. **write** — [`write`] puts files on disk, skipping unchanged ones.
//!
//! Every editor mistake becomes a [`diagnostic::Diagnostic`]; a run collects
//! all of them and fails at the end. [`check`] runs the same pipeline without
//! writing and adds the [`report`] of missing and stale translations.

pub mod cache;
pub mod config;
pub mod data;
pub mod diagnostic;
pub mod hours;
pub mod jsonld;
pub mod load;
pub mod markdown;
pub mod model;
pub mod preview;
pub mod render;
pub mod report;
pub mod sitemap;
pub mod theme;
pub mod write;
pub mod yaml;

/// Prints how long each stage took when `SPORTELLO_TIMINGS` is set: the
/// benchmark's microscope, off by default.
pub(crate) fn phase(name: &str, since: &mut Instant) {
    if std::env::var_os("SPORTELLO_TIMINGS").is_some() {
        eprintln!(
            "  {name:<12} {:>8.1} ms",
            since.elapsed().as_secs_f64() * 1000.0
        );
    }
    *since = Instant::now();
}

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use model::Site;
pub use render::{Renderer, Summary};
pub use theme::Theme;

/// One error type for the crate: what stops a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{} error(s) in the content or theme", .0.errors())]
    Invalid(Diagnostics),
    #[error("cannot write the site to {path}: {source}")]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no page `{0}` in this site")]
    NoSuchPage(String),
    #[error("{0}")]
    Render(String),
}

/// Where the inputs are and what to include.
#[derive(Debug, Clone)]
pub struct Options {
    pub content: PathBuf,
    pub themes: PathBuf,
    pub drafts: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            content: "content".into(),
            themes: "themes".into(),
            drafts: false,
        }
    }
}

/// A loaded site and its theme: everything rendering needs, immutable.
pub struct Project {
    pub site: Site,
    pub theme: Theme,
}

impl Project {
    /// Loads and models the site; `None` if a mistake prevents it.
    pub fn load(opts: &Options, diags: &mut Diagnostics) -> Option<Project> {
        let mut t = Instant::now();
        let config = config::SiteConfig::load(&opts.content.join("site.yaml"), diags)?;
        let theme = Theme::load(&opts.themes, &config, diags);
        let desks = data::load_desks(&opts.content, diags);
        phase("config+theme", &mut t);
        let loaded = load::load(&opts.content, &config, diags);
        phase("load", &mut t);
        let site = Site::build(config, desks, loaded, opts.drafts, diags);
        phase("model", &mut t);
        check_menu(&site, &opts.content, diags);
        let mut theme = theme?;
        register_functions(&mut theme, &site);
        Some(Project { site, theme })
    }

    pub fn renderer(&self) -> Renderer<'_> {
        Renderer::new(&self.site, &self.theme)
    }

    /// Renders one page (by source key, e.g. `contact/_index`) in a language,
    /// with an extra template variable: how the form endpoint shows the
    /// contact page again with what the reader typed.
    pub fn render_with(
        &self,
        key: &str,
        lang: &str,
        name: &str,
        value: &serde_json::Value,
    ) -> Result<String, Error> {
        let gid = *self
            .site
            .by_key
            .get(key)
            .ok_or_else(|| Error::NoSuchPage(key.into()))?;
        let l = self
            .site
            .config
            .lang(lang)
            .ok_or_else(|| Error::NoSuchPage(format!("{key} in {lang}")))?;
        let out = self.renderer().render_page(
            gid,
            l,
            Some((name, tera::Value::from_serializable(value))),
        );
        out.html
            .ok_or_else(|| Error::Render(out.diags.iter().map(Diagnostic::render).collect()))
    }
}

fn check_menu(site: &Site, content: &std::path::Path, diags: &mut Diagnostics) {
    for item in &site.config.menu {
        let key = item.trim_start_matches('/').trim_end_matches(".md");
        if !site.by_key.contains_key(key) {
            diags.push(
                Diagnostic::error(
                    content.join("site.yaml"),
                    format!("menu entry `{item}` is not a page"),
                )
                .hint("menu entries are source paths like `/guides/_index.md`"),
            );
        }
    }
}

/// Template functions that need the site: `url_for(path=…)` and `asset(name=…)`.
fn register_functions(theme: &mut Theme, site: &Site) {
    let urls: Arc<std::collections::HashMap<String, Vec<String>>> = Arc::new(
        site.by_key
            .iter()
            .map(|(k, &g)| (k.clone(), site.groups[g].urls.clone()))
            .collect(),
    );
    let codes: Arc<Vec<String>> = Arc::new(
        site.config
            .languages
            .iter()
            .map(|l| l.code.clone())
            .collect(),
    );
    theme.tera.register_function(
        "url_for",
        move |kwargs: tera::Kwargs, state: &tera::State| -> tera::TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            let lang: Option<String> = match kwargs.get::<String>("lang")? {
                Some(l) => Some(l),
                None => state.get::<String>("lang_code")?,
            };
            let key = path.trim_start_matches('/').trim_end_matches(".md");
            let per_lang = urls
                .get(key)
                .ok_or_else(|| tera::Error::message(format!("url_for: no page `{path}`")))?;
            let i = lang
                .and_then(|l| codes.iter().position(|c| *c == l))
                .unwrap_or(0);
            Ok(per_lang[i].clone())
        },
    );
    let assets = Arc::new(theme.asset_urls());
    theme.tera.register_function(
        "asset",
        move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
            let name: String = kwargs.must_get("name")?;
            assets.get(&name).cloned().ok_or_else(|| {
                tera::Error::message(format!("asset: no static file `{name}` in the theme"))
            })
        },
    );
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
    let Some(project) = Project::load(opts, &mut diags) else {
        diags.sort();
        return Err(Error::Invalid(diags));
    };
    project
        .build(opts, out, diags, start)
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
        mut diags: Diagnostics,
        start: Instant,
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
        let previous = cache::Manifest::read(out);
        let structure = cache::structure_hash(&project.site, &project.theme, opts);
        let bodies: Vec<String> = {
            use rayon::prelude::*;
            project
                .site
                .pages
                .par_iter()
                .map(|p| cache::body_hash(p.body()))
                .collect()
        };
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
        let sink = write::DirSink::new(out).map_err(output_error)?;
        let (summary, facts) = project
            .renderer()
            .render_all(&sink, &mut diags, reuse.as_ref());
        diags.sort();
        if diags.has_errors() {
            // A failed build leaves no cache: the next one renders everything.
            let _ = std::fs::remove_file(out.join(cache::FILE));
            return Err(Error::Invalid(diags));
        }
        let removed = sink
            .remove_stale_since(previous.as_ref().map(|m| m.files.as_slice()))
            .map_err(output_error)?;
        let manifest = cache::Manifest {
            version: cache::VERSION,
            structure,
            pages: project
                .site
                .pages
                .iter()
                .zip(bodies)
                .zip(&facts)
                .map(|((p, body), f)| {
                    (
                        p.path.clone(),
                        cache::PageEntry {
                            body,
                            ids: f.ids.clone(),
                            anchors: f.anchors.clone(),
                        },
                    )
                })
                .collect(),
            files: sink.made(),
        };
        manifest.write(out).map_err(output_error)?;
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
