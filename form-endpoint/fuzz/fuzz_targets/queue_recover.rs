//! Any file: recovery never panics, and what it keeps is self-consistent —
//! the kept prefix re-scans to the same records with no torn tail, and
//! appending a fresh record after it yields one more good record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sportello_forms::Submission;
use sportello_forms::queue::record::{Record, encode_line};
use sportello_forms::queue::recover::{scan_bytes, verify_reader};

fuzz_target!(|data: &[u8]| {
    let scan = scan_bytes(data);
    assert!(scan.good_end <= data.len() as u64);
    let kept = &data[..scan.good_end as usize];
    let again = scan_bytes(kept);
    assert_eq!(again.ids, scan.ids);
    assert_eq!(again.torn_tail(), None);
    let _ = verify_reader(data);

    let mut grown = kept.to_vec();
    let record = Record::new(
        "01JDZZZZZZZZZZZZZZZZZZZZZZ".into(),
        "2025-11-26T18:18:00.123Z".into(),
        Submission {
            lang: "it".into(),
            name: "n".into(),
            email: None,
            phone: Some("0744 812786".into()),
            desk: "any".into(),
            topic: "other".into(),
            message: "m".into(),
            ..Submission::default()
        },
    );
    encode_line(&record, &mut grown).expect("encodes");
    assert_eq!(scan_bytes(&grown).ids.len(), scan.ids.len() + 1);
});
