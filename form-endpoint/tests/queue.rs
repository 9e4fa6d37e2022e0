//! The queue file's guarantees: recovery at every cut point, injected I/O
//! errors never acknowledged, group commit, the lock, file modes.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use proptest::prelude::*;
use sportello_forms::queue::record::{Record, encode_line};
use sportello_forms::queue::recover::{scan_bytes, verify_reader};
use sportello_forms::queue::{FaultyStorage, Lines, verify};
use sportello_forms::{Error, Queue, Submission};

fn submission(name: &str, message: &str) -> Submission {
    Submission {
        lang: "ar".into(),
        name: name.into(),
        email: Some("persona@example.org".into()),
        phone: None,
        desk: "any".into(),
        topic: "other".into(),
        message: message.into(),
        ..Submission::default()
    }
}

fn record(n: usize, name: &str, message: &str) -> Record {
    Record::new(
        format!("01JD{n:022}").parse().expect("a ULID"),
        "2025-11-26T18:18:00.123Z".into(),
        submission(name, message),
    )
}

/// A file of records, and where each record ends.
fn file_of(records: &[Record]) -> (Vec<u8>, Vec<usize>) {
    let mut bytes = Vec::new();
    let mut ends = Vec::new();
    for r in records {
        encode_line(r, &mut bytes).expect("encodes");
        ends.push(bytes.len());
    }
    (bytes, ends)
}

/// What recovery must keep of a file cut at `cut`: the records that end at
/// or before it.
fn expected_ids(records: &[Record], ends: &[usize], cut: usize) -> Vec<ulid::Ulid> {
    records
        .iter()
        .zip(ends)
        .filter(|(_, e)| **e <= cut)
        .map(|(r, _)| r.id)
        .collect()
}

#[test]
fn every_cut_point_of_a_file_recovers_exactly_the_complete_records() {
    let records: Vec<Record> = (0..5)
        .map(|i| {
            record(
                i,
                &format!("Nome {i} \"ü\""),
                &"ليلة سعيدة\n ,\"crc\":\"deadbeef\"} ".repeat(i + 1),
            )
        })
        .collect();
    let (bytes, ends) = file_of(&records);
    for cut in 0..=bytes.len() {
        let scan = scan_bytes(&bytes[..cut]);
        let expected = expected_ids(&records, &ends, cut);
        assert_eq!(scan.ids, expected, "cut at {cut}");
        let good_end = ends
            .iter()
            .copied()
            .filter(|e| *e <= cut)
            .max()
            .unwrap_or(0);
        assert_eq!(scan.good_end, good_end as u64, "cut at {cut}");
        assert_eq!(scan.torn_tail().is_some(), cut != good_end, "cut at {cut}");
        assert_eq!(
            scan.damaged_count, 0,
            "a cut is never mid-file damage (cut at {cut})"
        );
    }
}

