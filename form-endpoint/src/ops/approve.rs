//! Approval: a request of a form that publishes to the directory
//! (`publish_to: associations` in `site.yaml`) becomes an entry of
//! `_data/associations.yaml`, given to the operator to paste (shown in the
//! inbox, downloadable, or written by `sportello-forms approve ID --output
//! FILE`). Nothing is written into the content folder by the endpoint:
//! publishing stays an editor's act, and `check` validates the pasted
//! entry like any other. A rejected request (handled without approval) or
//! an erased one leaves nothing behind, since the entry is made from the
//! record each time it is asked for.

use sportello::data::associations::NewEntry;

use crate::Error;
use crate::pages::FormPages;
use crate::queue::Record;

/// The entry of an approved request, and what `check` would say of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// A YAML list item, to paste at the end of `associations.yaml`.
    pub yaml: String,
    /// `check`'s problems with it, one a line (empty when it is valid, or
    /// when no site was given to check it against).
    pub problems: Vec<String>,
    /// Whether it was checked against the site (its other ids, languages).
    pub checked: bool,
}

/// Whether `record` came from a form that publishes to the directory: by
/// the site's forms when known, else by its fields.
pub fn approvable(record: &Record, site: Option<&dyn FormPages>) -> bool {
    let Some(kind) = &record.kind else {
        return false;
    };
    match site.map(|s| s.kinds()).filter(|k| !k.is_empty()) {
        Some(kinds) => kinds
            .iter()
            .any(|k| &k.name == kind && k.publish_to.as_deref() == Some("associations")),
        None => record.data.contains_key("org_name"),
    }
}

/// The directory entry `record` makes. Its consent date is the day it was
/// sent: the form's consent to publication was given then.
pub fn entry(record: &Record, site: Option<&dyn FormPages>) -> Result<Entry, Error> {
    let day = record.received.get(..10).unwrap_or(&record.received);
    if let Some(found) = site.and_then(|s| s.directory_entry(&record.data, &record.lang, day)) {
        let (yaml, problems) = found?;
        return Ok(Entry {
            yaml,
            problems,
            checked: true,
        });
    }
    let yaml = NewEntry::from_request(&record.data, &record.lang, day, &[]).to_yaml()?;
    Ok(Entry {
        yaml,
        problems: Vec::new(),
        checked: false,
    })
}
