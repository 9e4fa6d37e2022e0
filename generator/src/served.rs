//! Which file of the built site a URL path names, for `sportello serve`.
//!
//! The output folder is served as it is on disk, and a folder can hold a
//! symbolic link (put there by hand, or by a tool): a link to `/etc/passwd`
//! or to the queue's folder must not become a URL. So a path is resolved the
//! way the kernel would open it — every link followed — and served only if
//! where it lands is still inside the output folder. Anything that cannot
//! name a file (a segment too long for the file system, `..`, a NUL byte,
//! bytes that are not UTF-8) or names a dot-file is simply not found.

use std::path::{Path, PathBuf};

/// What a request path names inside the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// A file, by its resolved path (no link left in it).
    File(PathBuf),
    /// A folder named without its trailing slash: redirect to `location`,
    /// which is always a path on this site (`/it/`, never `//it/`).
    Redirect(String),
    /// Nothing that may be served.
    NotFound,
}

/// The longest request path looked at: longer is `414 URI Too Long`, well
/// above any path the site produces and below what file systems accept.
pub const MAX_PATH: usize = 2048;

/// Resolves `url_path` (as it appears in the request, percent-encoded)
/// against `root`, which must already be canonical
/// ([`std::fs::canonicalize`]). A folder's `index.html` is served for a path
/// ending in `/`.
pub fn resolve(root: &Path, url_path: &str) -> Served {
    let Some(segments) = segments(url_path) else {
        return Served::NotFound;
    };
    let mut candidate = root.to_path_buf();
    candidate.extend(&segments);
    let Some(target) = inside(root, &candidate) else {
        return Served::NotFound;
    };
    if target.is_file() {
        return Served::File(target);
    }
    if !target.is_dir() {
        return Served::NotFound;
    }
    if !url_path.ends_with('/') {
        // Re-encoded from the raw segments, joined with single slashes: a
        // leading `//` would make the browser read the next segment as a host.
        let mut to = String::from("/");
        for seg in url_path.split('/').filter(|s| !s.is_empty()) {
            to.push_str(seg);
            to.push('/');
        }
        return Served::Redirect(to);
    }
    match inside(root, &target.join("index.html")) {
        Some(index) if index.is_file() => Served::File(index),
        _ => Served::NotFound,
    }
}

/// The decoded, non-empty segments of a path; `None` if one of them cannot
/// be a file name here.
fn segments(url_path: &str) -> Option<Vec<String>> {
    if url_path.len() > MAX_PATH {
        return None;
    }
    let mut out = Vec::new();
    for raw in url_path.split('/') {
        let seg = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .ok()?;
        match &*seg {
            "" | "." => continue,
            ".." => return None,
            // A build publishes no dot-file: one in the output folder is an
            // editor's or a tool's own (an old cache, `.git`), never served.
            s if s.starts_with('.') => return None,
            // 255 bytes is the longest name Linux, macOS and Windows file
            // systems take; a decoded `/` or `\` would be a segment break.
            s if s.len() > 255 || s.contains(['/', '\\', '\0']) => return None,
            s => out.push(s.to_string()),
        }
    }
    Some(out)
}

/// `path` with every link resolved, if it exists and lies inside `root`.
fn inside(root: &Path, path: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(path).ok()?;
    real.starts_with(root).then_some(real)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("public");
        std::fs::create_dir_all(root.join("it")).unwrap();
        std::fs::write(root.join("it/index.html"), "ciao").unwrap();
        std::fs::write(root.join("style.css"), "a{}").unwrap();
        let root = std::fs::canonicalize(root).unwrap();
        (dir, root)
    }

    #[test]
    fn files_folders_and_redirects() {
        let (_d, root) = site();
        assert_eq!(
            resolve(&root, "/style.css"),
            Served::File(root.join("style.css"))
        );
        assert_eq!(
            resolve(&root, "/it/"),
            Served::File(root.join("it/index.html"))
        );
        assert_eq!(resolve(&root, "/it"), Served::Redirect("/it/".into()));
        assert_eq!(resolve(&root, "//it"), Served::Redirect("/it/".into()));
        assert_eq!(
            resolve(&root, "///it//"),
            Served::File(root.join("it/index.html"))
        );
        assert_eq!(resolve(&root, "/%69t"), Served::Redirect("/%69t/".into()));
        // Found by the fuzz target: the root named without any slash.
        assert_eq!(resolve(&root, ""), Served::Redirect("/".into()));
    }

    #[test]
    fn what_cannot_name_a_file_is_not_found() {
        let (_d, root) = site();
        for p in [
            "/../etc/passwd",
            "/it/%2e%2e/%2e%2e/etc/passwd",
            "/it%2f..%2f..",
            "/%ff",
            "/a%00b",
            "/nope",
            &format!("/{}", "a".repeat(256)),
            &format!("/{}", "a/".repeat(2000)),
        ] {
            assert_eq!(resolve(&root, p), Served::NotFound, "{p}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_leaving_the_folder_are_not_found_links_inside_are_served() {
        let (d, root) = site();
        std::fs::write(d.path().join("secret"), "x").unwrap();
        std::os::unix::fs::symlink(d.path().join("secret"), root.join("secret")).unwrap();
        std::os::unix::fs::symlink(d.path(), root.join("up")).unwrap();
        std::os::unix::fs::symlink(root.join("style.css"), root.join("alias.css")).unwrap();
        assert_eq!(resolve(&root, "/secret"), Served::NotFound);
        assert_eq!(resolve(&root, "/up/secret"), Served::NotFound);
        assert_eq!(resolve(&root, "/up/"), Served::NotFound);
        assert_eq!(
            resolve(&root, "/alias.css"),
            Served::File(root.join("style.css"))
        );
    }
}