#[test]
fn opening_a_cut_file_moves_the_torn_tail_aside_and_keeps_every_complete_record() {
    let records: Vec<Record> = (0..2).map(|i| record(i, "Ana", "Bună ziua")).collect();
    let (bytes, ends) = file_of(&records);
    let dir = tempfile::tempdir().expect("tempdir");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // Every cut is checked by the scan test above; on real files (each open
    // costs fsyncs) a stride plus every cut next to a record boundary.
    let near_boundary = |cut: usize| ends.iter().any(|e| cut.abs_diff(*e) <= 2);
    for cut in (0..=bytes.len()).filter(|c| c % 9 == 0 || near_boundary(*c)) {
        let path = dir.path().join(format!("queue-{cut}.jsonl"));
        fs::write(&path, &bytes[..cut]).expect("write");
        let queue = Queue::open(&path).expect("opens");
        let good_end = ends
            .iter()
            .copied()
            .filter(|e| *e <= cut)
            .max()
            .unwrap_or(0);
        let recovery = queue.recovery().clone();
        assert_eq!(
            recovery.records as usize,
            expected_ids(&records, &ends, cut).len(),
            "cut at {cut}"
        );
        match &recovery.torn {
            None => assert_eq!(cut, good_end),
            Some(torn) => {
                assert_eq!(
                    (torn.offset, torn.len),
                    (good_end as u64, (cut - good_end) as u64)
                );
                assert_eq!(
                    fs::read(&torn.saved_to).expect("torn file"),
                    &bytes[good_end..cut]
                );
                let mode = fs::metadata(&torn.saved_to)
                    .expect("meta")
                    .permissions()
                    .mode()
                    & 0o777;
                assert_eq!(mode, 0o600);
            }
        }
        assert_eq!(
            fs::read(&path).expect("queue"),
            &bytes[..good_end],
            "cut at {cut}"
        );
        // The recovered queue takes new records after the good ones.
        rt.block_on(async {
            queue
                .handle()
                .submit(submission("Nuovo", "dopo il ripristino"))
                .await
                .expect("stored");
            queue.close().await;
        });
        let v = verify(&path).expect("verify");
        assert!(v.is_ok(), "cut at {cut}: {v}");
        assert_eq!(
            v.records as usize,
            expected_ids(&records, &ends, cut).len() + 1
        );
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![".{0,40}", "[a-z\"\\\\{}\n,: ]{0,40}", "\\PC{0,20}"]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn recovery_returns_exactly_the_complete_records_for_any_cut(
        fields in proptest::collection::vec((text(), text()), 1..8),
        cut_frac in 0.0f64..=1.0,
        garbage in proptest::collection::vec(prop_oneof![Just(0u8), any::<u8>()], 0..64),
    ) {
        let records: Vec<Record> =
            fields.iter().enumerate().map(|(i, (n, m))| record(i, n, m)).collect();
        let (bytes, ends) = file_of(&records);
        let cut = ((bytes.len() as f64) * cut_frac) as usize;
        let mut file = bytes[..cut].to_vec();
        // After a power loss the end of a file may hold zeros or junk.
        let junk_free = !garbage.contains(&b'\n');
        file.extend_from_slice(&garbage);
        let scan = scan_bytes(&file);
        let expected = expected_ids(&records, &ends, cut);
        prop_assert_eq!(&scan.ids, &expected);
        if junk_free {
            let good_end = ends.iter().copied().filter(|e| *e <= cut).max().unwrap_or(0);
            prop_assert_eq!(scan.good_end, good_end as u64);
        }
        let records_read: Vec<Record> = Lines::new(&file[..])
            .filter_map(|l| l.ok().and_then(|l| l.entry.ok()))
            .collect();
        prop_assert_eq!(records_read.len(), expected.len());
        for (read, original) in records_read.iter().zip(&records) {
            prop_assert_eq!(read, original);
        }
    }

    #[test]
    fn a_corrupted_byte_loses_only_its_own_record(
        fields in proptest::collection::vec((text(), text()), 2..6),
        pick in any::<proptest::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let records: Vec<Record> =
            fields.iter().enumerate().map(|(i, (n, m))| record(i, n, m)).collect();
        let (mut bytes, ends) = file_of(&records);
        let at = pick.index(bytes.len());
        bytes[at] ^= flip;
        let hit = ends.iter().position(|e| at < *e).unwrap_or(0);
        let scan = scan_bytes(&bytes);
        // A newline byte changed or made can merge or split lines; either way
        // no damaged line is taken for a record, and every other survives.
        for (i, r) in records.iter().enumerate() {
            let line_start = if i == 0 { 0 } else { ends[i - 1] };
            let untouched = at < line_start.saturating_sub(1) || at >= ends[i];
            if untouched && i != hit {
                prop_assert!(scan.ids.contains(&r.id), "record {} lost", i);
            }
        }
        prop_assert!(scan.ids.len() < records.len());
    }
}

#[tokio::test]
async fn an_injected_write_error_is_never_acknowledged_and_leaves_nothing() {
    let storage = FaultyStorage::new();
    let queue = Queue::with_storage(storage.clone()).expect("writer");
    let handle = queue.handle();
    handle
        .submit(submission("Primo", "ok"))
        .await
        .expect("first is stored");
    let before = storage.contents();
    storage.fail_next_append_after(17);
    let err = handle.submit(submission("Secondo", "interrotto")).await;
    assert!(matches!(err, Err(Error::Unavailable(_))), "{err:?}");
    assert_eq!(storage.contents(), before, "the partial record was cut off");
    assert!(
        handle
            .failure()
            .is_some_and(|f| f.contains("injected write error"))
    );
    assert!(!handle.is_healthy());
    // Stopped for good, even though the storage would work again.
    assert!(handle.submit(submission("Terzo", "dopo")).await.is_err());
    assert_eq!(storage.contents(), before);
    assert!(
        verify_reader(&storage.contents()[..])
            .expect("reads")
            .is_ok()
    );
}

#[tokio::test]
async fn an_injected_fsync_error_acknowledges_no_one_in_the_batch() {
    let storage = FaultyStorage::new();
    storage.set_sync_delay(Duration::from_millis(20));
    let queue = Queue::with_storage(storage.clone()).expect("writer");
    let handle = queue.handle();
    handle
        .submit(submission("Primo", "ok"))
        .await
        .expect("stored");
    let before = storage.contents();
    storage.fail_syncs();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let h = handle.clone();
            tokio::spawn(async move { h.submit(submission(&format!("n{i}"), "m")).await })
        })
        .collect();
    for t in tasks {
        assert!(
            t.await.expect("task").is_err(),
            "no acknowledgement after a failed fsync"
        );
    }
    assert_eq!(
        storage.contents(),
        before,
        "unacknowledged records were cut off"
    );
    assert_eq!(storage.syncs(), 1);
}

