//! Audience rules: the JSON language editors target variants with, compiled once and evaluated
//! on every delivery.
//!
//! A rule is `null` (everyone), a condition `{"attr": NAME, "op": OP, "value": V}`, or a
//! combination `{"all": [...]}`, `{"any": [...]}`, `{"not": RULE}` (see the contract's "Audience
//! rules"). [`Rule::parse`] refuses malformed JSON with the path of the fault and compiles the
//! rest; [`Rule::matches`] then reads an [`Attributes`] view of the request and allocates nothing.
//! Operator semantics, including what happens on type mismatches, are documented in
//! [`condition`]. Rendering ([`Rule::render`], [`Rule::to_json`]) lives in `render`, reasons
//! ([`Rule::matched`], [`Rule::explain_failure`]) in `explain`, and the proofs that the conflicts
//! analysis relies on ([`Rule::covers`], [`common_audience`]) in `implication` and `witness`.
//!
//! This module knows nothing of variants or resolution; `resolution` and `conflicts` build on it.

mod attributes;
mod audience;
pub mod condition;
mod explain;
mod implication;
mod parse;
mod render;
#[cfg(test)]
mod tests;
mod witness;

use std::fmt::{self, Display, Formatter};

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

pub use attributes::Attributes;
pub use audience::{referenced_audiences, AudienceLookup, NoAudiences};
use condition::Test;
pub use condition::{Condition, Op};
pub use explain::{Matched, RuleFailure};
pub use parse::{RuleError, MAX_DEPTH, REGEX_SIZE_LIMIT};
pub use witness::common_audience;

/// A compiled, valid audience rule. `Option<Rule>` is how callers say "maybe no rule": `None`
/// targets everyone.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule as written: rendering, JSON and explanations follow its order.
    root: Node,
    /// The same rule with the children of every `all`/`any` sorted cheapest first, so that
    /// evaluation short-circuits before costly tests (regular expressions, instants). Tests are
    /// pure, so the order never changes the outcome.
    eval: Node,
    leaf_count: usize,
}

/// A node of the compiled rule tree.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Leaf(Condition),
    All(Box<[Node]>),
    Any(Box<[Node]>),
    Not(Box<Node>),
    /// `{"audience": NAME}`: holds when the named audience's rule holds. The audience's compiled
    /// rule is inlined here when the rule is compiled (`None` only for rules read for display).
    Audience(Box<audience::AudienceRef>),
}

/// A rule expanded into "any of these all-of-conditions"; see [`Rule::disjuncts`].
pub type Disjuncts<'r> = Vec<Vec<&'r Condition>>;

/// The most disjuncts [`Rule::disjuncts`] expands a rule into before giving up.
const MAX_DISJUNCTS: usize = 64;

impl Rule {
    /// Reads rule JSON: `null` is no rule (`Ok(None)`), anything malformed is a [`RuleError`].
    /// An `{"audience": NAME}` condition is refused here as unknown: rules that may name a
    /// brand's audiences are read with [`Rule::parse_with`].
    pub fn parse(json: &Value) -> Result<Option<Rule>, RuleError> {
        Rule::parse_with(json, &NoAudiences)
    }

    /// Reads rule JSON whose `{"audience": NAME}` conditions name the audiences `audiences`
    /// knows; each is inlined, so evaluation never looks an audience up.
    pub fn parse_with(
        json: &Value,
        audiences: &dyn AudienceLookup,
    ) -> Result<Option<Rule>, RuleError> {
        Rule::compile(json, audiences, true)
    }

    /// Reads rule JSON for display only: audiences are kept by name and hold for nobody.
    pub fn parse_for_display(json: &Value) -> Result<Option<Rule>, RuleError> {
        Rule::compile(json, &NoAudiences, false)
    }

