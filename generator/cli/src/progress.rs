//! The progress bar of long builds: on stderr, and only when stderr is a
//! terminal, so logs, pipes and tests get the same lines as before.

use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Shows the library's progress ([`sportello::progress`]) if a person is
/// watching stderr.
pub fn show_on_terminal() {
    if std::io::stderr().is_terminal() {
        sportello::progress::install(Box::new(Bar::new()));
    }
}

struct Bar(ProgressBar);

impl Bar {
    fn new() -> Bar {
        // Hidden until a phase begins: nothing is drawn between phases.
        let bar = ProgressBar::hidden();
        if let Ok(style) = ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({eta})") {
            bar.set_style(style);
        }
        Bar(bar)
    }
}

impl sportello::progress::Progress for Bar {
    fn begin(&self, what: &'static str, total: u64) {
        self.0.reset();
        self.0.set_length(total);
        self.0.set_message(what);
        self.0.set_draw_target(ProgressDrawTarget::stderr());
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }

    fn end(&self) {
        self.0.finish_and_clear();
        self.0.set_draw_target(ProgressDrawTarget::hidden());
    }
}
