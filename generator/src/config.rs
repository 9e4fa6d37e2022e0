//! Site settings: `content/site.yaml`.
//!
//! Languages are the spine of the site: everything per language is indexed by
//! a [`LangId`], the position of the language in `languages:` (which is also
//! the order of the language switcher).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::yaml;

/// Index of a language in [`SiteConfig::languages`].
pub type LangId = usize;

#[derive(Debug, Clone, Serialize)]
pub struct Language {
    pub code: String,
    /// The language's name in its own script ("العربية").
    pub name: String,
    /// `ltr` or `rtl`.
    pub dir: String,
}

#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub base_url: String,
    pub default_language: LangId,
    pub theme: String,
    pub title: Vec<String>,
    pub languages: Vec<Language>,
    /// Where each form posts, by name (`contact`, and every kind's).
    pub forms: BTreeMap<String, String>,
    /// The forms declared besides the contact form (`forms: <name>: {…}`).
    pub form_kinds: Vec<crate::form::FormKind>,
    /// Source paths of the main navigation, in order (extension).
    pub menu: Vec<String>,
    /// The text that marks a value only the desk can supply (extension);
    /// `check` lists where it is left, `build --strict` refuses it.
    pub confirm_marker: String,
    /// Whether a translation older than its original says so to readers
    /// (`stale_notice: false` turns it off).
    pub stale_notice: bool,
    /// Where the editors' interface (`/admin/`) saves when not working on
    /// the local folder (extension).
    pub cms: Cms,
    pub extra: serde_json::Value,
}

/// The git host the editors' interface signs in to: `cms:` in `site.yaml`.
/// Without it the interface works only on the local folder.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cms {
    #[serde(default)]
    pub backend: GitHost,
    /// `owner/name` of the repository on the host.
    #[serde(default)]
    pub repo: Option<String>,
    #[serde(default)]
    pub branch: Option<String>,
    /// The host's address when it is not the public one (a GitLab or
    /// Forgejo of one's own), e.g. `https://git.example.org/api/v4`.
    #[serde(default)]
    pub api_root: Option<String>,
    /// The OAuth helper's address (Sveltia CMS Authenticator or similar).
    #[serde(default)]
    pub base_url: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum GitHost {
    #[default]
    Github,
    Gitlab,
    Gitea,
}

/// The marker when `site.yaml` names none.
pub const DEFAULT_CONFIRM_MARKER: &str = "[da confermare]";

/// Hosts reserved for examples (RFC 2606): a `base_url` on one of them is a
/// sample that must be replaced before publishing.
const SAMPLE_HOSTS: [&str; 3] = ["example.org", "example.com", "example.net"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    base_url: yaml::Spanned<String>,
    default_language: yaml::Spanned<String>,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default)]
    title: BTreeMap<String, String>,
    languages: Vec<RawLanguage>,
    #[serde(default)]
    forms: BTreeMap<String, crate::form::FormSetting>,
    #[serde(default)]
    menu: Vec<String>,
    #[serde(default)]
    confirm_marker: Option<yaml::Spanned<String>>,
    #[serde(default = "yes")]
    stale_notice: bool,
    #[serde(default)]
    cms: Cms,
    #[serde(default)]
    extra: serde_json::Value,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    code: yaml::Spanned<String>,
    name: String,
    #[serde(default)]
    direction: Option<yaml::Spanned<String>>,
}

fn default_theme() -> String {
    "default".into()
}

