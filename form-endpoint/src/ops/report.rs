//! The needs report: the counts of `stats` (by topic, language, desk and
//! month) for a period, and how long requests waited — from arrival to
//! being taken in charge and to being handled (median and 90th
//! percentile). Figures only: no personal data. The web inbox shows it at
//! `/desk/report`; `sportello-forms report --output FILE.html` writes it as
//! one self-contained page.

use serde::Serialize;

use super::state::EventKind;
use super::stats::{self, Stats};
use super::view::Item;

/// Which months a report covers (`YYYY-MM`, both ends included; `None` is
/// open-ended).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Period {
    /// Reads `YYYY-MM` bounds; anything else is left open.
    pub fn new(from: Option<&str>, to: Option<&str>) -> Self {
        let month = |s: Option<&str>| s.map(str::trim).filter(|m| is_month(m)).map(str::to_owned);
        Self {
            from: month(from),
            to: month(to),
        }
    }

    /// The bounds that were given but are not months ("March", "03/2026"),
    /// with the end each is for (`"from"`, `"to"`): what `new` left open
    /// without a word, for the caller to say so. Empty means not given.
    pub fn unread<'a>(
        &self,
        from: Option<&'a str>,
        to: Option<&'a str>,
    ) -> Vec<(&'static str, &'a str)> {
        [("from", from, &self.from), ("to", to, &self.to)]
            .into_iter()
            .filter_map(|(end, given, kept)| {
                let given = given.map(str::trim).filter(|g| !g.is_empty())?;
                kept.is_none().then_some((end, given))
            })
            .collect()
    }

    pub fn contains(&self, item: &Item) -> bool {
        let month = item.record.received.get(..7).unwrap_or("");
        self.from.as_deref().is_none_or(|f| month >= f)
            && self.to.as_deref().is_none_or(|t| month <= t)
    }
}

fn is_month(s: &str) -> bool {
    s.len() == 7
        && s.as_bytes()[4] == b'-'
        && s.bytes()
            .enumerate()
            .all(|(i, b)| i == 4 || b.is_ascii_digit())
        && matches!(s[5..].parse::<u8>(), Ok(1..=12))
}

/// How long requests waited, in hours.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Waits {
    /// Requests that reached that point.
    pub count: usize,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

impl Waits {
    fn of(mut hours: Vec<f64>) -> Self {
        hours.sort_by(f64::total_cmp);
        Self {
            count: hours.len(),
            median_hours: nearest_rank(&hours, 50),
            p90_hours: nearest_rank(&hours, 90),
        }
    }
}

/// The nearest-rank percentile of sorted values (no interpolation, so it
/// is always a wait some request really had).
fn nearest_rank(sorted: &[f64], pct: usize) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (pct * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub period: Period,
    /// Exactly what `stats` counts for the same requests.
    pub stats: Stats,
    /// From arrival to the first "taken in charge".
    pub to_taken: Waits,
    /// From arrival to the first "handled".
    pub to_done: Waits,
}

fn hours_until(item: &Item, kind: EventKind) -> Option<f64> {
    let received = item.record.received.parse::<jiff::Timestamp>().ok()?;
    let at = item
        .history
        .iter()
        .find(|e| e.event == kind)?
        .at
        .parse::<jiff::Timestamp>()
        .ok()?;
    Some(at.duration_since(received).as_secs_f64().max(0.0) / 3600.0)
}

/// The report of the requests of `period`.
pub fn compute(items: &[Item], period: Period) -> Report {
    let chosen: Vec<Item> = items
        .iter()
        .filter(|i| period.contains(i))
        .cloned()
        .collect();
    let to_taken = Waits::of(
        chosen
            .iter()
            .filter_map(|i| hours_until(i, EventKind::Taken))
            .collect(),
    );
    let to_done = Waits::of(
        chosen
            .iter()
            .filter_map(|i| hours_until(i, EventKind::Done))
            .collect(),
    );
    Report {
        period,
        stats: stats::compute(&chosen),
        to_taken,
        to_done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(nearest_rank(&v, 50), Some(5.0));
        assert_eq!(nearest_rank(&v, 90), Some(9.0));
        assert_eq!(nearest_rank(&[3.0], 90), Some(3.0));
        assert_eq!(nearest_rank(&[], 50), None);
    }

    #[test]
    fn periods_take_only_months() {
        let p = Period::new(Some("2026-01"), Some("2026-13"));
        assert_eq!(p.from.as_deref(), Some("2026-01"));
        assert_eq!(p.to, None);
        assert_eq!(Period::new(Some("../x"), Some("<b>")), Period::default());
        let p = Period::new(Some(" 2026-01 "), Some("03/2026"));
        assert_eq!(
            p.unread(Some(" 2026-01 "), Some("03/2026")),
            [("to", "03/2026")]
        );
        assert!(
            Period::default().unread(Some(" "), None).is_empty(),
            "empty is not given"
        );
    }
}
