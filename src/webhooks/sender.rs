//! The webhook sender, one per node: claims due deliveries from the outbox for a lease, posts
//! each on the blocking pool with up to [`IN_FLIGHT`] under way at once, and records each
//! outcome under its claim.
//!
//! A claim keeps other nodes off a delivery until its lease ends, so each delivery is attempted
//! by one node at a time; a node that dies holding a claim lets it go when the lease ends, and
//! another node then tries the delivery again. The sender claims only as many deliveries as it
//! has free slots and goes on claiming while others are in flight, so a slow receiver holds up
//! only its own deliveries. At a graceful shutdown [`WebhookSender::drain`] stops claiming and
//! waits for the sends under way to be recorded, so a stopped node leaves no claim behind.

use chrono::Utc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use super::{backoff_secs, guard, signature, MAX_ATTEMPTS};
use crate::error::AppResult;
use crate::store::webhooks::{self as outbox, Attempt, Delivery, DELIVERED, FAILED, PENDING};
use crate::store::Db;

/// How many deliveries one node sends at once.
pub const IN_FLIGHT: usize = 16;
/// How long a claim holds by default: longer than a send can take ([`SEND_TIMEOUT`]) with time
/// to record it.
pub const LEASE: Duration = Duration::from_secs(60);
/// The longest one post may take, connecting and waiting for the answer included.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How often an idle sender looks for due deliveries when nothing wakes it.
const POLL: Duration = Duration::from_secs(1);

/// A claimed delivery with its webhook's URL and secret.
type Claimed = (Delivery, String, String);

pub struct WebhookSender {
    db: Db,
    agent: ureq::Agent,
    wake: Arc<Notify>,
    node: String,
    lease: chrono::Duration,
    rounds: AtomicU64,
    slots: Arc<Semaphore>,
    stopping: AtomicBool,
}

impl WebhookSender {
    /// A sender with a new random node id and the default [`LEASE`].
    pub fn new(db: Db, wake: Arc<Notify>, allow_private: bool) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout(SEND_TIMEOUT)
            .redirects(0)
            .resolver(guard::GuardedResolver { allow_private })
            .user_agent("Vary-Webhooks/1")
            .build();
        WebhookSender {
            db,
            agent,
            wake,
            node: crate::ids::new_id("node"),
            lease: chrono::Duration::from_std(LEASE).expect("a minute fits"),
            rounds: AtomicU64::new(0),
            slots: Arc::new(Semaphore::new(IN_FLIGHT)),
            stopping: AtomicBool::new(false),
        }
    }

    /// The same sender with another lease; it must outlast [`SEND_TIMEOUT`] and the recording,
    /// or another node may send a delivery again while this one is still sending it.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = chrono::Duration::from_std(lease).expect("a lease of a sane length");
        self
    }

    /// This node's id, the prefix of every claim it makes.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Stops claiming and waits, at most `within`, until every send under way is recorded and
    /// its claim released; true when none is left. A send still under way after `within` keeps
    /// its claim until the lease ends, as if the node had died.
    pub async fn drain(&self, within: Duration) -> bool {
        self.stopping.store(true, Ordering::Release);
        self.wake.notify_one();
        let all = IN_FLIGHT as u32;
        matches!(
            tokio::time::timeout(within, self.slots.acquire_many(all)).await,
            Ok(Ok(_))
        )
    }

    /// Delivers until the process ends or [`Self::drain`] is called.
    pub async fn run(self: Arc<Self>) {
        while !self.stopping.load(Ordering::Acquire) {
            match self.claim_and_send().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "claiming webhook deliveries failed"),
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }

    /// Waits for a free slot, claims as many due deliveries as there are free slots and starts
    /// sending each; true when every free slot was filled (more may be due).
    async fn claim_and_send(self: &Arc<Self>) -> AppResult<bool> {
        let first = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        if self.stopping.load(Ordering::Acquire) || !self.db.read(outbox::any_due).await? {
            return Ok(false);
        }
        let room = self.slots.available_permits() + 1;
        let claim = format!(
            "{}.{}",
            self.node,
            self.rounds.fetch_add(1, Ordering::Relaxed)
        );
        let until = Utc::now() + self.lease;
        let token = claim.clone();
        let claimed = self
            .db
            .write(move |conn| outbox::claim_due(conn, &token, until, room as i64))
            .await?;
        let full = claimed.len() == room;
        let mut first = Some(first);
        for delivery in claimed {
            let permit = match first.take() {
                Some(permit) => permit,
                None => self
                    .slots
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("never closed"),
            };
            tokio::spawn(self.clone().attempt(claim.clone(), delivery, permit));
        }
        Ok(full)
    }

    /// Posts one claimed delivery and records the outcome under the claim; the slot is freed
    /// when done.
    async fn attempt(
        self: Arc<Self>,
        claim: String,
        claimed: Claimed,
        _slot: OwnedSemaphorePermit,
    ) {
        let (delivery, url, secret) = claimed;
        let agent = self.agent.clone();
        let sent =
            tokio::task::spawn_blocking(move || (send(&agent, &url, &secret, &delivery), delivery))
                .await;
        let Ok(((http_status, error), delivery)) = sent else {
            tracing::warn!(
                claim,
                "a webhook send panicked; retried when its lease ends"
            );
            return;
        };
        let attempt = outcome(&delivery, http_status, error);
        if attempt.status != DELIVERED {
            tracing::info!(delivery = %delivery.id, attempts = attempt.attempts, status = attempt.status, error = ?attempt.error, "webhook delivery failed");
        }
        let id = delivery.id.clone();
        let recorded = self
            .db
            .write(move |conn| outbox::record_attempt(conn, &id, &claim, &attempt))
            .await;
        match recorded {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                delivery = %delivery.id,
                "a webhook attempt outlasted its lease and another claim took the delivery; \
                 this attempt is not recorded"
            ),
            Err(e) => tracing::warn!(
                delivery = %delivery.id, error = %e,
                "a webhook attempt could not be recorded; retried when its lease ends"
            ),
        }
    }
}

/// The record of an attempt at `delivery` that got `http_status` (if any answer came).
fn outcome(delivery: &Delivery, http_status: Option<u16>, error: Option<String>) -> Attempt {
    let attempts = delivery.attempts + 1;
    let ok = http_status.is_some_and(|s| (200..300).contains(&s));
    let status = match (ok, attempts >= MAX_ATTEMPTS) {
        (true, _) => DELIVERED,
        (false, true) => FAILED,
        (false, false) => PENDING,
    };
    Attempt {
        status,
        attempts,
        http_status: http_status.map(i32::from),
        error,
        next_attempt_at: Utc::now() + chrono::Duration::seconds(backoff_secs(attempts)),
    }
}

/// Posts one delivery; returns the HTTP status (if any answer came) and an error text.
fn send(
    agent: &ureq::Agent,
    url: &str,
    secret: &str,
    delivery: &Delivery,
) -> (Option<u16>, Option<String>) {
    let timestamp = Utc::now().timestamp();
    let result = agent
        .post(url)
        .set("Content-Type", "application/json")
        .set("X-Vary-Event", &delivery.event)
        .set("X-Vary-Delivery", &delivery.id)
        .set("X-Vary-Timestamp", &timestamp.to_string())
        .set(
            "X-Vary-Signature",
            &signature(secret, timestamp, &delivery.payload),
        )
        .send_string(&delivery.payload);
    match result {
        Ok(response) => (Some(response.status()), None),
        Err(ureq::Error::Status(code, _)) => (Some(code), Some(format!("HTTP {code}"))),
        Err(ureq::Error::Transport(t)) => (None, Some(t.to_string())),
    }
}
