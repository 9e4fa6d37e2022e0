//! The theme: Tera templates compiled once, interface strings per language,
//! and static files published under content-hashed names.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tera::Tera;
use walkdir::WalkDir;

use crate::config::SiteConfig;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::yaml;

/// Templates a theme must have; others (`guide`, `desks`, `contact`…) are
/// needed only when a page asks for them.
pub const REQUIRED_TEMPLATES: &[&str] = &["home", "section", "page", "404"];

/// Templates built into the generator, as Zola does: a theme overrides one
/// by having a file of the same name in `templates/`. Every site-wide file
/// made from page data (redirects, sitemap, robots, the language chooser)
/// goes through a template, so what an editor wrote is escaped on the way.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("alias.html", include_str!("../templates/alias.html")),
    (
        "languages.html",
        include_str!("../templates/languages.html"),
    ),
    ("sitemap.xml", include_str!("../templates/sitemap.xml")),
    (
        "sitemap-index.xml",
        include_str!("../templates/sitemap-index.xml"),
    ),
    ("robots.txt", include_str!("../templates/robots.txt")),
];

/// Template name → (file, source).
pub type TemplateSources = HashMap<String, (PathBuf, Arc<str>)>;

pub struct Theme {
    pub dir: PathBuf,
    pub tera: Tera,
    /// Template name → (file, source), to locate template errors.
    pub sources: TemplateSources,
    /// Interface strings per language, the default language filling gaps.
    pub strings: Vec<serde_json::Value>,
    pub static_files: Vec<StaticFile>,
}

/// A file of `static/`, published as `/assets/<name>.<hash>.<ext>` (CSS, JS)
/// or `/assets/<name>` (others).
#[derive(Debug, Clone)]
pub struct StaticFile {
    pub source: PathBuf,
    /// `style.css`
    pub name: String,
    /// `/assets/style.1a2b3c4d.css`
    pub url: String,
    /// What is published instead of the file's own bytes: a stylesheet
    /// without its comments and spaces (its hash is of these bytes).
    pub published: Option<Vec<u8>>,
}

impl Theme {
    pub fn load(themes: &Path, config: &SiteConfig, diags: &mut Diagnostics) -> Option<Theme> {
        let dir = themes.join(&config.theme);
        if !dir.is_dir() {
            diags.push(
                Diagnostic::error(&dir, format!("theme `{}` not found", config.theme)).hint(
                    format!(
                        "`theme:` in site.yaml names a folder under {}",
                        themes.display()
                    ),
                ),
            );
            return None;
        }
        let (tera, sources) = load_templates(&dir.join("templates"), diags)?;
        let strings = load_strings(&dir.join("i18n"), config, diags);
        let static_files = load_static(&dir.join("static"), diags);
        let theme = Theme {
            dir,
            tera,
            sources,
            strings,
            static_files,
        };
        for t in REQUIRED_TEMPLATES {
            if !theme.has_template(t) {
                diags.push(
                    Diagnostic::error(
                        theme.dir.join("templates"),
                        format!("the theme has no `{t}.html` template"),
                    )
                    .hint(format!(
                        "every theme needs: {}",
                        REQUIRED_TEMPLATES.join(", ")
                    )),
                );
            }
        }
        Some(theme)
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.tera.contains_template(&format!("{name}.html"))
    }

    pub fn template_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .sources
            .keys()
            .filter(|n| !n.starts_with("partials/") && !BUILT_IN.iter().any(|(b, _)| b == n))
            .filter_map(|n| n.strip_suffix(".html").map(str::to_string))
            .collect();
        v.sort();
        v
    }

    /// `asset` URL of a static file by name.
    pub fn asset_urls(&self) -> HashMap<String, String> {
        self.static_files
            .iter()
            .map(|f| (f.name.clone(), f.url.clone()))
            .collect()
    }

    /// A Tera error as an editor diagnostic pointing into the template.
    pub fn diagnostic(&self, err: &tera::Error, context: &str) -> Diagnostic {
        let report = match err.kind() {
            tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
            _ => None,
        };
        let message = |m: &str| format!("template error: {m}");
        match report.and_then(|r| self.sources.get(r.filename()).map(|s| (r, s))) {
            Some((r, (path, source))) => Diagnostic::error(path, message(r.message()))
                .at(source, r.span().range.clone())
                .label("here")
                .context(context),
            None => Diagnostic::error(self.dir.join("templates"), message(&err.to_string()))
                .context(context),
        }
    }
}

