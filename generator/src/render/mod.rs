//! Render: every output of the site from the model and the theme.
//!
//! Pages render in parallel (rayon), each into its own buffer handed straight
//! to a [`Sink`] (the output folder, or nothing for `check`), so the whole
//! site's HTML is never held in memory. Per-language values (interface
//! strings, navigation, desks) are built once and shared by every page.

use std::collections::HashSet;
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;
use tera::{Context, Value};

use crate::config::LangId;
use crate::data::DeskStatus;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::hours;
use crate::markdown::{self, Heading};
use crate::model::{GroupId, Kind, PageId, Site};
use crate::theme::Theme;

mod directory;
mod links;

pub use links::check_anchors;
use links::{AnchorRef, LinkCtx};

/// Where rendered files go. `rel` is relative to the site root (`it/index.html`).
pub trait Sink: Sync {
    fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), crate::Error>;
    /// A file published as it is.
    fn copy(&self, rel: &str, from: &std::path::Path) -> Result<(), crate::Error>;
    /// A file the last build made that this build leaves as it is.
    fn keep(&self, _rel: &str) {}
    /// Keeps the last build's `rel` if it is still there; `false`: make it.
    fn kept(&self, _rel: &str) -> bool {
        false
    }
}

/// What a build may take over from the last one (decided by the build, from its cache).
pub struct Reuse<'m> {
    /// Per group: nothing it depends on changed, its files can stay.
    pub clean: Vec<bool>,
    /// Per page: the facts of its last render, for the anchor check of
    /// pages that are not rendered again.
    pub previous: Vec<Option<&'m PageFacts>>,
}

/// What anchor checks need of a rendered page, kept between builds: its
/// heading ids and its anchor links.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PageFacts {
    pub ids: Vec<String>,
    pub anchors: Vec<AnchorFact>,
}

/// An anchor link of a page: target group key, language code, anchor, byte range.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AnchorFact {
    pub group: String,
    pub lang: String,
    pub anchor: String,
    pub start: usize,
    pub end: usize,
}

/// Counts of what a render produced, for the summary line.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    /// Real translations per language, in language order.
    pub pages: Vec<(String, usize)>,
    pub fallbacks: usize,
    pub aliases: usize,
    pub assets: usize,
    pub files: usize,
}

/// Renders pages of one site with one theme.
pub struct Renderer<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme,
    shared: &'a Shared,
    preview: bool,
}

/// What every render of one loaded site shares, computed once per loaded
/// project rather than for each renderer (a form error page asks for one).
pub struct Shared {
    langs: Vec<LangValues>,
    /// Translations made from an older version of their original.
    outdated: HashSet<PageId>,
    feeds: crate::feed::Feeds,
}

impl Shared {
    pub fn new(site: &Site, theme: &Theme) -> Shared {
        let langs = (0..site.config.languages.len())
            .map(|l| lang_values(site, theme, l))
            .collect();
        let outdated = if site.config.stale_notice {
            site.outdated_translations()
        } else {
            Default::default()
        };
        Shared {
            langs,
            outdated,
            feeds: crate::feed::Feeds::new(site),
        }
    }
}

/// What every page of one language shares.
struct LangValues {
    /// The template context every page of the language starts from, built
    /// once: cloning it shares its values (Tera's maps, lists and strings
    /// are reference-counted) instead of converting them again per page.
    base: Context,
    lang: Value,
    strings: Value,
    site_title: Value,
    nav: Value,
    desks: Value,
    desks_jsonld: Value,
    directory: Value,
}

#[derive(Serialize)]
struct PageValue<'a> {
    key: &'a str,
    kind: &'static str,
    title: &'a str,
    summary: Option<&'a str>,
    content: &'a str,
    toc: &'a [Heading],
    url: &'a str,
    permalink: String,
    date: Option<DateValue>,
    updated: Option<DateValue>,
    /// "Last reviewed": `updated`, else `date` (every page shows it).
    reviewed: Option<DateValue>,
    /// Language of the text shown (differs from the page's language in a fallback).
    content_lang: &'a str,
    content_lang_name: &'a str,
    content_dir: &'a str,
    is_fallback: bool,
    draft: bool,
    original_url: &'a str,
    /// Set on a translation whose original changed since it was made.
    original_changed: Option<OriginalChanged<'a>>,
    extra: &'a serde_json::Value,
    template: &'a str,
}

