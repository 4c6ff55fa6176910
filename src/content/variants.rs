//! Variants: create and edit (each save a new immutable revision, its draft checked by
//! `checks`), read, list revisions.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::checks::{check_draft, Checked, Owner};
use super::{audit_event, Content};
use crate::auth::{Action, Principal};
use crate::domain::brand::Brand;
use crate::domain::device::Device;
use crate::domain::quality::Quality;
use crate::domain::variant::{
    revision_hash, Revision, Variant, VariantContent, VariantRecord, VariantStatus,
};
use crate::error::{AppError, AppResult};
use crate::store::changes::Change;
use crate::store::{self, time, DbConnection};

/// What `createVariant` takes.
#[derive(Debug, Clone)]
pub struct NewVariant {
    pub entry_id: String,
    pub content: VariantContent,
}

/// What `updateVariant` takes: every field optional; `fields` replaces the whole object.
/// `rule`, `locale`, `starts_at` and `ends_at` distinguish "leave as is" (outer `None`) from
/// "clear" (`Some(None)`).
#[derive(Debug, Clone, Default)]
pub struct VariantPatch {
    pub name: Option<String>,
    pub fields: Option<Value>,
    pub tags: Option<Vec<String>>,
    pub rule: Option<Option<Value>>,
    pub devices: Option<Vec<Device>>,
    pub locale: Option<Option<String>>,
    pub priority: Option<i32>,
    pub starts_at: Option<Option<DateTime<Utc>>>,
    pub ends_at: Option<Option<DateTime<Utc>>>,
}

impl VariantPatch {
    fn apply(self, base: &VariantContent) -> VariantContent {
        let mut c = base.clone();
        if let Some(v) = self.name {
            c.name = v
        }
        if let Some(v) = self.fields {
            c.fields = v
        }
        if let Some(v) = self.tags {
            c.tags = v
        }
        if let Some(v) = self.rule {
            c.rule = v
        }
        if let Some(v) = self.devices {
            c.devices = v
        }
        if let Some(v) = self.locale {
            c.locale = v
        }
        if let Some(v) = self.priority {
            c.priority = v
        }
        if let Some(v) = self.starts_at {
            c.starts_at = v
        }
        if let Some(v) = self.ends_at {
            c.ends_at = v
        }
        c
    }
}

/// Loads a variant and its owner, after checking the caller may do `action` in its brand.
pub(crate) fn load_authorized(
    conn: &mut DbConnection,
    who: &Principal,
    action: impl FnOnce(&Brand) -> Action,
    variant_id: &str,
) -> AppResult<(Variant, Owner)> {
    who.user()?; // editors' objects: anonymous callers and delivery keys stop here
    let not_found = || AppError::not_found(format!("variant {variant_id} does not exist"));
    let variant = store::variants::get(conn, variant_id)?.ok_or_else(not_found)?;
    let owner = Owner::load(conn, &variant.record.entry_id)?;
    if !who.scope().contains(&owner.brand.slug) {
        return Err(not_found());
    }
    let action = action(&owner.brand);
    who.authorize(action, Some(&owner.brand.slug))?;
    // A deleted entry's variants stay readable (for auditors) but change no more.
    let reads = matches!(action, Action::ReadContent | Action::Preview);
    if !reads && store::entries::live_by_id(conn, &owner.entry.id)?.is_none() {
        return Err(not_found());
    }
    Ok((variant, owner))
}

/// A new revision following `parent` (none for the first).
pub(crate) fn new_revision(
    variant_id: &str,
    parent: Option<&Revision>,
    content: VariantContent,
    quality: Quality,
    author: String,
) -> Revision {
    let seq = parent.map_or(1, |p| p.seq + 1);
    let parent_hash = parent.map(|p| p.hash.clone());
    Revision {
        hash: revision_hash(variant_id, seq, parent_hash.as_deref(), &content),
        variant_id: variant_id.to_string(),
        seq,
        parent: parent_hash,
        content,
        quality,
        author,
        status: VariantStatus::Draft,
        created_at: time::now(),
    }
}

