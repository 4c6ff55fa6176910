//! Delivery: the hot read path. `content`/`contents` resolve against an in-memory snapshot of
//! what is published and never touch the database; `preview` explains resolution to editors
//! from the database's current state.

pub mod bandit;
pub mod consent;
mod delivered;
pub mod delivered_assets;
pub mod detect;
pub mod experiments;
mod latest;
pub mod on_air;
mod preview;
pub mod references;
pub mod search;
pub mod served;
pub mod snapshot;
pub mod usage;

use arc_swap::ArcSwap;
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{Map, Value};
use std::sync::Arc;

pub use self::delivered::{DeliveredContent, DeliveredVariant};
pub use self::delivered_assets::DeliveredAsset;

use self::consent::Visitor;
use self::delivered_assets::{asset_fields, referenced_assets};
use self::experiments::{BanditShares, EntryExperiment};
use self::references::Follow;
use self::served::ServedIdSigner;
use self::snapshot::{BrandSnapshot, LiveVariant, Snapshot};
use crate::auth::{Action, Principal};
use crate::domain::brand::Brand;
use crate::domain::consent::{Consent, ConsentRequest};
use crate::domain::device::Device;
use crate::domain::experiment::serve::{choose, ChoiceReason};
use crate::domain::resolution::{self, Candidate, ResolveContext};
use crate::domain::variant::Variant;
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

