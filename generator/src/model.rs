//! Model: the immutable site that rendering reads, built once from what was
//! loaded.
//!
//! Files become translation groups (one page in every language: the real
//! translations plus fallbacks), groups hang in sections, and every group gets
//! its URL in every language up front. Links, section lists and language
//! switchers are then lookups in indexes built here, never scans over all
//! pages.

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest, Sha256};

use crate::config::{LangId, SiteConfig};
use crate::data::Desk;
use crate::data::associations::Association;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::{self, Asset, Loaded, SourcePage};

pub type PageId = usize;
pub type GroupId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Home,
    Section,
    Page,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Home => "home",
            Kind::Section => "section",
            Kind::Page => "page",
        }
    }
}

/// One page in every language.
#[derive(Debug)]
pub struct Group {
    pub key: String,
    pub kind: Kind,
    /// Folder of the files; for a section, the section's own folder.
    pub dir: String,
    /// The file of each language, where there is one.
    pub members: Vec<Option<PageId>>,
    /// The section this group is listed in.
    pub parent: Option<GroupId>,
    /// For sections and home: direct children, sorted per language (weight,
    /// then date, newest first, then title).
    pub children: Vec<Vec<GroupId>>,
    /// Site path per language: `/it/guides/found/`.
    pub urls: Vec<String>,
}

impl Group {
    /// The file shown in `lang`: its translation, or the fallback and `true`.
    /// The one place where a fallback page is decided (with
    /// [`Group::is_translated`]): rendering, navigation, switchers, the
    /// sitemap, the summary and the translation report all ask here.
    pub fn source(&self, lang: LangId, default: LangId) -> (PageId, bool) {
        if let Some(p) = self.members[lang] {
            return (p, false);
        }
        let p = self.members[default]
            .or_else(|| self.members.iter().flatten().next().copied())
            .expect("a group has at least one file");
        (p, true)
    }

    pub fn is_translated(&self, lang: LangId) -> bool {
        self.members[lang].is_some()
    }
}

/// The directory's pages, where the site has them.
#[derive(Debug, Default, Clone, Copy)]
pub struct Directory {
    pub by_sector: Option<GroupId>,
    pub by_city: Option<GroupId>,
}

/// An association's page: one segment, its id, under the directory.
fn association_url(directory: &Group, id: &str, lang: LangId) -> String {
    format!("{}{id}/", directory.urls[lang])
}

/// The whole site, immutable once built; shared by reference while rendering.
pub struct Site {
    pub config: SiteConfig,
    pub desks: Vec<Desk>,
    /// The directory's entries, sorted by name.
    pub associations: Vec<Association>,
    /// The directory's pages (templates `directory` and `directory_city`);
    /// each association's page hangs under the first.
    pub directory: Directory,
    pub pages: Vec<SourcePage>,
    pub groups: Vec<Group>,
    pub assets: Vec<Asset>,
    /// `dir/name` of every file (and every file's translation_key group) → its group.
    pub by_key: HashMap<String, GroupId>,
    /// Asset path relative to content → index in `assets`.
    pub asset_index: HashMap<String, usize>,
    pub home: Option<GroupId>,
}

