//! The state log: what operators did with each submission (taken in charge,
//! handled, reopened, a note) and which submissions the desk was notified
//! of. A second append-only JSON Lines file next to the queue,
//! `QUEUE.state.jsonl`, created 0600; the submissions log is never rewritten
//! for any of this.
//!
//! One event per line, with a checksum made exactly like the queue's (the
//! CRC-32 of the compact JSON object, appended as the last member `crc`):
//!
//! ```text
//! {"v":1,"at":"2026-01-12T09:30:00.000Z","id":"01KB…","event":"taken","by":"marta","note":"called back","crc":"1c2d3e4f"}
//! ```
//!
//! Appends are serialised between processes by an exclusive lock on
//! `QUEUE.state.lock`; each one repairs a torn tail left by a crash (moved
//! aside to `QUEUE.state.jsonl.torn-<time>`), writes one line and fsyncs; a
//! failed write (a full disk) is cut off again, so a line is whole or absent.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use ulid::Ulid;

use crate::Error;
use crate::queue::durable::sync_dir;
use crate::queue::line::{LineProblem, check_line, encode_checksummed};
use crate::queue::rewrite::{self, sibling, state_lock_path, state_path};
use crate::queue::time;

/// What happened to a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Taken in charge by an operator.
    Taken,
    /// Handled: answered, nothing left to do.
    Done,
    /// Open again after being handled.
    Reopened,
    /// A note only; the status does not change.
    Note,
    /// The desk was told of the submission (e-mail or webhook).
    Notified,
    /// Approved for the directory: its entry was given out to publish; the
    /// request is handled.
    Approved,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Taken => "taken",
            Self::Done => "done",
            Self::Reopened => "reopened",
            Self::Note => "note",
            Self::Notified => "notified",
            Self::Approved => "approved",
        }
    }
}

/// One line of the state log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub v: u32,
    /// When, UTC, RFC 3339 with milliseconds.
    pub at: String,
    /// The submission's id.
    pub id: Ulid,
    pub event: EventKind,
    /// Who (an operator's name or initials; `notifier` for notifications).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For `notified`: `email` or `webhook`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

impl Event {
    pub fn new(id: Ulid, event: EventKind) -> Self {
        Self {
            v: 1,
            at: time::now(),
            id,
            event,
            by: None,
            note: None,
            channel: None,
        }
    }
}

/// Checks and decodes one state-log line (without its `\n`).
pub fn decode_event(line: &[u8]) -> Result<Event, LineProblem> {
    check_line(line)?;
    let event: Event =
        serde_json::from_slice(line).map_err(|e| LineProblem::NotARecord(e.to_string()))?;
    if event.v != 1 {
        return Err(LineProblem::UnsupportedVersion(event.v));
    }
    Ok(event)
}

/// One line of the state log, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventLine {
    pub offset: u64,
    pub len: u64,
    pub entry: Result<Event, LineProblem>,
}

/// Every line of the state log (none if the file does not exist yet).
pub fn read_event_lines(path: &Path) -> Result<Vec<EventLine>, Error> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("cannot open", path)(e)),
    };
    read_event_lines_from(BufReader::new(file)).map_err(Error::io("cannot read", path))
}

/// [`read_event_lines`] over any reader.
pub fn read_event_lines_from<R: BufRead>(reader: R) -> io::Result<Vec<EventLine>> {
    let mut out = Vec::new();
    let mut raw = RawLines::new(reader);
    while let Some((offset, bytes, terminated)) = raw.next_line()? {
        let len = bytes.len() as u64 + u64::from(terminated);
        let entry = if terminated {
            decode_event(&bytes)
        } else {
            Err(LineProblem::Unterminated)
        };
        out.push(EventLine { offset, len, entry });
    }
    Ok(out)
}

struct RawLines<R> {
    reader: R,
    offset: u64,
}

impl<R: BufRead> RawLines<R> {
    fn new(reader: R) -> Self {
        Self { reader, offset: 0 }
    }

    fn next_line(&mut self) -> io::Result<Option<(u64, Vec<u8>, bool)>> {
        let mut buf = Vec::new();
        let n = self.reader.read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        let offset = self.offset;
        self.offset += n as u64;
        let terminated = buf.last() == Some(&b'\n');
        if terminated {
            buf.pop();
        }
        Ok(Some((offset, buf, terminated)))
    }
}

/// The good events of the state log, in order.
pub fn read_events(path: &Path) -> Result<Vec<Event>, Error> {
    Ok(read_event_lines(path)?
        .into_iter()
        .filter_map(|l| l.entry.ok())
        .collect())
}

/// Appends `events` to the state log of `queue` as one fsync'd write.
pub fn append(queue: &Path, events: &[Event]) -> Result<(), Error> {
    loop {
        rewrite::complete_pending(queue)?;
        let _lock = rewrite::lock(&state_lock_path(queue))?;
        // A purge that stopped half-way must be finished before anything is
        // added to the old state log (it would be lost at the rename).
        if rewrite::journal_exists(queue) {
            continue;
        }
        return append_locked(queue, events);
    }
}

