//! Usage events tables: the source of truth for impressions, clicks and conversions.
//!
//! What an event served — brand, entry, variant, revision, device, locale — is one row of
//! `usage_served` (`served`), stored the first time it is served; each row of `usage_events`
//! (`events`) names it by number, next to what is the event's own (id, kind, impression, time,
//! hashed user key, allowed attributes, value). Most events share a few served rows, so the row
//! written per impression stays narrow. Events are inserted in batches by the usage queue's
//! database sink ([`DbUsageSink`], in `sink`); an id already present is skipped, so a batch
//! written twice counts once. They are read back in `read`, grouped into reports in `report`,
//! and deleted only for privacy: one person's in `person`, those past a brand's retention in
//! `retention`.

mod events;
mod person;
mod read;
mod report;
mod retention;
mod served;
mod sink;

use served::ServedRow;

pub use person::{forget_person, person_events};
pub use read::{count, count_up_to, each_event_batch, events, impression, impressions, of_batches};
pub use report::{report, report_each};
pub use retention::{expire_batch, kept_since, ExpiredBatch};
pub use sink::DbUsageSink;
