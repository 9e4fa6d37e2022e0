//! The queue file's single-writer guarantee.
//!
//! An exclusive `flock`-style lock (std's [`File::try_lock`]) on the queue
//! file itself: it belongs to the open file description, so it refuses a
//! second server process *and* a second open in the same process, and the
//! kernel drops it when the holder dies — a SIGKILLed server never leaves a
//! stale lock behind, unlike a pid file.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::durable::sync_dir;
use crate::Error;

/// Opens (creating with mode 0600 if needed) and exclusively locks the
/// queue file for appending and recovery.
pub fn open_locked(path: &Path) -> Result<File, Error> {
    let existed = path.exists();
    let file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
        .map_err(Error::io("cannot open the queue file", path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(Error::Locked {
                path: path.to_path_buf(),
            });
        }
        Err(TryLockError::Error(e)) => return Err(Error::io("cannot lock", path)(e)),
    }
    if !existed {
        // A new file's name must survive a crash as surely as its records.
        sync_dir(path)?;
    }
    Ok(file)
}
