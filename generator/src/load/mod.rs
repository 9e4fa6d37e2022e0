//! Load: one parallel pass over `content/` that reads every file once.
//!
//! Pages (`*.md`) are read and their front matter parsed on all cores; other
//! files become assets published as they are; `site.yaml` and `_data/` are
//! read by [`crate::config`] and [`crate::data`]. Mistakes are collected, not
//! raised, so the caller reports all of them together.

pub mod frontmatter;
pub mod naming;
pub mod url_path;

use std::path::{Path, PathBuf};

use std::borrow::Cow;
use std::sync::OnceLock;

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
    /// The file on disk.
    source: PathBuf,
    /// The whole file, read when first needed by [`SourcePage::text`] (a
    /// located message, rare) and then kept. Loading does not keep it, and
    /// rendering reads it without keeping it ([`SourcePage::body`]): holding
    /// every page's text would make a build's memory grow with the site.
    text: OnceLock<String>,
    /// Where the body starts in the text.
    pub body_start: usize,
    /// Hashes of the front matter text and of the body (the build cache).
    pub front_hash: String,
    pub body_hash: String,
    /// Size and modification time when loaded.
    pub stamp: Stamp,
    /// Known from an earlier load, without reading the file.
    pub from_cache: bool,
}

/// What a load knew of a page file: enough to take it again without reading
/// it while its stamp is the same (the build cache keeps these).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct KnownFile {
    pub stamp: Stamp,
    pub body_start: usize,
    pub front_hash: String,
    pub body_hash: String,
    pub front: FrontMatter,
}

/// A [`KnownFile`] borrowed from a loaded page, to record it without a copy
/// (serialized the same way).
#[derive(Debug, serde::Serialize)]
pub struct KnownFileRef<'a> {
    pub stamp: Stamp,
    pub body_start: usize,
    pub front_hash: &'a str,
    pub body_hash: &'a str,
    pub front: &'a FrontMatter,
}

/// What an earlier load knew of files (the build cache keeps it).
pub trait Known: Sync {
    /// By the file's path in the content folder (`guides/found.ar.md`), so
    /// that `content` and `/srv/desk/content` find the same cache.
    fn file(&self, rel: &str) -> Option<&KnownFile>;
}

/// The hash of a text that tells whether it changed (xxh3, not for security).
pub fn text_hash(text: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

/// What tells a file unchanged without reading it, as make and cargo do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        Stamp {
            size: meta.len(),
            mtime_ns,
        }
    }
}

impl SourcePage {
    /// The whole file (read now if the page came from the cache).
    pub fn text(&self) -> &str {
        self.text
            .get_or_init(|| read_text(&self.source, &self.path).unwrap_or_default())
    }

    /// The whole file, without keeping it when it was not kept already.
    pub fn read(&self) -> Cow<'_, str> {
        match self.text.get() {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(read_text(&self.source, &self.path).unwrap_or_default()),
        }
    }

    /// The body (read now, and not kept, unless the text is held).
    pub fn body(&self) -> Cow<'_, str> {
        match self.read() {
            Cow::Borrowed(t) => Cow::Borrowed(t.get(self.body_start..).unwrap_or_default()),
            Cow::Owned(mut t) => {
                if t.is_char_boundary(self.body_start) {
                    t.drain(..self.body_start);
                } else {
                    t.clear();
                }
                Cow::Owned(t)
            }
        }
    }

    /// Replaces the text after an edit that kept the front matter (`serve`).
    pub fn set_text(&mut self, text: String) {
        self.body_hash = text_hash(text.get(self.body_start..).unwrap_or_default());
        self.text = OnceLock::from(text);
    }

    /// What the next load may take without reading the file, borrowed.
    pub fn known_ref(&self) -> KnownFileRef<'_> {
        KnownFileRef {
            stamp: self.stamp,
            body_start: self.body_start,
            front_hash: &self.front_hash,
            body_hash: &self.body_hash,
            front: &self.front,
        }
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

