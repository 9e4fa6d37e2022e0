//! Real content nobody here wrote: three public multilingual sites converted
//! to our contract by `tests/real/convert.py` (see tests/real/README.md),
//! checked and built with the default theme as they are.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/real")
        .join(name)
        .join("content")
}

fn themes() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes")
}

/// Runs `sportello <cmd>` on a copy of the sample, so that nothing the run
/// writes (output, cache) lands in the repository.
fn run(name: &str, cmd: &str) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    for e in walkdir::WalkDir::new(sample(name)).into_iter().flatten() {
        let dest = content.join(e.path().strip_prefix(sample(name)).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args([cmd, "--content", "content", "--themes"])
        .arg(themes())
        .current_dir(dir.path())
        .output()
        .unwrap();
    (out, dir)
}

/// The headline of every error, with its file, in the order reported.
fn errors(out: &Output) -> Vec<String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut found = Vec::new();
    let mut lines = stderr.lines();
    while let Some(line) = lines.next() {
        if let Some(msg) = line.strip_prefix("error: ") {
            let at = lines
                .next()
                .and_then(|l| l.split_once("content/"))
                .map(|(_, at)| at.split(':').next().unwrap_or(at).to_string())
                .unwrap_or_default();
            found.push(format!("{at}: {msg}"));
        }
    }
    found.sort();
    found
}

#[test]
fn real_opensource_guide_builds_in_seven_languages_and_four_scripts() {
    let (out, dir) = run("opensource-guide", "build");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(errors(&out), Vec::<String>::new());
    let page = |rel: &str| std::fs::read_to_string(dir.path().join("public").join(rel)).unwrap();
    let ar = page("ar/metrics/index.html");
    assert!(ar.contains(r#"<html lang="ar" dir="rtl">"#), "{ar}");
    assert!(
        ar.contains("لماذا نقيس أي شيء؟"),
        "the Arabic text is there"
    );
    let fa = page("fa/code-of-conduct/index.html");
    assert!(fa.contains(r#"<html lang="fa" dir="rtl">"#));
    let hi = page("hi/metrics/index.html");
    assert!(hi.contains(r#"<html lang="hi" dir="ltr">"#));
    // Lists and links lead to the same language's versions.
    assert!(
        ar.contains(r#"href="/ar/finding-users/""#),
        "related link in ar"
    );
}

/// The sources' own mistakes (a translation links an anchor that only the
/// English heading had, or an English heading since renamed): reported at
/// their line, and nothing else — no page, link or template of ours fails.
#[test]
fn real_letsencrypt_check_reports_only_the_sources_own_broken_anchors() {
    let (out, _dir) = run("letsencrypt", "check");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        errors(&out),
        [
            "docs/cert-compat.he.md: anchor `#root-cas` does not exist in content/certificates.he.md",
            "docs/cert-compat.uk.md: anchor `#root-cas` does not exist in content/certificates.uk.md",
            "docs/faq.he.md: anchor `#dns-01-challenge` does not exist in content/docs/challenge-types.he.md",
            "docs/faq.ru.md: anchor `#dns-01-challenge` does not exist in content/docs/challenge-types.ru.md",
            "docs/faq.uk.md: anchor `#dns-01-challenge` does not exist in content/docs/challenge-types.uk.md",
            "docs/glossary.uk.md: anchor `#def-key-pair` does not exist in content/docs/glossary.uk.md",
            "docs/glossary.zh-cn.md: anchor `#names-per-certificate` does not exist in content/docs/rate-limits.zh-cn.md",
            "docs/staging-environment.he.md: anchor `#authorization-failures-per-hostname-per-account` does not exist in content/docs/rate-limits.en.md",
            "docs/staging-environment.he.md: anchor `#consecutive-authorization-failures-per-hostname-per-account` does not exist in content/docs/rate-limits.en.md",
            "docs/staging-environment.he.md: anchor `#new-certificates-per-exact-set-of-hostnames` does not exist in content/docs/rate-limits.en.md",
        ],
        "{stderr}"
    );
}

#[test]
fn real_nodejs_check_reports_only_the_sources_own_broken_anchors() {
    let (out, _dir) = run("nodejs", "check");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        errors(&out),
        [
            "download/package-manager/all.fa.md: anchor `#debian-and-ubuntu-based-linux-distributions` does not exist in content/download/package-manager/all.fa.md",
            "download/package-manager/all.ro.md: anchor `#debian-and-ubuntu-based-linux-distributions` does not exist in content/download/package-manager/all.ro.md",
            "download/package-manager/all.uk.md: anchor `#debian-and-ubuntu-based-linux-distributions` does not exist in content/download/package-manager/all.uk.md",
        ],
        "{stderr}"
    );
}
