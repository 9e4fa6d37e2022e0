//! The contact form's contract between the site and the form endpoint: its
//! fields with their limits, the topics, where it posts, and which pages
//! hold the form and the thanks. Defined here once: the theme receives it
//! as `contact_form` (the `<select>`'s topics, `maxlength`s), and the
//! endpoint (`sportello-forms`, which depends on this crate) validates
//! against the same values.

use serde::Serialize;

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
}
