//! Live delivery keys, held in memory so that checking a key never touches the database.
//!
//! Tokens are `vary_dk_` plus 40 random characters; only their SHA-256 is stored. The ring is
//! loaded at start and replaced atomically when the change feed applies a create or revoke (on
//! the node that made it before `revokeDeliveryKey` answers, on the others within a second).
//!
//! Admitting a key is the delivery hot path, so everything it checks is in memory and costs
//! little: the expiry against the clock (one comparison), the rate with `governor`'s GCRA (one
//! compare-and-swap on the key's own cell; a key without `rateLimit` skips it), and the time of
//! last use (a relaxed load, and a store when the second changes). GCRA expresses the contract's
//! rate exactly: `rateLimit` answers per second, a key starting with a full burst of twice that.
//! Each node limits on its own (README, "Running several nodes"). A key whose row is re-read
//! keeps its limiter and last use unless its limits changed. `content::keys` writes the times
//! of use to the database in the background, at most once a minute per key.

use arc_swap::ArcSwap;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use super::policy::KeyPrincipal;
use crate::domain::delivery_key::DeliveryKeyRecord;
use crate::domain::key_limits::KeyLimits;
use crate::error::{AppError, AppResult};

pub const TOKEN_PREFIX: &str = "vary_dk_";

/// A new random delivery token.
pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", crate::ids::random_token(40))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// One live key and what it needs to be admitted.
struct LiveKey {
    principal: KeyPrincipal,
    limits: KeyLimits,
    /// `expires_at` in microseconds since the epoch (`i64::MAX`: never).
    expires_micros: i64,
    limiter: Option<DefaultDirectRateLimiter>,
    /// Seconds since the epoch of the last use on this node (0: none since start).
    last_used: AtomicI64,
    /// The last use already handed to the database.
    flushed: AtomicI64,
}

impl LiveKey {
    fn new(record: &DeliveryKeyRecord, previous: Option<&LiveKey>) -> LiveKey {
        let limiter = record.limits.rate_limit.map(|rate| {
            let burst = std::num::NonZeroU32::new(rate.get().saturating_mul(2)).unwrap_or(rate);
            RateLimiter::direct(Quota::per_second(rate).allow_burst(burst))
        });
        let (last_used, flushed) = previous.map_or((0, 0), |p| {
            (
                p.last_used.load(Ordering::Relaxed),
                p.flushed.load(Ordering::Relaxed),
            )
        });
        LiveKey {
            principal: KeyPrincipal {
                id: record.id.clone(),
                name: record.name.clone(),
                brand: record.brand_slug.clone(),
                preview: record.preview,
            },
            limits: record.limits.clone(),
            expires_micros: record
                .limits
                .expires_at
                .map_or(i64::MAX, |at| at.timestamp_micros()),
            limiter,
            last_used: AtomicI64::new(last_used),
            flushed: AtomicI64::new(flushed),
        }
    }

    fn admit(&self) -> AppResult<KeyPrincipal> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        if now.as_micros() as i64 >= self.expires_micros {
            return Err(AppError::unauthenticated("this delivery key has expired"));
        }
        if let Some(limiter) = &self.limiter {
            if let Err(not_until) = limiter.check() {
                let wait = not_until.wait_time_from(governor::clock::Clock::now(limiter.clock()));
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                return Err(AppError::rate_limited(secs.max(1)));
            }
        }
        let secs = now.as_secs() as i64;
        if self.last_used.load(Ordering::Relaxed) != secs {
            self.last_used.store(secs, Ordering::Relaxed);
        }
        Ok(self.principal.clone())
    }
}

/// When one key was last used on this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyUse {
    pub unix_secs: i64,
}

#[derive(Default)]
pub struct KeyRing {
    live: ArcSwap<HashMap<String, Arc<LiveKey>>>,
}

impl KeyRing {
    /// Replaces the ring with the live (unrevoked) keys among `records`.
    pub fn load(&self, records: &[DeliveryKeyRecord]) {
        let old = self.live.load_full();
        let live = records
            .iter()
            .filter(|r| r.revoked_at.is_none())
            .map(|r| (r.token_hash.clone(), Self::carried(&old, r)))
            .collect();
        self.live.store(Arc::new(live));
    }

