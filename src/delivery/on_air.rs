//! Whether a variant is on the air: some audience gets it now. Read from delivery's own
//! snapshot (the published revisions it serves, compiled) with the same checks resolution makes
//! (schedule, the brand's minimum quality) and the same proof of shadowing editors see as a
//! conflict warning, so the admin UI's "Live" and what delivery serves cannot disagree.
//!
//! A variant is off the air when it has no published revision, when its schedule is not open
//! now, when its published quality is below the brand's minimum, or when a variant ranked above
//! it (itself on the air) is provably eligible wherever it is. Anything else is on the air: some
//! context (attributes, device, locale) gets it.

use chrono::{DateTime, Utc};

use super::snapshot::{BrandSnapshot, EntrySnapshot, LiveVariant};
use crate::domain::conflicts::shadows;

/// Why a variant is, or is not, served now.
#[derive(Debug, Clone, PartialEq)]
pub enum OnAir {
    /// Some audience gets it now.
    Live,
    /// It has no published revision.
    NotPublished,
    /// Its schedule opens later.
    NotYet { starts_at: DateTime<Utc> },
    /// Its schedule has ended.
    Ended { ends_at: DateTime<Utc> },
    /// Its published quality score is below the brand's minimum (both 0–1).
    BelowMinimum { score: f64, minimum: f64 },
    /// Never served: `by` (a variant's name) wins wherever it would.
    Shadowed { by: String },
}

impl OnAir {
    pub fn is_live(&self) -> bool {
        matches!(self, OnAir::Live)
    }

    /// Why not, in words (quality on the 0–100 scale people read); `None` when live.
    pub fn reason(&self) -> Option<String> {
        let pct = |q: f64| (q * 100.0).round() as i64;
        match self {
            OnAir::Live => None,
            OnAir::NotPublished => Some("not published".into()),
            OnAir::NotYet { starts_at } => Some(format!(
                "outside its schedule: starts {}",
                starts_at.format("%Y-%m-%d %H:%M UTC")
            )),
            OnAir::Ended { ends_at } => Some(format!(
                "outside its schedule: ended {}",
                ends_at.format("%Y-%m-%d %H:%M UTC")
            )),
            OnAir::BelowMinimum { score, minimum } => Some(format!(
                "quality {} is below the brand minimum {}",
                pct(*score),
                pct(*minimum)
            )),
            OnAir::Shadowed { by } => Some(format!("never served: covered by {by}")),
        }
    }
}

/// Whether `variant_id` of the entry `entry_id` is on the air at `now` under `minimum` quality.
pub fn on_air(
    brand: &BrandSnapshot,
    entry_id: &str,
    variant_id: &str,
    now: DateTime<Utc>,
    minimum: f64,
) -> OnAir {
    let Some(entry) = brand.entries.values().find(|e| e.id == entry_id) else {
        return OnAir::NotPublished;
    };
    let Some(variant) = entry.variants.iter().find(|v| v.id == variant_id) else {
        return OnAir::NotPublished;
    };
    judge(entry, variant, now, minimum)
}

fn judge(entry: &EntrySnapshot, variant: &LiveVariant, now: DateTime<Utc>, minimum: f64) -> OnAir {
    if let Some(off) = settings(variant, now, minimum) {
        return off;
    }
    let me = variant.candidate();
    let by = entry
        .variants
        .iter()
        .filter(|other| other.id != variant.id && settings(other, now, minimum).is_none())
        .find(|other| shadows(&other.candidate(), &me));
    match by {
        Some(other) => OnAir::Shadowed {
            by: other.name.clone(),
        },
        None => OnAir::Live,
    }
}

/// The checks that do not depend on the other variants.
fn settings(variant: &LiveVariant, now: DateTime<Utc>, minimum: f64) -> Option<OnAir> {
    if let Some(starts_at) = variant.targeting.starts_at.filter(|s| now < *s) {
        return Some(OnAir::NotYet { starts_at });
    }
    if let Some(ends_at) = variant.targeting.ends_at.filter(|e| now >= *e) {
        return Some(OnAir::Ended { ends_at });
    }
    if !variant.candidate().meets_quality(minimum) {
        return Some(OnAir::BelowMinimum {
            score: variant.quality,
            minimum,
        });
    }
    None
}

/// A variant on the air now that a new minimum quality would take off it.
#[derive(Debug, Clone, PartialEq)]
pub struct TakenOff {
    pub entry_key: String,
    pub variant_id: String,
    pub variant_name: String,
    pub score: f64,
}

/// Every variant of the brand on the air now (under its current minimum) that would be off
/// it under `minimum`, by entry key then name.
pub fn taken_off(brand: &BrandSnapshot, now: DateTime<Utc>, minimum: f64) -> Vec<TakenOff> {
    let current = brand.brand.policy.min_quality;
    let mut off: Vec<TakenOff> = brand
        .entries
        .values()
        .flat_map(|entry| {
            entry
                .variants
                .iter()
                .filter(move |v| {
                    judge(entry, v, now, current).is_live()
                        && !judge(entry, v, now, minimum).is_live()
                })
                .map(move |v| TakenOff {
                    entry_key: entry.key.clone(),
                    variant_id: v.id.clone(),
                    variant_name: v.name.clone(),
                    score: v.quality,
                })
        })
        .collect();
    off.sort_by(|a, b| {
        (a.entry_key.as_str(), a.variant_name.as_str())
            .cmp(&(b.entry_key.as_str(), b.variant_name.as_str()))
    });
    off
}

impl super::Delivery {
    /// Whether the variant is on the air now, from the snapshot delivery serves.
    pub fn on_air(&self, entry_id: &str, variant_id: &str) -> OnAir {
        let snapshot = self.snapshot();
        let brand = snapshot
            .brands
            .values()
            .find(|b| b.entries.values().any(|e| e.id == entry_id));
        match brand {
            Some(b) => on_air(
                b,
                entry_id,
                variant_id,
                crate::store::time::now(),
                b.brand.policy.min_quality,
            ),
            None => OnAir::NotPublished,
        }
    }

    /// The variants of `brand` on the air now that `minimum` quality would take off it; for
    /// those who may change the brand's policy.
    pub fn taken_off(
        &self,
        who: &crate::auth::Principal,
        brand: &str,
        minimum: f64,
    ) -> crate::error::AppResult<Vec<TakenOff>> {
        who.authorize(crate::auth::Action::ManageBrands, Some(brand))?;
        if !(0.0..=1.0).contains(&minimum) {
            return Err(crate::error::AppError::bad_input(
                "minQuality must be between 0 and 1",
            ));
        }
        let snapshot = self.snapshot();
        let b = snapshot
            .brands
            .get(brand)
            .ok_or_else(|| crate::error::AppError::not_found(format!("no brand `{brand}`")))?;
        Ok(taken_off(b, crate::store::time::now(), minimum))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_on_the_hundred_scale() {
        let below = OnAir::BelowMinimum {
            score: 0.7,
            minimum: 0.9,
        };
        assert_eq!(
            below.reason().unwrap(),
            "quality 70 is below the brand minimum 90"
        );
        assert_eq!(OnAir::Live.reason(), None);
        let shadowed = OnAir::Shadowed {
            by: "VIP early access".into(),
        };
        assert_eq!(
            shadowed.reason().unwrap(),
            "never served: covered by VIP early access"
        );
    }
}
