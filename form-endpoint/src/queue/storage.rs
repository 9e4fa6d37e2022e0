//! Where the writer's bytes go: the [`QueueStorage`] trait, the real
//! [`FileStorage`], and [`FaultyStorage`], which fails on demand so tests can
//! prove that an I/O error never acknowledges and never leaves a record.

use std::fs::File;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard};

/// The file operations the writer needs. One owner, one thread.
pub trait QueueStorage: Send + 'static {
    /// Current length in bytes.
    fn len(&self) -> u64;
    /// Whether the storage holds nothing.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Appends all of `bytes`; may fail part-way.
    fn append(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Makes everything appended durable (`fdatasync`).
    fn sync(&mut self) -> io::Result<()>;
    /// Cuts back to `len` bytes, removing a batch that was not acknowledged.
    fn truncate(&mut self, len: u64) -> io::Result<()>;
    /// Called before each group commit: the real file takes the rewrite
    /// lock here and follows a purge that replaced the file
    /// ([`super::rewrite`]).
    fn begin_commit(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// Called after each group commit, whatever its outcome.
    fn end_commit(&mut self) {}
}

/// The real queue file, opened for appending and locked
/// ([`super::lock::open_locked`]).
#[derive(Debug)]
pub struct FileStorage {
    file: File,
    len: u64,
    /// With a path, commits take the rewrite lock and follow a purge.
    coordination: Option<Coordination>,
}

#[derive(Debug)]
struct Coordination {
    path: std::path::PathBuf,
    rewrite_lock: File,
    /// The writer's lifetime lock (`QUEUE.lock`), released on drop.
    _owner: File,
}

impl FileStorage {
    /// Wraps an open, locked file of length `len`.
    pub fn new(file: File, len: u64) -> Self {
        Self {
            file,
            len,
            coordination: None,
        }
    }

    /// Wraps the queue file at `path` for a writer that holds `owner`
    /// (`QUEUE.lock`), cooperating with purges through `rewrite_lock`.
    pub fn coordinated(
        file: File,
        len: u64,
        path: &std::path::Path,
        owner: File,
        rewrite_lock: File,
    ) -> Self {
        Self {
            file,
            len,
            coordination: Some(Coordination {
                path: path.to_path_buf(),
                rewrite_lock,
                _owner: owner,
            }),
        }
    }
}

impl QueueStorage for FileStorage {
    fn len(&self) -> u64 {
        self.len
    }

    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        let result = self.file.write_all(bytes);
        if result.is_ok() {
            self.len += bytes.len() as u64;
        }
        result
    }

    fn sync(&mut self) -> io::Result<()> {
        // fdatasync: an append changes the size, which fdatasync does flush.
        self.file.sync_data()
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.file.set_len(len)?;
        self.len = len;
        Ok(())
    }

    fn begin_commit(&mut self) -> io::Result<()> {
        use std::os::unix::fs::MetadataExt as _;
        let Some(c) = &self.coordination else {
            return Ok(());
        };
        c.rewrite_lock.lock()?;
        if super::rewrite::journal_exists(&c.path) {
            let _state = super::rewrite::lock(&super::rewrite::state_lock_path(&c.path))
                .map_err(io::Error::other)?;
            super::rewrite::complete_locked(&c.path).map_err(io::Error::other)?;
        }
        // A purge may have put a new file at the path: append to that one.
        let at_path = std::fs::metadata(&c.path)?;
        let ours = self.file.metadata()?;
        if (at_path.dev(), at_path.ino()) != (ours.dev(), ours.ino()) {
            self.file = std::fs::OpenOptions::new()
                .read(true)
                .append(true)
                .open(&c.path)?;
            self.len = at_path.len();
            tracing::info!("the queue file was replaced by a purge; writing to the new one");
        }
        Ok(())
    }

    fn end_commit(&mut self) {
        if let Some(c) = &self.coordination {
            let _ = c.rewrite_lock.unlock();
        }
    }
}

/// An in-memory storage that fails when told to. Clones share the same
/// bytes and switches, so a test keeps one while the writer owns another.
#[derive(Debug, Clone, Default)]
pub struct FaultyStorage {
    inner: Arc<Mutex<Faulty>>,
}

#[derive(Debug, Default)]
struct Faulty {
    bytes: Vec<u8>,
    /// What the last successful sync made durable.
    durable: usize,
    /// Next append writes this many bytes, then fails.
    fail_append_after: Option<usize>,
    fail_sync: bool,
    fail_truncate: bool,
    sync_delay: std::time::Duration,
    syncs: u64,
}

impl FaultyStorage {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Faulty> {
        // A panic while holding the lock is a test failure already; the
        // bytes are still worth looking at.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The next append writes `written` bytes of its batch, then fails.
    pub fn fail_next_append_after(&self, written: usize) {
        self.lock().fail_append_after = Some(written);
    }

    /// The next sync fails (and every later one: the data may be gone).
    pub fn fail_syncs(&self) {
        self.lock().fail_sync = true;
    }

    /// Truncation fails too (the worst case: a batch may stay behind).
    pub fn fail_truncates(&self) {
        self.lock().fail_truncate = true;
    }

    /// Current contents.
    pub fn contents(&self) -> Vec<u8> {
        self.lock().bytes.clone()
    }

    /// Each sync takes this long, like a disk's flush.
    pub fn set_sync_delay(&self, delay: std::time::Duration) {
        self.lock().sync_delay = delay;
    }

    /// Contents as of the last successful sync.
    pub fn durable(&self) -> Vec<u8> {
        let f = self.lock();
        f.bytes[..f.durable.min(f.bytes.len())].to_vec()
    }

    /// Successful syncs so far (one per committed batch).
    pub fn syncs(&self) -> u64 {
        self.lock().syncs
    }
}

impl QueueStorage for FaultyStorage {
    fn len(&self) -> u64 {
        self.lock().bytes.len() as u64
    }

    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut f = self.lock();
        if let Some(n) = f.fail_append_after.take() {
            f.bytes.extend_from_slice(&bytes[..n.min(bytes.len())]);
            return Err(io::Error::other("injected write error"));
        }
        f.bytes.extend_from_slice(bytes);
        Ok(())
    }

    fn sync(&mut self) -> io::Result<()> {
        let delay = self.lock().sync_delay;
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        let mut f = self.lock();
        if f.fail_sync {
            return Err(io::Error::other("injected fsync error"));
        }
        f.durable = f.bytes.len();
        f.syncs += 1;
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        let mut f = self.lock();
        if f.fail_truncate {
            return Err(io::Error::other("injected truncate error"));
        }
        let len = usize::try_from(len)
            .unwrap_or(usize::MAX)
            .min(f.bytes.len());
        f.bytes.truncate(len);
        f.durable = f.durable.min(len);
        Ok(())
    }
}
