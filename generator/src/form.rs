//! The contact form's contract between the site and the form endpoint: its
//! fields with their limits, the topics, where it posts, and which pages
//! hold the form and the thanks. Defined here once: the theme receives it
//! as `contact_form` (the `<select>`'s topics, `maxlength`s), and the
//! endpoint (`sportello-forms`, which depends on this crate) validates
//! against the same values.
//!
//! Other forms are configuration: a map under `forms:` in `site.yaml`
//! declares a [`FormKind`] (its path, pages, fields and their rules), which
//! the theme receives in `form_kinds` and the endpoint accepts without a
//! line of code more. Every kind also asks who is writing: the
//! [`PERSON_FIELDS`] (language, name, e-mail or phone, privacy consent) are
//! validated as in the contact form.

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Diagnostics, shown};

/// One field a person fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Field {
    /// The `name` of the input.
    pub name: &'static str,
    /// Longest accepted value in Unicode scalar values (so a limit means
    /// the same in Arabic as in Italian); `None` for choices and flags.
    pub max: Option<usize>,
}

/// A form of the site and what the endpoint accepts from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FormContract {
    /// The path the form posts to (`forms: contact:` in `site.yaml`).
    pub path: &'static str,
    /// The source key of the page that holds the form (its URL in each
    /// language comes from the site model, localised slugs included).
    pub page: &'static str,
    /// The source key of the page a person lands on once their request is
    /// stored.
    pub thanks: &'static str,
    /// The fields in the form's order (the error summary follows it); the
    /// honeypot is not among them.
    pub fields: &'static [Field],
    /// The values of the `topic` field (`form.topics.<id>` in the theme).
    pub topics: &'static [&'static str],
    /// The `desk` value meaning "whichever desk".
    pub any_desk: &'static str,
}

impl FormContract {
    /// What templates receive as `contact_form`: the contract, with the
    /// names of the fields a person sees, in order (`shown`: all but the
    /// hidden `lang`), and the limits by name (`max.name`).
    pub fn theme_value(&self) -> serde_json::Value {
        let max: serde_json::Map<String, serde_json::Value> = self
            .fields
            .iter()
            .filter_map(|f| Some((f.name.to_owned(), f.max?.into())))
            .collect();
        serde_json::json!({
            "path": self.path,
            "shown": self
                .fields
                .iter()
                .map(|f| f.name)
                .filter(|n| *n != LANG)
                .collect::<Vec<_>>(),
            "max": max,
            "topics": self.topics,
            "any_desk": self.any_desk,
        })
    }

    /// The limit of `field`, if it has one.
    pub fn max(&self, field: &str) -> Option<usize> {
        self.fields
            .iter()
            .find(|f| f.name == field)
            .and_then(|f| f.max)
    }
}

pub const LANG: &str = "lang";
pub const NAME: &str = "name";
pub const EMAIL: &str = "email";
pub const PHONE: &str = "phone";
pub const DESK: &str = "desk";
pub const TOPIC: &str = "topic";
pub const MESSAGE: &str = "message";
pub const CONSENT: &str = "consent";

pub const NAME_MAX: usize = 200;
pub const MESSAGE_MAX: usize = 5000;
/// RFC 5321's limit on a forward path.
pub const EMAIL_MAX: usize = 254;
pub const PHONE_MAX: usize = 40;

/// The topics: founding an association, running one, networks, other.
pub const TOPICS: [&str; 4] = ["founding", "running", "networks", "other"];

/// The contact form.
pub const CONTACT: FormContract = FormContract {
    path: "/forms/contact",
    page: "contact/_index",
    thanks: "contact/thanks",
    fields: &[
        Field {
            name: LANG,
            max: None,
        },
        Field {
            name: NAME,
            max: Some(NAME_MAX),
        },
        Field {
            name: EMAIL,
            max: Some(EMAIL_MAX),
        },
        Field {
            name: PHONE,
            max: Some(PHONE_MAX),
        },
        Field {
            name: DESK,
            max: None,
        },
        Field {
            name: TOPIC,
            max: None,
        },
        Field {
            name: MESSAGE,
            max: Some(MESSAGE_MAX),
        },
        Field {
            name: CONSENT,
            max: None,
        },
    ],
    topics: &TOPICS,
    any_desk: "any",
};

