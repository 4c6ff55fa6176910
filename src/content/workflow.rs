//! The review workflow: submit, approve, reject, publish, unpublish, archive, roll back.
//!
//! Each transition checks the caller's role and the variant's state (a wrong state is
//! `CONFLICT`), bumps the variant's version, stores the status on the latest revision, appends an
//! audit row in the same transaction and, when what is served changed, rebuilds the brand's
//! delivery snapshot before answering.

use super::checks::{with_conflict_checks, Owner};
use super::variants::{load_authorized, save_revision};
use super::{audit_event, Content};
use crate::auth::{Action, Principal};
use crate::domain::brand::Brand;
use crate::domain::quality::Severity;
use crate::domain::variant::{Review, Variant, VariantStatus};
use crate::error::{AppError, AppResult};
use crate::store::changes::Change;
use crate::store::{self, time, DbConnection};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Submit,
    Approve,
    Reject,
    Publish,
    Unpublish,
    Archive,
}

impl Transition {
    fn action(self, brand: &Brand) -> Action {
        match self {
            Transition::Submit => Action::EditContent,
            Transition::Approve | Transition::Reject => Action::Review,
            Transition::Publish => Action::Publish {
                editors_may: !brand.policy.require_approval,
            },
            Transition::Unpublish | Transition::Archive => Action::Withdraw,
        }
    }

    /// The webhook event a transition announces, if any.
    fn webhook_event(self) -> Option<&'static str> {
        match self {
            Transition::Publish => Some("published"),
            Transition::Unpublish => Some("unpublished"),
            Transition::Archive => Some("archived"),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Transition::Submit => "variant.submit",
            Transition::Approve => "variant.approve",
            Transition::Reject => "variant.reject",
            Transition::Publish => "variant.publish",
            Transition::Unpublish => "variant.unpublish",
            Transition::Archive => "variant.archive",
        }
    }

    /// Whether what delivery serves may change.
    fn changes_delivery(self) -> bool {
        matches!(
            self,
            Transition::Publish | Transition::Unpublish | Transition::Archive
        )
    }
}

fn wrong_state(t: Transition, status: VariantStatus) -> AppError {
    AppError::conflict(format!(
        "cannot {} a variant that is {}",
        &t.name()[8..],
        status.as_str()
    ))
}

/// Refuses to move forward while the latest revision has ERROR checks.
fn require_no_errors(variant: &Variant) -> AppResult<()> {
    let failed: Vec<String> = variant
        .latest
        .quality
        .checks
        .iter()
        .filter(|c| c.severity == Severity::Error)
        .map(|c| format!("{} ({})", c.message, c.kind))
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(AppError::bad_input(format!(
            "brand checks failed: {}",
            failed.join("; ")
        )))
    }
}

/// Applies `t` to the variant in memory; returns the new status and review.
fn next_state(
    t: Transition,
    who: &Principal,
    v: &Variant,
    owner: &Owner,
    note: Option<String>,
) -> AppResult<Variant> {
    let mut next = v.clone();
    let status = v.record.status;
    let reviewer = || who.actor();
    match t {
        Transition::Submit => {
            if status != VariantStatus::Draft {
                return Err(wrong_state(t, status));
            }
            require_no_errors(v)?;
            next.record.status = VariantStatus::InReview;
        }
        Transition::Approve | Transition::Reject => {
            if status != VariantStatus::InReview {
                return Err(wrong_state(t, status));
            }
            if t == Transition::Approve && v.latest.author == who.actor() {
                return Err(AppError::forbidden(
                    "the author of a revision cannot approve it",
                ));
            }
            let (new_status, verdict) = match t {
                Transition::Approve => (VariantStatus::Approved, "APPROVED"),
                _ => (VariantStatus::Draft, "REJECTED"),
            };
            next.record.status = new_status;
            next.record.review = Some(Review {
                status: verdict.into(),
                note,
                reviewer: reviewer(),
            });
        }
        Transition::Publish => {
            let direct = status == VariantStatus::Draft && !owner.brand.policy.require_approval;
            if status != VariantStatus::Approved && !direct {
                return Err(wrong_state(t, status));
            }
            require_no_errors(v)?;
            next.record.status = VariantStatus::Published;
            next.record.published_revision = Some(v.record.current_revision.clone());
        }
        Transition::Unpublish => {
            if v.record.published_revision.is_none() {
                return Err(AppError::conflict("the variant is not published"));
            }
            next.record.published_revision = None;
            if status == VariantStatus::Published {
                next.record.status = VariantStatus::Draft;
            }
        }
        Transition::Archive => {
            if status == VariantStatus::Archived {
                return Err(wrong_state(t, status));
            }
            next.record.status = VariantStatus::Archived;
            next.record.published_revision = None;
        }
    }
    next.latest.status = next.record.status;
    next.record.version += 1;
    next.record.updated_at = time::now();
    Ok(next)
}

