//! The endpoint's answers in the site's own theme: the contact page of the
//! reader's language rendered again by the generator's library, with the
//! form's state (what they typed, errors by field, why it came back) as the
//! template variable `form`. Used by `sportello-forms serve --content …
//! --themes …` and by `sportello serve`.

use sportello::form::{CONTACT, FormKind, OptionsFrom};
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

/// Renders the page holding `kind`'s form in `lang` with `state`.
pub fn render_kind(
    project: &Project,
    kind: &FormKind,
    lang: &str,
    state: &FormState,
) -> Result<String, Error> {
    let form = serde_json::to_value(state)?;
    Ok(project.render_with(&kind.page, lang, "form", &form)?)
}

/// The forms configured besides the contact form.
pub fn kinds(project: &Project) -> Vec<FormKind> {
    project.site.config.form_kinds.clone()
}

/// The label of a configured form's field in `lang`
/// (`form_kinds.<kind>.<field>` of the theme's strings).
pub fn field_label(project: &Project, lang: &str, kind: &str, field: &str) -> Option<String> {
    theme_string(project, lang, &["form_kinds", kind, "fields", field])
}

/// The name of an option of a configured form's field in `lang`: a
/// sector's (`sectors.<id>`), a language's own name, or the theme's
/// `form_kinds.<kind>.options.<field>.<option>`.
pub fn option_label(
    project: &Project,
    lang: &str,
    kind: &str,
    field: &str,
    option: &str,
) -> Option<String> {
    let f = project
        .site
        .config
        .form_kinds
        .iter()
        .find(|k| k.name == kind)?
        .field(field)?;
    match f.from {
        Some(OptionsFrom::Sectors) => theme_string(project, lang, &["sectors", option]),
        Some(OptionsFrom::Languages) => project
            .site
            .config
            .languages
            .iter()
            .find(|l| l.code == option)
            .map(|l| l.name.clone()),
        None => theme_string(
            project,
            lang,
            &["form_kinds", kind, "options", field, option],
        ),
    }
}

/// [`FormPages::directory_entry`] for a loaded site.
pub fn directory_entry(
    project: &Project,
    data: &std::collections::BTreeMap<String, serde_json::Value>,
    lang: &str,
    consent_date: &str,
) -> Result<(String, Vec<String>), Error> {
    let (yaml, diags) =
        sportello::data::associations::approved_entry(&project.site, data, lang, consent_date)?;
    let problems = diags
        .iter()
        .map(|d| {
            let mut line = d.message.clone();
            for h in &d.hints {
                line.push_str(" — ");
                line.push_str(h);
            }
            line
        })
        .collect();
    Ok((yaml, problems))
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

    fn kinds(&self) -> Vec<FormKind> {
        kinds(&self.project)
    }

    fn render_kind(&self, kind: &FormKind, lang: &str, state: &FormState) -> Result<String, Error> {
        render_kind(&self.project, kind, lang, state)
    }

    fn url_of(&self, key: &str, lang: &str) -> String {
        url_of(&self.project, key, lang)
    }

    fn field_label(&self, lang: &str, kind: &str, field: &str) -> Option<String> {
        field_label(&self.project, lang, kind, field)
    }

    fn option_label(&self, lang: &str, kind: &str, field: &str, option: &str) -> Option<String> {
        option_label(&self.project, lang, kind, field, option)
    }

    fn directory_entry(
        &self,
        data: &std::collections::BTreeMap<String, serde_json::Value>,
        lang: &str,
        consent_date: &str,
    ) -> Option<Result<(String, Vec<String>), Error>> {
        Some(directory_entry(&self.project, data, lang, consent_date))
    }
}
