//! Any request path: `serve` never panics resolving it, serves only files
//! inside the output folder (a link to a file outside is there to be
//! refused), and redirects only to a path on the same site.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sportello::served::{Served, resolve};

/// `public/` with a page, a folder, and links leading out and staying in.
fn site() -> &'static (tempfile::TempDir, PathBuf) {
    static SITE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let public = dir.path().join("public");
        std::fs::create_dir_all(public.join("it/guide")).expect("mkdir");
        std::fs::write(public.join("it/index.html"), "ciao").expect("write");
        std::fs::write(public.join("it/guide/index.html"), "guida").expect("write");
        std::fs::write(dir.path().join("secret"), "secret").expect("write");
        std::os::unix::fs::symlink(dir.path().join("secret"), public.join("secret"))
            .expect("link");
        std::os::unix::fs::symlink(dir.path(), public.join("up")).expect("link");
        std::os::unix::fs::symlink(public.join("it"), public.join("en")).expect("link");
        let root = std::fs::canonicalize(&public).expect("canonical");
        (dir, root)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(path) = std::str::from_utf8(data) else {
        return;
    };
    let (_, root) = site();
    match resolve(root, path) {
        Served::File(file) => {
            assert!(file.starts_with(root), "{path:?} served {file:?}");
            assert!(file.is_file());
        }
        Served::Redirect(to) => {
            assert!(to.starts_with('/') && !to.starts_with("//"), "{path:?} → {to:?}");
            assert!(!to.contains('\\'), "{path:?} → {to:?}");
        }
        Served::NotFound => {}
    }
});
