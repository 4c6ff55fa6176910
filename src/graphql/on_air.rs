//! Whether a variant is on the air (`Variant.onAir`) and what a new minimum quality would take
//! off it (`policyImpact`), both read from delivery's snapshot (see `delivery::on_air`).

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use std::sync::Arc;

use super::types::principal;
use crate::delivery::on_air::{OnAir, TakenOff};
use crate::delivery::Delivery;

/// Whether some audience gets the variant now and, when none does, why not in words.
#[derive(SimpleObject)]
pub struct OnAirStatus {
    pub live: bool,
    /// For example "quality 70 is below the brand minimum 90"; null when live.
    pub reason: Option<String>,
}

impl From<OnAir> for OnAirStatus {
    fn from(o: OnAir) -> Self {
        OnAirStatus {
            live: o.is_live(),
            reason: o.reason(),
        }
    }
}

/// A variant on the air now that a policy change would take off it.
#[derive(SimpleObject)]
pub struct TakenOffVariant {
    pub entry_key: String,
    pub variant_id: ID,
    pub variant_name: String,
    /// Its published quality score, 0–1.
    pub score: f64,
}

impl From<TakenOff> for TakenOffVariant {
    fn from(t: TakenOff) -> Self {
        TakenOffVariant {
            entry_key: t.entry_key,
            variant_id: ID(t.variant_id),
            variant_name: t.variant_name,
            score: t.score,
        }
    }
}

/// The on-air status of a variant, for `Variant.onAir`.
pub fn status(ctx: &Context<'_>, entry_id: &str, variant_id: &str) -> OnAirStatus {
    ctx.data_unchecked::<Arc<Delivery>>()
        .on_air(entry_id, variant_id)
        .into()
}

#[derive(Default)]
pub struct OnAirQuery;

#[Object]
impl OnAirQuery {
    /// The variants of `brand` on the air now that `minQuality` (0–1) would take off it, before
    /// the policy is saved. Admins only.
    async fn policy_impact(
        &self,
        ctx: &Context<'_>,
        brand: String,
        min_quality: f64,
    ) -> Result<Vec<TakenOffVariant>> {
        let off =
            ctx.data_unchecked::<Arc<Delivery>>()
                .taken_off(principal(ctx), &brand, min_quality)?;
        Ok(off.into_iter().map(Into::into).collect())
    }
}