/// The fields every form kind has, validated as in the contact form: who is
/// writing and how to reach them. A kind's own fields cannot reuse these
/// names (nor the honeypot's, `website`).
pub const PERSON_FIELDS: [&str; 5] = [LANG, NAME, EMAIL, PHONE, CONSENT];
const RESERVED: [&str; 9] = [
    LANG, NAME, EMAIL, PHONE, CONSENT, DESK, TOPIC, MESSAGE, "website",
];

/// What a field of a configured form holds, and so how it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// One line of text.
    Text,
    /// Several lines of text.
    Textarea,
    Email,
    Phone,
    /// A web address (`https://…` or `http://…`).
    Url,
    /// A year, four digits, not in the future.
    Year,
    /// One of `options`.
    Choice,
    /// Any of `options` (checkboxes); `required` means at least one.
    Choices,
    /// A box that must be ticked to send (a separate, explicit consent).
    Consent,
}

/// Where a choice's options come from, when not listed in `options`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptionsFrom {
    /// The directory's sectors ([`crate::data::associations::SECTORS`]),
    /// labelled by the theme's `sectors.<id>`.
    Sectors,
    /// The site's languages, each named in its own script.
    Languages,
}

/// One field of a configured form, as written under `fields:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindField {
    /// The `name` of the input: lowercase letters, digits and `_`.
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    #[serde(default)]
    pub required: bool,
    /// Longest value in Unicode scalar values (text fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<OptionsFrom>,
}

/// Longest text of a field that gives no `max`: a sentence, or a page.
pub const TEXT_MAX: usize = 200;
pub const TEXTAREA_MAX: usize = 5000;

impl KindField {
    /// The limit that applies: the configured one, else the type's.
    pub fn limit(&self) -> usize {
        self.max.unwrap_or(match self.kind {
            FieldType::Textarea => TEXTAREA_MAX,
            FieldType::Email => EMAIL_MAX,
            FieldType::Phone => PHONE_MAX,
            FieldType::Url => 500,
            _ => TEXT_MAX,
        })
    }

    /// The values a choice accepts, given the site's language codes.
    pub fn choices<'a>(&'a self, languages: &'a [String]) -> Vec<&'a str> {
        match self.from {
            Some(OptionsFrom::Sectors) => crate::data::associations::SECTORS.to_vec(),
            Some(OptionsFrom::Languages) => languages.iter().map(String::as_str).collect(),
            None => self.options.iter().map(String::as_str).collect(),
        }
    }
}

/// A form declared in `site.yaml`, besides the contact form:
///
/// ```yaml
/// forms:
///   contact: /forms/contact
///   association:
///     path: /forms/association      # where it posts: /forms/<one segment>
///     page: associations/join       # the page that holds it (source key)
///     thanks: associations/thanks   # where a person lands once it is stored
///     topic: networks               # its topic in the inbox and the report
///     publish_to: associations      # an approved request becomes a directory entry
///     fields:
///       - { name: org_name, type: text, required: true, max: 150 }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormKind {
    /// Its key under `forms:`; stored with each of its records.
    #[serde(skip_deserializing)]
    pub name: String,
    pub path: String,
    pub page: String,
    pub thanks: String,
    /// One of [`TOPICS`]: the operators' filters and the needs report count
    /// a kind's requests under it.
    #[serde(default = "networks")]
    pub topic: String,
    /// `associations`: an approved request is written as an entry of
    /// `_data/associations.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_to: Option<String>,
    pub fields: Vec<KindField>,
}

fn networks() -> String {
    "networks".to_owned()
}

/// A value of `forms:` in `site.yaml`: the contact form's path, or a kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FormSetting {
    Path(String),
    Kind(FormKind),
}

