//! Counters of what the endpoint answered, for tests and `/healthz`.
//! Plain atomics: no exporter is needed for a desk's form, and they cost
//! nothing on the hot path.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

#[derive(Debug, Default)]
pub struct Metrics {
    pub accepted: AtomicU64,
    pub invalid: AtomicU64,
    pub honeypot: AtomicU64,
    pub too_large: AtomicU64,
    pub rate_limited: AtomicU64,
    pub unavailable: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MetricsSnapshot {
    pub accepted: u64,
    pub invalid: u64,
    pub honeypot: u64,
    pub too_large: u64,
    pub rate_limited: u64,
    pub unavailable: u64,
}

impl Metrics {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> MetricsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        MetricsSnapshot {
            accepted: get(&self.accepted),
            invalid: get(&self.invalid),
            honeypot: get(&self.honeypot),
            too_large: get(&self.too_large),
            rate_limited: get(&self.rate_limited),
            unavailable: get(&self.unavailable),
        }
    }
}
