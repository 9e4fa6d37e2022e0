//! The contact form's fields and their rules — the single source for the
//! validator, the built-in page and (through the constants) the theme.
//!
//! | field | rule |
//! |---|---|
//! | `lang` | one of the site's languages; picks the answer's language |
//! | `name` | required, 1–200 characters after trimming |
//! | `email`, `phone` | at least one; e-mail checked for shape only; phone: digits, spaces, `+ ( ) - .` |
//! | `desk` | one of the desk ids, or `any` (empty means `any`) |
//! | `topic` | one of [`TOPICS`] |
//! | `message` | required, 1–5,000 characters after trimming |
//! | `consent` | required: any non-empty value (a ticked checkbox) |
//! | `website` | honeypot: must stay empty |
//!
//! "Characters" are Unicode scalar values, so a limit means the same in
//! Arabic as in Italian.

use std::collections::BTreeMap;

use serde::Serialize;
use sportello::form::{FieldType, FormKind};

// The form's contract (names, limits, topics) is defined once, in the
// generator's crate, so that the theme and this validator cannot disagree.
use sportello::form::CONTACT;
pub use sportello::form::{
    CONSENT, DESK, EMAIL, EMAIL_MAX, LANG, MESSAGE, MESSAGE_MAX, NAME, NAME_MAX, PHONE, PHONE_MAX,
    TOPIC, TOPICS,
};

/// The honeypot: hidden from people and screen readers, filled by bots.
pub const HONEYPOT: &str = "website";

/// The fields a person fills, in the order of the form (the error summary
/// follows it). The honeypot is not among them.
pub const FIELDS: [&str; CONTACT.fields.len()] = {
    let mut names = [""; CONTACT.fields.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = CONTACT.fields[i].name;
        i += 1;
    }
    names
};

/// The form's fields in order, honeypot excluded.
pub fn form_fields() -> &'static [&'static str] {
    &FIELDS
}

/// Whether a field is one line of text. A line break in one of these could
/// forge a line wherever it is written (`Bcc: …` in the notification
/// e-mail), so it is folded into a space when the form is decoded.
pub fn is_single_line(field: &str) -> bool {
    field != MESSAGE
}

/// `s` on one line: line breaks, tabs and other control characters become
/// spaces. For text written where a line means something (an e-mail, a
/// table), whoever wrote it.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Characters that show nothing by themselves: white space, zero-width
/// characters, joiners, bidi controls, fillers, variation selectors and tag
/// characters. A value made only of these is empty for `required`.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// The `desk` value meaning "whichever desk".
pub const ANY_DESK: &str = CONTACT.any_desk;
/// Fewer digits cannot be a reachable number, even a short internal one.
pub const PHONE_MIN_DIGITS: usize = 5;

/// Why a field was refused. Serialised as the snake_case code, which the
/// theme translates as `form.error.<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Required,
    TooLong,
    InvalidEmail,
    InvalidPhone,
    /// Neither e-mail nor phone given; reported on `email`.
    EmailOrPhone,
    InvalidChoice,
    ConsentRequired,
    /// A configured consent box (not the privacy one) left unticked, such
    /// as the consent to publication.
    TickRequired,
    InvalidLang,
    /// Bytes that are not UTF-8: the browser sent text no one could read.
    Unreadable,
    /// Not a web address (a configured form's `url` field).
    InvalidUrl,
    /// Not a year of four digits up to this one (a `year` field).
    InvalidYear,
}

impl ErrorCode {
    pub const ALL: [Self; 12] = [
        Self::Required,
        Self::TooLong,
        Self::InvalidEmail,
        Self::InvalidPhone,
        Self::EmailOrPhone,
        Self::InvalidChoice,
        Self::ConsentRequired,
        Self::TickRequired,
        Self::InvalidLang,
        Self::Unreadable,
        Self::InvalidUrl,
        Self::InvalidYear,
    ];

    /// The code as the theme and JSON clients see it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooLong => "too_long",
            Self::InvalidEmail => "invalid_email",
            Self::InvalidPhone => "invalid_phone",
            Self::EmailOrPhone => "email_or_phone",
            Self::InvalidChoice => "invalid_choice",
            Self::ConsentRequired => "consent_required",
            Self::TickRequired => "tick_required",
            Self::InvalidLang => "invalid_lang",
            Self::Unreadable => "unreadable",
            Self::InvalidUrl => "invalid_url",
            Self::InvalidYear => "invalid_year",
        }
    }

    /// A plain English sentence, for [`crate::PlainPages`] only: the site's
    /// pages use the theme's translations.
    pub fn english(self) -> &'static str {
        match self {
            Self::Required => "This field is required.",
            Self::TooLong => "This is too long.",
            Self::InvalidEmail => "Enter an e-mail address like name@example.org.",
            Self::InvalidPhone => "Enter a phone number using digits, spaces and + ( ) - . only.",
            Self::EmailOrPhone => "Enter an e-mail address or a phone number.",
            Self::InvalidChoice => "Choose one of the options.",
            Self::ConsentRequired => "You must agree to the privacy notice.",
            Self::TickRequired => "To send the form, tick this box.",
            Self::InvalidLang => {
                "The form was sent from a page this site does not know: open the contact page again and send it from there."
            }
            Self::Unreadable => {
                "Some characters could not be read: check this text, type it again if needed, and send."
            }
            Self::InvalidUrl => "Enter a web address like https://www.example.org.",
            Self::InvalidYear => "Enter a year of four digits, such as 2019.",
        }
    }
}

