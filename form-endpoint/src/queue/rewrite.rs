//! Rewriting the queue (retention purge, erasure) beside a running writer,
//! crash-safely.
//!
//! Three lock files next to the queue, all 0600:
//!
//! - `QUEUE.lock`: held for its whole life by the process that writes the
//!   queue (`serve`); refuses a second one. It is a separate, stable file so
//!   the queue file itself can be replaced.
//! - `QUEUE.rewrite.lock`: held by the writer **only during each group
//!   commit** (append + fsync, microseconds to milliseconds), by recovery
//!   when the queue is opened, and by a purge for its whole run. So a purge
//!   sees a queue nobody is appending to; submissions arriving meanwhile
//!   wait in the writer's channel (delayed by the purge, never refused or
//!   lost) and are committed into the new file right after.
//! - `QUEUE.state.lock`: serialises appends to the state log and purges
//!   (taken after the rewrite lock, never before, so no deadlock).
//!
//! A purge writes the new queue and state log under temporary names
//! (`….purge-new`, fsync'd), then its **commit point**: the journal
//! `QUEUE.purge.journal` (checksummed, fsync'd, directory fsync'd) listing
//! the renames. Then it renames the new files over the old ones, fsyncs the
//! directory and deletes the journal. Whoever next takes the rewrite lock
//! (the writer before a commit, `Queue::open`, any operators' command) first
//! finishes a purge a crash interrupted: a valid journal → do the renames
//! that are left (roll forward); no valid journal → delete the temporary
//! files (roll back). So after a crash at any point the files are either
//! all old or all new. At every commit the writer checks that its open file
//! is still the one at the queue's path, and reopens it if a purge replaced
//! it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::durable::sync_dir;
use super::line::{check_line, encode_checksummed};
use crate::Error;

/// `queue` with `suffix` appended to its file name.
pub fn sibling(queue: &Path, suffix: &str) -> PathBuf {
    let mut name = queue.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

pub fn owner_lock_path(queue: &Path) -> PathBuf {
    sibling(queue, ".lock")
}
pub fn rewrite_lock_path(queue: &Path) -> PathBuf {
    sibling(queue, ".rewrite.lock")
}
pub fn state_lock_path(queue: &Path) -> PathBuf {
    sibling(queue, ".state.lock")
}
pub fn state_path(queue: &Path) -> PathBuf {
    sibling(queue, ".state.jsonl")
}
pub fn journal_path(queue: &Path) -> PathBuf {
    sibling(queue, ".purge.journal")
}
/// Where a purge writes the new version of `file`.
pub fn new_path(file: &Path) -> PathBuf {
    sibling(file, ".purge-new")
}

fn open_lock_file(path: &Path) -> Result<File, Error> {
    let existed = path.exists();
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(Error::io("cannot open the lock file", path))?;
    if !existed {
        sync_dir(path)?;
    }
    Ok(file)
}

/// Takes an exclusive lock file, waiting for its holder.
pub fn lock(path: &Path) -> Result<File, Error> {
    let file = open_lock_file(path)?;
    file.lock().map_err(Error::io("cannot lock", path))?;
    Ok(file)
}

/// Takes the writer's lifetime lock, or fails with [`Error::Locked`].
pub fn lock_owner(queue: &Path) -> Result<File, Error> {
    let path = owner_lock_path(queue);
    let file = open_lock_file(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(Error::Locked {
            path: queue.to_path_buf(),
        }),
        Err(fs::TryLockError::Error(e)) => Err(Error::io("cannot lock", &path)(e)),
    }
}

/// The journal: the renames that make a purge happen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub v: u32,
    /// `(from, to)` file names, in the queue's directory.
    pub renames: Vec<(String, String)>,
}

fn dir_of(queue: &Path) -> PathBuf {
    match queue.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes the journal (the commit point): fsync'd, directory fsync'd.
pub fn commit_journal(queue: &Path, journal: &Journal) -> Result<(), Error> {
    let path = journal_path(queue);
    let mut buf = Vec::new();
    encode_checksummed(journal, &mut buf)?;
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .map_err(Error::io("cannot create", &path))?;
    file.write_all(&buf)
        .and_then(|()| file.sync_all())
        .map_err(Error::io("cannot write", &path))?;
    sync_dir(&path)
}

fn read_journal(queue: &Path) -> Result<Option<Journal>, Error> {
    let path = journal_path(queue);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("cannot read", &path)(e)),
    };
    let line = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    if check_line(line).is_err() {
        return Ok(None);
    }
    Ok(serde_json::from_slice::<Journal>(line).ok())
}

/// Is a purge's journal lying there (a purge running, or interrupted)?
pub fn journal_exists(queue: &Path) -> bool {
    journal_path(queue).exists()
}

/// Finishes or undoes an interrupted purge. The caller holds the rewrite
/// lock and the state lock. Returns whether there was anything to do.
pub fn complete_locked(queue: &Path) -> Result<bool, Error> {
    let dir = dir_of(queue);
    let journal = journal_path(queue);
    let mut acted = false;
    match read_journal(queue)? {
        Some(j) => {
            for (from, to) in &j.renames {
                let from = dir.join(from);
                if from.exists() {
                    fs::rename(&from, dir.join(to)).map_err(Error::io("cannot rename", &from))?;
                }
            }
            sync_dir(queue)?;
            acted = true;
        }
        None => {
            for file in [queue.to_path_buf(), state_path(queue)] {
                let tmp = new_path(&file);
                if tmp.exists() {
                    fs::remove_file(&tmp).map_err(Error::io("cannot remove", &tmp))?;
                    acted = true;
                }
            }
        }
    }
    if journal.exists() {
        fs::remove_file(&journal).map_err(Error::io("cannot remove", &journal))?;
        acted = true;
    }
    if acted {
        sync_dir(queue)?;
        tracing::warn!("an interrupted purge was completed or undone");
    }
    Ok(acted)
}

/// [`complete_locked`] for a caller holding no lock: takes the rewrite
/// lock, then the state lock, if a journal or leftover is there.
pub fn complete_pending(queue: &Path) -> Result<bool, Error> {
    let leftovers =
        journal_exists(queue) || new_path(queue).exists() || new_path(&state_path(queue)).exists();
    if !leftovers {
        return Ok(false);
    }
    let _rewrite = lock(&rewrite_lock_path(queue))?;
    let _state = lock(&state_lock_path(queue))?;
    complete_locked(queue)
}

/// Writes `bytes` to `tmp` (created 0600, truncated) and syncs it: the
/// first half of every write-then-rename next to the queue (purge files,
/// the operators' accounts).
pub fn write_private(tmp: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(tmp)
        .map_err(Error::io("cannot create", tmp))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(Error::io("cannot write", tmp))
}

/// Makes the queue directory's entries durable.
pub fn sync_dir_of(queue: &Path) -> Result<(), Error> {
    sync_dir(queue)
}
