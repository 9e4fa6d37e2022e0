//! Write: put rendered files into the output folder, in parallel, leaving a
//! file untouched when its bytes did not change (so a rebuild that changes
//! nothing writes nothing, and servers and rsync see no change), and removing
//! files of an earlier build that this build no longer makes.

use std::collections::HashSet;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Error;
use crate::render::Sink;

pub struct DirSink {
    fresh: bool,
    root: PathBuf,
    made: Mutex<HashSet<String>>,
    /// The files whose bytes this build changed (not those it found the
    /// same), when asked for (`track_changes`): a set of 400,000 paths is
    /// memory a site without search does not need.
    changed: Option<Mutex<HashSet<String>>>,
    pub written: AtomicUsize,
    pub unchanged: AtomicUsize,
}

impl DirSink {
    /// Prepares `root`; `ours` says an earlier build made it (the build cache
    /// knows). Refuses a non-empty folder that is not ours, so that stale-file
    /// removal never touches someone else's files.
    pub fn new(root: &Path, ours: bool) -> io::Result<DirSink> {
        let empty = !root.exists() || std::fs::read_dir(root)?.next().is_none();
        if !ours && !empty {
            return Err(io::Error::other(format!(
                "{} is not empty and was not made by `sportello build`; choose another --out, or empty it",
                root.display()
            )));
        }
        std::fs::create_dir_all(root)?;
        Ok(DirSink {
            fresh: empty,
            root: root.to_path_buf(),
            made: Mutex::new(HashSet::new()),
            changed: None,
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
        })
    }

    fn record(&self, rel: &str) {
        self.made
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(rel.to_string());
    }

    /// Records which files get other bytes, for [`DirSink::changed`].
    pub fn track_changes(mut self) -> DirSink {
        self.changed = Some(Mutex::new(HashSet::new()));
        self
    }

    /// Whether this build wrote `rel` with other bytes than it had (or made
    /// it); always true when changes are not tracked.
    pub fn changed(&self, rel: &str) -> bool {
        self.changed
            .as_ref()
            .is_none_or(|c| c.lock().unwrap_or_else(|p| p.into_inner()).contains(rel))
    }

    /// Every file this build made or kept, sorted.
    pub fn made(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .made
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect();
        v.sort();
        v
    }

    /// Removes the files of the last build (as its cache lists them) that this
    /// build did not make; without that list, walks the folder.
    pub fn remove_stale_since(&self, previous: Option<&[String]>) -> io::Result<usize> {
        let Some(previous) = previous else {
            return self.remove_stale();
        };
        let made = self.made.lock().unwrap_or_else(|p| p.into_inner());
        let mut removed = 0;
        for rel in previous.iter().filter(|r| !made.contains(*r)) {
            let path = self.root.join(rel);
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            // Folders left empty go too (remove_dir fails on a non-empty one).
            let mut dir = path.parent();
            while let Some(d) = dir.filter(|d| *d != self.root) {
                if std::fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
        Ok(removed)
    }

    /// Removes files (and then empty folders) that this build did not make.
    pub fn remove_stale(&self) -> io::Result<usize> {
        if self.fresh {
            return Ok(0);
        }
        let made = self.made.lock().unwrap_or_else(|p| p.into_inner());
        let mut removed = 0;
        for entry in walkdir::WalkDir::new(&self.root)
            .contents_first(true)
            .into_iter()
            .flatten()
        {
            let Ok(rel) = entry.path().strip_prefix(&self.root) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            if rel.is_empty() {
                continue;
            }
            if entry.file_type().is_dir() {
                let _ = std::fs::remove_dir(entry.path()); // only succeeds when empty
            } else if !made.contains(&rel) {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn unchanged_on_disk(path: &Path, bytes: &[u8]) -> bool {
        match std::fs::metadata(path) {
            Ok(m) if m.len() == bytes.len() as u64 => {
                std::fs::read(path).is_ok_and(|old| old == bytes)
            }
            _ => false,
        }
    }
}

/// Makes the folder of a file about to be written. Most pages have a folder
/// of their own whose parent exists: one `mkdir`, where `create_dir_all`
/// would first ask whether it exists (a `stat` per page).
fn make_dir(dir: &Path) -> io::Result<()> {
    match std::fs::create_dir(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(_) => std::fs::create_dir_all(dir),
    }
}

/// `rel` as a path under the output folder, or the refusal: only plain
/// names, no `..`, `.`, root or drive, and no backslash (a separator on
/// Windows). Checked for every file, whatever produced its name.
pub fn under_root(rel: &str) -> Result<&Path, Error> {
    let path = Path::new(rel);
    let plain = !rel.is_empty()
        && !rel.contains('\\')
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if plain {
        Ok(path)
    } else {
        Err(Error::OutsideOutput(rel.to_string()))
    }
}

impl Sink for DirSink {
    fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.root.join(under_root(rel)?);
        self.record(rel);
        // Into a folder that was empty, there is nothing to compare with.
        if !self.fresh && Self::unchanged_on_disk(&path, bytes) {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let output = |source| Error::Output {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            make_dir(dir).map_err(output)?;
        }
        std::fs::write(&path, bytes).map_err(output)?;
        self.written.fetch_add(1, Ordering::Relaxed);
        if let Some(changed) = &self.changed {
            changed
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(rel.to_string());
        }
        Ok(())
    }

    fn copy(&self, rel: &str, from: &Path) -> Result<(), Error> {
        under_root(rel)?;
        let bytes = std::fs::read(from).map_err(|source| Error::Output {
            path: from.to_path_buf(),
            source,
        })?;
        self.put(rel, &bytes)
    }

    fn keep(&self, rel: &str) {
        self.record(rel);
        self.unchanged.fetch_add(1, Ordering::Relaxed);
    }

    fn kept(&self, rel: &str) -> bool {
        let there = !self.fresh && under_root(rel).is_ok_and(|r| self.root.join(r).is_file());
        if there {
            self.keep(rel);
        }
        there
    }
}

/// For `check`: renders everything, keeps nothing.
pub struct NullSink;

impl Sink for NullSink {
    fn put(&self, rel: &str, _: &[u8]) -> Result<(), Error> {
        under_root(rel).map(|_| ())
    }
    fn copy(&self, rel: &str, from: &Path) -> Result<(), Error> {
        under_root(rel)?;
        std::fs::metadata(from)
            .map(|_| ())
            .map_err(|source| Error::Output {
                path: from.to_path_buf(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_refuses_paths_that_leave_its_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("public");
        let sink = DirSink::new(&root, false).unwrap();
        for rel in [
            "../somewhere/index.html",
            "it/../../x.html",
            "/etc/x.html",
            "./x.html",
            "a\\..\\..\\x.html",
            "",
        ] {
            let err = sink.put(rel, b"x").unwrap_err();
            assert!(matches!(err, Error::OutsideOutput(_)), "{rel}: {err}");
            assert!(NullSink.put(rel, b"x").is_err(), "{rel}");
        }
        assert!(!dir.path().join("somewhere").exists());
        assert!(!dir.path().join("x.html").exists());
        sink.put("it/ok/index.html", b"x").unwrap();
        assert!(root.join("it/ok/index.html").exists());
    }
}