fn load_templates(dir: &Path, diags: &mut Diagnostics) -> Option<(Tera, TemplateSources)> {
    let mut sources = HashMap::new();
    for (path, name) in files_under(dir) {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                sources.insert(name, (path, Arc::<str>::from(text)));
            }
            Err(e) => diags.push(Diagnostic::error(
                &path,
                format!("cannot read template: {e}"),
            )),
        }
    }
    for (name, text) in BUILT_IN {
        if !sources.contains_key(*name) {
            let shown = PathBuf::from(format!("(built into sportello) templates/{name}"));
            sources.insert(name.to_string(), (shown, Arc::<str>::from(*text)));
        }
    }
    let mut tera = Tera::new();
    // robots.txt is plain text: HTML escapes would be wrong there, and it
    // holds only the site's own base URL.
    tera.autoescape_on(vec![".html", ".xml"]);
    declare_site_functions(&mut tera);
    // Templates are added one by one first, so that each syntax error is reported on its own.
    let mut ok = true;
    for (name, (path, text)) in &sources {
        let mut probe = Tera::new();
        declare_site_functions(&mut probe);
        if let Err(e) = probe.add_raw_template(name, text)
            && let tera::ErrorKind::SyntaxError(r) = e.kind()
        {
            ok = false;
            diags.push(
                Diagnostic::error(path, format!("template syntax error: {}", r.message()))
                    .at(text, r.span().range.clone())
                    .label("here"),
            );
        }
    }
    if !ok {
        return None;
    }
    let all: Vec<(&str, &str)> = sources
        .iter()
        .map(|(n, (_, t))| (n.as_str(), t.as_ref()))
        .collect();
    if let Err(e) = tera.add_raw_templates(all) {
        let located = match e.kind() {
            tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => sources
                .get(r.filename())
                .map(|(path, text)| {
                    Diagnostic::error(path, format!("template error: {}", r.message()))
                        .at(text, r.span().range.clone())
                        .label("here")
                })
                .into_iter()
                .collect(),
            _ => reported_errors(&e.to_string(), &sources),
        };
        if located.is_empty() {
            diags.push(Diagnostic::error(
                dir,
                format!("templates do not fit together: {e}"),
            ));
        }
        diags.extend(located);
        return None;
    }
    Some((tera, sources))
}

/// Tera reports cross-template checks (unknown filters, functions, blocks)
/// as one pre-rendered text: "error: MSG\n --> NAME:LINE:COL …" per problem.
fn reported_errors(text: &str, sources: &TemplateSources) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut message = None;
    for line in text.lines() {
        if let Some(m) = line.trim_start().strip_prefix("error: ") {
            message = Some(m.to_string());
        } else if let Some(loc) = line.trim_start().strip_prefix("--> ") {
            let mut parts = loc.rsplitn(3, ':');
            let (col, line_no, name) = (parts.next(), parts.next(), parts.next());
            if let (Some(col), Some(line_no), Some(name), Some(msg)) =
                (col, line_no, name, message.take())
                && let (Ok(l), Ok(c), Some((path, src))) =
                    (line_no.parse(), col.parse(), sources.get(name))
            {
                out.push(
                    Diagnostic::error(path, format!("template error: {msg}"))
                        .at_line_col(src, l, c, 1)
                        .label("here"),
                );
            }
        }
    }
    out
}

/// Tera checks at compile time that called functions exist; the real
/// `url_for`, `asset` and `page_exists` need the site model, so they replace
/// these later.
pub const SITE_FUNCTIONS: &[&str] = &["url_for", "asset"];

fn declare_site_functions(tera: &mut Tera) {
    for name in SITE_FUNCTIONS {
        tera.register_function(
            *name,
            |_: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
                Err(tera::Error::message("called before the site was loaded"))
            },
        );
    }
    tera.register_function(
        "page_exists",
        |_: tera::Kwargs, _: &tera::State| -> tera::TeraResult<bool> {
            Err(tera::Error::message("called before the site was loaded"))
        },
    );
    // `plural` needs no site: it is the real one from the start.
    crate::plural::register(tera);
}

