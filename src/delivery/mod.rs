//! Delivery: the hot read path. `content`/`contents` resolve against an in-memory snapshot of
//! what is published and never touch the database; `preview` explains resolution to editors
//! from the database's current state.

pub mod consent;
pub mod detect;
mod latest;
pub mod search;
pub mod served;
pub mod snapshot;
pub mod usage;

use arc_swap::ArcSwap;
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

use self::consent::Visitor;
use self::served::ServedIdSigner;
use self::snapshot::{AssetFields, BrandSnapshot, LiveVariant, RuleCache, ServedIn, Snapshot};
use crate::auth::{Action, Principal};
use crate::domain::brand::Brand;
use crate::domain::consent::{Consent, ConsentRequest};
use crate::domain::content_type::FieldKind;
use crate::domain::device::Device;
use crate::domain::entry::Entry;
use crate::domain::resolution::{self, Candidate, ResolveContext};
use crate::domain::rule::Rule;
use crate::domain::variant::PublishedVariant;
use crate::domain::variant::{Variant, VariantStatus};
use crate::error::{AppError, AppResult};
use crate::store::{self, Db};

/// The most keys one `contents` call may ask for.
pub const MAX_KEYS: usize = 100;

/// What the request's headers say about the visitor.
#[derive(Debug, Clone, Default)]
pub struct RequestHints {
    pub user_agent: Option<String>,
    pub ch_ua_mobile: Option<String>,
    pub accept_language: Option<String>,
    pub client_address: Option<String>,
}

/// The visitor's context, as the API received it.
#[derive(Debug, Clone, Default)]
pub struct DeliveryContext {
    pub attributes: Map<String, Value>,
    pub device: Option<Device>,
    pub locale: Option<String>,
    pub user_key: Option<String>,
    pub at: Option<DateTime<Utc>>,
    /// What the request says about consent; the brand's policy decides what it leaves out.
    pub consent: ConsentRequest,
}

/// An image of a delivered variant, sized for the visitor's device.
#[derive(Debug, Clone)]
pub struct DeliveredAsset {
    pub field: String,
    pub id: String,
    pub alt: Option<String>,
    pub width: u32,
    pub height: u32,
    pub url: String,
    pub srcset: String,
    pub dominant_color: String,
    pub placeholder: String,
}

#[derive(Debug, Clone)]
pub struct DeliveredVariant {
    pub id: String,
    pub name: String,
    pub fields: Value,
    pub tags: Vec<String>,
    pub revision: String,
    pub assets: Vec<DeliveredAsset>,
}

#[derive(Debug, Clone)]
pub struct Resolved {
    pub key: String,
    pub variant: Option<DeliveredVariant>,
    pub served_id: Option<String>,
    pub reason: String,
}

/// `preview`'s answer: the entry's variants as editors see them, and resolution explained.
#[derive(Debug, Clone)]
pub struct Preview {
    pub variants: Vec<Variant>,
    pub winner: Option<usize>,
    pub reason: String,
    pub candidates: Vec<resolution::CandidateReport>,
    /// The consent the preview was resolved under (the context's, the brand's default for
    /// what it left out).
    pub consent: Consent,
}

pub struct Delivery {
    db: Db,
    snapshot: ArcSwap<Snapshot>,
    rebuild_lock: tokio::sync::Mutex<()>,
    signer: ServedIdSigner,
    usage: Option<Arc<usage::UsageRecorder>>,
    search: Option<Arc<crate::search::ContentIndex>>,
}

impl Delivery {
    pub fn new(db: Db, served_key: &[u8]) -> Self {
        Delivery {
            db,
            snapshot: ArcSwap::from_pointee(Snapshot::default()),
            rebuild_lock: tokio::sync::Mutex::new(()),
            signer: ServedIdSigner::new(served_key),
            usage: None,
            search: None,
        }
    }