impl FormKind {
    /// Checks a kind as configured; problems go to `diags` against
    /// `site.yaml`, and a kind with any is left out.
    ///
    /// `text` is `site.yaml` as written: each problem points at the line of
    /// the key or field it is about, or at the form's own line.
    pub fn checked(
        name: &str,
        mut kind: FormKind,
        path: &std::path::Path,
        text: &str,
        diags: &mut Diagnostics,
    ) -> Option<FormKind> {
        let mut ok = true;
        // What the editor wrote, as it can be shown in a message (control
        // and bidi characters as their codes).
        let name_shown = shown(name);
        // Located only when a problem is reported: a correct form costs no
        // scan of the text.
        let mut fail = |at: About, message: String, hint: &str| {
            ok = false;
            let d = Diagnostic::error(path, message).hint(hint.to_owned());
            diags.push(match Where::locate(text, name, at) {
                Some(w) => d.at_line_col(text, w.line, w.col, w.len),
                None => d,
            });
        };
        if !is_identifier(name) || name == "contact" {
            fail(
                About::Form,
                format!("`forms: {name_shown}:` is not a usable form name"),
                "a form's name is lowercase letters, digits and `_`; `contact` is the built-in contact form",
            );
        }
        let segment = kind.path.strip_prefix("/forms/").unwrap_or("");
        if segment.is_empty()
            || !segment
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            fail(
                About::Key("path"),
                format!(
                    "form `{name_shown}`: path `{}` is not of the form /forms/<name>",
                    shown(&kind.path)
                ),
                "the endpoint accepts forms under /forms/: write e.g. `path: /forms/association`",
            );
        }
        if !TOPICS.contains(&kind.topic.as_str()) {
            fail(
                About::Key("topic"),
                format!(
                    "form `{name_shown}`: unknown topic `{}`",
                    shown(&kind.topic)
                ),
                &format!("one of: {}", TOPICS.join(", ")),
            );
        }
        if kind
            .publish_to
            .as_deref()
            .is_some_and(|p| p != "associations")
        {
            fail(
                About::Key("publish_to"),
                format!(
                    "form `{name_shown}`: cannot publish to `{}`",
                    shown(kind.publish_to.as_deref().unwrap_or(""))
                ),
                "the one place a request can be published to is `associations` (the directory)",
            );
        }
        let mut seen = std::collections::HashMap::new();
        for f in &kind.fields {
            let count = seen.entry(f.name.as_str()).or_insert(0);
            *count += 1;
            let at = About::Field(&f.name, *count);
            if !is_identifier(&f.name) || RESERVED.contains(&f.name.as_str()) {
                fail(
                    at,
                    format!(
                        "form `{name_shown}`: `{}` cannot be a field's name",
                        shown(&f.name)
                    ),
                    "lowercase letters, digits and `_`, and none of lang, name, email, phone, consent, desk, topic, message, website (every form has those of the person writing)",
                );
            }
            if *count > 1 {
                fail(
                    at,
                    format!(
                        "form `{name_shown}`: field `{}` is listed twice",
                        shown(&f.name)
                    ),
                    "each field once",
                );
            }
            let choice = matches!(f.kind, FieldType::Choice | FieldType::Choices);
            if choice && f.options.is_empty() && f.from.is_none() {
                fail(
                    at,
                    format!(
                        "form `{name_shown}`: field `{}` is a choice without options",
                        shown(&f.name)
                    ),
                    "give `options: [..]` or `from: sectors` / `from: languages`",
                );
            }
            if !choice && (!f.options.is_empty() || f.from.is_some()) {
                fail(
                    at,
                    format!(
                        "form `{name_shown}`: field `{}` has options but is not a choice",
                        shown(&f.name)
                    ),
                    "options belong to `type: choice` or `type: choices`",
                );
            }
            if f.options.iter().any(|o| !is_option_value(o)) {
                fail(
                    at,
                    format!(
                        "form `{name_shown}`: field `{}` has an option that is not a plain value",
                        shown(&f.name)
                    ),
                    "options are letters, digits, `-` and `_` (their labels are the theme's)",
                );
            }
            if f.max == Some(0) {
                fail(
                    at,
                    format!(
                        "form `{name_shown}`: field `{}` has `max: 0`",
                        shown(&f.name)
                    ),
                    "give a positive limit or none",
                );
            }
        }
        kind.name = name.to_owned();
        ok.then_some(kind)
    }

    /// What templates receive as `form_kinds.<name>`: the kind, with each
    /// field's limit and options resolved (`names`: a language option's
    /// name in its own script and its direction).
    pub fn theme_value(&self, languages: &[crate::config::Language]) -> serde_json::Value {
        let codes: Vec<String> = languages.iter().map(|l| l.code.clone()).collect();
        let names: serde_json::Map<String, serde_json::Value> = languages
            .iter()
            .map(|l| {
                (
                    l.code.clone(),
                    serde_json::json!({ "name": l.name, "dir": l.dir }),
                )
            })
            .collect();
        let fields: Vec<serde_json::Value> = self
            .fields
            .iter()
            .map(|f| {
                serde_json::json!({
                    "name": f.name,
                    "type": f.kind,
                    "required": f.required,
                    "max": f.limit(),
                    "options": f.choices(&codes),
                    "from": f.from,
                    "names": if f.from == Some(OptionsFrom::Languages) { serde_json::Value::Object(names.clone()) } else { serde_json::Value::Null },
                })
            })
            .collect();
        serde_json::json!({
            "name": self.name,
            "path": self.path,
            "fields": fields,
        })
    }

    pub fn field(&self, name: &str) -> Option<&KindField> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// What in a configured form a problem is about.
