//! Experiments: arms tested against each other on one entry (the contract's "Experiments").
//!
//! - This module: the experiment as stored (arms, audience, weights, goal, mode, status) and its
//!   transitions.
//! - [`draft`]: raw input checked into a valid definition, each fault named.
//! - [`bucket`]: FIXED mode's sticky bucket, a SHA-256 of (experiment id, userKey) in
//!   [0, 10000), the same on every node and across restarts.
//! - [`serve`]: the delivery side, pure and allocation-free: a running experiment compiled for
//!   the snapshot, enrollment (consent, userKey, audience, weights or Thompson shares) and the arm
//!   served, with its reason.
//! - [`report`]: the report's figures per arm (see `domain::statistics`) and the decision.

pub mod bucket;
pub mod draft;
pub mod report;
pub mod serve;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// Where an experiment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExperimentStatus {
    Draft,
    Running,
    Stopped,
    Concluded,
}

impl ExperimentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExperimentStatus::Draft => "draft",
            ExperimentStatus::Running => "running",
            ExperimentStatus::Stopped => "stopped",
            ExperimentStatus::Concluded => "concluded",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Draft, Self::Running, Self::Stopped, Self::Concluded]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// How arms are assigned: sticky buckets by weight, or Thompson sampling per answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExperimentMode {
    Fixed,
    Bandit,
}

impl ExperimentMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ExperimentMode::Fixed => "fixed",
            ExperimentMode::Bandit => "bandit",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Fixed, Self::Bandit]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// The event that counts as a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExperimentGoal {
    Click,
    Conversion,
}

impl ExperimentGoal {
    pub fn as_str(self) -> &'static str {
        match self {
            ExperimentGoal::Click => "click",
            ExperimentGoal::Conversion => "conversion",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Click, Self::Conversion]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// What an arm serves: one variant, or whatever ranking picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArmTarget {
    Variant(String),
    Ranked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arm {
    pub id: String,
    pub name: String,
    pub target: ArmTarget,
    /// Percent of the audience's traffic, 0..=100; the weights sum to at most 100.
    pub weight: u32,
}

impl Arm {
    pub fn variant(&self) -> Option<&str> {
        match &self.target {
            ArmTarget::Variant(id) => Some(id),
            ArmTarget::Ranked => None,
        }
    }
}

/// An experiment as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    pub id: String,
    pub brand_id: String,
    pub entry_id: String,
    pub name: String,
    pub hypothesis: Option<String>,
    /// The audience rule's JSON; `None` admits everyone.
    pub audience: Option<Value>,
    /// The first arm is the control.
    pub arms: Vec<Arm>,
    pub goal: ExperimentGoal,
    pub mode: ExperimentMode,
    pub status: ExperimentStatus,
    pub min_people_per_arm: u32,
    pub started_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
    /// The winning arm's id, once concluded.
    pub winner: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A lifecycle step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Start,
    Stop,
    Conclude,
}

impl Transition {
    /// The status after the step, or `None` when it is not allowed from `from`.
    pub fn apply(self, from: ExperimentStatus) -> Option<ExperimentStatus> {
        use ExperimentStatus::*;
        match (self, from) {
            (Transition::Start, Draft) => Some(Running),
            (Transition::Stop, Running) => Some(Stopped),
            (Transition::Conclude, Running | Stopped) => Some(Concluded),
            _ => None,
        }
    }

    /// The name the audit log uses.
    pub fn action(self) -> &'static str {
        match self {
            Transition::Start => "startExperiment",
            Transition::Stop => "stopExperiment",
            Transition::Conclude => "concludeExperiment",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_follow_the_contract() {
        use ExperimentStatus::*;
        assert_eq!(Transition::Start.apply(Draft), Some(Running));
        assert_eq!(Transition::Start.apply(Stopped), None);
        assert_eq!(Transition::Stop.apply(Running), Some(Stopped));
        assert_eq!(Transition::Stop.apply(Draft), None);
        assert_eq!(Transition::Conclude.apply(Running), Some(Concluded));
        assert_eq!(Transition::Conclude.apply(Stopped), Some(Concluded));
        assert_eq!(Transition::Conclude.apply(Draft), None);
        assert_eq!(Transition::Conclude.apply(Concluded), None);
    }

    #[test]
    fn names_read_back() {
        for s in ["draft", "running", "stopped", "concluded"] {
            assert_eq!(ExperimentStatus::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(
            ExperimentMode::parse("bandit"),
            Some(ExperimentMode::Bandit)
        );
        assert_eq!(ExperimentGoal::parse("click"), Some(ExperimentGoal::Click));
        assert_eq!(ExperimentGoal::parse("x"), None);
    }
}
