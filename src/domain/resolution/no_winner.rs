//! Why nothing is served, for delivery: `no variant is eligible: 2 of 3 not published, 1 of 3 not
//! for this audience`, each non-archived candidate counted once by the first check it fails.
//!
//! Delivery asks only when [`resolve`](super::resolve) found no winner, and gets the sentence
//! from one allocation-free pass over the same candidates: no reports, no failure texts, no
//! sort. [`explain`](super::explain) says nothing is eligible with the same words, through this
//! same [`NoVariantReason`], so editors' preview and delivery cannot word it differently.

use std::fmt::{self, Display, Formatter};

use super::{Candidate, ResolveContext};

/// The first check a candidate fails, in the order editors' preview lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shortfall {
    NotPublished,
    Schedule,
    Consent,
    Device,
    Quality,
    Audience,
    Locale,
}

impl Shortfall {
    const COUNT: usize = 7;

    /// The first check `candidate` fails, given that no candidate is eligible (so one that
    /// passes every other check is in a locale no tier tried).
    fn of(candidate: &Candidate<'_>, context: &ResolveContext<'_>) -> Shortfall {
        if !candidate.published {
            Shortfall::NotPublished
        } else if !candidate.is_scheduled_at(context.at) {
            Shortfall::Schedule
        } else if !context.personalized && !candidate.is_untargeted() {
            // Without consent the device and attributes are unknown on purpose.
            Shortfall::Consent
        } else if !candidate.targets_device(context.device) {
            Shortfall::Device
        } else if !candidate.meets_quality(context.min_quality) {
            Shortfall::Quality
        } else if !candidate.rule_holds(context.attributes) {
            Shortfall::Audience
        } else {
            Shortfall::Locale
        }
    }

    /// The words used when summing up why nothing is eligible.
    fn summary(self) -> &'static str {
        match self {
            Shortfall::NotPublished => "not published",
            Shortfall::Schedule => "outside their schedule",
            Shortfall::Device => "not for this device",
            Shortfall::Quality => "below the quality minimum",
            Shortfall::Audience => "not for this audience",
            Shortfall::Consent => "targeted, without personalization consent",
            Shortfall::Locale => "in another locale",
        }
    }
}

/// The reason given when no variant is eligible, counted when made and written out by its
/// `Display`. Should a variant be eligible after all, the sentence is not meaningful.
#[derive(Debug, Clone, Copy)]
pub struct NoVariantReason {
    /// Whether the entry has variants at all.
    empty: bool,
    /// Each shortfall met and how many candidates it stopped, in order of first appearance.
    counts: [(Shortfall, usize); Shortfall::COUNT],
    kinds: usize,
    /// Non-archived candidates.
    total: usize,
    personalized: bool,
}

impl NoVariantReason {
    /// Counts the candidates' shortfalls, allocating nothing.
    pub fn of(candidates: &[Candidate<'_>], context: &ResolveContext<'_>) -> NoVariantReason {
        let mut reason = NoVariantReason {
            empty: candidates.is_empty(),
            counts: [(Shortfall::Locale, 0); Shortfall::COUNT],
            kinds: 0,
            total: 0,
            personalized: context.personalized,
        };
        for candidate in candidates.iter().filter(|c| !c.archived) {
            let shortfall = Shortfall::of(candidate, context);
            reason.total += 1;
            let met = &mut reason.counts[..reason.kinds];
            match met.iter_mut().find(|(s, _)| *s == shortfall) {
                Some((_, count)) => *count += 1,
                None => {
                    reason.counts[reason.kinds] = (shortfall, 1);
                    reason.kinds += 1;
                }
            }
        }
        reason
    }
}

impl Display for NoVariantReason {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("no variant is eligible: ")?;
        if self.empty {
            f.write_str("the entry has no variants")?;
        } else if self.kinds == 0 {
            f.write_str("every variant is archived")?;
        }
        for (index, (shortfall, count)) in self.counts[..self.kinds].iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{count} of {} {}", self.total, shortfall.summary())?;
        }
        if !self.personalized {
            f.write_str(" (no personalization consent: only untargeted variants are eligible)")?;
        }
        Ok(())
    }
}

/// The reason given when no variant is eligible, e.g. `no variant is eligible: 2 of 3 not
/// published, 1 of 3 not for this audience` (each candidate counted by its first blocker).
pub fn no_variant_reason(candidates: &[Candidate<'_>], context: &ResolveContext<'_>) -> String {
    NoVariantReason::of(candidates, context).to_string()
}
