//! `sportello-forms`: the form endpoint's server and the operators' commands
//! on the queue file (see the README's "Operators' guide").

use std::io::IsTerminal as _;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use sportello_forms::ops::state::EventKind;
use sportello_forms::site_pages::SitePages;
use sportello_forms::{FormPages, FormsConfig, PlainPages, Queue, Rate, ServerOptions, ops, queue};

/// `println!` and `print!` for the operators' commands: a closed stdout
/// (`| head`, `| true`) is an error that ends the command quietly
/// ([`closed_pipe`]) instead of a panic.
macro_rules! outln {
    () => {
        writeln!(std::io::stdout())?
    };
    ($($arg:tt)*) => {
        writeln!(std::io::stdout(), $($arg)*)?
    };
}
macro_rules! out {
    ($($arg:tt)*) => {
        write!(std::io::stdout(), $($arg)*)?
    };
}

#[derive(Parser)]
#[command(
    version,
    about = "Sportello's contact-form endpoint and its queue file"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the contact form endpoint, appending submissions to the queue.
    Serve(Box<ServeArgs>),
    /// List the requests, newest first.
    List {
        #[command(flatten)]
        queue: QueueArg,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Show one request in full, with its history.
    Show {
        #[command(flatten)]
        queue: QueueArg,
        /// The request's id, or its first characters.
        id: String,
    },
    /// Take a request in charge.
    Take(ChangeArgs),
    /// Mark a request as handled.
    Done(ChangeArgs),
    /// Open a handled request again.
    Reopen(ChangeArgs),
    /// Add a note to a request without changing its status.
    Note(ChangeArgs),
    /// Export requests as CSV (for spreadsheets) or JSON.
    Export {
        #[command(flatten)]
        queue: QueueArg,
        /// csv or json.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Start the CSV with a byte-order mark (helps Excel read accents and Arabic).
        #[arg(long)]
        bom: bool,
        /// Write to this new file (created readable by you only) instead of the screen.
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Count requests by status, desk, language, topic and month.
    Stats {
        #[command(flatten)]
        queue: QueueArg,
        /// Print the counts as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Delete requests older than DAYS days, with their history (retention).
    Purge {
        #[command(flatten)]
        queue: QueueArg,
        /// Requests received more than this many days ago are deleted.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        older_than: u32,
        /// Only show what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete one person's request and its history, at their request.
    Erase {
        #[command(flatten)]
        queue: QueueArg,
        /// The request's id, or its first characters.
        id: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Check the queue file and the state log: checksums, unique ids, torn tail, set-aside files.
    Verify {
        #[command(flatten)]
        queue: QueueArg,
    },
    /// Look at what was set aside from the end of the queue; restore or dismiss it.
    Quarantine {
        #[command(flatten)]
        queue: QueueArg,
        #[command(subcommand)]
        action: QuarantineAction,
    },
    /// Write the needs report (counts by topic, language, desk and month,
    /// waiting times, SVG charts with their tables) as one HTML file.
    Report {
        #[command(flatten)]
        queue: QueueArg,
        /// The HTML file to write (readable by you only; no personal data in it).
        #[arg(long, short)]
        output: PathBuf,
        /// First month of the period, YYYY-MM (default: from the first request).
        #[arg(long)]
        from: Option<String>,
        /// Last month of the period, YYYY-MM (default: up to the last request).
        #[arg(long)]
        to: Option<String>,
        /// The report's language: it, en, fr, ar, ro, sq or uk.
        #[arg(long, default_value = "it")]
        lang: String,
        /// The site's content folder: topics and desks by their names, as in
        /// the inbox (with --themes); without it, by their ids.
        #[arg(long, requires = "themes")]
        content: Option<PathBuf>,
        /// The themes folder of the site.
        #[arg(long, requires = "content")]
        themes: Option<PathBuf>,
    },
    /// Approve a request to be listed in the directory: write its entry for
    /// `_data/associations.yaml` (YAML, to paste at the end of that file)
    /// and mark the request handled.
    Approve {
        #[command(flatten)]
        queue: QueueArg,
        /// The request's id, or its first characters.
        id: String,
        /// The YAML file to write (it must not exist yet).
        #[arg(long, short)]
        output: PathBuf,
        /// The site's content folder (with --themes): the entry is then
        /// checked as `sportello check` would, and given an id no other
        /// association has.
        #[arg(long, requires = "themes")]
        content: Option<PathBuf>,
        /// The themes folder of the site.
        #[arg(long, requires = "content")]
        themes: Option<PathBuf>,
        /// Who you are (name or initials; or set SPORTELLO_OPERATOR once).
        #[arg(long, env = "SPORTELLO_OPERATOR")]
        by: Option<String>,
    },
    /// Add, remove or list the operators who sign in to the web inbox (/desk/).
    Operator {
        #[command(subcommand)]
        action: OperatorAction,
    },
}

#[derive(Subcommand)]
enum QuarantineAction {
    /// List the files set aside from the end of the queue.
    List,
    /// Show what a set-aside file holds, line by line.
    Show {
        /// The file's name, as `quarantine list` prints it.
        file: String,
    },
    /// Put the records that can still be read back into the queue.
    Restore {
        /// The file's name, as `quarantine list` prints it.
        file: String,
    },
    /// Delete a set-aside file once you have kept what you need from it.
    Dismiss {
        /// The file's name, as `quarantine list` prints it.
        file: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
enum OperatorAction {
    /// Add an operator. The password is asked twice on a terminal, or read
    /// as one line from standard input.
    Add {
        #[command(flatten)]
        accounts: AccountsArg,
        /// The operator's user name (letters, digits, '.', '-', '_').
        name: String,
        /// Also a second factor: a code from an authenticator app at each
        /// sign-in (recommended: the requests are data of vulnerable people).
        #[arg(long)]
        totp: bool,
    },
    /// Remove an operator: they can no longer sign in, and their open
    /// sessions end at their next click.
    Remove {
        #[command(flatten)]
        accounts: AccountsArg,
        name: String,
    },
    /// List the operators.
    List {
        #[command(flatten)]
        accounts: AccountsArg,
    },
}

#[derive(clap::Args)]
struct AccountsArg {
    #[command(flatten)]
    queue: QueueArg,
    /// The accounts file (default: next to the queue, QUEUE.operators.json).
    #[arg(long)]
    accounts: Option<PathBuf>,
}

impl AccountsArg {
    fn path(&self) -> PathBuf {
        self.accounts
            .clone()
            .unwrap_or_else(|| sportello_forms::accounts::accounts_path(&self.queue.queue))
    }
}

#[derive(clap::Args)]
struct QueueArg {
    /// The queue file (or set SPORTELLO_QUEUE once).
    #[arg(long, env = "SPORTELLO_QUEUE")]
    queue: PathBuf,
    /// Also read this queue segment: the queue file of another endpoint
    /// instance (repeat for each). Reading commands (list, show, export,
    /// stats, report) and take/done/reopen/note see every segment; purge,
    /// erase, verify and quarantine work on --queue only.
    #[arg(long = "segment", value_name = "FILE")]
    segments: Vec<PathBuf>,
}

impl QueueArg {
    fn source(&self) -> queue::source::Segments {
        queue::source::Segments::many(&self.queue, self.segments.iter().cloned())
    }
}

#[derive(clap::Args)]
struct FilterArgs {
    /// Only requests with this status: new, taken or done.
    #[arg(long, value_parser = parse_status)]
    status: Option<ops::view::Status>,
    /// Only requests for this desk (e.g. terni, or any).
    #[arg(long)]
    desk: Option<String>,
    /// Only requests written in this language (e.g. ar).
    #[arg(long)]
    lang: Option<String>,
    /// Only requests received since this date (2026-01-31) or in the last days (30d).
    #[arg(long, value_parser = ops::view::parse_since)]
    since: Option<jiff::Timestamp>,
    /// Only requests whose name, e-mail, phone, message or id contains this text.
    #[arg(long)]
    search: Option<String>,
    /// Only requests the desk was not notified of.
    #[arg(long)]
    not_notified: bool,
}

impl FilterArgs {
    fn filter(self) -> ops::view::Filter {
        ops::view::Filter {
            status: self.status,
            desk: self.desk,
            lang: self.lang,
            since: self.since,
            search: self.search,
            not_notified: self.not_notified,
        }
    }
}

fn parse_status(s: &str) -> Result<ops::view::Status, sportello_forms::Error> {
    ops::view::Status::parse(s).ok_or_else(|| sportello_forms::Error::NotAStatus(s.to_owned()))
}

#[derive(clap::Args)]
struct ChangeArgs {
    #[command(flatten)]
    queue: QueueArg,
    /// The request's id, or its first characters.
    id: String,
    /// A note kept in the request's history.
    #[arg(long)]
    note: Option<String>,
    /// Who you are (name or initials; or set SPORTELLO_OPERATOR once).
    #[arg(long, env = "SPORTELLO_OPERATOR")]
    by: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Csv,
    Json,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on (put it behind a reverse proxy).
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// The queue file (JSON Lines; created 0600 if missing).
    #[arg(long)]
    queue: PathBuf,
    /// Also show in the inbox this queue segment, the queue file of
    /// another endpoint instance (repeatable).
    #[arg(long = "segment", value_name = "FILE")]
    segments: Vec<PathBuf>,
    /// A reverse proxy whose X-Forwarded-For is trusted (repeatable).
    #[arg(long = "trusted-proxy")]
    trusted_proxies: Vec<IpAddr>,
    /// Submissions per client: N/s, N/min, N/h, or off.
    #[arg(long, default_value_t = Rate::default())]
    rate: Rate,
    /// The site's content folder: answers are rendered with its theme (with --themes).
    #[arg(long, requires = "themes")]
    content: Option<PathBuf>,
    /// The themes folder of the site.
    #[arg(long, requires = "content")]
    themes: Option<PathBuf>,
    /// Without --content: the site's languages (repeatable).
    #[arg(long = "language", default_values_t = ["it", "en", "fr", "ar", "ro", "sq", "uk"].map(String::from))]
    languages: Vec<String>,
    /// The desks' ids (repeatable).
    #[arg(long = "desk", default_values_t = ["terni".to_owned()])]
    desks: Vec<String>,
    /// What the 503 page tells people to do instead.
    #[arg(
        long,
        default_value = "phone 0744 812786, e-mail regionale@cesvolumbria.org"
    )]
    fallback_contact: String,
    /// Seconds a client may take to send its request headers.
    #[arg(long, default_value_t = 10)]
    header_timeout: u64,
    /// Seconds a client may take to send its body.
    #[arg(long, default_value_t = 15)]
    body_timeout: u64,
    /// Notify the desk of each new request by e-mail through this SMTP server
    /// (plain SMTP, e.g. the local relay; no TLS).
    #[arg(long, env = "SPORTELLO_SMTP_HOST")]
    smtp_host: Option<String>,
    #[arg(long, env = "SPORTELLO_SMTP_PORT", default_value_t = 25)]
    smtp_port: u16,
    /// The notification e-mail's sender.
    #[arg(
        long,
        env = "SPORTELLO_NOTIFY_FROM",
        default_value = "sportello-forms@localhost"
    )]
    notify_from: String,
    /// The desk's address (repeatable).
    #[arg(long, env = "SPORTELLO_NOTIFY_TO", value_delimiter = ',')]
    notify_to: Vec<String>,
    /// Also POST {"id","received","desk","topic","lang"} (no personal data) to this http:// address.
    #[arg(long, env = "SPORTELLO_WEBHOOK")]
    webhook: Option<String>,
    /// The operators' accounts for the inbox at /desk/ (default: next to
    /// the queue, QUEUE.operators.json; create them with `operator add`).
    #[arg(long)]
    accounts: Option<PathBuf>,
    /// Send the inbox's session cookie without `Secure`: only to try the
    /// inbox on http://localhost, never when it is reachable from outside.
    #[arg(long)]
    desk_plain_http: bool,
    /// Milliseconds before the first retry of a failed notification (doubles up to 5 minutes).
    #[arg(long, default_value_t = 1000, hide = true)]
    notify_retry_ms: u64,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(*args),
        Command::Verify { queue } => verify(&queue.queue),
        Command::List { queue, filter } => list(&queue, filter),
        Command::Show { queue, id } => show(&queue, &id),
        Command::Take(a) => change(a, EventKind::Taken),
        Command::Done(a) => change(a, EventKind::Done),
        Command::Reopen(a) => change(a, EventKind::Reopened),
        Command::Note(a) => change(a, EventKind::Note),
        Command::Export {
            queue,
            format,
            bom,
            output,
            filter,
        } => export(&queue, format, bom, output.as_deref(), filter),
        Command::Stats {
            queue,
            json,
            filter,
        } => stats(&queue, json, filter),
        Command::Purge {
            queue,
            older_than,
            dry_run,
        } => purge(&queue.queue, older_than, dry_run),
        Command::Erase { queue, id, yes } => erase(&queue.queue, &id, yes),
        Command::Quarantine { queue, action } => quarantine(&queue.queue, action),
        Command::Operator { action } => operator(action),
        Command::Approve {
            queue,
            id,
            output,
            content,
            themes,
            by,
        } => approve(&queue, &id, &output, content.zip(themes), by),
        Command::Report {
            queue,
            output,
            from,
            to,
            lang,
            content,
            themes,
        } => {
            let site = content.zip(themes);
            report(
                &queue,
                &output,
                from.as_deref(),
                to.as_deref(),
                &lang,
                site.as_ref().map(|(c, t)| (c.as_path(), t.as_path())),
            )
        }
    };
    match result {
        Ok(code) => code,
        Err(e) if closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            ExitCode::FAILURE
        }
    }
}

