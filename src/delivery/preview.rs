//! `preview`: resolution explained to editors from the database's current state (drafts shown
//! as unpublished candidates), with the arm a person with a `userKey` would get when the entry
//! has a running experiment. Records nothing.

use chrono::Utc;
use std::collections::HashMap;

use super::consent::{self, Visitor};
use super::experiments;
use super::snapshot::{LiveVariant, RuleCache, ServedIn};
use super::{Delivery, DeliveryContext, Preview, RequestHints};
use crate::auth::{Action, Principal};
use crate::domain::experiment::serve::{choose, ChoiceReason};
use crate::domain::resolution::{self, Candidate, ResolveContext};
use crate::domain::rule::Rule;
use crate::domain::variant::VariantStatus;
use crate::error::{AppError, AppResult};
use crate::store;

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
        let (brand, variants, published, running, audiences) = self
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
                let running = store::experiments::of_brand(
                    conn,
                    &brand.id,
                    Some(&entry.id),
                    Some(crate::domain::experiment::ExperimentStatus::Running),
                )?;
                let published = store::variants::published_of_entries(conn, &[entry.id])?;
                let audiences = store::audiences::rules_of_brand(conn, &brand.id)?;
                Ok((
                    brand,
                    variants,
                    published,
                    running.into_iter().next(),
                    audiences,
                ))
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
        let mut explanation = resolution::explain(&candidates, &resolve_ctx);
        if let Some(experiment) = running {
            let ids: Vec<&str> = candidates.iter().map(|c| c.id).collect();
            if let Some(live) = experiments::preview_experiment(experiment, &ids, &audiences) {
                let choice = choose(
                    &candidates,
                    &resolve_ctx,
                    Some(&live),
                    ctx.user_key.as_deref(),
                    rand::random(),
                );
                explanation.winner = choice.winner.map(|w| w.index);
                explanation.reason = ChoiceReason {
                    choice: &choice,
                    experiment: Some(&live),
                    candidates: &candidates,
                    context: &resolve_ctx,
                }
                .to_string();
            }
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
