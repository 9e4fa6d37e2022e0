//! The answers a person reads: the [`FormPages`] trait the site implements
//! with its theme, the [`FormState`] handed to it, and [`PlainPages`], a
//! bare renderer for tests and as a last-resort fallback.
//!
//! The endpoint decides *what* to answer (status, values kept, error codes);
//! the site decides *how it reads* in each language. Error codes, not
//! sentences, cross this boundary so that translations stay in the theme.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use axum::http::StatusCode;
use serde::Serialize;

use sportello::form::FormKind;

use crate::Error;
use crate::fields::{self, ErrorCode};

/// The path the contact form posts to (the site's `forms.contact`).
pub const CONTACT_PATH: &str = sportello::form::CONTACT.path;

/// What the endpoint needs from the site to answer a person in their language.
pub trait FormPages: Send + Sync + 'static {
    /// Language codes the site has (first = default). Used to validate `lang`.
    fn languages(&self) -> Vec<String>;
    /// Ids of the desks (for the `desk` field; `any` is always valid too).
    fn desk_ids(&self) -> Vec<String>;
    /// Renders the contact page of `lang` showing `state` (values typed,
    /// errors by field, status).
    fn render(&self, lang: &str, state: &FormState) -> Result<String, Error>;
    /// The URL of the contact page in `lang` (`/it/contatti/` when the page
    /// has a localised slug): where `GET /forms/contact` leads.
    fn contact_url(&self, lang: &str) -> String;
    /// The URL of the page a person lands on once the request is stored.
    fn thanks_url(&self, lang: &str) -> String;
    /// A topic's name in `lang` as the site shows it (`form.topics.<id>`
    /// of the theme's strings), for the operators' inbox; `None` without a
    /// site.
    fn topic_label(&self, _lang: &str, _topic: &str) -> Option<String> {
        None
    }
    /// A desk's name in `lang` (`desks.yaml`; `any`: the form's "whichever
    /// desk"); `None` without a site.
    fn desk_label(&self, _lang: &str, _desk: &str) -> Option<String> {
        None
    }
    /// The forms configured in `site.yaml` besides the contact form.
    fn kinds(&self) -> Vec<FormKind> {
        Vec::new()
    }
    /// Renders the page holding `kind`'s form in `lang`, showing `state`.
    fn render_kind(
        &self,
        _kind: &FormKind,
        _lang: &str,
        _state: &FormState,
    ) -> Result<String, Error> {
        Err(Error::SiteNotReady)
    }
    /// The URL of the page with source key `key` in `lang` (localised slugs
    /// applied); the language's home page without a site.
    fn url_of(&self, _key: &str, lang: &str) -> String {
        format!("/{lang}/")
    }
    /// The name of an option of `kind`'s `field` in `lang` as the form shows
    /// it (a sector, a language), for the inbox; `None` without a site.
    fn option_label(
        &self,
        _lang: &str,
        _kind: &str,
        _field: &str,
        _option: &str,
    ) -> Option<String> {
        None
    }
    /// The label of `kind`'s `field` in `lang`, for the inbox.
    fn field_label(&self, _lang: &str, _kind: &str, _field: &str) -> Option<String> {
        None
    }
    /// For an approved request of a form that publishes to the directory:
    /// its entry as YAML (an id free in this site) and what `check` would
    /// say of it once pasted, one problem a line; `None` without a site.
    fn directory_entry(
        &self,
        _data: &BTreeMap<String, serde_json::Value>,
        _lang: &str,
        _consent_date: &str,
    ) -> Option<Result<(String, Vec<String>), Error>> {
        None
    }
}

/// Why the form is shown again. Serialised as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormStatus {
    /// `422`: some fields are refused (see [`FormState::errors`]).
    Invalid,
    /// `429`: too many submissions from this client (see
    /// [`FormState::retry_after_secs`]).
    RateLimited,
    /// `503`: the queue cannot be written; show the desk's phone number.
    Unavailable,
    /// `413`: the body is over the limit; nothing could be kept.
    TooLarge,
}

impl FormStatus {
    pub fn http_status(self) -> StatusCode {
        match self {
            Self::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "invalid",
            Self::RateLimited => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::TooLarge => "too_large",
        }
    }
}

/// One refused field, for an error summary in the form's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
}

/// The form as it must be shown again. Templates receive it as `form`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormState {
    pub status: FormStatus,
    /// Everything typed, by field name, except the honeypot.
    pub values: BTreeMap<String, String>,
    /// The ticked options of multiple-choice fields, by field name.
    pub lists: BTreeMap<String, Vec<String>>,
    /// Error codes by field name (`form.error.<code>` in the theme).
    pub errors: BTreeMap<String, ErrorCode>,
    /// The same errors in the form's field order, for the error summary.
    pub summary: Vec<FieldError>,
    /// For [`FormStatus::RateLimited`]: seconds until a new try may succeed.
    pub retry_after_secs: Option<u64>,
}

