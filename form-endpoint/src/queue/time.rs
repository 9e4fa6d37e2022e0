//! The one time format of the queue's files (a record's `received`, an
//! event's `at`, an export's date): UTC, RFC 3339, milliseconds, so that
//! text order is time order.

use std::time::SystemTime;

/// `2025-11-26T18:18:00.123Z`
pub fn rfc3339_millis(t: SystemTime) -> String {
    match jiff::Timestamp::try_from(t) {
        Ok(ts) => format!("{ts:.3}"),
        Err(_) => "1970-01-01T00:00:00.000Z".to_owned(),
    }
}

/// Now, in [`rfc3339_millis`]'s format.
pub fn now() -> String {
    rfc3339_millis(SystemTime::now())
}

/// This year in UTC (a `year` field cannot be later).
pub fn this_year() -> i16 {
    now().get(..4).and_then(|y| y.parse().ok()).unwrap_or(1970)
}

/// Today in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    now().get(..10).unwrap_or("1970-01-01").to_owned()
}
