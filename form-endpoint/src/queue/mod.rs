//! The queue file: append-only JSON Lines of submissions, durable before
//! anyone is told "received".
//!
//! - [`line`]: the checksummed-line codec shared by the queue, the state
//!   log and the purge journal.
//! - [`record`]: schema v1, one line per submission, with its CRC-32.
//! - [`durable`]: `sync_dir`, which makes a new directory entry durable.
//! - [`time`]: the files' one time format.
//! - [`storage`]: the file operations behind a trait, so faults can be
//!   injected ([`storage::FaultyStorage`]).
//! - [`writer`]: the single writer thread and its group commit.
//! - [`lock`]: the exclusive OS lock that refuses a second writer.
//! - [`rewrite`]: purges beside a running writer — the lock files, the
//!   journal that makes them crash-safe.
//! - [`recover`]: the torn-tail recovery run on every start, and [`verify`].
//! - [`read`]: reading records back, for the operators' commands.
//! - [`source`]: [`source::RecordSource`], the one trait the operators'
//!   code reads the queue through, over one or several segments.
//!
//! [`Queue::open`] locks the file, recovers it, and starts the writer; the
//! cloneable [`QueueHandle`] is what the router uses to submit.

pub mod durable;
pub mod line;
pub mod lock;
pub mod read;
pub mod record;
pub mod recover;
pub mod rewrite;
pub mod source;
pub mod storage;
pub mod time;
pub mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::{mpsc, oneshot};

pub use line::LineProblem;
pub use read::{Line, Lines, read_lines, read_records};
pub use record::{Record, SCHEMA_VERSION};
pub use recover::{Recovery, TornTail, Verification, verify};
pub use storage::{FaultyStorage, FileStorage, QueueStorage};

use crate::Error;
use crate::fields::Submission;
pub use writer::WriterStats;
use writer::{Job, Msg, Shared};

/// Submissions that may wait for the writer before senders are made to wait.
pub const CHANNEL_CAPACITY: usize = 4096;

/// Proof that a submission is on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The record's id.
    pub id: ulid::Ulid,
    /// The record's `received` time.
    pub received: String,
}

/// Submits to the queue's writer. Cheap to clone.
#[derive(Debug, Clone)]
pub struct QueueHandle {
    tx: mpsc::Sender<Msg>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Msg::Submit(_) => "Submit",
            Msg::Close => "Close",
        })
    }
}

impl QueueHandle {
    /// Stores `submission` and returns once it is written and fsync'd.
    /// Any error means nothing was stored for it.
    pub async fn submit(&self, submission: Submission) -> Result<Receipt, Error> {
        if let Some(reason) = self.shared.failure() {
            return Err(Error::Unavailable(reason.to_owned()));
        }
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Msg::Submit(Box::new(Job { submission, reply })))
            .await
            .map_err(|_| Error::Unavailable("the queue is closed".into()))?;
        answer
            .await
            .map_err(|_| Error::Unavailable("the queue closed before storing".into()))?
    }

    /// `None` while the writer can write; otherwise why it stopped.
    pub fn failure(&self) -> Option<String> {
        self.shared.failure().map(str::to_owned)
    }

    pub fn is_healthy(&self) -> bool {
        self.shared.failure().is_none() && !self.tx.is_closed()
    }

    /// Group commits (fsyncs), records and I/O time since start.
    pub fn stats(&self) -> WriterStats {
        self.shared.stats()
    }
}

/// An open queue: the writer thread and what recovery found.
#[derive(Debug)]
pub struct Queue {
    handle: QueueHandle,
    writer: Option<JoinHandle<()>>,
    recovery: Recovery,
    path: Option<PathBuf>,
}

impl Queue {
    /// Locks, recovers and starts writing `path` (created 0600 if missing).
    ///
    /// Fails with [`Error::Locked`] if another process (or another open in
    /// this one) holds the queue.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        // The lifetime lock on `QUEUE.lock` (a purge may replace the queue
        // file itself), then recovery under the rewrite lock, after
        // finishing a purge a crash interrupted.
        let owner = rewrite::lock_owner(path)?;
        let rewrite_lock = rewrite::lock(&rewrite::rewrite_lock_path(path))?;
        {
            let _state = rewrite::lock(&rewrite::state_lock_path(path))?;
            rewrite::complete_locked(path)?;
        }
        let mut file = lock::open_locked(path)?;
        let (recovery, len) = recover::recover_file(&mut file, path)?;
        rewrite_lock
            .unlock()
            .map_err(Error::io("cannot unlock", rewrite::rewrite_lock_path(path)))?;
        let storage = FileStorage::coordinated(file, len, path, owner, rewrite_lock);
        let mut queue = Self::start(storage, recovery)?;
        queue.path = Some(path.to_path_buf());
        Ok(queue)
    }

    /// Starts a writer over any storage (tests, fault drills).
    pub fn with_storage<S: QueueStorage>(storage: S) -> Result<Self, Error> {
        Self::start(storage, Recovery::default())
    }

    fn start<S: QueueStorage>(storage: S, recovery: Recovery) -> Result<Self, Error> {
        let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
        let shared = Arc::new(Shared::default());
        let for_writer = shared.clone();
        let writer = std::thread::Builder::new()
            .name("queue-writer".into())
            .spawn(move || writer::run(storage, rx, for_writer))
            .map_err(|e| Error::Unavailable(format!("cannot start the queue writer: {e}")))?;
        Ok(Self {
            handle: QueueHandle { tx, shared },
            writer: Some(writer),
            recovery,
            path: None,
        })
    }

    pub fn handle(&self) -> QueueHandle {
        self.handle.clone()
    }

    /// What recovery found when the file was opened.
    pub fn recovery(&self) -> &Recovery {
        &self.recovery
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Stores everything submitted before this call, then stops the writer
    /// and releases the lock. Later submissions get [`Error::Unavailable`].
    pub async fn close(mut self) {
        let _ = self.handle.tx.send(Msg::Close).await;
        if let Some(writer) = self.writer.take() {
            let _ = tokio::task::spawn_blocking(move || writer.join()).await;
        }
    }
}
