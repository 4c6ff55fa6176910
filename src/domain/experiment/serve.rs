//! A running experiment on the delivery path: enrollment and the arm served, allocating nothing.
//!
//! [`choose`] resolves the entry as ranking would, then, when the entry has a running
//! [`LiveExperiment`], enrolls the answer: without personalization consent, without a `userKey`,
//! outside the audience, or (FIXED) in a bucket past the weights, it is not enrolled and ranking
//! serves. An enrolled answer gets its arm: a `ranked` arm serves ranking's winner; a `variant`
//! arm serves its variant when that is published, in schedule, for the device, in the locale
//! tier and at or above `minQuality` (its own rule does not apply, the experiment's audience did);
//! otherwise ranking serves and the answer still counts in the arm (intention to treat).
//!
//! BANDIT mode draws the arm per answer with the probability Thompson sampling gives it: the
//! chance, under the arms' current Beta posteriors, that the arm is best ([`thompson_shares`]),
//! with a 5 % floor per arm. Drawing one arm by those shares is the same distribution as drawing
//! one rate per posterior and taking the largest, without sampling Beta variates per request.

use std::fmt::{self, Display, Formatter};
use std::sync::Arc;

use super::bucket::{arm_of, bucket};
use super::ExperimentMode;
use crate::domain::resolution::{
    passes_settings, resolve, Candidate, LocaleTier, NoVariantReason, ResolveContext, Winner,
};
use crate::domain::rule::Rule;

/// BANDIT mode's least share of traffic per arm.
pub const BANDIT_FLOOR: f64 = 0.05;

/// One arm, compiled against its entry's published variants.
#[derive(Debug, Clone)]
pub struct LiveArm {
    pub id: String,
    pub name: String,
    pub ranked: bool,
    /// The index of the arm's variant among the entry's candidates; `None` for a ranked arm and
    /// for a variant that is not published (ranking serves).
    pub variant: Option<usize>,
    /// Percent of the audience's traffic (FIXED).
    pub weight: u32,
    /// The current Thompson share (BANDIT), summing to 1 over the arms.
    pub share: f64,
}

/// A running experiment as the snapshot holds it.
#[derive(Debug, Clone)]
pub struct LiveExperiment {
    pub id: String,
    pub name: String,
    pub audience: Option<Arc<Rule>>,
    pub mode: ExperimentMode,
    pub arms: Vec<LiveArm>,
}

/// Why an answer is not enrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotEnrolled {
    NoConsent,
    NoUserKey,
    OutsideAudience,
    OutsideWeights,
}

impl Display for NotEnrolled {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotEnrolled::NoConsent => "no personalization consent",
            NotEnrolled::NoUserKey => "no userKey",
            NotEnrolled::OutsideAudience => "outside the audience",
            NotEnrolled::OutsideWeights => "outside the weights",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enrollment {
    /// Enrolled in the arm at this index.
    Arm(usize),
    Not(NotEnrolled),
}

impl LiveExperiment {
    /// Enrolls an answer. `draw` is uniform in `[0, 1)` and only used in BANDIT mode.
    pub fn enroll(
        &self,
        user_key: Option<&str>,
        context: &ResolveContext<'_>,
        draw: f64,
    ) -> Enrollment {
        if !context.personalized {
            return Enrollment::Not(NotEnrolled::NoConsent);
        }
        let Some(key) = user_key.filter(|k| !k.is_empty()) else {
            return Enrollment::Not(NotEnrolled::NoUserKey);
        };
        if self
            .audience
            .as_ref()
            .is_some_and(|rule| !rule.matches(context.attributes))
        {
            return Enrollment::Not(NotEnrolled::OutsideAudience);
        }
        let arm = match self.mode {
            ExperimentMode::Fixed => {
                arm_of(bucket(&self.id, key), self.arms.iter().map(|a| a.weight))
            }
            ExperimentMode::Bandit => self.draw_arm(draw),
        };
        arm.map_or(
            Enrollment::Not(NotEnrolled::OutsideWeights),
            Enrollment::Arm,
        )
    }

    fn draw_arm(&self, draw: f64) -> Option<usize> {
        let mut end = 0.0;
        for (index, arm) in self.arms.iter().enumerate() {
            end += arm.share;
            if draw < end {
                return Some(index);
            }
        }
        // Rounding may leave the shares a hair under 1: the last arm takes the rest.
        self.arms.len().checked_sub(1)
    }
}

/// What delivery serves: the winner (if any), the enrollment (when the entry has a running
/// experiment) and whether the arm's own variant was served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub winner: Option<Winner>,
    pub enrollment: Option<Enrollment>,
    pub arm_variant: bool,
}

