//! A fluent builder for fixture sites, run through the real `sportello` binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
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

/// The real binary serving a fixture site; killed when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
    pub site: TestSite,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn start(site: TestSite) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sportello"))
            .args(["serve", "--listen", "127.0.0.1:0", "--no-live-reload"])
            .args(["--content", "content", "--queue", "var/q.jsonl", "--themes"])
            .arg(themes())
            .current_dir(site.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("serve exited before listening")
                .unwrap();
            if let Some(rest) = line.strip_prefix("serving http://") {
                break rest.split('/').next().unwrap().to_string();
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, addr, site }
    }

    /// Sends one raw request line (the path exactly as given) and returns
    /// the status code, the headers and the body.
    pub fn get(&self, path: &str) -> (u16, String, Vec<u8>) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete answer");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let status = head[9..12].parse().unwrap();
        (status, head, raw[split + 4..].to_vec())
    }
}

pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}
