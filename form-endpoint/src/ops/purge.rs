//! `purge --older-than DAYS` (retention) and `erase ID` (one person's
//! request): remove submissions and their state-log events by writing new
//! files and renaming them over the old ones, safely beside a running
//! endpoint and crash-safely — see [`crate::queue::rewrite`] for the locks
//! and the journal.
//!
//! Everything that is not removed is copied byte for byte, damaged lines
//! and a torn tail included (those are `verify`'s and recovery's business).

use std::fs;
use std::path::Path;
use ulid::Ulid;

use crate::Error;
use crate::queue::read::Lines;
use crate::queue::rewrite::{self, Journal};

/// What to remove.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Submissions received before this instant.
    ReceivedBefore(jiff::Timestamp),
    /// One submission, by its full id.
    Id(Ulid),
}

/// A removed submission, as `purge` reports it (no personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    pub id: Ulid,
    pub received: String,
    pub desk: String,
}

/// What a purge did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub removed: Vec<Removed>,
    /// State-log events removed with them.
    pub events_removed: u64,
    /// Submissions kept.
    pub kept: u64,
    /// Damaged lines copied as they were (not removable: unreadable).
    pub damaged_kept: u64,
}

/// Finishes a purge that a crash interrupted, if any (takes the locks only
/// when there is something to do).
pub fn complete_pending(queue: &Path) -> Result<bool, Error> {
    rewrite::complete_pending(queue)
}

/// For the crash tests: `SPORTELLO_PURGE_PAUSE_AT=<step>` makes a purge stop
/// at that step and wait to be killed (steps: `written`, `journal`,
/// `renamed-queue`, `renamed`). Never set in production.
fn pause_at(step: &str) {
    if std::env::var("SPORTELLO_PURGE_PAUSE_AT").is_ok_and(|s| s == step) {
        eprintln!("paused at {step}");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
    }
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    rewrite::write_private(&rewrite::new_path(path), bytes)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Removes the selected submissions and their events. With `dry_run`,
/// only reports what would go.
pub fn purge(queue: &Path, selection: &Selection, dry_run: bool) -> Result<PurgeReport, Error> {
    if !queue.exists() {
        return Err(Error::Config(format!(
            "there is no queue file at {}",
            queue.display()
        )));
    }
    let _rewrite = rewrite::lock(&rewrite::rewrite_lock_path(queue))?;
    let _state = rewrite::lock(&rewrite::state_lock_path(queue))?;
    rewrite::complete_locked(queue)?;

    let old = fs::read(queue).map_err(Error::io("cannot read", queue))?;
    let mut new = Vec::with_capacity(old.len());
    let mut report = PurgeReport::default();
    let mut removed_ids = std::collections::HashSet::new();
    for line in Lines::new(&old[..]) {
        let line = line.map_err(Error::io("cannot read", queue))?;
        let (start, end) = (line.offset as usize, (line.offset + line.len) as usize);
        match &line.entry {
            Ok(r) => {
                let selected = match selection {
                    Selection::Id(id) => r.id == *id,
                    Selection::ReceivedBefore(cutoff) => r
                        .received
                        .parse::<jiff::Timestamp>()
                        .is_ok_and(|t| t < *cutoff),
                };
                if selected {
                    removed_ids.insert(r.id);
                    report.removed.push(Removed {
                        id: r.id,
                        received: r.received.clone(),
                        desk: r.desk.clone(),
                    });
                    continue;
                }
                report.kept += 1;
            }
            Err(_) => report.damaged_kept += 1,
        }
        new.extend_from_slice(&old[start..end]);
    }
    let state_path = rewrite::state_path(queue);
    let old_state = match fs::read(&state_path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io("cannot read", &state_path)(e)),
    };
    let mut new_state = Vec::new();
    if let Some(old_state) = &old_state {
        for line in super::state::read_event_lines_from(&old_state[..])
            .map_err(Error::io("cannot read", &state_path))?
        {
            let (start, end) = (line.offset as usize, (line.offset + line.len) as usize);
            if let Ok(e) = &line.entry
                && removed_ids.contains(&e.id)
            {
                report.events_removed += 1;
                continue;
            }
            new_state.extend_from_slice(&old_state[start..end]);
        }
    }
    if dry_run || report.removed.is_empty() {
        return Ok(report);
    }

    // Until the journal is committed the old files are the truth: anything
    // failing before (a full disk) takes the new files back at once rather
    // than leaving them for the next command.
    let prepared = (|| {
        write_new(queue, &new)?;
        let mut journal = Journal {
            v: 1,
            renames: vec![(file_name(&rewrite::new_path(queue)), file_name(queue))],
        };
        if old_state.is_some() {
            write_new(&state_path, &new_state)?;
            journal.renames.push((
                file_name(&rewrite::new_path(&state_path)),
                file_name(&state_path),
            ));
        }
        rewrite::sync_dir_of(queue)?;
        pause_at("written");
        rewrite::commit_journal(queue, &journal)
    })();
    if let Err(e) = prepared {
        discard_new(queue, &state_path);
        return Err(e);
    }
    pause_at("journal");
    fs::rename(rewrite::new_path(queue), queue).map_err(Error::io("cannot rename", queue))?;
    pause_at("renamed-queue");
    if old_state.is_some() {
        fs::rename(rewrite::new_path(&state_path), &state_path)
            .map_err(Error::io("cannot rename", &state_path))?;
    }
    rewrite::sync_dir_of(queue)?;
    pause_at("renamed");
    let journal_path = rewrite::journal_path(queue);
    fs::remove_file(&journal_path).map_err(Error::io("cannot remove", &journal_path))?;
    rewrite::sync_dir_of(queue)?;
    tracing::info!(
        removed = report.removed.len(),
        events = report.events_removed,
        "purged"
    );
    Ok(report)
}

/// Rolls a purge back before its commit point: the journal (if part of it
/// was written), then the new files. Best effort: what is left is what the
/// next command's recovery removes anyway.
fn discard_new(queue: &Path, state_path: &Path) {
    let _ = fs::remove_file(rewrite::journal_path(queue));
    let _ = fs::remove_file(rewrite::new_path(queue));
    let _ = fs::remove_file(rewrite::new_path(state_path));
    let _ = rewrite::sync_dir_of(queue);
}
