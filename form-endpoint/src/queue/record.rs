//! One line of the queue file: record schema v1 and its checksum.
//!
//! A line is a JSON object with the fields in this order, then `\n`:
//!
//! ```text
//! {"v":1,"id":"01JD…","received":"2025-11-26T18:18:00.123Z","lang":"it","name":"…","email":"…"|null,
//!  "phone":"…"|null,"desk":"terni","topic":"founding","message":"…","consent":true,"crc":"1c2d3e4f"}
//! ```
//!
//! A request sent through a form configured in `site.yaml` (not the contact
//! form) has two more members: `"kind"` (the form's name, after
//! `received`) and `"data"` (its own fields, after `message`: text, a list
//! of choices, or `true` for a ticked consent). A line without `kind` is a
//! contact request, so contact lines are exactly as they always were.
//!
//! `crc` is the CRC-32 — IEEE 802.3, the one of zlib, gzip and PNG, so any
//! language's standard library can check it — as 8 lowercase hex digits, of
//! the line's bytes **without** its last 18 bytes `,"crc":"xxxxxxxx"}` but
//! with the closing `}` put back: that is, of the exact compact JSON object
//! written before the checksum was appended. The checksum is always the
//! last member, so a tool verifies a line by cutting a fixed-length suffix,
//! with no JSON re-serialisation; `jq`, `grep` and friends read the line as
//! ordinary JSON and may ignore `crc`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ulid::Ulid;

use super::line::{LineProblem, check_line, encode_checksummed};
use crate::Error;
use crate::fields::Submission;

/// The schema version this crate writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// A stored submission (schema v1). Field order is the on-disk order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub v: u32,
    /// A ULID, on disk as 26 Crockford base-32 characters: unique and
    /// sortable by time. A line whose id is not one is not a record.
    pub id: Ulid,
    /// When the writer took the submission, UTC, RFC 3339 with milliseconds.
    pub received: String,
    /// The configured form it came from; absent: the contact form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub lang: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub desk: String,
    pub topic: String,
    pub message: String,
    /// The configured form's own fields; absent for the contact form.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, serde_json::Value>,
    /// Always `true`: a submission without consent is never stored.
    pub consent: bool,
}

impl Record {
    pub fn new(id: Ulid, received: String, s: Submission) -> Self {
        Self {
            v: SCHEMA_VERSION,
            id,
            received,
            kind: s.kind,
            lang: s.lang,
            name: s.name,
            email: s.email,
            phone: s.phone,
            desk: s.desk,
            topic: s.topic,
            message: s.message,
            data: s.data,
            consent: true,
        }
    }
}

/// Appends `record` as one checksummed line (with its `\n`) to `out`.
/// On error `out` is left as it was.
pub fn encode_line(record: &Record, out: &mut Vec<u8>) -> Result<(), Error> {
    encode_checksummed(record, out)
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
            id.parse().unwrap_or_default(),
            "2025-11-26T18:18:00.123Z".to_owned(),
            Submission {
                lang: "ar".into(),
                name: "أمينة \"Ami\" \\ {x}".into(),
                email: None,
                phone: Some("+39 0744 812786".into()),
                desk: "any".into(),
                topic: "networks".into(),
                message: "line 1\nline 2 ,\"crc\":\"00000000\"}".into(),
                ..Submission::default()
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

    /// A line written before ids were typed (`"id"` a plain string): the
    /// on-disk format is unchanged, so old queues read as they did.
    #[test]
    fn a_line_written_before_ids_were_ulids_still_reads_the_same() {
        let old = br#"{"v":1,"id":"01KB0DX9Q7M3T8V2C5E4R6N1PA","received":"2026-01-12T09:30:00.000Z","lang":"it","name":"Ana","email":"ana@example.org","phone":null,"desk":"terni","topic":"founding","message":"Buongiorno","consent":true,"crc":"e9335b1b"}"#;
        let record = decode_line(old);
        let Ok(record) = record else {
            panic!("old line refused: {record:?}");
        };
        assert_eq!(record.id.to_string(), "01KB0DX9Q7M3T8V2C5E4R6N1PA");
        assert_eq!(record.name, "Ana");
        let mut again = Vec::new();
        assert!(encode_line(&record, &mut again).is_ok());
        assert_eq!(&again[..again.len() - 1], &old[..], "byte for byte");
    }

    /// A configured form's request carries its kind and its own fields, and
    /// reads back the same; a contact line has neither member.
    #[test]
    fn a_configured_form_record_carries_its_kind_and_fields() {
        let mut s = sample("01JDAAAAAAAAAAAAAAAAAAAAAA");
        let mut out = Vec::new();
        assert!(encode_line(&s, &mut out).is_ok());
        let text = String::from_utf8_lossy(&out);
        assert!(
            !text.contains("\"kind\"") && !text.contains("\"data\""),
            "{text}"
        );
        s.kind = Some("association".into());
        s.data.insert("org_name".into(), "Rete \"Al-Amal\"".into());
        s.data
            .insert("sectors".into(), serde_json::json!(["culture", "women"]));
        out.clear();
        assert!(encode_line(&s, &mut out).is_ok());
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.contains(r#""received":"2025-11-26T18:18:00.123Z","kind":"association","lang""#),
            "{text}"
        );
        assert_eq!(decode_line(&out[..out.len() - 1]), Ok(s));
    }

    /// A hand-edited id with a valid checksum is a damaged line, never a
    /// path or a panic later on.
    #[test]
    fn an_id_that_is_not_a_ulid_makes_the_line_damaged() {
        let line = br#"{"v":1,"id":"../../etc/passwd","received":"2026-01-12T09:30:00.000Z","lang":"it","name":"Ana","email":"ana@example.org","phone":null,"desk":"terni","topic":"founding","message":"Buongiorno","consent":true,"crc":"c664b8ee"}"#;
        assert!(matches!(decode_line(line), Err(LineProblem::NotARecord(_))));
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
