//! Sign-in throttling, per account and per client address, in memory on each node.
//!
//! The contract's rules, over a sliding window (15 minutes by default):
//! - after an account's 5th failure in the window it must wait 1 s from that failure, after the
//!   6th 2 s, doubling up to 15 minutes; an attempt while it must wait is `RATE_LIMITED` and not
//!   counted;
//! - an address's 101st failure in the window, and every attempt after it, is `RATE_LIMITED` until
//!   its count falls back to 100;
//! - a correct password for an account that need not wait, from an address under its limit,
//!   always signs in (and clears the account's failures).
//!
//! `RATE_LIMITED` carries the seconds until the attempt would be taken (`retryAfter`).
//!
//! Why not `governor`: its GCRA spreads a steady rate over time; it cannot count failures in a
//! sliding window, nor wait longer after each failure. The windows are kept instead in
//! [`Ledger`], two bounded `lru` caches per kind (see there for why a flood of new accounts or
//! addresses cannot make a throttled account forget its failures). An account is keyed by a
//! 128-bit digest of its normalised e-mail, so a long e-mail costs no more memory.
//!
//! An attempt is noted as a failure when it starts ([`LoginLimiter::begin`]) and taken back if
//! it succeeds or cannot be judged, so concurrent attempts for one account or address see each
//! other: a thousand parallel guesses cannot all slip in before the first failure is counted.

use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::ledger::Ledger;
use crate::error::{AppError, AppResult};

/// Accounts and addresses with a few failures, least recently failed forgotten first.
const WATCHED: usize = 65_536;
/// Accounts that must wait, and addresses with [`ADDRESS_HOLD_AT`] failures or more.
const HELD: usize = 32_768;
/// Failures from which an address's count is held rather than watched.
const ADDRESS_HOLD_AT: usize = 20;

/// The rules' numbers (the contract's by default; tests and operators may change them).
#[derive(Debug, Clone, Copy)]
pub struct ThrottleRules {
    /// Failures an account may have in the window before it must wait (the contract: 5).
    pub account_failures: u32,
    /// Failures an address may have in the window; the next is refused (the contract: 100).
    pub address_failures: u32,
    /// The sliding window (the contract: 15 minutes).
    pub window: Duration,
    /// The longest an account is made to wait (the contract: 15 minutes).
    pub max_wait: Duration,
}

impl Default for ThrottleRules {
    fn default() -> Self {
        ThrottleRules {
            account_failures: 5,
            address_failures: 100,
            window: Duration::from_secs(15 * 60),
            max_wait: Duration::from_secs(15 * 60),
        }
    }
}

pub struct LoginLimiter {
    rules: ThrottleRules,
    started: Instant,
    accounts: Mutex<Ledger<u128>>,
    addresses: Mutex<Ledger<IpAddr>>,
}

/// One sign-in attempt under way, noted as a failure until [`Attempt::succeeded`]; dropped
/// unsettled (the password could not be checked), it is taken back.
pub struct Attempt<'a> {
    limiter: &'a LoginLimiter,
    account: u128,
    address: Option<IpAddr>,
    at: u64,
    settled: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whole seconds to wait for `ms` milliseconds, at least one.
fn seconds(ms: u64) -> u64 {
    ms.div_ceil(1000).max(1)
}

impl LoginLimiter {
    pub fn new(rules: ThrottleRules) -> Self {
        let hold_at = rules.account_failures as usize;
        LoginLimiter {
            rules,
            started: Instant::now(),
            accounts: Mutex::new(Ledger::new(WATCHED, HELD, hold_at)),
            addresses: Mutex::new(Ledger::new(WATCHED, HELD, ADDRESS_HOLD_AT)),
        }
    }

    fn now(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn window_start(&self, now: u64) -> u64 {
        now.saturating_sub(self.rules.window.as_millis() as u64)
    }

    fn account_key(email: &str) -> u128 {
        let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
        u128::from_be_bytes(digest[..16].try_into().expect("16 bytes"))
    }

    /// How long an account with `count` failures in the window must wait after the last.
    fn account_wait(&self, count: usize) -> Duration {
        let free = self.rules.account_failures as usize;
        if count < free {
            return Duration::ZERO;
        }
        let doublings = (count - free).min(40) as u32;
        Duration::from_secs(1u64 << doublings).min(self.rules.max_wait)
    }

    /// Milliseconds until an address over its limit falls back to it (`None`: under it).
    fn address_blocked_for(&self, count: usize, oldest_over: Option<u64>, now: u64) -> Option<u64> {
        if count <= self.rules.address_failures as usize {
            return None;
        }
        let leaves = oldest_over? + self.rules.window.as_millis() as u64;
        Some(leaves.saturating_sub(now))
    }

    /// Starts an attempt: `RATE_LIMITED` (not counted) while the account must wait or the
    /// address is over its limit; otherwise the attempt is noted as a failure until settled.
    pub fn begin(&self, email: &str, address: Option<&str>) -> AppResult<Attempt<'_>> {
        let account = Self::account_key(email);
        let address = address.and_then(|a| a.parse::<IpAddr>().ok());
        let now = self.now();
        let since = self.window_start(now);
        let mut accounts = lock(&self.accounts);
        let mut addresses = lock(&self.addresses);
        if let Some(addr) = &address {
            let failures = addresses.failures(addr, since);
            let limit = self.rules.address_failures as usize;
            let oldest_over = failures.nth(failures.len().saturating_sub(limit + 1));
            if let Some(ms) = self.address_blocked_for(failures.len(), oldest_over, now) {
                return Err(AppError::rate_limited(seconds(ms)));
            }
        }
        let failures = accounts.failures(&account, since);
        let until =
            failures.last().unwrap_or(0) + self.account_wait(failures.len()).as_millis() as u64;
        if failures.last().is_some() && until > now {
            return Err(AppError::rate_limited(seconds(until - now)));
        }
        accounts.add(&account, now, since);
        if let Some(addr) = &address {
            addresses.add(addr, now, since);
        }
        Ok(Attempt {
            limiter: self,
            account,
            address,
            at: now,
            settled: false,
        })
    }
}