impl FormState {
    pub fn new(
        status: FormStatus,
        values: BTreeMap<String, String>,
        errors: BTreeMap<String, ErrorCode>,
    ) -> Self {
        let summary = fields::FIELDS
            .iter()
            .filter_map(|f| {
                errors.get(*f).map(|code| FieldError {
                    field: (*f).to_owned(),
                    code: *code,
                })
            })
            .collect();
        Self {
            status,
            values,
            lists: BTreeMap::new(),
            errors,
            summary,
            retry_after_secs: None,
        }
    }

    /// The state of a configured form: the summary follows that form's
    /// order (the person's fields first, then the kind's own).
    pub fn for_kind(mut self, kind: &FormKind, lists: BTreeMap<String, Vec<String>>) -> Self {
        let order = sportello::form::PERSON_FIELDS
            .iter()
            .map(|f| (*f).to_owned())
            .chain(kind.fields.iter().map(|f| f.name.clone()));
        self.summary = order
            .filter_map(|f| {
                let code = *self.errors.get(&f)?;
                Some(FieldError { field: f, code })
            })
            .collect();
        self.lists = lists;
        self
    }

    pub fn value(&self, field: &str) -> &str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }
}

/// Writing direction of a language code: the scripts written right to left.
pub fn is_rtl(lang: &str) -> bool {
    let base = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        base.as_str(),
        "ar" | "he" | "fa" | "ur" | "ps" | "yi" | "dv" | "ckb" | "sd" | "ug"
    )
}

/// Escapes text for HTML content and double- or single-quoted attributes.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A minimal, valid, accessible contact page with English labels.
///
/// For tests and as a fallback when the site's renderer fails: it keeps
/// every value, marks `lang`/`dir`, follows the GOV.UK error-summary pattern
/// and shows `contact_fallback` (the desk's phone) when the queue is down.
#[derive(Debug, Clone)]
pub struct PlainPages {
    languages: Vec<String>,
    desks: Vec<String>,
    contact_fallback: String,
}

impl PlainPages {
    pub fn new(
        languages: Vec<String>,
        desks: Vec<String>,
        contact_fallback: impl Into<String>,
    ) -> Self {
        Self {
            languages,
            desks,
            contact_fallback: contact_fallback.into(),
        }
    }

    fn label(field: &str) -> &'static str {
        match field {
            fields::LANG => "Language",
            fields::NAME => "Name",
            fields::EMAIL => "E-mail",
            fields::PHONE => "Phone",
            fields::DESK => "Desk",
            fields::TOPIC => "Topic",
            fields::MESSAGE => "Message",
            fields::CONSENT => "I have read the privacy notice and agree",
            _ => "Field",
        }
    }
}

impl FormPages for PlainPages {
    fn languages(&self) -> Vec<String> {
        self.languages.clone()
    }

    fn desk_ids(&self) -> Vec<String> {
        self.desks.clone()
    }

    // Without a site, the generator's layout for `contact/_index` and
    // `contact/thanks` with no slugs.
    fn contact_url(&self, lang: &str) -> String {
        format!("/{lang}/contact/")
    }

    fn thanks_url(&self, lang: &str) -> String {
        format!("/{lang}/contact/thanks/")
    }

