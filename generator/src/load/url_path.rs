//! What an editor may write as a `slug` or an alias.
//!
//! Both become folders of the output: a `..` segment, a backslash (a folder
//! separator on Windows) or an empty segment could write outside it or onto
//! another page, and control or bidi-control characters make a URL that
//! reads differently from what it is. They are refused when front matter is
//! read, with the reason; the writer refuses such paths again
//! ([`crate::write`]).

/// Why a slug or an alias was refused: a message and a hint for the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub hint: &'static str,
}

fn refuse(message: impl Into<String>, hint: &'static str) -> Refusal {
    Refusal {
        message: message.into(),
        hint,
    }
}

/// Characters that change the direction of the text around them (Unicode
/// bidi controls): invisible, and able to make a path read as another.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A problem any segment may have, whatever it is for.
fn segment_problem(seg: &str, what: &str) -> Option<Refusal> {
    if let Some(c) = seg.chars().find(|c| c.is_control()) {
        return Some(refuse(
            format!("{what} contains a control character (U+{:04X})", c as u32),
            "retype it by hand: an invisible character was pasted with it",
        ));
    }
    if let Some(c) = seg.chars().find(|&c| is_bidi_control(c)) {
        return Some(refuse(
            format!(
                "{what} contains an invisible direction mark (U+{:04X})",
                c as u32
            ),
            "retype it by hand: direction marks make a URL look like another",
        ));
    }
    if seg.contains('\\') {
        return Some(refuse(
            format!("{what} contains a backslash `\\`"),
            "URLs separate folders with `/`",
        ));
    }
    if seg == ".." || seg == "." {
        return Some(refuse(
            format!("{what} has a `{seg}` segment"),
            "`..` and `.` would leave the page's folder; write the path from the site root",
        ));
    }
    None
}

/// A slug: exactly one URL segment.
pub fn check_slug(slug: &str) -> Result<(), Refusal> {
    const HINT: &str = "a slug is one URL segment, such as `found-an-association`";
    if slug.is_empty() {
        return Err(refuse("the slug is empty", HINT));
    }
    if let Some(p) = segment_problem(slug, "the slug") {
        return Err(p);
    }
    if let Some(c) = slug
        .chars()
        .find(|&c| matches!(c, '/' | '?' | '#' | '<' | '>' | '"' | '\'' | '`') || c.is_whitespace())
    {
        let shown = if c.is_whitespace() {
            "a space".to_string()
        } else {
            format!("`{c}`")
        };
        return Err(refuse(format!("the slug contains {shown}"), HINT));
    }
    Ok(())
}

/// An alias: a path from the site root, `/old/path/` (or `/old/page.html`).
pub fn check_alias(alias: &str) -> Result<(), Refusal> {
    const HINT: &str = "an alias is an old URL of this site, such as `/it/old-name/`";
    let Some(rest) = alias.strip_prefix('/') else {
        return Err(refuse(
            format!("alias `{alias}` does not start with `/`"),
            HINT,
        ));
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return Err(refuse(
            "the alias `/` is the site's root (the language chooser)",
            HINT,
        ));
    }
    for seg in rest.split('/') {
        if seg.is_empty() {
            return Err(refuse("the alias has an empty segment (`//`)", HINT));
        }
        if let Some(p) = segment_problem(seg, "the alias") {
            return Err(p);
        }
        if let Some(c) = seg
            .chars()
            .find(|&c| matches!(c, '?' | '#') || c.is_whitespace())
        {
            let shown = if c.is_whitespace() {
                "a space".to_string()
            } else {
                format!("`{c}`")
            };
            return Err(refuse(format!("the alias contains {shown}"), HINT));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_one_plain_segment() {
        for ok in ["found", "fondare-un-associazione", "تأسيس", "2025.7", "a_b"] {
            assert_eq!(check_slug(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "..",
            ".",
            "a/b",
            "a\\b",
            "a b",
            "a?b",
            "a#b",
            "<b>",
            "a\u{202E}b",
            "a\u{7}b",
            "a\"b",
        ] {
            assert!(check_slug(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn aliases_stay_under_the_root() {
        for ok in [
            "/old/",
            "/it/vecchia-pagina/",
            "/old.html",
            "/a/b",
            "/تأسيس/",
        ] {
            assert_eq!(check_alias(ok), Ok(()), "{ok}");
        }
        for bad in [
            "/../../somewhere/",
            "/a/../b/",
            "/./a/",
            "relative/",
            "/",
            "//",
            "/a//b/",
            "/a\\..\\b/",
            "/a\u{2066}/",
            "/a\u{0}/",
            "/a b/",
            "/a?x=1",
            "",
        ] {
            assert!(check_alias(bad).is_err(), "{bad:?}");
        }
    }
}