#[derive(Serialize)]
struct OriginalChanged<'a> {
    url: &'a str,
    lang: &'a str,
    lang_name: &'a str,
    /// The original's "last reviewed" date (or its date), if it has one.
    date: Option<DateValue>,
}

#[derive(Serialize)]
struct DateValue {
    iso: String,
    year: i16,
    month: i8,
    day: i8,
}

impl From<jiff::civil::Date> for DateValue {
    fn from(d: jiff::civil::Date) -> Self {
        DateValue {
            iso: d.to_string(),
            year: d.year(),
            month: d.month(),
            day: d.day(),
        }
    }
}

/// A language in the switcher. The page's context values are typed
/// structs serialized straight into Tera's values (not `json!` values
/// converted a second time): that conversion was a tenth of a build.
#[derive(Serialize)]
struct Switch<'a> {
    code: &'a str,
    name: &'a str,
    dir: &'a str,
    url: &'a str,
    translated: bool,
    current: bool,
}

/// An `hreflang` link.
#[derive(Serialize)]
struct Alternate<'a> {
    hreflang: &'a str,
    href: String,
}

#[derive(Serialize)]
struct Crumb<'a> {
    title: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct ListItem<'a> {
    title: &'a str,
    summary: Option<&'a str>,
    url: &'a str,
    kind: &'static str,
    is_fallback: bool,
    weight: Option<i64>,
    date: Option<DateValue>,
}

impl<'a> Renderer<'a> {
    /// `shared` must come from the same site and theme ([`Shared::new`]).
    pub fn new(site: &'a Site, theme: &'a Theme, shared: &'a Shared) -> Self {
        Renderer {
            site,
            theme,
            shared,
            preview: false,
        }
    }

    /// Renders for `serve`'s preview: draft pages show that they are drafts.
    pub fn with_preview(mut self, on: bool) -> Self {
        self.preview = on;
        self
    }

    /// The template a group renders with.
    pub fn template_of(&self, gid: GroupId, lang: LangId) -> String {
        let g = &self.site.groups[gid];
        let p = self.site.page(g.source(lang, self.site.default_lang()).0);
        p.front
            .template
            .clone()
            .unwrap_or_else(|| g.kind.as_str().to_string())
    }

    /// The context shared by every page of `lang`.
    fn base_context(&self, lang: LangId) -> Context {
        let mut ctx = self.shared.langs[lang].base.clone();
        ctx.insert_value("preview", Value::from(self.preview));
        ctx
    }

