//! Markdown → HTML with pulldown-cmark, plus what the site needs from it:
//! heading ids (explicit `{#id}` or derived from the text), a table of
//! contents, and every link target handed to a resolver that turns source
//! paths into URLs in the reader's language.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// A heading of a page, for its table of contents and anchor checks.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// What the renderer asks about each link.
pub trait Links {
    /// The URL to write for `dest`, or `None` to keep it; `range` is the
    /// link's byte range in the Markdown, for locating problems.
    fn resolve(&mut self, dest: &str, range: Range<usize>) -> Option<String>;
}

pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    /// Ids declared in raw HTML (`<a id="general">`): anchors too, since
    /// editors who bring pages from elsewhere link to them.
    pub html_ids: Vec<String>,
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `markdown`, resolving links through `links`. In right-to-left
/// text (`rtl`), a link whose text has no right-to-left letter (a phone
/// number, an e-mail address, a URL) is isolated as left-to-right, so that
/// its parts keep their order ("0744 812786" does not become "812786 0744").
pub fn render(markdown: &str, links: &mut dyn Links, rtl: bool) -> Rendered {
    let mut events: Vec<Event> = Vec::with_capacity(markdown.len() / 8);
    let mut headings = Vec::new();
    let mut used: HashSet<String> = HashSet::new();
    // Index in `events` of an open heading, and its text so far.
    let mut open: Option<(usize, String)> = None;
    let mut html_ids = Vec::new();
    // The same for an open link (links do not nest).
    let mut open_link: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                open_link = Some((events.len(), String::new()));
                // `<name@example.org>`: the HTML writer adds `mailto:`.
                let dest_url = if link_type == LinkType::Email {
                    dest_url
                } else {
                    resolved(links, dest_url, range)
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Link) => {
                if let Some((at, text)) = open_link.take()
                    && rtl
                    && !has_rtl_letter(&text)
                {
                    events.insert(at, Event::InlineHtml(CowStr::from(ISOLATE_LTR)));
                    events.push(Event::End(TagEnd::Link));
                    Event::InlineHtml(CowStr::from("</bdi>"))
                } else {
                    Event::End(TagEnd::Link)
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = resolved(links, dest_url, range);
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            e @ Event::Start(Tag::Heading { .. }) => {
                open = Some((events.len(), String::new()));
                e
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((at, text)) = open.take()
                    && let Event::Start(Tag::Heading { id, .. }) = &mut events[at]
                {
                    let wanted = match id.take() {
                        Some(explicit) => explicit.to_string(),
                        None => slugify(&text),
                    };
                    let unique = unique_id(&wanted, &mut used);
                    *id = Some(CowStr::from(unique.clone()));
                    headings.push(Heading {
                        level: heading_level(level),
                        id: unique,
                        title: text.trim().to_string(),
                    });
                }
                Event::End(TagEnd::Heading(level))
            }
            e @ (Event::Html(_) | Event::InlineHtml(_)) => {
                if let Event::Html(raw) | Event::InlineHtml(raw) = &e {
                    declared_ids(raw, &mut html_ids);
                }
                e
            }
            e => {
                for (_, text) in [&mut open, &mut open_link].into_iter().flatten() {
                    match &e {
                        Event::Text(t) | Event::Code(t) => text.push_str(t),
                        Event::SoftBreak | Event::HardBreak => text.push(' '),
                        _ => {}
                    }
                }
                e
            }
        };
        events.push(event);
    }
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Rendered {
        html,
        headings,
        html_ids,
    }
}

/// The values of `id` attributes in a piece of raw HTML.
fn declared_ids(raw: &str, out: &mut Vec<String>) {
    let mut rest = raw;
    while let Some(at) = rest.find("id=") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + 3..];
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if let Some(end) = rest[1..].find(quote) {
            out.push(rest[1..1 + end].to_string());
            rest = &rest[1 + end..];
        }
    }
}

/// A link or image target as the resolver rewrites it (or as written).
fn resolved<'a>(links: &mut dyn Links, dest: CowStr<'a>, range: Range<usize>) -> CowStr<'a> {
    match links.resolve(&dest, range) {
        Some(url) => CowStr::from(url),
        None => dest,
    }
}

fn heading_level(l: HeadingLevel) -> u8 {
    l as u8
}

fn unique_id(wanted: &str, used: &mut HashSet<String>) -> String {
    if used.insert(wanted.to_string()) {
        return wanted.to_string();
    }
    (1..)
        .map(|n| format!("{wanted}-{n}"))
        .find(|c| used.insert(c.clone()))
        .unwrap_or_default()
}

/// Opens a left-to-right isolate: `dir="ltr"` rather than `<bdi>` alone,
/// whose automatic direction would follow the page for text with no letter
/// at all (a phone number).
const ISOLATE_LTR: &str = "<bdi dir=\"ltr\">";

/// Whether `text` holds a right-to-left letter (Arabic, Hebrew, Syriac…).
fn has_rtl_letter(text: &str) -> bool {
    use unicode_bidi::BidiClass;
    text.chars()
        .any(|c| matches!(unicode_bidi::bidi_class(c), BidiClass::R | BidiClass::AL))
}

