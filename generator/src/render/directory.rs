//! The directory of associations: the values its pages show in one
//! language (by sector, by city, with counts) and each association's page.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;
use tera::Value;

use super::{DateValue, Renderer};
use crate::config::LangId;
use crate::data::associations::{Association, SECTORS};
use crate::diagnostic::Diagnostic;
use crate::model::Site;

#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    name: &'a str,
    url: Option<String>,
    city: &'a str,
    province: &'a str,
    sectors: Vec<Label<'a>>,
    languages: Vec<Spoken<'a>>,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    phone_href: Option<String>,
    website: Option<&'a str>,
    description: Description<'a>,
    founded: Option<i64>,
    runts: Option<&'a str>,
    source: Option<&'a str>,
    consent_date: Option<DateValue>,
}

/// A language the association works in: the site's name for it (its
/// autonym, marked with `lang` by the template) or, for another language,
/// its code.
#[derive(Serialize)]
struct Spoken<'a> {
    code: &'a str,
    label: String,
    autonym: bool,
}

#[derive(Serialize, Clone)]
struct Label<'a> {
    id: &'a str,
    label: String,
}

/// The text shown, in its own language: on a fallback the template marks
/// it with `lang`/`dir` and says which language it is in.
#[derive(Serialize)]
struct Description<'a> {
    text: &'a str,
    lang: &'a str,
    lang_name: &'a str,
    dir: &'a str,
    is_fallback: bool,
}

#[derive(Serialize)]
struct Group<'e, 'a> {
    id: String,
    label: String,
    province: Option<&'a str>,
    count: usize,
    associations: Vec<&'e Entry<'a>>,
}

fn entry<'a>(
    site: &'a Site,
    strings: &'a serde_json::Value,
    a: &'a Association,
    lang: LangId,
) -> Entry<'a> {
    let config = &site.config;
    let code = &config.languages[lang].code;
    let (text, text_lang, is_fallback) = a.description_in(code, config);
    let text_lang_id = config.lang(text_lang).unwrap_or(lang);
    let language = &config.languages[text_lang_id];
    Entry {
        id: &a.id.value,
        name: &a.name.value,
        url: site.association_url(a, lang),
        city: &a.city.value,
        province: &a.province.value,
        sectors: a
            .sectors
            .iter()
            .map(|s| sector_label(strings, &s.value))
            .collect(),
        languages: a
            .languages
            .iter()
            .map(|l| {
                let known = config.lang(&l.value);
                Spoken {
                    code: &l.value,
                    label: known
                        .map_or_else(|| l.value.clone(), |i| config.languages[i].name.clone()),
                    autonym: known.is_some(),
                }
            })
            .collect(),
        email: a.email.as_ref().map(|e| e.value.as_str()),
        phone: a.phone.as_ref().map(|p| p.value.as_str()),
        phone_href: a.phone.as_ref().map(|p| {
            let digits: String = p
                .value
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            format!("tel:{digits}")
        }),
        website: a.website.as_ref().map(|w| w.value.as_str()),
        description: Description {
            text,
            lang: &language.code,
            lang_name: super::language_name(strings, language),
            dir: &language.dir,
            is_fallback,
        },
        founded: a.founded.as_ref().map(|f| f.value),
        runts: a.runts.as_ref().map(|r| r.value.as_str()),
        source: a.source.as_ref().map(|s| s.value.as_str()),
        consent_date: a.consent_day().map(Into::into),
    }
}

fn sector_label<'a>(strings: &serde_json::Value, id: &'a str) -> Label<'a> {
    Label {
        id,
        label: strings["sectors"][id].as_str().unwrap_or(id).to_string(),
    }
}

