//! The conflict checks of a variant: WARNING checks (`shadowed`, `tie`) for the conflicts
//! `domain::conflicts` proves between it and its entry's other variants, as they are saved now.
//! They run on every save (`check_draft`), again on publish and when an audience a variant uses
//! changes, since the other variants may have changed since.

use std::iter;

use super::saved_targeting;
use crate::domain::audience::AudienceRules;
use crate::domain::conflicts::{find_conflicts, Conflict};
use crate::domain::quality::{Check, Quality, Severity};
use crate::domain::resolution::Candidate;
use crate::domain::targeting::{Standing, Targeting};
use crate::domain::variant::{Variant, VariantContent};
use crate::error::AppResult;
use crate::store::{self, time, DbConnection};

/// The variant whose conflicts are checked: its id, name, targeting and standing.
pub(super) struct Contender<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub targeting: &'a Targeting,
    pub standing: Standing,
}

/// The WARNING checks for the conflicts `me` has with the other variants of entry `entry_id`.
pub(super) fn conflict_checks(
    conn: &mut DbConnection,
    audiences: &AudienceRules,
    entry_id: &str,
    me: Contender<'_>,
) -> AppResult<Vec<Check>> {
    let others: Vec<Variant> = store::variants::of_entries(conn, &[entry_id.to_string()])?
        .into_iter()
        .filter(|v| v.record.id != me.id)
        .collect();
    let targetings: Vec<Targeting> = others
        .iter()
        .map(|v| saved_targeting(&v.record.id, &v.latest.content, audiences))
        .collect();
    let mine = me.targeting.candidate(me.id, me.name, me.standing);
    let theirs = others
        .iter()
        .zip(&targetings)
        .map(|(v, t)| t.candidate(&v.record.id, &v.latest.content.name, v.standing()));
    let candidates: Vec<Candidate<'_>> = iter::once(mine).chain(theirs).collect();
    Ok(checks_of_first(&candidates))
}

/// The conflicts that involve the first candidate, as checks.
fn checks_of_first(candidates: &[Candidate<'_>]) -> Vec<Check> {
    find_conflicts(candidates)
        .into_iter()
        .filter_map(|warning| {
            let (kind, involved) = match warning.conflict {
                Conflict::Shadowed { variant, .. } => ("shadowed", variant == 0),
                Conflict::Tie { a, b } => ("tie", a == 0 || b == 0),
            };
            involved.then(|| Check {
                kind: kind.into(),
                severity: Severity::Warning,
                message: warning.message,
                path: Some("rule".into()),
            })
        })
        .collect()
}

/// `quality` with its conflict checks made again for a saved revision's `content` of variant
/// `variant_id` (on publish, and when an audience it uses changes).
pub(crate) fn with_conflict_checks(
    conn: &mut DbConnection,
    variant_id: &str,
    entry_id: &str,
    content: &VariantContent,
    quality: Quality,
    published: bool,
) -> AppResult<Quality> {
    let audiences = match store::entries::by_id(conn, entry_id)? {
        Some(entry) => store::audiences::rules_of_brand(conn, &entry.brand_id)?,
        None => AudienceRules::new(),
    };
    let targeting = saved_targeting(variant_id, content, &audiences);
    let me = Contender {
        id: variant_id,
        name: &content.name,
        targeting: &targeting,
        standing: Standing {
            quality: quality.score,
            created_at: time::now(),
            published,
            archived: false,
        },
    };
    let conflicts = conflict_checks(conn, &audiences, entry_id, me)?;
    let mut checks = quality.checks;
    checks.retain(|c| c.kind != "shadowed" && c.kind != "tie");
    checks.extend(conflicts);
    Ok(Quality::from_checks(checks))
}
