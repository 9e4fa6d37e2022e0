//! Plural forms of interface strings that hold a count.
//!
//! Such a string is a map of CLDR plural categories (`zero`, `one`, `two`,
//! `few`, `many`, `other`) to texts with `{n}` where the number goes:
//!
//! ```yaml
//! rate_limited_wait:
//!   one: "Try again in {n} second."
//!   other: "Try again in {n} seconds."
//! ```
//!
//! The language's rules (Arabic has six forms, Ukrainian four) come from
//! CLDR's data compiled into `icu_plurals`, never from code of ours. A
//! template picks the form with `plural(text=t.key, n=count)`; the site's
//! theme and the desk's inbox both register that function from here.

use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRules};

/// Every CLDR plural category, in the order a translator writes them.
pub const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

fn name(c: PluralCategory) -> &'static str {
    match c {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

/// Cardinal rules of `lang`; a tag CLDR does not know gets the root rules
/// (only `other`), which never picks a wrong form, only a plain one.
fn rules(lang: &str) -> Option<PluralRules> {
    let locale = Locale::try_from_str(lang).ok()?;
    PluralRules::try_new_cardinal((&locale).into()).ok()
}

/// The category of `n` in `lang`.
pub fn category(lang: &str, n: u64) -> &'static str {
    rules(lang).map_or("other", |r| name(r.category_for(n)))
}

/// The categories `lang`'s rules can select, in [`CATEGORIES`] order: the
/// forms a translator must write.
pub fn needed(lang: &str) -> Vec<&'static str> {
    let Some(r) = rules(lang) else {
        return vec!["other"];
    };
    let used: Vec<&str> = r.categories().map(name).collect();
    CATEGORIES
        .into_iter()
        .filter(|c| used.contains(c))
        .collect()
}

/// Whether `v` is a map of plural forms: an object with `other` whose keys
/// are all plural categories (so an ordinary group of strings is not one).
pub fn is_forms(v: &serde_json::Value) -> bool {
    v.as_object().is_some_and(is_forms_map)
}

/// [`is_forms`] of a map.
pub fn is_forms_map(m: &serde_json::Map<String, serde_json::Value>) -> bool {
    m.contains_key("other") && m.keys().all(|k| CATEGORIES.contains(&k.as_str()))
}

/// The categories `lang` needs that `forms` lacks.
pub fn missing(lang: &str, forms: &serde_json::Value) -> Vec<&'static str> {
    needed(lang)
        .into_iter()
        .filter(|c| forms.get(c).and_then(|v| v.as_str()).is_none())
        .collect()
}

/// The text for `n` in `lang`, with `{n}` replaced: the form of `n`'s
/// category, else `other` (a translation still missing a form reads as a
/// plain plural rather than as nothing). A plain string is taken as is.
pub fn select(lang: &str, text: &serde_json::Value, n: u64) -> Option<String> {
    let chosen = match text {
        serde_json::Value::String(s) => s.as_str(),
        serde_json::Value::Object(m) => m
            .get(category(lang, n))
            .or_else(|| m.get("other"))
            .and_then(|v| v.as_str())?,
        _ => return None,
    };
    Some(chosen.replace("{n}", &n.to_string()))
}

