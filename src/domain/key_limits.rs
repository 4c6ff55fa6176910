//! What a delivery key's creator may bound it by: an expiry, the browser origins it may be used
//! from and a rate. Parsed once from the mutation's arguments; the key ring holds the result.

use chrono::{DateTime, Utc};
use std::num::NonZeroU32;

use super::origin::{Origin, OriginError};

/// Most origins one key may name.
pub const MAX_ORIGINS: usize = 50;
/// Highest `rateLimit` (answers per second) a key may have.
pub const MAX_RATE: u32 = 1_000_000;

/// A delivery key's bounds; each `None` means unbounded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyLimits {
    /// From this instant the key is refused (`UNAUTHENTICATED`).
    pub expires_at: Option<DateTime<Utc>>,
    /// The only origins a browser may use the key from (`cors_origins` narrowed); an empty list
    /// grants no origin, for keys kept on servers.
    pub allowed_origins: Option<Vec<Origin>>,
    /// Answers per second, with a burst of twice that.
    pub rate_limit: Option<NonZeroU32>,
}

/// Why a key's limits are refused: the argument at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyLimitsError {
    #[error("expiresAt must lie in the future")]
    PastExpiry,
    #[error("rateLimit must be at least 1")]
    RateBelowOne,
    #[error("rateLimit may be at most {}", MAX_RATE)]
    RateTooHigh,
    #[error("allowedOrigins may name at most {} origins", MAX_ORIGINS)]
    TooManyOrigins,
    #[error("allowedOrigins: {0}")]
    Origin(OriginError),
}

impl KeyLimits {
    /// Checks the arguments of `createDeliveryKey`; the error says what is wrong.
    pub fn parse(
        expires_at: Option<DateTime<Utc>>,
        allowed_origins: Option<Vec<String>>,
        rate_limit: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<KeyLimits, KeyLimitsError> {
        if expires_at.is_some_and(|at| at <= now) {
            return Err(KeyLimitsError::PastExpiry);
        }
        let rate_limit = match rate_limit {
            None => None,
            Some(rate) if rate <= 0 => return Err(KeyLimitsError::RateBelowOne),
            Some(rate) if rate > i64::from(MAX_RATE) => return Err(KeyLimitsError::RateTooHigh),
            Some(rate) => NonZeroU32::new(rate as u32),
        };
        let allowed_origins = match allowed_origins {
            None => None,
            Some(list) if list.len() > MAX_ORIGINS => return Err(KeyLimitsError::TooManyOrigins),
            Some(list) => {
                let mut origins = list
                    .iter()
                    .map(|o| Origin::parse(o).map_err(KeyLimitsError::Origin))
                    .collect::<Result<Vec<_>, _>>()?;
                origins.sort();
                origins.dedup();
                Some(origins)
            }
        };
        Ok(KeyLimits {
            expires_at,
            allowed_origins,
            rate_limit,
        })
    }

    /// Whether the key may no longer be used at `now`.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_rate_below_one_or_a_past_expiry_is_refused() {
        let now = Utc::now();
        for rate in [0, -1, i64::from(MAX_RATE) + 1] {
            assert!(
                KeyLimits::parse(None, None, Some(rate), now).is_err(),
                "{rate}"
            );
        }
        let past = now - Duration::seconds(1);
        assert!(KeyLimits::parse(Some(past), None, None, now).is_err());
        assert!(KeyLimits::parse(Some(now), None, None, now).is_err());
    }

    #[test]
    fn limits_are_kept_normalised() {
        let now = Utc::now();
        let later = now + Duration::hours(1);
        let origins = vec!["https://B.example/".into(), "https://b.example".into()];
        let limits = KeyLimits::parse(Some(later), Some(origins), Some(5), now).unwrap();
        assert_eq!(limits.rate_limit.map(NonZeroU32::get), Some(5));
        let kept: Vec<&str> = limits
            .allowed_origins
            .iter()
            .flatten()
            .map(Origin::as_str)
            .collect();
        assert_eq!(kept, ["https://b.example"]);
        assert!(!limits.expired(now));
        assert!(limits.expired(later));
        assert_eq!(
            KeyLimits::parse(None, None, None, now).unwrap(),
            KeyLimits::default()
        );
    }

    #[test]
    fn a_bad_origin_is_refused() {
        let bad = Some(vec!["https://ok.example".into(), "not an origin".into()]);
        assert!(KeyLimits::parse(None, bad, None, Utc::now()).is_err());
    }
}
