//! The inbox's pages: Tera templates embedded in the binary, autoescaped.

use serde::Serialize;
use tera::{Context, Tera};

use super::i18n::{Language, Strings};
use crate::Error;

const TEMPLATES: [(&str, &str); 9] = [
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("list.html", include_str!("templates/list.html")),
    ("request.html", include_str!("templates/request.html")),
    ("erase.html", include_str!("templates/erase.html")),
    ("purge.html", include_str!("templates/purge.html")),
    ("export.html", include_str!("templates/export.html")),
    ("message.html", include_str!("templates/message.html")),
    ("report.html", include_str!("templates/report.html")),
];

/// The stylesheet, served at [`super::CSS_PATH`].
pub const CSS: &str = include_str!("templates/desk.css");

pub struct Renderer {
    tera: Tera,
    pub strings: Strings,
}

/// What every page knows.
#[derive(Debug, Serialize)]
pub struct Frame<'a> {
    pub lang: &'a Language,
    /// The signed-in operator, if any.
    pub operator: Option<&'a str>,
    /// The session's CSRF token, put in every form.
    pub csrf: &'a str,
    /// The page's own path and query, for the language chooser.
    pub here: &'a str,
    /// A message carried over a redirect.
    pub flash: Option<&'a str>,
}

impl Renderer {
    pub fn new() -> Result<Self, Error> {
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html"]);
        sportello::plural::register(&mut tera);
        tera.add_raw_templates(TEMPLATES)
            .map_err(|e| Error::Render(format!("desk templates: {e}")))?;
        Ok(Self {
            tera,
            strings: Strings::load()?,
        })
    }

    /// Renders `template` with the frame and `data` (a serialisable map).
    pub fn page(
        &self,
        template: &str,
        frame: &Frame<'_>,
        data: &impl Serialize,
    ) -> Result<String, Error> {
        let mut ctx =
            Context::from_serialize(data).map_err(|e| Error::Render(format!("{template}: {e}")))?;
        for flag in ["standalone", "inline_css"] {
            if !ctx.contains_key(flag) {
                ctx.insert(flag, &false);
            }
        }
        ctx.insert("lang", frame.lang);
        // What `plural(…)` reads to pick a form.
        ctx.insert("lang_code", frame.lang.code);
        ctx.insert("languages", self.strings.languages());
        ctx.insert("t", self.strings.table(frame.lang.code));
        ctx.insert("operator", &frame.operator);
        ctx.insert("csrf", frame.csrf);
        ctx.insert("here", frame.here);
        ctx.insert("flash", &frame.flash);
        self.tera
            .render(template, &ctx)
            .map_err(|e| Error::Render(format!("{template}: {e:?}")))
    }
}
