//! The crate's error type, and [`AppError`], its face towards HTTP clients.
//!
//! Form answers (422, 413, 429, 503) are not errors here: they are ordinary
//! responses built by [`crate::routes`]. [`AppError`] is for what should never
//! reach a person in detail; it answers a short plain text and keeps the cause
//! for the logs.

use std::io;
use std::path::PathBuf;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another process holds the queue file's exclusive lock.
    #[error(
        "the queue file {} is locked by another process (is another `sportello-forms serve` running on it?)",
        path.display()
    )]
    Locked { path: PathBuf },

    /// An I/O operation on a named file failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The queue's writer stopped after a failed write or fsync, or is
    /// shutting down: nothing more can be stored by this process.
    #[error("the queue cannot be written: {0}")]
    Unavailable(String),

    /// A record could not be encoded (never expected for valid submissions).
    #[error("cannot encode a record: {0}")]
    Encode(#[from] serde_json::Error),

    /// Writing an operators' command's output failed (a full disk, a
    /// closed pipe).
    #[error("cannot write {what}")]
    Write {
        what: &'static str,
        #[source]
        source: io::Error,
    },

    /// A malformed setting (rate, address…).
    #[error("invalid setting: {0}")]
    Config(String),

    /// An operator account cannot be added, removed or read.
    #[error("{0}")]
    Account(String),

    /// The site's renderer failed to produce a page.
    #[error("cannot render the form page: {0}")]
    Render(String),

    /// The site could not be loaded or one of its pages rendered.
    #[error(transparent)]
    Site(#[from] sportello::Error),

    /// The site `sportello serve` keeps loaded has errors, so no page of it
    /// can be rendered until they are fixed.
    #[error("the site has errors; fix them and save")]
    SiteNotReady,

    /// A date an operator typed (`--since`) is not one.
    #[error("`{0}` is not a date: write it as 2026-01-31, or 30d for the last 30 days")]
    NotADate(String),

    /// A number of days that reaches before any representable time.
    #[error("{days} days is too far back")]
    TooFarBack { days: i64 },

    /// A status an operator typed is not one.
    #[error("`{0}` is not a status: use new, taken or done")]
    NotAStatus(String),

    /// No id was given where one request must be named.
    #[error("give the request's id (or its first characters), as `list` shows it")]
    NoId,

    /// No request has an id with this prefix.
    #[error(
        "no request has an id starting with {prefix}. Check it with `sportello-forms list` (it may have been purged or erased)."
    )]
    NoSuchRequest { prefix: String },

    /// Several requests share the prefix given.
    #[error(
        "{count} requests have ids starting with {prefix} ({examples}…): type more characters of the id."
    )]
    AmbiguousId {
        prefix: String,
        count: usize,
        examples: String,
    },

    /// `take` on a handled request: it must be reopened first.
    #[error(
        "request {id} is already done. To work on it again, use `sportello-forms reopen {short}`."
    )]
    TakeDone { id: ulid::Ulid, short: String },

    /// `done` on a handled request.
    #[error("request {id} is already done; nothing changed.")]
    AlreadyDone { id: ulid::Ulid },

    /// `reopen` on a request that is not done.
    #[error("request {id} is not done (it is {status}), so there is nothing to reopen.")]
    NotDone {
        id: ulid::Ulid,
        status: &'static str,
    },

    /// `note` without a note.
    #[error("write the note after --note, in quotes.")]
    EmptyNote,

    /// A webhook address the notifier cannot post to.
    #[error("the webhook address {url} {problem}")]
    WebhookUrl { url: String, problem: &'static str },

    /// Telling the desk of a request failed; the notifier tries again later.
    #[error("{channel} to the desk failed: {reason}")]
    Notify {
        channel: &'static str,
        reason: String,
    },

    /// A blocking task was cancelled or panicked.
    #[error("a background task stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}

/// An [`Error`] on its way to an HTTP client: a terse status and text, the
/// details only in the logs (which never hold personal data).
#[derive(Debug)]
pub struct AppError(pub Error);

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        Self(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match self.0 {
            Error::Unavailable(_) | Error::Locked { .. } => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        tracing::error!(error = %self.0, status = status.as_u16(), "request failed");
        (status, status.canonical_reason().unwrap_or("error")).into_response()
    }
}