    /// Renders one group in one language. Link problems are reported only for
    /// a real translation, so a fallback does not repeat its original's.
    pub fn render_page(
        &self,
        gid: GroupId,
        lang: LangId,
        extra: Option<(&str, Value)>,
    ) -> PageOutcome {
        let site = self.site;
        let default = site.default_lang();
        let g = &site.groups[gid];
        let (pid, is_fallback) = g.source(lang, default);
        let page = site.page(pid);
        let mut links = LinkCtx {
            site,
            from: page,
            lang,
            problems: Vec::new(),
            anchors: Vec::new(),
        };
        let languages = &site.config.languages;
        let rtl = languages[page.lang].dir == "rtl";
        let md = markdown::render(&page.body(), &mut links, rtl);
        let template = self.template_of(gid, lang);
        let mut outcome = PageOutcome::default();
        if !is_fallback {
            outcome.headings = Some((
                pid,
                md.headings
                    .iter()
                    .map(|h| h.id.clone())
                    .chain(md.html_ids.iter().cloned())
                    .collect(),
            ));
            outcome.diags = links.problems;
            outcome.anchors = links.anchors;
        }
        if !self.theme.has_template(&template) {
            if !is_fallback {
                let line = page.front.lines.get("template").copied().unwrap_or(1);
                outcome.diags.push(
                    Diagnostic::error(
                        &page.path,
                        format!("the theme has no template `{template}`"),
                    )
                    .at_line_col(page.text(), line, 1, 1)
                    .hint(format!(
                        "templates of this theme: {}",
                        self.theme.template_names().join(", ")
                    )),
                );
            }
            return outcome;
        }
        let content_lang = &languages[page.lang];
        let original_url = &site.groups[gid].urls[page.lang];
        let original_changed = (!is_fallback && self.shared.outdated.contains(&pid))
            .then(|| g.members[default])
            .flatten()
            .map(|orig| {
                let o = site.page(orig);
                OriginalChanged {
                    url: &g.urls[default],
                    lang: &languages[default].code,
                    lang_name: language_name(&self.theme.strings[lang], &languages[default]),
                    date: o.front.updated.or(o.front.date).map(Into::into),
                }
            });
        let value = PageValue {
            key: &g.key,
            kind: g.kind.as_str(),
            title: &page.front.title,
            summary: page.front.summary.as_deref(),
            content: &md.html,
            toc: &md.headings,
            url: &g.urls[lang],
            permalink: site.config.permalink(&g.urls[lang]),
            date: page.front.date.map(Into::into),
            updated: page.front.updated.map(Into::into),
            reviewed: page.front.updated.or(page.front.date).map(Into::into),
            content_lang: &content_lang.code,
            content_lang_name: language_name(&self.theme.strings[lang], content_lang),
            content_dir: &content_lang.dir,
            is_fallback,
            draft: page.front.draft,
            original_url,
            original_changed,
            extra: &page.front.extra,
            template: &template,
        };
        let mut ctx = self.base_context(lang);
        ctx.insert("page", &value);
        ctx.insert(
            "canonical",
            &site.config.permalink(if is_fallback {
                original_url
            } else {
                &g.urls[lang]
            }),
        );
        ctx.insert("translations", &self.translations(gid, lang));
        ctx.insert("alternates", &self.alternates(gid));
        ctx.insert("breadcrumbs", &self.breadcrumbs(gid, lang));
        ctx.insert("feeds", &self.shared.feeds.links(site, gid, lang));
        if matches!(g.kind, Kind::Home | Kind::Section) {
            let items: Vec<ListItem> = g.children[lang]
                .iter()
                .map(|&c| self.list_item(c, lang))
                .collect();
            ctx.insert("children", &items);
        }
        if let Some((name, v)) = extra {
            ctx.insert_value(name.to_string(), v);
        }
        match self.theme.tera.render(&format!("{template}.html"), &ctx) {
            Ok(html) => outcome.html = Some(html),
            Err(e) => outcome.diags.push(self.theme.diagnostic(
                &e,
                &format!("rendering {} in `{}`", page.path, languages[lang].code),
            )),
        }
        outcome
    }

