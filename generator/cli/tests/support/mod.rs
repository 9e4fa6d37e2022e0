//! A fluent builder for fixture sites, run through the real `sportello` binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::rc::Rc;

pub struct TestSite {
    pub dir: Rc<tempfile::TempDir>,
}

pub struct Run {
    pub out: Output,
    pub root: PathBuf,
    /// Keeps the fixture alive as long as its output is read.
    _dir: Rc<tempfile::TempDir>,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.out.status.success()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    /// A file of the built site.
    pub fn file(&self, rel: &str) -> String {
        let p = self.root.join("public").join(rel);
        std::fs::read_to_string(&p)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", p.display(), self.stderr()))
    }
    pub fn exists(&self, rel: &str) -> bool {
        self.root.join("public").join(rel).exists()
    }
}

/// Repo's real theme folder.
pub fn themes() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes")
}

pub const SITE: &str = "base_url: https://example.org
default_language: it
title: { it: Sito, en: Site, ar: موقع }
languages:
  - { code: it, name: Italiano }
  - { code: en, name: English }
  - { code: ar, name: العربية, direction: rtl }
forms: { contact: /forms/contact }
";

impl TestSite {
    /// An empty site with three languages (it default, en, ar) and a home page.
    pub fn new() -> Self {
        let s = TestSite {
            dir: Rc::new(tempfile::tempdir().unwrap()),
        };
        s.file("content/site.yaml", SITE)
            .page("index.it.md", "Benvenuti", "Testo della home.")
            .page("index.en.md", "Welcome", "Home text.")
            .page("index.ar.md", "أهلا", "نص الصفحة.")
            // pages the theme links to from every page
            .page("contact/_index.it.md", "Contatti", "")
            .page("desks/_index.it.md", "Sportelli", "")
            .page("about.it.md", "Progetto", "")
            .page("privacy.it.md", "Privacy", "")
    }

    /// A fixture with no files at all.
    pub fn empty() -> Self {
        TestSite {
            dir: Rc::new(tempfile::tempdir().unwrap()),
        }
    }

    pub fn file(self, rel: &str, text: &str) -> Self {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    /// A page under content/ with a title and a body.
    pub fn page(self, rel: &str, title: &str, body: &str) -> Self {
        self.file(
            &format!("content/{rel}"),
            &format!("---\ntitle: \"{title}\"\n---\n{body}\n"),
        )
    }

    pub fn remove(self, rel: &str) -> Self {
        let _ = std::fs::remove_file(self.dir.path().join(rel));
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_sportello"))
            .args(args)
            .args(["--content", "content", "--themes"])
            .arg(themes())
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        Run {
            out,
            root: self.dir.path().to_path_buf(),
            _dir: Rc::clone(&self.dir),
        }
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    pub fn check(&self) -> Run {
        self.run(&["check"])
    }
}

/// Copies a folder tree (a theme to change in a test).
pub fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().flatten() {
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}
