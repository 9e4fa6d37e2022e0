//! Links in Markdown: resolved to URLs in the reader's language while a page
//! renders, their anchors checked once every page's headings are known.

use std::collections::HashSet;
use std::ops::Range;

use crate::config::LangId;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::SourcePage;
use crate::markdown::Links;
use crate::model::{GroupId, Link, PageId, Site};

use super::{AnchorFact, PageFacts};

pub(super) struct AnchorRef {
    group: GroupId,
    lang: LangId,
    anchor: String,
    range: Range<usize>,
}

impl AnchorRef {
    pub(super) fn fact(&self, site: &Site) -> AnchorFact {
        AnchorFact {
            group: site.groups[self.group].key.clone(),
            lang: site.config.languages[self.lang].code.clone(),
            anchor: self.anchor.clone(),
            start: self.range.start,
            end: self.range.end,
        }
    }
}

/// Checks every anchor link of `facts` (by page) against the heading ids the
/// target pages have; `only` limits the check to links into those groups or
/// from those pages (a preview after editing a few pages).
pub fn check_anchors(
    site: &Site,
    facts: &[PageFacts],
    only: Option<(&HashSet<GroupId>, &HashSet<PageId>)>,
    diags: &mut Diagnostics,
) {
    let default = site.default_lang();
    for (from, f) in facts.iter().enumerate() {
        for a in &f.anchors {
            let (Some(group), Some(lang)) = (
                site.by_key.get(&a.group).copied(),
                site.config.lang(&a.lang),
            ) else {
                continue;
            };
            if let Some((groups, pages)) = only
                && !groups.contains(&group)
                && !pages.contains(&from)
            {
                continue;
            }
            let target = site.groups[group].source(lang, default).0;
            let known = &facts[target].ids;
            if known.contains(&a.anchor) {
                continue;
            }
            let page = site.page(from);
            let mut sorted: Vec<&str> = known.iter().map(String::as_str).collect();
            sorted.sort_unstable();
            let d = Diagnostic::error(
                &page.path,
                format!(
                    "anchor `#{}` does not exist in {}",
                    a.anchor,
                    site.page(target).path
                ),
            )
            .at(page.text(), a.start..a.end)
            .label("broken anchor");
            diags.push(match crate::diagnostic::closest(&a.anchor, &sorted) {
                Some(k) => d.hint(format!("did you mean `#{k}`?")),
                None if sorted.is_empty() => d.hint("that page has no headings"),
                None => d.hint(format!(
                    "anchors there: {}",
                    sorted
                        .iter()
                        .take(10)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            });
        }
    }
}

pub(super) struct LinkCtx<'a> {
    pub(super) site: &'a Site,
    pub(super) from: &'a SourcePage,
    pub(super) lang: LangId,
    pub(super) problems: Vec<Diagnostic>,
    pub(super) anchors: Vec<AnchorRef>,
}

impl Links for LinkCtx<'_> {
    fn resolve(&mut self, dest: &str, range: Range<usize>) -> Option<String> {
        let file_range = self.from.body_start + range.start..self.from.body_start + range.end;
        match self.site.resolve_link(self.from, dest, self.lang) {
            Link::External => None,
            Link::SamePage { anchor } => {
                if let Some(&g) = self.site.by_key.get(self.from.key()) {
                    self.anchors.push(AnchorRef {
                        group: g,
                        lang: self.from.lang,
                        anchor,
                        range: file_range,
                    });
                }
                None
            }
            Link::Asset { url } => Some(url),
            Link::Page {
                url,
                group,
                lang,
                anchor,
            } => {
                if let Some(anchor) = anchor {
                    self.anchors.push(AnchorRef {
                        group,
                        lang,
                        anchor,
                        range: file_range,
                    });
                }
                Some(url)
            }
            Link::Broken { hint } => {
                self.problems.push(
                    Diagnostic::error(
                        &self.from.path,
                        format!("link target `{dest}` does not exist"),
                    )
                    .at(self.from.text(), file_range)
                    .label("broken link")
                    .hint(hint),
                );
                None
            }
        }
    }
}
