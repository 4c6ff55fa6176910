//! Choosing the variant to serve: the contract's "Choosing the variant", steps 1–5, as pure code.
//!
//! Callers keep their variants compiled in an immutable snapshot and hand this module borrowed
//! [`Candidate`]s plus a [`ResolveContext`]. Two entry points share the same eligibility checks,
//! locale tiers and ranking:
//! - [`resolve`], the delivery hot path, allocates nothing: one pass keeps the best candidate of
//!   each locale tier and skips evaluating rules of candidates that could not win anyway. Its
//!   [`Winner`] renders the reason (`matched segment in [skier]; device MOBILE; locale en;
//!   priority 0`) only when asked, through [`Winner::reason`].
//! - [`explain`] (in `explain`), for editors' preview, reports on every non-archived candidate
//!   why it was or was not eligible, and picks the same winner by a separate, exhaustive route.
//!
//! When nothing wins, [`NoVariantReason`] (in `no_winner`) counts why in one more pass,
//! allocation-free, for delivery and preview alike.

mod explain;
mod no_winner;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

use std::cmp::Ordering;
use std::fmt::{self, Display, Formatter};

use chrono::{DateTime, Utc};

use super::device::Device;
use super::rule::{Attributes, Matched, Rule};

pub use explain::{explain, CandidateReport, Explanation};
pub use no_winner::{no_variant_reason, NoVariantReason};

/// One variant as resolution sees it: its published revision's settings, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub priority: i32,
    /// `None` targets everyone.
    pub rule: Option<&'a Rule>,
    /// Empty targets every device.
    pub devices: &'a [Device],
    /// `None` belongs to the brand's default locale.
    pub locale: Option<&'a str>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub quality: f64,
    pub created_at: DateTime<Utc>,
    /// Whether the variant has a published revision.
    pub published: bool,
    pub archived: bool,
}

impl Candidate<'_> {
    /// Leaf conditions of the rule, plus one when the variant targets devices.
    pub fn specificity(&self) -> usize {
        self.rule.map_or(0, Rule::specificity) + usize::from(!self.devices.is_empty())
    }

    /// Whether the schedule is open at `at`: `starts_at <= at < ends_at`, absent bounds open.
    pub fn is_scheduled_at(&self, at: DateTime<Utc>) -> bool {
        self.starts_at.is_none_or(|start| start <= at) && self.ends_at.is_none_or(|end| at < end)
    }

    /// Whether the variant targets the device; an unknown device only matches "every device".
    pub fn targets_device(&self, device: Option<Device>) -> bool {
        self.devices.is_empty() || device.is_some_and(|device| self.devices.contains(&device))
    }

    /// Whether the quality score reaches the brand's minimum (a NaN score never does).
    pub fn meets_quality(&self, min_quality: f64) -> bool {
        self.quality >= min_quality
    }

    /// Whether the rule, if any, holds for the attributes.
    pub fn rule_holds(&self, attributes: &Attributes<'_>) -> bool {
        self.rule.is_none_or(|rule| rule.matches(attributes))
    }

    /// Whether the variant targets nobody in particular: no rule and no devices. Without
    /// personalization consent only these are eligible.
    pub fn is_untargeted(&self) -> bool {
        self.rule.is_none() && self.devices.is_empty()
    }

    /// Whether the variant belongs to the locale tier `tier` (case-insensitive).
    pub fn in_locale_tier(&self, tier: &str, default_locale: &str) -> bool {
        self.locale
            .unwrap_or(default_locale)
            .eq_ignore_ascii_case(tier)
    }
}

/// What a request brings to resolution.
#[derive(Debug, Clone, Copy)]
pub struct ResolveContext<'a> {
    pub attributes: &'a Attributes<'a>,
    /// `None` when the device is unknown.
    pub device: Option<Device>,
    /// The requested locale, e.g. `de-CH`.
    pub locale: Option<&'a str>,
    pub default_locale: &'a str,
    /// The instant to resolve at: now, or a preview's `at`.
    pub at: DateTime<Utc>,
    /// The brand's `minQuality`.
    pub min_quality: f64,
    /// Whether the visitor consented to personalization. Without it only untargeted variants
    /// ([`Candidate::is_untargeted`]) are eligible and the reason says so; callers also leave
    /// the attributes empty and the device unknown.
    pub personalized: bool,
}

