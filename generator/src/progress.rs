//! How far a long phase is, for a person watching a terminal.
//!
//! The library only counts; the binary decides whether anything is shown
//! (a progress bar on stderr when it is a terminal, nothing otherwise), so
//! output piped to a file or a test carries no progress noise.

use std::sync::OnceLock;

/// Someone showing progress.
pub trait Progress: Send + Sync {
    /// A phase of `total` steps begins ("rendering", 80 000 pages).
    fn begin(&self, what: &'static str, total: u64);
    /// `n` more steps are done.
    fn advance(&self, n: u64);
    /// The phase is over: whatever was shown goes away.
    fn end(&self);
}

static SHOWN: OnceLock<Box<dyn Progress>> = OnceLock::new();

/// Installs the process's progress display; only the first call counts.
pub fn install(progress: Box<dyn Progress>) {
    let _ = SHOWN.set(progress);
}

pub(crate) fn begin(what: &'static str, total: u64) {
    if let Some(p) = SHOWN.get() {
        p.begin(what, total);
    }
}

pub(crate) fn advance(n: u64) {
    if let Some(p) = SHOWN.get() {
        p.advance(n);
    }
}

pub(crate) fn end() {
    if let Some(p) = SHOWN.get() {
        p.end();
    }
}
