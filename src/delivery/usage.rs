//! Usage on the delivery side: the impression every answer to a delivery key records, and
//! `track`, which attaches clicks and conversions to a `servedId`.
//!
//! Recording only queues the event ([`crate::usage::UsageQueue`]); the request never waits on
//! the database unless the queue is full. `track` verifies each `servedId`'s signature, checks
//! that its impression is stored — flushing the queue first when it is not there yet, so a
//! `servedId` can be tracked as soon as the answer carrying it was sent — and queues the follow-up
//! events; invalid entries are listed as rejected while the rest are recorded.

use chrono::{DateTime, Utc};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::served::ServedRef;
use super::{Delivery, DeliveryContext};
use crate::auth::Principal;
use crate::domain::consent::Consent;
use crate::domain::device::Device;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::store;
use crate::usage::event::{allowed_attributes, client_event_id, MAX_CLIENT_ID_BYTES};
use crate::usage::{QueueError, ServedVariant, UsageEvent, UsageKind, UsageQueue, UserKeyHasher};

/// The most events one `track` call may carry.
pub const MAX_TRACK_EVENTS: usize = 1_000;

/// What delivery needs to record usage.
pub struct UsageRecorder {
    pub queue: Arc<UsageQueue>,
    pub hasher: UserKeyHasher,
}

/// What one answer served, before its impression becomes an event.
#[derive(Debug, Clone)]
pub(super) struct Served {
    /// The impression's id, as signed into the `servedId`.
    pub id: String,
    /// The snapshot's record of the variant revision (shared, not copied).
    pub variant: Arc<ServedVariant>,
    pub device: Option<Device>,
    pub locale: String,
    /// The server's clock, to the millisecond.
    pub at: DateTime<Utc>,
}

/// A click or conversion an app reports.
#[derive(Debug, Clone)]
pub struct TrackEvent {
    pub served_id: String,
    pub kind: UsageKind,
    pub value: Option<f64>,
    /// The client's name for the event: a resend under the same name counts once.
    pub id: Option<String>,
}

/// Why one tracked event was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackRejection {
    pub index: usize,
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackOutcome {
    pub accepted: usize,
    pub rejected: Vec<TrackRejection>,
}

/// How long `track` waits for impressions another node served but has not stored yet.
const OTHER_NODES_WAIT: Duration = Duration::from_secs(1);

fn queue_error(e: QueueError) -> AppError {
    match e {
        QueueError::StorageFull => AppError::unavailable_because(
            "storage full: usage cannot be recorded; free disk space",
            e,
        ),
        e => AppError::unavailable(e),
    }
}

fn rejection(index: usize, message: &str) -> TrackRejection {
    TrackRejection {
        index,
        code: ErrorCode::BadInput,
        message: message.to_string(),
    }
}

impl UsageRecorder {
    /// The impression event of one answer. Without measurement consent it is still counted,
    /// but stores no user key and no attributes.
    pub(super) fn impression(
        &self,
        served: Served,
        ctx: &DeliveryContext,
        allowed: &[String],
        consent: Consent,
    ) -> UsageEvent {
        let (user_key_hash, attributes) = match consent.measurement {
            true => (
                self.hasher.hash_opt(ctx.user_key.as_deref()),
                allowed_attributes(&ctx.attributes, allowed),
            ),
            false => (None, serde_json::Map::new()),
        };
        UsageEvent {
            id: served.id.clone(),
            kind: UsageKind::Impression,
            impression_id: served.id,
            served: served.variant,
            device: served.device.map(|d| Cow::Borrowed(d.as_str())),
            locale: served.locale,
            at: served.at,
            user_key_hash,
            attributes,
            value: None,
        }
    }

    /// Queues impressions; waits briefly when the queue is full, then gives up as UNAVAILABLE
    /// (an answer never carries a `servedId` whose impression was not recorded).
    pub(super) async fn record(&self, events: Vec<UsageEvent>) -> AppResult<()> {
        self.queue.record_all(events).await.map_err(queue_error)
    }
}

impl Delivery {
    /// Turns on usage recording.
    pub fn with_usage(mut self, recorder: UsageRecorder) -> Self {
        self.usage = Some(Arc::new(recorder));
        self
    }