/// The answer for one key.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub key: String,
    /// The variant served, shared with the snapshot (see `delivered`).
    pub variant: Option<DeliveredVariant>,
    pub served_id: Option<String>,
    pub reason: String,
    /// The entries the variant references, followed as deep as asked (see `references`).
    pub references: Vec<references::ResolvedReference>,
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
    /// BANDIT experiments' current Thompson shares, refreshed from the results.
    bandit: Arc<BanditShares>,
    /// What preview keys resolve against (see `latest`).
    latest: latest::LatestSnapshots,
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
            bandit: Arc::new(BanditShares::default()),
            latest: Default::default(),
        }
    }

    /// The current Thompson shares of a running BANDIT experiment, if this node has them.
    pub fn bandit_shares(&self, experiment_id: &str) -> Option<Vec<f64>> {
        self.bandit.get(experiment_id)
    }

    pub fn signer(&self) -> &ServedIdSigner {
        &self.signer
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// The current snapshot for a short read, without taking a reference count.
    pub fn snapshot_guard(&self) -> arc_swap::Guard<Arc<Snapshot>> {
        self.snapshot.load()
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
        self.forget_latest();
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
        let (entries, published, content_types, assets, running, audiences) = self
            .db
            .read(move |conn| {
                let running = store::experiments::running_of_brand(conn, &brand_id)?;
                let entries = store::entries::of_brands(conn, std::slice::from_ref(&brand_id))?;
                let published = store::variants::published_of_brand(conn, &brand_id)?;
                let content_types = store::content_types::of_brand(conn, &brand_id)?;
                let referenced =
                    referenced_assets(&entries, &published, &asset_fields(&content_types));
                let assets = store::assets::of_brand_by_ids(conn, &brand_id, &referenced)?;
                let audiences = store::audiences::rules_of_brand(conn, &brand_id)?;
                Ok((
                    entries,
                    published,
                    content_types,
                    assets,
                    running,
                    audiences,
                ))
            })
            .await?;
        let references = references::index(&content_types, &entries, &published);
        let entry_types = entries
            .iter()
            .map(|e| (e.key.clone(), e.content_type_id.clone()))
            .collect();
        let experiment_audiences = audiences.clone();
        let mut built = BrandSnapshot::compile(
            brand,
            entries,
            published,
            &asset_fields(&content_types),
            assets,
            audiences,
        );
        built.references = references;
        built.entry_types = entry_types;
        built.content_types = content_types.into();
        experiments::attach(&mut built, running, &self.bandit, &experiment_audiences);
        Ok(built)
    }

    /// Resolves each key for the visitor; answers to delivery keys carry a `servedId`.
    pub async fn content(
        &self,
        who: &Principal,
        brand: &str,
        keys: &[String],
        ctx: DeliveryContext,
        hints: &RequestHints,
        follow: Follow<'_>,
    ) -> AppResult<Vec<Resolved>> {
        who.authorize(Action::Deliver, Some(brand))?;
        follow.check()?;
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
            return self
                .content_of_latest(brand, keys, ctx, hints, follow)
                .await;
        }
        // A `servedId` always names a recorded impression: none without recording.
        let recorder = self
            .usage
            .as_deref()
            .filter(|_| matches!(who, Principal::DeliveryKey(_)));
        let (answers, impressions) =
            self.content_of_published(brand, keys, &ctx, hints, follow, recorder)?;
        if let Some(recorder) = recorder.filter(|_| !impressions.is_empty()) {
            recorder.record(impressions).await?;
        }
        Ok(answers)
    }

    /// Resolves `keys` against the published snapshot and, when `recorder` is given, signs the
    /// answers and makes their impressions. Not async: the snapshot guard is never held across
    /// an await.
    fn content_of_published(
        &self,
        brand: &str,
        keys: &[String],
        ctx: &DeliveryContext,
        hints: &RequestHints,
        follow: Follow<'_>,
        recorder: Option<&usage::UsageRecorder>,
    ) -> AppResult<(Vec<Resolved>, Vec<crate::usage::UsageEvent>)> {
        let snapshot = self.snapshot.load();
        let bs = snapshot
            .brands
            .get(brand)
            .ok_or_else(|| AppError::not_found(format!("brand `{brand}` does not exist")))?;
        let consent = consent::decide(ctx, &bs.brand);
        let visitor = Visitor::of(ctx, hints, &bs.brand, consent);
        let resolve_ctx = ResolveContext {
            attributes: &visitor.attributes,
            device: visitor.device,
            locale: visitor.locale.as_deref(),
            default_locale: &bs.brand.default_locale,
            at: Utc::now(),
            min_quality: bs.brand.policy.min_quality,
            personalized: visitor.personalized,
        };
        let (sign, user_key) = (recorder.is_some(), ctx.user_key.as_deref());
        let mut served = Vec::new();
        let answers: Vec<Resolved> = keys
            .iter()
            .map(|key| {
                let depth = follow.depth;
                self.resolve_tree(bs, key, &resolve_ctx, user_key, sign, depth, &mut served)
            })
            .collect();
        // Refused whole, before anything is recorded, when references overdraw the request.
        if let Some(budget) = follow.budget {
            budget.take(references::count(&answers))?;
        }
        let allowed = &bs.brand.policy.usage_attributes;
        let impressions = match recorder {
            Some(recorder) => served
                .into_iter()
                .map(|s| recorder.impression(s, ctx, allowed, consent))
                .collect(),
            None => Vec::new(),
        };
        Ok((answers, impressions))
    }

    /// The answer for one key and, when it carries a `servedId`, what its impression records.
    fn resolve_key(
        &self,
        bs: &BrandSnapshot,
        key: &str,
        ctx: &ResolveContext<'_>,
        user_key: Option<&str>,
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
                    references: Vec::new(),
                },
                None,
            );
        };
        let candidates: Vec<Candidate<'_>> =
            entry.variants.iter().map(LiveVariant::candidate).collect();
        let experiment = entry.experiment.as_deref();
        let live = experiment.map(|e| &e.live);
        let draw = if live.is_some() { rand::random() } else { 0.0 };
        let choice = choose(&candidates, ctx, live, user_key, draw);
        let reason = ChoiceReason {
            choice: &choice,
            experiment: live,
            candidates: &candidates,
            context: ctx,
        }
        .to_string();
        let Some(winner) = choice.winner else {
            return (
                Resolved {
                    key: key.to_string(),
                    variant: None,
                    served_id: None,
                    reason,
                    references: Vec::new(),
                },
                None,
            );
        };
        let live = &entry.variants[winner.index];
        let served = sign.then(|| usage::Served {
            id: crate::ids::new_sortable_id("imp"),
            variant: served_variant(experiment, choice.arm(), winner.index, live),
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
            variant: Some(DeliveredVariant::new(live.delivered.clone(), ctx.device)),
            served_id,
            reason,
            references: Vec::new(),
        };
        (answer, served)
    }
}

/// What an impression of `live` records: with the experiment and arm when the answer is enrolled.
fn served_variant(
    experiment: Option<&EntryExperiment>,
    arm: Option<usize>,
    index: usize,
    live: &LiveVariant,
) -> Arc<crate::usage::ServedVariant> {
    experiment
        .zip(arm)
        .and_then(|(e, arm)| e.served.get(arm)?.get(index).cloned())
        .unwrap_or_else(|| live.served.clone())
}
