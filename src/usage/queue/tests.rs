use super::*;
use crate::usage::event::UsageKind;
use chrono::Utc;
use std::sync::atomic::AtomicU32;

fn event(id: &str) -> UsageEvent {
    UsageEvent {
        id: id.to_string(),
        kind: UsageKind::Impression,
        impression_id: id.to_string(),
        served: std::sync::Arc::new(crate::usage::ServedVariant {
            brand: "alpine".into(),
            entry_id: "ent_1".into(),
            entry_key: "home-hero".into(),
            variant_id: "var_1".into(),
            variant_name: "Skiers".into(),
            revision: "rev1".into(),
            ..Default::default()
        }),
        device: Some("MOBILE".into()),
        locale: "en".into(),
        at: Utc::now(),
        user_key_hash: None,
        attributes: Default::default(),
        value: None,
    }
}

fn config() -> QueueConfig {
    QueueConfig {
        capacity: 16,
        batch_size: 8,
        linger: Duration::from_millis(20),
        ..QueueConfig::default()
    }
}

#[tokio::test]
async fn flush_returns_once_everything_queued_before_it_is_written() {
    let sink = Arc::new(MemorySink::default());
    let queue = UsageQueue::start(sink.clone(), config());
    for i in 0..50 {
        queue.record(event(&format!("imp_{i}"))).await.unwrap();
    }
    queue.flush().await.unwrap();
    assert_eq!(sink.events().len(), 50);
    assert_eq!(queue.pending(), 0);
    assert!(
        sink.batches() >= 50 / 8,
        "batches of at most 8: {}",
        sink.batches()
    );
}

#[tokio::test]
async fn events_written_twice_are_stored_once() {
    let sink = Arc::new(MemorySink::default());
    let queue = UsageQueue::start(sink.clone(), config());
    queue
        .record_all(vec![event("imp_a"), event("imp_a"), event("imp_b")])
        .await
        .unwrap();
    queue.flush().await.unwrap();
    assert_eq!(sink.events().len(), 2);
}

/// A sink that blocks until the test opens it.
struct GatedSink {
    open: std::sync::Mutex<bool>,
    opened: std::sync::Condvar,
    inner: MemorySink,
}

impl GatedSink {
    fn new() -> Self {
        GatedSink {
            open: std::sync::Mutex::new(false),
            opened: std::sync::Condvar::new(),
            inner: MemorySink::default(),
        }
    }
    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }
}

impl UsageSink for GatedSink {
    fn write_batch(&self, events: &[UsageEvent]) -> Result<(), SinkError> {
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.opened.wait(open).unwrap();
        }
        self.inner.write_batch(events)
    }
}

#[tokio::test]
async fn a_full_queue_makes_senders_wait_instead_of_dropping() {
    let sink = Arc::new(GatedSink::new());
    let small = QueueConfig {
        capacity: 2,
        batch_size: 2,
        send_timeout: Duration::from_secs(10),
        ..config()
    };
    let queue = Arc::new(UsageQueue::start(sink.clone(), small));
    let senders: Vec<_> = (0..20)
        .map(|i| {
            let queue = queue.clone();
            tokio::spawn(async move { queue.record(event(&format!("imp_{i}"))).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(sink.inner.events().is_empty(), "the sink is still closed");
    sink.open();
    for sender in senders {
        sender.await.unwrap().unwrap();
    }
    queue.flush().await.unwrap();
    assert_eq!(sink.inner.events().len(), 20);
}

#[tokio::test]
async fn a_queue_full_for_longer_than_the_timeout_says_so() {
    let sink = Arc::new(GatedSink::new());
    let small = QueueConfig {
        capacity: 1,
        batch_size: 1,
        send_timeout: Duration::from_millis(50),
        ..config()
    };
    let queue = UsageQueue::start(sink.clone(), small);
    let mut outcomes = Vec::new();
    for i in 0..4 {
        outcomes.push(queue.record(event(&format!("imp_{i}"))).await);
    }
    assert!(outcomes.contains(&Err(QueueError::Full)), "{outcomes:?}");
    sink.open();
    queue.shutdown().await;
    let accepted = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(
        sink.inner.events().len(),
        accepted,
        "every accepted event is written"
    );
}

/// Fails the first `failures` writes.
struct FlakySink {
    failures: AtomicU32,
    inner: MemorySink,
}

impl UsageSink for FlakySink {
    fn write_batch(&self, events: &[UsageEvent]) -> Result<(), SinkError> {
        if self.failures.load(Ordering::SeqCst) > 0 {
            self.failures.fetch_sub(1, Ordering::SeqCst);
            self.inner.write_batch(&events[..events.len() / 2])?;
            return Err("disk unavailable".into());
        }
        self.inner.write_batch(events)
    }
}

#[tokio::test]
async fn a_failed_batch_is_retried_and_counted_once() {
    let sink = Arc::new(FlakySink {
        failures: AtomicU32::new(2),
        inner: MemorySink::default(),
    });
    let queue = UsageQueue::start(sink.clone(), config());
    queue
        .record_all((0..6).map(|i| event(&format!("imp_{i}"))).collect())
        .await
        .unwrap();
    queue.flush().await.unwrap();
    assert_eq!(sink.inner.events().len(), 6);
    assert_eq!(queue.stats().failed_writes.load(Ordering::Relaxed), 2);
    assert_eq!(queue.stats().written.load(Ordering::Relaxed), 6);
}

#[tokio::test]
async fn shutdown_drains_the_queue_and_refuses_new_events() {
    let sink = Arc::new(MemorySink::default());
    let slow = QueueConfig {
        capacity: 5_000,
        batch_size: 100,
        linger: Duration::from_secs(30),
        ..config()
    };
    let queue = UsageQueue::start(sink.clone(), slow);
    queue
        .record_all((0..1_000).map(|i| event(&format!("imp_{i}"))).collect())
        .await
        .unwrap();
    queue.shutdown().await;
    assert_eq!(sink.events().len(), 1_000);
    assert_eq!(queue.record(event("late")).await, Err(QueueError::Closed));
    assert_eq!(queue.flush().await, Err(QueueError::Closed));
}
