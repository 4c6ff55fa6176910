//! Experiment operations: create, update (DRAFT only), start, stop, conclude, the lists and the
//! report.
//!
//! Editors and reviewers of the brand and admins create, update and stop; where the brand
//! `requireApproval`, editors may not start or conclude (`auth::policy`'s `RunExperiments`).
//! Every mutation writes the experiment, its audit row (the mutation's name as the action) and,
//! when what is served changes (start, stop, conclude), a `brand` change in one transaction, and
//! has this node's feed apply it before answering: like a publish, the next request on every node
//! sees it.

use super::{audit_event, Content};
use crate::auth::{Action, Principal};
use crate::domain::brand::Brand;
use crate::domain::experiment::draft::Draft;
use crate::domain::experiment::report::{report, ArmCounts, Report};
use crate::domain::experiment::{
    Experiment, ExperimentGoal, ExperimentMode, ExperimentStatus, Transition,
};
use crate::error::{AppError, AppResult};
use crate::store::changes::Change;
use crate::store::{self, time, DbConnection};
use crate::usage::index::{ArmQuery, ExperimentUnit};
use crate::usage::{UsageIndex, UsageKind};

/// A report with the experiment it is about.
#[derive(Debug, Clone)]
pub struct ExperimentReport {
    pub experiment: Experiment,
    pub report: Report,
}

/// The experiment and its brand, the caller authorized for `action` in that brand.
fn load_authorized(
    conn: &mut DbConnection,
    who: &Principal,
    id: &str,
    action: impl FnOnce(&Brand) -> Action,
) -> AppResult<(Experiment, Brand)> {
    let experiment = store::experiments::by_id(conn, id)?
        .ok_or_else(|| AppError::not_found(format!("no experiment {id}")))?;
    let brand = store::brands::by_id(conn, &experiment.brand_id)?;
    who.authorize(action(&brand), Some(&brand.slug))?;
    Ok((experiment, brand))
}

/// The ids of the entry's variants, for checking arms.
fn entry_variant_ids(conn: &mut DbConnection, entry_id: &str) -> AppResult<Vec<String>> {
    Ok(
        store::variants::of_entries(conn, std::slice::from_ref(&entry_id.to_string()))?
            .into_iter()
            .map(|v| v.record.id)
            .collect(),
    )
}

/// Checks `draft` against the entry's variants and the brand's audiences, and names the arms.
fn define(
    conn: &mut DbConnection,
    entry_id: &str,
    draft: Draft,
    into: &mut Experiment,
) -> AppResult<()> {
    let ids = entry_variant_ids(conn, entry_id)?;
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let audiences = store::audiences::rules_of_brand(conn, &into.brand_id)?;
    let definition = draft
        .check(&refs, &audiences)
        .map_err(AppError::bad_input)?;
    into.name = definition.name;
    into.hypothesis = definition.hypothesis;
    into.audience = definition.audience;
    into.goal = definition.goal;
    into.mode = definition.mode;
    into.min_people_per_arm = definition.min_people_per_arm;
    into.arms = definition
        .arms
        .into_iter()
        .map(|mut arm| {
            arm.id = crate::ids::new_id("arm");
            arm
        })
        .collect();
    Ok(())
}

