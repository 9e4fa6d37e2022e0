//! Reading a queue file line by line, for recovery, verification and the
//! operators' commands (list, show, export…).
//!
//! Lines are read with bounded memory: a line longer than [`MAX_LINE`]
//! (garbage, or a file that is not a queue) is skipped and reported rather
//! than buffered.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use super::line::LineProblem;
use super::record::{Record, decode_line};
use crate::Error;

/// No record comes near this: the body limit is 32 KiB and JSON escaping at
/// most sextuples a byte.
pub const MAX_LINE: usize = 1024 * 1024;

/// One line of a queue file and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Byte offset of the line's start in the file.
    pub offset: u64,
    /// Length in bytes, including the `\n` if there is one.
    pub len: u64,
    pub entry: Result<Record, LineProblem>,
}

/// Iterates over the lines of a queue file.
pub struct Lines<R> {
    reader: R,
    offset: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            offset: 0,
            buf: Vec::new(),
        }
    }

    fn next_line(&mut self) -> io::Result<Option<Line>> {
        self.buf.clear();
        let (mut len, mut too_long, mut terminated) = (0usize, false, false);
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            let (take, found) = match chunk.iter().position(|b| *b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if self.buf.len() + take <= MAX_LINE + 1 {
                    self.buf.extend_from_slice(&chunk[..take]);
                } else {
                    too_long = true;
                    self.buf = Vec::new();
                }
            }
            self.reader.consume(take);
            len += take;
            if found {
                terminated = true;
                break;
            }
        }
        if len == 0 {
            return Ok(None);
        }
        let offset = self.offset;
        self.offset += len as u64;
        let entry = if too_long {
            Err(LineProblem::TooLong)
        } else if !terminated {
            Err(LineProblem::Unterminated)
        } else {
            decode_line(&self.buf[..self.buf.len() - 1])
        };
        Ok(Some(Line {
            offset,
            len: len as u64,
            entry,
        }))
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = io::Result<Line>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_line().transpose()
    }
}

/// Opens `path` and iterates over its lines (read-only; takes no lock, so
/// it can run beside a live server — a line being written shows up as
/// [`LineProblem::Unterminated`] at the end).
pub fn read_lines(path: &Path) -> Result<Lines<BufReader<File>>, Error> {
    let file = File::open(path).map_err(Error::io("cannot open", path))?;
    Ok(Lines::new(BufReader::with_capacity(256 * 1024, file)))
}

/// The good records of a queue file, skipping damaged lines.
pub fn read_records(path: &Path) -> Result<impl Iterator<Item = Result<Record, Error>>, Error> {
    let owned = path.to_path_buf();
    Ok(read_lines(path)?.filter_map(move |line| match line {
        Ok(Line {
            entry: Ok(record), ..
        }) => Some(Ok(record)),
        Ok(_) => None,
        Err(e) => Some(Err(Error::Io {
            action: "cannot read",
            path: owned.clone(),
            source: e,
        })),
    }))
}
