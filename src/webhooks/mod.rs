//! Webhook delivery: an adapter that works through the outbox in `store::webhooks`.
//!
//! Deliveries are written in the transaction of the change they announce; this sender wakes
//! when told (after such a commit) or every second, posts each due delivery with an HMAC-SHA256
//! signature, and records the outcome. A failure is retried with exponential backoff (1 s, 2 s,
//! 4 s … capped at an hour) up to [`MAX_ATTEMPTS`] times, then marked failed. Sending happens on
//! the blocking pool, never on a request's path.

pub mod guard;

use chrono::Utc;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

use crate::error::AppResult;
use crate::store::webhooks::{self as outbox, Delivery, DELIVERED, FAILED, PENDING};
use crate::store::Db;

pub const MAX_ATTEMPTS: i32 = 8;
const BATCH: i64 = 50;

/// `sha256=` + hex HMAC-SHA256 over `"{timestamp}.{body}"` with the webhook's secret; receivers
/// recompute it from the `X-Vary-Timestamp` header and the raw body.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Seconds to wait after the `attempts`-th failure.
pub fn backoff_secs(attempts: i32) -> i64 {
    1i64 << (attempts - 1).clamp(0, 12).min(11) // 1, 2, 4 … 2048 s
}

pub struct WebhookSender {
    db: Db,
    agent: ureq::Agent,
    wake: Arc<Notify>,
}

impl WebhookSender {
    pub fn new(db: Db, wake: Arc<Notify>, allow_private: bool) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(10))
            .redirects(0)
            .resolver(guard::GuardedResolver { allow_private })
            .user_agent("Vary-Webhooks/1")
            .build();
        WebhookSender { db, agent, wake }
    }

    /// Delivers until the process ends.
    pub async fn run(self: Arc<Self>) {
        loop {
            match self.deliver_due().await {
                Ok(n) if n as i64 == BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook delivery round failed"),
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    /// Sends every due delivery once; returns how many were tried.
    pub async fn deliver_due(&self) -> AppResult<usize> {
        let due = self.db.read(|conn| outbox::due(conn, BATCH)).await?;
        let count = due.len();
        for (delivery, url, secret) in due {
            let agent = self.agent.clone();
            let sent = tokio::task::spawn_blocking(move || {
                (send(&agent, &url, &secret, &delivery), delivery)
            })
            .await;
            let Ok(((http_status, error), delivery)) = sent else {
                continue;
            };
            let attempts = delivery.attempts + 1;
            let ok = http_status.is_some_and(|s| (200..300).contains(&s));
            let status = match (ok, attempts >= MAX_ATTEMPTS) {
                (true, _) => DELIVERED,
                (false, true) => FAILED,
                (false, false) => PENDING,
            };
            let next = Utc::now() + chrono::Duration::seconds(backoff_secs(attempts));
            if !ok {
                tracing::info!(delivery = %delivery.id, attempts, status, error = ?error, "webhook delivery failed");
            }
            let id = delivery.id.clone();
            self.db
                .write(move |conn| {
                    outbox::record_attempt(
                        conn,
                        &id,
                        status,
                        attempts,
                        http_status.map(i32::from),
                        error,
                        next,
                    )
                })
                .await?;
        }
        Ok(count)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_secs(1), 1);
        assert_eq!(backoff_secs(2), 2);
        assert_eq!(backoff_secs(4), 8);
        assert_eq!(backoff_secs(40), 2048);
    }

    #[test]
    fn the_signature_covers_timestamp_and_body() {
        let a = signature("s", 1, "{}");
        assert!(a.starts_with("sha256="));
        assert_ne!(a, signature("s", 2, "{}"));
        assert_ne!(a, signature("t", 1, "{}"));
    }
}