    /// Replaces what the ring holds for the keys `ids` with what `records` (their current rows)
    /// say: a live key is added, a revoked or missing one removed.
    pub fn update(&self, ids: &BTreeSet<String>, records: &[DeliveryKeyRecord]) {
        let old = self.live.load_full();
        let mut live: HashMap<String, Arc<LiveKey>> = (*old).clone();
        live.retain(|_, key| !ids.contains(&key.principal.id));
        for r in records.iter().filter(|r| r.revoked_at.is_none()) {
            live.insert(r.token_hash.clone(), Self::carried(&old, r));
        }
        self.live.store(Arc::new(live));
    }

    /// The ring's entry for `record`: the one it holds when the limits are unchanged (so its
    /// rate and last use carry on), a new one otherwise.
    fn carried(old: &HashMap<String, Arc<LiveKey>>, record: &DeliveryKeyRecord) -> Arc<LiveKey> {
        let previous = old.get(&record.token_hash);
        match previous {
            Some(key) if key.limits == record.limits && key.principal.name == record.name => {
                key.clone()
            }
            _ => Arc::new(LiveKey::new(record, previous.map(|k| &**k))),
        }
    }

    /// The key `token` names, if it is live, unexpired and within its rate: `UNAUTHENTICATED`
    /// for an unknown, revoked or expired key, `RATE_LIMITED` over the rate.
    pub fn admit(&self, token: &str) -> AppResult<KeyPrincipal> {
        match self.live.load().get(&token_hash(token)) {
            Some(key) => key.admit(),
            None => Err(AppError::unauthenticated("unknown or revoked delivery key")),
        }
    }

    /// Whether the live key `token` lets a browser at `origin` use it: `None` when the token
    /// names no live key or the key does not narrow origins.
    pub fn grants_origin(&self, token: &str, origin: &[u8]) -> Option<bool> {
        let ring = self.live.load();
        let allowed = ring
            .get(&token_hash(token))?
            .limits
            .allowed_origins
            .as_ref()?;
        Some(allowed.iter().any(|o| o.matches(origin)))
    }

    /// When each key was last used on this node, by key id (keys unused since start left out).
    pub fn uses(&self) -> HashMap<String, KeyUse> {
        self.live
            .load()
            .values()
            .filter_map(|key| {
                let secs = key.last_used.load(Ordering::Relaxed);
                (secs > 0).then(|| (key.principal.id.clone(), KeyUse { unix_secs: secs }))
            })
            .collect()
    }

    /// The uses not yet handed to the database, marked as handed: the caller writes them.
    pub fn take_unflushed(&self) -> Vec<(String, KeyUse)> {
        let ring = self.live.load();
        let mut taken = Vec::new();
        for key in ring.values() {
            let used = key.last_used.load(Ordering::Relaxed);
            if used > key.flushed.swap(used, Ordering::Relaxed) {
                taken.push((key.principal.id.clone(), KeyUse { unix_secs: used }));
            }
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    fn record(token: &str, limits: KeyLimits) -> DeliveryKeyRecord {
        DeliveryKeyRecord {
            id: format!("key_{token}"),
            brand_slug: "b".into(),
            name: "k".into(),
            token_hash: token_hash(token),
            created_by: "admin".into(),
            created_at: chrono::Utc::now(),
            revoked_at: None,
            limits,
            last_used_at: None,
            preview: false,
        }
    }

    #[test]
    fn a_key_gets_a_burst_of_twice_its_rate_then_waits() {
        let ring = KeyRing::default();
        let limits = KeyLimits {
            rate_limit: NonZeroU32::new(3),
            ..KeyLimits::default()
        };
        ring.load(&[record("t", limits)]);
        for _ in 0..6 {
            ring.admit("t").expect("within the burst");
        }
        let refused = ring.admit("t").unwrap_err();
        assert_eq!(refused.code, crate::error::ErrorCode::RateLimited);
        assert_eq!(refused.retry_after, Some(1));
    }

    #[test]
    fn an_expired_key_is_unauthenticated_and_its_state_survives_a_reload() {
        let ring = KeyRing::default();
        let expired = KeyLimits {
            expires_at: Some(chrono::Utc::now() - chrono::Duration::seconds(1)),
            ..KeyLimits::default()
        };
        ring.load(&[record("old", expired), record("new", KeyLimits::default())]);
        let refused = ring.admit("old").unwrap_err();
        assert_eq!(refused.code, crate::error::ErrorCode::Unauthenticated);
        ring.admit("new").unwrap();
        assert_eq!(ring.take_unflushed().len(), 1);
        assert!(ring.take_unflushed().is_empty(), "taken once");
        ring.load(&[record("new", KeyLimits::default())]);
        assert!(ring.uses().contains_key("key_new"), "kept across a reload");
    }
}
