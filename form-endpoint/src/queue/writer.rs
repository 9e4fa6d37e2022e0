//! The one writer: a dedicated thread that owns the queue storage and
//! commits submissions in groups.
//!
//! Handlers send their submission over a bounded channel with a one-shot
//! reply. The writer takes everything waiting in one call (up to
//! [`MAX_BATCH`]), encodes it into one reused buffer, makes **one** append
//! and **one** fsync, and only then answers each waiter with its id. While
//! it syncs, new submissions queue up and form the next group, so the batch
//! grows with the load and an fsync is shared by all who arrived during the
//! previous one.
//!
//! A failed append or fsync is final: the batch is cut off again (so no
//! unacknowledged bytes stay behind), every waiter is told the queue is
//! unavailable, and so is everyone after. Retrying an fsync is unsafe — the
//! kernel may already have dropped the dirty pages and would report success
//! for data that is gone.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use tokio::sync::{mpsc, oneshot};
use ulid::{Generator, Ulid};

use super::Receipt;
use super::record::{Record, encode_line};
use super::storage::QueueStorage;
use super::time::rfc3339_millis;
use crate::Error;
use crate::fields::Submission;

/// Most submissions in one group commit.
pub const MAX_BATCH: usize = 1024;

type Reply = oneshot::Sender<Result<Receipt, Error>>;

pub(crate) struct Job {
    pub submission: Submission,
    pub reply: Reply,
}

pub(crate) enum Msg {
    /// Boxed: a submission is large and the channel holds many messages.
    Submit(Box<Job>),
    /// Finish what was sent before, then stop.
    Close,
}

/// State shared between the writer and the handles.
#[derive(Debug, Default)]
pub struct Shared {
    failure: OnceLock<String>,
    batches: AtomicU64,
    records: AtomicU64,
    io_nanos: AtomicU64,
}

/// What the writer has done since start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct WriterStats {
    /// Successful group commits, i.e. fsyncs.
    pub group_commits: u64,
    pub records: u64,
    /// Time spent in append + fsync, in microseconds.
    pub io_micros: u64,
}

impl Shared {
    /// Why the writer stopped for good, if it did.
    pub fn failure(&self) -> Option<&str> {
        self.failure.get().map(String::as_str)
    }

    /// Group commits, records and I/O time since start.
    pub fn stats(&self) -> WriterStats {
        WriterStats {
            group_commits: self.batches.load(Ordering::Relaxed),
            records: self.records.load(Ordering::Relaxed),
            io_micros: self.io_nanos.load(Ordering::Relaxed) / 1000,
        }
    }
}

pub(crate) fn run<S: QueueStorage>(
    mut storage: S,
    mut rx: mpsc::Receiver<Msg>,
    shared: Arc<Shared>,
) {
    let mut ids = Generator::new();
    let mut buf = Vec::with_capacity(256 * 1024);
    let mut msgs: Vec<Msg> = Vec::with_capacity(MAX_BATCH);
    let mut batch: Vec<(Reply, Receipt)> = Vec::with_capacity(MAX_BATCH);
    let mut closing = false;
    // Everything waiting in the channel in one call (one lock of the
    // channel, not one per message); 0 only once every sender is gone.
    while !closing && rx.blocking_recv_many(&mut msgs, MAX_BATCH) > 0 {
        buf.clear();
        for msg in msgs.drain(..) {
            let Msg::Submit(job) = msg else {
                // Close: what came before is committed below; anything
                // after it in this group is dropped with its reply sender
                // (its handler sees "closed" and answers 503).
                closing = true;
                continue;
            };
            let Job { submission, reply } = *job;
            if closing {
                continue;
            }
            if shared.failure().is_some() {
                let _ = reply.send(Err(unavailable(&shared)));
                continue;
            }
            let now = SystemTime::now();
            let id = ids
                .generate_from_datetime(now)
                .unwrap_or_else(|_| Ulid::from_datetime(now));
            let receipt = Receipt {
                id,
                received: rfc3339_millis(now),
            };
            let record = Record::new(id, receipt.received.clone(), submission);
            match encode_line(&record, &mut buf) {
                Ok(()) => batch.push((reply, receipt)),
                Err(e) => {
                    let _ = reply.send(Err(e));
                }
            }
        }
        if !batch.is_empty() {
            commit(&mut storage, &buf, &mut batch, &shared);
        }
    }
    // Submissions still in the channel are dropped with their reply senders:
    // their handlers see "closed" and answer 503, having stored nothing.
}

fn commit<S: QueueStorage>(
    storage: &mut S,
    buf: &[u8],
    batch: &mut Vec<(Reply, Receipt)>,
    shared: &Shared,
) {
    let started = std::time::Instant::now();
    // Under the rewrite lock: a purge never sees half a group.
    let began = storage.begin_commit();
    let before = storage.len();
    let written = began
        .and_then(|()| storage.append(buf))
        .and_then(|()| storage.sync());
    let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    shared.io_nanos.fetch_add(nanos, Ordering::Relaxed);
    match written {
        Ok(()) => {
            storage.end_commit();
            shared.batches.fetch_add(1, Ordering::Relaxed);
            shared
                .records
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
            tracing::debug!(records = batch.len(), bytes = buf.len(), "group committed");
            // Answered here, at once: waking a waiting task is an atomic
            // store and at most the wake-up of an idle runtime worker. A
            // helper thread for this (as before) was one more thread for two
            // cores to schedule, and took a new group vector (~48 KB) per
            // commit: in a profile at 64 clients, `_int_malloc` was 45% of
            // the writer's CPU, and that vector its one large allocation.
            // `batch` is drained and reused instead.
            for (reply, receipt) in batch.drain(..) {
                // A waiter that went away (client disconnected) is stored
                // all the same; nothing to undo.
                let _ = reply.send(Ok(receipt));
            }
        }
        Err(e) => {
            let rollback = storage.truncate(before).and_then(|()| storage.sync());
            storage.end_commit();
            let reason = format!("write or fsync failed: {e}");
            tracing::error!(
                error = %e,
                records = batch.len(),
                rollback = if rollback.is_ok() { "done" } else { "failed" },
                "queue writer stopped for good; every submission will now get 503"
            );
            let _ = shared.failure.set(reason);
            for (reply, _) in batch.drain(..) {
                let _ = reply.send(Err(unavailable(shared)));
            }
        }
    }
}

fn unavailable(shared: &Shared) -> Error {
    Error::Unavailable(
        shared
            .failure()
            .unwrap_or("the queue is unavailable")
            .to_owned(),
    )
}
