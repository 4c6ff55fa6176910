//! What preview keys see: each variant's latest revision (drafts included) resolved exactly as
//! it would be if it were published, recording nothing and signing no `servedId`.
//!
//! A preview key shows a draft on the real front-end before it is published. Its answers are
//! built from the database per request (a small snapshot of just the asked-for entries, compiled
//! by the same [`BrandSnapshot::compile`] as the published one), so the published snapshot and
//! the hot path stay as they are; preview traffic is an editor's, not the audience's.

use chrono::Utc;

use super::consent::{self, Visitor};
use super::delivered_assets::{asset_fields, referenced_assets};
use super::snapshot::BrandSnapshot;
use super::{Delivery, DeliveryContext, RequestHints, Resolved};
use crate::domain::resolution::ResolveContext;
use crate::domain::variant::{PublishedVariant, Variant, VariantStatus};
use crate::error::AppResult;
use crate::store::{self, DbConnection};

impl Delivery {
    /// Resolves `keys` against the latest revisions, for a preview key (authorized already).
    pub(super) async fn content_of_latest(
        &self,
        brand: &str,
        keys: &[String],
        ctx: DeliveryContext,
        hints: &RequestHints,
    ) -> AppResult<Vec<Resolved>> {
        let (slug, asked) = (brand.to_string(), keys.to_vec());
        let bs = self
            .db
            .read(move |conn| latest_snapshot(conn, &slug, &asked))
            .await?;
        let consent = consent::decide(&ctx, &bs.brand);
        let visitor = Visitor::of(&ctx, hints, &bs.brand, consent);
        let resolve_ctx = ResolveContext {
            attributes: &visitor.attributes,
            device: visitor.device,
            locale: visitor.locale.as_deref(),
            default_locale: &bs.brand.default_locale,
            at: Utc::now(),
            min_quality: bs.brand.policy.min_quality,
            personalized: visitor.personalized,
        };
        Ok(keys
            .iter()
            .map(|key| self.resolve_key(&bs, key, &resolve_ctx, None, false).0)
            .collect())
    }
}

/// A snapshot of the entries `keys` name, each variant (but archived ones) at its latest
/// revision as if that were published.
fn latest_snapshot(
    conn: &mut DbConnection,
    slug: &str,
    keys: &[String],
) -> AppResult<BrandSnapshot> {
    let brand = store::brands::require(conn, slug)?;
    let mut entries = Vec::with_capacity(keys.len());
    for key in keys {
        entries.extend(store::entries::by_key(conn, &brand.id, key)?);
    }
    let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    let latest: Vec<PublishedVariant> = store::variants::of_entries(conn, &ids)?
        .into_iter()
        .filter(|v| v.record.status != VariantStatus::Archived)
        .map(as_if_published)
        .collect();
    let asset_fields = asset_fields(&store::content_types::of_brand(conn, &brand.id)?);
    let referenced = referenced_assets(&entries, &latest, &asset_fields);
    let assets = store::assets::of_brand_by_ids(conn, &brand.id, &referenced)?;
    let audiences = store::audiences::rules_of_brand(conn, &brand.id)?;
    Ok(BrandSnapshot::compile(
        brand,
        entries,
        latest,
        &asset_fields,
        assets,
        audiences,
    ))
}

/// A variant's latest revision in the shape delivery serves published ones in.
fn as_if_published(variant: Variant) -> PublishedVariant {
    let Variant { record, latest } = variant;
    let c = latest.content;
    PublishedVariant {
        id: record.id,
        entry_id: record.entry_id,
        created_at: record.created_at,
        revision: latest.hash,
        name: c.name,
        fields: c.fields,
        tags: c.tags,
        rule: c.rule.map(|r| r.to_string()),
        devices: c.devices,
        locale: c.locale,
        priority: c.priority,
        starts_at: c.starts_at,
        ends_at: c.ends_at,
        quality: latest.quality.score,
    }
}
