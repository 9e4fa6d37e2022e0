//! New pages and translations for editors (`sportello new`), and the
//! `translated_from` digest a translator brings up to date (`check
//! --fix-digests`).
//!
//! A page path comes from a person typing it, so it is checked like a slug:
//! it stays inside the content folder, names no hidden or special file and
//! carries no control or bidi-control character. Files are created with
//! `create_new`, so an existing page is never overwritten, not even by a race.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::Error;
use crate::config::SiteConfig;
use crate::diagnostic::Diagnostics;
use crate::load::frontmatter;
use crate::load::{naming, url_path};

/// Keys a translation must not copy from its original: its own URL, the
/// original's old URLs, and the bookkeeping written fresh below.
const NOT_COPIED: &[&str] = &["slug", "aliases", "translated_from", "draft"];

/// What `new` made.
#[derive(Debug)]
pub struct Created {
    pub path: PathBuf,
    /// The original a translation was made from.
    pub from: Option<PathBuf>,
}

/// Creates the `lang` version of `page` (`guides/my-page`, `guides/_index`,
/// `index`) under `content`; with `from`, as a translation of that language's
/// version: its front matter copied, `translated_from` set to the current
/// digest of the default-language original, its text kept to translate, and
/// `draft: true` until the translator removes it.
pub fn new_page(
    content: &Path,
    page: &str,
    lang: &str,
    from: Option<&str>,
    title: Option<&str>,
    today: Date,
) -> Result<Created, Error> {
    let mut diags = Diagnostics::default();
    let config =
        SiteConfig::load(&content.join("site.yaml"), &mut diags).ok_or(Error::Invalid(diags))?;
    let page = page_path(page)?;
    let known = |code: &str| {
        config
            .lang(code)
            .map(|_| ())
            .ok_or_else(|| Error::UnknownLanguage {
                code: code.to_string(),
                known: config.code_list(),
            })
    };
    known(lang)?;
    let default = config.default_code();
    if let Some(existing) = versions(content, &page, lang, default)
        .into_iter()
        .find(|p| p.exists())
    {
        return Err(Error::Exists { path: existing });
    }
    let path = content.join(format!("{page}.{lang}.md"));
    let (text, original) = match from {
        None => (fresh(content, &page, title, &config, today), None),
        Some(from) => {
            known(from)?;
            let original = find(content, &page, from, default)?;
            let source = read(&original)?;
            let reference = find(content, &page, default, default)?;
            let digest = crate::model::digest(&read(&reference)?);
            (translation(&source, &digest, title), Some(original))
        }
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::File {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => Error::Exists { path: path.clone() },
            _ => Error::File {
                path: path.clone(),
                source,
            },
        })?;
    file.write_all(text.as_bytes())
        .map_err(|source| Error::File {
            path: path.clone(),
            source,
        })?;
    Ok(Created {
        path,
        from: original,
    })
}

