//! Decoding a form body without ever refusing it.
//!
//! `application/x-www-form-urlencoded` is decoded with `form_urlencoded` (the
//! parser under `serde_urlencoded` and axum's `Form`), which never fails:
//! stray `%`, invalid UTF-8 (replaced by U+FFFD) or missing `=` still leave
//! every field that could be read. A strict decoder would answer a malformed
//! body with a bare 400 and lose what the person typed; here it becomes an
//! ordinary 422 showing what was kept.
//!
//! Only the form's own fields are kept ([`crate::fields::FIELDS`]), the first
//! occurrence of each; line breaks are normalised to `\n` and control
//! characters other than tab and line feed are dropped, so stored text is
//! plain. Single-line fields ([`fields::is_single_line`]) are folded onto
//! one line. A field whose bytes are not UTF-8 is kept (with U+FFFD where
//! they were) and named in [`DecodedForm::unreadable`]: the answer is a 422,
//! never a record with replacement characters in it.

use std::collections::{BTreeMap, BTreeSet};

use sportello::form::{FieldType, FormKind, PERSON_FIELDS};

use crate::fields::{self, FIELDS, HONEYPOT};

/// A decoded body: the person's fields and whether the honeypot was filled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodedForm {
    /// Known fields only, honeypot excluded.
    pub values: BTreeMap<String, String>,
    /// The values of multiple-choice fields, every occurrence, in order.
    pub lists: BTreeMap<String, Vec<String>>,
    /// `website` had a non-blank value: a bot.
    pub honeypot: bool,
    /// Known fields whose value was not valid UTF-8.
    pub unreadable: BTreeSet<String>,
}

/// How a known field is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Folded onto one line.
    Line,
    /// Several lines kept.
    Lines,
    /// Every occurrence kept (a group of checkboxes), each one line.
    Many,
}

/// Decodes a contact form `body`; never fails and never panics.
pub fn decode_form(body: &[u8]) -> DecodedForm {
    decode_with(body, |key| {
        let field = FIELDS.iter().find(|f| **f == key)?;
        Some(if fields::is_single_line(field) {
            Shape::Line
        } else {
            Shape::Lines
        })
    })
}

/// Decodes the `body` of a configured form: the person's fields and the
/// kind's own; never fails and never panics.
pub fn decode_kind(body: &[u8], kind: &FormKind) -> DecodedForm {
    decode_with(body, |key| {
        if PERSON_FIELDS.contains(&key) {
            return Some(Shape::Line);
        }
        Some(match kind.field(key)?.kind {
            FieldType::Textarea => Shape::Lines,
            FieldType::Choices => Shape::Many,
            _ => Shape::Line,
        })
    })
}

/// Bounds what a forged body can make the server hold: more ticked boxes
/// than any real option list.
const MAX_LIST: usize = 64;

fn decode_with(body: &[u8], shape_of: impl Fn(&str) -> Option<Shape>) -> DecodedForm {
    let mut form = DecodedForm::default();
    for pair in body.split(|b| *b == b'&') {
        let Some((key, value)) = form_urlencoded::parse(pair).next() else {
            continue;
        };
        if key == HONEYPOT {
            form.honeypot |= !value.trim().is_empty();
            continue;
        }
        let Some(shape) = shape_of(&key) else {
            continue;
        };
        let field = key.into_owned();
        if shape != Shape::Many && form.values.contains_key(&field) {
            continue;
        }
        if !is_utf8(pair) {
            form.unreadable.insert(field.clone());
        }
        let mut value = clean(&value);
        if shape != Shape::Lines {
            value = fields::one_line(&value);
        }
        if shape == Shape::Many {
            let list = form.lists.entry(field.clone()).or_default();
            if list.len() < MAX_LIST {
                list.push(value.clone());
            }
            // The first one also in `values`, so the page shows the field as
            // answered and `required` reads the same for every shape.
            form.values.entry(field).or_insert(value);
        } else {
            form.values.insert(field, value);
        }
    }
    form
}

/// Whether the value of one `key=value` pair decodes to valid UTF-8 (the
/// decoder above replaces what does not, silently).
fn is_utf8(pair: &[u8]) -> bool {
    let raw = pair.splitn(2, |b| *b == b'=').nth(1).unwrap_or_default();
    let plus_free: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    let bytes: Vec<u8> = percent_encoding::percent_decode(&plus_free).collect();
    std::str::from_utf8(&bytes).is_ok()
}

fn clean(value: &str) -> String {
    if !value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_known_fields_and_drops_the_rest() {
        let f = decode_form(b"name=Ana+Pop&lang=ro&extra=x&name=second&message=a%0D%0Ab");
        assert_eq!(f.values.get("name").map(String::as_str), Some("Ana Pop"));
        assert_eq!(f.values.get("message").map(String::as_str), Some("a\nb"));
        assert!(!f.values.contains_key("extra"));
        assert!(!f.honeypot);
    }

    #[test]
    fn malformed_bodies_keep_what_they_can() {
        let f = decode_form(b"name=%ZZ%e2%28&&=&message&email=a%40b.it&%");
        assert_eq!(
            f.values.get("name").map(String::as_str),
            Some("%ZZ\u{FFFD}(")
        );
        assert_eq!(f.values.get("message").map(String::as_str), Some(""));
        assert_eq!(f.values.get("email").map(String::as_str), Some("a@b.it"));
    }

    #[test]
    fn honeypot_is_flagged_not_kept() {
        let f = decode_form(b"website=http%3A%2F%2Fspam&name=x");
        assert!(f.honeypot);
        assert!(!f.values.contains_key("website"));
        assert!(!decode_form(b"website=+").honeypot);
    }

    #[test]
    fn invalid_utf8_is_named_not_hidden() {
        let f = decode_form(b"name=Ana%FFPop&message=ok%E2%82%AC&email=%C3%28");
        assert_eq!(
            f.unreadable.iter().map(String::as_str).collect::<Vec<_>>(),
            ["email", "name"]
        );
        assert_eq!(
            f.values.get("name").map(String::as_str),
            Some("Ana\u{FFFD}Pop")
        );
        assert!(
            decode_form(b"name=%EF%BF%BD").unreadable.is_empty(),
            "a real U+FFFD is text"
        );
    }

    #[test]
    fn single_line_fields_are_folded_messages_keep_their_lines() {
        let f = decode_form(b"name=Ana%0D%0ABcc%3A+x%E2%80%A8y&message=a%0D%0Ab");
        assert_eq!(
            f.values.get("name").map(String::as_str),
            Some("Ana Bcc: x y")
        );
        assert_eq!(f.values.get("message").map(String::as_str), Some("a\nb"));
    }

    #[test]
    fn control_characters_are_dropped() {
        let f = decode_form(b"message=a%00b%1Bc%09d");
        assert_eq!(f.values.get("message").map(String::as_str), Some("abc\td"));
    }
}
