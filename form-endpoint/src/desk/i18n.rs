//! The inbox's interface strings, one YAML file per language embedded in
//! the binary (the endpoint also runs without a site theme). A key missing
//! in a language falls back to Italian, the desk's language.

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
    strings: BTreeMap<&'static str, BTreeMap<String, String>>,
}

impl Strings {
    pub fn load() -> Result<Self, Error> {
        let mut strings = BTreeMap::new();
        let mut languages = Vec::new();
        for (code, name, dir, text) in SOURCES {
            let map: BTreeMap<String, String> = sportello::yaml::from_str(text).map_err(|e| {
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

    pub fn table(&self, lang: &str) -> &BTreeMap<String, String> {
        self.strings
            .get(lang)
            .or_else(|| self.strings.get(DEFAULT_LANG))
            .unwrap_or(&EMPTY)
    }

    /// One string, for messages built in code (flash messages).
    pub fn get(&self, lang: &str, key: &str) -> String {
        self.table(lang)
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }
}

static EMPTY: BTreeMap<String, String> = BTreeMap::new();
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
            let map: BTreeMap<String, String> =
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
}