/// Interface strings: `i18n/<code>.yaml`, nested maps of text. A key missing
/// in a language falls back to the default language and is reported.
fn load_strings(
    dir: &Path,
    config: &SiteConfig,
    diags: &mut Diagnostics,
) -> Vec<serde_json::Value> {
    let mut per_lang: Vec<Option<serde_json::Value>> = Vec::new();
    for lang in &config.languages {
        let path = dir.join(format!("{}.yaml", lang.code));
        let parsed = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let text: Arc<str> = text.into();
                match yaml::from_str::<serde_json::Value>(&text) {
                    Ok(v) if v.is_object() => {
                        check_plurals(&path, &text, &lang.code, &v, diags);
                        Some(v)
                    }
                    Ok(_) => {
                        diags.push(Diagnostic::error(
                            &path,
                            "interface strings must be a mapping of keys to texts",
                        ));
                        None
                    }
                    Err(e) => {
                        diags.push(
                            Diagnostic::error(
                                &path,
                                format!("invalid interface strings: {}", e.message),
                            )
                            .at_line_col(&text, e.line, e.column, 1),
                        );
                        None
                    }
                }
            }
            Err(_) => {
                diags.push(
                    Diagnostic::warning(&path, format!("no interface strings for `{}`", lang.code))
                        .hint("the default language's strings are used; translate them into this file"),
                );
                None
            }
        };
        per_lang.push(parsed);
    }
    let default = config.default_language;
    let base = per_lang[default]
        .clone()
        .unwrap_or_else(|| serde_json::json!({}));
    let mut base_keys = BTreeMap::new();
    flatten("", &base, &mut base_keys);
    let mut out = Vec::new();
    for (i, strings) in per_lang.into_iter().enumerate() {
        let Some(strings) = strings else {
            out.push(base.clone());
            continue;
        };
        if i != default {
            let mut keys = BTreeMap::new();
            flatten("", &strings, &mut keys);
            let missing: Vec<&String> = base_keys
                .keys()
                .filter(|k| !keys.contains_key(*k))
                .collect();
            if !missing.is_empty() {
                let path = dir.join(format!("{}.yaml", config.languages[i].code));
                let shown: Vec<&str> = missing.iter().take(8).map(|s| s.as_str()).collect();
                diags.push(
                    Diagnostic::warning(
                        &path,
                        format!(
                            "{} interface string(s) missing: {}{}",
                            missing.len(),
                            shown.join(", "),
                            if missing.len() > 8 { ", …" } else { "" }
                        ),
                    )
                    .hint(format!(
                        "the {} text is shown until they are translated",
                        config.default_code()
                    )),
                );
            }
        }
        let mut merged = base.clone();
        merge(&mut merged, strings);
        out.push(merged);
    }
    out
}

/// Warns, at the string's line, about each plural string of `lang` that
/// lacks a form the language's rules need (Ukrainian `few`, Arabic `two`…).
fn check_plurals(
    path: &Path,
    text: &str,
    lang: &str,
    strings: &serde_json::Value,
    diags: &mut Diagnostics,
) {
    let mut found = Vec::new();
    plural_strings(&mut Vec::new(), strings, &mut found);
    for (key, forms) in found {
        let missing = crate::plural::missing(lang, forms);
        if missing.is_empty() {
            continue;
        }
        let mut d = Diagnostic::warning(
            path,
            format!(
                "`{}` lacks the plural form{} {} that `{lang}` needs",
                key.join("."),
                if missing.len() == 1 { "" } else { "s" },
                missing
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .hint(format!(
            "`{lang}` uses the forms {}; until the missing ones are written, `other` is shown",
            crate::plural::needed(lang).join(", ")
        ));
        if let Some(line) = crate::yaml::key_line(text, &key) {
            let len = key.last().map_or(1, |k| k.len());
            let col = text
                .lines()
                .nth(line - 1)
                .map_or(1, |l| l.len() - l.trim_start().len() + 1);
            d = d.at_line_col(text, line, col, len).label("plural forms");
        }
        diags.push(d);
    }
}

/// Every map of plural forms in `v`, with its key path.
fn plural_strings<'a>(
    prefix: &mut Vec<&'a str>,
    v: &'a serde_json::Value,
    out: &mut Vec<(Vec<&'a str>, &'a serde_json::Value)>,
) {
    if crate::plural::is_forms(v) {
        out.push((prefix.clone(), v));
    } else if let serde_json::Value::Object(m) = v {
        for (k, v) in m {
            prefix.push(k);
            plural_strings(prefix, v, out);
            prefix.pop();
        }
    }
}

/// Every key path of a string. A map of plural forms is one string: each
/// language has the forms its own rules need, not the default language's.
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, ()>) {
    match v {
        serde_json::Value::Object(m) if !crate::plural::is_forms(v) => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        _ => {
            out.insert(prefix.to_string(), ());
        }
    }
}