#[tokio::test]
async fn when_even_the_rollback_fails_nothing_is_acknowledged() {
    let storage = FaultyStorage::new();
    let queue = Queue::with_storage(storage.clone()).expect("writer");
    storage.fail_truncates();
    storage.fail_next_append_after(5);
    assert!(queue.handle().submit(submission("x", "y")).await.is_err());
    // The torn bytes remain, but recovery at the next start sets them aside.
    let scan = scan_bytes(&storage.contents());
    assert!(scan.ids.is_empty());
    assert_eq!(scan.torn_tail(), Some((0, 5)));
}

#[tokio::test]
async fn concurrent_submissions_share_fsyncs_and_get_sorted_unique_ids() {
    let storage = FaultyStorage::new();
    storage.set_sync_delay(Duration::from_millis(5));
    let queue = Queue::with_storage(storage.clone()).expect("writer");
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let h = queue.handle();
            tokio::spawn(async move { h.submit(submission(&format!("n{i}"), "m")).await })
        })
        .collect();
    let mut acked = Vec::new();
    for t in tasks {
        acked.push(t.await.expect("task").expect("stored").id);
    }
    let scan = scan_bytes(&storage.durable());
    assert_eq!(scan.ids.len(), 200);
    let mut sorted = scan.ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, scan.ids, "file order is id order, ids unique");
    acked.sort();
    assert_eq!(acked, scan.ids);
    assert!(
        storage.syncs() <= 50,
        "{} fsyncs for 200 records: no group commit",
        storage.syncs()
    );
    let stats = queue.handle().stats();
    assert_eq!((stats.group_commits, stats.records), (storage.syncs(), 200));
}

#[tokio::test]
async fn close_stores_what_was_sent_before_and_refuses_after() {
    let storage = FaultyStorage::new();
    let queue = Queue::with_storage(storage.clone()).expect("writer");
    let handle = queue.handle();
    let pending: Vec<_> = (0..20)
        .map(|i| {
            let h = handle.clone();
            tokio::spawn(async move { h.submit(submission(&format!("n{i}"), "m")).await })
        })
        .collect();
    tokio::task::yield_now().await;
    queue.close().await;
    let acked = futures_util::future::join_all(pending)
        .await
        .into_iter()
        .filter(|r| matches!(r, Ok(Ok(_))))
        .count();
    assert_eq!(
        scan_bytes(&storage.durable()).ids.len(),
        acked,
        "acknowledged = stored"
    );
    assert!(handle.submit(submission("late", "m")).await.is_err());
    assert!(!handle.is_healthy());
}

#[test]
fn the_lock_refuses_a_second_writer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("queue.jsonl");
    let first = Queue::open(&path).expect("first opens");
    let second = Queue::open(&path);
    match second {
        Err(e @ Error::Locked { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("locked by another process") && msg.contains("queue.jsonl"),
                "{msg}"
            );
        }
        other => panic!("a second writer must be refused, got {other:?}"),
    }
    drop(first);
}

#[test]
fn the_queue_is_created_with_mode_0600() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("queue.jsonl");
    let _q = Queue::open(&path).expect("opens");
    assert_eq!(
        fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn verify_reports_damage_duplicates_and_a_torn_tail_with_offsets() {
    let records = [
        record(1, "a", "b"),
        record(2, "c", "d"),
        record(1, "e", "f"),
    ];
    let (mut bytes, ends) = file_of(&records);
    bytes[ends[0] + 3] ^= 0x20; // damage the second line
    bytes.extend_from_slice(b"{\"v\":1,\"id\"");
    let v = verify_reader(&bytes[..]).expect("reads");
    assert!(!v.is_ok());
    assert_eq!(v.records, 2);
    assert_eq!(
        v.damaged.iter().map(|d| d.offset).collect::<Vec<_>>(),
        [ends[0] as u64]
    );
    assert_eq!(v.torn_tail, Some((ends[2] as u64, 11)));
    assert_eq!(v.duplicate_ids.len(), 1);
    assert_eq!(v.duplicate_ids[0].1, [0, ends[1] as u64]);
    let report = v.to_string();
    assert!(
        report.contains(&format!("torn tail at byte {}", ends[2])) && report.ends_with("NOT OK"),
        "{report}"
    );
}

#[test]
fn damage_inside_the_file_is_left_in_place_on_open() {
    let records = [record(1, "a", "b"), record(2, "c", "d")];
    let (mut bytes, _) = file_of(&records);
    bytes[5] ^= 0x01;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("queue.jsonl");
    fs::write(&path, &bytes).expect("write");
    let q = Queue::open(&path).expect("opens");
    assert_eq!(
        (
            q.recovery().records,
            q.recovery().damaged_count,
            q.recovery().torn.is_none()
        ),
        (1, 1, true)
    );
    drop(q);
    assert_eq!(fs::read(&path).expect("read"), bytes, "nothing rewritten");
}