#[derive(Debug, Clone, Copy)]
enum About<'a> {
    Form,
    Key(&'a str),
    /// A field's name, the `nth` (1-based) time it is listed.
    Field(&'a str, usize),
}

/// Where in `site.yaml` a problem of a configured form is shown: a line, a
/// column and how many characters to underline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Where {
    line: usize,
    col: usize,
    len: usize,
}

impl Where {
    /// Where `about` is written in form `form`'s configuration; failing
    /// that, the `fields:` line (for a field), then the form's own line.
    fn locate(text: &str, form: &str, about: About) -> Option<Where> {
        let own = || Where::key(text, &["forms", form]);
        match about {
            About::Form => own(),
            About::Key(key) => Where::key(text, &["forms", form, key]).or_else(own),
            About::Field(field, nth) => Where::field(text, form, field, nth)
                .or_else(|| Where::key(text, &["forms", form, "fields"]))
                .or_else(own),
        }
    }

    /// The key at `path`, written in block style.
    fn key(text: &str, path: &[&str]) -> Option<Where> {
        let line = crate::yaml::key_line(text, path)?;
        let body = text.lines().nth(line - 1)?;
        let key = path.last()?;
        let col = body.chars().count() - body.trim_start().chars().count() + 1;
        Some(Where {
            line,
            col,
            len: key.chars().count(),
        })
    }

