//! The build cache: what the last successful build saw, so that the next one
//! renders only the pages whose text changed, and reads only the files that
//! changed.
//!
//! It sits beside the pipeline, not in it: it stores and returns plain data
//! that the stages define (what load knew of a file, what render found in a
//! page) and that [`crate::build`] hands to it, and it imports no stage. What
//! the data mean — when a file may be taken without reading it, when a page
//! may be left as it is — is decided in [`crate::build`]:
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

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

/// The cache's folder, next to the content folder: never inside the output
/// folder, which is what gets published.
pub const DIR: &str = ".sportello-cache";
pub const VERSION: u32 = 4;

/// What earlier versions left inside the output folder; a folder holding the
/// old marker is ours, and both files are removed as stale by the next build.
pub const LEGACY_MARKER: &str = ".sportello-build";

/// What the last build recorded: `F` is what loading knew of a page file,
/// `R` what rendering found in the page. A build writes one whose `K`, `F`
/// and `R` borrow from its model, so that recording does not copy every
/// page's front matter; the next build reads it back owned.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest<F, R, K = String>
where
    K: Eq + std::hash::Hash,
{
    pub version: u32,
    /// The fingerprint of everything but page bodies.
    pub structure: String,
    /// By source path.
    pub pages: HashMap<K, PageEntry<F, R>>,
    /// Every file the build made, relative to the output folder.
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageEntry<F, R> {
    /// The hash of the page's body when it was rendered.
    pub body: String,
    pub rendered: R,
    /// What lets the next load skip reading the file when it is unchanged
    /// (`None` while the file may still be changing).
    pub file: Option<F>,
}

/// A hash of a sequence of byte strings (each length-prefixed, so that
/// `ab`,`c` and `a`,`bc` differ): the key of the structure.
pub struct Fingerprint(Xxh3);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(Xxh3::new())
    }
}

impl Fingerprint {
    pub fn feed(&mut self, bytes: &[u8]) {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    pub fn finish(&self) -> String {
        format!("{:016x}", self.0.digest())
    }
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

    /// The cache's folder (named in errors).
    pub fn dir(&self) -> &Path {
        &self.dir
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
    pub fn read<F: DeserializeOwned, R: DeserializeOwned>(&self) -> Option<Manifest<F, R>> {
        let bytes = std::fs::read(self.manifest_path()).ok()?;
        serde_json::from_slice::<Manifest<F, R>>(&bytes)
            .ok()
            .filter(|m| m.version == VERSION)
    }

    /// Writes the manifest, streamed into its file (at 40,000 pages the
    /// JSON is tens of megabytes: it is never held whole in memory).
    pub fn write<F: Serialize, R: Serialize, K: Serialize + Eq + std::hash::Hash>(
        &self,
        manifest: &Manifest<F, R, K>,
    ) -> std::io::Result<()> {
        use std::io::Write;
        std::fs::create_dir_all(&self.dir)?;
        let tmp = self.manifest_path().with_extension("json.tmp");
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        serde_json::to_writer(&mut file, manifest).map_err(std::io::Error::other)?;
        file.flush()?;
        drop(file);
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