impl Choice {
    /// The enrolled arm's index, if any.
    pub fn arm(&self) -> Option<usize> {
        match self.enrollment {
            Some(Enrollment::Arm(arm)) => Some(arm),
            _ => None,
        }
    }
}

/// Chooses what to serve, with the entry's running experiment if it has one; allocates nothing.
pub fn choose(
    candidates: &[Candidate<'_>],
    context: &ResolveContext<'_>,
    experiment: Option<&LiveExperiment>,
    user_key: Option<&str>,
    draw: f64,
) -> Choice {
    let ranked = resolve(candidates, context);
    let Some(experiment) = experiment else {
        return Choice {
            winner: ranked,
            enrollment: None,
            arm_variant: false,
        };
    };
    let enrollment = experiment.enroll(user_key, context, draw);
    if let Enrollment::Arm(arm) = enrollment {
        let arm_winner = experiment.arms[arm]
            .variant
            .and_then(|index| arm_variant_winner(candidates, index, context, ranked));
        if let Some(winner) = arm_winner {
            return Choice {
                winner: Some(winner),
                enrollment: Some(enrollment),
                arm_variant: true,
            };
        }
    }
    Choice {
        winner: ranked,
        enrollment: Some(enrollment),
        arm_variant: false,
    }
}

/// The arm's variant as the winner, when it is eligible on every count but its rule: its best
/// locale tier must be no worse than the tier ranking chose (with the arm's variant counted
/// eligible, that tier is the first to hold an eligible variant).
fn arm_variant_winner(
    candidates: &[Candidate<'_>],
    index: usize,
    context: &ResolveContext<'_>,
    ranked: Option<Winner>,
) -> Option<Winner> {
    let candidate = candidates.get(index)?;
    if !passes_settings(candidate, context) {
        return None;
    }
    let tiers = context.locale_tiers();
    let tier = (0..tiers.len()).find(|&t| {
        tiers[t].is_some_and(|locale| candidate.in_locale_tier(locale, context.default_locale))
    })?;
    let limit = ranked.map_or(tiers.len(), |w| w.tier as usize + 1);
    (tier < limit).then_some(Winner {
        index,
        tier: LocaleTier::ALL[tier],
    })
}

/// The answer's reason: `experiment "NAME" arm ARM; …` or `not enrolled: WHY; …` before the
/// usual reason (or why nothing is served). Rendered only when displayed.
pub struct ChoiceReason<'r> {
    pub choice: &'r Choice,
    pub experiment: Option<&'r LiveExperiment>,
    pub candidates: &'r [Candidate<'r>],
    pub context: &'r ResolveContext<'r>,
}

impl Display for ChoiceReason<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match (self.choice.enrollment, self.experiment) {
            (Some(Enrollment::Arm(arm)), Some(experiment)) => write!(
                f,
                "experiment \"{}\" arm {}; ",
                experiment.name, experiment.arms[arm].name
            )?,
            (Some(Enrollment::Not(why)), _) => write!(f, "not enrolled: {why}; ")?,
            _ => {}
        }
        let Some(winner) = self.choice.winner else {
            return NoVariantReason::of(self.candidates, self.context).fmt(f);
        };
        if !self.choice.arm_variant {
            return winner.reason(self.candidates, self.context).fmt(f);
        }
        let candidate = &self.candidates[winner.index];
        f.write_str("the arm's variant")?;
        if let Some(device) = self
            .context
            .device
            .filter(|_| !candidate.devices.is_empty())
        {
            write!(f, "; device {device}")?;
        }
        write!(
            f,
            "; locale {}; priority {}",
            winner.tier.locale(self.context),
            candidate.priority
        )
    }
}

/// BANDIT mode's shares from each arm's chance to be best: `floor + (1 − arms × floor) × best`,
/// so every arm keeps at least [`BANDIT_FLOOR`] and the shares sum to 1. Equal shares when the
/// chances are unknown (all zero).
pub fn thompson_shares(best: &[f64]) -> Vec<f64> {
    let arms = best.len() as f64;
    let total: f64 = best.iter().sum();
    if best.is_empty() {
        return Vec::new();
    }
    if total <= 0.0 || !total.is_finite() {
        return vec![1.0 / arms; best.len()];
    }
    let spare = (1.0 - arms * BANDIT_FLOOR).max(0.0);
    let floor = (1.0 - spare) / arms;
    best.iter().map(|b| floor + spare * (b / total)).collect()
}

#[cfg(test)]
mod tests;
