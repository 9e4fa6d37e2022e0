//! Load: one parallel pass over `content/` that reads every file once.
//!
//! Pages (`*.md`) are read and their front matter parsed on all cores; other
//! files become assets published as they are; `site.yaml` and `_data/` are
//! read by [`crate::config`] and [`crate::data`]. Mistakes are collected, not
//! raised, so the caller reports all of them together.

pub mod frontmatter;
pub mod naming;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::{LangId, SiteConfig};
use crate::diagnostic::{Diagnostic, Diagnostics};
pub use frontmatter::FrontMatter;

/// One Markdown file: one page in one language.
#[derive(Debug)]
pub struct SourcePage {
    /// Path as shown to the editor (`content/guides/found.ar.md`).
    pub path: String,
    /// Path relative to the content folder (`guides/found.ar.md`).
    pub rel: String,
    /// Folder relative to the content root, `/`-separated, `""` at the root.
    pub dir: String,
    /// The page's name: the file stem without its language suffix.
    pub name: String,
    /// `dir/name`, computed once (it is looked up and sorted on a lot).
    key: String,
    pub lang: LangId,
    pub front: FrontMatter,
    /// The whole file; the body starts at `body_start`.
    pub text: String,
    pub body_start: usize,
}

impl SourcePage {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// `dir/name`, the page's identity among the files of one language.
    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn is_section(&self) -> bool {
        self.name == "_index"
    }

    pub fn is_home(&self) -> bool {
        self.dir.is_empty() && self.name == "index"
    }
}

/// A file published as it is, at its path relative to the content root.
#[derive(Debug, Clone)]
pub struct Asset {
    pub source: PathBuf,
    /// `guides/statuto-tipo.pdf`
    pub rel: String,
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub pages: Vec<SourcePage>,
    pub assets: Vec<Asset>,
}

pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Reads every page and lists every asset under `content`.
pub fn load(content: &Path, config: &SiteConfig, diags: &mut Diagnostics) -> Loaded {
    let mut t = std::time::Instant::now();
    let mut md_files = Vec::new();
    let mut assets = Vec::new();
    let walker = WalkDir::new(content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !naming::is_ignored(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| content.to_path_buf());
                diags.push(Diagnostic::error(&path, format!("cannot read: {e}")));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = match entry.path().strip_prefix(content) {
            Ok(r) => r.to_string_lossy().replace('\\', "/"),
            Err(_) => continue,
        };
        if rel == "site.yaml" {
            continue;
        }
        if rel.ends_with(".md") {
            md_files.push((entry.into_path(), rel));
        } else {
            assets.push(Asset {
                source: entry.into_path(),
                rel,
            });
        }
    }

    crate::phase("walk", &mut t);
    let results: Vec<(Option<SourcePage>, Vec<Diagnostic>)> = md_files
        .par_iter()
        .map(|(path, rel)| read_page(path, rel, config))
        .collect();
    let mut pages = Vec::with_capacity(results.len());
    for (page, d) in results {
        diags.extend(d);
        pages.extend(page);
    }
    Loaded { pages, assets }
}

fn read_page(path: &Path, rel: &str, config: &SiteConfig) -> (Option<SourcePage>, Vec<Diagnostic>) {
    let shown = path.display().to_string();
    let text: String = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            // Some editors on Windows save a byte-order mark; it is not content.
            Ok(s) => match s.strip_prefix('\u{feff}') {
                Some(rest) => rest.to_string(),
                None => s,
            },
            Err(_) => {
                return (
                    None,
                    vec![
                        Diagnostic::error(&shown, "this file is not valid UTF-8")
                            .hint("save it as UTF-8 in your editor"),
                    ],
                );
            }
        },
        Err(e) => {
            return (
                None,
                vec![Diagnostic::error(&shown, format!("cannot read: {e}"))],
            );
        }
    };
    let (dir, file) = match rel.rsplit_once('/') {
        Some((d, f)) => (d.to_string(), f),
        None => (String::new(), rel),
    };
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let parts = naming::split_stem(stem);
    let mut diags = Vec::new();
    let lang = match parts.lang {
        None => Some(config.default_language),
        Some(code) => {
            let found = config.lang(code);
            if found.is_none() {
                diags.push(
                    Diagnostic::error(&shown, format!("`{code}` is not a language of this site"))
                        .hint(format!(
                            "configured languages: {}; add `{code}` to `languages:` in site.yaml, or rename the file",
                            config.code_list()
                        )),
                );
            }
            found
        }
    };
    let (front, body_start, fm_diags) = frontmatter::parse(&shown, &text);
    diags.extend(fm_diags);
    let page = match (lang, front) {
        (Some(lang), Some(front)) if diags.is_empty() => Some(SourcePage {
            path: shown,
            rel: rel.to_string(),
            key: join(&dir, parts.name),
            dir,
            name: parts.name.to_string(),
            lang,
            front,
            text,
            body_start,
        }),
        _ => None,
    };
    (page, diags)
}
