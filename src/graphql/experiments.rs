//! Experiments in GraphQL (the contract's "Experiments"): the types, `experiments`,
//! `experiment`, `experimentReport`, and create, update, start, stop and conclude. Resolvers
//! convert and call one `content` operation each.

use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use std::sync::Arc;

use super::loaders::Loaders;
use super::types::{content, mirror_enum, principal, Entry, Json, Variant};
use crate::delivery::Delivery;
use crate::domain::experiment::draft::{ArmDraft, Draft};
use crate::domain::experiment::report::ArmResult as DomainArmResult;
use crate::domain::experiment::{
    Arm as DomainArm, Experiment as DomainExperiment, ExperimentGoal as DomainGoal,
    ExperimentMode as DomainMode, ExperimentStatus as DomainStatus, Transition,
};
use crate::domain::rule::Rule;
use crate::error::AppError;

mirror_enum!(
    ExperimentStatus,
    DomainStatus,
    [Draft, Running, Stopped, Concluded]
);
mirror_enum!(ExperimentMode, DomainMode, [Fixed, Bandit]);
mirror_enum!(ExperimentGoal, DomainGoal, [Click, Conversion]);

/// One arm: exactly one of `variant` and `ranked: true`.
#[derive(InputObject)]
pub struct ArmInput {
    pub name: String,
    pub variant: Option<ID>,
    pub ranked: Option<bool>,
    /// Percent of the audience's traffic; the weights sum to at most 100.
    pub weight: i32,
}

#[derive(InputObject)]
pub struct CreateExperimentInput {
    pub entry_id: ID,
    pub name: String,
    pub hypothesis: Option<String>,
    /// An audience rule; null admits everyone.
    pub audience: Option<Json>,
    /// The first arm is the control.
    pub arms: Vec<ArmInput>,
    pub goal: ExperimentGoal,
    /// FIXED when absent.
    pub mode: Option<ExperimentMode>,
    /// 100 when absent.
    pub min_people_per_arm: Option<i32>,
}

impl CreateExperimentInput {
    fn into_draft(self) -> (String, Draft) {
        let draft = Draft {
            name: self.name,
            hypothesis: self.hypothesis,
            audience: self.audience.map(|a| a.0),
            arms: self
                .arms
                .into_iter()
                .map(|a| ArmDraft {
                    name: a.name,
                    variant: a.variant.map(|v| v.0),
                    ranked: a.ranked,
                    weight: i64::from(a.weight),
                })
                .collect(),
            goal: self.goal.into(),
            mode: self.mode.map(Into::into),
            min_people_per_arm: self.min_people_per_arm.map(i64::from),
        };
        (self.entry_id.0, draft)
    }
}

pub struct Arm(DomainArm);

#[Object]
impl Arm {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The variant a `variant` arm serves; null for a `ranked` arm.
    async fn variant(&self, ctx: &Context<'_>) -> Result<Option<Variant>> {
        let Some(id) = self.0.variant() else {
            return Ok(None);
        };
        Ok(content(ctx).variant(principal(ctx), id).await?.map(Variant))
    }
    /// Whether the arm serves what ranking picks.
    async fn ranked(&self) -> bool {
        self.0.variant().is_none()
    }
    async fn weight(&self) -> i32 {
        self.0.weight as i32
    }
}

pub struct Experiment(pub DomainExperiment);