/// Reads every page and lists every asset under `content`. A page whose size
/// and modification time are those an earlier load recorded (`known`) is
/// taken from that record without reading the file.
pub fn load(
    content: &Path,
    config: &SiteConfig,
    diags: &mut Diagnostics,
    known: Option<&dyn Known>,
) -> Loaded {
    let mut t = std::time::Instant::now();
    let mut md_files = Vec::new();
    let mut assets = Vec::new();
    let real_content = std::fs::canonicalize(content).unwrap_or_else(|_| content.to_path_buf());
    let mut walker = WalkDir::new(content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !naming::is_ignored(&e.file_name().to_string_lossy()));
    while let Some(entry) = walker.next() {
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
        if entry.depth() > 0
            && entry.path_is_symlink()
            && !link_stays_inside(&real_content, &entry, diags)
        {
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
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
            let stamp = entry.metadata().map(|m| Stamp::of(&m)).unwrap_or_default();
            md_files.push((entry.into_path(), rel, stamp));
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
        .map(|(path, rel, stamp)| {
            let shown = path.display().to_string();
            match known
                .and_then(|k| k.file(rel))
                .filter(|f| f.stamp == *stamp)
            {
                Some(file) => from_known(path, shown, rel, config, file),
                None => read_page(path, shown, rel, config, *stamp),
            }
        })
        .collect();
    let mut pages = Vec::with_capacity(results.len());
    for (page, d) in results {
        diags.extend(d);
        pages.extend(page);
    }
    Loaded { pages, assets }
}

/// Whether a symbolic link under `content/` points inside it; a link that
/// leaves it is an error at the link, since following it would publish a
/// file from anywhere on the machine (`/etc/passwd`, the queue's folder).
fn link_stays_inside(
    real_content: &Path,
    entry: &walkdir::DirEntry,
    diags: &mut Diagnostics,
) -> bool {
    match std::fs::canonicalize(entry.path()) {
        Ok(target) if target.starts_with(real_content) => true,
        Ok(target) => {
            diags.push(
                Diagnostic::error(
                    entry.path(),
                    format!(
                        "symbolic link to `{}`, outside the content folder",
                        target.display()
                    ),
                )
                .hint("copy the file into the content folder instead of linking to it"),
            );
            false
        }
        Err(e) => {
            diags.push(Diagnostic::error(
                entry.path(),
                format!("cannot follow this symbolic link: {e}"),
            ));
            false
        }
    }
}

/// The text of a page file, without a byte-order mark (some editors on
/// Windows save one; it is not content); or the diagnostic saying why not.
fn read_text(path: &Path, shown: &str) -> Result<String, Box<Diagnostic>> {
    let bytes =
        std::fs::read(path).map_err(|e| Diagnostic::error(shown, format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Diagnostic::error(shown, "this file is not valid UTF-8")
            .hint("save it as UTF-8 in your editor")
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Name, folder, key and language of a page file from its path.
struct Naming {
    dir: String,
    name: String,
    key: String,
    lang: Option<LangId>,
}

/// What is known of a file's content, read now or taken from the cache.
struct Content {
    front: FrontMatter,
    body_start: usize,
    front_hash: String,
    body_hash: String,
    stamp: Stamp,
    text: OnceLock<String>,
    from_cache: bool,
}

impl Naming {
    fn page(self, lang: LangId, path: &Path, shown: String, rel: &str, c: Content) -> SourcePage {
        SourcePage {
            path: shown,
            rel: rel.to_string(),
            dir: self.dir,
            name: self.name,
            key: self.key,
            lang,
            front: c.front,
            source: path.to_path_buf(),
            text: c.text,
            body_start: c.body_start,
            front_hash: c.front_hash,
            body_hash: c.body_hash,
            stamp: c.stamp,
            from_cache: c.from_cache,
        }
    }
}

fn naming(shown: &str, rel: &str, config: &SiteConfig, diags: &mut Vec<Diagnostic>) -> Naming {
    let (dir, file) = match rel.rsplit_once('/') {
        Some((d, f)) => (d.to_string(), f),
        None => (String::new(), rel),
    };
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let parts = naming::split_stem(stem);
    let lang = match parts.lang {
        None => Some(config.default_language),
        Some(code) => {
            let found = config.lang(code);
            if found.is_none() {
                diags.push(
                    Diagnostic::error(shown, format!("`{code}` is not a language of this site"))
                        .hint(format!(
                            "configured languages: {}; add `{code}` to `languages:` in site.yaml, or rename the file",
                            config.code_list()
                        )),
                );
            }
            found
        }
    };
    Naming {
        key: join(&dir, parts.name),
        dir,
        name: parts.name.to_string(),
        lang,
    }
}

fn from_known(
    path: &Path,
    shown: String,
    rel: &str,
    config: &SiteConfig,
    file: &KnownFile,
) -> (Option<SourcePage>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let n = naming(&shown, rel, config, &mut diags);
    let content = Content {
        front: file.front.clone(),
        body_start: file.body_start,
        front_hash: file.front_hash.clone(),
        body_hash: file.body_hash.clone(),
        stamp: file.stamp,
        text: OnceLock::new(),
        from_cache: true,
    };
    let page = n.lang.map(|lang| n.page(lang, path, shown, rel, content));
    (page, diags)
}

fn read_page(
    path: &Path,
    shown: String,
    rel: &str,
    config: &SiteConfig,
    stamp: Stamp,
) -> (Option<SourcePage>, Vec<Diagnostic>) {
    let text = match read_text(path, &shown) {
        Ok(t) => t,
        Err(d) => return (None, vec![*d]),
    };
    let mut diags = Vec::new();
    let n = naming(&shown, rel, config, &mut diags);
    let (front, body_start, fm_diags) = frontmatter::parse(&shown, &text);
    diags.extend(fm_diags);
    let page = match (n.lang, front) {
        (Some(lang), Some(front)) if diags.is_empty() => {
            let content = Content {
                front,
                body_start,
                front_hash: text_hash(&text[..body_start]),
                body_hash: text_hash(&text[body_start..]),
                stamp,
                text: OnceLock::new(),
                from_cache: false,
            };
            Some(n.page(lang, path, shown, rel, content))
        }
        _ => None,
    };
    (page, diags)
}
