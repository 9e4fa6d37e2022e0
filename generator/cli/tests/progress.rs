//! The progress bar of long builds: drawn on a terminal, never in a pipe.

mod support;

use std::process::Command;

use support::TestSite;

#[test]
fn build_into_a_pipe_prints_no_progress() {
    let run = TestSite::new().build();
    assert!(run.ok(), "{}", run.stderr());
    let stderr = run.stderr();
    assert!(!stderr.contains("rendering"), "{stderr}");
    assert!(
        !stderr.contains('\r') && !stderr.contains('\u{1b}'),
        "{stderr:?}"
    );
    assert_eq!(stderr.lines().count(), 1, "only the summary: {stderr}");
    assert!(stderr.starts_with("built "), "{stderr}");
}

#[test]
fn build_on_a_terminal_shows_progress_then_clears_it() {
    let site = TestSite::new();
    // `script` runs the build on a pseudo-terminal and copies what it drew.
    let command = format!(
        "{} build --content content --themes {} --out public",
        env!("CARGO_BIN_EXE_sportello"),
        support::themes().display()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(site.path())
        .output()
        .expect("`script` (util-linux) runs a command on a terminal");
    let drawn = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{drawn}");
    assert!(drawn.contains("rendering"), "{drawn:?}");
    assert!(drawn.contains("\u{1b}[2K"), "the bar is cleared: {drawn:?}");
    assert!(drawn.contains("built "), "{drawn:?}");
}
