//! The seam through which the operators' code reads the queue:
//! [`RecordSource`], one narrow trait, and [`Segments`], its files.
//!
//! One endpoint instance owns one queue file. When one instance is not
//! enough, each instance owns its own *segment* (its queue file, with its
//! state log beside it) and the operators' tools read every segment through
//! this trait. A queue kept in a database or a broker (PostgreSQL, NATS
//! JetStream) would be another implementation of the same trait.

use std::path::{Path, PathBuf};

use super::read::{Line, read_lines};
use crate::Error;

/// Where the operators' code reads submissions from.
pub trait RecordSource: Send + Sync {
    /// The segments, in reading order. A segment's name is also where its
    /// state log is kept ([`super::rewrite::state_path`]).
    fn segments(&self) -> &[PathBuf];

    /// Calls `each` with every line of `segment`, in order.
    fn read(&self, segment: &Path, each: &mut dyn FnMut(Line)) -> Result<(), Error>;
}

/// Queue files: one, or one per endpoint instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segments(Vec<PathBuf>);

impl Segments {
    /// The queue file of a single endpoint.
    pub fn one(queue: impl Into<PathBuf>) -> Self {
        Self(vec![queue.into()])
    }

    /// `queue` and the segments of the other instances, each read once
    /// (a path given twice would list its requests twice).
    pub fn many(queue: impl Into<PathBuf>, others: impl IntoIterator<Item = PathBuf>) -> Self {
        let mut all = vec![queue.into()];
        for p in others {
            if !all.contains(&p) {
                all.push(p);
            }
        }
        Self(all)
    }
}

impl Segments {
    /// Those of `paths` that exist, each once: an instance that has
    /// received nothing yet has no file. May be none at all.
    pub fn existing<'a>(paths: impl IntoIterator<Item = &'a PathBuf>) -> Self {
        let mut all: Vec<PathBuf> = Vec::new();
        for p in paths {
            if p.exists() && !all.contains(p) {
                all.push(p.clone());
            }
        }
        Self(all)
    }
}

impl RecordSource for Segments {
    fn segments(&self) -> &[PathBuf] {
        &self.0
    }

    fn read(&self, segment: &Path, each: &mut dyn FnMut(Line)) -> Result<(), Error> {
        for line in read_lines(segment)? {
            each(line.map_err(Error::io("cannot read", segment))?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_named_twice_is_read_once() {
        let s = Segments::many("a.jsonl", ["b.jsonl".into(), "a.jsonl".into()]);
        assert_eq!(
            s.segments(),
            [PathBuf::from("a.jsonl"), PathBuf::from("b.jsonl")]
        );
    }
}
