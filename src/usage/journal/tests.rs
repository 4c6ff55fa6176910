use super::*;
use crate::usage::event::UsageKind;
use crate::usage::queue::{MemorySink, QueueConfig, UsageQueue};
use chrono::{TimeZone, Utc};
use serde_json::json;

fn event(id: &str) -> UsageEvent {
    UsageEvent {
        id: id.to_string(),
        kind: UsageKind::Impression,
        impression_id: id.to_string(),
        served: Arc::new(crate::usage::ServedVariant {
            brand: "alpine".into(),
            entry_id: "ent_1".into(),
            entry_key: "home-hero".into(),
            variant_id: "var_1".into(),
            variant_name: "Skiers \"fresh\" =1+1".into(),
            revision: "rev1".into(),
            ..Default::default()
        }),
        device: Some("MOBILE".into()),
        locale: "en".into(),
        at: Utc.timestamp_opt(1_764_000_000, 123_456_789).unwrap(),
        user_key_hash: Some("ab12".into()),
        attributes: json!({"segment": "skier"}).as_object().unwrap().clone(),
        value: None,
    }
}

fn events(prefix: &str, n: usize) -> Vec<UsageEvent> {
    (0..n).map(|i| event(&format!("{prefix}_{i:04}"))).collect()
}

fn small() -> JournalConfig {
    JournalConfig {
        segment_bytes: 4_096,
        sync_interval: Duration::from_millis(20),
    }
}

/// What a new process finds after the journal in `dir` was left without `close` (a kill).
fn replayed(dir: &Path) -> Vec<UsageEvent> {
    let journal = Journal::open(dir, small()).unwrap();
    let sink = MemorySink::default();
    journal.replay(&sink, 7).unwrap();
    assert_eq!(journal.segments(), 1, "replayed segments are deleted");
    sink.events()
}

#[test]
fn events_appended_and_never_committed_are_replayed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let written = events("imp", 100);
    {
        let journal = Journal::open(dir.path(), small()).unwrap();
        for chunk in written.chunks(3) {
            journal.append(chunk).unwrap();
        }
        assert!(journal.segments() > 1, "small segments rotate");
        assert_eq!(journal.pending(), 100);
    }
    assert_eq!(replayed(dir.path()), written);
    assert!(replayed(dir.path()).is_empty(), "a replay is not repeated");
}

#[test]
fn committed_segments_are_deleted_and_the_rest_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let written = events("imp", 60);
    {
        let journal = Journal::open(dir.path(), small()).unwrap();
        let segments: Vec<Segment> = written
            .iter()
            .map(|e| journal.append(std::slice::from_ref(e)).unwrap())
            .collect();
        let last = *segments.last().unwrap();
        let mut done: Vec<(Segment, u64)> = Vec::new();
        for segment in segments.iter().filter(|s| **s < last) {
            match done.last_mut() {
                Some((s, n)) if s == segment => *n += 1,
                _ => done.push((*segment, 1)),
            }
        }
        journal.committed(&done);
        let on_disk = list_segments(dir.path()).unwrap();
        assert!(on_disk.iter().all(|(n, _)| *n >= last), "{on_disk:?}");
        assert_eq!(
            journal.pending(),
            segments.iter().filter(|s| **s == last).count() as u64
        );
    }
    let left = replayed(dir.path());
    assert!(!left.is_empty());
    assert_eq!(left, written[written.len() - left.len()..]);
}

#[test]
fn a_record_cut_short_ends_the_replay_of_its_segment_and_nothing_before_it_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let written = events("imp", 5);
    {
        let journal = Journal::open(
            dir.path(),
            JournalConfig {
                segment_bytes: 1 << 20,
                ..small()
            },
        )
        .unwrap();
        journal.append(&written).unwrap();
    }
    let (_, path) = list_segments(dir.path()).unwrap().pop().unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len(), 1 << 20, "a segment is allocated whole");
    assert_eq!(
        record::decode(&bytes).damaged,
        0,
        "unwritten zeros are no damage"
    );
    let mut encoder = record::Encoder::default();
    let mut whole = Vec::new();
    written
        .iter()
        .for_each(|e| encoder.encode_event(e, &mut whole));
    assert_eq!(bytes[..whole.len()], whole[..]);
    let whole = whole.len();
    bytes.truncate(whole);
    let mut torn = Vec::new();
    // One record torn: an event naming a served variant the segment has named already.
    let torn_event = UsageEvent {
        id: "imp_torn".into(),
        ..written[0].clone()
    };
    encoder.encode_event(&torn_event, &mut torn);
    bytes.extend_from_slice(&torn[..torn.len() / 2]);
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(record::decode(&bytes).damaged, bytes.len() - whole);
    assert_eq!(replayed(dir.path()), written);

    // Garbage (a power cut's zeros) and a flipped byte are not records either.
    let mut flipped = Vec::new();
    record::Encoder::default().encode_event(&event("imp_x"), &mut flipped);
    let last = flipped.len() - 2;
    flipped[last] ^= 1;
    assert!(record::decode(&flipped).events.is_empty());
    assert!(record::decode(&[0; 64]).events.is_empty());
}

#[test]
fn abandoned_events_are_not_replayed_and_free_their_segment() {
    let dir = tempfile::tempdir().unwrap();
    {
        let journal = Journal::open(dir.path(), small()).unwrap();
        let kept = events("kept", 2);
        let failed = events("failed", 3);
        journal.append(&kept).unwrap();
        let segment = journal.append(&failed).unwrap();
        journal.abandon(segment, failed.iter());
        assert_eq!(journal.pending(), 2);
    }
    let ids: Vec<String> = replayed(dir.path()).into_iter().map(|e| e.id).collect();
    assert_eq!(ids, ["kept_0000", "kept_0001"]);
}

