//! [`MemorySink`]: the queue's sink in tests, and a model of the idempotency every sink must have.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::{SinkError, UsageSink};
use crate::usage::event::UsageEvent;

/// A sink that keeps events in memory, by id (tests, and a model of the idempotency every sink
/// must have).
#[derive(Default)]
pub struct MemorySink {
    events: Mutex<std::collections::BTreeMap<String, UsageEvent>>,
    batches: AtomicU64,
}

impl MemorySink {
    pub fn events(&self) -> Vec<UsageEvent> {
        self.events
            .lock()
            .expect("memory sink lock")
            .values()
            .cloned()
            .collect()
    }

    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }
}

impl UsageSink for MemorySink {
    fn write_batch(&self, events: &[UsageEvent]) -> Result<(), SinkError> {
        let mut held = self.events.lock().expect("memory sink lock");
        for event in events {
            held.entry(event.id.clone())
                .or_insert_with(|| event.clone());
        }
        self.batches.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}
