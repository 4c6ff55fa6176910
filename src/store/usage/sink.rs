//! The usage queue's database sink: where [`crate::usage::queue`]'s batch writer hands its
//! batches in production.
//!
//! It lives here, not beside the queue in `usage`, because writing a batch is database work —
//! the write pool, the `usage` change that opens the transaction, the served rows and events —
//! and `usage` depends on nothing of ours (ARCHITECTURE.md's dependency rule). The queue knows
//! only its [`UsageSink`] trait; `store`, which already stores `usage`'s events and feeds its
//! index, implements it.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use super::events::insert;
use super::served::ServedNumbers;
use crate::store::{changes, Db};
use crate::usage::event::UsageEvent;
use crate::usage::index::UsageIndex;
use crate::usage::queue::{SinkError, UsageSink};

/// The usage queue's sink: each batch is inserted in one transaction on the write pool, then
/// the events that were new (never one twice) go to the usage index, when there is one. The
/// transaction opens with a `usage` change naming this node (`changes::record_usage_batch`),
/// through which the other nodes index the same events.
pub struct DbUsageSink {
    db: Db,
    index: Option<Arc<UsageIndex>>,
    /// This process's id in the change log.
    node: String,
    /// Held while a batch is written: batches are written one at a time anyway.
    served: Mutex<ServedNumbers>,
}

impl DbUsageSink {
    pub fn new(db: Db, index: Option<Arc<UsageIndex>>, node: &str) -> Self {
        DbUsageSink {
            db,
            index,
            node: node.to_string(),
            served: Mutex::default(),
        }
    }

    /// Hands the events the batch stored as new to the index, each once. The database holds
    /// them now; an index that cannot take them is rebuilt at start.
    fn index_new(&self, index: &UsageIndex, events: &[UsageEvent], new: Vec<String>) {
        // Every event is new only when no id repeats; otherwise each new id is indexed once
        // (a batch may hold one id twice: a resent tracked event).
        let indexed = if new.len() == events.len() {
            index.add(events)
        } else {
            let mut new: HashSet<String> = new.into_iter().collect();
            index.add(events.iter().filter(|e| new.remove(&e.id)))
        };
        if let Err(e) = indexed {
            tracing::error!(error = %e, "could not index usage events");
        }
    }
}

impl UsageSink for DbUsageSink {
    fn write_batch(&self, events: &[UsageEvent]) -> Result<(), SinkError> {
        // From the commit to the hand-over, a deletion must wait (see `UsageIndex::storing`).
        let _storing = self.index.as_ref().map(|index| index.storing());
        let mut served = self
            .served
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (new, found) = self
            .db
            .write_blocking(|conn| {
                let batch = changes::record_usage_batch(conn, &self.node)?;
                insert(conn, events, &served, batch)
            })
            .map_err(|e| Box::new(e) as SinkError)?;
        served.learn(found);
        drop(served);
        if let Some(index) = &self.index {
            self.index_new(index, events, new);
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), SinkError> {
        match &self.index {
            Some(index) => index.flush().map_err(SinkError::from),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use diesel::prelude::*;

    use super::*;
    use crate::store::schema::usage_served;
    use crate::store::usage::events;
    use crate::usage::report::UNKNOWN_DEVICE;
    use crate::usage::UsageKind;

    fn event(id: &str, variant: &str, device: Option<&str>) -> UsageEvent {
        crate::usage::report::tests::event(
            id,
            UsageKind::Impression,
            variant,
            device,
            "2026-03-01T10:00:00Z",
        )
    }

    #[test]
    fn each_thing_served_is_stored_once_and_events_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(
            &crate::config::DatabaseUrl::Sqlite(dir.path().join("vary.db")),
            2,
        )
        .unwrap();
        db.migrate().unwrap();
        let sink = DbUsageSink::new(db.clone(), None, "test-node");
        // Runs of the same, a change of device only, a return to an earlier one, across batches.
        let first: Vec<UsageEvent> = (0..40)
            .map(|n| event(&format!("imp_a{n:02}"), "var_1", Some("MOBILE")))
            .collect();
        // Events of one shared record (as delivery makes them) still part by device and locale.
        let shared = first[0].served.clone();
        let of_shared = |id: &str, device: Option<&'static str>, locale: &str| UsageEvent {
            served: shared.clone(),
            device: device.map(Cow::Borrowed),
            locale: locale.into(),
            ..event(id, "var_1", None)
        };
        let second = vec![
            of_shared("imp_b1", Some("MOBILE"), "en"),
            of_shared("imp_b2", None, "en"),
            event("imp_b3", "var_2", Some("MOBILE")),
            event("imp_b4", "var_1", None),
            of_shared("imp_b5", None, "de"),
        ];
        sink.write_batch(&first).unwrap();
        sink.write_batch(&second).unwrap();
        // A sink with nothing remembered finds the stored rows instead of storing them again.
        DbUsageSink::new(db.clone(), None, "test-node")
            .write_batch(&[event("imp_c1", "var_2", Some("MOBILE"))])
            .unwrap();

        let served: i64 = db
            .read_blocking(|conn| Ok(usage_served::table.count().get_result(conn)?))
            .unwrap();
        assert_eq!(
            served, 4,
            "MOBILE var_1, unknown var_1, MOBILE var_2, unknown var_1 in de"
        );
        let (from, to) = (
            "2026-03-01T00:00:00Z".parse().unwrap(),
            "2026-03-02T00:00:00Z".parse().unwrap(),
        );
        let stored = db
            .read_blocking(|conn| events(conn, "alpine", from, to))
            .unwrap();
        let mut expected: Vec<UsageEvent> = first.into_iter().chain(second).collect();
        expected.push(event("imp_c1", "var_2", Some("MOBILE")));
        for e in &mut expected {
            e.device.get_or_insert(Cow::Borrowed(UNKNOWN_DEVICE));
        }
        assert_eq!(stored, expected);
    }
}
