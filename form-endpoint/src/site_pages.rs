//! The endpoint's answers in the site's own theme: the contact page of the
//! reader's language rendered again by the generator's library, with the
//! form's state (what they typed, errors by field, why it came back) as the
//! template variable `form`. Used by `sportello-forms serve --content …
//! --themes …` and by `sportello serve`.

use sportello::{Diagnostics, Options, Project};

use crate::Error;
use crate::pages::{FormPages, FormState};

/// The source key of the page that holds the form.
pub const CONTACT_PAGE: &str = "contact/_index";

/// Renders the contact page of `lang` with `state`.
pub fn render_contact(project: &Project, lang: &str, state: &FormState) -> Result<String, Error> {
    let form = serde_json::to_value(state)?;
    Ok(project.render_with(CONTACT_PAGE, lang, "form", &form)?)
}

/// The site's languages, the default one first.
pub fn languages(project: &Project) -> Vec<String> {
    let c = &project.site.config;
    let mut codes = vec![c.default_code().to_string()];
    codes.extend(
        c.codes()
            .filter(|l| *l != c.default_code())
            .map(str::to_string),
    );
    codes
}

pub fn desk_ids(project: &Project) -> Vec<String> {
    project.site.desks.iter().map(|d| d.id.clone()).collect()
}

/// A site loaded once, for the production endpoint.
pub struct SitePages {
    project: Project,
}

impl SitePages {
    /// Loads the site; its mistakes, as the generator reports them, are the error.
    pub fn load(opts: &Options) -> Result<SitePages, Error> {
        let mut diags = Diagnostics::default();
        match Project::load(opts, &mut diags) {
            Some(project) if !diags.has_errors() => Ok(SitePages { project }),
            _ => Err(sportello::Error::Invalid(diags).into()),
        }
    }
}

impl FormPages for SitePages {
    fn languages(&self) -> Vec<String> {
        languages(&self.project)
    }

    fn desk_ids(&self) -> Vec<String> {
        desk_ids(&self.project)
    }

    fn render(&self, lang: &str, state: &FormState) -> Result<String, Error> {
        render_contact(&self.project, lang, state)
    }
}
