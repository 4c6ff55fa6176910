//! Bounded memory of recent sign-in failures per key (an account or an address), for
//! `ratelimit`.
//!
//! Each key's failures are the times (milliseconds on the throttle's clock) at which they
//! happened, oldest first, pruned to the sliding window as they are read. Memory is bounded by
//! two `lru` caches of fixed capacity:
//!
//! - *watched* keys have a few failures; a new key goes here, and when it is full the key that
//!   failed least recently is forgotten. A flood of distinct keys only ever evicts other keys
//!   that had few failures.
//! - *held* keys reached `hold_at` failures (an account that must wait, an address well on its way
//!   to its limit). Getting there costs an attacker that many failures per key, each counted
//!   against their address too. When it is full, the victim is, among the [`SAMPLE`] keys that
//!   failed least recently, the one with the fewest failures still in the window, so a flood of
//!   freshly held keys evicts its own kind before an account that has been failing for longer.

use lru::LruCache;
use std::collections::VecDeque;
use std::hash::Hash;
use std::num::NonZeroUsize;

/// How many of the least recently failed held keys are looked at to choose a victim.
pub const SAMPLE: usize = 32;

/// One key's failures within the window, oldest first.
#[derive(Debug, Default, Clone)]
pub struct Failures(VecDeque<u64>);

impl Failures {
    fn prune(&mut self, since: u64) {
        while self.0.front().is_some_and(|&t| t < since) {
            self.0.pop_front();
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The `i`-th failure still in the window, oldest first.
    pub fn nth(&self, i: usize) -> Option<u64> {
        self.0.get(i).copied()
    }

    pub fn last(&self) -> Option<u64> {
        self.0.back().copied()
    }

    fn remove(&mut self, at: u64) {
        if let Some(i) = self.0.iter().rposition(|&t| t == at) {
            self.0.remove(i);
        }
    }
}

pub struct Ledger<K: Hash + Eq> {
    watched: LruCache<K, Failures>,
    held: LruCache<K, Failures>,
    hold_at: usize,
}

fn capacity(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN)
}

impl<K: Hash + Eq + Clone> Ledger<K> {
    pub fn new(watched: usize, held: usize, hold_at: usize) -> Self {
        Ledger {
            watched: LruCache::new(capacity(watched)),
            held: LruCache::new(capacity(held)),
            hold_at: hold_at.max(1),
        }
    }

    /// The key's failures since `since` (none: an empty list).
    pub fn failures(&mut self, key: &K, since: u64) -> Failures {
        let found = match self.held.peek_mut(key) {
            Some(f) => Some(f),
            None => self.watched.peek_mut(key),
        };
        found.map_or_else(Failures::default, |f| {
            f.prune(since);
            f.clone()
        })
    }

    /// Notes a failure of `key` at `at`; answers the key's failures in the window, this one
    /// included.
    pub fn add(&mut self, key: &K, at: u64, since: u64) -> usize {
        if let Some(f) = self.held.get_mut(key) {
            f.prune(since);
            f.0.push_back(at);
            return f.len();
        }
        let mut failures = self.watched.pop(key).unwrap_or_default();
        failures.prune(since);
        failures.0.push_back(at);
        let count = failures.len();
        if count >= self.hold_at {
            self.hold(key.clone(), failures, since);
        } else {
            self.watched.push(key.clone(), failures);
        }
        count
    }

    fn hold(&mut self, key: K, failures: Failures, since: u64) {
        if self.held.len() == self.held.cap().get() {
            let victim = self
                .held
                .iter_mut()
                .rev()
                .take(SAMPLE)
                .map(|(k, f)| {
                    f.prune(since);
                    (f.len(), k.clone())
                })
                .min_by_key(|(count, _)| *count)
                .map(|(_, k)| k);
            if let Some(victim) = victim {
                self.held.pop(&victim);
            }
        }
        self.held.push(key, failures);
    }

    /// Takes back one failure noted at `at` (an attempt that did not fail after all).
    pub fn remove(&mut self, key: &K, at: u64) {
        if let Some(f) = self.held.peek_mut(key) {
            f.remove(at);
        } else if let Some(f) = self.watched.peek_mut(key) {
            f.remove(at);
        }
    }

    /// Forgets every failure of `key`.
    pub fn forget(&mut self, key: &K) {
        self.held.pop(key);
        self.watched.pop(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_slide_out_of_the_window() {
        let mut ledger = Ledger::new(8, 8, 3);
        for at in [10, 20, 30] {
            ledger.add(&"a", at, 0);
        }
        assert_eq!(ledger.failures(&"a", 0).len(), 3);
        assert_eq!(ledger.failures(&"a", 15).len(), 2);
        ledger.remove(&"a", 30);
        assert_eq!(ledger.failures(&"a", 0).last(), Some(20));
        ledger.forget(&"a");
        assert_eq!(ledger.failures(&"a", 0).len(), 0);
    }

    #[test]
    fn a_flood_of_new_keys_does_not_evict_a_held_one() {
        let mut ledger = Ledger::new(16, 4, 5);
        for at in 0..8 {
            ledger.add(&0u32, at, 0);
        }
        // Keys each failing once, then keys each failing five times (held, fewer failures).
        for key in 1..10_000u32 {
            ledger.add(&key, 100 + u64::from(key), 0);
        }
        for key in 10_000..10_040u32 {
            for at in 0..5 {
                ledger.add(&key, 20_000 + at, 0);
            }
        }
        assert_eq!(
            ledger.failures(&0, 0).len(),
            8,
            "the long-failing key is kept"
        );
    }

    #[test]
    fn a_flood_evicts_watched_keys_only() {
        let mut ledger = Ledger::new(4, 4, 3);
        ledger.add(&"few", 1, 0);
        for key in ["a", "b", "c", "d"] {
            ledger.add(&key, 2, 0);
        }
        assert_eq!(
            ledger.failures(&"few", 0).len(),
            0,
            "forgotten: it had few failures"
        );
    }
}
