//! Atom feeds of the dated pages (news, events): one per language at
//! `/<lang>/atom.xml` and one per section that has dated pages, beside the
//! section's page. Only real translations go in: a fallback is the
//! original's text under another language's address, and its canonical is
//! the original. URLs are absolute, from `base_url`. The XML is written by
//! `atom_syndication`, which escapes every text it is given.

use std::collections::HashMap;

use atom_syndication::{Entry, Feed, Link, Person, Text};
use jiff::civil::Date;
use serde::Serialize;

use crate::config::LangId;
use crate::model::{GroupId, Kind, PageId, Site};

/// Newest entries a feed keeps: readers' programs want what is new.
const MAX_ENTRIES: usize = 50;

/// A feed a page links to with `<link rel="alternate">`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FeedLink {
    pub url: String,
    pub title: String,
}

/// A feed: `(None, lang)` for a language's, `(Some(section), lang)` for a
/// section's.
type FeedKey = (Option<GroupId>, LangId);

/// Which feeds exist: the language feeds and the sections' feeds.
#[derive(Debug, Default)]
pub struct Feeds {
    /// Each feed's dated pages (page, its group), newest first.
    lists: HashMap<FeedKey, Vec<(PageId, GroupId)>>,
}

fn url_of(site: &Site, section: Option<GroupId>, lang: LangId) -> String {
    match section {
        Some(s) => format!("{}atom.xml", site.groups[s].urls[lang]),
        None => format!("/{}/atom.xml", site.config.languages[lang].code),
    }
}

impl Feeds {
    pub fn new(site: &Site) -> Feeds {
        let mut lists: HashMap<FeedKey, Vec<(PageId, GroupId)>> = HashMap::new();
        for (gid, g) in site.groups.iter().enumerate() {
            if g.kind != Kind::Page {
                continue;
            }
            for lang in 0..site.config.languages.len() {
                let Some(pid) = g.members[lang] else { continue };
                if site.page(pid).front.date.is_none() {
                    continue;
                }
                lists.entry((None, lang)).or_default().push((pid, gid));
                if let Some(parent) = g.parent
                    && site.groups[parent].kind == Kind::Section
                {
                    lists
                        .entry((Some(parent), lang))
                        .or_default()
                        .push((pid, gid));
                }
            }
        }
        for list in lists.values_mut() {
            // Newest first; the same date in a stable order.
            list.sort_by(|a, b| {
                let (pa, pb) = (site.page(a.0), site.page(b.0));
                (pb.front.date, &pa.path).cmp(&(pa.front.date, &pb.path))
            });
            list.truncate(MAX_ENTRIES);
        }
        Feeds { lists }
    }

    /// The feeds a page of `gid` in `lang` links to: its language's, and its
    /// section's (for the section page itself and the pages listed in it).
    pub fn links(&self, site: &Site, gid: GroupId, lang: LangId) -> Vec<FeedLink> {
        let g = &site.groups[gid];
        let section = match g.kind {
            Kind::Section => Some(gid),
            _ => g.parent.filter(|&p| site.groups[p].kind == Kind::Section),
        };
        let mut keys = vec![(None, lang)];
        keys.extend(section.map(|s| (Some(s), lang)));
        keys.into_iter()
            .filter(|k| self.lists.contains_key(k))
            .map(|(s, l)| FeedLink {
                url: url_of(site, s, l),
                title: title_of(site, s, l),
            })
            .collect()
    }

    /// Every feed file: (path in the output folder, XML).
    pub fn files(&self, site: &Site) -> Vec<(String, String)> {
        self.keys()
            .into_iter()
            .map(|(section, lang)| {
                let xml = feed(site, section, lang, &self.lists[&(section, lang)]).to_string();
                (file_of(site, section, lang), xml)
            })
            .collect()
    }

    /// The paths of the files `files` makes.
    pub fn names(&self, site: &Site) -> Vec<String> {
        self.keys()
            .into_iter()
            .map(|(section, lang)| file_of(site, section, lang))
            .collect()
    }

    fn keys(&self) -> Vec<FeedKey> {
        let mut keys: Vec<_> = self.lists.keys().copied().collect();
        keys.sort();
        keys
    }
}

/// A feed's path in the output folder.
fn file_of(site: &Site, section: Option<GroupId>, lang: LangId) -> String {
    url_of(site, section, lang)
        .trim_start_matches('/')
        .to_string()
}

fn title_of(site: &Site, section: Option<GroupId>, lang: LangId) -> String {
    let site_title = &site.config.title[lang];
    match section {
        None => site_title.clone(),
        Some(s) => {
            let (pid, _) = site.groups[s].source(lang, site.default_lang());
            format!("{} — {site_title}", site.page(pid).front.title)
        }
    }
}

fn time(d: Date) -> atom_syndication::FixedDateTime {
    let utc = chrono::FixedOffset::east_opt(0).expect("UTC is a valid offset");
    chrono::NaiveDate::from_ymd_opt(d.year().into(), d.month() as u32, d.day() as u32)
        .and_then(|n| n.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc().with_timezone(&utc))
        .unwrap_or_default()
}

fn feed(site: &Site, section: Option<GroupId>, lang: LangId, pages: &[(PageId, GroupId)]) -> Feed {
    let code = &site.config.languages[lang].code;
    let self_url = site.config.permalink(&url_of(site, section, lang));
    let html_url = site.config.permalink(&match section {
        Some(s) => site.groups[s].urls[lang].clone(),
        None => format!("/{code}/"),
    });
    let entries: Vec<Entry> = pages
        .iter()
        .map(|&(pid, gid)| {
            let p = site.page(pid);
            let permalink = site.config.permalink(&site.groups[gid].urls[lang]);
            let published = p.front.date.map(time);
            let mut e = Entry::default();
            e.set_id(permalink.clone());
            e.set_title(Text::plain(p.front.title.clone()));
            e.set_updated(p.front.updated.map(time).or(published).unwrap_or_default());
            e.set_published(published);
            e.set_links(vec![Link {
                href: permalink,
                rel: "alternate".into(),
                hreflang: Some(code.clone()),
                mime_type: Some("text/html".into()),
                ..Default::default()
            }]);
            if let Some(s) = &p.front.summary {
                e.set_summary(Some(Text::plain(s.clone())));
            }
            e
        })
        .collect();
    let mut f = Feed::default();
    f.set_id(self_url.clone());
    f.set_title(Text::plain(title_of(site, section, lang)));
    f.set_lang(Some(code.clone()));
    f.set_updated(entries.iter().map(|e| e.updated).max().unwrap_or_default());
    f.set_authors(vec![Person {
        name: site.config.title[lang].clone(),
        ..Default::default()
    }]);
    f.set_links(vec![
        Link {
            href: self_url,
            rel: "self".into(),
            mime_type: Some("application/atom+xml".into()),
            ..Default::default()
        },
        Link {
            href: html_url,
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Default::default()
        },
    ]);
    f.set_entries(entries);
    f
}