/// `directory` for the templates of `lang`: `associations` (sorted by
/// name), `by_sector` and `by_city` (each with its `count` and its
/// `associations`; only sectors and cities that have some), `total`, and
/// the URLs of the two directory pages.
pub(super) fn values(site: &Site, strings: &serde_json::Value, lang: LangId) -> Value {
    let entries: Vec<Entry> = site
        .associations
        .iter()
        .map(|a| entry(site, strings, a, lang))
        .collect();
    let by_sector: Vec<Group> = SECTORS
        .iter()
        .map(|&s| {
            let members: Vec<&Entry> = entries
                .iter()
                .filter(|e| e.sectors.iter().any(|x| x.id == s))
                .collect();
            Group {
                id: s.to_string(),
                label: sector_label(strings, s).label,
                province: None,
                count: members.len(),
                associations: members,
            }
        })
        .filter(|g| g.count > 0)
        .collect();
    let mut cities: BTreeMap<(String, &str, &str), Vec<&Entry>> = BTreeMap::new();
    for e in &entries {
        cities
            .entry((e.city.to_lowercase(), e.city, e.province))
            .or_default()
            .push(e);
    }
    let by_city: Vec<Group> = cities
        .into_iter()
        .map(|((_, city, province), members)| Group {
            id: city_anchor(city),
            label: city.to_string(),
            province: Some(province),
            count: members.len(),
            associations: members,
        })
        .collect();
    let url = |g: Option<usize>| g.map(|g| site.groups[g].urls[lang].clone());
    Value::from_serializable(&json!({
        "total": entries.len(),
        "associations": &entries,
        "by_sector": by_sector,
        "by_city": by_city,
        "sector_url": url(site.directory.by_sector),
        "city_url": url(site.directory.by_city),
    }))
}

/// A heading id for a city: letters kept (of every script), the rest `-`.
fn city_anchor(city: &str) -> String {
    let s: String = city
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                '-'
            }
        })
        .collect();
    format!("city-{s}")
}

/// An association's page: its URL and its HTML, or why it did not render.
pub(super) type AssociationPage = (String, Result<String, Box<Diagnostic>>);

impl Renderer<'_> {
    /// Every association's page in `lang`.
    pub(super) fn association_pages(&self, lang: LangId) -> Vec<AssociationPage> {
        let site = self.site;
        let Some(dir) = site.directory.by_sector else {
            return Vec::new();
        };
        let strings = &self.theme.strings[lang];
        let nlang = site.config.languages.len();
        let mut crumbs = self.breadcrumbs(dir, lang);
        let item = self.list_item(dir, lang);
        crumbs.push(super::Crumb {
            title: item.title,
            url: item.url,
        });
        site.associations
            .iter()
            .filter_map(|a| {
                let url = site.association_url(a, lang)?;
                let e = entry(site, strings, a, lang);
                let mut ctx = self.base_context(lang);
                let permalink = site.config.permalink(&url);
                let l = &site.config.languages[lang];
                ctx.insert(
                    "page",
                    &json!({
                        "key": format!("association:{}", a.id.value), "kind": "association",
                        "title": a.name.value, "summary": e.description.text, "content": "",
                        "url": url, "permalink": permalink, "content_lang": l.code,
                        "content_dir": l.dir, "is_fallback": false, "draft": false,
                        "template": "association",
                    }),
                );
                ctx.insert("canonical", &permalink);
                let translations: Vec<serde_json::Value> = (0..nlang)
                    .filter_map(|o| {
                        let x = &site.config.languages[o];
                        site.association_url(a, o).map(|u| json!({"code": x.code, "name": x.name, "dir": x.dir, "url": u, "translated": true, "current": o == lang}))
                    })
                    .collect();
                let mut alternates: Vec<serde_json::Value> = (0..nlang)
                    .filter_map(|o| {
                        site.association_url(a, o).map(|u| json!({"hreflang": site.config.languages[o].code, "href": site.config.permalink(&u)}))
                    })
                    .collect();
                if let Some(u) = site.association_url(a, site.default_lang()) {
                    alternates.push(json!({"hreflang": "x-default", "href": site.config.permalink(&u)}));
                }
                ctx.insert("translations", &translations);
                ctx.insert("alternates", &alternates);
                ctx.insert("breadcrumbs", &crumbs);
                ctx.insert("feeds", &Vec::<()>::new());
                ctx.insert("association", &e);
                ctx.insert_value(
                    "association_jsonld",
                    Value::safe_string(&crate::jsonld::association(site, a, lang)),
                );
                let html = self
                    .theme
                    .tera
                    .render("association.html", &ctx)
                    .map_err(|err| {
                        Box::new(self.theme.diagnostic(
                            &err,
                            &format!("rendering association `{}` in `{}`", a.id.value, l.code),
                        ))
                    });
                Some((url, html))
            })
            .collect()
    }
}