    fn list_item(&self, gid: GroupId, lang: LangId) -> ListItem<'_> {
        let g = &self.site.groups[gid];
        let (pid, is_fallback) = g.source(lang, self.site.default_lang());
        let p = self.site.page(pid);
        ListItem {
            title: &p.front.title,
            summary: p.front.summary.as_deref(),
            url: &g.urls[lang],
            kind: g.kind.as_str(),
            is_fallback,
            weight: p.front.weight,
            date: p.front.date.map(Into::into),
        }
    }

    /// The language switcher: every language, telling translations from fallbacks.
    fn translations(&self, gid: GroupId, current: LangId) -> Vec<Switch<'_>> {
        let g = &self.site.groups[gid];
        self.site
            .config
            .languages
            .iter()
            .enumerate()
            .map(|(l, lang)| Switch {
                code: &lang.code,
                name: &lang.name,
                dir: &lang.dir,
                url: &g.urls[l],
                translated: g.is_translated(l),
                current: l == current,
            })
            .collect()
    }

    /// `hreflang` links: every real translation, plus `x-default`.
    fn alternates(&self, gid: GroupId) -> Vec<Alternate<'_>> {
        let g = &self.site.groups[gid];
        let mut out: Vec<Alternate> = self
            .site
            .config
            .languages
            .iter()
            .enumerate()
            .filter(|(l, _)| g.is_translated(*l))
            .map(|(l, lang)| Alternate {
                hreflang: &lang.code,
                href: self.site.config.permalink(&g.urls[l]),
            })
            .collect();
        let default = self.site.default_lang();
        let (_, fb) = g.source(default, default);
        let x_default = if g.kind == Kind::Home {
            "/".to_string()
        } else {
            g.urls[default].clone()
        };
        if !fb || g.kind == Kind::Home {
            out.push(Alternate {
                hreflang: "x-default",
                href: self.site.config.permalink(&x_default),
            });
        }
        out
    }

    fn breadcrumbs(&self, gid: GroupId, lang: LangId) -> Vec<Crumb<'_>> {
        let mut chain = Vec::new();
        let mut cur = self.site.groups[gid].parent;
        while let Some(p) = cur {
            let item = self.list_item(p, lang);
            chain.push(Crumb {
                title: item.title,
                url: item.url,
            });
            cur = self.site.groups[p].parent;
        }
        chain.reverse();
        chain
    }

    /// A page of a standalone template (`languages`, `404`) in `lang`.
    pub fn render_special(&self, template: &str, lang: LangId) -> Result<String, Box<Diagnostic>> {
        let mut ctx = self.base_context(lang);
        let langs: Vec<serde_json::Value> = self
            .site
            .config
            .languages
            .iter()
            .enumerate()
            .map(|(l, x)| json!({"code": x.code, "name": x.name, "dir": x.dir, "url": format!("/{}/", x.code), "title": self.site.config.title[l]}))
            .collect();
        ctx.insert("languages", &langs);
        ctx.insert("page", &serde_json::Value::Null);
        ctx.insert("canonical", &self.site.config.permalink("/"));
        ctx.insert("alternates", &Vec::<()>::new());
        ctx.insert("translations", &self.special_translations(lang));
        ctx.insert("breadcrumbs", &Vec::<()>::new());
        ctx.insert("feeds", &Vec::<()>::new());
        self.theme
            .tera
            .render(&format!("{template}.html"), &ctx)
            .map_err(|e| {
                Box::new(
                    self.theme
                        .diagnostic(&e, &format!("rendering `{template}`")),
                )
            })
    }

    /// The search page of `lang`: Pagefind's interface over that language's
    /// index, and links to the sections for readers without JavaScript.
    pub fn render_search(&self, lang: LangId) -> Result<String, Box<Diagnostic>> {
        let site = self.site;
        let code = &site.config.languages[lang].code;
        let url = crate::search::page_url(code);
        let mut ctx = self.base_context(lang);
        ctx.insert("page", &serde_json::Value::Null);
        ctx.insert("canonical", &site.config.permalink(&url));
        let alternates: Vec<serde_json::Value> = site
            .config
            .languages
            .iter()
            .map(|l| json!({"hreflang": l.code, "href": site.config.permalink(&crate::search::page_url(&l.code))}))
            .collect();
        ctx.insert("alternates", &alternates);
        let mut translations = self.special_translations(lang);
        for (t, l) in translations.iter_mut().zip(&site.config.languages) {
            t["url"] = json!(crate::search::page_url(&l.code));
        }
        ctx.insert("translations", &translations);
        ctx.insert("breadcrumbs", &Vec::<()>::new());
        ctx.insert("feeds", &Vec::<()>::new());
        // Pagefind's own interface strings for a language it has none of
        // (the theme's `search.ui`), handed to its script as JSON.
        let ui = self.theme.strings[lang]
            .pointer("/search/ui")
            .map(|v| v.to_string())
            .unwrap_or_default();
        ctx.insert(
            "search",
            &json!({"bundle": format!("/{}/", crate::search::bundle_dir(code)), "ui": ui}),
        );
        self.theme
            .tera
            .render(&format!("{}.html", crate::search::TEMPLATE), &ctx)
            .map_err(|e| {
                Box::new(
                    self.theme
                        .diagnostic(&e, &format!("rendering the search page in `{code}`")),
                )
            })
    }

    /// A page whose URL is a language's search page would be replaced by it.
    fn check_search_urls(&self, diags: &mut Diagnostics) {
        let site = self.site;
        for (l, lang) in site.config.languages.iter().enumerate() {
            let url = crate::search::page_url(&lang.code);
            for g in site.groups.iter().filter(|g| g.urls[l] == url) {
                // A fallback is reported on the file it shows.
                let page = site.page(g.source(l, site.default_lang()).0);
                diags.push(
                    Diagnostic::error(
                        &page.path,
                        format!("`{url}` is the address of the site's search page"),
                    )
                    .hint("give this page another `slug`, or move it to another folder"),
                );
            }
        }
    }

    fn special_translations(&self, current: LangId) -> Vec<serde_json::Value> {
        self.site
            .config
            .languages
            .iter()
            .enumerate()
            .map(|(l, x)| {
                let url = format!("/{}/", x.code);
                json!({"code": x.code, "name": x.name, "dir": x.dir, "url": url, "translated": true, "current": l == current})
            })
            .collect()
    }

    /// Every output of the site into `sink`; problems into `diags`.
    pub fn render_all(
        &self,
        sink: &dyn Sink,
        diags: &mut Diagnostics,
        reuse: Option<&Reuse>,
    ) -> (Summary, Vec<PageFacts>) {
        let site = self.site;
        let is_clean = |gid: GroupId| reuse.is_some_and(|r| r.clean[gid]);
        let nlang = site.config.languages.len();
        let jobs: Vec<(GroupId, LangId)> = (0..site.groups.len())
            .flat_map(|g| (0..nlang).map(move |l| (g, l)))
            .collect();
        let mut t = std::time::Instant::now();
        let io_errors: Mutex<Vec<Diagnostic>> = Mutex::new(Vec::new());
        let put = |rel: &str, bytes: &[u8]| {
            if let Err(e) = sink.put(rel, bytes) {
                io_errors
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(Diagnostic::error(rel, e.to_string()));
            }
        };
        crate::progress::begin("rendering", jobs.len() as u64);
        let outcomes: Vec<PageOutcome> = jobs
            .par_iter()
            .map(|&(gid, lang)| {
                crate::progress::advance(1);
                if is_clean(gid) {
                    sink.keep(&index_path(&site.groups[gid].urls[lang]));
                    return PageOutcome {
                        written: true,
                        ..Default::default()
                    };
                }
                let mut o = self.render_page(gid, lang, None);
                if let Some(html) = o.html.take() {
                    put(&index_path(&site.groups[gid].urls[lang]), html.as_bytes());
                    o.written = true;
                }
                o
            })
            .collect();
        crate::progress::end();
        crate::phase("render", &mut t);
        // Anchors are checked once every page's headings are known.
        let mut facts = vec![PageFacts::default(); site.pages.len()];
        if let Some(r) = reuse {
            for g in site
                .groups
                .iter()
                .enumerate()
                .filter(|(g, _)| r.clean[*g])
                .map(|(_, g)| g)
            {
                for &pid in g.members.iter().flatten() {
                    if let Some(previous) = r.previous[pid] {
                        facts[pid] = previous.clone();
                    }
                }
            }
        }
        let mut summary = Summary::default();
        let mut per_lang = vec![0usize; nlang];
        for (o, &(gid, lang)) in outcomes.into_iter().zip(&jobs) {
            diags.extend(o.diags);
            if let Some((pid, ids)) = o.headings {
                facts[pid] = PageFacts {
                    ids,
                    anchors: o.anchors.iter().map(|a| a.fact(site)).collect(),
                };
            }
            if o.written {
                summary.files += 1;
                if site.groups[gid].is_translated(lang) {
                    per_lang[lang] += 1;
                } else {
                    summary.fallbacks += 1;
                }
            }
        }
        check_anchors(site, &facts, None, diags);
        summary.pages = site
            .config
            .languages
            .iter()
            .map(|l| l.code.clone())
            .zip(per_lang)
            .collect();

        crate::phase("anchors", &mut t);
        // Site-wide files.
        match self.render_special("languages", site.default_lang()) {
            Ok(html) => put("index.html", html.as_bytes()),
            Err(d) => diags.push(*d),
        }
        for lang in 0..nlang {
            match self.render_special("404", lang) {
                Ok(html) => {
                    put(
                        &format!("{}/404.html", site.config.languages[lang].code),
                        html.as_bytes(),
                    );
                    if lang == site.default_lang() {
                        put("404.html", html.as_bytes());
                    }
                }
                Err(d) => {
                    diags.push(*d);
                    break;
                }
            }
        }
        if crate::search::enabled(self.theme) {
            self.check_search_urls(diags);
            for lang in 0..nlang {
                match self.render_search(lang) {
                    Ok(html) => put(
                        &index_path(&crate::search::page_url(&site.config.languages[lang].code)),
                        html.as_bytes(),
                    ),
                    Err(d) => {
                        diags.push(*d);
                        break;
                    }
                }
            }
        }
        for (lang, count) in per_lang_associations(self, &put, diags)
            .into_iter()
            .enumerate()
        {
            summary.pages[lang].1 += count;
            summary.files += count;
        }
        summary.aliases = self.write_aliases(&put, diags);
        // The sitemap and feeds say only what the pages say: when no page
        // changed (and the structure, theme and configuration are the same,
        // or there would be no reuse), the last build's are right. At 40,000
        // pages they were a third of a no-change rebuild.
        let all_clean = reuse.is_some_and(|r| r.clean.iter().all(|c| *c));
        let keep_all = |names: Vec<String>| all_clean && names.iter().all(|n| sink.kept(n));
        if !keep_all(crate::sitemap::names(site)) {
            let mut put_xml = |name: &str, xml: &str| put(name, xml.as_bytes());
            if let Err(d) = crate::sitemap::write_parts(site, self.theme, &mut put_xml) {
                diags.push(*d);
            }
        }
        if !keep_all(self.shared.feeds.names(site)) {
            for (name, xml) in self.shared.feeds.files(site) {
                put(&name, xml.as_bytes());
            }
        }
        let mut robots = Context::new();
        robots.insert("sitemap", &site.config.permalink("/sitemap.xml"));
        match self.theme.tera.render("robots.txt", &robots) {
            Ok(text) => put("robots.txt", text.as_bytes()),
            Err(e) => diags.push(self.theme.diagnostic(&e, "rendering `robots.txt`")),
        }
        for a in &site.assets {
            if let Err(e) = sink.copy(&a.rel, &a.source) {
                diags.push(Diagnostic::error(
                    a.source.display().to_string(),
                    format!("cannot publish: {e}"),
                ));
            }
        }
        for f in &self.theme.static_files {
            let rel = f.url.trim_start_matches('/');
            let published = match &f.published {
                Some(bytes) => sink.put(rel, bytes),
                None => sink.copy(rel, &f.source),
            };
            if let Err(e) = published {
                diags.push(Diagnostic::error(
                    f.source.display().to_string(),
                    format!("cannot publish: {e}"),
                ));
            }
        }
        summary.assets = site.assets.len();
        crate::phase("site files", &mut t);
        diags.extend(io_errors.into_inner().unwrap_or_else(|p| p.into_inner()));
        (summary, facts)
    }

    /// Renders every language of `gids` into `sink` (a preview after an
    /// edit); returns the facts of their pages for the anchor check.
    pub fn render_groups(
        &self,
        gids: &[GroupId],
        sink: &dyn Sink,
        diags: &mut Diagnostics,
    ) -> Vec<(PageId, PageFacts)> {
        let nlang = self.site.config.languages.len();
        let jobs: Vec<(GroupId, LangId)> = gids
            .iter()
            .flat_map(|&g| (0..nlang).map(move |l| (g, l)))
            .collect();
        let outcomes: Vec<PageOutcome> = jobs
            .par_iter()
            .map(|&(gid, lang)| {
                let mut o = self.render_page(gid, lang, None);
                if let Some(html) = o.html.take() {
                    let rel = index_path(&self.site.groups[gid].urls[lang]);
                    if let Err(e) = sink.put(&rel, html.as_bytes()) {
                        o.diags.push(Diagnostic::error(rel, e.to_string()));
                    }
                }
                o
            })
            .collect();
        let mut facts = Vec::new();
        for o in outcomes {
            diags.extend(o.diags);
            if let Some((pid, ids)) = o.headings {
                facts.push((
                    pid,
                    PageFacts {
                        ids,
                        anchors: o.anchors.iter().map(|a| a.fact(self.site)).collect(),
                    },
                ));
            }
        }
        facts
    }

    /// A file the site writes besides its pages, or a folder holding one: an
    /// alias must not replace it (`/sitemap.xml` would be the folder
    /// `sitemap.xml/` of `sitemap.xml/index.html`).
    fn is_site_file(&self, rel: &str) -> bool {
        rel.match_indices('/')
            .map(|(i, _)| &rel[..i])
            .chain([rel])
            .any(|p| self.is_site_path(p))
    }

    fn is_site_path(&self, rel: &str) -> bool {
        let site = self.site;
        let per_lang_404 = site
            .config
            .languages
            .iter()
            .any(|l| rel == format!("{}/404.html", l.code));
        let search = crate::search::enabled(self.theme)
            && site
                .config
                .languages
                .iter()
                .any(|l| rel == format!("{}/search", l.code));
        matches!(rel, "index.html" | "404.html" | "robots.txt")
            || per_lang_404
            || search
            || (rel.starts_with("sitemap") && rel.ends_with(".xml"))
            || rel == "assets"
            || rel.starts_with("assets/")
            || site.asset_index.contains_key(rel)
    }

    fn write_aliases(&self, put: &dyn Fn(&str, &[u8]), diags: &mut Diagnostics) -> usize {
        let site = self.site;
        let taken: HashSet<&str> = site
            .groups
            .iter()
            .flat_map(|g| g.urls.iter().map(String::as_str))
            .collect();
        let association_urls: HashSet<String> = (0..site.config.languages.len())
            .flat_map(|l| {
                site.associations
                    .iter()
                    .filter_map(move |a| site.association_url(a, l))
            })
            .collect();
        let mut n = 0;
        for (alias, lang, gid) in site.aliases() {
            let g = &site.groups[gid];
            let page = site.page(g.members[lang].unwrap_or(0));
            let target = &g.urls[lang];
            let normalized = if alias.ends_with('/') || alias.ends_with(".html") {
                alias.clone()
            } else {
                format!("{alias}/")
            };
            if taken.contains(normalized.as_str()) || association_urls.contains(&normalized) {
                let line = page.front.lines.get("aliases").copied().unwrap_or(1);
                diags.push(
                    Diagnostic::error(&page.path, format!("alias `{alias}` is the URL of a page"))
                        .at_line_col(page.text(), line, 1, 1)
                        .hint("an alias is an old URL that no page uses any more"),
                );
                continue;
            }
            let rel = index_path(&normalized);
            if self.is_site_file(&rel) {
                let line = page.front.lines.get("aliases").copied().unwrap_or(1);
                diags.push(
                    Diagnostic::error(
                        &page.path,
                        format!("alias `{alias}` is the path of a file the site makes"),
                    )
                    .at_line_col(page.text(), line, 1, 1)
                    .hint("an alias is an old URL that no page or file uses any more"),
                );
                continue;
            }
            let mut ctx = Context::new();
            ctx.insert_value("lang", self.shared.langs[lang].lang.clone());
            ctx.insert("title", &page.front.title);
            ctx.insert("target", target);
            ctx.insert("permalink", &site.config.permalink(target));
            ctx.insert("alias", &alias);
            match self.theme.tera.render("alias.html", &ctx) {
                Ok(html) => {
                    put(&rel, html.as_bytes());
                    n += 1;
                }
                Err(e) => {
                    diags.push(
                        self.theme
                            .diagnostic(&e, &format!("rendering alias `{alias}`")),
                    );
                    break;
                }
            }
        }
        n
    }
}

