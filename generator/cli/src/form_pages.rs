//! The form endpoint's answers (422, 429, 503, 413) rendered with the site's
//! own theme: the contact page of the reader's language, shown again with
//! what they typed, the error codes translated by the theme's strings.

use std::sync::{Arc, RwLock};

use sportello::preview::Preview;
use sportello_forms::{FormPages, FormState};

/// Renders from the site `sportello serve` keeps loaded (the last good build).
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
        self.with(|p| {
            let c = &p.site.config;
            // The default language first, as the endpoint expects.
            let mut codes = vec![c.default_code().to_string()];
            codes.extend(
                c.codes()
                    .filter(|l| *l != c.default_code())
                    .map(str::to_string),
            );
            codes
        })
        .unwrap_or_default()
    }

    fn desk_ids(&self) -> Vec<String> {
        self.with(|p| p.site.desks.iter().map(|d| d.id.clone()).collect())
            .unwrap_or_default()
    }

    fn render(&self, lang: &str, state: &FormState) -> Result<String, String> {
        let form = serde_json::to_value(state).map_err(|e| e.to_string())?;
        self.with(|p| {
            p.render_with("contact/_index", lang, "form", &form)
                .map_err(|e| e.to_string())
        })
        .unwrap_or_else(|| Err("the site has errors; fix them and save".into()))
    }
}
