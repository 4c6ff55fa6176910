//! Resolution explained, for editors' preview: every candidate with the reasons it was or was not
//! eligible, and the reason given when nothing is (worded by `no_winner`).
//!
//! Unlike [`resolve`](super::resolve) this takes the long way on purpose — every check of every
//! candidate, all locale tiers, a full sort — so that the two routes agreeing (a property test)
//! means something. It allocates freely; it is not on the delivery path.

use std::cmp::Ordering;
use std::fmt::{self, Display, Formatter};

use chrono::{DateTime, SecondsFormat, Utc};

use super::{rank_order, Candidate, LocaleTier, NoVariantReason, ResolveContext, Winner};
use crate::domain::device::Device;
use crate::domain::rule::RuleFailure;

/// The outcome of resolution with its reasons: what `preview` answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The index of the variant served, as [`resolve`](super::resolve) would choose it.
    pub winner: Option<usize>,
    /// Why it won, or why nothing did.
    pub reason: String,
    /// Every non-archived candidate, in the order given.
    pub candidates: Vec<CandidateReport>,
}

/// One candidate's eligibility and the reasons for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateReport {
    pub index: usize,
    pub eligible: bool,
    pub reasons: Vec<String>,
}

/// A reason a candidate is not eligible.
enum Blocker {
    NotPublished,
    NotStarted(DateTime<Utc>),
    Ended(DateTime<Utc>),
    Device {
        wanted: Option<Device>,
        targets: Vec<Device>,
    },
    Quality {
        score: f64,
        minimum: f64,
    },
    Rule(RuleFailure),
    /// Targets an audience or devices, and the visitor gave no personalization consent.
    Consent,
    Locale {
        locale: String,
        tiers: String,
    },
}

impl Display for Blocker {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Blocker::NotPublished => f.write_str("not published"),
            Blocker::NotStarted(at) => write!(f, "scheduled from {}", instant(*at)),
            Blocker::Ended(at) => write!(f, "ended at {}", instant(*at)),
            Blocker::Device {
                wanted: Some(device),
                targets,
            } => write!(f, "device {device} not in {}", devices(targets)),
            Blocker::Device {
                wanted: None,
                targets,
            } => write!(f, "device unknown; variant targets {}", devices(targets)),
            Blocker::Quality { score, minimum } => {
                // People read quality on a 0–100 scale everywhere (the API keeps 0–1).
                let pct = |q: f64| (q * 100.0).round() as i64;
                write!(
                    f,
                    "quality {} below brand minimum {}",
                    pct(*score),
                    pct(*minimum)
                )
            }
            Blocker::Rule(failure) => {
                write!(f, "rule failed: {} ({})", failure.condition, failure.facts)
            }
            Blocker::Consent => f.write_str(
                "targets an audience or devices; no personalization consent, so only untargeted variants are eligible",
            ),
            Blocker::Locale { locale, tiers } => write!(f, "locale {locale} not in {tiers}"),
        }
    }
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn devices(list: &[Device]) -> String {
    let names: Vec<&str> = list.iter().map(|device| device.as_str()).collect();
    format!("[{}]", names.join(", "))
}

/// Every reason but the locale tier that keeps a candidate from being eligible.
fn setting_blockers(candidate: &Candidate<'_>, context: &ResolveContext<'_>) -> Vec<Blocker> {
    let mut blockers = Vec::new();
    if !candidate.published {
        blockers.push(Blocker::NotPublished);
    }
    match (candidate.starts_at, candidate.ends_at) {
        (Some(start), _) if context.at < start => blockers.push(Blocker::NotStarted(start)),
        (_, Some(end)) if context.at >= end => blockers.push(Blocker::Ended(end)),
        _ => {}
    }
    // Without consent the device and attributes are unknown on purpose: that the variant is
    // targeted at all is the reason, not which device or attribute it misses.
    let without_consent = !context.personalized && !candidate.is_untargeted();
    if without_consent {
        blockers.push(Blocker::Consent);
    }
    if !without_consent && !candidate.targets_device(context.device) {
        blockers.push(Blocker::Device {
            wanted: context.device,
            targets: candidate.devices.to_vec(),
        });
    }
    if !candidate.meets_quality(context.min_quality) {
        blockers.push(Blocker::Quality {
            score: candidate.quality,
            minimum: context.min_quality,
        });
    }
    if let Some(failure) = candidate
        .rule
        .filter(|_| !without_consent)
        .and_then(|rule| rule.explain_failure(context.attributes))
    {
        blockers.push(Blocker::Rule(failure));
    }
    blockers
}