/// [`append`] for a caller that holds the state lock.
pub(crate) fn append_locked(queue: &Path, events: &[Event]) -> Result<(), Error> {
    let path = state_path(queue);
    let mut buf = Vec::new();
    for e in events {
        encode_checksummed(e, &mut buf)?;
    }
    let existed = path.exists();
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(0o600)
        .open(&path)
        .map_err(Error::io("cannot open the state log", &path))?;
    if !existed {
        sync_dir(&path)?;
    }
    cut_torn_tail(&mut file, &path)?;
    let start = file
        .metadata()
        .map_err(Error::io("cannot read", &path))?
        .len();
    if let Err(e) = file.write_all(&buf).and_then(|()| file.sync_data()) {
        // A full disk can take part of the line: take it back, as the queue's
        // writer does, so that the log holds whole events only. Should this
        // fail too, the next append sets the partial line aside.
        let _ = file.set_len(start).and_then(|()| file.sync_all());
        return Err(Error::io("cannot write", &path)(e));
    }
    Ok(())
}

/// If the file does not end with a complete line, moves the partial line
/// aside (`…torn-<time>`, fsync'd) and cuts it off (fsync'd).
fn cut_torn_tail(file: &mut File, path: &Path) -> Result<(), Error> {
    let len = file
        .metadata()
        .map_err(Error::io("cannot read", path))?
        .len();
    if len == 0 {
        return Ok(());
    }
    let mut last = [0u8; 1];
    file.seek(SeekFrom::Start(len - 1))
        .and_then(|_| file.read_exact(&mut last))
        .map_err(Error::io("cannot read", path))?;
    if last[0] == b'\n' {
        return Ok(());
    }
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.read_to_end(&mut bytes))
        .map_err(Error::io("cannot read", path))?;
    let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let aside = sibling(path, &format!(".torn-{stamp}-{}", std::process::id()));
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&aside)
        .map_err(Error::io("cannot create", &aside))?;
    out.write_all(&bytes[keep..])
        .and_then(|()| out.sync_all())
        .map_err(Error::io("cannot write", &aside))?;
    sync_dir(&aside)?;
    file.set_len(keep as u64)
        .and_then(|()| file.sync_all())
        .map_err(Error::io("cannot truncate", path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_and_any_flipped_byte_is_detected() {
        let mut e = Event::new(Ulid::from_parts(1, 2), EventKind::Taken);
        e.by = Some("marta".into());
        e.note = Some("ha chiamato \"lui\" — سأتصل".into());
        let mut out = Vec::new();
        encode_checksummed(&e, &mut out).expect("encodes");
        let line = &out[..out.len() - 1];
        assert_eq!(decode_event(line), Ok(e));
        for i in 0..line.len() {
            let mut bad = line.to_vec();
            bad[i] ^= 0x01;
            assert!(decode_event(&bad).is_err(), "flip at {i}");
        }
    }
}

/// What [`verify_state`] found in the state log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StateVerification {
    pub events: u64,
    /// `(offset, problem)` of damaged lines before the last good one.
    pub damaged: Vec<(u64, LineProblem)>,
    /// `(offset, length)` of an incomplete last line.
    pub torn_tail: Option<(u64, u64)>,
    /// Events about ids that are not in the queue: `(offset, id)`.
    pub unknown_ids: Vec<(u64, Ulid)>,
}

impl StateVerification {
    pub fn is_ok(&self) -> bool {
        self.damaged.is_empty() && self.torn_tail.is_none() && self.unknown_ids.is_empty()
    }
}

impl std::fmt::Display for StateVerification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} good events in the state log", self.events)?;
        for (offset, p) in &self.damaged {
            writeln!(f, "state log: damaged line at byte {offset}: {p}")?;
        }
        if let Some((offset, len)) = self.torn_tail {
            writeln!(
                f,
                "state log: torn tail at byte {offset} ({len} bytes): an append cut short, set aside at the next change"
            )?;
        }
        for (offset, id) in self.unknown_ids.iter().take(20) {
            writeln!(
                f,
                "state log: the event at byte {offset} is about {id}, which is not in the queue"
            )?;
        }
        write!(f, "{}", if self.is_ok() { "OK" } else { "NOT OK" })
    }
}

/// Checks the state log of `queue`: every line's checksum, a torn tail,
/// and that every event is about a submission in `known_ids`.
pub fn verify_state(
    queue: &Path,
    known_ids: &std::collections::HashSet<Ulid>,
) -> Result<StateVerification, Error> {
    let mut v = StateVerification::default();
    let mut pending = Vec::new();
    let mut end = 0;
    for line in read_event_lines(&state_path(queue))? {
        end = line.offset + line.len;
        match line.entry {
            Ok(e) => {
                v.damaged.append(&mut pending);
                v.events += 1;
                if !known_ids.contains(&e.id) {
                    v.unknown_ids.push((line.offset, e.id));
                }
            }
            Err(p) => pending.push((line.offset, p)),
        }
    }
    if let Some((offset, p)) = pending.first() {
        if pending.len() == 1 && *p == LineProblem::Unterminated {
            v.torn_tail = Some((*offset, end - offset));
        } else {
            v.damaged.append(&mut pending);
        }
    }
    Ok(v)
}
