//! The access log: who opened or changed which request, and when — the
//! desk's accountability under the GDPR (art. 5(2), 30, 32). One JSON line
//! per event in `QUEUE.access.jsonl`, created 0600, appended with a single
//! write and fsync'd. It names operators and request ids, never anything
//! the requester wrote.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::Error;

/// One line of the access log.
#[derive(Debug, Clone, Serialize)]
pub struct Entry<'a> {
    pub at: String,
    pub operator: &'a str,
    pub action: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    /// A count or a format (never personal data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AccessLog {
    path: PathBuf,
}

impl AccessLog {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry (blocking: call from a blocking task).
    pub fn record(
        &self,
        operator: &str,
        action: &str,
        id: Option<&str>,
        detail: Option<String>,
    ) -> Result<(), Error> {
        let entry = Entry {
            at: jiff::Timestamp::now().to_string(),
            operator,
            action,
            id,
            detail,
        };
        let mut line = serde_json::to_vec(&entry)?;
        line.push(b'\n');
        let mut file = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&self.path)
            .map_err(Error::io("cannot open the access log", &self.path))?;
        // One write of the whole line: appends from several requests never
        // interleave inside a line.
        file.write_all(&line)
            .and_then(|()| file.sync_data())
            .map_err(Error::io("cannot write the access log", &self.path))
    }
}
