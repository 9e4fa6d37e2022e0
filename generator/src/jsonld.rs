//! schema.org JSON-LD for the desks: each desk a `LocalBusiness` (a place an
//! organisation keeps, with opening hours) with its `ContactPoint`; and for
//! each association of the directory, an `Organization`.

use serde_json::{Value, json};

use crate::config::LangId;
use crate::data::DeskStatus;
use crate::data::associations::Association;
use crate::model::Site;

const SCHEMA_DAYS: [(&str, &str); 7] = [
    ("mon", "https://schema.org/Monday"),
    ("tue", "https://schema.org/Tuesday"),
    ("wed", "https://schema.org/Wednesday"),
    ("thu", "https://schema.org/Thursday"),
    ("fri", "https://schema.org/Friday"),
    ("sat", "https://schema.org/Saturday"),
    ("sun", "https://schema.org/Sunday"),
];

/// The `<script type="application/ld+json">` body for `lang`, safe to inline.
pub fn desks(site: &Site, lang: LangId) -> String {
    let code = &site.config.languages[lang].code;
    let default = site.config.default_code();
    let graph: Vec<Value> = site
        .desks
        .iter()
        .filter(|d| d.status == DeskStatus::Open)
        .map(|d| {
            let name = d.name.get(code).or_else(|| d.name.get(default)).cloned().unwrap_or_else(|| d.id.clone());
            let hours: Vec<Value> = d
                .hours
                .iter()
                .map(|h| {
                    json!({
                        "@type": "OpeningHoursSpecification",
                        "dayOfWeek": h.days.iter().filter_map(|x| SCHEMA_DAYS.iter().find(|(k, _)| k == x).map(|(_, v)| *v)).collect::<Vec<_>>(),
                        "opens": h.opens, "closes": h.closes,
                    })
                })
                .collect();
            let mut contact = json!({
                "@type": "ContactPoint",
                "contactType": "customer support",
                "areaServed": "IT-55",
                "availableLanguage": site.config.languages.iter().map(|l| l.code.clone()).collect::<Vec<_>>(),
            });
            let mut desk = json!({
                "@type": "LocalBusiness",
                "@id": site.config.permalink(&format!("/#desk-{}", d.id)),
                "name": name,
                "address": {"@type": "PostalAddress", "addressLocality": d.city, "addressRegion": "Umbria", "addressCountry": "IT"},
            });
            if let Some(p) = &d.phone {
                contact["telephone"] = json!(p);
                desk["telephone"] = json!(p);
            }
            if let Some(e) = &d.email {
                contact["email"] = json!(e);
                desk["email"] = json!(e);
            }
            if let Some(a) = &d.address {
                desk["address"]["streetAddress"] = json!(a);
            }
            if !hours.is_empty() {
                contact["hoursAvailable"] = json!(hours);
                desk["openingHoursSpecification"] = json!(hours);
            }
            desk["contactPoint"] = contact;
            desk
        })
        .collect();
    let doc = json!({"@context": "https://schema.org", "@graph": graph});
    // `</script>` inside a string would end the script element early.
    doc.to_string().replace('<', "\\u003c")
}

/// An association's `Organization`, in `lang` (its description as shown,
/// with its language), safe to inline.
pub fn association(site: &Site, a: &Association, lang: LangId) -> String {
    let code = &site.config.languages[lang].code;
    let (text, text_lang, _) = a.description_in(code, &site.config);
    let mut org = json!({
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": a.name.value,
        "description": {"@value": text, "@language": text_lang},
        "address": {
            "@type": "PostalAddress",
            "addressLocality": a.city.value,
            "addressRegion": a.province.value,
            "addressCountry": "IT",
        },
        "areaServed": a.city.value,
        "knowsLanguage": a.languages.iter().map(|l| l.value.as_str()).collect::<Vec<_>>(),
    });
    if let Some(url) = site.association_url(a, lang) {
        org["@id"] = json!(site.config.permalink(&url));
    }
    if let Some(w) = &a.website {
        org["url"] = json!(w.value);
    }
    if let Some(e) = &a.email {
        org["email"] = json!(e.value);
    }
    if let Some(p) = &a.phone {
        org["telephone"] = json!(p.value);
    }
    if let Some(f) = &a.founded {
        org["foundingDate"] = json!(f.value.to_string());
    }
    if let Some(s) = &a.source {
        org["subjectOf"] = json!({"@type": "WebPage", "url": s.value});
    }
    // `</script>` inside a string would end the script element early.
    org.to_string().replace('<', "\\u003c")
}