/// A submission that passed validation: what the queue stores.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Submission {
    pub lang: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub desk: String,
    pub topic: String,
    pub message: String,
    /// The configured form it came from; `None`: the contact form.
    pub kind: Option<String>,
    /// That form's own fields (text, a list of choices, or `true` for a
    /// ticked consent); empty for the contact form.
    pub data: BTreeMap<String, serde_json::Value>,
}

/// Errors by field name.
pub type FieldErrors = BTreeMap<String, ErrorCode>;

/// Checks the decoded `values` against the rules, given the site's language
/// codes and desk ids. Text is stored trimmed (of every invisible character,
/// [`is_invisible`], so a value of zero-width or bidi characters is empty).
pub fn validate(
    values: &BTreeMap<String, String>,
    languages: &[String],
    desks: &[String],
) -> Result<Submission, FieldErrors> {
    let get = |k: &str| trimmed(values, k);
    let mut errors = FieldErrors::new();
    let person = person(values, languages, &mut errors);
    let mut fail = |field: &str, code| {
        errors.insert(field.to_owned(), code);
    };

    let desk = match get(DESK) {
        "" => ANY_DESK,
        d => d,
    };
    if desk != ANY_DESK && !desks.iter().any(|id| id == desk) {
        fail(DESK, ErrorCode::InvalidChoice);
    }

    let topic = get(TOPIC);
    if topic.is_empty() {
        fail(TOPIC, ErrorCode::Required);
    } else if !TOPICS.contains(&topic) {
        fail(TOPIC, ErrorCode::InvalidChoice);
    }

    let message = get(MESSAGE);
    if let Some(code) = text_error(message, MESSAGE_MAX) {
        fail(MESSAGE, code);
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Submission {
        desk: desk.to_owned(),
        topic: topic.to_owned(),
        message: message.to_owned(),
        ..person
    })
}

/// A value as stored: trimmed of every invisible character.
fn trimmed<'a>(values: &'a BTreeMap<String, String>, k: &str) -> &'a str {
    values
        .get(k)
        .map(|v| v.trim_matches(is_invisible))
        .unwrap_or("")
}

/// The fields of the person writing, which every form has: language, name,
/// e-mail or phone, and consent to the privacy notice. Their problems go
/// to `errors`; the submission holds what they gave.
fn person(
    values: &BTreeMap<String, String>,
    languages: &[String],
    errors: &mut FieldErrors,
) -> Submission {
    let get = |k: &str| trimmed(values, k);
    let mut fail = |field: &str, code| {
        errors.insert(field.to_owned(), code);
    };
    let lang = get(LANG);
    if !is_known_language(lang, languages) {
        fail(LANG, ErrorCode::InvalidLang);
    }

    let name = get(NAME);
    if let Some(code) = text_error(name, NAME_MAX) {
        fail(NAME, code);
    }

    let email = get(EMAIL);
    let phone = get(PHONE);
    if email.is_empty() && phone.is_empty() {
        fail(EMAIL, ErrorCode::EmailOrPhone);
    }
    if !email.is_empty() {
        if email.chars().count() > EMAIL_MAX {
            fail(EMAIL, ErrorCode::TooLong);
        } else if !is_email_shaped(email) {
            fail(EMAIL, ErrorCode::InvalidEmail);
        }
    }
    if !phone.is_empty() && !is_phone_shaped(phone) {
        fail(PHONE, ErrorCode::InvalidPhone);
    }
    if get(CONSENT).is_empty() {
        fail(CONSENT, ErrorCode::ConsentRequired);
    }
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Submission {
        lang: lang.to_owned(),
        name: name.to_owned(),
        email: opt(email),
        phone: opt(phone),
        ..Submission::default()
    }
}