fn create(
    conn: &mut DbConnection,
    who: &Principal,
    entry_id: &str,
    draft: Draft,
) -> AppResult<Experiment> {
    let entry = store::entries::by_id(conn, entry_id)?
        .ok_or_else(|| AppError::not_found(format!("no entry {entry_id}")))?;
    let brand = store::brands::by_id(conn, &entry.brand_id)?;
    who.authorize(Action::EditExperiments, Some(&brand.slug))?;
    let now = time::now();
    let mut experiment = Experiment {
        id: crate::ids::new_id("exp"),
        brand_id: brand.id.clone(),
        entry_id: entry.id.clone(),
        name: String::new(),
        hypothesis: None,
        audience: None,
        arms: Vec::new(),
        goal: draft.goal,
        mode: ExperimentMode::Fixed,
        status: ExperimentStatus::Draft,
        min_people_per_arm: 0,
        started_at: None,
        stopped_at: None,
        winner: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    define(conn, &entry.id, draft, &mut experiment)?;
    store::experiments::insert(conn, &experiment)?;
    let event = audit_event(who, "createExperiment", &experiment.id, Some(&brand.slug));
    store::audit::append(conn, event)?;
    Ok(experiment)
}

fn update(
    conn: &mut DbConnection,
    who: &Principal,
    id: &str,
    expected_version: i32,
    entry_id: &str,
    draft: Draft,
) -> AppResult<Experiment> {
    let (old, brand) = load_authorized(conn, who, id, |_| Action::EditExperiments)?;
    if old.status != ExperimentStatus::Draft {
        return Err(AppError::conflict(format!(
            "only a DRAFT experiment can be updated; this one is {}",
            old.status.as_str().to_uppercase()
        )));
    }
    if old.version != expected_version {
        return Err(AppError::conflict(format!(
            "experiment {id} is at version {}, not {expected_version}; reload and try again",
            old.version
        )));
    }
    if entry_id != old.entry_id {
        return Err(AppError::bad_input(
            "entryId: an experiment cannot move to another entry",
        ));
    }
    let mut next = old.clone();
    define(conn, &old.entry_id, draft, &mut next)?;
    next.version += 1;
    next.updated_at = time::now();
    store::experiments::update_checked(conn, &next, expected_version)?;
    let event = audit_event(who, "updateExperiment", id, Some(&brand.slug));
    store::audit::append(conn, event)?;
    Ok(next)
}

fn transition(
    conn: &mut DbConnection,
    who: &Principal,
    id: &str,
    step: Transition,
    winner: Option<&str>,
) -> AppResult<Experiment> {
    let (old, brand) = load_authorized(conn, who, id, |brand| match step {
        Transition::Stop => Action::EditExperiments,
        Transition::Start | Transition::Conclude => Action::RunExperiments {
            editors_may: !brand.policy.require_approval,
        },
    })?;
    let status = step.apply(old.status).ok_or_else(|| {
        AppError::conflict(format!(
            "cannot {} an experiment that is {}",
            &step.action()[..step.action().len() - "Experiment".len()],
            old.status.as_str().to_uppercase()
        ))
    })?;
    let mut next = old.clone();
    let now = time::now();
    match step {
        Transition::Start => {
            // The arms were checked when saved; a variant deleted since then cannot be served.
            let ids = entry_variant_ids(conn, &old.entry_id)?;
            if let Some(arm) = old
                .arms
                .iter()
                .find(|a| a.variant().is_some_and(|v| !ids.iter().any(|id| id == v)))
            {
                return Err(AppError::bad_input(format!(
                    "arm `{}`: its variant is no longer a variant of this entry",
                    arm.name
                )));
            }
            next.started_at = Some(now);
        }
        Transition::Stop => next.stopped_at = Some(now),
        Transition::Conclude => {
            let winner = winner.unwrap_or_default();
            if !old.arms.iter().any(|a| a.id == winner) {
                return Err(AppError::bad_input(format!(
                    "winner: `{winner}` is not an arm of this experiment"
                )));
            }
            next.winner = Some(winner.to_string());
            next.stopped_at = next.stopped_at.or(Some(now));
        }
    }
    next.status = status;
    next.version += 1;
    next.updated_at = now;
    store::experiments::update_checked(conn, &next, old.version)?;
    let mut event = audit_event(who, step.action(), id, Some(&brand.slug));
    event.note = winner.map(|w| format!("winner {w}"));
    store::audit::append(conn, event)?;
    store::changes::record(conn, &[Change::Brand(brand.id.clone())])?;
    Ok(next)
}

impl Content {
    pub async fn create_experiment(
        &self,
        who: &Principal,
        entry_id: &str,
        draft: Draft,
    ) -> AppResult<Experiment> {
        let (who, entry_id) = (who.clone(), entry_id.to_string());
        self.db
            .write(move |conn| create(conn, &who, &entry_id, draft))
            .await
    }

    pub async fn update_experiment(
        &self,
        who: &Principal,
        id: &str,
        expected_version: i32,
        entry_id: &str,
        draft: Draft,
    ) -> AppResult<Experiment> {
        let (who, id, entry_id) = (who.clone(), id.to_string(), entry_id.to_string());
        self.db
            .write(move |conn| update(conn, &who, &id, expected_version, &entry_id, draft))
            .await
    }

    /// Starts, stops or concludes (with `winner`, an arm id) an experiment; delivery follows
    /// before this answers.
    pub async fn transition_experiment(
        &self,
        who: &Principal,
        id: &str,
        step: Transition,
        winner: Option<String>,
    ) -> AppResult<Experiment> {
        let (who, id) = (who.clone(), id.to_string());
        let experiment = self
            .db
            .write(move |conn| transition(conn, &who, &id, step, winner.as_deref()))
            .await?;
        self.listener.committed().await;
        Ok(experiment)
    }

    /// A brand's experiments, optionally of one entry (by key) and in one status.
    pub async fn experiments(
        &self,
        who: &Principal,
        brand: &str,
        entry_key: Option<String>,
        status: Option<ExperimentStatus>,
    ) -> AppResult<Vec<Experiment>> {
        who.authorize(Action::ReadContent, Some(brand))?;
        let slug = brand.to_string();
        self.db
            .read(move |conn| {
                let brand = store::brands::require(conn, &slug)?;
                let entry_id = match entry_key {
                    None => None,
                    Some(key) => match store::entries::by_key(conn, &brand.id, &key)? {
                        Some(entry) => Some(entry.id),
                        None => return Ok(Vec::new()),
                    },
                };
                store::experiments::of_brand(conn, &brand.id, entry_id.as_deref(), status)
            })
            .await
    }

    /// One experiment; `None` when it does not exist, `FORBIDDEN` outside the caller's brands.
    pub async fn experiment(&self, who: &Principal, id: &str) -> AppResult<Option<Experiment>> {
        let (who, id) = (who.clone(), id.to_string());
        self.db
            .read(
                move |conn| match load_authorized(conn, &who, &id, |_| Action::ReadContent) {
                    Ok((experiment, _)) => Ok(Some(experiment)),
                    Err(e) if e.code == crate::error::ErrorCode::NotFound => Ok(None),
                    Err(e) => Err(e),
                },
            )
            .await
    }

    /// The experiment's report, counted from the usage index when the app has one (the server
    /// does), else from the database in one grouped query; both hold the same events.
    pub async fn experiment_report(
        &self,
        who: &Principal,
        id: &str,
        shares: Option<Vec<f64>>,
    ) -> AppResult<ExperimentReport> {
        let (who2, id) = (who.clone(), id.to_string());
        let index = self.usage_index.clone();
        let (experiment, groups) = self
            .db
            .read(move |conn| {
                let (experiment, brand) =
                    load_authorized(conn, &who2, &id, |_| Action::ReadContent)?;
                if index.is_some() {
                    return Ok((experiment, None));
                }
                let since = experiment
                    .started_at
                    .map_or(chrono::DateTime::UNIX_EPOCH.naive_utc(), time::to_db);
                let groups = store::experiments::counts(conn, &brand.slug, &experiment, since)?;
                Ok((experiment, Some(groups)))
            })
            .await?;
        let (experiment, counts) = match (groups, self.usage_index.clone()) {
            (None, Some(index)) => {
                store::run_blocking(move || {
                    let counts = counted_in_index(&index, &experiment)?;
                    Ok((experiment, counts))
                })
                .await?
            }
            (groups, _) => {
                let groups = groups.unwrap_or_default();
                let counts = store::experiments::arm_counts(&experiment, &groups);
                (experiment, counts)
            }
        };
        let report = report(&experiment, &counts, shares.as_deref());
        Ok(ExperimentReport { experiment, report })
    }
}

/// Each arm's counts from the usage index: the experiment's events since it started.
pub fn counted_in_index(index: &UsageIndex, experiment: &Experiment) -> AppResult<Vec<ArmCounts>> {
    let arm_ids: Vec<&str> = experiment.arms.iter().map(|a| a.id.as_str()).collect();
    let ask = ArmQuery {
        experiment_id: &experiment.id,
        arm_ids: &arm_ids,
        since: experiment
            .started_at
            .unwrap_or(chrono::DateTime::UNIX_EPOCH),
        unit: match experiment.mode {
            ExperimentMode::Fixed => ExperimentUnit::People,
            ExperimentMode::Bandit => ExperimentUnit::Answers,
        },
        goal: match experiment.goal {
            ExperimentGoal::Click => UsageKind::Click,
            ExperimentGoal::Conversion => UsageKind::Conversion,
        },
    };
    let tallies = index.arm_tallies(&ask).map_err(AppError::internal)?;
    Ok(tallies
        .into_iter()
        .map(|t| ArmCounts {
            people: t.enrolled,
            converters: t.converters,
            conversion_value: t.conversion_value,
        })
        .collect())
}
