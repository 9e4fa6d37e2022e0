//! Sportello's static site generator.
//!
//! The pipeline, one module a stage:
//!
//! 1. **load** — [`config`] reads `site.yaml`, [`load`] reads every page and
//!    its front matter in parallel, [`data`] reads the desks and the
//!    directory's associations;
//! 2. **model** — [`model`] groups files into translations, hangs them in
//!    sections, and gives each page its URL in every language;
//! 3. **render** — [`render`] turns each page into HTML with the [`theme`]'s
//!    Tera templates, [`markdown`] resolving links as it goes, plus
//!    [`sitemap`], the Atom [`feed`]s, [`jsonld`] and opening [`hours`];
//! 4. **write** — [`mod@write`] puts files on disk, skipping unchanged ones;
//! 5. **search** — [`search`] indexes the written pages, one Pagefind index
//!    per language.
//!
//! Around it: [`project`] holds a loaded site with its theme; [`mod@build`] runs
//! the pipeline end to end and keeps the [`cache`] that lets the next build
//! render only what changed; [`preview`] keeps a site loaded for `serve`, so
//! an edited page is rendered alone; [`served`] says which file of the built
//! site a URL names, for `serve`.
//!
//! Every editor mistake becomes a [`diagnostic::Diagnostic`]; a run collects
//! all of them and fails at the end. [`check`] runs the same pipeline without
//! writing and adds the [`report`] of missing and stale translations and the
//! [`markers`] left for the desk to confirm. All YAML is read through
//! [`yaml`]. [`scaffold`] starts a page or a translation for an editor
//! (`sportello new`).

pub mod build;
pub mod cache;
pub mod cms;
pub mod config;
pub mod data;
pub mod diagnostic;
pub mod feed;
pub mod form;
pub mod hours;
pub mod jsonld;
pub mod load;
pub mod markdown;
pub mod markers;
pub mod model;
pub mod plural;
pub mod preview;
pub mod progress;
pub mod project;
pub mod render;
pub mod report;
pub mod scaffold;
pub mod search;
pub mod served;
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
use std::time::Instant;

pub use build::{BuildResult, build, check, pending};
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use model::Site;
pub use project::Project;
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
    /// The writer's second line of defence: a path that would leave the
    /// output folder (aliases and slugs are refused when read already).
    #[error("`{0}` is not a path inside the output folder; nothing was written there")]
    OutsideOutput(String),
    #[error("cannot write the build cache in {path}: {source}")]
    Cache {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot build the search index of `{lang}`: {message}")]
    Search { lang: String, message: String },
    #[error("no page `{0}` in this site")]
    NoSuchPage(String),
    #[error("{0}")]
    Render(String),
    #[error("`{page}` is not a page path: {why}")]
    PagePath { page: String, why: &'static str },
    #[error("language `{code}` is not in site.yaml (languages: {known})")]
    UnknownLanguage { code: String, known: String },
    #[error("{} already exists; `sportello new` never overwrites a page", path.display())]
    Exists { path: PathBuf },
    #[error("no `{lang}` version of `{page}` to translate from (looked for {tried})")]
    NoOriginal {
        page: String,
        lang: String,
        tried: String,
    },
    #[error("cannot read or write {}: {source}", path.display())]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Where the inputs are and what to include.
#[derive(Debug, Clone)]
pub struct Options {
    pub content: PathBuf,
    pub themes: PathBuf,
    pub drafts: bool,
    /// `serve`'s preview: draft pages carry a "draft, not published" banner
    /// (never in a build, even one with drafts).
    pub preview: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            content: "content".into(),
            themes: "themes".into(),
            drafts: false,
            preview: false,
        }
    }
}
