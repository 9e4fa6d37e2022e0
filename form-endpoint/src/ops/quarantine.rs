//! What recovery set aside from the end of the queue, until an operator has
//! dealt with it.
//!
//! When a server starts on a queue whose end is not a good record, it moves
//! that end to a file next to the queue: `QUEUE.torn-<time>` for a line cut
//! before its newline (a crash interrupted the write: never acknowledged),
//! `QUEUE.damaged-<time>` when it holds complete lines whose checksum does
//! not match (a record that may have been acknowledged, then damaged on
//! disk). Either is listed by `verify` (which fails while one is there) and
//! by `list`, until an operator restores the records that can still be read
//! ([`restore`]: appended to the queue again with a fresh checksum, under
//! the rewrite lock, so beside a running server) or dismisses the file
//! ([`dismiss`]: deleted).

use std::fs::{self, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use crate::Error;
use crate::queue::durable::sync_dir;
use crate::queue::line::LineProblem;
use crate::queue::record::{Record, SCHEMA_VERSION, decode_line, encode_line};
use crate::queue::recover::SetAsideKind;
use crate::queue::rewrite;

/// A set-aside file is the end of one queue: never more than this is read.
const MAX_SIZE: u64 = 64 * 1024 * 1024;

/// One file set aside from the end of the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    pub path: PathBuf,
    pub kind: SetAsideKind,
}

impl SetAside {
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// One line of a set-aside file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsideLine {
    pub offset: u64,
    pub len: u64,
    /// Ends with its `\n`.
    pub complete: bool,
    /// Why it is not a good record.
    pub problem: Option<LineProblem>,
    /// Its content, if it still reads as a record (checksum aside).
    pub record: Option<Record>,
}

/// The set-aside files of `queue`, oldest first.
pub fn list(queue: &Path) -> Result<Vec<SetAside>, Error> {
    let dir = match queue.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Some(name) = queue.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Ok(Vec::new());
    };
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("cannot list", dir)(e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(Error::io("cannot list", dir))?;
        let file = entry.file_name().to_string_lossy().into_owned();
        for kind in [SetAsideKind::Torn, SetAsideKind::Damaged] {
            if file
                .strip_prefix(&name)
                .is_some_and(|rest| rest.starts_with(kind.infix()))
            {
                found.push(SetAside {
                    path: entry.path(),
                    kind,
                });
            }
        }
    }
    // The time stamp in the name sorts them.
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// The set-aside file of `queue` named `name` (a file name, or a path to
/// it): only those, so that no other file can be restored or deleted.
pub fn find(queue: &Path, name: &str) -> Result<SetAside, Error> {
    let wanted = Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    list(queue)?
        .into_iter()
        .find(|a| a.file_name() == wanted)
        .ok_or_else(|| {
            Error::Config(format!(
                "{name} is not a file set aside from {} (see `sportello-forms quarantine list`)",
                queue.display()
            ))
        })
}

/// Reads a set-aside file line by line.
pub fn read(aside: &SetAside) -> Result<Vec<AsideLine>, Error> {
    let mut bytes = Vec::new();
    fs::File::open(&aside.path)
        .and_then(|f| f.take(MAX_SIZE).read_to_end(&mut bytes))
        .map_err(Error::io("cannot read", &aside.path))?;
    let mut lines = Vec::new();
    let mut offset = 0u64;
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        let (line, complete) = match rest.iter().position(|b| *b == b'\n') {
            Some(i) => (&rest[..i], true),
            None => (rest, false),
        };
        let len = line.len() as u64 + u64::from(complete);
        let (problem, record) = match decode_line(line) {
            Ok(r) => (None, Some(r)),
            Err(p) => {
                let p = if complete {
                    p
                } else {
                    LineProblem::Unterminated
                };
                let readable = serde_json::from_slice::<Record>(line)
                    .ok()
                    .filter(|r| r.v == SCHEMA_VERSION && complete);
                (Some(p), readable)
            }
        };
        lines.push(AsideLine {
            offset,
            len,
            complete,
            problem,
            record,
        });
        offset += len;
        rest = &rest[line.len() + usize::from(complete)..];
    }
    Ok(lines)
}

/// What [`restore`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restored {
    /// Ids appended to the queue again.
    pub restored: Vec<ulid::Ulid>,
    /// Ids already in the queue (restored before): not appended twice.
    pub already: Vec<ulid::Ulid>,
    /// Lines that do not read as a record.
    pub unreadable: usize,
    /// The set-aside file was deleted (everything in it is in the queue).
    pub removed: bool,
}

/// Appends every readable record of `aside` that the queue does not hold
/// yet, with a fresh checksum; deletes `aside` if nothing unreadable is
/// left in it.
pub fn restore(queue: &Path, aside: &SetAside) -> Result<Restored, Error> {
    let lines = read(aside)?;
    let mut report = Restored::default();
    rewrite::complete_pending(queue)?;
    // The writer appends only under this lock: nothing is interleaved.
    let _lock = rewrite::lock(&rewrite::rewrite_lock_path(queue))?;
    let present: std::collections::HashSet<ulid::Ulid> = crate::queue::read_records(queue)?
        .filter_map(Result::ok)
        .map(|r| r.id)
        .collect();
    let mut out = Vec::new();
    for line in &lines {
        match &line.record {
            Some(r) if present.contains(&r.id) || report.restored.contains(&r.id) => {
                report.already.push(r.id);
            }
            Some(r) => {
                encode_line(r, &mut out)?;
                report.restored.push(r.id);
            }
            None => report.unreadable += 1,
        }
    }
    if !out.is_empty() {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(queue)
            .map_err(Error::io("cannot open", queue))?;
        if !ends_with_newline(&mut file).map_err(Error::io("cannot read", queue))? {
            return Err(Error::Config(format!(
                "{} ends with an incomplete line: start the server once (it sets that line aside), then restore",
                queue.display()
            )));
        }
        file.write_all(&out)
            .and_then(|()| file.sync_all())
            .map_err(Error::io("cannot write", queue))?;
    }
    if report.unreadable == 0 {
        dismiss(aside)?;
        report.removed = true;
    }
    Ok(report)
}

fn ends_with_newline(file: &mut fs::File) -> std::io::Result<bool> {
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// Deletes a set-aside file: an operator has looked at it and kept what
/// they needed.
pub fn dismiss(aside: &SetAside) -> Result<(), Error> {
    fs::remove_file(&aside.path).map_err(Error::io("cannot delete", &aside.path))?;
    sync_dir(&aside.path)
}