#[Object]
impl Experiment {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn entry(&self, ctx: &Context<'_>) -> Result<Entry> {
        let entry = ctx
            .data_unchecked::<Loaders>()
            .entry_by_id()
            .load_one(self.0.entry_id.clone())
            .await?;
        entry
            .map(Entry)
            .ok_or_else(|| AppError::not_found("the experiment's entry no longer exists").into())
    }
    async fn hypothesis(&self) -> Option<&str> {
        self.0.hypothesis.as_deref()
    }
    async fn audience(&self) -> Option<Json> {
        self.0.audience.clone().map(async_graphql::Json)
    }
    /// The audience in words, `everyone` when there is none.
    async fn audience_text(&self) -> String {
        match self.0.audience.as_ref().map(Rule::parse) {
            Some(Ok(Some(rule))) => rule.render(),
            Some(Err(_)) => "an unreadable rule".into(),
            _ => "everyone".into(),
        }
    }
    async fn arms(&self) -> Vec<Arm> {
        self.0.arms.iter().cloned().map(Arm).collect()
    }
    async fn goal(&self) -> ExperimentGoal {
        self.0.goal.into()
    }
    async fn mode(&self) -> ExperimentMode {
        self.0.mode.into()
    }
    async fn status(&self) -> ExperimentStatus {
        self.0.status.into()
    }
    async fn min_people_per_arm(&self) -> i32 {
        self.0.min_people_per_arm.min(i32::MAX as u32) as i32
    }
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    async fn stopped_at(&self) -> Option<DateTime<Utc>> {
        self.0.stopped_at
    }
    async fn winner(&self) -> Option<Arm> {
        let winner = self.0.winner.as_deref()?;
        self.0
            .arms
            .iter()
            .find(|a| a.id == winner)
            .cloned()
            .map(Arm)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// One arm's results: people (FIXED) or answers (BANDIT), converters, the rate with its 95 %
/// Wilson interval and, against the control (null for the control itself), the uplift with its
/// interval, the z-test's p-value and the chance to beat it.
#[derive(SimpleObject)]
pub struct ArmResult {
    pub arm: Arm,
    pub people: i32,
    pub converters: i32,
    pub rate: f64,
    pub rate_low: f64,
    pub rate_high: f64,
    pub uplift: Option<f64>,
    pub uplift_low: Option<f64>,
    pub uplift_high: Option<f64>,
    pub p_value: Option<f64>,
    pub probability_to_beat_control: Option<f64>,
    pub probability_best: f64,
    /// The arm's current share of the traffic the audience admits.
    pub weight: f64,
    pub conversion_value: f64,
}

fn arm_result(arm: DomainArm, r: &DomainArmResult) -> ArmResult {
    let count = |n: u64| n.min(i32::MAX as u64) as i32;
    ArmResult {
        arm: Arm(arm),
        people: count(r.people),
        converters: count(r.converters),
        rate: r.rate,
        rate_low: r.rate_low,
        rate_high: r.rate_high,
        uplift: r.uplift,
        uplift_low: r.uplift_low,
        uplift_high: r.uplift_high,
        p_value: r.p_value,
        probability_to_beat_control: r.probability_to_beat_control,
        probability_best: r.probability_best,
        weight: r.weight,
        conversion_value: r.conversion_value,
    }
}

#[derive(SimpleObject)]
pub struct ExperimentReport {
    pub experiment: Experiment,
    pub arms: Vec<ArmResult>,
    pub sample_ratio_mismatch: bool,
    pub srm_p_value: f64,
    /// What to do, in one sentence.
    pub decision: String,
}

#[derive(Default)]
pub struct ExperimentQuery;

#[Object]
impl ExperimentQuery {
    /// A brand's experiments, newest first; optionally of one entry (by key) and in one status.
    async fn experiments(
        &self,
        ctx: &Context<'_>,
        brand: String,
        entry: Option<String>,
        status: Option<ExperimentStatus>,
    ) -> Result<Vec<Experiment>> {
        let list = content(ctx)
            .experiments(principal(ctx), &brand, entry, status.map(Into::into))
            .await?;
        Ok(list.into_iter().map(Experiment).collect())
    }

    async fn experiment(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Experiment>> {
        let found = content(ctx).experiment(principal(ctx), &id).await?;
        Ok(found.map(Experiment))
    }

    /// The experiment's statistics per arm and the decision.
    async fn experiment_report(&self, ctx: &Context<'_>, id: ID) -> Result<ExperimentReport> {
        let shares = ctx.data_unchecked::<Arc<Delivery>>().bandit_shares(&id);
        let found = content(ctx)
            .experiment_report(principal(ctx), &id, shares)
            .await?;
        let arms = found
            .experiment
            .arms
            .iter()
            .cloned()
            .zip(&found.report.arms)
            .map(|(arm, r)| arm_result(arm, r))
            .collect();
        Ok(ExperimentReport {
            arms,
            sample_ratio_mismatch: found.report.sample_ratio_mismatch,
            srm_p_value: found.report.srm_p_value,
            decision: found.report.decision,
            experiment: Experiment(found.experiment),
        })
    }
}

#[derive(Default)]
pub struct ExperimentMutation;

async fn transition(
    ctx: &Context<'_>,
    id: ID,
    step: Transition,
    winner: Option<ID>,
) -> Result<Experiment> {
    let experiment = content(ctx)
        .transition_experiment(principal(ctx), &id, step, winner.map(|w| w.0))
        .await?;
    Ok(Experiment(experiment))
}

#[Object]
impl ExperimentMutation {
    /// A new DRAFT experiment on an entry.
    async fn create_experiment(
        &self,
        ctx: &Context<'_>,
        input: CreateExperimentInput,
    ) -> Result<Experiment> {
        let (entry_id, draft) = input.into_draft();
        let experiment = content(ctx)
            .create_experiment(principal(ctx), &entry_id, draft)
            .await?;
        Ok(Experiment(experiment))
    }

    /// Replaces a DRAFT experiment's definition; a stale `expectedVersion` is CONFLICT.
    async fn update_experiment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: i32,
        input: CreateExperimentInput,
    ) -> Result<Experiment> {
        let (entry_id, draft) = input.into_draft();
        let experiment = content(ctx)
            .update_experiment(principal(ctx), &id, expected_version, &entry_id, draft)
            .await?;
        Ok(Experiment(experiment))
    }

    /// DRAFT → RUNNING: enrollment starts with the next request, on every node.
    async fn start_experiment(&self, ctx: &Context<'_>, id: ID) -> Result<Experiment> {
        transition(ctx, id, Transition::Start, None).await
    }

    /// RUNNING → STOPPED: ranking serves again.
    async fn stop_experiment(&self, ctx: &Context<'_>, id: ID) -> Result<Experiment> {
        transition(ctx, id, Transition::Stop, None).await
    }

    /// RUNNING|STOPPED → CONCLUDED, naming the winning arm.
    async fn conclude_experiment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        winner: ID,
    ) -> Result<Experiment> {
        transition(ctx, id, Transition::Conclude, Some(winner)).await
    }
}
