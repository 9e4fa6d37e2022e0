//! `sportello`: build, check and serve the site.

mod form_pages;
mod live;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "sportello",
    version,
    about = "Builds Sportello's multilingual site from Markdown"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the whole site; exit non-zero on any error.
    Build {
        #[command(flatten)]
        inputs: Inputs,
        /// Output folder.
        #[arg(long, default_value = "public")]
        out: PathBuf,
        /// Refuse to build while a value the desk must confirm is still
        /// marked (`confirm_marker` in site.yaml, `[da confermare]` by default).
        #[arg(long)]
        strict: bool,
    },
    /// Report every problem and the translation status, without writing the site.
    Check {
        #[command(flatten)]
        inputs: Inputs,
    },
    /// Build, serve the site with the contact form working, rebuild on change.
    Serve {
        #[command(flatten)]
        inputs: Inputs,
        #[arg(long, default_value = "public")]
        out: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Queue file for the contact form's submissions.
        #[arg(long, default_value = "var/submissions.jsonl")]
        queue: PathBuf,
        /// Leave drafts out, as the published site does.
        #[arg(long)]
        no_drafts: bool,
        /// Do not make pages reload themselves after a rebuild.
        #[arg(long)]
        no_live_reload: bool,
    },
}

#[derive(Args, Clone)]
struct Inputs {
    /// Content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// Themes folder.
    #[arg(long, default_value = "themes")]
    themes: PathBuf,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    drafts: bool,
}

impl Inputs {
    fn options(&self) -> sportello::Options {
        sportello::Options {
            content: self.content.clone(),
            themes: self.themes.clone(),
            drafts: self.drafts,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            inputs,
            out,
            strict,
        } => build(&inputs.options(), &out, strict),
        Command::Check { inputs } => check(&inputs.options()),
        Command::Serve {
            inputs,
            out,
            listen,
            queue,
            no_drafts,
            no_live_reload,
        } => {
            let mut opts = inputs.options();
            opts.drafts = !no_drafts;
            match serve::run(opts, out, &listen, queue, !no_live_reload) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Prints a build's outcome; shared by `build` and `serve`.
pub fn print_outcome(result: Result<sportello::BuildResult, sportello::Error>) -> bool {
    match result {
        Ok(result) => {
            eprint!("{}", result.warnings.render());
            eprintln!("{}", result.line());
            true
        }
        Err(sportello::Error::Invalid(diags)) => {
            eprint!("{}", diags.render());
            eprintln!(
                "error: build failed: {} error(s), {} warning(s)",
                diags.errors(),
                diags.warnings()
            );
            false
        }
        Err(e) => {
            eprintln!("error: {e}");
            false
        }
    }
}

fn build(opts: &sportello::Options, out: &std::path::Path, strict: bool) -> ExitCode {
    if strict
        && let Some(pending) = sportello::pending(opts)
        && !pending.is_empty()
    {
        let errors = pending.errors();
        eprint!("{}", errors.render());
        eprintln!(
            "error: --strict: {} value(s) still marked `{}`; nothing was built",
            errors.errors(),
            pending.marker
        );
        return ExitCode::FAILURE;
    }
    if print_outcome(sportello::build(opts, out)) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn check(opts: &sportello::Options) -> ExitCode {
    let (diags, report) = sportello::check(opts);
    eprint!("{}", diags.render());
    if let Some(r) = &report {
        print!("{}", r.render());
    }
    if let Some(pending) = sportello::pending(opts) {
        print!("{}", pending.render());
    }
    println!(
        "{} error(s), {} warning(s)",
        diags.errors(),
        diags.warnings()
    );
    if diags.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