    fn render(&self, lang: &str, state: &FormState) -> Result<String, Error> {
        let mut h = String::with_capacity(4096);
        let dir = if is_rtl(lang) { "rtl" } else { "ltr" };
        let lang_attr = escape_html(lang);
        // `write!` into a String cannot fail; the results are ignored on purpose.
        let _ = write!(
            h,
            "<!doctype html>\n<html lang=\"{lang_attr}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"robots\" content=\"noindex\">\n<title>Contact</title>\n</head>\n<body>\n<main>\n<h1>Contact</h1>\n"
        );
        let notice = match state.status {
            FormStatus::Invalid => None,
            FormStatus::RateLimited => Some(format!(
                "Too many requests from your connection. Please try again in {} seconds.",
                state.retry_after_secs.unwrap_or(60)
            )),
            FormStatus::Unavailable => Some(format!(
                "Your request could not be saved right now. Nothing you typed is lost: try again later, or contact us directly: {}",
                escape_html(&self.contact_fallback)
            )),
            FormStatus::TooLarge => {
                Some("Your request is too long to be sent. Please shorten the message.".to_owned())
            }
        };
        if let Some(notice) = notice {
            let _ = writeln!(
                h,
                "<div role=\"alert\" class=\"notice notice-{}\"><p>{notice}</p></div>",
                state.status.as_str()
            );
        }
        if !state.summary.is_empty() {
            let _ = writeln!(
                h,
                "<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"error-summary-title\" tabindex=\"-1\">\n\
                 <h2 id=\"error-summary-title\">There is a problem</h2>\n<ul>"
            );
            for e in &state.summary {
                let _ = writeln!(
                    h,
                    "<li><a href=\"#f-{}\">{}: {}</a></li>",
                    e.field,
                    Self::label(&e.field),
                    e.code.english()
                );
            }
            let _ = writeln!(h, "</ul>\n</div>");
        }
        let _ = writeln!(
            h,
            "<form method=\"post\" action=\"{CONTACT_PATH}\" novalidate>\n\
             <input type=\"hidden\" name=\"lang\" value=\"{lang_attr}\">"
        );
        let field_open = |h: &mut String, field: &str| {
            let _ = write!(
                h,
                "<div class=\"field\">\n<label for=\"f-{field}\">{}</label>\n",
                Self::label(field)
            );
            match state.errors.get(field) {
                Some(code) => {
                    let _ = writeln!(
                        h,
                        "<p class=\"error-message\" id=\"f-{field}-error\" data-code=\"{}\">{}</p>",
                        code.as_str(),
                        code.english()
                    );
                    format!(" aria-describedby=\"f-{field}-error\" aria-invalid=\"true\"")
                }
                None => String::new(),
            }
        };
        for (field, kind) in [
            (fields::NAME, "text\" autocomplete=\"name"),
            (fields::EMAIL, "email\" autocomplete=\"email"),
            (fields::PHONE, "tel\" autocomplete=\"tel"),
        ] {
            let aria = field_open(&mut h, field);
            let _ = writeln!(
                h,
                "<input type=\"{kind}\" id=\"f-{field}\" name=\"{field}\" value=\"{}\"{aria}>\n</div>",
                escape_html(state.value(field))
            );
        }
        let selects = [
            (
                fields::DESK,
                std::iter::once(fields::ANY_DESK.to_owned())
                    .chain(self.desks.iter().cloned())
                    .collect::<Vec<_>>(),
            ),
            (
                fields::TOPIC,
                fields::TOPICS.iter().map(|t| (*t).to_owned()).collect(),
            ),
        ];
        for (field, options) in selects {
            let aria = field_open(&mut h, field);
            let _ = writeln!(h, "<select id=\"f-{field}\" name=\"{field}\"{aria}>");
            let current = state.value(field);
            for option in options {
                let selected = if option == current { " selected" } else { "" };
                let o = escape_html(&option);
                let _ = writeln!(h, "<option value=\"{o}\"{selected}>{o}</option>");
            }
            let _ = writeln!(h, "</select>\n</div>");
        }
        let aria = field_open(&mut h, fields::MESSAGE);
        let _ = writeln!(
            h,
            "<textarea id=\"f-message\" name=\"message\" rows=\"8\"{aria}>{}</textarea>\n</div>",
            escape_html(state.value(fields::MESSAGE))
        );
        let aria = field_open(&mut h, fields::CONSENT);
        let checked = if state.value(fields::CONSENT).is_empty() {
            ""
        } else {
            " checked"
        };
        let _ = writeln!(
            h,
            "<input type=\"checkbox\" id=\"f-consent\" name=\"consent\" value=\"yes\"{checked}{aria}>\n</div>"
        );
        let _ = writeln!(
            h,
            "<div hidden aria-hidden=\"true\"><label for=\"f-website\">Website</label>\
             <input type=\"text\" id=\"f-website\" name=\"website\" value=\"\" tabindex=\"-1\" autocomplete=\"off\"></div>\n\
             <button type=\"submit\">Send</button>\n</form>\n</main>\n</body>\n</html>"
        );
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_page_escapes_keeps_values_and_marks_direction() {
        let pages = PlainPages::new(
            vec!["it".into(), "ar".into()],
            vec!["terni".into()],
            "0744 812786",
        );
        let mut values = BTreeMap::new();
        values.insert("name".to_owned(), "<script>\"x\"</script>".to_owned());
        values.insert("message".to_owned(), "مرحبا & ciao".to_owned());
        values.insert("desk".to_owned(), "terni".to_owned());
        let mut errors = BTreeMap::new();
        errors.insert("email".to_owned(), ErrorCode::EmailOrPhone);
        let html = pages
            .render("ar", &FormState::new(FormStatus::Invalid, values, errors))
            .unwrap_or_default();
        assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"));
        assert!(html.contains("value=\"&lt;script&gt;&quot;x&quot;&lt;/script&gt;\""));
        assert!(!html.contains("<script>"));
        assert!(html.contains(">مرحبا &amp; ciao</textarea>"));
        assert!(html.contains("<option value=\"terni\" selected>"));
        assert!(html.contains("href=\"#f-email\""));
        assert!(html.contains("aria-invalid=\"true\""));
    }

    #[test]
    fn directions() {
        assert!(is_rtl("ar") && is_rtl("fa-IR") && !is_rtl("it") && !is_rtl("uk"));
    }
}
