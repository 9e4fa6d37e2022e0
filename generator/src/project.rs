//! A loaded site with its theme: the input of rendering, loaded once and
//! shared (`build`, `check`, the preview of `serve`, the form endpoint's pages).

use std::sync::Arc;
use std::time::Instant;

use crate::{
    Diagnostic, Diagnostics, Error, Options, Renderer, Site, Theme, config, data, load, phase,
    render,
};

/// A loaded site and its theme: everything rendering needs, immutable.
pub struct Project {
    pub site: Site,
    pub theme: Theme,
    /// Rendered for `serve`'s preview (drafts marked as such).
    pub preview: bool,
    /// What every render shares (per-language values, feeds, outdated
    /// translations): computed once here, not per renderer.
    shared: render::Shared,
}

impl Project {
    /// Loads and models the site; `None` if a mistake prevents it.
    pub fn load(opts: &Options, diags: &mut Diagnostics) -> Option<Project> {
        Self::load_cached(opts, diags, None)
    }

    /// Like [`Project::load`], taking unchanged files from what an earlier
    /// load knew of them (the build cache).
    pub fn load_cached(
        opts: &Options,
        diags: &mut Diagnostics,
        known: Option<&dyn load::Known>,
    ) -> Option<Project> {
        let mut t = Instant::now();
        let config = config::SiteConfig::load(&opts.content.join("site.yaml"), diags)?;
        let theme = Theme::load(&opts.themes, &config, diags);
        let desks = data::load_desks(&opts.content, diags);
        let associations = data::associations::load(
            &opts.content,
            &config,
            jiff::ZonedDateTime::now().date(),
            diags,
        );
        phase("config+theme", &mut t);
        let loaded = load::load(&opts.content, &config, diags, known);
        phase("load", &mut t);
        let site = Site::build(config, desks, associations, loaded, opts.drafts, diags);
        phase("model", &mut t);
        check_menu(&site, &opts.content, diags);
        let mut theme = theme?;
        register_functions(&mut theme, &site);
        let shared = render::Shared::new(&site, &theme);
        phase("shared values", &mut t);
        Some(Project {
            site,
            theme,
            preview: opts.preview,
            shared,
        })
    }

    pub fn renderer(&self) -> Renderer<'_> {
        Renderer::new(&self.site, &self.theme, &self.shared).with_preview(self.preview)
    }

    /// After page texts changed in place (`serve`'s preview): an original's
    /// text decides which translations are outdated.
    pub fn texts_changed(&mut self) {
        self.shared = render::Shared::new(&self.site, &self.theme);
    }

    /// Renders one page (by source key, e.g. `contact/_index`) in a language,
    /// with an extra template variable: how the form endpoint shows the
    /// contact page again with what the reader typed.
    pub fn render_with(
        &self,
        key: &str,
        lang: &str,
        name: &str,
        value: &serde_json::Value,
    ) -> Result<String, Error> {
        let gid = *self
            .site
            .by_key
            .get(key)
            .ok_or_else(|| Error::NoSuchPage(key.into()))?;
        let l = self
            .site
            .config
            .lang(lang)
            .ok_or_else(|| Error::NoSuchPage(format!("{key} in {lang}")))?;
        let out = self.renderer().render_page(
            gid,
            l,
            Some((name, tera::Value::from_serializable(value))),
        );
        out.html
            .ok_or_else(|| Error::Render(out.diags.iter().map(Diagnostic::render).collect()))
    }
}

/// The key of a page named by its source path: `/guides/_index.md` → `guides/_index`.
fn page_key(path: &str) -> &str {
    path.trim_start_matches('/').trim_end_matches(".md")
}

fn check_menu(site: &Site, content: &std::path::Path, diags: &mut Diagnostics) {
    for item in &site.config.menu {
        if !site.by_key.contains_key(page_key(item)) {
            diags.push(
                Diagnostic::error(
                    content.join("site.yaml"),
                    format!("menu entry `{item}` is not a page"),
                )
                .hint("menu entries are source paths like `/guides/_index.md`"),
            );
        }
    }
}

/// Template functions that need the site: `url_for(path=…)`,
/// `page_exists(path=…)` (so a theme links optional pages only where a site
/// has them) and `asset(name=…)`.
fn register_functions(theme: &mut Theme, site: &Site) {
    let urls: Arc<std::collections::HashMap<String, Vec<String>>> = Arc::new(
        site.by_key
            .iter()
            .map(|(k, &g)| (k.clone(), site.groups[g].urls.clone()))
            .collect(),
    );
    let known = Arc::clone(&urls);
    theme.tera.register_function(
        "page_exists",
        move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<bool> {
            let path: String = kwargs.must_get("path")?;
            Ok(known.contains_key(page_key(&path)))
        },
    );
    let codes: Arc<Vec<String>> = Arc::new(
        site.config
            .languages
            .iter()
            .map(|l| l.code.clone())
            .collect(),
    );
    theme.tera.register_function(
        "url_for",
        move |kwargs: tera::Kwargs, state: &tera::State| -> tera::TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            let lang: Option<String> = match kwargs.get::<String>("lang")? {
                Some(l) => Some(l),
                None => state.get::<String>("lang_code")?,
            };
            let per_lang = urls
                .get(page_key(&path))
                .ok_or_else(|| tera::Error::message(format!("url_for: no page `{path}`")))?;
            let i = lang
                .and_then(|l| codes.iter().position(|c| *c == l))
                .unwrap_or(0);
            Ok(per_lang[i].clone())
        },
    );
    let assets = Arc::new(theme.asset_urls());
    theme.tera.register_function(
        "asset",
        move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
            let name: String = kwargs.must_get("name")?;
            assets.get(&name).cloned().ok_or_else(|| {
                tera::Error::message(format!("asset: no static file `{name}` in the theme"))
            })
        },
    );
}
