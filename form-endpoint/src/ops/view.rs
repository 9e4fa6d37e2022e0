//! Submissions joined with their state log: status, history, notification;
//! the filters shared by `list`, `export` and `stats`; id prefixes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use ulid::Ulid;

use super::state::{self, Event, EventKind};
use crate::Error;
use crate::queue::line::LineProblem;
use crate::queue::record::Record;
use crate::queue::rewrite::state_path;
use crate::queue::source::{RecordSource, Segments};

/// Where a submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nobody has taken it in charge yet.
    New,
    /// An operator has taken it in charge.
    Taken,
    /// Handled.
    Done,
}

impl Status {
    pub const ALL: [Self; 3] = [Self::New, Self::Taken, Self::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Taken => "taken",
            Self::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// A submission and everything the state log says about it.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    #[serde(flatten)]
    pub record: Record,
    pub status: Status,
    /// Who took it in charge or closed it last.
    pub by: Option<String>,
    /// The desk was notified (by any channel).
    pub notified: bool,
    /// Approved for the directory (its entry was given out).
    pub approved: bool,
    /// Status changes and notes, oldest first.
    pub history: Vec<Event>,
    /// The queue segment that holds it: its events go to that segment's
    /// state log.
    #[serde(skip)]
    pub segment: PathBuf,
}

impl Item {
    fn new(record: Record, segment: &Path) -> Self {
        Self {
            record,
            segment: segment.to_path_buf(),
            status: Status::New,
            by: None,
            notified: false,
            approved: false,
            history: Vec::new(),
        }
    }

    fn apply(&mut self, e: &Event) {
        match e.event {
            EventKind::Taken => {
                self.status = Status::Taken;
                self.by = e.by.clone();
            }
            EventKind::Done => {
                self.status = Status::Done;
                self.by = e.by.clone();
            }
            EventKind::Approved => {
                self.status = Status::Done;
                self.by = e.by.clone();
                self.approved = true;
            }
            EventKind::Reopened => {
                self.status = Status::Taken;
                self.by = e.by.clone();
            }
            EventKind::Note => {}
            EventKind::Notified => {
                self.notified = true;
                return;
            }
        }
        self.history.push(e.clone());
    }
}

/// Problems met while reading, for a warning on stderr.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadProblems {
    /// Damaged lines in the queue (not counting a last line being written).
    pub damaged: Vec<(u64, LineProblem)>,
    /// The queue ends with an incomplete line (a write in progress or a
    /// crash).
    pub torn_tail: Option<u64>,
    /// Damaged lines in the state log.
    pub state_damaged: Vec<(u64, LineProblem)>,
    /// Files set aside from the end of the queue, not yet dealt with
    /// (`sportello-forms quarantine`).
    pub set_aside: Vec<std::path::PathBuf>,
}

impl ReadProblems {
    pub fn is_empty(&self) -> bool {
        self.damaged.is_empty() && self.state_damaged.is_empty() && self.set_aside.is_empty()
    }

    /// A warning for operators, or `None` if all is well. A torn tail alone
    /// is not worth one: a server may be writing that line right now.
    pub fn warning(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        if let Some((offset, _)) = self.damaged.first() {
            parts.push(format!(
                "{} damaged line(s) in the queue file were skipped (the first at byte {offset})",
                self.damaged.len()
            ));
        }
        if let Some((offset, _)) = self.state_damaged.first() {
            parts.push(format!(
                "{} damaged line(s) in the state log were skipped (the first at byte {offset})",
                self.state_damaged.len()
            ));
        }
        let mut out = String::new();
        if !parts.is_empty() {
            out = format!(
                "warning: {}. Run `sportello-forms verify` for details and keep a copy of the files before anything else.",
                parts.join("; ")
            );
        }
        for path in &self.set_aside {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!(
                "warning: {} was set aside from the end of the queue and may hold a request not listed here: \
                 look at it with `sportello-forms quarantine show {}`.",
                path.display(),
                path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
            ));
        }
        Some(out)
    }
}

/// Every submission of the queue with its state, in file order.
pub fn load(queue: &Path) -> Result<(Vec<Item>, ReadProblems), Error> {
    load_from(&Segments::one(queue))
}

/// Every submission of every segment of `source` with its state: segment
/// by segment, each in file order.
pub fn load_from(source: &dyn RecordSource) -> Result<(Vec<Item>, ReadProblems), Error> {
    let mut items = Vec::new();
    let mut problems = ReadProblems::default();
    for segment in source.segments() {
        load_segment(source, segment, &mut items, &mut problems)?;
    }
    Ok((items, problems))
}