/// For `serve` and the editors' interface: if `path` (a file just saved
/// under `content`) is a translation whose front matter has an empty
/// `translated_from:` — what the interface writes in a translation it
/// creates — writes the original's current digest into it, and says so.
/// A translation with a digest, or without the key, is left alone: only
/// the translator says a translation is up to date (`check --fix-digests`).
pub fn fill_translated_from(
    content: &Path,
    path: &Path,
    default: &str,
) -> Result<Option<String>, Error> {
    let Ok(rel) = path.strip_prefix(content) else {
        return Ok(None);
    };
    let Some(stem) = rel.to_str().and_then(|r| r.strip_suffix(".md")) else {
        return Ok(None);
    };
    let name = naming::split_stem(stem);
    if name.lang.is_none_or(|l| l == default) {
        return Ok(None);
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    let Some(split) = frontmatter::split(&text) else {
        return Ok(None);
    };
    let empty = split.yaml.lines().any(|l| {
        l.strip_prefix("translated_from:")
            .is_some_and(|v| matches!(v.trim(), "" | "''" | "\"\"" | "~" | "null"))
    });
    if !empty || !name.name.split('/').all(|s| !s.is_empty() && s != "..") {
        return Ok(None);
    }
    let original = find(content, name.name, default, default)?;
    let digest = crate::model::digest(&read(&original)?);
    set_translated_from(path, &digest)?;
    Ok(Some(digest))
}

/// Writes `digest` into the `translated_from` of the page at `path`,
/// replacing the value it had or adding the key; the rest of the file is
/// kept byte for byte.
pub fn set_translated_from(path: &Path, digest: &str) -> Result<(), Error> {
    let text = read(path)?;
    let Some(split) = frontmatter::split(&text) else {
        return Err(Error::PagePath {
            page: path.display().to_string(),
            why: "it has no front matter",
        });
    };
    // `split.yaml` borrows from `text`: its offset is where the YAML starts.
    let yaml_start = split.yaml.as_ptr() as usize - text.as_ptr() as usize;
    let line = format!("translated_from: \"{digest}\"");
    let mut yaml = String::with_capacity(split.yaml.len() + line.len() + 1);
    let mut replaced = false;
    for l in split.yaml.split_inclusive('\n') {
        if !replaced && l.starts_with("translated_from:") {
            yaml.push_str(&line);
            yaml.push_str(if l.ends_with("\r\n") { "\r\n" } else { "\n" });
            replaced = true;
        } else {
            yaml.push_str(l);
        }
    }
    if !replaced {
        yaml.push_str(&line);
        yaml.push('\n');
    }
    let mut out = String::with_capacity(text.len() + line.len());
    out.push_str(&text[..yaml_start]);
    out.push_str(&yaml);
    out.push_str(&text[yaml_start + split.yaml.len()..]);
    // A temporary file beside it and a rename: the page is never half written.
    let tmp = path.with_extension("md.sportello-tmp");
    std::fs::write(&tmp, out)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|source| {
            let _ = std::fs::remove_file(&tmp);
            Error::File {
                path: path.to_path_buf(),
                source,
            }
        })
}

/// `guides/my-page` as typed (a leading `/` and a trailing `.md` allowed),
/// checked to stay a plain path inside the content folder.
fn page_path(typed: &str) -> Result<String, Error> {
    let bad = |why| Error::PagePath {
        page: typed.to_string(),
        why,
    };
    let trimmed = typed.trim();
    let trimmed = trimmed.strip_prefix('/').unwrap_or(trimmed);
    let trimmed = trimmed.strip_suffix(".md").unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Err(bad("it is empty"));
    }
    if trimmed.contains('\\') {
        return Err(bad("use `/` between folders, not `\\`"));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() || url_path::is_bidi_control(c))
    {
        return Err(bad("it contains an invisible control character"));
    }
    let segments: Vec<&str> = trimmed.split('/').collect();
    for (i, s) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        if s.is_empty() {
            return Err(bad("it has an empty folder name (`//`)"));
        }
        if *s == "." || *s == ".." {
            return Err(bad(
                "`.` and `..` are not allowed: give the path from the content folder",
            ));
        }
        if s.starts_with('.') || (s.starts_with('_') && !(last && *s == "_index")) {
            return Err(bad("names starting with `.` or `_` are not pages"));
        }
    }
    let name = segments[segments.len() - 1];
    if naming::split_stem(name).lang.is_some() {
        return Err(bad(
            "it ends with a language suffix: give the language with --lang",
        ));
    }
    if name == "index" && segments.len() > 1 {
        return Err(bad(
            "a folder's own page is `FOLDER/_index`; `index` is the home page",
        ));
    }
    Ok(trimmed.to_string())
}

/// The files that would be `page` in `lang`.
fn versions(content: &Path, page: &str, lang: &str, default: &str) -> Vec<PathBuf> {
    let mut v = vec![content.join(format!("{page}.{lang}.md"))];
    if lang == default {
        v.push(content.join(format!("{page}.md")));
    }
    v
}

fn find(content: &Path, page: &str, lang: &str, default: &str) -> Result<PathBuf, Error> {
    let candidates = versions(content, page, lang, default);
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| Error::NoOriginal {
            page: page.to_string(),
            lang: lang.to_string(),
            tried: candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::File {
        path: path.to_path_buf(),
        source,
    })
}

