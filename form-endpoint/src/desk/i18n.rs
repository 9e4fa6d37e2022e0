//! The inbox's interface strings, one YAML file per language embedded in
//! the binary (the endpoint also runs without a site theme). A key missing
//! in a language falls back to Italian, the desk's language. A string with
//! a count is a map of plural forms (`one`, `few`…, see `sportello::plural`),
//! picked by the language's CLDR rules with [`Strings::count`] in code and
//! `plural(text=…, n=…)` in templates.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::Error;

/// Code, name in its own language, direction, strings.
const SOURCES: [(&str, &str, &str, &str); 7] = [
    ("it", "Italiano", "ltr", include_str!("i18n/it.yaml")),
    ("en", "English", "ltr", include_str!("i18n/en.yaml")),
    ("fr", "Français", "ltr", include_str!("i18n/fr.yaml")),
    ("ar", "العربية", "rtl", include_str!("i18n/ar.yaml")),
    ("ro", "Română", "ltr", include_str!("i18n/ro.yaml")),
    ("sq", "Shqip", "ltr", include_str!("i18n/sq.yaml")),
    ("uk", "Українська", "ltr", include_str!("i18n/uk.yaml")),
];

pub const DEFAULT_LANG: &str = "it";

/// The one map of strings that is not plural forms: each language's name.
const LANGUAGE_NAMES: &str = "language_names";

/// A language the inbox speaks.
#[derive(Debug, Clone, Serialize)]
pub struct Language {
    pub code: &'static str,
    pub name: &'static str,
    pub dir: &'static str,
}

/// Every language's strings, Italian filled in where one is missing.
#[derive(Debug)]
pub struct Strings {
    languages: Vec<Language>,
    strings: BTreeMap<&'static str, BTreeMap<String, Text>>,
}

/// A string, or a map of plural forms: kept as YAML gave it, since templates
/// and [`sportello::plural`] read either.
type Text = serde_json::Value;

impl Strings {
    pub fn load() -> Result<Self, Error> {
        let mut strings = BTreeMap::new();
        let mut languages = Vec::new();
        for (code, name, dir, text) in SOURCES {
            let map: BTreeMap<String, Text> = sportello::yaml::from_str(text).map_err(|e| {
                Error::Render(format!(
                    "desk strings {code}.yaml:{}:{}: {}",
                    e.line, e.column, e.message
                ))
            })?;
            strings.insert(code, map);
            languages.push(Language { code, name, dir });
        }
        let base = strings.get(DEFAULT_LANG).cloned().unwrap_or_default();
        for map in strings.values_mut() {
            for (k, v) in &base {
                map.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        Ok(Self { languages, strings })
    }

    pub fn languages(&self) -> &[Language] {
        &self.languages
    }

    /// The known language `code`, or Italian.
    pub fn language(&self, code: Option<&str>) -> &Language {
        code.and_then(|c| self.languages.iter().find(|l| l.code == c))
            .or_else(|| self.languages.first())
            .unwrap_or(&FALLBACK)
    }

    pub fn is_known(&self, code: &str) -> bool {
        self.languages.iter().any(|l| l.code == code)
    }

    pub fn table(&self, lang: &str) -> &BTreeMap<String, Text> {
        self.strings
            .get(lang)
            .or_else(|| self.strings.get(DEFAULT_LANG))
            .unwrap_or(&EMPTY)
    }

    /// One string, for messages built in code (flash messages).
    pub fn get(&self, lang: &str, key: &str) -> String {
        self.table(lang)
            .get(key)
            .and_then(|v| v.as_str())
            .map_or_else(|| key.to_owned(), str::to_owned)
    }

    /// The language `code` named in `lang` ("French" in English), from
    /// `language_names`; a language not listed shows its code, as the queue
    /// holds it.
    pub fn language_name(&self, lang: &str, code: &str) -> String {
        self.table(lang)
            .get(LANGUAGE_NAMES)
            .and_then(|names| names.get(code))
            .and_then(|name| name.as_str())
            .map_or_else(|| code.to_owned(), str::to_owned)
    }

    /// The string `key` for the count `n`: its form for `n` in `lang`, with
    /// `{n}` filled in.
    pub fn count(&self, lang: &str, key: &str, n: u64) -> String {
        self.table(lang)
            .get(key)
            .and_then(|v| sportello::plural::select(lang, v, n))
            .unwrap_or_else(|| key.to_owned())
    }
}

static EMPTY: BTreeMap<String, Text> = BTreeMap::new();
static FALLBACK: Language = Language {
    code: "it",
    name: "Italiano",
    dir: "ltr",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_italian_key() {
        let mut italian = None;
        for (code, _, _, text) in SOURCES {
            let map: BTreeMap<String, Text> =
                sportello::yaml::from_str(text).unwrap_or_else(|e| panic!("{code}: {}", e.message));
            let keys: Vec<String> = map.keys().cloned().collect();
            match &italian {
                None => italian = Some(keys),
                Some(it) => {
                    let missing: Vec<&String> = it.iter().filter(|k| !keys.contains(k)).collect();
                    assert!(missing.is_empty(), "{code} lacks {missing:?}");
                }
            }
        }
    }

    #[test]
    fn every_plural_string_has_the_forms_its_language_needs() {
        for (code, _, _, text) in SOURCES {
            let map: BTreeMap<String, Text> = sportello::yaml::from_str(text).unwrap();
            for (key, v) in &map {
                if v.is_object() && key != LANGUAGE_NAMES {
                    assert!(
                        sportello::plural::is_forms(v),
                        "{code} {key}: not plural forms"
                    );
                    let missing = sportello::plural::missing(code, v);
                    assert!(missing.is_empty(), "{code} {key} lacks {missing:?}");
                }
            }
        }
    }

    #[test]
    fn every_language_names_every_language_in_its_own_words() {
        let s = Strings::load().unwrap();
        for lang in s.languages() {
            for named in s.languages() {
                let name = s.language_name(lang.code, named.code);
                assert_ne!(
                    name, named.code,
                    "{} does not name {}",
                    lang.code, named.code
                );
                if lang.code != DEFAULT_LANG && named.code != lang.code {
                    assert_ne!(
                        name,
                        s.language_name(DEFAULT_LANG, named.code),
                        "{} names {} as Italian does",
                        lang.code,
                        named.code
                    );
                }
            }
        }
        assert_eq!(s.language_name("en", "uk"), "Ukrainian");
        assert_eq!(s.language_name("en", "xx"), "xx", "not listed: its code");
    }

    #[test]
    fn arabic_and_ukrainian_ages_take_the_right_plural_form() {
        let s = Strings::load().unwrap();
        let ar: Vec<String> = [1, 2, 3, 5, 11, 21, 101]
            .iter()
            .map(|&n| s.count("ar", "age_days", n))
            .collect();
        assert_eq!(
            ar,
            [
                "منذ يوم",
                "منذ يومين",
                "منذ 3 أيام",
                "منذ 5 أيام",
                "منذ 11 يومًا",
                "منذ 21 يومًا",
                "منذ 101 يوم"
            ]
        );
        let uk: Vec<String> = [1, 2, 3, 5, 11, 21, 101]
            .iter()
            .map(|&n| s.count("uk", "age_days", n))
            .collect();
        assert_eq!(
            uk,
            [
                "1 день тому",
                "2 дні тому",
                "3 дні тому",
                "5 днів тому",
                "11 днів тому",
                "21 день тому",
                "101 день тому"
            ]
        );
        assert_eq!(s.count("en", "flash_purged", 1), "1 request deleted.");
        assert_eq!(s.count("en", "flash_purged", 4), "4 requests deleted.");
    }
}
