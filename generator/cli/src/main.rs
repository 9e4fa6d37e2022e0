//! `sportello`: build, check and serve the site.

mod admin;
mod form_pages;
mod live;
mod progress;
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
        /// For each stale translation, write the original's current digest
        /// into its `translated_from` (after asking, one page at a time).
        #[arg(long)]
        fix_digests: bool,
        /// With --fix-digests: update every stale translation without asking.
        #[arg(long, requires = "fix_digests")]
        yes: bool,
    },
    /// Start a page, or a translation of one: `new guides/my-page --lang it`,
    /// `new guides/my-page --lang ar --from it`. Never overwrites a file.
    New {
        /// The page's path in the content folder, without language suffix
        /// (`guides/my-page`, `guides/_index` for a section, `index` for the home page).
        page: String,
        /// The language of the new file.
        #[arg(long)]
        lang: String,
        /// Make it a translation of this language's version: front matter
        /// copied, `translated_from` filled in, the text kept to translate.
        #[arg(long)]
        from: Option<String>,
        /// The title (default: from the file name, or the original's).
        #[arg(long)]
        title: Option<String>,
        /// Content folder.
        #[arg(long, default_value = "content")]
        content: PathBuf,
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
            preview: false,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Build { .. } | Command::Serve { .. }) {
        progress::show_on_terminal();
    }
    match cli.command {
        Command::Build {
            inputs,
            out,
            strict,
        } => build(&inputs.options(), &out, strict),
        Command::Check {
            inputs,
            fix_digests,
            yes,
        } => check(&inputs.options(), fix_digests, yes),
        Command::New {
            page,
            lang,
            from,
            title,
            content,
        } => new(&content, &page, &lang, from.as_deref(), title.as_deref()),
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
            opts.preview = true;
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

fn check(opts: &sportello::Options, fix_digests: bool, yes: bool) -> ExitCode {
    let (diags, report) = sportello::check(opts);
    eprint!("{}", diags.render());
    if let Some(r) = &report {
        print!("{}", r.render());
        if fix_digests && !fix(r, yes) {
            return ExitCode::FAILURE;
        }
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

/// `check --fix-digests`: asks about each stale translation (or not, with
/// `--yes`) and writes the original's digest into it. False if a file could
/// not be written.
fn fix(report: &sportello::report::TranslationReport, yes: bool) -> bool {
    use std::io::{BufRead, Write};
    let stale: Vec<_> = report.languages.iter().flat_map(|l| &l.stale).collect();
    if stale.is_empty() {
        println!("no stale translation: nothing to update");
        return true;
    }
    let mut answers = std::io::stdin().lock().lines();
    let (mut updated, mut ok) = (0, true);
    for (file, _, now) in stale {
        if !yes {
            print!(
                "{file} was translated from an older original. Is the translation up to date now? Write `translated_from: {now}`? [y/N] "
            );
            let _ = std::io::stdout().flush();
            let answer = answers.next().and_then(Result::ok).unwrap_or_default();
            if !matches!(answer.trim(), "y" | "Y" | "yes" | "s" | "si" | "sì") {
                println!("  left as it is");
                continue;
            }
        }
        match sportello::scaffold::set_translated_from(std::path::Path::new(file), now) {
            Ok(()) => {
                updated += 1;
                println!("  updated {file}");
            }
            Err(e) => {
                ok = false;
                eprintln!("error: {e}");
            }
        }
    }
    println!("{updated} translation(s) updated");
    ok
}

fn new(
    content: &std::path::Path,
    page: &str,
    lang: &str,
    from: Option<&str>,
    title: Option<&str>,
) -> ExitCode {
    let today = jiff::ZonedDateTime::now().date();
    match sportello::scaffold::new_page(content, page, lang, from, title, today) {
        Ok(created) => {
            match created.from {
                Some(original) => println!(
                    "created {} from {}: translate the text, then remove `draft: true`",
                    created.path.display(),
                    original.display()
                ),
                None => println!("created {}", created.path.display()),
            }
            ExitCode::SUCCESS
        }
        Err(sportello::Error::Invalid(diags)) => {
            eprint!("{}", diags.render());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
