//! Running experiments in the delivery snapshot.
//!
//! A brand's snapshot holds each RUNNING experiment on the entry it tests, compiled for
//! `domain::experiment::serve`: the audience rule compiled once, each `variant` arm pointing at its
//! variant's place among the entry's published variants (none when it is not published: ranking
//! serves), BANDIT arms with their current Thompson shares. Beside it, per arm and variant, the
//! [`ServedVariant`] an impression records (the variant's, with the experiment and arm), built once
//! so that recording an enrolled impression copies no names either. Start, stop and conclude
//! record a `brand` change, so the snapshot follows them like a publish.
//!
//! BANDIT shares come from [`BanditShares`], which each node's refresh fills from the results at
//! least every minute (`delivery::bandit`).

use arc_swap::ArcSwap;
use std::collections::HashMap;
use std::sync::Arc;

use super::snapshot::{BrandSnapshot, EntrySnapshot};
use crate::domain::audience::AudienceRules;
use crate::domain::experiment::serve::{LiveArm, LiveExperiment};
use crate::domain::experiment::Experiment;
use crate::domain::rule::Rule;
use crate::usage::ServedVariant;

/// A running experiment on one entry.
#[derive(Debug)]
pub struct EntryExperiment {
    pub live: LiveExperiment,
    /// What an impression records, by arm and then by the variant's place in the entry.
    pub served: Vec<Vec<Arc<ServedVariant>>>,
}

/// BANDIT experiments' current shares per arm, by experiment id; shared by the snapshot builds
/// and the refresh.
#[derive(Default)]
pub struct BanditShares {
    shares: ArcSwap<HashMap<String, Vec<f64>>>,
}

impl BanditShares {
    pub fn get(&self, experiment_id: &str) -> Option<Vec<f64>> {
        self.shares.load().get(experiment_id).cloned()
    }

    /// Replaces every share; `true` when something changed.
    pub fn replace(&self, next: HashMap<String, Vec<f64>>) -> bool {
        let changed = **self.shares.load() != next;
        self.shares.store(Arc::new(next));
        changed
    }
}

/// Puts the brand's running experiments on their entries, their audience rules compiled with the
/// brand's `audiences`; an experiment whose entry is gone or whose stored audience no longer
/// parses is left out (logged), never served to everyone.
pub fn attach(
    snapshot: &mut BrandSnapshot,
    running: Vec<Experiment>,
    bandit: &BanditShares,
    audiences: &AudienceRules,
) {
    let mut by_entry: HashMap<String, &mut EntrySnapshot> = snapshot
        .entries
        .values_mut()
        .map(|e| (e.id.clone(), e))
        .collect();
    for experiment in running {
        let Some(entry) = by_entry.get_mut(experiment.entry_id.as_str()) else {
            continue;
        };
        match compile(experiment, entry, bandit, audiences) {
            Ok(compiled) => entry.experiment = Some(Arc::new(compiled)),
            Err(id) => {
                tracing::error!(experiment = %id, "stored audience does not parse; not enrolling")
            }
        }
    }
}

/// The experiment compiled against an entry's candidates as `preview` lists them (by id); `None`
/// when its stored audience does not parse.
pub fn preview_experiment(
    experiment: Experiment,
    ids: &[&str],
    audiences: &AudienceRules,
) -> Option<LiveExperiment> {
    let audience = compile_audience(&experiment, audiences).ok()?;
    let arms = experiment
        .arms
        .iter()
        .map(|arm| LiveArm {
            id: arm.id.clone(),
            name: arm.name.clone(),
            ranked: arm.variant().is_none(),
            variant: arm
                .variant()
                .and_then(|id| ids.iter().position(|v| *v == id)),
            weight: arm.weight,
            share: 1.0 / experiment.arms.len().max(1) as f64,
        })
        .collect();
    Some(LiveExperiment {
        id: experiment.id,
        name: experiment.name,
        audience,
        mode: experiment.mode,
        arms,
    })
}

/// The experiment's audience rule, `{"audience": NAME}` conditions inlined from `audiences`;
/// the experiment's id when it does not compile.
fn compile_audience(
    experiment: &Experiment,
    audiences: &AudienceRules,
) -> Result<Option<Arc<Rule>>, String> {
    match &experiment.audience {
        None => Ok(None),
        Some(json) => Rule::parse_with(json, audiences)
            .map(|rule| rule.map(Arc::new))
            .map_err(|_| experiment.id.clone()),
    }
}

fn compile(
    experiment: Experiment,
    entry: &EntrySnapshot,
    bandit: &BanditShares,
    audiences: &AudienceRules,
) -> Result<EntryExperiment, String> {
    let audience = compile_audience(&experiment, audiences)?;
    let arm_count = experiment.arms.len();
    let shares = bandit
        .get(&experiment.id)
        .filter(|s| s.len() == arm_count)
        .unwrap_or_else(|| vec![1.0 / arm_count.max(1) as f64; arm_count]);
    let arms: Vec<LiveArm> = experiment
        .arms
        .iter()
        .zip(shares)
        .map(|(arm, share)| LiveArm {
            id: arm.id.clone(),
            name: arm.name.clone(),
            ranked: arm.variant().is_none(),
            variant: arm
                .variant()
                .and_then(|id| entry.variants.iter().position(|v| v.id == id)),
            weight: arm.weight,
            share,
        })
        .collect();
    let served = arms
        .iter()
        .map(|arm| {
            entry
                .variants
                .iter()
                .map(|v| {
                    Arc::new(ServedVariant {
                        experiment_id: experiment.id.clone(),
                        arm_id: arm.id.clone(),
                        ..(*v.served).clone()
                    })
                })
                .collect()
        })
        .collect();
    Ok(EntryExperiment {
        live: LiveExperiment {
            id: experiment.id,
            name: experiment.name,
            audience,
            mode: experiment.mode,
            arms,
        },
        served,
    })
}