fn load_segment(
    source: &dyn RecordSource,
    segment: &Path,
    items: &mut Vec<Item>,
    problems: &mut ReadProblems,
) -> Result<(), Error> {
    // The state log first: an event is only ever appended after its
    // submission is on disk, so reading the queue second sees them all.
    let mut events: HashMap<Ulid, Vec<Event>> = HashMap::new();
    for line in state::read_event_lines(&state_path(segment))? {
        match line.entry {
            Ok(e) => events.entry(e.id).or_default().push(e),
            Err(LineProblem::Unterminated) => {}
            Err(p) => problems.state_damaged.push((line.offset, p)),
        }
    }
    let mut pending = Vec::new();
    source.read(segment, &mut |line| match line.entry {
        Ok(record) => {
            problems.damaged.append(&mut pending);
            let mut item = Item::new(record, segment);
            if let Some(evs) = events.get(&item.record.id) {
                for e in evs {
                    item.apply(e);
                }
            }
            items.push(item);
        }
        Err(p) => pending.push((line.offset, p)),
    })?;
    // After the last good record, a line cut without its newline is a write
    // in progress (or a crash's); a complete line is damaged, like any other.
    if let Some((offset, _)) = pending.first() {
        problems.torn_tail = Some(*offset);
    }
    pending.retain(|(_, p)| *p != LineProblem::Unterminated);
    problems.damaged.append(&mut pending);
    problems.set_aside.extend(
        super::quarantine::list(segment)?
            .into_iter()
            .map(|a| a.path),
    );
    Ok(())
}

/// What to keep, for `list`, `export` and `stats`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<Status>,
    pub desk: Option<String>,
    pub lang: Option<String>,
    /// Received at or after this instant.
    pub since: Option<jiff::Timestamp>,
    /// Case-insensitive text in the id, name, e-mail, phone or message.
    pub search: Option<String>,
    /// Only those the desk was not notified of.
    pub not_notified: bool,
}

impl Filter {
    pub fn matches(&self, item: &Item) -> bool {
        let r = &item.record;
        if self.status.is_some_and(|s| s != item.status) {
            return false;
        }
        if self
            .desk
            .as_deref()
            .is_some_and(|d| !d.eq_ignore_ascii_case(&r.desk))
        {
            return false;
        }
        if self
            .lang
            .as_deref()
            .is_some_and(|l| !l.eq_ignore_ascii_case(&r.lang))
        {
            return false;
        }
        if let Some(since) = self.since {
            match r.received.parse::<jiff::Timestamp>() {
                Ok(t) if t >= since => {}
                _ => return false,
            }
        }
        if self.not_notified && item.notified {
            return false;
        }
        if let Some(needle) = &self.search {
            let needle = needle.to_lowercase();
            let id = r.id.to_string();
            let hay = [
                Some(id.as_str()),
                Some(r.name.as_str()),
                r.email.as_deref(),
                r.phone.as_deref(),
                Some(r.message.as_str()),
            ];
            if !hay
                .into_iter()
                .flatten()
                .any(|h| h.to_lowercase().contains(&needle))
            {
                return false;
            }
        }
        true
    }

    /// The matching items, newest first.
    pub fn apply(&self, items: Vec<Item>) -> Vec<Item> {
        let mut out: Vec<Item> = items.into_iter().filter(|i| self.matches(i)).collect();
        out.sort_by(|a, b| {
            b.record
                .received
                .cmp(&a.record.received)
                .then_with(|| b.record.id.cmp(&a.record.id))
        });
        out
    }
}

/// Parses `--since`: a date `2026-01-31` (from midnight UTC), a time
/// `2026-01-31T09:00:00Z`, or a number of days back, `30d`.
pub fn parse_since(s: &str) -> Result<jiff::Timestamp, Error> {
    let s = s.trim();
    if let Some(days) = s.strip_suffix('d').and_then(|d| d.parse::<i64>().ok()) {
        return days_ago(days);
    }
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>()
        && let Ok(t) = format!("{d}T00:00:00Z").parse::<jiff::Timestamp>()
    {
        return Ok(t);
    }
    Err(Error::NotADate(s.to_owned()))
}

/// The instant `days` days before now.
pub fn days_ago(days: i64) -> Result<jiff::Timestamp, Error> {
    jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(days.saturating_mul(24)))
        .map_err(|_| Error::TooFarBack { days })
}

/// How many characters of an id are shown by default: the 48-bit time and
/// a little of the randomness, enough to tell a day's requests apart.
pub const SHORT_ID: usize = 12;

/// The first `len` characters of `id` as operators see it (a ULID's text
/// is ASCII, 26 characters; `len` is clamped, so this never panics).
pub fn short_id(id: Ulid, len: usize) -> String {
    id.to_string().chars().take(len).collect()
}

