//! The preview behind `sportello serve`: the site stays loaded between
//! rebuilds, so that saving a page whose front matter did not change
//! re-reads that one file and renders only its group, instead of loading and
//! rendering the whole site. Anything else (a new file, a changed title, a
//! template) falls back to a full build, which itself reuses unchanged pages.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

use crate::load::frontmatter;
use crate::render::{self, PageFacts};
use crate::{BuildResult, Diagnostics, Error, Options, Project, write};

pub struct Preview {
    opts: Options,
    out: PathBuf,
    store: crate::cache::Store,
    /// The content folder as the file watcher names it.
    content: Option<PathBuf>,
    state: Option<(Project, Vec<PageFacts>)>,
}

impl Preview {
    pub fn new(opts: Options, out: PathBuf) -> Self {
        let content = std::fs::canonicalize(&opts.content).ok();
        let store = crate::cache::Store::new(&opts.content, &out);
        Preview {
            opts,
            out,
            store,
            content,
            state: None,
        }
    }

    /// The site as last built successfully.
    pub fn project(&self) -> Option<&Project> {
        self.state.as_ref().map(|(p, _)| p)
    }

    /// Loads and builds everything (reusing unchanged output).
    pub fn rebuild(&mut self) -> Result<BuildResult, Error> {
        let start = Instant::now();
        let mut diags = Diagnostics::default();
        let previous: Option<crate::build::Manifest> = self.store.read();
        let known = previous.as_ref().map(|m| m as &dyn crate::load::Known);
        let Some(project) = Project::load_cached(&self.opts, &mut diags, known) else {
            diags.sort();
            return Err(Error::Invalid(diags));
        };
        let (result, facts) =
            project.build(&self.opts, &self.out, &self.store, diags, start, previous)?;
        self.state = Some((project, facts));
        Ok(result)
    }

    /// After the files `paths` changed: renders only them when only their
    /// text changed, else rebuilds.
    pub fn changed(&mut self, paths: &[PathBuf]) -> Result<BuildResult, Error> {
        match self.update_bodies(paths) {
            Some(result) => result,
            None => self.rebuild(),
        }
    }

    /// `None` when the change is not one this shortcut can take.
    fn update_bodies(&mut self, paths: &[PathBuf]) -> Option<Result<BuildResult, Error>> {
        let start = Instant::now();
        let content = self.content.as_ref()?;
        let (project, facts) = self.state.as_mut()?;
        let mut edits = Vec::new();
        for path in paths {
            let rel = std::fs::canonicalize(path).ok()?;
            let rel = rel
                .strip_prefix(content)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            let pid = project.site.pages.iter().position(|p| p.rel == rel)?;
            let text = std::fs::read_to_string(path).ok()?;
            let split = frontmatter::split(&text)?;
            let page = &project.site.pages[pid];
            // Same front matter, byte for byte: titles, slugs and lists are
            // unchanged. (Compared by hash: the page's own text may not have
            // been read before, and reading it now would read the new file.)
            if split.body_start != page.body_start
                || crate::load::text_hash(&text[..split.body_start]) != page.front_hash
            {
                return None;
            }
            edits.push((pid, text));
        }
        if edits.is_empty() {
            return None;
        }
        let mut groups = HashSet::new();
        let mut pages = HashSet::new();
        for (pid, text) in edits {
            let site = &mut project.site;
            site.pages[pid].set_text(text);
            groups.insert(*site.by_key.get(site.pages[pid].key())?);
            pages.insert(pid);
        }
        project.texts_changed();
        let mut diags = Diagnostics::default();
        let sink = match write::DirSink::new(&self.out, self.store.made_output()) {
            Ok(s) => s,
            Err(source) => {
                return Some(Err(Error::Output {
                    path: self.out.clone(),
                    source,
                }));
            }
        };
        let gids: Vec<_> = groups.iter().copied().collect();
        for (pid, f) in project.renderer().render_groups(&gids, &sink, &mut diags) {
            facts[pid] = f;
        }
        render::check_anchors(&project.site, facts, Some((&groups, &pages)), &mut diags);
        diags.sort();
        if diags.has_errors() {
            return Some(Err(Error::Invalid(diags)));
        }
        Some(Ok(BuildResult {
            summary: Default::default(),
            written: sink.written.load(std::sync::atomic::Ordering::Relaxed),
            unchanged: sink.unchanged.load(std::sync::atomic::Ordering::Relaxed),
            removed: 0,
            warnings: diags,
            elapsed: start.elapsed(),
            updated: Some(pages.len()),
            // The search index stays as the last full build made it: indexing
            // a whole language again would cost more than the edit itself.
            // The next full build (or `build`) brings it up to date.
            search: Vec::new(),
            search_written: 0,
        }))
    }
}
