//! The translation report of `sportello check`: per language, the pages that
//! have no translation yet and the translations whose original changed since.

use std::fmt::Write as _;

use crate::diagnostic::Diagnostic;
use crate::model::Site;

/// One warning naming the pages that tell readers nothing of their
/// freshness: every page shows "last reviewed" with its `updated` date, else
/// its `date`, and one with neither shows no date. One warning, not one per
/// page, so a site written before dates mattered is not buried in them.
pub fn unreviewed(site: &Site, content: &std::path::Path) -> Option<Diagnostic> {
    let mut files: Vec<&str> = site
        .pages
        .iter()
        .filter(|p| p.front.updated.is_none() && p.front.date.is_none())
        .map(|p| p.path.as_str())
        .collect();
    if files.is_empty() {
        return None;
    }
    files.sort_unstable();
    const SHOWN: usize = 8;
    let more = files.len().saturating_sub(SHOWN);
    Some(
        Diagnostic::warning(
            content,
            format!(
                "{} page(s) with no `updated` or `date`, so readers are not told when they were last reviewed: {}{}",
                files.len(),
                files[..files.len().min(SHOWN)].join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() }
            ),
        )
        .hint("add `updated: YYYY-MM-DD` to each one's front matter: the day its text was last checked"),
    )
}

#[derive(Debug, Clone, Default)]
pub struct LanguageReport {
    pub code: String,
    /// (page key, the original's file)
    pub missing: Vec<(String, String)>,
    /// (translation's file, its `translated_from`, the original's current digest)
    pub stale: Vec<(String, Option<String>, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct TranslationReport {
    pub default: String,
    pub languages: Vec<LanguageReport>,
}

impl TranslationReport {
    pub fn new(site: &Site) -> Self {
        let default = site.default_lang();
        let mut languages: Vec<LanguageReport> = site
            .config
            .languages
            .iter()
            .map(|l| LanguageReport {
                code: l.code.clone(),
                ..Default::default()
            })
            .collect();
        for (lang, groups) in site.missing_translations() {
            for gid in groups {
                let g = &site.groups[gid];
                let original = site.page(g.source(lang, default).0);
                languages[lang]
                    .missing
                    .push((g.key.clone(), original.path.clone()));
            }
        }
        for (pid, current) in site.stale_translations() {
            let p = site.page(pid);
            languages[p.lang].stale.push((
                p.path.clone(),
                p.front.translated_from.clone(),
                current,
            ));
        }
        languages.remove(default);
        for l in &mut languages {
            l.missing.sort();
            l.stale.sort();
        }
        TranslationReport {
            default: site.config.default_code().to_string(),
            languages,
        }
    }

    pub fn missing(&self) -> usize {
        self.languages.iter().map(|l| l.missing.len()).sum()
    }

    pub fn stale(&self) -> usize {
        self.languages.iter().map(|l| l.stale.len()).sum()
    }

    pub fn render(&self) -> String {
        let mut out = format!(
            "translations (from `{}`): {} missing, {} stale\n",
            self.default,
            self.missing(),
            self.stale()
        );
        for l in &self.languages {
            let _ = writeln!(
                out,
                "  {}: {} missing, {} stale",
                l.code,
                l.missing.len(),
                l.stale.len()
            );
            for (key, original) in &l.missing {
                let _ = writeln!(out, "    missing  {key}  (original: {original})");
            }
            for (file, was, now) in &l.stale {
                let was = was.as_deref().unwrap_or("none");
                let _ = writeln!(
                    out,
                    "    stale    {file}  (translated_from: {was}; the original is now `translated_from: {now}`)"
                );
            }
        }
        out
    }
}
