//! Usage: impressions, clicks and conversions, from the delivery path to the auditor's report.
//!
//! - [`event`]: what one event holds, the hashed user key and the brand's attribute allowlist.
//! - [`queue`]: the bounded queue and its single batch writer, in front of a [`queue::UsageSink`]
//!   (the database in production, `store::usage::DbUsageSink`, kept in `store` since it writes
//!   through the pools; memory in tests). Delivery only ever waits on the queue.
//! - [`journal`]: the append-only file every queued event is written to before its answer is
//!   sent, replayed at start, so `kill -9` loses nothing that was answered.
//! - [`index`]: the tantivy usage index the batch writer keeps beside the database;
//!   [`grouping`] counts reports from its fast fields.
//! - [`report`]: report dimensions, rows, rates and the CSV form (and, in tests, the in-memory
//!   reference the index and the database are held to).
//! - [`csv`]: CSV lines safe to open in a spreadsheet (formula-like text escaped), for every CSV
//!   Vary writes, the audit report's included.
//!
//! Depends on nothing else of ours: delivery builds events, the store is a sink, and the
//! GraphQL and HTTP adapters turn rows into answers.

pub mod csv;
pub mod event;
pub mod grouping;
pub mod index;
pub mod journal;
pub mod queue;
pub mod report;

pub use event::{ServedVariant, UsageEvent, UsageKind, UserKeyHasher};
pub use index::{UsageIndex, USAGE_WRITER};
pub use journal::{Journal, JournalConfig};
pub use queue::{QueueConfig, QueueError, UsageQueue, UsageSink};
pub use report::{UsageDimension, UsageRow};