    fn compile(
        json: &Value,
        audiences: &dyn AudienceLookup,
        resolve: bool,
    ) -> Result<Option<Rule>, RuleError> {
        if json.is_null() {
            return Ok(None);
        }
        let root = parse::parse_root(json, audiences, resolve)?;
        let mut leaf_count = 0;
        root.for_each_condition(&mut |_| leaf_count += 1);
        let eval = root.cheapest_first();
        Ok(Some(Rule {
            root,
            eval,
            leaf_count,
        }))
    }

    /// Whether the rule holds for these attributes. Allocates nothing.
    pub fn matches(&self, attributes: &Attributes<'_>) -> bool {
        self.eval.holds(attributes)
    }

    /// The number of leaf conditions; `all`, `any` and `not` do not count.
    pub fn specificity(&self) -> usize {
        self.leaf_count
    }

    /// The rule as one readable line, e.g. `segment in [skier] and (tier >= 3 or vip eq true)`.
    pub fn render(&self) -> String {
        self.to_string()
    }

    /// The canonical JSON of the rule; [`Rule::parse`] reads it back to the same rule.
    pub fn to_json(&self) -> Value {
        render::node_to_json(&self.root)
    }

    /// The conditions that made the rule hold, displayed as `a in [x] and b exists`. Only
    /// meaningful when the rule matches; displaying it allocates nothing of its own.
    pub fn matched<'r, 'a>(&'r self, attributes: &'r Attributes<'a>) -> Matched<'r, 'a> {
        Matched {
            root: &self.root,
            attributes,
        }
    }

    /// The rendered conditions (or whole `not (…)` parts) that held and made the rule hold;
    /// empty when the rule fails.
    pub fn matched_conditions(&self, attributes: &Attributes<'_>) -> Vec<String> {
        let mut rendered = Vec::new();
        if self.matches(attributes) {
            let _ = explain::visit_matched(&self.root, attributes, &mut |atom| {
                rendered.push(atom.to_string());
                Ok::<(), ()>(())
            });
        }
        rendered
    }

    /// Why the rule fails for these attributes, or `None` when it holds.
    pub fn explain_failure(&self, attributes: &Attributes<'_>) -> Option<RuleFailure> {
        explain::failure(&self.root, attributes)
    }

    /// Every leaf condition, in rule order (those under a `not` included).
    pub fn leaves(&self) -> Vec<&Condition> {
        let mut leaves = Vec::with_capacity(self.leaf_count);
        self.root
            .for_each_condition(&mut |condition| leaves.push(condition));
        leaves
    }

    /// The rule as "any of these all-of-conditions" (disjunctive normal form), when it has no
    /// `not` and expands into at most 64 disjuncts; `None` otherwise.
    pub fn disjuncts(&self) -> Option<Disjuncts<'_>> {
        self.root.disjuncts()
    }

    /// The names of the audiences the rule uses, directly or through another audience.
    pub fn audiences(&self) -> Vec<&str> {
        let mut names = Vec::new();
        self.root.for_each_audience(&mut |name| {
            if !names.contains(&name) {
                names.push(name);
            }
        });
        names
    }
}

impl Node {
    /// A rough relative cost of evaluating the node.
    fn cost(&self) -> u32 {
        match self {
            Node::Leaf(condition) => match condition.test() {
                Test::Present => 1,
                Test::Equals(_) | Test::Bound { .. } | Test::NumberRange(..) => 2,
                Test::OneOf(_) | Test::StartsWith(_) | Test::EndsWith(_) => 3,
                Test::Contains(_) => 5,
                Test::Before(_) | Test::After(_) | Test::InstantRange(..) => 8,
                Test::Matches(_) => 25,
            },
            Node::Audience(audience) => audience.inner.as_ref().map_or(0, Node::cost),
            Node::All(children) | Node::Any(children) => children.iter().map(Node::cost).sum(),
            Node::Not(inner) => inner.cost(),
        }
    }

