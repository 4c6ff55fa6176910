//! Failed-login throttling per account and per client address, in memory.
//!
//! After `max_failures` failures within the window, further attempts for that account or from
//! that address are refused with `RATE_LIMITED` until the oldest failure leaves the window. A
//! successful login clears the account's failures.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{AppError, AppResult};

pub struct LoginLimiter {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    pub fn new(max_failures: u32, window_secs: u64) -> Self {
        LoginLimiter {
            max_failures: max_failures as usize,
            window: Duration::from_secs(window_secs),
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(email: &str, address: Option<&str>) -> Vec<String> {
        let mut keys = vec![format!("account:{}", email.to_lowercase())];
        if let Some(addr) = address {
            keys.push(format!("address:{addr}"));
        }
        keys
    }

    /// Refuses the attempt when the account or address is locked out.
    pub fn check(&self, email: &str, address: Option<&str>) -> AppResult<()> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for key in Self::keys(email, address) {
            if let Some(times) = map.get_mut(&key) {
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) > self.window)
                {
                    times.pop_front();
                }
                if times.len() >= self.max_failures {
                    let oldest = *times.front().expect("non-empty");
                    let wait = self
                        .window
                        .saturating_sub(now.duration_since(oldest))
                        .as_secs()
                        .max(1);
                    return Err(AppError::rate_limited(wait));
                }
            }
        }
        Ok(())
    }

    pub fn record_failure(&self, email: &str, address: Option<&str>) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.clear(); // bounded memory under a spray of addresses
        }
        for key in Self::keys(email, address) {
            map.entry(key).or_default().push_back(Instant::now());
        }
    }

    pub fn record_success(&self, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("account:{}", email.to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_failures_lock_the_account_out() {
        let limiter = LoginLimiter::new(2, 60);
        limiter.record_failure("a@x.test", None);
        assert!(limiter.check("a@x.test", None).is_ok());
        limiter.record_failure("a@x.test", None);
        assert!(limiter.check("a@x.test", None).is_err());
        assert!(limiter.check("b@x.test", None).is_ok());
    }
}
