//! One usage event: an impression, a click or a conversion, as it is stored.
//!
//! An impression is recorded when delivery answers a delivery key with a variant; its `id` is the
//! impression id inside the `servedId`, so the event and the id the app holds name the same thing.
//! Clicks and conversions carry their own fresh id and point at the impression through
//! `impression_id`, copying what it served (entry, variant, revision, device, locale) so a report
//! never looks events up by their impression. Every event has an id so that writing a batch twice stores it once.
//!
//! What was served (brand, entry, variant, revision) is a [`ServedVariant`] behind an `Arc`: the
//! delivery snapshot builds one per published variant and every impression of it shares that one,
//! so recording an impression copies no names.
//!
//! Privacy: the visitor's `userKey` only ever appears as [`UserKeyHasher::hash`] (an HMAC with a
//! server secret), and of the audience attributes only those the brand allows are kept
//! ([`allowed_attributes`]).

use chrono::{DateTime, Datelike, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::sync::Arc;

use super::report::UNKNOWN_DEVICE;
use crate::digits;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UsageKind {
    Impression,
    Click,
    Conversion,
}

impl UsageKind {
    /// The stored name: `impression`, `click` or `conversion`.
    pub fn as_str(self) -> &'static str {
        match self {
            UsageKind::Impression => "impression",
            UsageKind::Click => "click",
            UsageKind::Conversion => "conversion",
        }
    }

    /// Reads a stored name back.
    pub fn parse(raw: &str) -> Option<UsageKind> {
        match raw {
            "impression" => Some(UsageKind::Impression),
            "click" => Some(UsageKind::Click),
            "conversion" => Some(UsageKind::Conversion),
            _ => None,
        }
    }
}

/// The published revision of a variant an event is about, with the names reports show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServedVariant {
    /// The brand's slug.
    pub brand: String,
    pub entry_id: String,
    pub entry_key: String,
    pub variant_id: String,
    pub variant_name: String,
    /// The revision id that was served.
    pub revision: String,
    /// The experiment the answer was enrolled in and its arm; empty outside experiments.
    pub experiment_id: String,
    pub arm_id: String,
}

/// One event, with everything a report groups by at hand.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageEvent {
    /// Unique; a second write of the same id is ignored.
    pub id: String,
    pub kind: UsageKind,
    /// The impression this event belongs to (for an impression, its own id).
    pub impression_id: String,
    /// What was served; shared by every event of the same variant revision.
    pub served: Arc<ServedVariant>,
    /// `MOBILE`, `TABLET`, … or `None` when unknown (a live event borrows the device's name).
    pub device: Option<Cow<'static, str>>,
    pub locale: String,
    pub at: DateTime<Utc>,
    /// HMAC-SHA256 of the visitor's `userKey`, hex; never the key itself.
    pub user_key_hash: Option<String>,
    /// Only the attributes the brand's policy lists in `usageAttributes`.
    pub attributes: Map<String, Value>,
    /// A conversion's value, when the app sent one.
    pub value: Option<f64>,
}

impl UsageEvent {
    /// The device as reports name it: its name, or [`UNKNOWN_DEVICE`] when unknown.
    pub fn device_name(&self) -> &str {
        self.device.as_deref().unwrap_or(UNKNOWN_DEVICE)
    }

    /// The UTC day of the event, `YYYY-MM-DD`, as reports name it.
    pub fn day(&self) -> String {
        day_of(self.at)
    }

    /// A click or conversion on the impression `self`, with a fresh id.
    pub fn follow_up(
        &self,
        id: String,
        kind: UsageKind,
        at: DateTime<Utc>,
        value: Option<f64>,
    ) -> UsageEvent {
        UsageEvent {
            id,
            kind,
            impression_id: self.impression_id.clone(),
            at,
            value,
            ..self.clone()
        }
    }
}

/// The longest id a client may give a tracked event, in bytes.
pub const MAX_CLIENT_ID_BYTES: usize = 200;

/// The stored id of a tracked event the client named `client_id`: the same for every resend in
/// the brand, so stores (which keep one event per id) count it once, and distinct across brands.
/// `trk_` and 128 bits of SHA-256 over the brand and the client's id, length-prefixed so no two
/// pairs hash the same input.
pub fn client_event_id(brand: &str, client_id: &str) -> String {
    let mut hash = Sha256::new();
    hash.update((brand.len() as u64).to_le_bytes());
    hash.update(brand.as_bytes());
    hash.update(client_id.as_bytes());
    format!("trk_{}", hex::encode(&hash.finalize()[..16]))
}