/// Checks a configured form's submission: the person's fields as in the
/// contact form, then each of the kind's fields by its type. `lists` holds
/// the values of multiple-choice fields (a checkbox group sends one pair
/// per ticked box). The record's desk is "any" and its topic the kind's.
pub fn validate_kind(
    kind: &FormKind,
    values: &BTreeMap<String, String>,
    lists: &BTreeMap<String, Vec<String>>,
    languages: &[String],
    this_year: i16,
) -> Result<Submission, FieldErrors> {
    let mut errors = FieldErrors::new();
    let person = person(values, languages, &mut errors);
    let mut data = BTreeMap::new();
    for f in &kind.fields {
        let value = trimmed(values, &f.name);
        let empty = match f.kind {
            FieldType::Choices => lists.get(&f.name).is_none_or(|l| l.is_empty()),
            _ => value.is_empty(),
        };
        if empty {
            if f.required {
                let code = if f.kind == FieldType::Consent {
                    ErrorCode::TickRequired
                } else {
                    ErrorCode::Required
                };
                errors.insert(f.name.clone(), code);
            }
            continue;
        }
        let choices = f.choices(languages);
        let problem = match f.kind {
            FieldType::Text | FieldType::Textarea => {
                (value.chars().count() > f.limit()).then_some(ErrorCode::TooLong)
            }
            FieldType::Email if value.chars().count() > f.limit() => Some(ErrorCode::TooLong),
            FieldType::Email => (!is_email_shaped(value)).then_some(ErrorCode::InvalidEmail),
            FieldType::Phone => (!is_phone_shaped(value)).then_some(ErrorCode::InvalidPhone),
            FieldType::Url if value.chars().count() > f.limit() => Some(ErrorCode::TooLong),
            FieldType::Url => (!is_web_address(value)).then_some(ErrorCode::InvalidUrl),
            FieldType::Year => value
                .parse::<i16>()
                .ok()
                .filter(|y| value.len() == 4 && (1800..=this_year).contains(y))
                .is_none()
                .then_some(ErrorCode::InvalidYear),
            FieldType::Choice => (!choices.contains(&value)).then_some(ErrorCode::InvalidChoice),
            FieldType::Choices => lists
                .get(&f.name)
                .into_iter()
                .flatten()
                .any(|v| !choices.contains(&v.as_str()))
                .then_some(ErrorCode::InvalidChoice),
            FieldType::Consent => None,
        };
        if let Some(code) = problem {
            errors.insert(f.name.clone(), code);
            continue;
        }
        let stored = match f.kind {
            FieldType::Choices => {
                // In the options' order, each once, whatever the body's order.
                let given = lists.get(&f.name).cloned().unwrap_or_default();
                let list: Vec<&str> = choices
                    .iter()
                    .copied()
                    .filter(|c| given.iter().any(|g| g == c))
                    .collect();
                serde_json::json!(list)
            }
            FieldType::Consent => serde_json::Value::Bool(true),
            _ => serde_json::Value::from(value),
        };
        data.insert(f.name.clone(), stored);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Submission {
        desk: ANY_DESK.to_owned(),
        topic: kind.topic.clone(),
        kind: Some(kind.name.clone()),
        data,
        ..person
    })
}

/// `https://…` or `http://…` with a host, as the `url` crate parses it.
pub fn is_web_address(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| h.contains('.'))
    })
}

fn text_error(value: &str, max: usize) -> Option<ErrorCode> {
    if value.is_empty() {
        Some(ErrorCode::Required)
    } else if value.chars().count() > max {
        Some(ErrorCode::TooLong)
    } else {
        None
    }
}

/// Whether `lang` is one of the site's `languages`. If the site could not
/// tell its languages (an empty list: its settings failed to load), any
/// well-shaped tag is taken rather than refusing every submission.
pub fn is_known_language(lang: &str, languages: &[String]) -> bool {
    if languages.is_empty() {
        is_language_tag(lang)
    } else {
        languages.iter().any(|l| l == lang)
    }
}

