//! What preview keys see: each variant's latest revision (drafts included) resolved exactly as
//! it would be if it were published, in `content`, `contents`, `searchContent`, references and
//! typed delivery, recording nothing and signing no `servedId`.
//!
//! A preview key shows a draft on the real front-end before it is published. Its answers come
//! from a brand's *latest* snapshot: the brand's entries with every variant (archived ones aside)
//! at its latest revision, compiled by the same [`BrandSnapshot::compile`] as the published one,
//! with its references, and held in a small LRU of brands. A brand's latest snapshot is built on
//! the first preview request after a change and forgotten by the change feed on every change of a
//! brand or a variant (a draft saved records a variant change only), so no preview request reads
//! the database once the snapshot is built, and the published snapshot and the hot path stay as
//! they are.

use chrono::Utc;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::consent::{self, Visitor};
use super::delivered_assets::{asset_fields, referenced_assets};
use super::references::{self, Follow};
use super::snapshot::BrandSnapshot;
use super::{Delivery, DeliveryContext, RequestHints, Resolved};
use crate::domain::brand::Brand;
use crate::domain::resolution::ResolveContext;
use crate::domain::variant::{PublishedVariant, Variant, VariantStatus};
use crate::error::AppResult;
use crate::store::{self, DbConnection};

/// How many brands' latest snapshots a node keeps (preview traffic is editors', on few brands).
const BRANDS_KEPT: usize = 16;

/// Brands' latest snapshots by slug, and a generation that every forgetting advances, so a
/// snapshot built from the database before a change is never kept after it.
pub struct LatestSnapshots {
    built: Mutex<lru::LruCache<String, Arc<BrandSnapshot>>>,
    generation: AtomicU64,
}

impl Default for LatestSnapshots {
    fn default() -> Self {
        let capacity = NonZeroUsize::new(BRANDS_KEPT).expect("not zero");
        LatestSnapshots {
            built: Mutex::new(lru::LruCache::new(capacity)),
            generation: AtomicU64::new(0),
        }
    }
}

impl LatestSnapshots {
    fn lock(&self) -> std::sync::MutexGuard<'_, lru::LruCache<String, Arc<BrandSnapshot>>> {
        self.built.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets every brand's latest snapshot (the next preview request builds it again).
    pub fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.lock().clear();
    }
}

impl Delivery {
    /// Forgets the latest snapshots: the change feed calls this for every change to a brand or
    /// a variant, before the mutation answers.
    pub fn forget_latest(&self) {
        self.latest.forget_all();
    }

    /// The brand's latest snapshot, built from the database when this node holds none.
    pub(super) async fn latest_snapshot(&self, slug: &str) -> AppResult<Arc<BrandSnapshot>> {
        if let Some(held) = self.latest.lock().get(slug) {
            return Ok(held.clone());
        }
        let generation = self.latest.generation.load(Ordering::SeqCst);
        let owned = slug.to_string();
        let built = Arc::new(self.db.read(move |conn| build_latest(conn, &owned)).await?);
        let mut held = self.latest.lock();
        if self.latest.generation.load(Ordering::SeqCst) == generation {
            held.put(slug.to_string(), built.clone());
        }
        Ok(built)
    }

    /// Resolves `keys` against the latest revisions, for a preview key (authorized already),
    /// with their references as deep as `follow` says; nothing is recorded or signed.
    pub(super) async fn content_of_latest(
        &self,
        brand: &str,
        keys: &[String],
        ctx: DeliveryContext,
        hints: &RequestHints,
        follow: Follow<'_>,
    ) -> AppResult<Vec<Resolved>> {
        let bs = self.latest_snapshot(brand).await?;
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
        let mut served = Vec::new();
        let answers: Vec<Resolved> = keys
            .iter()
            .map(|key| {
                self.resolve_tree(
                    &bs,
                    key,
                    &resolve_ctx,
                    None,
                    false,
                    follow.depth,
                    &mut served,
                )
            })
            .collect();
        debug_assert!(served.is_empty(), "unsigned answers record nothing");
        if let Some(budget) = follow.budget {
            budget.take(references::count(&answers))?;
        }
        Ok(answers)
    }
}

/// A brand's snapshot with each variant (but archived ones) at its latest revision as if that
/// were published, with the references those revisions make.
fn build_latest(conn: &mut DbConnection, slug: &str) -> AppResult<BrandSnapshot> {
    let brand: Brand = store::brands::require(conn, slug)?;
    let entries = store::entries::of_brands(conn, std::slice::from_ref(&brand.id))?;
    let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    let latest: Vec<PublishedVariant> = store::variants::of_entries(conn, &ids)?
        .into_iter()
        .filter(|v| v.record.status != VariantStatus::Archived)
        .map(as_if_published)
        .collect();
    let content_types = store::content_types::of_brand(conn, &brand.id)?;
    let asset_fields = asset_fields(&content_types);
    let referenced = referenced_assets(&entries, &latest, &asset_fields);
    let assets = store::assets::of_brand_by_ids(conn, &brand.id, &referenced)?;
    let audiences = store::audiences::rules_of_brand(conn, &brand.id)?;
    let references = references::index(&content_types, &entries, &latest);
    let entry_types = entries
        .iter()
        .map(|e| (e.key.clone(), e.content_type_id.clone()))
        .collect();
    let mut built =
        BrandSnapshot::compile(brand, entries, latest, &asset_fields, assets, audiences);
    built.references = references;
    built.entry_types = entry_types;
    built.content_types = content_types.into();
    Ok(built)
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
        targeting: c.targeting().to_text(),
        name: c.name,
        fields: c.fields,
        tags: c.tags,
        quality: latest.quality.score,
    }
}