/// The UTC day of an instant, `YYYY-MM-DD`.
pub fn day_of(at: DateTime<Utc>) -> String {
    let day = at.date_naive();
    let (year, month, date) = (day.year(), day.month(), day.day());
    if !(0..=9999).contains(&year) {
        return at.format("%Y-%m-%d").to_string();
    }
    // Digits by hand: every stored event needs its day, and a formatting machinery (let alone a
    // strftime pattern parsed per call) costs many times more.
    let mut out = String::with_capacity(10);
    digits::push(&mut out, year as u64, 4, 10);
    out.push('-');
    digits::push(&mut out, month.into(), 2, 10);
    out.push('-');
    digits::push(&mut out, date.into(), 2, 10);
    out
}

/// Keeps only the attributes the brand allows to be stored with usage events.
pub fn allowed_attributes(
    attributes: &Map<String, Value>,
    allowed: &[String],
) -> Map<String, Value> {
    allowed
        .iter()
        .filter_map(|name| attributes.get(name).map(|v| (name.clone(), v.clone())))
        .collect()
}

/// Hashes user keys with a server secret, so stored events can be linked per person without
/// holding anything that names them.
#[derive(Clone)]
pub struct UserKeyHasher {
    /// The MAC with the key already absorbed; each hash starts from a copy.
    keyed: Hmac<Sha256>,
}

impl UserKeyHasher {
    pub fn new(key: &[u8]) -> Self {
        UserKeyHasher {
            keyed: Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length"),
        }
    }

    /// HMAC-SHA256 of `user_key`, hex encoded.
    pub fn hash(&self, user_key: &str) -> String {
        let mut mac = self.keyed.clone();
        mac.update(user_key.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The hash of a present, non-blank key.
    pub fn hash_opt(&self, user_key: Option<&str>) -> Option<String> {
        user_key
            .filter(|k| !k.trim().is_empty())
            .map(|k| self.hash(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    #[test]
    fn only_allowed_attributes_are_kept() {
        let attrs = json!({"segment": "skier", "age": 34, "email": "a@b.c"});
        let kept = allowed_attributes(
            attrs.as_object().unwrap(),
            &["segment".into(), "missing".into()],
        );
        assert_eq!(Value::Object(kept), json!({"segment": "skier"}));
    }

    #[test]
    fn user_keys_are_hashed_with_the_secret_and_never_stored_raw() {
        let hasher = UserKeyHasher::new(b"secret");
        let hash = hasher.hash("user-42");
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains("user-42"));
        assert_eq!(hash, hasher.hash("user-42"));
        assert_ne!(hash, UserKeyHasher::new(b"other").hash("user-42"));
        assert_eq!(hasher.hash_opt(Some("  ")), None);
        assert_eq!(hasher.hash_opt(None), None);
    }

    #[test]
    fn a_client_id_names_one_event_per_brand() {
        let id = client_event_id("alpine", "order-1");
        assert_eq!(id, client_event_id("alpine", "order-1"));
        assert_eq!(id.len(), "trk_".len() + 32);
        assert_ne!(id, client_event_id("alpine", "order-2"));
        assert_ne!(id, client_event_id("alpine2", "order-1"));
        assert_ne!(client_event_id("ab", "c"), client_event_id("a", "bc"));
    }

    #[test]
    fn kinds_read_back_and_days_are_utc() {
        for kind in [
            UsageKind::Impression,
            UsageKind::Click,
            UsageKind::Conversion,
        ] {
            assert_eq!(UsageKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(UsageKind::parse("view"), None);
        let at = DateTime::parse_from_rfc3339("2026-03-01T23:30:00-02:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(day_of(at), "2026-03-02");
        for (y, m, d) in [(2026, 12, 31), (999, 1, 5), (10_000, 2, 3), (-1, 6, 7)] {
            let at = Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap();
            assert_eq!(day_of(at), at.format("%Y-%m-%d").to_string(), "{y}-{m}-{d}");
        }
    }
}