/// `it`, `ar`, `zh-cn`, `es-419`: 2–3 letters, optionally `-` and 2–8
/// letters or digits.
pub fn is_language_tag(s: &str) -> bool {
    let (base, rest) = s.split_once('-').map_or((s, None), |(b, r)| (b, Some(r)));
    (2..=3).contains(&base.len())
        && base.bytes().all(|b| b.is_ascii_lowercase())
        && rest.is_none_or(|r| {
            (2..=8).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Shape only (`local@domain.tld`, no spaces): whether the address exists is
/// for the desk to find out, and stricter checks refuse real addresses.
pub fn is_email_shaped(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@')
}

/// Digits, spaces and `+ ( ) - .`, with at least a handful of digits.
pub fn is_phone_shaped(s: &str) -> bool {
    s.chars().count() <= PHONE_MAX
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-' | '.'))
        && s.chars().filter(char::is_ascii_digit).count() >= PHONE_MIN_DIGITS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> BTreeMap<String, String> {
        [
            (LANG, "it"),
            (NAME, "  Amina  "),
            (EMAIL, "amina@example.org"),
            (PHONE, ""),
            (DESK, "terni"),
            (TOPIC, "founding"),
            (MESSAGE, "Vorrei fondare un'associazione."),
            (CONSENT, "yes"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    fn check(values: &BTreeMap<String, String>) -> Result<Submission, FieldErrors> {
        validate(values, &["it".into(), "ar".into()], &["terni".into()])
    }

    fn with(k: &str, v: &str) -> BTreeMap<String, String> {
        let mut m = valid();
        m.insert(k.to_owned(), v.to_owned());
        m
    }

    fn error_of(k: &str, v: &str) -> Option<ErrorCode> {
        check(&with(k, v)).err().and_then(|e| e.get(k).copied())
    }

    #[test]
    fn a_valid_form_is_trimmed_and_kept() {
        let s = check(&valid()).expect("valid");
        assert_eq!(s.name, "Amina");
        assert_eq!(s.phone, None);
        assert_eq!(s.email.as_deref(), Some("amina@example.org"));
    }

    #[test]
    fn every_rule_has_its_code() {
        assert_eq!(error_of(LANG, "xx"), Some(ErrorCode::InvalidLang));
        assert_eq!(error_of(NAME, "   "), Some(ErrorCode::Required));
        assert_eq!(error_of(NAME, &"a".repeat(201)), Some(ErrorCode::TooLong));
        assert_eq!(
            error_of(NAME, &"ع".repeat(200)),
            None,
            "200 Arabic letters fit"
        );
        assert_eq!(error_of(EMAIL, "nope"), Some(ErrorCode::InvalidEmail));
        assert_eq!(error_of(EMAIL, "a@b"), Some(ErrorCode::InvalidEmail));
        assert_eq!(error_of(EMAIL, "a b@c.it"), Some(ErrorCode::InvalidEmail));
        assert_eq!(error_of(PHONE, "call me"), Some(ErrorCode::InvalidPhone));
        assert_eq!(error_of(PHONE, "+39 (0744) 812-786"), None);
        assert_eq!(error_of(DESK, "milano"), Some(ErrorCode::InvalidChoice));
        assert_eq!(error_of(DESK, ""), None, "empty desk means any");
        assert_eq!(error_of(TOPIC, ""), Some(ErrorCode::Required));
        assert_eq!(error_of(TOPIC, "weather"), Some(ErrorCode::InvalidChoice));
        assert_eq!(error_of(MESSAGE, ""), Some(ErrorCode::Required));
        assert_eq!(
            error_of(MESSAGE, &"x".repeat(5001)),
            Some(ErrorCode::TooLong)
        );
        assert_eq!(error_of(CONSENT, ""), Some(ErrorCode::ConsentRequired));
    }

    #[test]
    fn invisible_only_values_are_empty_for_required() {
        for v in [
            "\u{200B}\u{200B}",
            "\u{202E}\u{2066}\u{200F}",
            "\u{FEFF} \u{3000}",
            "\u{2800}\u{E0041}",
        ] {
            assert_eq!(error_of(NAME, v), Some(ErrorCode::Required), "{v:?}");
            assert_eq!(error_of(MESSAGE, v), Some(ErrorCode::Required), "{v:?}");
        }
        let s = check(&with(NAME, "\u{200B}Amina\u{200F}")).expect("a visible name");
        assert_eq!(s.name, "Amina");
        // Joiners inside a word are part of it (Persian, emoji).
        assert_eq!(
            check(&with(NAME, "می\u{200C}خواهم")).map(|s| s.name).ok(),
            Some("می\u{200C}خواهم".into())
        );
    }

    #[test]
    fn one_line_folds_every_line_break() {
        assert_eq!(
            one_line("Ana\r\nBcc: x\u{2028}y\u{85}z\tw"),
            "Ana  Bcc: x y z w"
        );
    }

    #[test]
    fn email_or_phone_is_reported_on_email() {
        let mut m = with(EMAIL, "");
        m.insert(PHONE.into(), String::new());
        assert_eq!(
            check(&m).err().map(|e| e.into_iter().collect::<Vec<_>>()),
            Some(vec![(EMAIL.into(), ErrorCode::EmailOrPhone)])
        );
        m.insert(PHONE.into(), "0744 812786".into());
        assert!(check(&m).is_ok());
    }

    #[test]
    fn without_a_language_list_any_tag_shape_is_taken() {
        assert!(is_known_language("uk", &[]) && is_known_language("es-419", &[]));
        assert!(!is_known_language("", &[]) && !is_known_language("<x>", &[]));
        assert!(!is_known_language("uk", &["it".to_owned()]));
    }

    #[test]
    fn codes_serialise_as_their_names() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).ok(),
                Some(serde_json::Value::from(code.as_str()))
            );
        }
    }
}