/// Whether the output was closed by its reader: a normal end, as for any
/// Unix tool (`sportello-forms verify | head -1`).
fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes, each said once: many messages already quote
/// their cause, and `{:#}` would repeat it ("…(os error 28): No space left
/// on device (os error 28)").
fn message(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !out.contains(&cause) {
            out.push_str(": ");
            out.push_str(&cause);
        }
    }
    out
}

/// Loads the queue for a reading command; a missing file is said plainly.
/// Loads every segment for a reading command; a missing file is said
/// plainly.
fn load_all(queue: &QueueArg) -> anyhow::Result<Vec<ops::view::Item>> {
    for segment in std::iter::once(&queue.queue).chain(&queue.segments) {
        if !segment.exists() {
            anyhow::bail!(
                "there is no queue file at {}. Check the path (it is the --queue given to `sportello-forms serve`).",
                segment.display()
            );
        }
        finish_interrupted_purge(segment);
    }
    let (items, problems) = ops::view::load_from(&queue.source())?;
    if let Some(w) = problems.warning() {
        eprintln!("{w}");
    }
    Ok(items)
}

fn load(queue: &Path) -> anyhow::Result<Vec<ops::view::Item>> {
    if !queue.exists() {
        anyhow::bail!(
            "there is no queue file at {}. Check the path (it is the --queue given to `sportello-forms serve`).",
            queue.display()
        );
    }
    finish_interrupted_purge(queue);
    let (items, problems) = ops::view::load(queue)?;
    if let Some(w) = problems.warning() {
        eprintln!("{w}");
    }
    Ok(items)
}

