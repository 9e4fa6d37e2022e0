//! The build cache: what the last successful build saw, so that the next one
//! renders only the pages whose text changed, and reads only the files that
//! changed.
//!
//! A page file whose size and modification time are those recorded (and
//! which had settled for two seconds when recorded, so that a second save in
//! the same clock tick cannot hide) is taken from the cache — its parsed
//! front matter and hashes — without being read; its text is read only if
//! something needs it (rendering it again, quoting it in a diagnostic).
//!
//! A page's output depends on its own body and on the site's *structure*:
//! settings, data, theme, and every page's path and front matter (titles,
//! slugs and weights feed navigation, switchers and section lists). When the
//! structure is unchanged, a translation group whose files' bodies are
//! unchanged renders to the same bytes as last time and is skipped. Heading
//! ids and anchor references of skipped pages come from the cache, so
//! anchors are still checked across the whole site. Any doubt — no cache,
//! another version of the binary, a changed template — means a full render.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use crate::Options;
use crate::model::Site;
use crate::theme::Theme;

/// The cache's folder, next to the content folder: never inside the output
/// folder, which is what gets published.
pub const DIR: &str = ".sportello-cache";
pub const VERSION: u32 = 2;

/// What earlier versions left inside the output folder; a folder holding the
/// old marker is ours, and both files are removed as stale by the next build.
pub const LEGACY_MARKER: &str = ".sportello-build";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub structure: String,
    /// By source path.
    pub pages: HashMap<String, PageEntry>,
    /// Every file the build made, relative to the output folder.
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PageEntry {
    pub body: String,
    pub ids: Vec<String>,
    pub anchors: Vec<CachedAnchor>,
    /// What lets the next load skip reading the file when it is unchanged.
    #[serde(default)]
    pub file: Option<FileEntry>,
}

/// A page file as loaded: its stamp, and its parsed front matter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    pub stamp: crate::load::Stamp,
    pub body_start: usize,
    pub front_hash: String,
    pub front: crate::load::FrontMatter,
}

/// An anchor link of a page: target group key, language code, anchor, byte range.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedAnchor {
    pub group: String,
    pub lang: String,
    pub anchor: String,
    pub start: usize,
    pub end: usize,
}

/// The cache of builds of one content folder into one output folder: in
/// `.sportello-cache/` next to the content folder, one manifest and one
/// ownership mark per output folder (named by a hash of its canonical path).
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    /// The output folder's canonical path, as recorded in the mark.
    out: String,
    key: String,
}

impl Store {
    /// The store for building `content` into `out` (which may not exist yet).
    pub fn new(content: &Path, out: &Path) -> Store {
        let content = std::fs::canonicalize(content).unwrap_or_else(|_| content.to_path_buf());
        let dir = content
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(&content)
            .join(DIR);
        let out = canonical(out).to_string_lossy().into_owned();
        let key = format!("{:016x}", xxh3_64(out.as_bytes()));
        Store { dir, out, key }
    }

    fn manifest_path(&self) -> PathBuf {
        self.dir.join(format!("{}.json", self.key))
    }

    fn mark_path(&self) -> PathBuf {
        self.dir.join(format!("{}.out", self.key))
    }

    /// Whether an earlier build made the output folder (so its stale files
    /// may be removed): the mark names it, or it holds the old marker.
    pub fn made_output(&self) -> bool {
        std::fs::read_to_string(self.mark_path()).is_ok_and(|o| o.trim_end() == self.out)
            || Path::new(&self.out).join(LEGACY_MARKER).is_file()
    }

    /// Records that builds write into the output folder.
    pub fn claim_output(&self) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        // Tells backup and archive tools that the folder can be skipped.
        let tag = self.dir.join("CACHEDIR.TAG");
        if !tag.exists() {
            std::fs::write(
                tag,
                "Signature: 8a477f597d28d172789f06886806bc55\n\
                 # sportello's build cache: safe to delete, the next build is a full one.\n",
            )?;
        }
        if !self.made_output() || Path::new(&self.out).join(LEGACY_MARKER).is_file() {
            std::fs::write(self.mark_path(), format!("{}\n", self.out))?;
        }
        Ok(())
    }

    /// The last build's manifest, if it is readable and of this version.
    pub fn read(&self) -> Option<Manifest> {
        let bytes = std::fs::read(self.manifest_path()).ok()?;
        serde_json::from_slice::<Manifest>(&bytes)
            .ok()
            .filter(|m| m.version == VERSION)
    }

    pub fn write(&self, manifest: &Manifest) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(manifest).map_err(std::io::Error::other)?;
        std::fs::create_dir_all(&self.dir)?;
        let tmp = self.manifest_path().with_extension("json.tmp");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(tmp, self.manifest_path())
    }

    /// Forgets the last build (after a failed one): the next renders everything.
    pub fn forget(&self) {
        let _ = std::fs::remove_file(self.manifest_path());
    }
}

/// A path made absolute and free of `.`, `..` and links, as far as it exists.
fn canonical(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            canonical(parent).join(name)
        }
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

pub fn body_hash(body: &str) -> String {
    format!("{:016x}", xxh3_64(body.as_bytes()))
}

/// Everything but page bodies that can change a page's output.
pub fn structure_hash(site: &Site, theme: &Theme, opts: &Options) -> String {
    let mut h = Xxh3::new();
    let mut feed = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    feed(env!("CARGO_PKG_VERSION").as_bytes());
    // A rebuilt binary may render differently: its identity is part of the key.
    if let Some(m) = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
    {
        feed(&m.len().to_le_bytes());
        let mtime = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        feed(&mtime.map_or(0, |d| d.as_nanos()).to_le_bytes());
    }
    feed(&[u8::from(opts.drafts)]);
    feed(&std::fs::read(opts.content.join("site.yaml")).unwrap_or_default());
    for entry in walkdir::WalkDir::new(opts.content.join("_data"))
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        feed(entry.path().to_string_lossy().as_bytes());
        feed(&std::fs::read(entry.path()).unwrap_or_default());
    }
    let mut names: Vec<&String> = theme.sources.keys().collect();
    names.sort();
    for n in names {
        feed(n.as_bytes());
        feed(theme.sources[n].1.as_bytes());
    }
    feed(
        serde_json::to_string(&theme.strings)
            .unwrap_or_default()
            .as_bytes(),
    );
    for f in &theme.static_files {
        feed(f.url.as_bytes());
    }
    for a in &site.assets {
        feed(a.rel.as_bytes());
    }
    for p in &site.pages {
        feed(p.path.as_bytes());
        feed(p.front_hash.as_bytes());
    }
    format!("{:016x}", h.digest())
}

/// Which groups can be skipped given the last build's manifest: their files'
/// bodies are unchanged and their output files are still there.
pub fn clean_groups(site: &Site, previous: &Manifest, bodies: &[String], out: &Path) -> Vec<bool> {
    use rayon::prelude::*;
    site.groups
        .par_iter()
        .map(|g| {
            g.members.iter().flatten().all(|&pid| {
                previous
                    .pages
                    .get(&site.page(pid).path)
                    .is_some_and(|e| e.body == bodies[pid])
            }) && g
                .urls
                .iter()
                .all(|u| out.join(crate::render::index_path(u)).is_file())
        })
        .collect()
}
