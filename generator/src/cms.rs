//! The configuration of the editors' interface (Sveltia CMS, served by
//! `sportello serve` at `/admin/`), generated from `site.yaml` and the
//! content folder so that it always says what the content contract says:
//! one collection per section, each front-matter key a field with our rules,
//! one file per language (`name.lang.md`), a section's `_index` files.
//!
//! Never written to disk: `serve` generates it at each request, so a new
//! section or language shows up without anyone editing a configuration.

use std::path::Path;

use serde_json::{Value, json};

use crate::config::{GitHost, SiteConfig};
use crate::load::naming;
use crate::{Error, yaml};

/// Where `serve` serves the interface, and the configuration under it.
pub const ADMIN_PATH: &str = "/admin/";
pub const CONFIG_PATH: &str = "/admin/config.yml";

/// The configuration as YAML. `content` is the content folder; `repo_root`
/// the folder the editor opens as "local repository" (the one holding
/// `.git`), which every path in the configuration is relative to.
pub fn config_yaml(content: &Path, repo_root: &Path, site: &SiteConfig) -> Result<String, Error> {
    let value = config(content, repo_root, site)?;
    yaml::to_string(&value).map_err(|e| Error::Render(format!("cms configuration: {}", e.message)))
}

/// The configuration as data (what [`config_yaml`] writes).
pub fn config(content: &Path, repo_root: &Path, site: &SiteConfig) -> Result<Value, Error> {
    let content = &std::fs::canonicalize(content).unwrap_or_else(|_| content.to_path_buf());
    let folder = relative(content, repo_root);
    let sections = sections(content)?;
    let mut collections = vec![json!({
        "name": "pages",
        "label": "Pages",
        "label_singular": "Page",
        "description": "The home page (index) and the pages at the top of the site.",
        "folder": folder,
        "path": "{{slug}}",
        "extension": "md",
        "format": "yaml-frontmatter",
        "i18n": true,
        "create": true,
        "fields": fields(),
    })];
    for dir in sections {
        collections.push(json!({
            "name": collection_name(&dir),
            "label": dir,
            "folder": join(&folder, &dir),
            "path": "{{slug}}",
            "extension": "md",
            "format": "yaml-frontmatter",
            "i18n": true,
            "create": true,
            // The section's own page: `_index.LANG.md`.
            "index_file": { "name": "_index", "label": "Section page" },
            "fields": fields(),
        }));
    }
    let default = site.default_code();
    // The default language first: Sveltia shows and validates it first.
    let mut locales = vec![default.to_string()];
    locales.extend(site.codes().filter(|c| *c != default).map(str::to_string));
    let mut backend = json!({
        "name": match site.cms.backend {
            GitHost::Github => "github",
            GitHost::Gitlab => "gitlab",
            GitHost::Gitea => "gitea",
        },
        // Without a repository on a host, only the local folder can be used
        // ("Work with Local Repository"); the placeholder says so.
        "repo": site.cms.repo.clone().unwrap_or_else(|| "owner/set-cms-repo-in-site-yaml".into()),
    });
    for (key, value) in [
        ("branch", &site.cms.branch),
        ("api_root", &site.cms.api_root),
        ("base_url", &site.cms.base_url),
    ] {
        if let Some(v) = value {
            backend[key] = json!(v);
        }
    }
    Ok(json!({
        "backend": backend,
        "app_title": site.title[site.default_language],
        "site_url": site.base_url,
        "media_folder": folder,
        "public_folder": "/",
        "slug": { "encoding": "ascii", "clean_accents": true },
        // Otherwise every save writes `date: ''`, `slug: ''`, `weight: null`
        // for the fields left empty, which the loader rightly refuses.
        "output": { "omit_empty_optional_fields": true },
        "i18n": {
            "structure": "multiple_files",
            "locales": locales,
            "default_locale": default,
            // A new page starts in the default language only: a missing
            // translation is shown as a fallback, an empty one would not be.
            "initial_locales": "default",
        },
        "collections": collections,
    }))
}