/// `over`'s strings over `base`'s. A map of plural forms replaces the other
/// whole: mixing two languages' forms would pick another language's text.
fn merge(base: &mut serde_json::Value, over: serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(b), serde_json::Value::Object(o))
            if !crate::plural::is_forms_map(&o) =>
        {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Every file under `dir`, sorted, with its `/`-separated name relative to `dir`.
fn files_under(dir: &Path) -> Vec<(PathBuf, String)> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let name = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            Some((e.into_path(), name))
        })
        .collect()
}

fn load_static(dir: &Path, diags: &mut Diagnostics) -> Vec<StaticFile> {
    let mut out = Vec::new();
    for (path, name) in files_under(dir) {
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                diags.push(Diagnostic::error(&path, format!("cannot read: {e}")));
                continue;
            }
        };
        let published = name
            .ends_with(".css")
            .then(|| minified_css(&bytes))
            .flatten();
        let url = fingerprinted(&name, published.as_deref().unwrap_or(&bytes));
        out.push(StaticFile {
            source: path,
            name,
            url,
            published,
        });
    }
    out
}

/// A stylesheet as readers download it: the theme's comments (written for
/// whoever edits the theme) and spaces left out. A stylesheet the minifier
/// cannot read is published as it is.
fn minified_css(bytes: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok()?;
    minifier::css::minify(text)
        .ok()
        .map(|m| m.to_string().into_bytes())
}

/// CSS and JS get their content hash in the name, so they can be cached forever.
fn fingerprinted(name: &str, bytes: &[u8]) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if ext == "css" || ext == "js" => {
            let hash = Sha256::digest(bytes);
            let short: String = hash.iter().take(4).map(|b| format!("{b:02x}")).collect();
            format!("/assets/{stem}.{short}.{ext}")
        }
        _ => format!("/assets/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page-weight budget counts the stylesheet: readers get it without
    /// the theme's comments and spaces, its strings intact, named by the hash
    /// of what they get.
    #[test]
    fn stylesheet_is_published_without_comments_and_named_by_what_is_published() {
        let dir = tempfile::tempdir().unwrap();
        let css = "/* why this rule */\na::after {\n  content: \" (\" attr(href) \")\";\n}\n@media (min-width: 30rem) { p { margin: 0 } }\n";
        std::fs::write(dir.path().join("style.css"), css).unwrap();
        let mut diags = Diagnostics::default();
        let files = load_static(dir.path(), &mut diags);
        let published = String::from_utf8(files[0].published.clone().unwrap()).unwrap();
        assert!(!published.contains("why this rule"), "{published}");
        assert!(
            published.contains(r#"content:" (" attr(href) ")""#),
            "{published}"
        );
        assert!(
            published.contains("@media (min-width:30rem)"),
            "{published}"
        );
        assert!(published.len() < css.len());
        assert_eq!(
            files[0].url,
            fingerprinted("style.css", published.as_bytes())
        );
    }

    #[test]
    fn css_names_carry_their_hash() {
        let a = fingerprinted("style.css", b"a{}");
        let b = fingerprinted("style.css", b"b{}");
        assert!(a.starts_with("/assets/style.") && a.ends_with(".css"));
        assert_ne!(a, b);
        assert_eq!(fingerprinted("logo.svg", b"x"), "/assets/logo.svg");
    }

    #[test]
    fn a_plural_string_is_replaced_whole_not_mixed_with_the_defaults_forms() {
        let mut base = serde_json::json!({"wait": {"one": "1 secondo", "many": "di secondi", "other": "secondi"}});
        merge(
            &mut base,
            serde_json::json!({"wait": {"one": "1 second", "other": "seconds"}}),
        );
        assert_eq!(
            base["wait"],
            serde_json::json!({"one": "1 second", "other": "seconds"})
        );
    }

    #[test]
    fn merge_keeps_default_where_missing() {
        let mut base = serde_json::json!({"nav": {"home": "Home", "skip": "Skip"}});
        merge(&mut base, serde_json::json!({"nav": {"home": "Casa"}}));
        assert_eq!(base["nav"]["home"], "Casa");
        assert_eq!(base["nav"]["skip"], "Skip");
    }
}
