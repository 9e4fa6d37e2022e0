//! `sportello-forms`: the form endpoint's server and (to come, issue 6) the
//! operators' commands on the queue file.

use std::io::IsTerminal as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use sportello_forms::{FormsConfig, PlainPages, Queue, Rate, ServerOptions, queue};

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
    Serve(ServeArgs),
    /// Check the queue file: checksums, unique ids, torn tail.
    Verify {
        #[arg(long)]
        queue: PathBuf,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on (put it behind a reverse proxy).
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// The queue file (JSON Lines; created 0600 if missing).
    #[arg(long)]
    queue: PathBuf,
    /// A reverse proxy whose X-Forwarded-For is trusted (repeatable).
    #[arg(long = "trusted-proxy")]
    trusted_proxies: Vec<IpAddr>,
    /// Submissions per client: N/s, N/min, N/h, or off.
    #[arg(long, default_value_t = Rate::default())]
    rate: Rate,
    /// The site's language codes, default first (repeatable).
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
        Command::Serve(args) => serve(args),
        Command::Verify { queue } => verify(&queue),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn verify(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let report = queue::verify(path)?;
    println!("{report}");
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[tokio::main]
async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let queue = Queue::open(&args.queue)?;
    let recovery = queue.recovery();
    tracing::info!(records = recovery.records, "queue opened");
    if let Some(torn) = &recovery.torn {
        tracing::warn!(
            offset = torn.offset,
            bytes = torn.len,
            saved_to = %torn.saved_to.display(),
            "a torn tail (a write cut by a crash, never acknowledged) was moved aside"
        );
    }
    if recovery.damaged_count > 0 {
        tracing::error!(
            lines = recovery.damaged_count,
            first_offset = recovery.damaged.first().map(|d| d.offset),
            "damaged lines inside the queue were left in place; run `sportello-forms verify`"
        );
    }
    let pages = Arc::new(PlainPages::new(
        args.languages,
        args.desks,
        args.fallback_contact,
    ));
    let config = FormsConfig {
        body_timeout: Duration::from_secs(args.body_timeout),
        rate: args.rate,
        trusted_proxies: args.trusted_proxies,
        ..FormsConfig::default()
    };
    let router = sportello_forms::app(config, pages, queue.handle());
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
    queue.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}