impl<'a> ResolveContext<'a> {
    /// The locale tiers in the order they are tried: the requested locale, its language alone,
    /// the default locale. A tier repeating an earlier one (ignoring case) is `None`.
    pub fn locale_tiers(&self) -> [Option<&'a str>; 3] {
        let requested = self.locale.filter(|locale| !locale.is_empty());
        let language = requested.and_then(|locale| locale.split(['-', '_']).next());
        let language = language.filter(|language| Some(*language) != requested);
        let default = Some(self.default_locale).filter(|d| {
            ![requested, language]
                .into_iter()
                .flatten()
                .any(|t| t.eq_ignore_ascii_case(d))
        });
        [requested, language, default]
    }
}

/// Which of the tried locales the winner came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocaleTier {
    Requested,
    Language,
    Default,
}

impl LocaleTier {
    pub(crate) const ALL: [LocaleTier; 3] = [
        LocaleTier::Requested,
        LocaleTier::Language,
        LocaleTier::Default,
    ];

    /// The locale this tier stands for in `context`.
    pub fn locale<'a>(self, context: &ResolveContext<'a>) -> &'a str {
        let position = self as usize;
        context.locale_tiers()[position].unwrap_or(context.default_locale)
    }
}

/// The variant to serve: its index among the candidates and the tier it was chosen in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Winner {
    pub index: usize,
    pub tier: LocaleTier,
}

impl Winner {
    /// The reason it won, rendered when displayed: `matched segment in [skier]; device MOBILE;
    /// locale en; priority 0`. `candidates` and `context` must be those it was resolved from.
    pub fn reason<'r>(
        &self,
        candidates: &'r [Candidate<'r>],
        context: &'r ResolveContext<'r>,
    ) -> WinReason<'r> {
        WinReason {
            candidate: &candidates[self.index],
            context,
            locale: self.tier.locale(context),
        }
    }
}

/// Why a winner won, written out by its `Display` as its [`parts`](WinReason::parts) joined by
/// `; `.
#[derive(Clone, Copy)]
pub struct WinReason<'r> {
    candidate: &'r Candidate<'r>,
    context: &'r ResolveContext<'r>,
    locale: &'r str,
}

/// One part of a [`WinReason`].
#[derive(Clone, Copy)]
pub enum ReasonPart<'r> {
    /// `no personalization consent`: only untargeted variants were eligible.
    WithoutConsent,
    /// `matched segment in [skier] and tier >= 3`
    Matched(Matched<'r, 'r>),
    /// `targets everyone`: the variant has no rule.
    Everyone,
    /// `device MOBILE`: the variant targets devices and this one is among them.
    Device(Device),
    /// `locale en`: the locale tier it was chosen in.
    Locale(&'r str),
    /// `priority 0`
    Priority(i32),
}

impl<'r> WinReason<'r> {
    /// The parts of the reason, in order; allocates nothing.
    pub fn parts(&self) -> impl Iterator<Item = ReasonPart<'r>> {
        let candidate = self.candidate;
        let audience = match candidate.rule {
            Some(rule) => ReasonPart::Matched(rule.matched(self.context.attributes)),
            None => ReasonPart::Everyone,
        };
        let device = self
            .context
            .device
            .filter(|_| !candidate.devices.is_empty());
        let consent = (!self.context.personalized).then_some(ReasonPart::WithoutConsent);
        [
            consent,
            Some(audience),
            device.map(ReasonPart::Device),
            Some(ReasonPart::Locale(self.locale)),
        ]
        .into_iter()
        .chain([Some(ReasonPart::Priority(candidate.priority))])
        .flatten()
    }
}

impl Display for ReasonPart<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ReasonPart::WithoutConsent => f.write_str("no personalization consent"),
            ReasonPart::Matched(matched) => write!(f, "matched {matched}"),
            ReasonPart::Everyone => f.write_str("targets everyone"),
            ReasonPart::Device(device) => write!(f, "device {device}"),
            ReasonPart::Locale(locale) => write!(f, "locale {locale}"),
            ReasonPart::Priority(priority) => write!(f, "priority {priority}"),
        }
    }
}