/// The fields of every page: the content contract's front matter, each with
/// its rule; `i18n: true` where each language has its own value,
/// `duplicate` where the original's value is copied to translations.
fn fields() -> Value {
    let date = |name: &str, label: &str, hint: &str| {
        json!({
            "name": name, "label": label, "widget": "datetime", "type": "date",
            "format": "YYYY-MM-DD", "required": false, "i18n": "duplicate", "hint": hint,
        })
    };
    json!([
        { "name": "title", "label": "Title", "widget": "string", "required": true, "i18n": true },
        { "name": "summary", "label": "Summary", "widget": "text", "required": false, "i18n": true,
          "hint": "One or two sentences: shown in lists and to search engines." },
        { "name": "weight", "label": "Order", "widget": "number", "value_type": "int",
          "required": false, "i18n": "duplicate",
          "hint": "Lower first within the section; then by date, then by title." },
        date("date", "Date", "For news: the day it was published."),
        date("updated", "Last reviewed", "Shown as \"last reviewed\"."),
        { "name": "draft", "label": "Draft (not published)", "widget": "boolean",
          "required": false, "i18n": true },
        { "name": "slug", "label": "Address (last part)", "widget": "string", "required": false,
          "i18n": true,
          "pattern": [url_segment_pattern(), "One word or words-with-dashes: no slash, no dot at the start, no space."],
          "hint": "Leave empty to use the file name." },
        { "name": "aliases", "label": "Old addresses", "widget": "list", "required": false,
          "i18n": true, "hint": "Old addresses of this site that should lead here, e.g. /it/old-page/." },
        { "name": "template", "label": "Template", "widget": "hidden", "i18n": "duplicate" },
        { "name": "translation_key", "label": "Translation key", "widget": "hidden", "i18n": "duplicate" },
        // Written empty by the interface in a new translation (`default`;
        // required, so kept while empty); `serve` fills in the original's
        // digest when the file is saved (see README). An original saved
        // from the interface carries it empty too, which means nothing there.
        { "name": "translated_from", "label": "Translated from", "widget": "hidden", "i18n": true,
          "default": "" },
        { "name": "extra", "label": "Extra", "widget": "hidden", "i18n": true },
        { "name": "body", "label": "Text", "widget": "markdown", "required": false, "i18n": true },
    ])
}

/// What the loader accepts as a slug, as a pattern the interface checks
/// while the editor types (the loader still checks it on save).
fn url_segment_pattern() -> &'static str {
    r"^[^/\\.\s][^/\\\s]*$"
}

/// The sections: folders at the top of the content folder that are pages'
/// folders (not `_data`, not hidden), sorted.
fn sections(content: &Path) -> Result<Vec<String>, Error> {
    let entries = std::fs::read_dir(content).map_err(|source| Error::File {
        path: content.to_path_buf(),
        source,
    })?;
    let mut dirs: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| !naming::is_ignored(name))
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// A collection name: letters, digits, `_` and `-` only (Sveltia uses it in
/// its own URLs).
fn collection_name(dir: &str) -> String {
    let name: String = dir
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("section-{name}")
}

/// `content` relative to `root`, with `/` separators; the content folder's
/// own name if it is not under `root`.
fn relative(content: &Path, root: &Path) -> String {
    let rel = content
        .strip_prefix(root)
        .unwrap_or_else(|_| content.file_name().map_or(Path::new("content"), Path::new));
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

fn join(folder: &str, dir: &str) -> String {
    if folder.is_empty() {
        dir.to_string()
    } else {
        format!("{folder}/{dir}")
    }
}

/// The folder the editor opens in the interface: the nearest folder above
/// `content` that holds `.git` (a folder, or a file in a git worktree), else
/// the folder above `content`.
pub fn repo_root(content: &Path) -> std::path::PathBuf {
    let content = std::fs::canonicalize(content).unwrap_or_else(|_| content.to_path_buf());
    content
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())
        .or_else(|| content.parent())
        .unwrap_or(&content)
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_repository() {
        assert_eq!(
            relative(Path::new("/r/site/content"), Path::new("/r")),
            "site/content"
        );
        assert_eq!(
            relative(Path::new("/x/content"), Path::new("/r")),
            "content"
        );
        assert_eq!(join("content", "guides"), "content/guides");
    }

    #[test]
    fn collection_names_are_plain() {
        assert_eq!(collection_name("guide e \"x\""), "section-guide_e__x_");
    }
}
