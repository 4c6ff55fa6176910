//! An experiment's definition as an editor sends it, checked once into a [`Definition`]: every
//! fault the contract lists (fewer than two arms, an arm with both or neither of `variant` and
//! `ranked`, a variant of another entry, weights below 0 or summing over 100, a malformed audience
//! rule) is refused with its place named, e.g. `arms[1].weight: below 0`.

use serde_json::Value;

use super::{Arm, ArmTarget, ExperimentGoal, ExperimentMode};
use crate::domain::rule::{AudienceLookup, Rule, RuleError};

/// The most arms an experiment may have: with 20, BANDIT mode's 5 % floor takes all traffic.
pub const MAX_ARMS: usize = 20;
/// `minPeoplePerArm` when not given.
pub const DEFAULT_MIN_PEOPLE_PER_ARM: u32 = 100;
/// The longest name or hypothesis, in characters.
const MAX_TEXT: usize = 2000;

/// A draft's first fault, named by its place (`arms[1].weight: below 0`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    #[error("name: must not be empty")]
    EmptyName,
    #[error("name: at most {} characters", MAX_TEXT)]
    LongName,
    #[error("hypothesis: at most {} characters", MAX_TEXT)]
    LongHypothesis,
    #[error("audience: {0}")]
    Audience(RuleError),
    #[error("minPeoplePerArm: must be at least 1")]
    MinPeoplePerArm,
    #[error("arms: an experiment needs at least two arms, got {0}")]
    TooFewArms(usize),
    #[error("arms: at most {} arms", MAX_ARMS)]
    TooManyArms,
    #[error("arms[{0}].name: must be 1 to 200 characters")]
    ArmName(usize),
    #[error("arms[{index}].name: `{name}` names two arms")]
    ArmNamedTwice { index: usize, name: String },
    #[error("arms[{0}]: exactly one of `variant` and `ranked: true` must be given")]
    ArmTarget(usize),
    #[error("arms[{index}].variant: `{variant}` is not a variant of this entry")]
    ForeignVariant { index: usize, variant: String },
    #[error("arms[{0}].weight: below 0")]
    NegativeWeight(usize),
    #[error("arms: the weights sum to more than 100 (at arms[{0}])")]
    WeightsOver100(usize),
}

/// One arm as sent.
#[derive(Debug, Clone, Default)]
pub struct ArmDraft {
    pub name: String,
    pub variant: Option<String>,
    pub ranked: Option<bool>,
    pub weight: i64,
}

/// The whole definition as sent.
#[derive(Debug, Clone)]
pub struct Draft {
    pub name: String,
    pub hypothesis: Option<String>,
    pub audience: Option<Value>,
    pub arms: Vec<ArmDraft>,
    pub goal: ExperimentGoal,
    pub mode: Option<ExperimentMode>,
    pub min_people_per_arm: Option<i64>,
}

/// A checked definition; arms get their ids when stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub name: String,
    pub hypothesis: Option<String>,
    /// The rule's JSON, `None` for everyone (a JSON `null` too).
    pub audience: Option<Value>,
    /// Arm ids are empty until the store names them.
    pub arms: Vec<Arm>,
    pub goal: ExperimentGoal,
    pub mode: ExperimentMode,
    pub min_people_per_arm: u32,
}

impl Draft {
    /// Checks the draft against the ids of its entry's variants and the brand's audiences (which
    /// the audience rule may name as `{"audience": NAME}`); the first fault found is named.
    pub fn check(
        self,
        entry_variants: &[&str],
        audiences: &dyn AudienceLookup,
    ) -> Result<Definition, DraftError> {
        let name = self.name.trim().to_string();
        if name.is_empty() {
            return Err(DraftError::EmptyName);
        }
        if name.chars().count() > MAX_TEXT {
            return Err(DraftError::LongName);
        }
        if self
            .hypothesis
            .as_ref()
            .is_some_and(|h| h.chars().count() > MAX_TEXT)
        {
            return Err(DraftError::LongHypothesis);
        }
        let audience = self.audience.filter(|a| !a.is_null());
        if let Some(rule) = &audience {
            Rule::parse_with(rule, audiences).map_err(DraftError::Audience)?;
        }
        let arms = check_arms(self.arms, entry_variants)?;
        let min_people_per_arm = match self.min_people_per_arm {
            None => DEFAULT_MIN_PEOPLE_PER_ARM,
            Some(n) if (1..=i64::from(i32::MAX)).contains(&n) => n as u32,
            Some(_) => return Err(DraftError::MinPeoplePerArm),
        };
        Ok(Definition {
            name,
            hypothesis: self.hypothesis.filter(|h| !h.trim().is_empty()),
            audience,
            arms,
            goal: self.goal,
            mode: self.mode.unwrap_or(ExperimentMode::Fixed),
            min_people_per_arm,
        })
    }
}

