//! Variants: create and edit (each save a new immutable revision), read, list revisions.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{audit_event, Content};
use crate::auth::{Action, Principal};
use crate::domain::audience::AudienceRules;
use crate::domain::brand::{parse_locale, Brand};
use crate::domain::conflicts::{find_conflicts, Conflict};
use crate::domain::content_type::ContentType;
use crate::domain::device::Device;
use crate::domain::entry::Entry;
use crate::domain::quality::{check_content, Check, Quality, Severity};
use crate::domain::resolution::Candidate;
use crate::domain::rule::Rule;
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

/// The entry a variant belongs to, with its brand and content type.
pub(crate) struct Owner {
    pub entry: Entry,
    pub brand: Brand,
    pub content_type: ContentType,
    /// The brand's audiences, which the variant's rule may name.
    pub audiences: AudienceRules,
}

pub(crate) fn owner_of_entry(conn: &mut DbConnection, entry_id: &str) -> AppResult<Owner> {
    let entry = store::entries::by_id(conn, entry_id)?
        .ok_or_else(|| AppError::not_found(format!("entry {entry_id} does not exist")))?;
    let brand = store::brands::by_id(conn, &entry.brand_id)?;
    let content_type = store::content_types::by_id(conn, &entry.content_type_id)?;
    let audiences = store::audiences::rules_of_brand(conn, &brand.id)?;
    Ok(Owner {
        entry,
        brand,
        content_type,
        audiences,
    })
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
    let owner = owner_of_entry(conn, &variant.record.entry_id)?;
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

/// Checks content against its owner and returns it normalised, with its quality.
pub(crate) fn check_content_for(
    owner: &Owner,
    content: VariantContent,
) -> AppResult<(VariantContent, Quality)> {
    let mut content = content.normalise();
    content.check_shape().map_err(AppError::bad_input)?;
    owner
        .content_type
        .check_fields(&content.fields)
        .map_err(|e| AppError::bad_input(e.to_string()))?;
    if let Some(rule) = &content.rule {
        let parsed = Rule::parse_with(rule, &owner.audiences)
            .map_err(|e| AppError::bad_input(format!("rule: {} at {}", e.message, e.path)))?;
        content.rule = parsed.map(|r| r.to_json());
    }
    if let Some(locale) = &content.locale {
        let locale = parse_locale(locale).map_err(AppError::bad_input)?;
        if !owner.brand.allows_locale(&locale) {
            return Err(AppError::bad_input(format!(
                "locale {locale} is not one of brand `{}`'s locales ({})",
                owner.brand.slug,
                owner.brand.locales.join(", ")
            )));
        }
        content.locale = Some(locale);
    }
    let locale = content
        .locale
        .as_deref()
        .unwrap_or(&owner.brand.default_locale);
    let checks = check_content(
        &owner.brand.policy,
        &owner.content_type,
        &content.fields,
        locale,
    );
    Ok((content, Quality::from_checks(checks)))
}

/// Adds WARNING checks for conflicts with the entry's other variants that this content would
/// have: never served (shadowed by a variant ranked above it) or tied with another.
pub(crate) fn with_conflict_checks(
    conn: &mut DbConnection,
    variant_id: &str,
    entry_id: &str,
    content: &VariantContent,
    quality: Quality,
    published: bool,
) -> AppResult<Quality> {
    let others: Vec<Variant> = store::variants::of_entries(conn, &[entry_id.to_string()])?
        .into_iter()
        .filter(|v| v.record.id != variant_id)
        .collect();
    let audiences = match store::entries::by_id(conn, entry_id)? {
        Some(entry) => store::audiences::rules_of_brand(conn, &entry.brand_id)?,
        None => AudienceRules::new(),
    };
    let parse = |c: &VariantContent| {
        c.rule
            .as_ref()
            .and_then(|r| Rule::parse_with(r, &audiences).ok().flatten())
    };
    let rules: Vec<Option<Rule>> = others.iter().map(|v| parse(&v.latest.content)).collect();
    let own_rule = parse(content);
    let now = time::now();
    let candidate = |id: &'_ str,
                     c: &'_ VariantContent,
                     rule: Option<&Rule>,
                     quality: f64,
                     published: bool,
                     archived: bool| {
        (
            id.to_string(),
            c.clone(),
            rule.cloned(),
            quality,
            published,
            archived,
        )
    };
    let mut owned = vec![candidate(
        variant_id,
        content,
        own_rule.as_ref(),
        quality.score,
        published,
        false,
    )];
    for (v, rule) in others.iter().zip(&rules) {
        let archived = v.record.status == VariantStatus::Archived;
        owned.push(candidate(
            &v.record.id,
            &v.latest.content,
            rule.as_ref(),
            v.latest.quality.score,
            v.record.published_revision.is_some(),
            archived,
        ));
    }
    let created: Vec<DateTime<Utc>> = std::iter::once(now)
        .chain(others.iter().map(|v| v.record.created_at))
        .collect();
    let candidates: Vec<Candidate<'_>> = owned
        .iter()
        .zip(&created)
        .map(
            |((id, c, rule, quality, published, archived), created_at)| Candidate {
                id,
                name: &c.name,
                priority: c.priority,
                rule: rule.as_ref(),
                devices: &c.devices,
                locale: c.locale.as_deref(),
                starts_at: c.starts_at,
                ends_at: c.ends_at,
                quality: *quality,
                created_at: *created_at,
                published: *published,
                archived: *archived,
            },
        )
        .collect();
    let mut checks = quality.checks;
    checks.retain(|c| c.kind != "shadowed" && c.kind != "tie");
    for warning in find_conflicts(&candidates) {
        let (kind, involved) = match warning.conflict {
            Conflict::Shadowed { variant, .. } => ("shadowed", variant == 0),
            Conflict::Tie { a, b } => ("tie", a == 0 || b == 0),
        };
        if involved {
            checks.push(Check {
                kind: kind.into(),
                severity: Severity::Warning,
                message: warning.message,
                path: Some("rule".into()),
            });
        }
    }
    Ok(Quality::from_checks(checks))
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
                let owner = owner_of_entry(conn, &input.entry_id)?;
                who.authorize(Action::EditContent, Some(&owner.brand.slug))?;
                let (content, quality) = check_content_for(&owner, input.content)?;
                let quality = super::assets::check_asset_fields(conn, &owner, &content, quality)?;
                super::references::check_reference_fields(conn, &owner, &content)?;
                let id = crate::ids::new_id("var");
                let quality =
                    with_conflict_checks(conn, &id, &owner.entry.id, &content, quality, false)?;
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
    let (content, quality) = check_content_for(owner, content)?;
    let quality = super::assets::check_asset_fields(conn, owner, &content, quality)?;
    super::references::check_reference_fields(conn, owner, &content)?;
    let quality =
        with_conflict_checks(conn, &record.id, &record.entry_id, &content, quality, false)?;
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