/// Digest of a default-language source that a translation records in
/// `translated_from`: the first 12 hex digits of the SHA-256 of the file, with
/// line endings normalised (so `sha256sum FILE | cut -c1-12` gives it too).
pub fn digest(text: &str) -> String {
    let mut h = Sha256::new();
    if text.contains('\r') {
        h.update(text.replace("\r\n", "\n").as_bytes());
    } else {
        h.update(text.as_bytes());
    }
    let out = h.finalize();
    out.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

impl Site {
    pub fn page(&self, id: PageId) -> &SourcePage {
        &self.pages[id]
    }

    pub fn default_lang(&self) -> LangId {
        self.config.default_language
    }

    /// The URL of the page with source key `key` (`contact/_index`) in the
    /// language `code`, its localised slugs applied.
    pub fn url_of(&self, key: &str, code: &str) -> Option<&str> {
        let gid = *self.by_key.get(key)?;
        let lang = self.config.lang(code)?;
        self.groups[gid].urls.get(lang).map(String::as_str)
    }

    /// Builds the model; mistakes (duplicate URLs, conflicting keys…) go to `diags`.
    pub fn build(
        config: SiteConfig,
        desks: Vec<Desk>,
        mut associations: Vec<Association>,
        loaded: Loaded,
        include_drafts: bool,
        diags: &mut Diagnostics,
    ) -> Site {
        let nlang = config.languages.len();
        let default = config.default_language;
        let pages: Vec<SourcePage> = loaded
            .pages
            .into_iter()
            .filter(|p| include_drafts || !p.front.draft)
            .collect();

        // A file's translation key comes from itself or from a sibling with the same name.
        let mut key_of_name: HashMap<String, (String, PageId)> = HashMap::new();
        for (id, p) in pages.iter().enumerate() {
            let Some(tk) = &p.front.translation_key else {
                continue;
            };
            match key_of_name.get(p.key()) {
                Some((other, oid)) if other != tk => diags.push(
                    Diagnostic::error(
                        &p.path,
                        format!("translation_key `{tk}` differs from `{other}` in {}", pages[*oid].path),
                    )
                    .at_line_col(p.text(), p.front.lines.get("translation_key").copied().unwrap_or(1), 1, 1)
                    .hint("files with the same name are translations of one page: give them the same key, or none"),
                ),
                _ => {
                    key_of_name.insert(p.key().to_string(), (tk.clone(), id));
                }
            }
        }
        let group_name = |p: &SourcePage| -> String {
            match key_of_name.get(p.key()) {
                Some((tk, _)) => format!("key:{tk}"),
                None => format!("path:{}", p.key()),
            }
        };

        let mut groups: Vec<Group> = Vec::new();
        let mut group_of: HashMap<String, GroupId> = HashMap::new();
        let mut by_key: HashMap<String, GroupId> = HashMap::new();
        // Default-language files first, so a group's key and kind come from its original.
        let mut order: Vec<PageId> = (0..pages.len()).collect();
        order.sort_by_key(|&i| (pages[i].lang != default, pages[i].lang, pages[i].key()));
        for id in order {
            let p = &pages[id];
            let gname = group_name(p);
            let kind = if p.is_home() {
                Kind::Home
            } else if p.is_section() {
                Kind::Section
            } else {
                Kind::Page
            };
            let gid = *group_of.entry(gname).or_insert_with(|| {
                groups.push(Group {
                    key: p.key().to_string(),
                    kind,
                    dir: p.dir.clone(),
                    members: vec![None; nlang],
                    parent: None,
                    children: vec![Vec::new(); nlang],
                    urls: Vec::new(),
                });
                groups.len() - 1
            });
            let g = &mut groups[gid];
            if g.kind != kind {
                diags.push(
                    Diagnostic::error(
                        &p.path,
                        format!(
                            "this file's translation_key joins it to `{}`, a page of another kind",
                            g.key
                        ),
                    )
                    .hint("a section's `_index` can only be translated by another `_index`"),
                );
                continue;
            }
            if let Some(other) = g.members[p.lang] {
                diags.push(
                    Diagnostic::error(
                        &p.path,
                        format!(
                            "two files are the same page in `{}`: this one and {}",
                            config.languages[p.lang].code, pages[other].path
                        ),
                    )
                    .hint("a file without a language suffix is in the default language; keep one of the two"),
                );
                continue;
            }
            g.members[p.lang] = Some(id);
            by_key.insert(p.key().to_string(), gid);
        }

        let asset_index = loaded
            .assets
            .iter()
            .enumerate()
            .map(|(i, a)| (a.rel.clone(), i))
            .collect();

        associations.sort_by(|a, b| {
            (a.name.value.to_lowercase(), &a.id.value)
                .cmp(&(b.name.value.to_lowercase(), &b.id.value))
        });
        let mut site = Site {
            config,
            desks,
            associations,
            directory: Directory::default(),
            pages,
            groups,
            assets: loaded.assets,
            by_key,
            asset_index,
            home: None,
        };
        site.home = site.groups.iter().position(|g| g.kind == Kind::Home);
        site.link_sections();
        site.compute_urls(diags);
        site.sort_children();
        site.find_directory(diags);
        site
    }

    /// The pages showing the directory, and the URL of every association's
    /// page under it; an association without a directory page, or whose
    /// page would take a page's URL, is reported.
    fn find_directory(&mut self, diags: &mut Diagnostics) {
        let default = self.default_lang();
        let with_template = |name: &str| {
            self.groups.iter().position(|g| {
                self.page(g.source(default, default).0)
                    .front
                    .template
                    .as_deref()
                    == Some(name)
            })
        };
        self.directory = Directory {
            by_sector: with_template("directory"),
            by_city: with_template("directory_city"),
        };
        if self.associations.is_empty() {
            return;
        }
        let data = std::path::Path::new("content/_data/associations.yaml");
        let Some(dir) = self.directory.by_sector else {
            diags.push(
                Diagnostic::warning(
                    data,
                    "associations are listed, but no page shows the directory",
                )
                .hint("add a section whose `_index` has `template: directory`"),
            );
            return;
        };
        let taken: std::collections::HashSet<&str> = self
            .groups
            .iter()
            .flat_map(|g| g.urls.iter().map(String::as_str))
            .collect();
        for a in &self.associations {
            for lang in 0..self.config.languages.len() {
                let url = association_url(&self.groups[dir], &a.id.value, lang);
                if taken.contains(url.as_str()) {
                    diags.push(
                        Diagnostic::error(
                            data,
                            format!(
                                "the page of association `{}` would be {url}, the URL of a page",
                                a.id.value
                            ),
                        )
                        .hint("give the association another id"),
                    );
                    break;
                }
            }
        }
    }

    /// The URL of an association's page in `lang`, if the site has a directory.
    pub fn association_url(&self, a: &Association, lang: LangId) -> Option<String> {
        self.directory
            .by_sector
            .map(|d| association_url(&self.groups[d], &a.id.value, lang))
    }

    /// Section folder → its group.
    fn section_dirs(&self) -> HashMap<&str, GroupId> {
        self.groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.kind == Kind::Section)
            .map(|(i, g)| (g.dir.as_str(), i))
            .collect()
    }

    fn link_sections(&mut self) {
        let sections: HashMap<String, GroupId> = self
            .section_dirs()
            .into_iter()
            .map(|(d, g)| (d.to_string(), g))
            .collect();
        for gid in 0..self.groups.len() {
            let g = &self.groups[gid];
            if g.kind == Kind::Home {
                continue;
            }
            // A section's parent is found from its folder's parent; a page's from its own folder.
            let mut dir = if g.kind == Kind::Section {
                parent_dir(&g.dir)
            } else {
                Some(g.dir.as_str())
            };
            let mut parent = None;
            while let Some(d) = dir {
                if d.is_empty() {
                    break;
                }
                if let Some(&s) = sections.get(d) {
                    parent = Some(s);
                    break;
                }
                dir = parent_dir(d);
            }
            let parent = parent.or(self.home);
            self.groups[gid].parent = parent;
            if let Some(p) = parent {
                for l in 0..self.config.languages.len() {
                    self.groups[p].children[l].push(gid);
                }
            }
        }
    }

    fn sort_children(&mut self) {
        let default = self.default_lang();
        for gid in 0..self.groups.len() {
            for lang in 0..self.config.languages.len() {
                let mut children = std::mem::take(&mut self.groups[gid].children[lang]);
                children.sort_by(|&a, &b| {
                    let pa = self.page(self.groups[a].source(lang, default).0);
                    let pb = self.page(self.groups[b].source(lang, default).0);
                    // Dated pages (news, events) newest first among equal
                    // weights, so a news section needs no renumbering.
                    (
                        pa.front.weight.unwrap_or(i64::MAX),
                        std::cmp::Reverse(pa.front.date),
                        &pa.front.title,
                        &self.groups[a].key,
                    )
                        .cmp(&(
                            pb.front.weight.unwrap_or(i64::MAX),
                            std::cmp::Reverse(pb.front.date),
                            &pb.front.title,
                            &self.groups[b].key,
                        ))
                });
                self.groups[gid].children[lang] = children;
            }
        }
    }

    /// The URL segment a file asks for: its slug, or its name.
    fn segment(&self, gid: GroupId, lang: LangId) -> &str {
        let g = &self.groups[gid];
        let p = self.page(g.source(lang, self.default_lang()).0);
        match &p.front.slug {
            Some(s) => s,
            None if g.kind == Kind::Section => g.dir.rsplit('/').next().unwrap_or(&g.dir),
            None => &p.name,
        }
    }

    fn compute_urls(&mut self, diags: &mut Diagnostics) {
        let nlang = self.config.languages.len();
        let sections: HashMap<String, GroupId> = self
            .section_dirs()
            .into_iter()
            .map(|(d, g)| (d.to_string(), g))
            .collect();
        // Path of a folder in a language: each ancestor's localised segment.
        let mut dir_paths: HashMap<(String, LangId), String> = HashMap::new();
        let mut dir_path = |site: &Site, dir: &str, lang: LangId| -> String {
            let mut path = format!("/{}/", site.config.languages[lang].code);
            let mut prefix = String::new();
            for part in dir.split('/').filter(|s| !s.is_empty()) {
                prefix = load::join(&prefix, part);
                let seg = dir_paths
                    .entry((prefix.clone(), lang))
                    .or_insert_with(|| match sections.get(&prefix) {
                        Some(&s) => site.segment(s, lang).to_string(),
                        None => part.to_string(),
                    })
                    .clone();
                path.push_str(&seg);
                path.push('/');
            }
            path
        };
        let mut all_urls = Vec::with_capacity(self.groups.len());
        for gid in 0..self.groups.len() {
            let mut urls = Vec::with_capacity(nlang);
            for lang in 0..nlang {
                let g = &self.groups[gid];
                let url = match g.kind {
                    Kind::Home => format!("/{}/", self.config.languages[lang].code),
                    Kind::Section => dir_path(self, &g.dir, lang),
                    Kind::Page => format!(
                        "{}{}/",
                        dir_path(self, &g.dir, lang),
                        self.segment(gid, lang)
                    ),
                };
                urls.push(url);
            }
            all_urls.push(urls);
        }
        for (g, urls) in self.groups.iter_mut().zip(all_urls) {
            g.urls = urls;
        }
        // Two pages on one URL: report with both files named.
        let mut seen: HashMap<&str, GroupId> = HashMap::new();
        let mut reported: std::collections::HashSet<(GroupId, GroupId)> = Default::default();
        let default = self.default_lang();
        for (gid, g) in self.groups.iter().enumerate() {
            for (lang, url) in g.urls.iter().enumerate() {
                if let Some(&other) = seen.get(url.as_str()) {
                    if other == gid || !reported.insert((other, gid)) {
                        continue;
                    }
                    let here = self.page(g.source(lang, default).0);
                    let there = self.page(self.groups[other].source(lang, default).0);
                    let line = here.front.lines.get("slug").copied().unwrap_or(1);
                    diags.push(
                        Diagnostic::error(
                            &here.path,
                            format!("two pages on one URL `{url}`: this one and {}", there.path),
                        )
                        .at_line_col(here.text(), line, 1, 1)
                        .hint("give one of them another `slug` or file name"),
                    );
                } else {
                    seen.insert(url, gid);
                }
            }
        }
    }

    /// Aliases of every published file: (old path, language, group).
    pub fn aliases(&self) -> Vec<(String, LangId, GroupId)> {
        let mut out = Vec::new();
        for (gid, g) in self.groups.iter().enumerate() {
            for (lang, m) in g.members.iter().enumerate() {
                if let Some(p) = m {
                    for a in &self.page(*p).front.aliases {
                        out.push((a.clone(), lang, gid));
                    }
                }
            }
        }
        out
    }

    /// Stale translations: (translation, current digest of the original).
    /// Digests are computed here, for `check`, not on every build.
    pub fn stale_translations(&self) -> Vec<(PageId, String)> {
        self.translations_behind(false)
    }

    /// Translations whose recorded `translated_from` differs from their
    /// original's digest: readers are told the original changed since.
    pub fn outdated_translations(&self) -> std::collections::HashSet<PageId> {
        self.translations_behind(true)
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    /// Translations that do not record their original's current digest;
    /// with `recorded_only`, only those that record one (and only their
    /// groups' originals are hashed, so a site without digests pays nothing).
    fn translations_behind(&self, recorded_only: bool) -> Vec<(PageId, String)> {
        use rayon::prelude::*;
        let default = self.default_lang();
        self.groups
            .par_iter()
            .filter_map(|g| {
                let orig = g.members[default]?;
                let translations: Vec<PageId> = g
                    .members
                    .iter()
                    .enumerate()
                    .filter(|(lang, _)| *lang != default)
                    .filter_map(|(_, m)| *m)
                    .filter(|&t| !recorded_only || self.page(t).front.translated_from.is_some())
                    .collect();
                (!translations.is_empty()).then(|| (digest(&self.page(orig).read()), translations))
            })
            .flat_map_iter(|(current, translations)| {
                translations
                    .into_iter()
                    .filter(|t| {
                        self.page(*t).front.translated_from.as_deref() != Some(current.as_str())
                    })
                    .map(|t| (t, current.clone()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Per language, the groups that have no translation in it (shown as fallbacks).
    pub fn missing_translations(&self) -> BTreeMap<LangId, Vec<GroupId>> {
        let mut out: BTreeMap<LangId, Vec<GroupId>> = BTreeMap::new();
        for (gid, g) in self.groups.iter().enumerate() {
            for lang in 0..self.config.languages.len() {
                if !g.is_translated(lang) {
                    out.entry(lang).or_default().push(gid);
                }
            }
        }
        out
    }

    /// Resolves a Markdown link target written in `from` to a site URL in `lang`.
    pub fn resolve_link(&self, from: &SourcePage, dest: &str, lang: LangId) -> Link {
        if dest.is_empty() || has_scheme(dest) || dest.starts_with("//") {
            return Link::External;
        }
        if let Some(anchor) = dest.strip_prefix('#') {
            return Link::SamePage {
                anchor: anchor.to_string(),
            };
        }
        let (path, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(a.to_string())),
            None => (dest, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        if let Some(stripped) = path.strip_suffix(".md") {
            let key = match normalize(&from.dir, stripped) {
                Some(k) => k,
                None => {
                    return Link::Broken {
                        hint: "the path goes above the content folder".into(),
                    };
                }
            };
            let (gid, lang) = match self.by_key.get(&key) {
                Some(&g) => (g, lang),
                None => match self.with_language_suffix(&key) {
                    Some(found) => found,
                    None => {
                        return Link::Broken {
                            hint: self.suggest(&key),
                        };
                    }
                },
            };
            let mut url = self.groups[gid].urls[lang].clone();
            if let Some(a) = &anchor {
                url.push('#');
                url.push_str(a);
            }
            return Link::Page {
                url,
                group: gid,
                lang,
                anchor,
            };
        }
        if path.starts_with('/') && !self.asset_index.contains_key(path.trim_start_matches('/')) {
            return Link::External;
        }
        match normalize(&from.dir, path) {
            Some(rel) if self.asset_index.contains_key(&rel) => Link::Asset { url: format!("/{rel}") },
            rel => Link::Broken {
                hint: match rel.as_deref().and_then(|r| self.closest_source(r.trim_end_matches('/'))) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "link a page by its source file (`name.md`, without the language suffix), or put the file next to the page".into(),
                },
            },
        }
    }

    /// The existing source path closest to `wanted` (a page's key or a
    /// file's path, from the content folder), written from the content
    /// folder so that it is right from any page: `/guides/statute.md`.
    fn closest_source(&self, wanted: &str) -> Option<String> {
        let pages = self.by_key.keys().map(|k| (k.as_str(), true));
        let files = self.asset_index.keys().map(|k| (k.as_str(), false));
        let mut all: Vec<(&str, bool)> = pages.chain(files).collect();
        all.sort_unstable(); // the same suggestion on every run
        let names: Vec<&str> = all.iter().map(|(k, _)| *k).collect();
        // The whole path first, then the name alone (a page linked from
        // the wrong folder).
        let base = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
        let found = crate::diagnostic::closest(wanted, &names).or_else(|| {
            let bases: Vec<String> = names.iter().map(|n| base(n)).collect();
            let refs: Vec<&str> = bases.iter().map(String::as_str).collect();
            let b = crate::diagnostic::closest(&base(wanted), &refs)?;
            names.iter().copied().find(|n| base(n) == b)
        })?;
        let is_page = all.iter().any(|(k, p)| *k == found && *p);
        Some(if is_page {
            format!("/{found}.md")
        } else {
            format!("/{found}")
        })
    }

    /// `found.en` written with its language suffix: that language's version.
    fn with_language_suffix(&self, key: &str) -> Option<(GroupId, LangId)> {
        let (name, suffix) = key.rsplit_once('.')?;
        let lang = self.config.lang(suffix)?;
        Some((*self.by_key.get(name)?, lang))
    }

    fn suggest(&self, key: &str) -> String {
        match self.closest_source(key) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "write the target's source path without its language suffix, relative to this file or, with a leading `/`, to content/".into(),
        }
    }
}

/// What a link in Markdown points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    External,
    SamePage {
        anchor: String,
    },
    Page {
        url: String,
        group: GroupId,
        lang: LangId,
        anchor: Option<String>,
    },
    Asset {
        url: String,
    },
    Broken {
        hint: String,
    },
}

fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) if i > 0 => s[..i].chars().enumerate().all(|(n, c)| {
            c.is_ascii_alphabetic() || (n > 0 && (c.is_ascii_digit() || "+.-".contains(c)))
        }),
        _ => false,
    }
}

fn parent_dir(dir: &str) -> Option<&str> {
    if dir.is_empty() {
        None
    } else {
        Some(dir.rsplit_once('/').map_or("", |(p, _)| p))
    }
}

/// Joins a link path to the folder it is written in; `None` above the root.
fn normalize(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_relative_and_rooted_paths() {
        assert_eq!(
            normalize("guides", "statute").as_deref(),
            Some("guides/statute")
        );
        assert_eq!(
            normalize("guides", "../desks/_index").as_deref(),
            Some("desks/_index")
        );
        assert_eq!(
            normalize("guides", "/contact/_index").as_deref(),
            Some("contact/_index")
        );
        assert_eq!(normalize("", "../x"), None);
    }

    #[test]
    fn schemes_are_external() {
        for s in ["https://x.org", "mailto:a@b.c", "tel:+39", "ftp://x"] {
            assert!(has_scheme(s), "{s}");
        }
        for s in ["guide.md", "/it/x/", "a/b:c"] {
            assert!(!has_scheme(s), "{s}");
        }
    }

    #[test]
    fn digest_ignores_line_endings() {
        assert_eq!(digest("a\r\nb\n"), digest("a\nb\n"));
        assert_eq!(digest("a\nb\n").len(), 12);
    }
}