fn check_arms(arms: Vec<ArmDraft>, entry_variants: &[&str]) -> Result<Vec<Arm>, DraftError> {
    if arms.len() < 2 {
        return Err(DraftError::TooFewArms(arms.len()));
    }
    if arms.len() > MAX_ARMS {
        return Err(DraftError::TooManyArms);
    }
    let mut checked: Vec<Arm> = Vec::with_capacity(arms.len());
    let mut sum = 0i64;
    for (index, arm) in arms.into_iter().enumerate() {
        let name = arm.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(DraftError::ArmName(index));
        }
        if checked.iter().any(|a| a.name == name) {
            return Err(DraftError::ArmNamedTwice { index, name });
        }
        let target = match (arm.variant, arm.ranked.unwrap_or(false)) {
            (Some(_), true) | (None, false) => return Err(DraftError::ArmTarget(index)),
            (None, true) => ArmTarget::Ranked,
            (Some(variant), false) => {
                if !entry_variants.contains(&variant.as_str()) {
                    return Err(DraftError::ForeignVariant { index, variant });
                }
                ArmTarget::Variant(variant)
            }
        };
        if arm.weight < 0 {
            return Err(DraftError::NegativeWeight(index));
        }
        sum = sum.saturating_add(arm.weight);
        if sum > 100 {
            return Err(DraftError::WeightsOver100(index));
        }
        checked.push(Arm {
            id: String::new(),
            name,
            target,
            weight: arm.weight as u32,
        });
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rule::NoAudiences;
    use serde_json::json;

    fn arm(name: &str, variant: Option<&str>, ranked: Option<bool>, weight: i64) -> ArmDraft {
        ArmDraft {
            name: name.into(),
            variant: variant.map(str::to_string),
            ranked,
            weight,
        }
    }

    fn draft(arms: Vec<ArmDraft>) -> Draft {
        Draft {
            name: "Hero test".into(),
            hypothesis: None,
            audience: None,
            arms,
            goal: ExperimentGoal::Click,
            mode: None,
            min_people_per_arm: None,
        }
    }

    const VARIANTS: &[&str] = &["var_a", "var_b"];

    #[test]
    fn a_holdout_is_valid_and_defaults_apply() {
        let d = draft(vec![
            arm("control", Some("var_a"), None, 10),
            arm("personalized", None, Some(true), 90),
        ])
        .check(VARIANTS, &NoAudiences)
        .unwrap();
        assert_eq!(d.mode, ExperimentMode::Fixed);
        assert_eq!(d.min_people_per_arm, 100);
        assert_eq!(d.arms[0].target, ArmTarget::Variant("var_a".into()));
        assert_eq!(d.arms[1].target, ArmTarget::Ranked);
    }

    #[test]
    fn every_fault_is_named() {
        let fault = |d: Draft| d.check(VARIANTS, &NoAudiences).unwrap_err().to_string();
        assert!(fault(draft(vec![arm("a", Some("var_a"), None, 50)])).contains("at least two"));
        assert!(fault(draft(vec![
            arm("a", Some("var_a"), Some(true), 50),
            arm("b", Some("var_b"), None, 50)
        ]))
        .starts_with("arms[0]: exactly one"));
        assert!(fault(draft(vec![
            arm("a", Some("var_a"), None, 50),
            arm("b", None, Some(false), 50)
        ]))
        .starts_with("arms[1]: exactly one"));
        assert!(fault(draft(vec![
            arm("a", Some("var_a"), None, 50),
            arm("b", Some("var_other"), None, 50)
        ]))
        .contains("not a variant of this entry"));
        assert!(fault(draft(vec![
            arm("a", Some("var_a"), None, -1),
            arm("b", Some("var_b"), None, 50)
        ]))
        .starts_with("arms[0].weight: below 0"));
        assert!(fault(draft(vec![
            arm("a", Some("var_a"), None, 60),
            arm("b", Some("var_b"), None, 41)
        ]))
        .contains("sum to more than 100"));
        let mut bad_rule = draft(vec![
            arm("a", Some("var_a"), None, 50),
            arm("b", Some("var_b"), None, 50),
        ]);
        bad_rule.audience = Some(json!({"attr": "x", "op": "nope", "value": 1}));
        assert!(fault(bad_rule).starts_with("audience: $"));
        let mut no_min = draft(vec![
            arm("a", Some("var_a"), None, 50),
            arm("b", Some("var_b"), None, 50),
        ]);
        no_min.min_people_per_arm = Some(0);
        assert!(fault(no_min).starts_with("minPeoplePerArm"));
        assert!(fault(draft(vec![
            arm("a", Some("var_a"), None, 50),
            arm("a", Some("var_b"), None, 50)
        ]))
        .contains("names two arms"));
    }
}