    pub fn signer(&self) -> &ServedIdSigner {
        &self.signer
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// Rebuilds every brand's snapshot from the database.
    pub async fn rebuild_all(&self) -> AppResult<()> {
        let _guard = self.rebuild_lock.lock().await;
        let brands = self.db.read(store::brands::all).await?;
        let mut next = Snapshot::default();
        for brand in brands {
            let built = self.build_brand(brand).await?;
            next.brands
                .insert(built.brand.slug.clone(), Arc::new(built));
        }
        self.snapshot.store(Arc::new(next));
        Ok(())
    }

    /// Rebuilds one brand's snapshot and swaps it in.
    pub async fn rebuild_brand(&self, brand_id: &str) -> AppResult<()> {
        let _guard = self.rebuild_lock.lock().await;
        let id = brand_id.to_string();
        let brand = self
            .db
            .read(move |conn| store::brands::by_id(conn, &id))
            .await?;
        let built = self.build_brand(brand).await?;
        let mut next = (**self.snapshot.load()).clone();
        next.brands
            .insert(built.brand.slug.clone(), Arc::new(built));
        self.snapshot.store(Arc::new(next));
        Ok(())
    }

    async fn build_brand(&self, brand: Brand) -> AppResult<BrandSnapshot> {
        let brand_id = brand.id.clone();
        let (entries, published, asset_fields, assets, audiences) = self
            .db
            .read(move |conn| {
                let entries = store::entries::of_brands(conn, std::slice::from_ref(&brand_id))?;
                let published = store::variants::published_of_brand(conn, &brand_id)?;
                let asset_fields = asset_fields_of_brand(conn, &brand_id)?;
                let referenced = referenced_assets(&entries, &published, &asset_fields);
                let assets = store::assets::of_brand_by_ids(conn, &brand_id, &referenced)?;
                let audiences = store::audiences::rules_of_brand(conn, &brand_id)?;
                Ok((entries, published, asset_fields, assets, audiences))
            })
            .await?;
        Ok(BrandSnapshot::compile(
            brand,
            entries,
            published,
            &asset_fields,
            assets,
            audiences,
        ))
    }

    /// Resolves each key for the visitor; answers to delivery keys carry a `servedId`.
    pub async fn content(
        &self,
        who: &Principal,
        brand: &str,
        keys: &[String],
        ctx: DeliveryContext,
        hints: &RequestHints,
    ) -> AppResult<Vec<Resolved>> {
        who.authorize(Action::Deliver, Some(brand))?;
        if keys.len() > MAX_KEYS {
            return Err(AppError::bad_input(format!(
                "at most {MAX_KEYS} keys per request"
            )));
        }
        if ctx.at.is_some() {
            return Err(AppError::bad_input(
                "`at` is for preview only; delivery uses the server clock",
            ));
        }
        if matches!(who, Principal::DeliveryKey(key) if key.preview) {
            return self.content_of_latest(brand, keys, ctx, hints).await;
        }
        // Resolve in a block: the snapshot guard must not be held across the await below.
        let (answers, impressions) = {
            let snapshot = self.snapshot.load();
            let brand_snapshot = snapshot
                .brands
                .get(brand)
                .ok_or_else(|| AppError::not_found(format!("brand `{brand}` does not exist")))?;
            let consent = consent::decide(&ctx, &brand_snapshot.brand);
            let visitor = Visitor::of(&ctx, hints, &brand_snapshot.brand, consent);
            let resolve_ctx = ResolveContext {
                attributes: &visitor.attributes,
                device: visitor.device,
                locale: visitor.locale.as_deref(),
                default_locale: &brand_snapshot.brand.default_locale,
                at: Utc::now(),
                min_quality: brand_snapshot.brand.policy.min_quality,
                personalized: visitor.personalized,
            };
            // A `servedId` always names a recorded impression: none without recording.
            let recorder = self
                .usage
                .as_deref()
                .filter(|_| matches!(who, Principal::DeliveryKey(_)));
            let sign = recorder.is_some();
            let allowed = &brand_snapshot.brand.policy.usage_attributes;
            let mut answers = Vec::with_capacity(keys.len());
            let mut impressions = Vec::new();
            for key in keys {
                let (answer, served) = self.resolve_key(brand_snapshot, key, &resolve_ctx, sign);
                if let (Some(served), Some(recorder)) = (served, recorder) {
                    impressions.push(recorder.impression(served, &ctx, allowed, consent));
                }
                answers.push(answer);
            }
            (answers, impressions)
        };
        if let Some(recorder) = self.usage.as_ref().filter(|_| !impressions.is_empty()) {
            recorder.record(impressions).await?;
        }
        Ok(answers)
    }

    /// The answer for one key and, when it carries a `servedId`, what its impression records.
    fn resolve_key(
        &self,
        bs: &BrandSnapshot,
        key: &str,
        ctx: &ResolveContext<'_>,
        sign: bool,
    ) -> (Resolved, Option<usage::Served>) {
        let Some(entry) = bs.entries.get(key) else {
            let reason = format!("no entry `{key}` in brand `{}`", bs.brand.slug);
            return (
                Resolved {
                    key: key.to_string(),
                    variant: None,
                    served_id: None,
                    reason,
                },
                None,
            );
        };
        let candidates: Vec<Candidate<'_>> =
            entry.variants.iter().map(LiveVariant::candidate).collect();
        let Some(winner) = resolution::resolve(&candidates, ctx) else {
            let reason = resolution::no_variant_reason(&candidates, ctx);
            return (
                Resolved {
                    key: key.to_string(),
                    variant: None,
                    served_id: None,
                    reason,
                },
                None,
            );
        };
        let live = &entry.variants[winner.index];
        let reason = winner.reason(&candidates, ctx).to_string();
        let served = sign.then(|| usage::Served {
            id: crate::ids::new_sortable_id("imp"),
            variant: live.served.clone(),
            device: ctx.device,
            locale: winner.tier.locale(ctx).to_string(),
            // Stored to the millisecond, as the time inside the `servedId`.
            at: ctx.at.trunc_subsecs(3),
        });
        let served_id = served
            .as_ref()
            .map(|s| self.signer.sign(&s.id, &s.variant.brand));
        let answer = Resolved {
            key: key.to_string(),
            variant: Some(DeliveredVariant {
                id: live.id.clone(),
                name: live.name.clone(),
                fields: live.fields.clone(),
                tags: live.tags.clone(),
                revision: live.revision.clone(),
                assets: delivered_assets(bs, live, ctx.device),
            }),
            served_id,
            reason,
        };
        (answer, served)
    }

    /// Explains, for editors, which variant the context gets and why every other one does not.
    pub async fn preview(
        &self,
        who: &Principal,
        brand: &str,
        key: &str,
        ctx: DeliveryContext,
        hints: &RequestHints,
    ) -> AppResult<Preview> {
        if matches!(who, Principal::DeliveryKey(_)) {
            return Err(AppError::forbidden("delivery keys cannot preview"));
        }
        who.authorize(Action::Preview, Some(brand))?;
        let (brand_slug, key_owned) = (brand.to_string(), key.to_string());
        let (brand, variants, published, audiences) = self
            .db
            .read(move |conn| {
                let brand = store::brands::require(conn, &brand_slug)?;
                let entry =
                    store::entries::by_key(conn, &brand.id, &key_owned)?.ok_or_else(|| {
                        AppError::not_found(format!(
                            "no entry `{key_owned}` in brand `{brand_slug}`"
                        ))
                    })?;
                let variants = store::variants::of_entries(conn, std::slice::from_ref(&entry.id))?;
                let published = store::variants::published_of_entries(conn, &[entry.id])?;
                let audiences = store::audiences::rules_of_brand(conn, &brand.id)?;
                Ok((brand, variants, published, audiences))
            })
            .await?;
        let mut rules = RuleCache::with_audiences(audiences.clone());
        let published: HashMap<String, LiveVariant> = published
            .into_iter()
            .filter_map(|variant| {
                let served_in = ServedIn {
                    brand: &brand.slug,
                    entry_key: key,
                };
                LiveVariant::compile(variant, &mut rules, &[], served_in).map(|l| (l.id.clone(), l))
            })
            .collect();
        // Variants without a published revision are shown with their latest content, marked
        // unpublished, so editors see why they are not served.
        let drafts: Vec<Option<Rule>> = variants
            .iter()
            .map(|v| {
                v.latest
                    .content
                    .rule
                    .as_ref()
                    .and_then(|r| Rule::parse_with(r, &audiences).ok().flatten())
            })
            .collect();
        let candidates: Vec<Candidate<'_>> = variants
            .iter()
            .zip(&drafts)
            .map(|(v, draft_rule)| match published.get(&v.record.id) {
                Some(live) => live.candidate(),
                None => Candidate {
                    id: &v.record.id,
                    name: &v.latest.content.name,
                    priority: v.latest.content.priority,
                    rule: draft_rule.as_ref(),
                    devices: &v.latest.content.devices,
                    locale: v.latest.content.locale.as_deref(),
                    starts_at: v.latest.content.starts_at,
                    ends_at: v.latest.content.ends_at,
                    quality: v.latest.quality.score,
                    created_at: v.record.created_at,
                    published: false,
                    archived: v.record.status == VariantStatus::Archived,
                },
            })
            .collect();
        let consent = consent::decide(&ctx, &brand);
        let visitor = Visitor::of(&ctx, hints, &brand, consent);
        let resolve_ctx = ResolveContext {
            attributes: &visitor.attributes,
            device: visitor.device,
            locale: visitor.locale.as_deref(),
            default_locale: &brand.default_locale,
            at: ctx.at.unwrap_or_else(Utc::now),
            min_quality: brand.policy.min_quality,
            personalized: visitor.personalized,
        };
        let explanation = resolution::explain(&candidates, &resolve_ctx);
        Ok(Preview {
            consent,
            winner: explanation.winner,
            reason: explanation.reason,
            candidates: explanation.candidates,
            variants,
        })
    }
}

/// The names of each of a brand's content types' ASSET fields.
fn asset_fields_of_brand(conn: &mut store::DbConnection, brand_id: &str) -> AppResult<AssetFields> {
    Ok(store::content_types::of_brand(conn, brand_id)?
        .into_iter()
        .map(|ct| {
            let names = ct
                .fields
                .iter()
                .filter(|f| f.kind == FieldKind::Asset)
                .map(|f| f.name.clone())
                .collect();
            (ct.id, names)
        })
        .collect())
}

/// The images of a variant's ASSET fields, sized for the device.
fn delivered_assets(
    bs: &BrandSnapshot,
    live: &LiveVariant,
    device: Option<Device>,
) -> Vec<DeliveredAsset> {
    live.assets
        .iter()
        .filter_map(|(field, id)| {
            let asset = bs.assets.get(id)?;
            let image = crate::assets::urls::delivered_image(asset, device);
            Some(DeliveredAsset {
                field: field.clone(),
                id: id.clone(),
                alt: asset.alt.clone(),
                width: image.width,
                height: image.height,
                url: image.url,
                srcset: image.srcset,
                dominant_color: asset.dominant_color.clone(),
                placeholder: asset.placeholder.clone(),
            })
        })
        .collect()
}

/// The ids of the assets that published variants' ASSET fields name.
fn referenced_assets(
    entries: &[Entry],
    published: &[PublishedVariant],
    asset_fields: &AssetFields,
) -> Vec<String> {
    let types: HashMap<&str, &str> = entries
        .iter()
        .map(|e| (e.id.as_str(), e.content_type_id.as_str()))
        .collect();
    let mut ids: Vec<String> = published
        .iter()
        .filter_map(|variant| {
            let names = asset_fields.get(*types.get(variant.entry_id.as_str())?)?;
            Some(
                names
                    .iter()
                    .filter_map(|n| variant.fields.get(n)?.as_str().map(str::to_string))
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
        .collect();
    ids.sort();
    ids.dedup();
    ids
}
