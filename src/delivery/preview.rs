//! `preview`: resolution explained to editors from the database's current state (drafts shown
//! as unpublished candidates), with the arm a person with a `userKey` would get when the entry
//! has a running experiment. Records nothing.
//!
//! Published variants are compiled exactly as the snapshot compiles them ([`LiveVariant`]);
//! the others are made candidates from their latest revision's [`Targeting`], through the same
//! constructor ([`Targeting::candidate`]).

use chrono::Utc;
use std::collections::HashMap;

use super::consent::{self, Visitor};
use super::experiments;
use super::snapshot::{LiveVariant, RuleCache, ServedIn};
use super::{Delivery, DeliveryContext, Preview, RequestHints};
use crate::auth::{Action, Principal};
use crate::domain::audience::AudienceRules;
use crate::domain::brand::Brand;
use crate::domain::experiment::serve::{choose, ChoiceReason};
use crate::domain::experiment::{Experiment, ExperimentStatus};
use crate::domain::resolution::{self, Candidate, Explanation, ResolveContext};
use crate::domain::targeting::{Standing, Targeting};
use crate::domain::variant::{PublishedVariant, Variant};
use crate::error::{AppError, AppResult};
use crate::store::{self, DbConnection};

/// What a preview reads from the database, in one transaction.
struct Stored {
    brand: Brand,
    variants: Vec<Variant>,
    published: Vec<PublishedVariant>,
    running: Option<Experiment>,
    audiences: AudienceRules,
}

impl Delivery {
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
        let stored = self
            .db
            .read(move |conn| load(conn, &brand_slug, &key_owned))
            .await?;
        let Stored {
            brand,
            variants,
            published,
            running,
            audiences,
        } = stored;
        let published = compile_published(&brand, key, published, &audiences);
        let shown = Shown::all(&variants, &published, &audiences);
        let candidates: Vec<Candidate<'_>> = shown
            .iter()
            .zip(&variants)
            .map(|(shown, v)| shown.candidate(v))
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
        let mut explanation = resolution::explain(&candidates, &resolve_ctx);
        if let Some(experiment) = running {
            let user_key = ctx.user_key.as_deref();
            with_experiment(
                &mut explanation,
                experiment,
                &candidates,
                &resolve_ctx,
                &audiences,
                user_key,
            );
        }
        Ok(Preview {
            consent,
            winner: explanation.winner,
            reason: explanation.reason,
            candidates: explanation.candidates,
            variants,
        })
    }
}

/// The brand, the entry's variants (latest and published), its running experiment, the
/// brand's audiences.
fn load(conn: &mut DbConnection, brand_slug: &str, key: &str) -> AppResult<Stored> {
    let brand = store::brands::require(conn, brand_slug)?;
    let entry = store::entries::by_key(conn, &brand.id, key)?
        .ok_or_else(|| AppError::not_found(format!("no entry `{key}` in brand `{brand_slug}`")))?;
    let variants = store::variants::of_entries(conn, std::slice::from_ref(&entry.id))?;
    let running = store::experiments::of_brand(
        conn,
        &brand.id,
        Some(&entry.id),
        Some(ExperimentStatus::Running),
    )?;
    let published = store::variants::published_of_entries(conn, &[entry.id])?;
    let audiences = store::audiences::rules_of_brand(conn, &brand.id)?;
    Ok(Stored {
        brand,
        variants,
        published,
        running: running.into_iter().next(),
        audiences,
    })
}

/// The published variants compiled as the snapshot compiles them, by id.
fn compile_published(
    brand: &Brand,
    key: &str,
    published: Vec<PublishedVariant>,
    audiences: &AudienceRules,
) -> HashMap<String, LiveVariant> {
    let mut rules = RuleCache::with_audiences(audiences.clone());
    let served_in = ServedIn {
        brand: &brand.slug,
        entry_key: key,
    };
    published
        .into_iter()
        .filter_map(|variant| LiveVariant::compile(variant, &mut rules, &[], served_in))
        .map(|live| (live.id.clone(), live))
        .collect()
}

/// How preview shows a variant: as published when it is, otherwise by its latest revision,
/// unpublished, so editors see why it is not served.
enum Shown<'a> {
    Published(&'a LiveVariant),
    Latest(Targeting),
}

impl<'a> Shown<'a> {
    /// How each variant is shown. A latest revision's rule that no longer compiles (saving
    /// prevents it) is logged and read as targeting everyone: the variant is unpublished and
    /// never wins, so only its report is affected.
    fn all(
        variants: &[Variant],
        published: &'a HashMap<String, LiveVariant>,
        audiences: &AudienceRules,
    ) -> Vec<Shown<'a>> {
        let latest = |v: &Variant| {
            let content = &v.latest.content;
            content.targeting().compile(audiences).unwrap_or_else(|e| {
                tracing::warn!(variant = %v.record.id, error = %e, "saved rule does not compile; previewed as targeting everyone");
                content.targeting().with_rule(None)
            })
        };
        variants
            .iter()
            .map(|v| match published.get(&v.record.id) {
                Some(live) => Shown::Published(live),
                None => Shown::Latest(latest(v)),
            })
            .collect()
    }

    fn candidate<'s>(&'s self, variant: &'s Variant) -> Candidate<'s> {
        match self {
            Shown::Published(live) => live.candidate(),
            Shown::Latest(targeting) => {
                let standing = Standing {
                    published: false,
                    ..variant.standing()
                };
                let name = &variant.latest.content.name;
                targeting.candidate(&variant.record.id, name, standing)
            }
        }
    }
}

/// Replaces the winner and reason with what the running experiment serves `user_key`, when
/// its stored audience compiles.
fn with_experiment(
    explanation: &mut Explanation,
    experiment: Experiment,
    candidates: &[Candidate<'_>],
    context: &ResolveContext<'_>,
    audiences: &AudienceRules,
    user_key: Option<&str>,
) {
    let ids: Vec<&str> = candidates.iter().map(|c| c.id).collect();
    let Some(live) = experiments::preview_experiment(experiment, &ids, audiences) else {
        return;
    };
    let choice = choose(candidates, context, Some(&live), user_key, rand::random());
    explanation.winner = choice.winner.map(|w| w.index);
    explanation.reason = ChoiceReason {
        choice: &choice,
        experiment: Some(&live),
        candidates,
        context,
    }
    .to_string();
}
