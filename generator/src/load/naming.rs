//! What a file's name says: page or not, its name, its language.
//!
//! `NAME.LANG.md` is NAME in LANG; `NAME.md` is NAME in the default language.
//! A last dotted part shaped like a language tag that is not configured is an
//! editor's mistake (reported by the caller); a part of another shape belongs
//! to the name (`2025.7.md` is page `2025.7`).

/// True for a language tag as the content contract allows: 2–3 ASCII letters,
/// optionally `-` and 2–8 letters or digits (`it`, `zh-cn`, `es-419`).
pub fn is_language_tag(s: &str) -> bool {
    let (primary, rest) = match s.split_once('-') {
        Some((p, r)) => (p, Some(r)),
        None => (s, None),
    };
    let primary_ok =
        (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic());
    let rest_ok = rest
        .is_none_or(|r| (2..=8).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric()));
    primary_ok && rest_ok
}

/// A Markdown file's stem split into page name and language suffix.
#[derive(Debug, PartialEq, Eq)]
pub struct PageName<'a> {
    pub name: &'a str,
    /// The suffix, if the last dotted part is shaped like a language tag.
    pub lang: Option<&'a str>,
}

/// Splits `found.ar` into (`found`, `ar`) and `2025.7` into (`2025.7`, none).
pub fn split_stem(stem: &str) -> PageName<'_> {
    match stem.rsplit_once('.') {
        Some((name, suffix)) if !name.is_empty() && is_language_tag(suffix) => PageName {
            name,
            lang: Some(suffix),
        },
        _ => PageName {
            name: stem,
            lang: None,
        },
    }
}

/// Files and folders that are not content: `_name` (other than `_index`) and `.name`.
pub fn is_ignored(file_name: &str) -> bool {
    file_name.starts_with('.') || (file_name.starts_with('_') && !is_index_file(file_name))
}

fn is_index_file(file_name: &str) -> bool {
    file_name == "_index.md" || (file_name.starts_with("_index.") && file_name.ends_with(".md"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        for ok in ["it", "ar", "zh-cn", "es-419", "sq", "ukr"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in ["", "i", "itaa", "7", "en-", "en-a", "e1"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn dotted_names_keep_non_language_parts() {
        assert_eq!(
            split_stem("found.ar"),
            PageName {
                name: "found",
                lang: Some("ar")
            }
        );
        assert_eq!(
            split_stem("2025.7"),
            PageName {
                name: "2025.7",
                lang: None
            }
        );
        assert_eq!(
            split_stem("2025.7.en"),
            PageName {
                name: "2025.7",
                lang: Some("en")
            }
        );
        assert_eq!(
            split_stem("found"),
            PageName {
                name: "found",
                lang: None
            }
        );
        assert_eq!(
            split_stem("_index.zh-cn"),
            PageName {
                name: "_index",
                lang: Some("zh-cn")
            }
        );
    }

    #[test]
    fn underscore_and_dot_files_are_not_content() {
        assert!(is_ignored("_data"));
        assert!(is_ignored(".git"));
        assert!(is_ignored("_draft.md"));
        assert!(!is_ignored("_index.it.md"));
        assert!(!is_ignored("_index.md"));
        assert!(!is_ignored("found.md"));
    }
}
