//! An experiment's report from its counts: per arm the rate and its Wilson interval, against the
//! control (the first arm) the uplift, its interval and the z-test's p-value, the chances to beat
//! the control and to be best, each arm's current share of traffic, the sample-ratio check and
//! the one-sentence decision.

use super::{Experiment, ExperimentMode};
use crate::domain::statistics::{self, Counts, SRM_THRESHOLD, WIN_PROBABILITY};

/// What the store counted for one arm.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ArmCounts {
    /// People (FIXED) or answers (BANDIT) enrolled in the arm.
    pub people: u64,
    /// Those with at least one goal event from an answer of the arm.
    pub converters: u64,
    /// The sum of the arm's conversion values.
    pub conversion_value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArmResult {
    pub people: u64,
    pub converters: u64,
    pub rate: f64,
    pub rate_low: f64,
    pub rate_high: f64,
    pub uplift: Option<f64>,
    pub uplift_low: Option<f64>,
    pub uplift_high: Option<f64>,
    pub p_value: Option<f64>,
    pub probability_to_beat_control: Option<f64>,
    pub probability_best: f64,
    pub weight: f64,
    pub conversion_value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub arms: Vec<ArmResult>,
    pub sample_ratio_mismatch: bool,
    pub srm_p_value: f64,
    pub decision: String,
}

/// The report of `experiment` from its arms' counts (in arm order) and, in BANDIT mode, the
/// arms' current Thompson shares.
pub fn report(experiment: &Experiment, counts: &[ArmCounts], shares: Option<&[f64]>) -> Report {
    let stats: Vec<Counts> = experiment
        .arms
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let c = counts.get(i).copied().unwrap_or_default();
            Counts {
                people: c.people,
                converters: c.converters.min(c.people),
            }
        })
        .collect();
    let weights: Vec<f64> = match (experiment.mode, shares) {
        (ExperimentMode::Bandit, Some(shares)) if shares.len() == stats.len() => shares.to_vec(),
        (ExperimentMode::Bandit, _) => vec![1.0 / stats.len().max(1) as f64; stats.len()],
        (ExperimentMode::Fixed, _) => experiment
            .arms
            .iter()
            .map(|a| f64::from(a.weight) / 100.0)
            .collect(),
    };
    let (best, beat) = statistics::bayesian(&stats);
    let control = stats.first().copied().unwrap_or(Counts {
        people: 0,
        converters: 0,
    });
    let arms: Vec<ArmResult> = stats
        .iter()
        .enumerate()
        .map(|(i, &arm)| {
            let (rate_low, rate_high) = statistics::wilson(arm);
            let treated = i > 0;
            let uplift = treated.then(|| statistics::uplift(arm, control)).flatten();
            ArmResult {
                people: arm.people,
                converters: arm.converters,
                rate: arm.rate(),
                rate_low,
                rate_high,
                uplift: uplift.map(|u| u.0),
                uplift_low: uplift.map(|u| u.1),
                uplift_high: uplift.map(|u| u.2),
                p_value: treated
                    .then(|| statistics::two_proportion_p_value(arm, control))
                    .flatten(),
                probability_to_beat_control: beat[i],
                probability_best: best[i],
                weight: weights[i],
                conversion_value: counts.get(i).map_or(0.0, |c| c.conversion_value),
            }
        })
        .collect();
    // BANDIT shares move with the results, so people per arm are not expected to follow them.
    let srm_p_value = match experiment.mode {
        ExperimentMode::Fixed => {
            let people: Vec<u64> = stats.iter().map(|c| c.people).collect();
            statistics::sample_ratio_p_value(&people, &weights)
        }
        ExperimentMode::Bandit => 1.0,
    };
    let sample_ratio_mismatch = srm_p_value < SRM_THRESHOLD;
    let decision = decide(experiment, &arms, sample_ratio_mismatch, srm_p_value);
    Report {
        arms,
        sample_ratio_mismatch,
        srm_p_value,
        decision,
    }
}