impl SiteConfig {
    pub fn lang(&self, code: &str) -> Option<LangId> {
        self.languages.iter().position(|l| l.code == code)
    }

    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.languages.iter().map(|l| l.code.as_str())
    }

    /// "it, en, ar" — for hints that list the configured languages.
    pub fn code_list(&self) -> String {
        self.codes().collect::<Vec<_>>().join(", ")
    }

    pub fn default_code(&self) -> &str {
        &self.languages[self.default_language].code
    }

    /// Whether `base_url` is still a sample address (a host reserved for
    /// examples, or one under it such as `sportello.example.org`).
    pub fn base_url_is_sample(&self) -> bool {
        let rest = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, r)| r);
        let host = rest
            .split(['/', ':', '?', '#'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let host = host.trim_end_matches('.');
        host.ends_with(".example")
            || host == "example"
            || SAMPLE_HOSTS
                .iter()
                .any(|s| host == *s || host.ends_with(&format!(".{s}")))
    }

    /// Absolute URL for a site path (which starts with `/`).
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Loads and validates `site.yaml`; every problem goes to `diags`.
    pub fn load(path: &Path, diags: &mut Diagnostics) -> Option<SiteConfig> {
        let text: Arc<str> = match std::fs::read_to_string(path) {
            Ok(t) => t.into(),
            Err(e) => {
                diags.push(
                    Diagnostic::error(path, format!("cannot read the site settings: {e}"))
                        .hint("every site needs content/site.yaml; see the README"),
                );
                return None;
            }
        };
        let raw: RawConfig = match yaml::from_str(&text) {
            Ok(r) => r,
            Err(e) => {
                diags.push(
                    Diagnostic::error(path, format!("invalid site settings: {}", e.message))
                        .at_line_col(&text, e.line, e.column, 1)
                        .hint("keys: base_url, default_language, theme, title, languages, forms, menu, confirm_marker, stale_notice, cms, extra"),
                );
                return None;
            }
        };
        let at = |s: &yaml::Spanned<String>| {
            let (l, c) = yaml::position(s);
            (l, c, s.value.chars().count())
        };
        let mut ok = true;
        let mut languages: Vec<Language> = Vec::new();
        for rl in raw.languages {
            let code = rl.code.value.trim().to_string();
            let (l, c, n) = at(&rl.code);
            if !crate::load::naming::is_language_tag(&code) {
                ok = false;
                diags.push(
                    Diagnostic::error(path, format!("`{code}` is not a language code"))
                        .at_line_col(&text, l, c, n)
                        .hint("use a tag like `it`, `ar` or `zh-cn`: 2–3 letters, optionally `-` and a region"),
                );
            }
            if languages.iter().any(|x| x.code == code) {
                ok = false;
                diags.push(
                    Diagnostic::error(path, format!("language `{code}` is listed twice"))
                        .at_line_col(&text, l, c, n),
                );
            }
            let dir = match rl.direction {
                None => "ltr".to_string(),
                Some(d) if d.value == "ltr" || d.value == "rtl" => d.value.clone(),
                Some(d) => {
                    ok = false;
                    let (l, c, n) = at(&d);
                    diags.push(
                        Diagnostic::error(
                            path,
                            format!("direction `{}` is not `ltr` or `rtl`", d.value),
                        )
                        .at_line_col(&text, l, c, n),
                    );
                    "ltr".into()
                }
            };
            languages.push(Language {
                code,
                name: rl.name,
                dir,
            });
        }
        if languages.is_empty() {
            diags.push(
                Diagnostic::error(path, "no languages configured")
                    .hint("add `languages: [{ code: it, name: Italiano }]`"),
            );
            return None;
        }
        let default_code = raw.default_language.value.trim();
        let default_language = match languages.iter().position(|l| l.code == default_code) {
            Some(i) => i,
            None => {
                let (l, c, n) = at(&raw.default_language);
                diags.push(
                    Diagnostic::error(
                        path,
                        format!("default language `{default_code}` is not one of the languages"),
                    )
                    .at_line_col(&text, l, c, n)
                    .hint(format!(
                        "configured languages: {}",
                        languages
                            .iter()
                            .map(|l| l.code.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                return None;
            }
        };
        let base_url = raw.base_url.value.trim_end_matches('/').to_string();
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            ok = false;
            let (l, c, n) = at(&raw.base_url);
            diags.push(
                Diagnostic::error(
                    path,
                    format!("base_url `{base_url}` is not an absolute URL"),
                )
                .at_line_col(&text, l, c, n)
                .hint("write it like `https://example.org`"),
            );
        }
        let confirm_marker = match raw.confirm_marker {
            None => DEFAULT_CONFIRM_MARKER.to_string(),
            Some(m) if m.value.trim().is_empty() => {
                ok = false;
                let (l, c, _) = at(&m);
                diags.push(
                    Diagnostic::error(path, "confirm_marker is empty")
                        .at_line_col(&text, l, c, 1)
                        .hint(format!(
                            "write the text that marks a value the desk must confirm, or remove the key to use `{DEFAULT_CONFIRM_MARKER}`"
                        )),
                );
                String::new()
            }
            Some(m) => m.value.trim().to_string(),
        };
        for code in raw.title.keys() {
            if !languages.iter().any(|l| &l.code == code) {
                diags.push(Diagnostic::warning(
                    path,
                    format!("a title is given for `{code}`, which is not a configured language"),
                ));
            }
        }
        let default_title = raw
            .title
            .get(default_code)
            .cloned()
            .unwrap_or_else(|| "Sportello".into());
        let title = languages
            .iter()
            .map(|l| {
                raw.title
                    .get(&l.code)
                    .cloned()
                    .unwrap_or_else(|| default_title.clone())
            })
            .collect();
        let mut forms = BTreeMap::new();
        let mut form_kinds = Vec::new();
        for (name, setting) in raw.forms {
            match setting {
                crate::form::FormSetting::Path(p) => {
                    forms.insert(name, p);
                }
                crate::form::FormSetting::Kind(kind) => {
                    match crate::form::FormKind::checked(&name, kind, path, &text, diags) {
                        Some(kind) => {
                            forms.insert(name, kind.path.clone());
                            form_kinds.push(kind);
                        }
                        None => ok = false,
                    }
                }
            }
        }
        ok.then_some(SiteConfig {
            base_url,
            default_language,
            theme: raw.theme,
            title,
            languages,
            forms,
            form_kinds,
            menu: raw.menu,
            confirm_marker,
            stale_notice: raw.stale_notice,
            cms: raw.cms,
            extra: raw.extra,
        })
    }
}