    /// The usage queue, when recording is on (shutdown drains it).
    pub fn usage_queue(&self) -> Option<&Arc<UsageQueue>> {
        self.usage.as_ref().map(|u| &u.queue)
    }

    /// Records clicks and conversions for `servedId`s; delivery keys only, of the brand the
    /// impression was served in.
    pub async fn track(&self, who: &Principal, events: Vec<TrackEvent>) -> AppResult<TrackOutcome> {
        let brand = match who {
            Principal::DeliveryKey(key) => key.brand.clone(),
            Principal::Anonymous => return Err(AppError::unauthenticated("sign in first")),
            Principal::User(_) => {
                return Err(AppError::forbidden("only delivery keys track usage"))
            }
        };
        if events.len() > MAX_TRACK_EVENTS {
            return Err(AppError::bad_input(format!(
                "at most {MAX_TRACK_EVENTS} events per call"
            )));
        }
        let usage = self
            .usage
            .clone()
            .ok_or_else(|| AppError::unavailable("usage recording is off"))?;
        let mut outcome = TrackOutcome::default();
        let mut verified: Vec<(usize, ServedRef)> = Vec::new();
        for (index, event) in events.iter().enumerate() {
            match self.signer.verify(&event.served_id) {
                None => outcome
                    .rejected
                    .push(rejection(index, "servedId is not one this server gave out")),
                Some(i) if i.brand != brand => outcome
                    .rejected
                    .push(rejection(index, "servedId belongs to another brand")),
                Some(_) if event.value.is_some_and(|v| !v.is_finite()) => outcome
                    .rejected
                    .push(rejection(index, "value must be a finite number")),
                Some(_)
                    if event
                        .id
                        .as_ref()
                        .is_some_and(|id| id.is_empty() || id.len() > MAX_CLIENT_ID_BYTES) =>
                {
                    outcome.rejected.push(rejection(
                        index,
                        &format!("id must be 1 to {MAX_CLIENT_ID_BYTES} bytes long"),
                    ))
                }
                Some(i) => verified.push((index, i)),
            }
        }
        let stored = self.stored_impressions(&usage, &verified).await?;
        let now = Utc::now();
        let mut follow_ups = Vec::with_capacity(verified.len());
        for (index, served) in verified {
            match stored.get(&served.impression) {
                Some(base) => {
                    let event = &events[index];
                    let id = match &event.id {
                        Some(id) => client_event_id(&brand, id),
                        None => crate::ids::new_sortable_id("evt"),
                    };
                    follow_ups.push(base.follow_up(id, event.kind, now, event.value));
                }
                None => outcome
                    .rejected
                    .push(rejection(index, "servedId names no recorded impression")),
            }
        }
        outcome.accepted = follow_ups.len();
        usage
            .queue
            .record_all(follow_ups)
            .await
            .map_err(queue_error)?;
        outcome.rejected.sort_by_key(|r| r.index);
        Ok(outcome)
    }

    /// The stored impressions the verified `servedId`s name; when some are missing, the queue is
    /// flushed (they may still be on their way) and those are looked up again.
    async fn stored_impressions(
        &self,
        usage: &UsageRecorder,
        verified: &[(usize, ServedRef)],
    ) -> AppResult<HashMap<String, UsageEvent>> {
        let mut ids: Vec<String> = verified
            .iter()
            .map(|(_, served)| served.impression.clone())
            .collect();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let wanted = ids.clone();
        let mut found = self
            .db
            .read(move |conn| store::usage::impressions(conn, &wanted))
            .await?;
        let missing: Vec<String> = ids
            .into_iter()
            .filter(|id| !found.contains_key(id))
            .collect();
        if missing.is_empty() {
            return Ok(found);
        }
        usage.queue.flush().await.map_err(queue_error)?;
        // Still missing: another node served them and has not stored them yet (it stores
        // within tens of milliseconds); their signatures are genuine, so wait a little.
        let deadline = tokio::time::Instant::now() + OTHER_NODES_WAIT;
        let mut missing = missing;
        loop {
            let wanted = missing.clone();
            found.extend(
                self.db
                    .read(move |conn| store::usage::impressions(conn, &wanted))
                    .await?,
            );
            missing.retain(|id| !found.contains_key(id));
            if missing.is_empty() || tokio::time::Instant::now() >= deadline {
                return Ok(found);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
