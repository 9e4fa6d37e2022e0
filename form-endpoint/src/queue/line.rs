//! The checksummed line: one compact JSON object per line with its CRC-32
//! appended as the last member, `,"crc":"xxxxxxxx"}` — the format of the
//! queue's records, of the state log's events and of the purge journal
//! (see [`super::record`] for why it is made this way).

use serde::Serialize;

use crate::Error;

/// `,"crc":"` + 8 hex digits + `"}`.
pub const CRC_SUFFIX_LEN: usize = 18;
const CRC_PREFIX: &[u8] = b",\"crc\":\"";

/// Appends any JSON object as one checksummed line (with its `\n`): the
/// queue's records and the state log's events share the format.
pub fn encode_checksummed<T: Serialize>(value: &T, out: &mut Vec<u8>) -> Result<(), Error> {
    let start = out.len();
    if let Err(e) = serde_json::to_writer(&mut *out, value) {
        out.truncate(start);
        return Err(e.into());
    }
    let crc = crc32fast::hash(&out[start..]);
    out.pop(); // the closing brace, put back after the checksum
    out.extend_from_slice(CRC_PREFIX);
    out.extend_from_slice(format!("{crc:08x}\"}}\n").as_bytes());
    Ok(())
}

/// Why a line is not a good record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    /// The file ends without the line's `\n`: a write cut short.
    Unterminated,
    /// Longer than any record could be ([`super::read::MAX_LINE`]).
    TooLong,
    /// No well-formed `,"crc":"xxxxxxxx"}` at the end.
    NoChecksum,
    ChecksumMismatch {
        stored: u32,
        computed: u32,
    },
    /// The checksum matches but the JSON is not a v1 record.
    NotARecord(String),
    UnsupportedVersion(u32),
}

impl std::fmt::Display for LineProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unterminated => f.write_str("incomplete last line (no newline)"),
            Self::TooLong => f.write_str("line too long to be a record"),
            Self::NoChecksum => f.write_str("no checksum at the end of the line"),
            Self::ChecksumMismatch { stored, computed } => {
                write!(
                    f,
                    "checksum mismatch (stored {stored:08x}, computed {computed:08x})"
                )
            }
            Self::NotARecord(e) => write!(f, "not a v1 record: {e}"),
            Self::UnsupportedVersion(v) => write!(f, "unsupported schema version {v}"),
        }
    }
}

/// Checks a line's checksum (given without its `\n`).
pub fn check_line(line: &[u8]) -> Result<(), LineProblem> {
    let Some(split) = line.len().checked_sub(CRC_SUFFIX_LEN) else {
        return Err(LineProblem::NoChecksum);
    };
    let (head, suffix) = line.split_at(split);
    let hex = suffix
        .strip_prefix(CRC_PREFIX)
        .and_then(|s| s.strip_suffix(b"\"}"))
        .filter(|h| h.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .ok_or(LineProblem::NoChecksum)?;
    let stored = std::str::from_utf8(hex)
        .ok()
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .ok_or(LineProblem::NoChecksum)?;
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(head);
    hasher.update(b"}");
    let computed = hasher.finalize();
    if stored != computed {
        return Err(LineProblem::ChecksumMismatch { stored, computed });
    }
    Ok(())
}