/// Every association's page in every language, written; how many per language.
fn per_lang_associations(
    r: &Renderer,
    put: &(dyn Fn(&str, &[u8]) + Sync),
    diags: &mut Diagnostics,
) -> Vec<usize> {
    let nlang = r.site.config.languages.len();
    let rendered: Vec<Vec<directory::AssociationPage>> = (0..nlang)
        .into_par_iter()
        .map(|l| r.association_pages(l))
        .collect();
    let mut counts = vec![0; nlang];
    for (lang, pages) in rendered.into_iter().enumerate() {
        for (url, html) in pages {
            match html {
                Ok(html) => {
                    put(&index_path(&url), html.as_bytes());
                    counts[lang] += 1;
                }
                // One template mistake is the same on every page: say it once.
                Err(d) => {
                    diags.push(*d);
                    return counts;
                }
            }
        }
    }
    counts
}

/// What rendering one page produced.
#[derive(Default)]
pub struct PageOutcome {
    pub html: Option<String>,
    pub diags: Vec<Diagnostic>,
    headings: Option<(PageId, Vec<String>)>,
    anchors: Vec<AnchorRef>,
    written: bool,
}

/// `language`'s name as the reader's interface strings write it in a
/// sentence (`language_names.<code>`: "in italiano", "en italien"), or its
/// own name (`site.yaml`) where they do not list it.
pub(crate) fn language_name<'a>(
    strings: &'a serde_json::Value,
    language: &'a crate::config::Language,
) -> &'a str {
    strings["language_names"][language.code.as_str()]
        .as_str()
        .unwrap_or(&language.name)
}