fn apply(
    conn: &mut DbConnection,
    who: &Principal,
    t: Transition,
    id: &str,
    note: Option<String>,
) -> AppResult<Variant> {
    let (variant, owner) = load_authorized(conn, who, |b| t.action(b), id)?;
    let mut next = next_state(t, who, &variant, &owner, note.clone())?;
    if t == Transition::Publish {
        // Re-check conflicts against the entry as it is now; quality is metadata of the
        // revision, not part of its content hash.
        let l = &next.latest;
        next.latest.quality = with_conflict_checks(
            conn,
            &l.variant_id,
            &owner.entry.id,
            &l.content,
            l.quality.clone(),
            true,
        )?;
        store::variants::set_revision_quality(conn, &next.latest.hash, &next.latest.quality)?;
    }
    store::variants::update_checked(conn, &next.record, variant.record.version)?;
    store::variants::set_revision_status(conn, &next.latest.hash, next.record.status)?;
    let mut event = audit_event(who, t.name(), id, Some(&owner.brand.slug));
    event.revision_before = variant
        .record
        .published_revision
        .clone()
        .or(Some(variant.record.current_revision.clone()));
    event.revision_after = next
        .record
        .published_revision
        .clone()
        .or(Some(next.record.current_revision.clone()));
    event.note = note;
    store::audit::append(conn, event)?;
    if let Some(kind) = t.webhook_event() {
        let payload = serde_json::json!({
            "event": kind,
            "brand": owner.brand.slug,
            "entry": owner.entry.key,
            "variantId": next.record.id,
            "variantName": next.latest.content.name,
            "revision": next.record.current_revision,
            "publishedRevision": next.record.published_revision,
            "actor": who.actor(),
            "at": time::now().to_rfc3339(),
        });
        store::webhooks::enqueue(conn, &owner.brand.id, kind, &payload)?;
    }
    let mut changes = vec![Change::Variant(next.record.id.clone())];
    if t.changes_delivery() {
        changes.push(Change::Brand(owner.brand.id.clone()));
    }
    store::changes::record(conn, &changes)?;
    Ok(next)
}

impl Content {
    /// Moves a variant through the workflow (see the contract's Workflow table).
    pub async fn transition(
        &self,
        who: &Principal,
        t: Transition,
        id: &str,
        note: Option<String>,
    ) -> AppResult<Variant> {
        if t == Transition::Reject && note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(AppError::bad_input(
                "a rejection needs a note saying what to change",
            ));
        }
        if note.as_ref().is_some_and(|n| n.chars().count() > 4000) {
            return Err(AppError::bad_input(
                "a note may have at most 4000 characters",
            ));
        }
        let (who2, id) = (who.clone(), id.to_string());
        let variant = self
            .db
            .write(move |conn| apply(conn, &who2, t, &id, note))
            .await?;
        self.listener.committed().await;
        if t.webhook_event().is_some() {
            self.webhook_wake.notify_one();
        }
        Ok(variant)
    }

    /// Makes a new DRAFT revision holding an old revision's content.
    pub async fn rollback(
        &self,
        who: &Principal,
        id: &str,
        revision: &str,
        expected_version: i32,
    ) -> AppResult<Variant> {
        let (who, id, revision) = (who.clone(), id.to_string(), revision.to_string());
        let variant = self
            .db
            .write(move |conn| {
                let (variant, owner) = load_authorized(conn, &who, |_| Action::EditContent, &id)?;
                let old = store::variants::revision(conn, &revision)?
                    .filter(|r| r.variant_id == id)
                    .ok_or_else(|| {
                        AppError::not_found(format!(
                            "revision {revision} is not a revision of variant {id}"
                        ))
                    })?;
                let mut saved = save_revision(
                    conn,
                    &who,
                    variant,
                    &owner,
                    expected_version,
                    old.content,
                    "variant.rollback",
                )?;
                saved.latest.status = VariantStatus::Draft;
                Ok(saved)
            })
            .await?;
        self.listener.committed().await;
        Ok(variant)
    }
}