fn list(queue: &QueueArg, filter: FilterArgs) -> anyhow::Result<ExitCode> {
    let items = filter.filter().apply(load_all(queue)?);
    let out = if std::io::stdout().is_terminal() {
        ops::table::table(&items)
    } else {
        ops::table::tsv(&items)
    };
    print_out(&out)
}

fn show(queue: &QueueArg, id: &str) -> anyhow::Result<ExitCode> {
    let items = load_all(queue)?;
    let item = ops::view::resolve(&items, id)?;
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(80);
    print_out(&ops::table::page(item, width))
}

fn change(args: ChangeArgs, kind: EventKind) -> anyhow::Result<ExitCode> {
    load_all(&args.queue)?;
    let said = ops::view::change_in(&args.queue.source(), &args.id, kind, args.by, args.note)?;
    outln!("{said}");
    Ok(ExitCode::SUCCESS)
}

fn export(
    queue: &QueueArg,
    format: Format,
    bom: bool,
    output: Option<&Path>,
    filter: FilterArgs,
) -> anyhow::Result<ExitCode> {
    let items = filter.filter().apply(load_all(queue)?);
    let write = |out: &mut dyn Write| -> anyhow::Result<()> {
        match format {
            Format::Csv => ops::export::csv(&items, bom, out)?,
            Format::Json => ops::export::json(&items, out)?,
        }
        Ok(())
    };
    match output {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| {
                    if e.kind() == std::io::ErrorKind::AlreadyExists {
                        anyhow::anyhow!(
                            "{} exists already: choose another file name, or delete the old export first.",
                            path.display()
                        )
                    } else {
                        anyhow::Error::new(e).context(format!("cannot create {}", path.display()))
                    }
                })?;
            let mut out = std::io::BufWriter::new(file);
            write(&mut out)?;
            out.into_inner()
                .map_err(|e| {
                    anyhow::Error::new(e.into_error())
                        .context(format!("cannot write {}", path.display()))
                })?
                .sync_all()
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "{} request(s) exported to {} — it holds personal data: delete it when you are done.",
                items.len(),
                path.display()
            );
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            write(&mut out)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn stats(queue: &QueueArg, json: bool, filter: FilterArgs) -> anyhow::Result<ExitCode> {
    let items = filter.filter().apply(load_all(queue)?);
    let s = ops::stats::compute(&items);
    if json {
        print_out(&format!("{}\n", serde_json::to_string_pretty(&s)?))
    } else {
        print_out(&ops::stats::render(&s))
    }
}