/// Finds the one item whose id starts with `prefix` (case-insensitive).
pub fn resolve<'a>(items: &'a [Item], prefix: &str) -> Result<&'a Item, Error> {
    let wanted = prefix.trim().to_ascii_uppercase();
    if wanted.is_empty() {
        return Err(Error::NoId);
    }
    let found: Vec<&Item> = items
        .iter()
        .filter(|i| i.record.id.to_string().starts_with(&wanted))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::NoSuchRequest { prefix: wanted }),
        many => Err(Error::AmbiguousId {
            count: many.len(),
            examples: many
                .iter()
                .take(3)
                .map(|i| i.record.id.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            prefix: wanted,
        }),
    }
}

/// The shortest prefix length (at least `min`) that tells these ids apart.
pub fn unique_prefix_len(ids: &[Ulid], min: usize) -> usize {
    let mut sorted: Vec<String> = ids.iter().map(Ulid::to_string).collect();
    sorted.sort_unstable();
    let mut need = min;
    for pair in sorted.windows(2) {
        let common = pair[0]
            .bytes()
            .zip(pair[1].bytes())
            .take_while(|(a, b)| a == b)
            .count();
        need = need.max(common + 1);
    }
    need.min(ulid::ULID_LEN)
}

/// Records a status change (`take`, `done`, `reopen`) or a note.
/// Returns a sentence for the operator.
pub fn change(
    queue: &Path,
    prefix: &str,
    kind: EventKind,
    by: Option<String>,
    note: Option<String>,
) -> Result<String, Error> {
    change_in(&Segments::one(queue), prefix, kind, by, note)
}

/// [`change`] for a request in any segment of `source`; the event goes to
/// the state log of the segment that holds the request.
pub fn change_in(
    source: &dyn RecordSource,
    prefix: &str,
    kind: EventKind,
    by: Option<String>,
    note: Option<String>,
) -> Result<String, Error> {
    let (items, _) = load_from(source)?;
    let item = resolve(&items, prefix)?;
    let id = item.record.id;
    match (kind, item.status) {
        (EventKind::Taken, Status::Done) => {
            return Err(Error::TakeDone {
                id,
                short: short_id(id, SHORT_ID),
            });
        }
        (EventKind::Done, Status::Done) => return Err(Error::AlreadyDone { id }),
        (EventKind::Reopened, s) if s != Status::Done => {
            return Err(Error::NotDone {
                id,
                status: s.as_str(),
            });
        }
        (EventKind::Note, _) if note.as_deref().is_none_or(|n| n.trim().is_empty()) => {
            return Err(Error::EmptyNote);
        }
        _ => {}
    }
    let mut event = Event::new(id, kind);
    event.by = by.filter(|b| !b.trim().is_empty());
    event.note = note.filter(|n| !n.trim().is_empty());
    state::append(&item.segment, &[event])?;
    Ok(match kind {
        EventKind::Taken => format!("request {id} is now taken in charge"),
        EventKind::Done => format!("request {id} is now done"),
        EventKind::Approved => format!("request {id} is approved for the directory, and done"),
        EventKind::Reopened => format!("request {id} is open again (taken in charge)"),
        EventKind::Note | EventKind::Notified => format!("note added to request {id}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulid(s: &str) -> Ulid {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn ids_are_shortened_to_what_tells_them_apart() {
        // Different milliseconds: the first 12 characters are enough.
        assert_eq!(
            unique_prefix_len(
                &[
                    ulid("01KB0DX9Q7M3T8V2C5E4R6N1PA"),
                    ulid("01KAZZ3M1C8Q0000000000000A")
                ],
                12
            ),
            12
        );
        // The same millisecond (the writer's monotonic ids): only the end differs.
        assert_eq!(
            unique_prefix_len(
                &[
                    ulid("01KB0DX9Q7M3T8V2C5E4R6N1PA"),
                    ulid("01KB0DX9Q7M3T8V2C5E4R6N1PB")
                ],
                12
            ),
            26
        );
    }

    #[test]
    fn short_ids_never_panic_whatever_the_length_asked() {
        let id = ulid("01KB0DX9Q7M3T8V2C5E4R6N1PA");
        assert_eq!(short_id(id, 12), "01KB0DX9Q7M3");
        assert_eq!(short_id(id, 400), "01KB0DX9Q7M3T8V2C5E4R6N1PA");
        assert_eq!(short_id(id, 0), "");
    }

    #[test]
    fn a_prefix_with_non_ascii_or_markup_finds_nothing_and_does_not_panic() {
        let items: Vec<Item> = Vec::new();
        for prefix in [
            "é",
            "\u{202E}01",
            "<script>",
            "01KB0DX9Q7M3T8V2C5E4R6N1PA00",
            "",
        ] {
            assert!(resolve(&items, prefix).is_err(), "{prefix}");
        }
    }
}