/// Registers `plural(text=…, n=…)` in `tera`; the language is `lang=` or
/// the context's `lang_code`.
pub fn register(tera: &mut tera::Tera) {
    tera.register_function(
        "plural",
        |kwargs: tera::Kwargs, state: &tera::State| -> tera::TeraResult<String> {
            let text: tera::Value = kwargs.must_get("text")?;
            let n: i64 = kwargs.must_get("n")?;
            let lang: String = match kwargs.get::<String>("lang")? {
                Some(l) => l,
                None => state.get::<String>("lang_code")?.unwrap_or_default(),
            };
            let text = serde_json::to_value(&text).map_err(|e| {
                tera::Error::message(format!("plural: `text` is not a string: {e}"))
            })?;
            let n = u64::try_from(n)
                .map_err(|_| tera::Error::message(format!("plural: `n` is negative ({n})")))?;
            select(&lang, &text, n).ok_or_else(|| {
                tera::Error::message("plural: `text` is neither a string nor plural forms")
            })
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn picks(lang: &str, numbers: &[u64]) -> Vec<&'static str> {
        numbers.iter().map(|&n| category(lang, n)).collect()
    }

    #[test]
    fn arabic_has_six_forms_and_ukrainian_four() {
        assert_eq!(needed("ar"), CATEGORIES);
        assert_eq!(needed("uk"), ["one", "few", "many", "other"]);
        assert_eq!(needed("ro"), ["one", "few", "other"]);
        assert_eq!(needed("en"), ["one", "other"]);
    }

    #[test]
    fn categories_follow_cldr_for_arabic_and_ukrainian() {
        let n = [0, 1, 2, 3, 5, 11, 21, 101];
        assert_eq!(
            picks("ar", &n),
            ["zero", "one", "two", "few", "few", "many", "many", "other"]
        );
        assert_eq!(
            picks("uk", &n),
            ["many", "one", "few", "few", "many", "many", "one", "one"]
        );
    }

    #[test]
    fn select_falls_back_to_other_and_fills_the_count() {
        let forms = json!({"one": "{n} giorno", "other": "{n} giorni"});
        assert_eq!(select("it", &forms, 1).unwrap(), "1 giorno");
        assert_eq!(select("it", &forms, 7).unwrap(), "7 giorni");
        // Ukrainian `few` is missing here: `other` stands in.
        assert_eq!(select("uk", &forms, 3).unwrap(), "3 giorni");
        assert_eq!(select("xx-bogus-tag-!", &forms, 1).unwrap(), "1 giorni");
        assert_eq!(select("en", &json!("{n} left"), 2).unwrap(), "2 left");
    }

    #[test]
    fn only_maps_of_categories_are_forms() {
        assert!(is_forms(&json!({"one": "a", "other": "b"})));
        assert!(!is_forms(&json!({"title": "a", "other": "b"})));
        assert!(!is_forms(&json!({"one": "a"})));
        assert_eq!(
            missing("uk", &json!({"one": "a", "other": "b"})),
            ["few", "many"]
        );
    }

    /// The shipped theme's strings through the template function, as a
    /// page renders them.
    fn rendered(lang: &str, yaml: &str, n: u64) -> String {
        let strings: serde_json::Value = crate::yaml::from_str(yaml).unwrap();
        let mut tera = tera::Tera::new();
        register(&mut tera);
        tera.add_raw_template(
            "t.html",
            "{{ plural(text=t.form.status.rate_limited_wait, n=n) }}",
        )
        .unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("t", &strings);
        ctx.insert("n", &n);
        ctx.insert("lang_code", lang);
        tera.render("t.html", &ctx).unwrap()
    }

    #[test]
    fn shipped_arabic_and_ukrainian_waits_take_the_right_form() {
        let ar = include_str!("../../themes/default/i18n/ar.yaml");
        let uk = include_str!("../../themes/default/i18n/uk.yaml");
        let n = [1, 2, 3, 5, 11, 21, 101];
        let got: Vec<String> = n.iter().map(|&n| rendered("ar", ar, n)).collect();
        assert_eq!(
            got,
            [
                "حاولوا مرة أخرى بعد ثانية واحدة.",
                "حاولوا مرة أخرى بعد ثانيتين.",
                "حاولوا مرة أخرى بعد 3 ثوانٍ.",
                "حاولوا مرة أخرى بعد 5 ثوانٍ.",
                "حاولوا مرة أخرى بعد 11 ثانية.",
                "حاولوا مرة أخرى بعد 21 ثانية.",
                "حاولوا مرة أخرى بعد 101 ثانية.",
            ]
        );
        let got: Vec<String> = n.iter().map(|&n| rendered("uk", uk, n)).collect();
        assert_eq!(
            got,
            [
                "Спробуйте ще раз через 1 секунду.",
                "Спробуйте ще раз через 2 секунди.",
                "Спробуйте ще раз через 3 секунди.",
                "Спробуйте ще раз через 5 секунд.",
                "Спробуйте ще раз через 11 секунд.",
                "Спробуйте ще раз через 21 секунду.",
                "Спробуйте ще раз через 101 секунду.",
            ]
        );
    }
}
