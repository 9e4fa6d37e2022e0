//! The form endpoint's answers (422, 429, 503, 413) rendered with the site's
//! own theme, from the site `sportello serve` keeps loaded (the last good
//! build), so an edited contact page or string shows in the next answer.

use std::sync::{Arc, RwLock};

use sportello::form::{CONTACT, FormKind};
use sportello::preview::Preview;
use sportello_forms::site_pages;
use sportello_forms::{Error, FormPages, FormState};

pub struct ThemedPages {
    pub preview: Arc<RwLock<Preview>>,
}

impl ThemedPages {
    fn with<T>(&self, f: impl FnOnce(&sportello::Project) -> T) -> Option<T> {
        let preview = self.preview.read().unwrap_or_else(|e| e.into_inner());
        preview.project().map(f)
    }
}

impl FormPages for ThemedPages {
    fn languages(&self) -> Vec<String> {
        self.with(site_pages::languages).unwrap_or_default()
    }

    fn desk_ids(&self) -> Vec<String> {
        self.with(site_pages::desk_ids).unwrap_or_default()
    }

    fn contact_url(&self, lang: &str) -> String {
        self.with(|p| site_pages::url_of(p, CONTACT.page, lang))
            .unwrap_or_else(|| format!("/{lang}/"))
    }

    fn thanks_url(&self, lang: &str) -> String {
        self.with(|p| site_pages::url_of(p, CONTACT.thanks, lang))
            .unwrap_or_else(|| format!("/{lang}/"))
    }

    fn topic_label(&self, lang: &str, topic: &str) -> Option<String> {
        self.with(|p| site_pages::topic_label(p, lang, topic))
            .flatten()
    }

    fn desk_label(&self, lang: &str, desk: &str) -> Option<String> {
        self.with(|p| site_pages::desk_label(p, lang, desk))
            .flatten()
    }

    fn render(&self, lang: &str, state: &FormState) -> Result<String, Error> {
        self.with(|p| site_pages::render_contact(p, lang, state))
            .unwrap_or(Err(Error::SiteNotReady))
    }

    fn kinds(&self) -> Vec<FormKind> {
        self.with(site_pages::kinds).unwrap_or_default()
    }

    fn render_kind(&self, kind: &FormKind, lang: &str, state: &FormState) -> Result<String, Error> {
        self.with(|p| site_pages::render_kind(p, kind, lang, state))
            .unwrap_or(Err(Error::SiteNotReady))
    }

    fn url_of(&self, key: &str, lang: &str) -> String {
        self.with(|p| site_pages::url_of(p, key, lang))
            .unwrap_or_else(|| format!("/{lang}/"))
    }

    fn field_label(&self, lang: &str, kind: &str, field: &str) -> Option<String> {
        self.with(|p| site_pages::field_label(p, lang, kind, field))
            .flatten()
    }

    fn option_label(&self, lang: &str, kind: &str, field: &str, option: &str) -> Option<String> {
        self.with(|p| site_pages::option_label(p, lang, kind, field, option))
            .flatten()
    }

    fn directory_entry(
        &self,
        data: &std::collections::BTreeMap<String, serde_json::Value>,
        lang: &str,
        consent_date: &str,
    ) -> Option<Result<(String, Vec<String>), Error>> {
        self.with(|p| site_pages::directory_entry(p, data, lang, consent_date))
    }
}