#[test]
fn a_cancel_record_reaches_an_older_segment_even_when_it_is_full() {
    let dir = tempfile::tempdir().unwrap();
    let (kept, failed) = (events("kept", 1), events("failed", 3));
    let (mut encoder, mut encoded) = (record::Encoder::default(), Vec::new());
    for e in kept.iter().chain(&failed) {
        encoder.encode_event(e, &mut encoded);
    }
    {
        let exact = JournalConfig {
            segment_bytes: encoded.len() as u64 + 10,
            ..small()
        };
        let journal = Journal::open(dir.path(), exact).unwrap();
        let first = journal.append(&kept).unwrap();
        assert_eq!(journal.append(&failed).unwrap(), first);
        let later = journal.append(&events("later", 1)).unwrap();
        assert!(later > first, "the first segment is full");
        journal.abandon(first, failed.iter());
        assert_eq!(journal.pending(), 2);
    }
    let ids: Vec<String> = replayed(dir.path()).into_iter().map(|e| e.id).collect();
    assert_eq!(ids, ["kept_0000", "later_0000"]);
}

#[test]
fn a_second_process_cannot_take_the_journal_and_close_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path(), small()).unwrap();
    assert!(matches!(
        Journal::open(dir.path(), small()),
        Err(JournalError::Locked(_))
    ));
    let segment = journal.append(&events("imp", 2)).unwrap();
    journal.committed(&[(segment, 2)]);
    journal.close();
    assert!(journal.append(&events("late", 1)).is_err());
    assert_eq!(journal.segments(), 0);
    drop(journal);
    assert!(replayed(dir.path()).is_empty());
}

/// A sink that never manages to write: the process is "killed" with everything still queued.
struct Broken;

impl UsageSink for Broken {
    fn write_batch(&self, _: &[UsageEvent]) -> Result<(), crate::usage::queue::SinkError> {
        Err("the database is gone".into())
    }
}

#[test]
fn what_the_queue_accepted_survives_a_writer_that_never_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let written = events("imp", 40);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let journal = Arc::new(Journal::open(dir.path(), small()).unwrap());
        let queue = UsageQueue::start_journaled(Arc::new(Broken), QueueConfig::default(), journal);
        queue.record_all(written[..30].to_vec()).await.unwrap();
        for e in &written[30..] {
            queue.record(e.clone()).await.unwrap();
        }
    });
    // The process dies: the writer, still retrying, goes with its runtime.
    drop(runtime);
    let mut got = replayed(dir.path());
    got.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(got, written);
}

#[tokio::test]
async fn committed_batches_empty_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Arc::new(Journal::open(dir.path(), small()).unwrap());
    let sink = Arc::new(MemorySink::default());
    let queue = UsageQueue::start_journaled(sink.clone(), QueueConfig::default(), journal.clone());
    for chunk in events("imp", 200).chunks(5) {
        queue.record_all(chunk.to_vec()).await.unwrap();
    }
    queue.flush().await.unwrap();
    assert_eq!(sink.events().len(), 200);
    assert_eq!(journal.pending(), 0);
    assert_eq!(
        journal.segments(),
        1,
        "only the segment appended to is left"
    );
    queue.shutdown().await;
    journal.close();
    assert_eq!(journal.segments(), 0);
}

#[test]
fn a_segment_names_each_served_variant_once_and_replay_shares_it() {
    let dir = tempfile::tempdir().unwrap();
    let first = event("imp_a");
    let same = UsageEvent {
        id: "imp_b".into(),
        impression_id: "imp_b".into(),
        ..first.clone()
    };
    let (mut encoder, mut both) = (record::Encoder::default(), Vec::new());
    encoder.encode_event(&first, &mut both);
    let one = both.len();
    encoder.encode_event(&same, &mut both);
    assert!(
        both.len() - one < one,
        "the second names the served variant by number"
    );
    {
        let journal = Journal::open(dir.path(), small()).unwrap();
        journal.append(std::slice::from_ref(&first)).unwrap();
        journal.append(std::slice::from_ref(&same)).unwrap();
        journal.append(&events("next", 30)).unwrap();
    }
    let replayed = replayed(dir.path());
    assert_eq!(replayed[..2], [first, same]);
    assert!(Arc::ptr_eq(&replayed[0].served, &replayed[1].served));
    assert_eq!(replayed[2..], events("next", 30)[..]);
}

#[test]
fn records_of_journals_written_before_served_records_are_replayed() {
    // A kind 1 record: the event with its served variant inline, as earlier versions wrote it.
    let body = json!({
        "id": "imp_old", "kind": "impression", "impression": "imp_old", "brand": "alpine",
        "entry_id": "ent_1", "entry_key": "home-hero", "variant_id": "var_1",
        "variant_name": "Skiers \"fresh\" =1+1", "revision": "rev1", "device": "MOBILE",
        "locale": "en", "secs": 1_764_000_000i64, "nanos": 123_456_789, "user": "ab12",
        "attributes": {"segment": "skier"}, "value": null
    });
    let mut record = vec![1u8];
    record.extend_from_slice(body.to_string().as_bytes());
    let mut bytes = (record.len() as u32).to_le_bytes().to_vec();
    bytes.extend_from_slice(&crc32fast::hash(&record).to_le_bytes());
    bytes.extend_from_slice(&record);
    assert_eq!(record::decode(&bytes).events, vec![event("imp_old")]);
}