/// The first tier holding a candidate eligible on every other count.
fn chosen_tier(
    candidates: &[(usize, Candidate<'_>, Vec<Blocker>)],
    context: &ResolveContext<'_>,
) -> Option<LocaleTier> {
    let tiers = context.locale_tiers();
    LocaleTier::ALL
        .into_iter()
        .zip(tiers)
        .find_map(|(tier, locale)| {
            let locale = locale?;
            let held = candidates.iter().any(|(_, c, blockers)| {
                blockers.is_empty() && c.in_locale_tier(locale, context.default_locale)
            });
            held.then_some(tier)
        })
}

fn locale_blocker(
    candidate: &Candidate<'_>,
    tier: Option<LocaleTier>,
    context: &ResolveContext<'_>,
) -> Option<Blocker> {
    let locale = candidate.locale.map_or_else(
        || format!("(none, so {})", context.default_locale),
        str::to_owned,
    );
    let tiers = match tier {
        Some(tier) if candidate.in_locale_tier(tier.locale(context), context.default_locale) => {
            return None
        }
        Some(tier) => format!("chosen tier {}", tier.locale(context)),
        None => format!(
            "any tier tried ({})",
            context
                .locale_tiers()
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(Blocker::Locale { locale, tiers })
}

/// Explains resolution: the same winner as [`resolve`](super::resolve), with every
/// non-archived candidate's reasons.
pub fn explain(candidates: &[Candidate<'_>], context: &ResolveContext<'_>) -> Explanation {
    let mut assessed: Vec<(usize, Candidate<'_>, Vec<Blocker>)> = candidates
        .iter()
        .enumerate()
        .filter(|(_, candidate)| !candidate.archived)
        .map(|(index, candidate)| (index, *candidate, setting_blockers(candidate, context)))
        .collect();
    let tier = chosen_tier(&assessed, context);
    for (_, candidate, blockers) in &mut assessed {
        blockers.extend(locale_blocker(candidate, tier, context));
    }
    let winner = assessed
        .iter()
        .filter(|(_, _, blockers)| blockers.is_empty())
        .min_by(|(_, a, _), (_, b, _)| rank_order(a, b))
        .map(|(index, _, _)| *index);
    let winner = winner.zip(tier).map(|(index, tier)| Winner { index, tier });
    let reports = assessed
        .iter()
        .map(|(index, candidate, blockers)| {
            report(*index, candidate, blockers, winner, candidates, context)
        })
        .collect();
    // Nothing eligible is worded as delivery words it, counting each candidate by the first of
    // the blockers above.
    let reason = match winner {
        Some(winner) => winner.reason(candidates, context).to_string(),
        None => NoVariantReason::of(candidates, context).to_string(),
    };
    Explanation {
        winner: winner.map(|w| w.index),
        reason,
        candidates: reports,
    }
}

fn report(
    index: usize,
    candidate: &Candidate<'_>,
    blockers: &[Blocker],
    winner: Option<Winner>,
    candidates: &[Candidate<'_>],
    context: &ResolveContext<'_>,
) -> CandidateReport {
    let Some(winner) = winner.filter(|_| blockers.is_empty()) else {
        let reasons = blockers.iter().map(Blocker::to_string).collect();
        return CandidateReport {
            index,
            eligible: false,
            reasons,
        };
    };
    let own = Winner {
        index,
        tier: winner.tier,
    };
    let mut reasons: Vec<String> = own
        .reason(candidates, context)
        .parts()
        .map(|p| p.to_string())
        .collect();
    reasons.push(match index == winner.index {
        true => "served".to_owned(),
        false => outranked(candidate, &candidates[winner.index]),
    });
    CandidateReport {
        index,
        eligible: true,
        reasons,
    }
}

/// Why `loser` is not served although eligible: the first ranking criterion `winner` wins on.
fn outranked(loser: &Candidate<'_>, winner: &Candidate<'_>) -> String {
    let (w, l) = (winner, loser);
    let why = if w.priority != l.priority {
        format!("priority {} > {}", w.priority, l.priority)
    } else if w.specificity() != l.specificity() {
        format!("specificity {} > {}", w.specificity(), l.specificity())
    } else if w.quality.total_cmp(&l.quality) != Ordering::Equal {
        format!("quality {:.2} > {:.2}", w.quality, l.quality)
    } else if w.created_at != l.created_at {
        format!(
            "older: created {} before {}",
            instant(w.created_at),
            instant(l.created_at)
        )
    } else {
        format!("same rank; id {} sorts first", w.id)
    };
    format!("outranked by {:?} ({why})", w.name)
}
