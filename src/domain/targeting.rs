//! Who a variant is for, and when: its audience rule, devices, locale, priority and schedule.
//!
//! A [`Targeting`] is these settings as one typed value, generic over the form its rule takes:
//! a revision writes the rule as the editor wrote it (JSON, which canonical JSON and the revision
//! hash cover), a published variant reads it back as the stored text, and anything that ranks
//! variants compiles it against the brand's audiences into a shared [`Rule`]. Whatever the
//! source, a resolution [`Candidate`] is made in one place, [`Targeting::candidate`]: the
//! delivery snapshot, editors' preview and the conflict checks of a save all go through it, so a
//! new targeting setting changes this module and resolution, nothing in between.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::audience::AudienceRules;
use super::device::Device;
use super::resolution::Candidate;
use super::rule::{Rule, RuleError};

/// A variant's targeting; `R` is its rule's form (compiled by default).
#[derive(Debug, Clone, PartialEq)]
pub struct Targeting<R = Arc<Rule>> {
    /// `None` targets everyone.
    pub rule: Option<R>,
    /// Empty targets every device.
    pub devices: Vec<Device>,
    /// `None` belongs to the brand's default locale.
    pub locale: Option<String>,
    pub priority: i32,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
}

/// What ranking and eligibility read besides the targeting: the variant's standing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    /// The revision's quality score.
    pub quality: f64,
    /// When the variant was created (the last tie-break when ranking).
    pub created_at: DateTime<Utc>,
    /// Whether the variant has a published revision.
    pub published: bool,
    pub archived: bool,
}

impl<R> Targeting<R> {
    /// The same settings with the rule turned into another form by `compile`, which answers
    /// `None` for a rule that targets everyone (JSON `null`).
    pub fn try_map_rule<S, E>(
        self,
        compile: impl FnOnce(R) -> Result<Option<S>, E>,
    ) -> Result<Targeting<S>, E> {
        let (rule, targeting) = self.take_rule();
        let rule = match rule {
            Some(rule) => compile(rule)?,
            None => None,
        };
        Ok(targeting.with_rule(rule))
    }

    /// The same settings with another rule.
    pub fn with_rule<S>(self, rule: Option<S>) -> Targeting<S> {
        Targeting {
            rule,
            devices: self.devices,
            locale: self.locale,
            priority: self.priority,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        }
    }

    /// The rule, and the settings without it.
    fn take_rule(mut self) -> (Option<R>, Targeting<R>) {
        (self.rule.take(), self)
    }
}

impl Targeting<&Value> {
    /// Compiles the rule as written against the brand's audiences.
    pub fn compile(self, audiences: &AudienceRules) -> Result<Targeting, RuleError> {
        self.try_map_rule(|json| Ok(Rule::parse_with(json, audiences)?.map(Arc::new)))
    }

    /// The rule as the JSON text it is stored as.
    pub fn to_text(self) -> Targeting<String> {
        let rule = self.rule.map(Value::to_string);
        self.with_rule(rule)
    }
}

impl Targeting {
    /// The variant as resolution sees it: the one way a [`Candidate`] is made.
    pub fn candidate<'a>(
        &'a self,
        id: &'a str,
        name: &'a str,
        standing: Standing,
    ) -> Candidate<'a> {
        Candidate {
            id,
            name,
            priority: self.priority,
            rule: self.rule.as_deref(),
            devices: &self.devices,
            locale: self.locale.as_deref(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            quality: standing.quality,
            created_at: standing.created_at,
            published: standing.published,
            archived: standing.archived,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn written(rule: Option<&Value>) -> Targeting<&Value> {
        Targeting {
            rule,
            devices: vec![Device::Mobile],
            locale: Some("de".into()),
            priority: 7,
            starts_at: None,
            ends_at: Some(Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()),
        }
    }

    #[test]
    fn a_candidate_carries_every_setting_and_the_standing() {
        let json = json!({"attr": "segment", "op": "eq", "value": "skier"});
        let targeting = written(Some(&json)).compile(&AudienceRules::new()).unwrap();
        let standing = Standing {
            quality: 0.85,
            created_at: Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(),
            published: true,
            archived: false,
        };
        let candidate = targeting.candidate("v1", "Skier", standing);
        assert_eq!((candidate.id, candidate.name), ("v1", "Skier"));
        assert_eq!(candidate.priority, 7);
        assert_eq!(candidate.devices, &[Device::Mobile]);
        assert_eq!(candidate.locale, Some("de"));
        assert_eq!(candidate.ends_at, targeting.ends_at);
        assert_eq!(candidate.specificity(), 2);
        assert_eq!(candidate.quality, 0.85);
        assert!(candidate.published && !candidate.archived);
    }

    #[test]
    fn a_null_rule_targets_everyone_and_a_bad_one_is_refused() {
        let null = Value::Null;
        assert!(written(Some(&null))
            .compile(&AudienceRules::new())
            .unwrap()
            .rule
            .is_none());
        let unknown = json!({"audience": "Nobody"});
        assert!(written(Some(&unknown))
            .compile(&AudienceRules::new())
            .is_err());
    }
}