    /// The `nth` (1-based) `name: <field>` under the form's `fields:`,
    /// whether each field is written as a block or as `{ name: …, … }`.
    fn field(text: &str, form: &str, field: &str, nth: usize) -> Option<Where> {
        let fields = crate::yaml::key_line(text, &["forms", form, "fields"])?;
        let lines: Vec<&str> = text.lines().collect();
        let indent = |l: &str| l.len() - l.trim_start().len();
        let base = indent(lines.get(fields - 1)?);
        let mut seen = 0;
        for (i, line) in lines.iter().enumerate().skip(fields) {
            let body = line.trim_start();
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            // The list may sit at the key's own indentation (`- name: …`).
            if indent(line) < base || (indent(line) == base && !body.starts_with('-')) {
                break;
            }
            let mut rest = *line;
            while let Some(at) = rest.find("name:") {
                let after = &rest[at + "name:".len()..];
                let value = after.trim_start();
                // `name:` and not, say, `org_name:`.
                let whole = rest[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                if let Some((name, written)) = whole.then(|| scalar(value)).flatten()
                    && name == field
                {
                    seen += 1;
                    if seen == nth {
                        let byte = line.len() - value.len();
                        return Some(Where {
                            line: i + 1,
                            col: line[..byte].chars().count() + 1,
                            len: written.chars().count().max(1),
                        });
                    }
                }
                rest = after;
            }
        }
        None
    }
}

/// The scalar at the start of `text` as YAML reads it, and as it is
/// written: a quoted one up to its closing quote, its escapes (`\u202E`,
/// `''`) decoded by the YAML parser, so that a name written with escapes is
/// found; a plain one up to what ends it in a flow mapping.
fn scalar(text: &str) -> Option<(String, &str)> {
    let end = match text.chars().next()? {
        '"' => {
            let mut escaped = false;
            text.char_indices().skip(1).find_map(|(i, c)| {
                let closes = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                closes.then_some(i + 1)
            })?
        }
        '\'' => {
            // `''` is a quote inside; the first lone `'` closes.
            let bytes = text.as_bytes();
            let mut i = 1;
            loop {
                match bytes.get(i)? {
                    b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                    b'\'' => break i + 1,
                    _ => i += 1,
                }
            }
        }
        _ => {
            let end = text
                .find(|c: char| matches!(c, ',' | '}' | '#') || c.is_whitespace())
                .unwrap_or(text.len());
            return Some((text[..end].to_owned(), &text[..end]));
        }
    };
    let written = &text[..end];
    let name = crate::yaml::from_str::<String>(written).ok()?;
    Some((name, written))
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn is_option_value(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_found_by_field_name() {
        assert_eq!(CONTACT.max(NAME), Some(NAME_MAX));
        assert_eq!(CONTACT.max(MESSAGE), Some(MESSAGE_MAX));
        assert_eq!(CONTACT.max(TOPIC), None);
        assert_eq!(CONTACT.max("website"), None);
    }

    #[test]
    fn the_theme_sees_limits_by_name_and_the_topics() {
        let v = CONTACT.theme_value();
        assert_eq!(v["max"]["name"], 200);
        assert_eq!(v["max"]["message"], 5000);
        assert_eq!(v["topics"][0], "founding");
        assert_eq!(v["shown"][0], "name");
        assert_eq!(v["shown"][6], "consent");
    }

    /// The kinds of `forms:` written as `yaml`, and each problem's message
    /// with the line it points at in the `site.yaml` around it.
    fn located(yaml: &str) -> (Vec<FormKind>, Vec<(String, Option<usize>)>) {
        let settings: std::collections::BTreeMap<String, FormSetting> =
            crate::yaml::from_str(yaml).expect("parses");
        let site = format!(
            "base_url: https://example.org\nforms:\n{}",
            yaml.lines().map(|l| format!("  {l}\n")).collect::<String>()
        );
        let mut diags = Diagnostics::default();
        let kinds = settings
            .into_iter()
            .filter_map(|(name, s)| match s {
                FormSetting::Path(_) => None,
                FormSetting::Kind(k) => FormKind::checked(
                    &name,
                    k,
                    std::path::Path::new("site.yaml"),
                    &site,
                    &mut diags,
                ),
            })
            .collect();
        let problems = diags
            .iter()
            .map(|d| (d.message.clone(), d.line_col().map(|(l, _)| l)))
            .collect();
        (kinds, problems)
    }

    fn kinds(yaml: &str) -> (Vec<FormKind>, Vec<String>) {
        let (kinds, problems) = located(yaml);
        (kinds, problems.into_iter().map(|(m, _)| m).collect())
    }

    #[test]
    fn a_form_is_configuration_and_the_contact_path_stays_a_string() {
        let (k, problems) = kinds(
            "contact: /forms/contact\nassociation:\n  path: /forms/association\n  page: associations/join\n  thanks: associations/thanks\n  publish_to: associations\n  fields:\n    - { name: org_name, type: text, required: true, max: 150 }\n    - { name: sectors, type: choices, from: sectors }\n    - { name: province, type: choice, options: [PG, TR] }\n",
        );
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(k.len(), 1);
        assert_eq!(k[0].name, "association");
        assert_eq!(k[0].topic, "networks");
        assert_eq!(k[0].field("org_name").map(KindField::limit), Some(150));
        assert_eq!(
            k[0].field("sectors").map(|f| f.choices(&[]).len()),
            Some(11)
        );
        let v = k[0].theme_value(&[]);
        assert_eq!(v["fields"][2]["options"][1], "TR");
    }

    #[test]
    fn each_mistake_in_a_configured_form_is_named() {
        let (k, problems) = kinds(
            "x:\n  path: /elsewhere/x\n  page: p\n  thanks: t\n  topic: weather\n  publish_to: news\n  fields:\n    - { name: email, type: text }\n    - { name: pick, type: choice }\n    - { name: note, type: text, options: [a] }\n    - { name: twice, type: text }\n    - { name: twice, type: text }\n    - { name: odd, type: choice, options: ['<b>'] }\n",
        );
        assert!(k.is_empty(), "a form with mistakes is left out");
        let all = problems.join("\n");
        for expected in [
            "path `/elsewhere/x` is not of the form /forms/<name>",
            "unknown topic `weather`",
            "cannot publish to `news`",
            "`email` cannot be a field's name",
            "`pick` is a choice without options",
            "`note` has options but is not a choice",
            "`twice` is listed twice",
            "`odd` has an option that is not a plain value",
        ] {
            assert!(all.contains(expected), "{expected}: {all}");
        }
    }

    /// The line the problem whose message holds `needle` points at.
    fn line_of(problems: &[(String, Option<usize>)], needle: &str) -> Option<usize> {
        problems
            .iter()
            .find(|(m, _)| m.contains(needle))
            .unwrap_or_else(|| panic!("{needle}: {problems:?}"))
            .1
    }

    /// Regression: `check` named a configured form's mistakes at
    /// `site.yaml` with no line, in a file that may hold several forms.
    #[test]
    fn each_mistake_in_a_configured_form_points_at_its_line() {
        let (_, problems) = located(
            "x:\n  path: /elsewhere/x\n  page: p\n  thanks: t\n  topic: weather\n  publish_to: news\n  fields:\n    - { name: email, type: text }\n    - { name: pick, type: choice }\n    - name: note\n      type: text\n      options: [a]\n    - { name: twice, type: text }\n    - { name: \"twice\", type: text }\n    - { name: odd, type: text, max: 0 }\n",
        );
        let line_of = |needle: &str| line_of(&problems, needle);
        // Line 1 is base_url, 2 `forms:`, 3 `x:`.
        assert_eq!(line_of("path `/elsewhere/x`"), Some(4));
        assert_eq!(line_of("unknown topic"), Some(7));
        assert_eq!(line_of("cannot publish"), Some(8));
        assert_eq!(line_of("`email` cannot be"), Some(10));
        assert_eq!(line_of("`pick` is a choice"), Some(11));
        assert_eq!(line_of("`note` has options"), Some(12));
        // The second listing, quoted or not, is the one named.
        assert_eq!(line_of("`twice` is listed twice"), Some(16));
        assert_eq!(line_of("`odd` has `max: 0`"), Some(17));
    }

    /// Regression: an editor's field name went into the message as typed,
    /// so a pasted bidi override could reorder the line it was shown on.
    #[test]
    fn a_name_with_invisible_characters_is_shown_with_their_codes() {
        let (_, problems) = kinds(
            "x:\n  path: /forms/x\n  page: p\n  thanks: t\n  fields:\n    - { name: \"a\\u202Eb\", type: text }\n",
        );
        let all = problems.join("\n");
        assert!(all.contains("`aU+202Eb` cannot be a field's name"), "{all}");
        assert!(!all.contains('\u{202E}'), "{all}");
    }

    /// Regression: a name written with YAML escapes was not found by the
    /// scan of the text, and its problem pointed at the `fields:` line.
    #[test]
    fn a_name_written_with_escapes_points_at_its_own_line() {
        let (_, problems) = located(
            "x:\n  path: /forms/x\n  page: p\n  thanks: t\n  fields:\n    - { name: ok, type: text }\n    - { name: \"a\\u202Eb\", type: text }\n    - name: 'it''s'\n      type: text\n",
        );
        let line_of = |needle: &str| line_of(&problems, needle);
        // Line 1 is base_url, 2 `forms:`, 3 `x:`; `fields:` is line 7.
        assert_eq!(line_of("`aU+202Eb` cannot be"), Some(9));
        assert_eq!(line_of("`it's` cannot be"), Some(10));
    }

    #[test]
    fn scalars_are_read_as_yaml_reads_them() {
        assert_eq!(scalar("plain, x"), Some(("plain".into(), "plain")));
        assert_eq!(scalar("\"a\\\"b\" }"), Some(("a\"b".into(), "\"a\\\"b\"")));
        assert_eq!(scalar("'it''s' }"), Some(("it's".into(), "'it''s'")));
        assert_eq!(scalar("\"unclosed"), None);
        assert_eq!(scalar("'unclosed''"), None);
        assert_eq!(scalar(""), None);
    }
}