impl Content {
    pub async fn create_variant(&self, who: &Principal, input: NewVariant) -> AppResult<Variant> {
        let who = who.clone();
        let variant = self
            .db
            .write(move |conn| {
                if store::entries::live_by_id(conn, &input.entry_id)?.is_none() {
                    let id = &input.entry_id;
                    return Err(AppError::not_found(format!("entry {id} does not exist")));
                }
                let owner = Owner::load(conn, &input.entry_id)?;
                who.authorize(Action::EditContent, Some(&owner.brand.slug))?;
                let id = crate::ids::new_id("var");
                let Checked { content, quality } = check_draft(conn, &owner, &id, input.content)?;
                let revision = new_revision(&id, None, content, quality, who.actor());
                let now = time::now();
                let record = VariantRecord {
                    id: id.clone(),
                    entry_id: owner.entry.id.clone(),
                    status: VariantStatus::Draft,
                    version: 1,
                    current_revision: revision.hash.clone(),
                    published_revision: None,
                    review: None,
                    created_at: now,
                    updated_at: now,
                };
                store::variants::insert(conn, &record, &revision)?;
                let mut event = audit_event(&who, "variant.create", &id, Some(&owner.brand.slug));
                event.revision_after = Some(revision.hash.clone());
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::Variant(id.clone())])?;
                Ok(Variant {
                    record,
                    latest: revision,
                })
            })
            .await?;
        self.listener.committed().await;
        Ok(variant)
    }

    /// Saves a new DRAFT revision; what is published keeps serving until the next publish.
    pub async fn update_variant(
        &self,
        who: &Principal,
        id: &str,
        expected_version: i32,
        patch: VariantPatch,
    ) -> AppResult<Variant> {
        let (who, id) = (who.clone(), id.to_string());
        let variant = self
            .db
            .write(move |conn| {
                let (variant, owner) = load_authorized(conn, &who, |_| Action::EditContent, &id)?;
                let content = patch.apply(&variant.latest.content);
                save_revision(
                    conn,
                    &who,
                    variant,
                    &owner,
                    expected_version,
                    content,
                    "variant.update",
                )
            })
            .await?;
        self.listener.committed().await;
        Ok(variant)
    }

    pub async fn variant(&self, who: &Principal, id: &str) -> AppResult<Option<Variant>> {
        let (who, id) = (who.clone(), id.to_string());
        self.db
            .read(
                move |conn| match load_authorized(conn, &who, |_| Action::ReadContent, &id) {
                    Ok((variant, _)) => Ok(Some(variant)),
                    Err(e) if e.code == crate::error::ErrorCode::NotFound => Ok(None),
                    Err(e) => Err(e),
                },
            )
            .await
    }

    pub async fn revisions(&self, who: &Principal, variant_id: &str) -> AppResult<Vec<Revision>> {
        let (who, id) = (who.clone(), variant_id.to_string());
        self.db
            .read(move |conn| {
                load_authorized(conn, &who, |_| Action::ReadContent, &id)?;
                store::variants::revisions(conn, &id)
            })
            .await
    }

    /// What changed between two revisions of a variant, field by field.
    pub async fn diff(
        &self,
        who: &Principal,
        variant_id: &str,
        from: &str,
        to: &str,
    ) -> AppResult<Vec<crate::domain::diff::Change>> {
        let (who, id, from, to) = (
            who.clone(),
            variant_id.to_string(),
            from.to_string(),
            to.to_string(),
        );
        self.db
            .read(move |conn| {
                load_authorized(conn, &who, |_| Action::ReadContent, &id)?;
                let mut load = |hash: &str| {
                    store::variants::revision(conn, hash)?
                        .filter(|r| r.variant_id == id)
                        .ok_or_else(|| {
                            AppError::not_found(format!(
                                "revision {hash} is not a revision of variant {id}"
                            ))
                        })
                };
                let (old, new) = (load(&from)?, load(&to)?);
                Ok(crate::domain::diff::diff(&old.content, &new.content))
            })
            .await
    }

    /// The variants of entries, keyed by entry id (for loaders; the caller checked the entries).
    pub async fn variants_of_entries(&self, entry_ids: Vec<String>) -> AppResult<Vec<Variant>> {
        self.db
            .read(move |conn| store::variants::of_entries(conn, &entry_ids))
            .await
    }
}

/// Writes `content` as the variant's new latest revision (DRAFT), checking the version.
pub(crate) fn save_revision(
    conn: &mut DbConnection,
    who: &Principal,
    variant: Variant,
    owner: &Owner,
    expected_version: i32,
    content: VariantContent,
    action: &str,
) -> AppResult<Variant> {
    let Variant { mut record, latest } = variant;
    if record.version != expected_version {
        return Err(AppError::conflict(format!(
            "variant {} is at version {}, not {expected_version}: someone else saved it; reload and try again",
            record.id, record.version
        )));
    }
    if record.status == VariantStatus::Archived {
        return Err(AppError::conflict("an archived variant cannot be edited"));
    }
    let Checked { content, quality } = check_draft(conn, owner, &record.id, content)?;
    let revision = new_revision(&record.id, Some(&latest), content, quality, who.actor());
    store::variants::insert_revision(conn, &revision)?;
    record.current_revision = revision.hash.clone();
    record.status = VariantStatus::Draft;
    record.review = None;
    record.version += 1;
    record.updated_at = time::now();
    store::variants::update_checked(conn, &record, expected_version)?;
    let mut event = audit_event(who, action, &record.id, Some(&owner.brand.slug));
    event.revision_before = Some(latest.hash);
    event.revision_after = Some(revision.hash.clone());
    store::audit::append(conn, event)?;
    store::changes::record(conn, &[Change::Variant(record.id.clone())])?;
    Ok(Variant {
        record,
        latest: revision,
    })
}
