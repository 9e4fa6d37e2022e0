//! The form endpoint's answers (422, 429, 503, 413) rendered with the site's
//! own theme: the contact page of the reader's language, shown again with
//! what they typed, the error codes translated by the theme's strings.

use std::sync::{Arc, RwLock};

use sportello::{Diagnostics, Options, Project};
use sportello_forms::{FormPages, FormState};

/// The loaded site, reloaded after every rebuild of `sportello serve`.
pub struct ThemedPages {
    opts: Options,
    project: RwLock<Option<Arc<Project>>>,
}

impl ThemedPages {
    pub fn new(opts: Options) -> Self {
        let pages = ThemedPages {
            opts,
            project: RwLock::new(None),
        };
        pages.reload();
        pages
    }

    /// Loads the site again; a site with mistakes keeps the last good one.
    pub fn reload(&self) {
        let mut diags = Diagnostics::default();
        if let Some(p) = Project::load(&self.opts, &mut diags).filter(|_| !diags.has_errors()) {
            *self.project.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(p));
        }
    }

    fn project(&self) -> Option<Arc<Project>> {
        self.project
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl FormPages for ThemedPages {
    fn languages(&self) -> Vec<String> {
        let Some(p) = self.project() else {
            return Vec::new();
        };
        let c = &p.site.config;
        // The default language first, as the endpoint expects.
        let mut codes = vec![c.default_code().to_string()];
        codes.extend(
            c.codes()
                .filter(|l| *l != c.default_code())
                .map(str::to_string),
        );
        codes
    }

    fn desk_ids(&self) -> Vec<String> {
        self.project()
            .map(|p| p.site.desks.iter().map(|d| d.id.clone()).collect())
            .unwrap_or_default()
    }

    fn render(&self, lang: &str, state: &FormState) -> Result<String, String> {
        let p = self
            .project()
            .ok_or("the site has errors; fix them and save")?;
        let form = serde_json::to_value(state).map_err(|e| e.to_string())?;
        p.render_with("contact/_index", lang, "form", &form)
            .map_err(|e| e.to_string())
    }
}
