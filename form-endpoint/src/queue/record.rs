//! One line of the queue file: record schema v1 and its checksum.
//!
//! A line is a JSON object with the fields in this order, then `\n`:
//!
//! ```text
//! {"v":1,"id":"01JD…","received":"2025-11-26T18:18:00.123Z","lang":"it","name":"…","email":"…"|null,
//!  "phone":"…"|null,"desk":"terni","topic":"founding","message":"…","consent":true,"crc":"1c2d3e4f"}
//! ```
//!
//! `crc` is the CRC-32 — IEEE 802.3, the one of zlib, gzip and PNG, so any
//! language's standard library can check it — as 8 lowercase hex digits, of
//! the line's bytes **without** its last 18 bytes `,"crc":"xxxxxxxx"}` but
//! with the closing `}` put back: that is, of the exact compact JSON object
//! written before the checksum was appended. The checksum is always the
//! last member, so a tool verifies a line by cutting a fixed-length suffix,
//! with no JSON re-serialisation; `jq`, `grep` and friends read the line as
//! ordinary JSON and may ignore `crc`.

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::fields::Submission;

/// The schema version this crate writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// `,"crc":"` + 8 hex digits + `"}`.
pub const CRC_SUFFIX_LEN: usize = 18;
const CRC_PREFIX: &[u8] = b",\"crc\":\"";

/// A stored submission (schema v1). Field order is the on-disk order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub v: u32,
    /// A ULID: 26 Crockford base-32 characters, unique and sortable by time.
    pub id: String,
    /// When the writer took the submission, UTC, RFC 3339 with milliseconds.
    pub received: String,
    pub lang: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub desk: String,
    pub topic: String,
    pub message: String,
    /// Always `true`: a submission without consent is never stored.
    pub consent: bool,
}

impl Record {
    pub fn new(id: String, received: String, s: Submission) -> Self {
        Self {
            v: SCHEMA_VERSION,
            id,
            received,
            lang: s.lang,
            name: s.name,
            email: s.email,
            phone: s.phone,
            desk: s.desk,
            topic: s.topic,
            message: s.message,
            consent: true,
        }
    }
}

/// Appends `record` as one checksummed line (with its `\n`) to `out`.
/// On error `out` is left as it was.
pub fn encode_line(record: &Record, out: &mut Vec<u8>) -> Result<(), Error> {
    encode_checksummed(record, out)
}

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

/// Checks and decodes one line, given without its `\n`.
pub fn decode_line(line: &[u8]) -> Result<Record, LineProblem> {
    check_line(line)?;
    let record: Record =
        serde_json::from_slice(line).map_err(|e| LineProblem::NotARecord(e.to_string()))?;
    if record.v != SCHEMA_VERSION {
        return Err(LineProblem::UnsupportedVersion(record.v));
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample(id: &str) -> Record {
        Record::new(
            id.to_owned(),
            "2025-11-26T18:18:00.123Z".to_owned(),
            Submission {
                lang: "ar".into(),
                name: "أمينة \"Ami\" \\ {x}".into(),
                email: None,
                phone: Some("+39 0744 812786".into()),
                desk: "any".into(),
                topic: "networks".into(),
                message: "line 1\nline 2 ,\"crc\":\"00000000\"}".into(),
            },
        )
    }

    #[test]
    fn round_trip_and_layout() {
        let mut out = Vec::new();
        assert!(encode_line(&sample("01JDAAAAAAAAAAAAAAAAAAAAAA"), &mut out).is_ok());
        assert_eq!(out.last(), Some(&b'\n'));
        let line = &out[..out.len() - 1];
        assert!(line.starts_with(b"{\"v\":1,\"id\":\"01JDAAAAAAAAAAAAAAAAAAAAAA\",\"received\":"));
        assert_eq!(decode_line(line), Ok(sample("01JDAAAAAAAAAAAAAAAAAAAAAA")));
        let value: serde_json::Value = serde_json::from_slice(line).unwrap_or_default();
        assert!(
            value["crc"].as_str().is_some_and(|c| c.len() == 8),
            "plain JSON for jq"
        );
    }

    #[test]
    fn any_flipped_byte_is_detected() {
        let mut out = Vec::new();
        assert!(encode_line(&sample("01JDAAAAAAAAAAAAAAAAAAAAAA"), &mut out).is_ok());
        let line = &out[..out.len() - 1];
        for i in 0..line.len() {
            let mut bad = line.to_vec();
            bad[i] ^= 0x01;
            assert!(decode_line(&bad).is_err(), "flip at {i}");
        }
    }
}
