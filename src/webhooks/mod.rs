//! Webhook delivery: an adapter that works through the outbox in `store::webhooks`.
//!
//! Deliveries are written in the transaction of the change they announce; each node's
//! [`WebhookSender`] wakes when told (after such a commit) or every second, claims due deliveries
//! for a lease, posts each with an HMAC-SHA256 signature, and records the outcome. A failure is
//! retried with exponential backoff (1 s, 2 s, 4 s …, doubling up to 2048 s; with
//! [`MAX_ATTEMPTS`] of 8 the last wait is 64 s), then marked failed. Sending happens on the
//! blocking pool, never on a request's path.

pub mod guard;
mod sender;

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use sender::{WebhookSender, IN_FLIGHT, LEASE, SEND_TIMEOUT};

pub const MAX_ATTEMPTS: i32 = 8;

/// `sha256=` + hex HMAC-SHA256 over `"{timestamp}.{body}"` with the webhook's secret; receivers
/// recompute it from the `X-Vary-Timestamp` header and the raw body.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Seconds to wait after the `attempts`-th failure.
pub fn backoff_secs(attempts: i32) -> i64 {
    1i64 << (attempts - 1).clamp(0, 11) // 1, 2, 4 … 2048 s
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
