//! The endpoint's answers in the site's own theme: the contact page of the
//! reader's language rendered again by the generator's library, with the
//! form's state (what they typed, errors by field, why it came back) as the
//! template variable `form`. Used by `sportello-forms serve --content …
//! --themes …` and by `sportello serve`.

use sportello::form::CONTACT;
use sportello::{Diagnostics, Options, Project};

use crate::Error;
use crate::pages::{FormPages, FormState};

/// The source key of the page that holds the form.
pub const CONTACT_PAGE: &str = CONTACT.page;

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

/// The URL of the page with source key `key` in `lang`, from the site
/// model (localised slugs applied); the language's home page if the site
/// has no such page.
pub fn url_of(project: &Project, key: &str, lang: &str) -> String {
    project
        .site
        .url_of(key, lang)
        .map_or_else(|| format!("/{lang}/"), str::to_owned)
}

/// A theme string by its path (`form.topics.founding`) in `lang`.
fn theme_string(project: &Project, lang: &str, path: &[&str]) -> Option<String> {
    let l = project.site.config.lang(lang)?;
    let mut v = project.theme.strings.get(l)?;
    for key in path {
        v = v.get(key)?;
    }
    v.as_str().map(str::to_owned)
}

/// A topic's name in `lang`, from the theme's strings.
pub fn topic_label(project: &Project, lang: &str, topic: &str) -> Option<String> {
    theme_string(project, lang, &["form", "topics", topic])
}

/// A desk's name in `lang` (the default language's if it has none there);
/// `any` is the form's "whichever desk".
pub fn desk_label(project: &Project, lang: &str, desk: &str) -> Option<String> {
    if desk == CONTACT.any_desk {
        return theme_string(project, lang, &["form", "desk_any"]);
    }
    let d = project.site.desks.iter().find(|d| d.id == desk)?;
    d.name
        .get(lang)
        .or_else(|| d.name.get(project.site.config.default_code()))
        .cloned()
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

    fn contact_url(&self, lang: &str) -> String {
        url_of(&self.project, CONTACT.page, lang)
    }

    fn thanks_url(&self, lang: &str) -> String {
        url_of(&self.project, CONTACT.thanks, lang)
    }

    fn topic_label(&self, lang: &str, topic: &str) -> Option<String> {
        topic_label(&self.project, lang, topic)
    }

    fn desk_label(&self, lang: &str, desk: &str) -> Option<String> {
        desk_label(&self.project, lang, desk)
    }
}