impl Attempt<'_> {
    /// The password was right: the account's failures are cleared, the address's attempt
    /// taken back.
    pub fn succeeded(mut self) {
        self.settled = true;
        lock(&self.limiter.accounts).forget(&self.account);
        if let Some(addr) = &self.address {
            lock(&self.limiter.addresses).remove(addr, self.at);
        }
    }

    /// The password was wrong: the failure stays counted. `RATE_LIMITED` when it was one more
    /// than the address may have (the caller answers that instead of `UNAUTHENTICATED`).
    pub fn failed(mut self) -> AppResult<()> {
        self.settled = true;
        let Some(addr) = &self.address else {
            return Ok(());
        };
        let limiter = self.limiter;
        let now = limiter.now();
        let failures = lock(&limiter.addresses).failures(addr, limiter.window_start(now));
        let limit = limiter.rules.address_failures as usize;
        let oldest_over = failures.nth(failures.len().saturating_sub(limit + 1));
        match limiter.address_blocked_for(failures.len(), oldest_over, now) {
            Some(ms) => Err(AppError::rate_limited(seconds(ms))),
            None => Ok(()),
        }
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        lock(&self.limiter.accounts).remove(&self.account, self.at);
        if let Some(addr) = &self.address {
            lock(&self.limiter.addresses).remove(addr, self.at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    const X: Option<&str> = Some("192.0.2.1");

    fn fail(limiter: &LoginLimiter, email: &str, address: Option<&str>) -> AppResult<()> {
        limiter.begin(email, address)?.failed()
    }

    #[test]
    fn an_account_waits_after_its_fifth_failure_and_waits_are_not_counted() {
        let limiter = LoginLimiter::new(ThrottleRules::default());
        for _ in 0..5 {
            fail(&limiter, "a@x.test", X).unwrap();
        }
        let refused = limiter.begin("A@x.test", X).err().expect("must wait");
        assert_eq!(refused.code, ErrorCode::RateLimited);
        assert_eq!(refused.retry_after, Some(1));
        assert!(
            limiter.begin("b@x.test", X).is_ok(),
            "another account is not held up"
        );
    }

    #[test]
    fn the_wait_doubles_up_to_the_cap() {
        let limiter = LoginLimiter::new(ThrottleRules::default());
        let waits: Vec<u64> = (4..20).map(|n| limiter.account_wait(n).as_secs()).collect();
        assert_eq!(waits[..8], [0, 1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(*waits.last().unwrap(), 900);
    }

    #[test]
    fn the_address_refuses_its_101st_failure_and_what_follows() {
        let limiter = LoginLimiter::new(ThrottleRules::default());
        for i in 0..100 {
            fail(&limiter, &format!("u{i}@x.test"), X).unwrap();
        }
        let refused = fail(&limiter, "u100@x.test", X).unwrap_err();
        assert_eq!(refused.code, ErrorCode::RateLimited);
        assert!(refused.retry_after.unwrap() > 800);
        assert!(limiter.begin("fresh@x.test", X).is_err());
        assert!(limiter.begin("fresh@x.test", Some("192.0.2.2")).is_ok());
    }

    #[test]
    fn a_success_or_an_unjudged_attempt_is_taken_back() {
        let limiter = LoginLimiter::new(ThrottleRules::default());
        for _ in 0..4 {
            fail(&limiter, "a@x.test", X).unwrap();
        }
        drop(limiter.begin("a@x.test", X).unwrap());
        limiter.begin("a@x.test", X).unwrap().succeeded();
        for _ in 0..4 {
            fail(&limiter, "a@x.test", X).unwrap();
        }
        assert!(
            limiter.begin("a@x.test", X).is_ok(),
            "cleared by the success"
        );
    }

    #[test]
    fn a_flood_of_new_accounts_from_new_addresses_does_not_free_a_throttled_account() {
        let limiter = LoginLimiter::new(ThrottleRules::default());
        for _ in 0..5 {
            fail(&limiter, "target@x.test", X).unwrap();
        }
        for i in 0..(WATCHED + HELD) as u32 {
            let address = std::net::Ipv4Addr::from(0x0a00_0000 + i).to_string();
            fail(&limiter, &format!("flood{i}@x.test"), Some(&address)).unwrap();
        }
        let target = LoginLimiter::account_key("target@x.test");
        assert_eq!(lock(&limiter.accounts).failures(&target, 0).len(), 5);
    }

    #[test]
    fn an_attempt_under_way_counts_for_the_next() {
        let limiter = LoginLimiter::new(ThrottleRules::default());
        for _ in 0..4 {
            fail(&limiter, "a@x.test", X).unwrap();
        }
        let first = limiter.begin("a@x.test", X).unwrap();
        assert!(
            limiter.begin("a@x.test", X).is_err(),
            "the fifth is under way"
        );
        first.failed().unwrap();
    }
}