impl Display for WinReason<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (index, part) in self.parts().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            part.fmt(f)?;
        }
        Ok(())
    }
}

/// The serving order: `Less` when `a` is served before `b`. Higher priority, then higher
/// specificity, then higher quality, then the older variant; the id settles exact ties so that
/// the order never depends on the candidates' order.
pub fn rank_order(a: &Candidate<'_>, b: &Candidate<'_>) -> Ordering {
    b.priority
        .cmp(&a.priority)
        .then_with(|| b.specificity().cmp(&a.specificity()))
        .then_with(|| b.quality.total_cmp(&a.quality))
        .then_with(|| a.created_at.cmp(&b.created_at))
        .then_with(|| a.id.cmp(b.id))
}

/// Eligibility on every count but the rule and the locale tier, cheapest checks first.
pub(crate) fn passes_settings(candidate: &Candidate<'_>, context: &ResolveContext<'_>) -> bool {
    candidate.published
        && !candidate.archived
        && candidate.is_scheduled_at(context.at)
        && candidate.targets_device(context.device)
        && candidate.meets_quality(context.min_quality)
        && (context.personalized || candidate.is_untargeted())
}

/// Chooses the variant to serve, allocating nothing; `None` when no variant is eligible.
pub fn resolve(candidates: &[Candidate<'_>], context: &ResolveContext<'_>) -> Option<Winner> {
    if candidates
        .windows(2)
        .all(|pair| rank_order(&pair[0], &pair[1]).is_le())
    {
        resolve_ranked(candidates, context)
    } else {
        resolve_unordered(candidates, context)
    }
}

/// The fast path, for candidates already in serving order (the delivery snapshot keeps them so).
/// In that order the first eligible candidate of a locale tier is that tier's best, so the scan
/// stops as soon as the requested locale's tier has one, and otherwise only evaluates the rules of
/// candidates that belong to a better tier than the best found so far.
fn resolve_ranked(candidates: &[Candidate<'_>], context: &ResolveContext<'_>) -> Option<Winner> {
    let tiers = context.locale_tiers();
    let mut found: Option<(usize, usize)> = None;
    for (index, candidate) in candidates.iter().enumerate() {
        let better_than = found.map_or(tiers.len(), |(tier, _)| tier);
        if better_than == 0 {
            break;
        }
        if !passes_settings(candidate, context) {
            continue;
        }
        let tier = (0..better_than).find(|&t| {
            tiers[t].is_some_and(|locale| candidate.in_locale_tier(locale, context.default_locale))
        });
        if let Some(tier) = tier {
            if candidate.rule_holds(context.attributes) {
                found = Some((tier, index));
            }
        }
    }
    found.map(|(tier, index)| Winner {
        index,
        tier: LocaleTier::ALL[tier],
    })
}

/// The general path, for candidates in any order.
fn resolve_unordered(candidates: &[Candidate<'_>], context: &ResolveContext<'_>) -> Option<Winner> {
    let tiers = context.locale_tiers();
    let mut best: [Option<usize>; 3] = [None; 3];
    for (index, candidate) in candidates.iter().enumerate() {
        if !passes_settings(candidate, context) {
            continue;
        }
        let improves = |best: &[Option<usize>; 3], tier: usize| {
            tiers[tier]
                .is_some_and(|locale| candidate.in_locale_tier(locale, context.default_locale))
                && best[tier].is_none_or(|b| rank_order(candidate, &candidates[b]).is_lt())
        };
        // The rule is the costly check: only evaluate it when the candidate could take a tier.
        if !(0..3).any(|tier| improves(&best, tier)) || !candidate.rule_holds(context.attributes) {
            continue;
        }
        for tier in 0..3 {
            if improves(&best, tier) {
                best[tier] = Some(index);
            }
        }
    }
    let (tier, index) = LocaleTier::ALL
        .into_iter()
        .zip(best)
        .find_map(|(t, b)| Some((t, b?)))?;
    Some(Winner { index, tier })
}
