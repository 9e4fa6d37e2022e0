//! Finding the torn tail of a queue file, setting it aside, and verifying a
//! file's integrity.
//!
//! A crash can cut the last write anywhere, and after a power loss the end
//! of a file may even hold zeros. The *torn tail* is everything after the
//! last line that is a complete, checksummed record ending in `\n`: by
//! construction it holds no good record, so moving it aside loses nothing
//! that was acknowledged. Damaged lines *before* the last good one are not a
//! crash's doing (acknowledged data was fsync'd): they are left in place,
//! reported, and make [`verify`] fail, for an operator to look at.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::durable::sync_dir;
use super::line::LineProblem;
use super::read::Lines;
use super::record::Record;
use crate::Error;

/// At most this many damaged lines are listed (all are counted).
pub const MAX_LISTED: usize = 1000;

/// A damaged line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    pub offset: u64,
    pub len: u64,
    pub problem: LineProblem,
}

/// What a pass over a queue file found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// Good records, in file order (ids only: the rest stays on disk).
    pub ids: Vec<ulid::Ulid>,
    /// Offsets of the good records, parallel to `ids`.
    pub offsets: Vec<u64>,
    /// End of the last good record: where a torn tail starts.
    pub good_end: u64,
    /// Size of what was scanned.
    pub len: u64,
    /// Damaged lines before `good_end`.
    pub damaged: Vec<Damage>,
    pub damaged_count: u64,
    /// Lines after `good_end` that end with their `\n`: complete lines whose
    /// checksum or content is wrong. A crash cuts a write, it does not
    /// complete a line with wrong bytes, so such a line may be a record that
    /// was acknowledged and later damaged: never to be taken for a torn write.
    pub tail_complete: u64,
}

impl Scan {
    /// The torn tail, if any: `(offset, length)`.
    pub fn torn_tail(&self) -> Option<(u64, u64)> {
        (self.len > self.good_end).then(|| (self.good_end, self.len - self.good_end))
    }
}

/// Scans lines from `reader`, calling `on_record` for each good record.
pub fn scan<R: BufRead>(reader: R, mut on_record: impl FnMut(u64, &Record)) -> io::Result<Scan> {
    let mut s = Scan::default();
    let mut pending = Vec::new();
    let mut pending_count = 0u64;
    for line in Lines::new(reader) {
        let line = line?;
        s.len = line.offset + line.len;
        match line.entry {
            Ok(record) => {
                on_record(line.offset, &record);
                s.ids.push(record.id);
                s.offsets.push(line.offset);
                s.good_end = s.len;
                s.tail_complete = 0;
                // Damage followed by a good record is mid-file damage.
                s.damaged_count += pending_count;
                pending_count = 0;
                for d in pending.drain(..) {
                    if s.damaged.len() < MAX_LISTED {
                        s.damaged.push(d);
                    }
                }
            }
            Err(problem) => {
                pending_count += 1;
                if problem != LineProblem::Unterminated {
                    s.tail_complete = pending_count;
                }
                if pending.len() < MAX_LISTED {
                    pending.push(Damage {
                        offset: line.offset,
                        len: line.len,
                        problem,
                    });
                }
            }
        }
    }
    Ok(s)
}

/// Scans an in-memory file (for tests and fuzzing).
pub fn scan_bytes(bytes: &[u8]) -> Scan {
    // Reading from a slice cannot fail.
    scan(bytes, |_, _| {}).unwrap_or_default()
}

/// A torn tail that was moved aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// Where the tail started in the queue file.
    pub offset: u64,
    pub len: u64,
    /// The file it was copied to, next to the queue.
    pub saved_to: PathBuf,
    /// Complete lines in it (see [`Scan::tail_complete`]): `0` for a write
    /// cut by a crash (`QUEUE.torn-…`), more for damaged records that may
    /// have been acknowledged (`QUEUE.damaged-…`).
    pub complete_lines: u64,
}

/// What opening the queue found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Good records in the file.
    pub records: u64,
    /// Damaged lines left in place before the last good record.
    pub damaged: Vec<Damage>,
    pub damaged_count: u64,
    pub torn: Option<TornTail>,
}

/// Recovers an open, locked queue file: scans it, copies a torn tail to
/// `QUEUE.torn-<UTC time>` (fsync'd), then cuts it off the queue (fsync'd).
/// Returns the recovery report and the file's new length.
pub(crate) fn recover_file(file: &mut File, path: &Path) -> Result<(Recovery, u64), Error> {
    file.seek(SeekFrom::Start(0))
        .map_err(Error::io("cannot read", path))?;
    let s = scan(BufReader::with_capacity(256 * 1024, &*file), |_, _| {})
        .map_err(Error::io("cannot read", path))?;
    let mut recovery = Recovery {
        records: s.ids.len() as u64,
        damaged: s.damaged.clone(),
        damaged_count: s.damaged_count,
        torn: None,
    };
    if let Some((offset, len)) = s.torn_tail() {
        let kind = if s.tail_complete > 0 {
            SetAsideKind::Damaged
        } else {
            SetAsideKind::Torn
        };
        let saved_to = set_aside_path(path, kind);
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&saved_to)
            .map_err(Error::io("cannot create", &saved_to))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(Error::io("cannot read", path))?;
        io::copy(&mut (&*file).take(len), &mut out)
            .map_err(Error::io("cannot write", &saved_to))?;
        out.sync_all()
            .map_err(Error::io("cannot sync", &saved_to))?;
        sync_dir(&saved_to)?;
        // Only once the tail is safe elsewhere is it cut off the queue.
        file.set_len(offset)
            .map_err(Error::io("cannot truncate", path))?;
        file.sync_all().map_err(Error::io("cannot sync", path))?;
        recovery.torn = Some(TornTail {
            offset,
            len,
            saved_to,
            complete_lines: s.tail_complete,
        });
    }
    let end = file
        .seek(SeekFrom::End(0))
        .map_err(Error::io("cannot read", path))?;
    Ok((recovery, end))
}

