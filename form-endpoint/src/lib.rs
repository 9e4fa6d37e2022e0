//! Sportello's contact-form endpoint and its durable queue.
//!
//! A person posts the contact form (`POST /forms/contact`, an ordinary
//! `application/x-www-form-urlencoded` body, JavaScript optional); the endpoint
//! validates it, appends it to an append-only JSON Lines queue file, and
//! answers only once the record is on disk (written **and** fsync'd). Every
//! other outcome — invalid, too large, too many, queue broken — shows the form
//! again in the reader's language with everything they typed kept.
//!
//! Table of contents:
//! - [`fields`]: the form's fields, the topic list and the validation rules
//!   (one place; the theme and the tests read the same constants).
//! - [`decode`]: a lenient form decoder — a malformed body yields what could
//!   be kept, never a panic.
//! - [`pages`]: the [`FormPages`] trait through which the site renders its
//!   localised answers, the [`FormState`] it is given, and [`PlainPages`], a
//!   bare built-in renderer for tests and as a fallback.
//! - [`limits`]: per-client rate limiting and the client address (forwarded
//!   headers trusted only from configured proxies).
//! - [`routes`]: the axum [`Router`](axum::Router): [`app`] and [`FormsApp`].
//! - [`server`]: serving with hyper-util's connection builder, so slow headers
//!   time out (axum's `serve` has no header-read timeout), and graceful
//!   shutdown on SIGTERM/Ctrl-C.
//! - [`queue`]: the queue file — record schema v1 with a per-line CRC-32,
//!   the single writer with group commit, the OS lock, recovery of a torn
//!   tail, verification and reading for the operators' commands.
//! - [`ops`]: the operators' commands — list, show, take/done/reopen (the
//!   state log), export, stats, purge/erase, notification.
//! - [`accounts`]: operators' accounts for the web inbox (Argon2id).
//! - [`desk`]: the operators' web inbox under `/desk/`.
//! - [`metrics`]: counters readable by tests and shown to operators at
//!   `/desk/healthz`.
//! - [`config`]: what an operator can tune.
//! - [`error`]: the crate's one error type and its HTTP face.
//!
//! - [`site_pages`]: [`FormPages`] implemented with the site's own theme,
//!   through the generator's library (`sportello`), so the answers are the
//!   contact page of the reader's language.

pub mod accounts;
pub mod config;
pub mod decode;
pub mod desk;
pub mod error;
pub mod fields;
pub mod limits;
pub mod metrics;
pub mod ops;
pub mod pages;
pub mod queue;
pub mod routes;
pub mod server;
pub mod site_pages;

pub use config::{FormsConfig, Rate};
pub use error::{AppError, Error};
pub use fields::{ErrorCode, Submission};
pub use metrics::Metrics;
pub use pages::{FormPages, FormState, FormStatus, PlainPages};
pub use queue::{Queue, QueueHandle, Receipt};
pub use routes::{FormsApp, app};
pub use server::{ServerOptions, serve, shutdown_signal};
