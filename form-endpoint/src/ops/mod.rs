//! The operators' commands on a queue file: `list`, `show`, `take`, `done`,
//! `reopen`, `note`, `export`, `stats`, `purge`, `erase`, and the
//! notification of new submissions to the desk.
//!
//! - [`state`]: the second, append-only log of what operators did.
//! - [`view`]: submissions joined with their state, filters, id prefixes.
//! - [`table`]: terminal tables and tab-separated output, `show`'s page.
//! - [`export`]: CSV (RFC 4180, formula injection neutralised) and JSON.
//! - [`stats`]: counts by status, desk, language, topic and month.
//! - [`purge`]: retention purge and erasure, crash-safe, beside a running
//!   endpoint.
//! - [`quarantine`]: what recovery set aside from the end of the queue
//!   (`QUEUE.torn-…`, `QUEUE.damaged-…`): listed until an operator restores
//!   or dismisses it.
//! - [`approve`]: a request to be listed becomes a directory entry.
//! - [`notify`]: e-mail (SMTP) and webhook notification, retried from the
//!   queue.

pub mod approve;
pub mod export;
pub mod notify;
pub mod purge;
pub mod quarantine;
pub mod report;
pub mod state;
pub mod stats;
pub mod table;
pub mod view;
