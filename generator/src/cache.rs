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
use std::path::Path;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use crate::Options;
use crate::model::Site;
use crate::theme::Theme;

/// Where the cache lives, inside the output folder.
pub const FILE: &str = ".sportello-cache.json";
pub const VERSION: u32 = 2;

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

impl Manifest {
    /// The last build's manifest, if it is readable and of this version.
    pub fn read(out: &Path) -> Option<Manifest> {
        let bytes = std::fs::read(out.join(FILE)).ok()?;
        serde_json::from_slice::<Manifest>(&bytes)
            .ok()
            .filter(|m| m.version == VERSION)
    }

    pub fn write(&self, out: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        let tmp = out.join(format!("{FILE}.tmp"));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(tmp, out.join(FILE))
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
    feed(&[u8::from(opts.drafts), u8::from(opts.preview)]);
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