/// Why the end of a queue file was set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetAsideKind {
    /// A write cut before its newline: never acknowledged.
    Torn,
    /// Complete lines with a bad checksum: may have been acknowledged.
    Damaged,
}

impl SetAsideKind {
    /// The infix of the file name: `QUEUE.torn-…`, `QUEUE.damaged-…`.
    pub fn infix(self) -> &'static str {
        match self {
            Self::Torn => ".torn-",
            Self::Damaged => ".damaged-",
        }
    }
}

fn set_aside_path(queue: &Path, kind: SetAsideKind) -> PathBuf {
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let base = format!("{}{}{stamp}", queue.display(), kind.infix());
    let mut candidate = PathBuf::from(&base);
    let mut n = 1;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{base}-{n}"));
        n += 1;
    }
    candidate
}

/// The result of [`verify`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    pub records: u64,
    /// Damaged lines before the last good record.
    pub damaged: Vec<Damage>,
    pub damaged_count: u64,
    /// `(offset, length)` of a torn tail (expected only while a server is
    /// writing or after a crash, before the next start).
    pub torn_tail: Option<(u64, u64)>,
    /// Complete lines in that tail: damaged records, not a cut write.
    pub tail_complete: u64,
    /// Ids found more than once, with the offsets of every copy.
    pub duplicate_ids: Vec<(ulid::Ulid, Vec<u64>)>,
}

impl Verification {
    /// Every line is a good record and every id is unique.
    pub fn is_ok(&self) -> bool {
        self.damaged_count == 0 && self.torn_tail.is_none() && self.duplicate_ids.is_empty()
    }
}

impl std::fmt::Display for Verification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} good records", self.records)?;
        for d in &self.damaged {
            writeln!(
                f,
                "damaged line at byte {} ({} bytes): {}",
                d.offset, d.len, d.problem
            )?;
        }
        if self.damaged_count > self.damaged.len() as u64 {
            writeln!(f, "… {} damaged lines in all", self.damaged_count)?;
        }
        match self.torn_tail {
            Some((offset, len)) if self.tail_complete > 0 => writeln!(
                f,
                "damaged last record(s) at byte {offset} ({len} bytes): {} complete line(s) whose checksum does not match. \
                 They may have been acknowledged: starting the server sets them aside as QUEUE.damaged-…, \
                 for `sportello-forms quarantine show` and `restore`",
                self.tail_complete
            )?,
            Some((offset, len)) => writeln!(
                f,
                "torn tail at byte {offset} ({len} bytes): a last line cut before its newline (a write interrupted by a crash, never acknowledged)"
            )?,
            None => {}
        }
        for (id, offsets) in &self.duplicate_ids {
            writeln!(
                f,
                "id {id} appears {} times, at bytes {offsets:?}",
                offsets.len()
            )?;
        }
        write!(f, "{}", if self.is_ok() { "OK" } else { "NOT OK" })
    }
}

/// Checks a queue file: every line's checksum and schema, unique ids, and
/// reports a torn tail with its byte offset. Read-only; takes no lock.
pub fn verify(path: &Path) -> Result<Verification, Error> {
    let file = File::open(path).map_err(Error::io("cannot open", path))?;
    verify_reader(BufReader::with_capacity(256 * 1024, file))
        .map_err(Error::io("cannot read", path))
}

/// [`verify`] over any reader.
pub fn verify_reader<R: BufRead>(reader: R) -> io::Result<Verification> {
    let s = scan(reader, |_, _| {})?;
    let mut seen: HashMap<ulid::Ulid, Vec<u64>> = HashMap::with_capacity(s.ids.len());
    for (id, offset) in s.ids.iter().zip(&s.offsets) {
        seen.entry(*id).or_default().push(*offset);
    }
    let mut duplicate_ids: Vec<(ulid::Ulid, Vec<u64>)> =
        seen.into_iter().filter(|(_, o)| o.len() > 1).collect();
    duplicate_ids.sort();
    let torn_tail = s.torn_tail();
    Ok(Verification {
        records: s.ids.len() as u64,
        damaged: s.damaged,
        damaged_count: s.damaged_count,
        torn_tail,
        tail_complete: s.tail_complete,
        duplicate_ids,
    })
}