fn decide(experiment: &Experiment, arms: &[ArmResult], srm: bool, srm_p: f64) -> String {
    let unit = match experiment.mode {
        ExperimentMode::Fixed => "people",
        ExperimentMode::Bandit => "answers",
    };
    if srm {
        return format!(
            "The sample ratio is broken (p = {srm_p:.2e}): {unit} per arm do not match the \
             weights, so these results are not to be trusted until the cause is found."
        );
    }
    let needed = u64::from(experiment.min_people_per_arm);
    let smallest = arms
        .iter()
        .zip(&experiment.arms)
        .filter(|(_, arm)| experiment.mode == ExperimentMode::Bandit || arm.weight > 0)
        .map(|(result, _)| result.people)
        .min()
        .unwrap_or(0);
    if smallest < needed {
        return format!(
            "Keep running: the smallest arm needs {} more {unit} to reach {needed}.",
            needed - smallest
        );
    }
    let winner = arms
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.probability_best.total_cmp(&b.1.probability_best));
    match winner {
        Some((index, result)) if result.probability_best >= WIN_PROBABILITY => format!(
            "Arm \"{}\" wins: it is the best with probability {:.3}.",
            experiment.arms[index].name, result.probability_best
        ),
        _ => {
            format!("No difference: no arm is the best with probability {WIN_PROBABILITY} or more.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::experiment::{
        Arm, ArmTarget, ExperimentGoal, ExperimentMode, ExperimentStatus,
    };
    use chrono::Utc;

    fn experiment(weights: &[u32]) -> Experiment {
        Experiment {
            id: "exp_1".into(),
            brand_id: "brd".into(),
            entry_id: "ent".into(),
            name: "Test".into(),
            hypothesis: None,
            audience: None,
            arms: weights
                .iter()
                .enumerate()
                .map(|(i, &weight)| Arm {
                    id: format!("arm_{i}"),
                    name: format!("arm {i}"),
                    target: ArmTarget::Ranked,
                    weight,
                })
                .collect(),
            goal: ExperimentGoal::Click,
            mode: ExperimentMode::Fixed,
            status: ExperimentStatus::Running,
            min_people_per_arm: 100,
            started_at: None,
            stopped_at: None,
            winner: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn counts(people: u64, converters: u64) -> ArmCounts {
        ArmCounts {
            people,
            converters,
            conversion_value: 0.0,
        }
    }

    #[test]
    fn without_people_every_figure_is_defined_and_it_says_keep_running() {
        let r = report(&experiment(&[50, 50]), &[], None);
        assert_eq!(r.arms.len(), 2);
        assert_eq!(r.arms[0].uplift, None);
        assert_eq!(r.arms[1].uplift, None);
        assert_eq!(r.arms[1].p_value, None);
        assert!(r
            .arms
            .iter()
            .all(|a| a.probability_best.is_finite() && a.rate == 0.0));
        assert!(!r.sample_ratio_mismatch);
        assert_eq!(
            r.decision,
            "Keep running: the smallest arm needs 100 more people to reach 100."
        );
    }

    #[test]
    fn a_clear_winner_is_named_with_its_probability() {
        let r = report(
            &experiment(&[50, 50]),
            &[counts(1000, 100), counts(1000, 200)],
            None,
        );
        assert!(
            r.decision
                .starts_with("Arm \"arm 1\" wins: it is the best with probability 1.000"),
            "{}",
            r.decision
        );
        assert_eq!(r.arms[0].probability_to_beat_control, None);
        assert!(r.arms[1].uplift.unwrap() > 0.99);
        assert_eq!(r.arms[0].weight, 0.5);
    }

    #[test]
    fn equal_arms_make_no_difference() {
        let r = report(
            &experiment(&[50, 50]),
            &[counts(1000, 100), counts(1000, 100)],
            None,
        );
        assert!(r.decision.starts_with("No difference"), "{}", r.decision);
    }

    #[test]
    fn a_broken_sample_ratio_overrides_everything() {
        let r = report(
            &experiment(&[50, 50]),
            &[counts(1000, 100), counts(2000, 400)],
            None,
        );
        assert!(r.sample_ratio_mismatch);
        assert!(r.srm_p_value < 0.001);
        assert!(r.decision.contains("sample ratio"), "{}", r.decision);
    }

    #[test]
    fn all_converters_and_a_single_arm_with_data_are_defined() {
        let r = report(
            &experiment(&[50, 50]),
            &[counts(150, 150), counts(0, 0)],
            None,
        );
        assert_eq!(r.arms[0].rate, 1.0);
        assert_eq!(r.arms[1].uplift, None);
        assert!(r.sample_ratio_mismatch, "150 against 0 is a broken ratio");
        let r = report(
            &experiment(&[50, 50]),
            &[counts(150, 150), counts(150, 150)],
            None,
        );
        assert_eq!(r.arms[1].p_value, Some(1.0));
        assert_eq!(r.arms[1].uplift, Some(0.0));
    }
}