/// `/it/guides/x/` → `it/guides/x/index.html`.
pub fn index_path(url: &str) -> String {
    let trimmed = url.trim_start_matches('/');
    if trimmed.is_empty() {
        "index.html".into()
    } else if trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

fn lang_values(site: &Site, theme: &Theme, lang: LangId) -> LangValues {
    let l = &site.config.languages[lang];
    let strings = &theme.strings[lang];
    let nav = nav_items(site, lang);
    let words = hours::Words { strings };
    let code = &l.code;
    let default_code = site.config.default_code();
    let desks: Vec<serde_json::Value> = site
        .desks
        .iter()
        .map(|d| {
            let name = d.name.get(code).or_else(|| d.name.get(default_code)).cloned().unwrap_or_else(|| d.id.clone());
            json!({
                "id": d.id, "name": name, "city": d.city,
                "status": match d.status { DeskStatus::Open => "open", DeskStatus::ComingSoon => "coming_soon" },
                "phone": d.phone, "phone_href": d.phone.as_ref().map(|p| format!("tel:{}", p.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect::<String>())),
                "email": d.email, "by_appointment": d.by_appointment, "address": d.address,
                "source": d.source, "source_date": d.source_day().map(DateValue::from),
                "hours": hours::lines(&d.hours, &words),
            })
        })
        .collect();
    let mut v = LangValues {
        base: Context::new(),
        lang: Value::from_serializable(l),
        strings: Value::from_serializable(strings),
        site_title: Value::from_serializable(&site.config.title[lang]),
        nav: Value::from_serializable(&nav),
        desks: Value::from_serializable(&desks),
        desks_jsonld: Value::safe_string(&crate::jsonld::desks(site, lang)),
        directory: directory::values(site, strings, lang),
    };
    v.base = base_context(site, theme, lang, &v);
    v
}

/// What every page of `lang` finds in its context, but `preview` (the
/// renderer's) and the page's own values.
fn base_context(site: &Site, theme: &Theme, lang: LangId, lv: &LangValues) -> Context {
    let code = &site.config.languages[lang].code;
    let mut ctx = Context::new();
    ctx.insert_value("lang", lv.lang.clone());
    ctx.insert("lang_code", code);
    ctx.insert_value("t", lv.strings.clone());
    ctx.insert_value("site_title", lv.site_title.clone());
    ctx.insert_value("nav", lv.nav.clone());
    ctx.insert_value("desks", lv.desks.clone());
    ctx.insert_value("desks_jsonld", lv.desks_jsonld.clone());
    ctx.insert_value("directory", lv.directory.clone());
    ctx.insert("home_url", &format!("/{code}/"));
    // Empty when the theme has no search page: the theme then links none.
    let search_url = if crate::search::enabled(theme) {
        crate::search::page_url(code)
    } else {
        String::new()
    };
    ctx.insert("search_url", &search_url);
    ctx.insert(
        "form",
        &json!({"status": null, "values": {}, "lists": {}, "errors": {}}),
    );
    // Absent (null) when the site configures no contact form: the theme
    // then shows none.
    ctx.insert("forms_contact", &site.config.forms.get("contact"));
    // The fields' limits and the topics the endpoint accepts.
    ctx.insert("contact_form", &crate::form::CONTACT.theme_value());
    // The forms declared in site.yaml, by name; a page shows one with
    // `extra: { form: <name> }` (templates/form.html).
    let form_kinds: serde_json::Map<String, serde_json::Value> = site
        .config
        .form_kinds
        .iter()
        .map(|k| (k.name.clone(), k.theme_value(&site.config.languages)))
        .collect();
    ctx.insert("form_kinds", &form_kinds);
    ctx.insert("site_base_url", &site.config.base_url);
    ctx
}

/// Main navigation: `menu:` from site.yaml, or the home's direct children.
fn nav_items(site: &Site, lang: LangId) -> Vec<serde_json::Value> {
    let default = site.default_lang();
    let groups: Vec<GroupId> = if site.config.menu.is_empty() {
        site.home
            .map(|h| site.groups[h].children[lang].clone())
            .unwrap_or_default()
    } else {
        site.config
            .menu
            .iter()
            .filter_map(|p| {
                site.by_key
                    .get(p.trim_start_matches('/').trim_end_matches(".md"))
                    .copied()
            })
            .collect()
    };
    groups
        .into_iter()
        .map(|gid| {
            let g = &site.groups[gid];
            let p = site.page(g.source(lang, default).0);
            json!({"title": p.front.title, "url": g.urls[lang], "key": g.key})
        })
        .collect()
}