    /// A copy whose `all`/`any` children are sorted by cost, cheapest first (stable).
    fn cheapest_first(&self) -> Node {
        let sorted = |children: &[Node]| {
            let mut copy: Vec<Node> = children.iter().map(Node::cheapest_first).collect();
            copy.sort_by_key(Node::cost);
            copy.into_boxed_slice()
        };
        match self {
            Node::Leaf(condition) => Node::Leaf(condition.clone()),
            Node::All(children) => Node::All(sorted(children)),
            Node::Any(children) => Node::Any(sorted(children)),
            Node::Not(inner) => Node::Not(Box::new(inner.cheapest_first())),
            // Inlined: evaluation reads the audience's own tree, with no indirection.
            Node::Audience(audience) => match &audience.inner {
                Some(inner) => inner.cheapest_first(),
                None => Node::Any(Box::new([])),
            },
        }
    }

    fn holds(&self, attributes: &Attributes<'_>) -> bool {
        match self {
            Node::Leaf(condition) => condition.holds_for(attributes.get(condition.attr())),
            Node::All(children) => children.iter().all(|child| child.holds(attributes)),
            Node::Any(children) => children.iter().any(|child| child.holds(attributes)),
            Node::Not(inner) => !inner.holds(attributes),
            Node::Audience(audience) => audience
                .inner
                .as_ref()
                .is_some_and(|inner| inner.holds(attributes)),
        }
    }

    fn for_each_condition<'r>(&'r self, visit: &mut impl FnMut(&'r Condition)) {
        match self {
            Node::Leaf(condition) => visit(condition),
            Node::All(children) | Node::Any(children) => {
                children
                    .iter()
                    .for_each(|child| child.for_each_condition(visit));
            }
            Node::Not(inner) => inner.for_each_condition(visit),
            Node::Audience(audience) => {
                if let Some(inner) = &audience.inner {
                    inner.for_each_condition(visit);
                }
            }
        }
    }

    fn for_each_audience<'r>(&'r self, visit: &mut impl FnMut(&'r str)) {
        match self {
            Node::Leaf(_) => {}
            Node::All(children) | Node::Any(children) => {
                children
                    .iter()
                    .for_each(|child| child.for_each_audience(visit));
            }
            Node::Not(inner) => inner.for_each_audience(visit),
            Node::Audience(audience) => {
                visit(&audience.name);
                if let Some(inner) = &audience.inner {
                    inner.for_each_audience(visit);
                }
            }
        }
    }

    fn disjuncts(&self) -> Option<Disjuncts<'_>> {
        match self {
            Node::Leaf(condition) => Some(vec![vec![condition]]),
            Node::Not(_) => None,
            Node::Audience(audience) => audience.inner.as_ref()?.disjuncts(),
            Node::Any(children) => {
                let mut all = Vec::new();
                for child in children.iter() {
                    all.extend(child.disjuncts()?);
                }
                (all.len() <= MAX_DISJUNCTS).then_some(all)
            }
            Node::All(children) => children
                .iter()
                .try_fold(vec![Vec::new()], |product, child| {
                    cross(product, &child.disjuncts()?)
                }),
        }
    }
}

/// Every conjunction of `left` extended with every conjunction of `right`, within the limit.
fn cross<'r>(left: Disjuncts<'r>, right: &Disjuncts<'r>) -> Option<Disjuncts<'r>> {
    if left.len() * right.len() > MAX_DISJUNCTS {
        return None;
    }
    let product = left
        .iter()
        .flat_map(|l| {
            right
                .iter()
                .map(move |r| l.iter().chain(r).copied().collect())
        })
        .collect();
    Some(product)
}

impl Display for Rule {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.root.fmt(f)
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Rule {
    /// Reads rule JSON; `null` is refused here (use `Option<Rule>` for "no rule").
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = Value::deserialize(deserializer)?;
        match Rule::parse(&json) {
            Ok(Some(rule)) => Ok(rule),
            Ok(None) => Err(de::Error::custom("expected a rule, found null")),
            Err(error) => Err(de::Error::custom(error)),
        }
    }
}