/// A new page: its title, an empty summary to fill, the weight after its
/// siblings' (pages of a section are ordered by it), and today's date.
fn fresh(
    content: &Path,
    page: &str,
    title: Option<&str>,
    config: &SiteConfig,
    today: Date,
) -> String {
    let (folder, name) = page.rsplit_once('/').unwrap_or(("", page));
    let title = match title {
        Some(t) => t.trim().to_string(),
        None if name == "index" => config.title[config.default_language].clone(),
        None if name == "_index" => humanize(folder.rsplit('/').next().unwrap_or(folder)),
        None => humanize(name),
    };
    let mut out = format!("---\ntitle: {}\n", quoted(&title));
    out.push_str("summary: \"\"   # one or two sentences, shown in lists and to search engines\n");
    if name != "index" && name != "_index" {
        // Last among its siblings, in the editors' own numbering.
        let weight = max_weight(&content.join(folder)).map_or(1, |w| w + 1);
        out.push_str(&format!("weight: {weight}\n"));
    }
    out.push_str(&format!("date: {today}\n---\n\n"));
    out
}

/// The original's front matter without [`NOT_COPIED`] keys, then the
/// digest and `draft: true`; the original's text below, to translate.
fn translation(source: &str, digest: &str, title: Option<&str>) -> String {
    let (yaml, body) = match frontmatter::split(source) {
        Some(s) => (s.yaml, &source[s.body_start..]),
        None => ("", source),
    };
    let mut out = String::from("---\n");
    let mut skipping = false;
    for line in yaml.lines() {
        let top_level = !line.starts_with([' ', '\t', '-']) && !line.trim().is_empty();
        if top_level {
            let key = line.split(':').next().unwrap_or("").trim();
            skipping = NOT_COPIED.contains(&key) || (title.is_some() && key == "title");
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    if let Some(t) = title {
        out.push_str(&format!("title: {}\n", quoted(t.trim())));
    }
    out.push_str(&format!(
        "translated_from: \"{digest}\"\ndraft: true   # remove this line once the text below is translated\n---\n"
    ));
    out.push_str(body);
    out
}

fn max_weight(folder: &Path) -> Option<i64> {
    let entries = std::fs::read_dir(folder).ok()?;
    entries
        .flatten()
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.ends_with(".md") && !naming::is_ignored(&n) && !n.starts_with("_index")
        })
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            let (front, _, _) = frontmatter::parse(&e.path().display().to_string(), &text);
            front?.weight
        })
        .max()
}

fn humanize(name: &str) -> String {
    let spaced = name.replace(['-', '_'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A YAML double-quoted scalar (JSON's string syntax is valid YAML).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths_stay_inside_content() {
        assert_eq!(page_path("/guides/my-page.md").unwrap(), "guides/my-page");
        assert_eq!(page_path("guides/_index").unwrap(), "guides/_index");
        for bad in [
            "",
            "../etc/passwd",
            "guides/../../x",
            "a//b",
            "a\\b",
            ".hidden",
            "_data/desks",
            "guides/page.ar",
            "guides/index",
            "x\u{202E}gpj",
            "x\ny",
        ] {
            assert!(page_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn translation_drops_per_language_keys_and_records_digest() {
        let src = "---\ntitle: Ciao\nslug: ciao\naliases:\n  - /old/\ntranslated_from: x\nweight: 3\nextra:\n  a: 1\n---\nTesto\n";
        let t = translation(src, "0123456789ab", None);
        assert_eq!(
            t,
            "---\ntitle: Ciao\nweight: 3\nextra:\n  a: 1\ntranslated_from: \"0123456789ab\"\ndraft: true   # remove this line once the text below is translated\n---\nTesto\n"
        );
    }

    #[test]
    fn humanized_titles() {
        assert_eq!(humanize("found-an-association"), "Found an association");
        assert_eq!(humanize("статут"), "Статут");
    }
}