/// An id from heading text, by GitHub's rules (Hugo's default too), so
/// anchors copied from there keep working: lowercased; letters, digits and
/// marks of every script kept, with `-` and `_`; every space becomes `-`;
/// other punctuation and symbols are dropped (`llms.txt Support` →
/// `llmstxt-support`).
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' || is_mark(c) {
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            out.push('-');
        }
    }
    if out.is_empty() {
        "section".into()
    } else {
        out
    }
}

/// Combining marks (Arabic vowel signs, Devanagari matras…) belong to the
/// word they are written on.
fn is_mark(c: char) -> bool {
    use unicode_bidi::BidiClass;
    unicode_bidi::bidi_class(c) == BidiClass::NSM
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Keep(Vec<String>);
    impl Links for Keep {
        fn resolve(&mut self, dest: &str, _: Range<usize>) -> Option<String> {
            self.0.push(dest.to_string());
            dest.strip_suffix(".md").map(|s| format!("/it/{s}/"))
        }
    }

    #[test]
    fn headings_get_explicit_or_derived_unique_ids() {
        let r = render(
            "## Scegliete la forma {#choose-the-form}\n\n## Soci fondatori\n\n### Soci fondatori\n\n## مرحبا بكم\n",
            &mut Keep(vec![]),
            false,
        );
        let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "choose-the-form",
                "soci-fondatori",
                "soci-fondatori-1",
                "مرحبا-بكم"
            ]
        );
        assert!(
            r.html
                .contains(r#"<h2 id="choose-the-form">Scegliete la forma</h2>"#),
            "{}",
            r.html
        );
        assert_eq!(r.headings[0].title, "Scegliete la forma");
    }

    #[test]
    fn ids_declared_in_raw_html_are_anchors() {
        let r = render(
            "# <a id=\"general\">General</a>\n\n<div class='x' id='def-CA'>\n\nText <span data-id=\"no\" id=\"inline\">x</span>\n",
            &mut Keep(vec![]),
            false,
        );
        assert_eq!(r.html_ids, ["general", "def-CA", "inline"]);
    }

    #[test]
    fn links_go_through_the_resolver() {
        let mut k = Keep(vec![]);
        let r = render("[a](statute.md) and [b](https://x.org)", &mut k, false);
        assert_eq!(k.0, ["statute.md", "https://x.org"]);
        assert!(r.html.contains(r#"href="/it/statute/""#));
        assert!(r.html.contains(r#"href="https://x.org""#));
    }

    #[test]
    fn extensions_are_on() {
        let r = render(
            "| a |\n|---|\n| b |\n\n~~x~~ \"q\"[^1]\n\n- [x] done\n\n[^1]: note\n",
            &mut Keep(vec![]),
            false,
        );
        for needle in ["<table>", "<del>x</del>", "“q”", "footnote", "checkbox"] {
            assert!(r.html.contains(needle), "{needle}: {}", r.html);
        }
    }

    #[test]
    fn heading_ids_follow_githubs_rules() {
        let r = render(
            "### llms.txt Support\n\n## Step 1: Choose the form!\n\n## A & B\n\n## snake_case and kebab-case\n\n## Die Straße\n\n## Що робити?\n\n## ما العمل؟\n\n## नमस्ते दुनिया\n\n## Step 1: Choose the form!\n\n## Step 1: Choose the form!\n\n## Explicit wins {#my-id}\n",
            &mut Keep(vec![]),
            false,
        );
        let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "llmstxt-support",
                "step-1-choose-the-form",
                "a--b",
                "snake_case-and-kebab-case",
                "die-straße",
                "що-робити",
                "ما-العمل",
                "नमस्ते-दुनिया",
                "step-1-choose-the-form-1",
                "step-1-choose-the-form-2",
                "my-id",
            ]
        );
    }

    #[test]
    fn email_autolinks_become_mailto_links_and_are_not_resolved() {
        let mut k = Keep(vec![]);
        let r = render("Scrivete a <someone@example.org>.", &mut k, false);
        assert!(k.0.is_empty(), "{:?}", k.0);
        assert!(
            r.html
                .contains(r#"<a href="mailto:someone@example.org">someone@example.org</a>"#),
            "{}",
            r.html
        );
    }

    #[test]
    fn left_to_right_links_are_isolated_in_right_to_left_text() {
        let md = "اتصلوا بـ [0744 812786](tel:+390744812786) أو <info@example.org> أو [الصفحة](https://x.org) أو [Terni 2](https://y.org)";
        let r = render(md, &mut Keep(vec![]), true);
        assert!(
            r.html
                .contains(r#"<bdi dir="ltr"><a href="tel:+390744812786">0744 812786</a></bdi>"#),
            "{}",
            r.html
        );
        assert!(
            r.html.contains(
                r#"<bdi dir="ltr"><a href="mailto:info@example.org">info@example.org</a></bdi>"#
            ),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains(r#"<bdi dir="ltr"><a href="https://y.org">Terni 2</a></bdi>"#),
            "{}",
            r.html
        );
        // Arabic link text follows the page.
        assert!(
            r.html.contains(r#"أو <a href="https://x.org">الصفحة</a>"#),
            "{}",
            r.html
        );
        // Left-to-right pages are left alone.
        let r = render(md, &mut Keep(vec![]), false);
        assert!(!r.html.contains("<bdi"), "{}", r.html);
    }
}
