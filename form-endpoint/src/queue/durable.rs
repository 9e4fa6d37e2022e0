//! Making a new or renamed file's directory entry survive a power cut:
//! used by the queue, the state log, purges and the accounts file alike.

use std::fs::File;
use std::path::Path;

use crate::Error;

/// Makes a new directory entry durable: fsyncs the folder holding `file`.
pub fn sync_dir(file: &Path) -> Result<(), Error> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(Error::io("cannot sync directory", dir))
}