/// A purge a crash interrupted is finished (or undone) before reading.
fn finish_interrupted_purge(queue: &Path) {
    match ops::purge::complete_pending(queue) {
        Ok(true) => eprintln!("note: a purge that had been interrupted was completed first."),
        Ok(false) => {}
        Err(e) => eprintln!(
            "warning: a purge was interrupted and could not be completed ({e}); run this command again as the user who owns the queue."
        ),
    }
}

fn purge(queue: &Path, days: u32, dry_run: bool) -> anyhow::Result<ExitCode> {
    load(queue)?;
    let cutoff = ops::view::days_ago(i64::from(days))?;
    let report = ops::purge::purge(
        queue,
        &ops::purge::Selection::ReceivedBefore(cutoff),
        dry_run,
    )?;
    let verb = if dry_run { "would delete" } else { "deleted" };
    let day = ops::table::short_time(&cutoff.to_string());
    if report.removed.is_empty() {
        outln!("nothing to delete: no request was received before {day} UTC ({days} days ago).");
    } else {
        outln!(
            "{verb} {} request(s) received before {day} UTC, and {} history entr{}:",
            report.removed.len(),
            report.events_removed,
            if report.events_removed == 1 {
                "y"
            } else {
                "ies"
            }
        );
        for r in &report.removed {
            outln!(
                "  {}  {}  {}",
                r.id,
                ops::table::short_time(&r.received),
                r.desk
            );
        }
    }
    if !dry_run {
        outln!("{} request(s) kept.", report.kept);
    }
    if report.damaged_kept > 0 {
        outln!(
            "{} damaged line(s) could not be read and were kept as they were: run `sportello-forms verify`.",
            report.damaged_kept
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn erase(queue: &Path, prefix: &str, yes: bool) -> anyhow::Result<ExitCode> {
    let items = load(queue)?;
    let item = ops::view::resolve(&items, prefix)?;
    let id = item.record.id;
    if !yes {
        if !std::io::stdin().is_terminal() {
            anyhow::bail!("to erase request {id}, add --yes (it cannot be undone).");
        }
        out!(
            "Erase request {id} from {} (received {} UTC) and its history? This cannot be undone. Type yes: ",
            ops::table::printable(&item.record.name, false),
            ops::table::short_time(&item.record.received)
        );
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            outln!("nothing erased.");
            return Ok(ExitCode::FAILURE);
        }
    }
    let report = ops::purge::purge(queue, &ops::purge::Selection::Id(id), false)?;
    if report.removed.is_empty() {
        anyhow::bail!("request {id} was already gone (erased or purged meanwhile).");
    }
    outln!(
        "erased request {id} and {} history entr{}. Backups still hold it until they expire.",
        report.events_removed,
        if report.events_removed == 1 {
            "y"
        } else {
            "ies"
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn approve(
    queue: &QueueArg,
    id: &str,
    output: &Path,
    site: Option<(PathBuf, PathBuf)>,
    by: Option<String>,
) -> anyhow::Result<ExitCode> {
    let items = load_all(queue)?;
    let item = ops::view::resolve(&items, id)?;
    let site: Option<SitePages> = match site {
        Some((content, themes)) => Some(load_site(&content, &themes)?),
        None => None,
    };
    let site = site.as_ref().map(|s| s as &dyn sportello_forms::FormPages);
    if !ops::approve::approvable(&item.record, site) {
        anyhow::bail!(
            "request {} was not sent through a form that publishes to the directory",
            item.record.id
        );
    }
    let entry = ops::approve::entry(&item.record, site)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(output)
        .with_context(|| format!("cannot create {} (it must not exist yet)", output.display()))?;
    file.write_all(entry.yaml.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", output.display()))?;
    let said = ops::view::change_in(
        &queue.source(),
        &item.record.id.to_string(),
        EventKind::Approved,
        by,
        None,
    )?;
    outln!("{said}");
    outln!(
        "the entry is in {}: paste it at the end of content/_data/associations.yaml",
        output.display()
    );
    if !entry.checked {
        outln!(
            "(not checked against a site: give --content and --themes, or run `sportello check` once pasted)"
        );
    }
    for p in &entry.problems {
        outln!("check: {p}");
    }
    Ok(if entry.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn report(
    queue: &QueueArg,
    output: &Path,
    from: Option<&str>,
    to: Option<&str>,
    lang: &str,
    site: Option<(&Path, &Path)>,
) -> anyhow::Result<ExitCode> {
    let period = ops::report::Period::new(from, to);
    if let Some((_, m)) = period.unread(from, to).first() {
        anyhow::bail!("`{m}` is not a month: write it as 2026-01");
    }
    let items = load_all(queue)?;
    let report = ops::report::compute(&items, period);
    let renderer = sportello_forms::desk::render::Renderer::new()?;
    if !renderer.strings.is_known(lang) {
        anyhow::bail!("`{lang}` is not one of the report's languages: it, en, fr, ar, ro, sq, uk");
    }
    let site = site
        .map(|(content, themes)| load_site(content, themes))
        .transpose()?;
    let html = sportello_forms::desk::report::standalone(
        &renderer,
        lang,
        &report,
        site.as_ref().map(|s| s as &dyn FormPages),
    )?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(output)
        .with_context(|| format!("cannot create {}", output.display()))?;
    file.write_all(html.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", output.display()))?;
    eprintln!(
        "the report of {} request(s) is in {}: open it in a browser to read or print it.",
        report.stats.total,
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The site of `content` and `themes`, for its pages and its names of
/// topics and desks.
fn load_site(content: &Path, themes: &Path) -> anyhow::Result<SitePages> {
    let opts = sportello::Options {
        content: content.to_path_buf(),
        themes: themes.to_path_buf(),
        drafts: false,
        preview: false,
    };
    SitePages::load(&opts).map_err(|e| match e {
        sportello_forms::Error::Site(sportello::Error::Invalid(diags)) => {
            anyhow::anyhow!("the site cannot be loaded:\n{}", diags.render())
        }
        e => anyhow::anyhow!("the site cannot be loaded: {e}"),
    })
}

fn operator(action: OperatorAction) -> anyhow::Result<ExitCode> {
    use sportello_forms::accounts::Accounts;
    match action {
        OperatorAction::Add {
            accounts,
            name,
            totp,
        } => {
            let path = accounts.path();
            let mut list = Accounts::load(&path)?;
            sportello_forms::accounts::check_name(&name)?;
            if list.find(&name).is_some() {
                anyhow::bail!(
                    "an operator called {name} exists already (remove it first to reset the password)"
                );
            }
            let password = read_password(&name)?;
            list.add(&name, &password)?;
            println!(
                "operator {name} added to {}; they sign in at /desk/login.",
                path.display()
            );
            if totp {
                let setup = list.enable_totp(&name)?;
                println!(
                    "second factor: in the authenticator app (FreeOTP, Aegis, Google Authenticator…) add an account by hand with the key\n\n    {}\n\n(time-based, 6 digits, 30 seconds), or make a QR code of\n\n    {}\n\nShow it to {name} only, then clear the screen.",
                    setup.secret, setup.url
                );
            }
        }
        OperatorAction::Remove { accounts, name } => {
            let path = accounts.path();
            Accounts::load(&path)?.remove(&name)?;
            println!("operator {name} removed; their open sessions end at their next click.");
        }
        OperatorAction::List { accounts } => {
            let list = Accounts::load(&accounts.path())?;
            if list.operators().is_empty() {
                println!("no operators yet: add one with `sportello-forms operator add NAME`.");
            }
            let mut out = String::new();
            for o in list.operators() {
                out.push_str(&format!(
                    "{}  (since {})\n",
                    o.name,
                    ops::table::short_time(&o.created)
                ));
            }
            return print_out(&out);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The new password: asked twice without echo on a terminal, else the
/// first line of standard input (for scripts: `printf '%s\n' "$PW" | …`).
fn read_password(name: &str) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!(
            "Password for {name} (at least {} characters; a sentence is easy to remember): ",
            sportello_forms::accounts::MIN_PASSWORD_CHARS
        ))?;
        let second = rpassword::prompt_password("The same password again: ")?;
        if first != second {
            anyhow::bail!("the two passwords differ; nothing was changed.");
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// Prints, and treats a closed pipe (`| head`) as success.
fn print_out(s: &str) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e.into()),
    }
}

fn verify(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    if !path.exists() {
        anyhow::bail!(
            "there is no queue file at {}. Check the path (it is the --queue given to `sportello-forms serve`).",
            path.display()
        );
    }
    finish_interrupted_purge(path);
    let report = queue::verify(path)?;
    outln!("queue file {}:\n{report}", path.display());
    let ids: std::collections::HashSet<ulid::Ulid> = queue::read_records(path)?
        .filter_map(Result::ok)
        .map(|r| r.id)
        .collect();
    let state = ops::state::verify_state(path, &ids)?;
    outln!(
        "\nstate log {}:\n{state}",
        queue::rewrite::state_path(path).display()
    );
    let set_aside = ops::quarantine::list(path)?;
    if !set_aside.is_empty() {
        outln!("\nset aside from the end of the queue, not yet dealt with:");
        for a in &set_aside {
            outln!("  {}  {}", a.file_name(), aside_kind(a.kind));
        }
        outln!(
            "NOT OK: look at each with `sportello-forms quarantine show FILE`, then `restore` or `dismiss` it"
        );
    }
    Ok(if report.is_ok() && state.is_ok() && set_aside.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn aside_kind(kind: queue::recover::SetAsideKind) -> &'static str {
    match kind {
        queue::recover::SetAsideKind::Torn => {
            "a last line cut before its newline (a write interrupted by a crash, never acknowledged)"
        }
        queue::recover::SetAsideKind::Damaged => {
            "complete line(s) with a wrong checksum: a request that may have been acknowledged"
        }
    }
}

fn quarantine(queue: &Path, action: QuarantineAction) -> anyhow::Result<ExitCode> {
    use ops::quarantine as q;
    use ops::table::printable;
    match action {
        QuarantineAction::List => {
            let all = q::list(queue)?;
            let mut out = String::new();
            for a in &all {
                out.push_str(&format!("{}\t{}\n", a.file_name(), aside_kind(a.kind)));
            }
            out.push_str(&format!("{} file(s) set aside\n", all.len()));
            print_out(&out)
        }
        QuarantineAction::Show { file } => {
            let aside = q::find(queue, &file)?;
            let mut out = format!("{}: {}\n", aside.file_name(), aside_kind(aside.kind));
            for line in q::read(&aside)? {
                let problem = line
                    .problem
                    .as_ref()
                    .map_or("good record".to_owned(), ToString::to_string);
                out.push_str(&format!(
                    "\nline at byte {} ({} bytes): {problem}\n",
                    line.offset, line.len
                ));
                match &line.record {
                    Some(r) => {
                        let id = r.id.to_string();
                        for (k, v) in [
                            ("id", id.as_str()),
                            ("received", r.received.as_str()),
                            ("desk", r.desk.as_str()),
                            ("language", r.lang.as_str()),
                            ("topic", r.topic.as_str()),
                            ("name", r.name.as_str()),
                            ("e-mail", r.email.as_deref().unwrap_or("—")),
                            ("phone", r.phone.as_deref().unwrap_or("—")),
                        ] {
                            out.push_str(&format!("  {k:<9} {}\n", printable(v, false)));
                        }
                        out.push_str(&format!(
                            "  message:\n{}\n",
                            ops::table::wrap(&printable(&r.message, true), 76, "    ")
                        ));
                        out.push_str("  readable: `quarantine restore` puts it back in the queue (check the fields above: one of them was damaged)\n");
                    }
                    None => out.push_str("  not readable as a request\n"),
                }
            }
            print_out(&out)
        }
        QuarantineAction::Restore { file } => {
            let aside = q::find(queue, &file)?;
            let report = q::restore(queue, &aside)?;
            let mut out = String::new();
            for id in &report.restored {
                out.push_str(&format!("restored request {id}\n"));
            }
            for id in &report.already {
                out.push_str(&format!("request {id} is already in the queue\n"));
            }
            if report.removed {
                out.push_str(&format!(
                    "{} deleted: everything in it is in the queue\n",
                    aside.file_name()
                ));
            } else {
                out.push_str(&format!(
                    "{} line(s) cannot be read as a request; {} is kept: `quarantine dismiss` it once you have copied what you need\n",
                    report.unreadable,
                    aside.file_name()
                ));
            }
            print_out(&out)
        }
        QuarantineAction::Dismiss { file, yes } => {
            let aside = q::find(queue, &file)?;
            if !yes {
                if !std::io::stdin().is_terminal() {
                    anyhow::bail!(
                        "to delete {}, add --yes (it cannot be undone).",
                        aside.file_name()
                    );
                }
                out!(
                    "Delete {}? What it holds cannot be restored afterwards. Type yes: ",
                    aside.file_name()
                );
                std::io::stdout().flush()?;
                let mut answer = String::new();
                std::io::stdin().read_line(&mut answer)?;
                if answer.trim() != "yes" {
                    outln!("nothing deleted.");
                    return Ok(ExitCode::FAILURE);
                }
            }
            q::dismiss(&aside)?;
            print_out(&format!("deleted {}\n", aside.file_name()))
        }
    }
}

#[tokio::main]
async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let queue = Queue::open(&args.queue)?;
    let recovery = queue.recovery();
    tracing::info!(records = recovery.records, "queue opened");
    if let Some(torn) = &recovery.torn {
        if torn.complete_lines > 0 {
            tracing::error!(
                offset = torn.offset,
                bytes = torn.len,
                lines = torn.complete_lines,
                saved_to = %torn.saved_to.display(),
                "damaged last record(s), which may have been acknowledged, were set aside; run `sportello-forms quarantine show`"
            );
        } else {
            tracing::warn!(
                offset = torn.offset,
                bytes = torn.len,
                saved_to = %torn.saved_to.display(),
                "a torn tail (a write cut by a crash, never acknowledged) was moved aside"
            );
        }
    }
    if recovery.damaged_count > 0 {
        tracing::error!(
            lines = recovery.damaged_count,
            first_offset = recovery.damaged.first().map(|d| d.offset),
            "damaged lines inside the queue were left in place; run `sportello-forms verify`"
        );
    }
    let pages: Arc<dyn FormPages> = match (&args.content, &args.themes) {
        (Some(content), Some(themes)) => Arc::new(load_site(content, themes)?),
        _ => Arc::new(PlainPages::new(
            args.languages,
            args.desks,
            args.fallback_contact,
        )),
    };
    let config = FormsConfig {
        body_timeout: Duration::from_secs(args.body_timeout),
        rate: args.rate,
        trusted_proxies: args.trusted_proxies,
        ..FormsConfig::default()
    };
    let mut desk = sportello_forms::desk::DeskConfig::new(&args.queue);
    if let Some(accounts) = &args.accounts {
        desk.accounts = accounts.clone();
    }
    desk.secure_cookies = !args.desk_plain_http;
    desk.segments = args.segments.clone();
    desk.trusted_proxies = config.trusted_proxies.clone();
    desk.site = Some(pages.clone());
    let forms = sportello_forms::FormsApp::new(config, pages, queue.handle());
    desk.metrics = Some(forms.metrics());
    desk.queue_handle = Some(queue.handle());
    let router = forms.router().merge(sportello_forms::desk::router(desk)?);
    let notify = ops::notify::NotifyConfig {
        smtp: match (&args.smtp_host, args.notify_to.is_empty()) {
            (Some(host), false) => Some(ops::notify::Smtp {
                host: host.clone(),
                port: args.smtp_port,
                from: args.notify_from.clone(),
                to: args.notify_to.clone(),
            }),
            (Some(_), true) => anyhow::bail!(
                "--smtp-host is set but not --notify-to: give the desk's e-mail address with --notify-to."
            ),
            (None, _) => None,
        },
        webhook: args.webhook.clone(),
        first_backoff: Duration::from_millis(args.notify_retry_ms),
        ..Default::default()
    };
    if let Some(url) = &notify.webhook {
        ops::notify::parse_http_url(url)?;
    }
    let (stop_notifier, stopped) = tokio::sync::oneshot::channel::<()>();
    let notifier = notify.is_enabled().then(|| {
        tokio::spawn(ops::notify::run(args.queue.clone(), notify, async {
            let _ = stopped.await;
        }))
    });
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let local = listener.local_addr()?;
    // On stdout, for scripts and tests that start the server on port 0.
    println!("listening on http://{local}");
    tracing::info!(addr = %local, "listening");
    let options = ServerOptions {
        header_read_timeout: Duration::from_secs(args.header_timeout),
        ..Default::default()
    };
    sportello_forms::serve(
        listener,
        router,
        options,
        sportello_forms::shutdown_signal(),
    )
    .await?;
    let _ = stop_notifier.send(());
    if let Some(notifier) = notifier {
        let _ = notifier.await;
    }
    queue.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}
