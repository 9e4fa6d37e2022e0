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
