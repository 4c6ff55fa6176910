//! Variants and their immutable revisions.

use diesel::prelude::*;
use std::collections::HashMap;

use super::schema::{entries, variant_revisions, variants};
use super::{from_json_text, stored_fields, time, to_json_text, DbConnection};
use crate::domain::content_type::change::apply_renames;
use crate::domain::quality::Quality;
use crate::domain::targeting::Targeting;
use crate::domain::variant::{
    PublishedVariant, Review, Revision, Variant, VariantContent, VariantRecord, VariantStatus,
};
use crate::error::{AppError, AppResult};

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = variants, treat_none_as_null = true)]
struct VariantRow {
    id: String,
    entry_id: String,
    status: String,
    version: i32,
    current_revision: String,
    published_revision: Option<String>,
    review_status: Option<String>,
    review_note: Option<String>,
    reviewer: Option<String>,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = variant_revisions)]
struct RevisionRow {
    hash: String,
    variant_id: String,
    seq: i32,
    parent: Option<String>,
    name: String,
    fields: String,
    tags: String,
    rule: Option<String>,
    devices: String,
    locale: Option<String>,
    priority: i32,
    starts_at: Option<chrono::NaiveDateTime>,
    ends_at: Option<chrono::NaiveDateTime>,
    quality: String,
    author: String,
    status: String,
    created_at: chrono::NaiveDateTime,
}

fn parse_status(s: &str) -> AppResult<VariantStatus> {
    s.parse().map_err(AppError::internal)
}

impl VariantRow {
    fn from_domain(r: &VariantRecord) -> VariantRow {
        VariantRow {
            id: r.id.clone(),
            entry_id: r.entry_id.clone(),
            status: r.status.as_str().to_string(),
            version: r.version,
            current_revision: r.current_revision.clone(),
            published_revision: r.published_revision.clone(),
            review_status: r.review.as_ref().map(|v| v.status.clone()),
            review_note: r.review.as_ref().and_then(|v| v.note.clone()),
            reviewer: r.review.as_ref().map(|v| v.reviewer.clone()),
            created_at: time::to_db(r.created_at),
            updated_at: time::to_db(r.updated_at),
        }
    }

    fn into_domain(self) -> AppResult<VariantRecord> {
        let review = match (self.review_status, self.reviewer) {
            (Some(status), Some(reviewer)) => Some(Review {
                status,
                note: self.review_note,
                reviewer,
            }),
            _ => None,
        };
        Ok(VariantRecord {
            id: self.id,
            entry_id: self.entry_id,
            status: parse_status(&self.status)?,
            version: self.version,
            current_revision: self.current_revision,
            published_revision: self.published_revision,
            review,
            created_at: time::from_db(self.created_at),
            updated_at: time::from_db(self.updated_at),
        })
    }
}

impl RevisionRow {
    fn from_domain(r: &Revision) -> RevisionRow {
        let c = &r.content;
        RevisionRow {
            hash: r.hash.clone(),
            variant_id: r.variant_id.clone(),
            seq: r.seq,
            parent: r.parent.clone(),
            name: c.name.clone(),
            fields: to_json_text(&c.fields),
            tags: to_json_text(&c.tags),
            rule: c.rule.as_ref().map(to_json_text),
            devices: to_json_text(&c.devices),
            locale: c.locale.clone(),
            priority: c.priority,
            starts_at: c.starts_at.map(time::to_db),
            ends_at: c.ends_at.map(time::to_db),
            quality: to_json_text(&r.quality),
            author: r.author.clone(),
            status: r.status.as_str().to_string(),
            created_at: time::to_db(r.created_at),
        }
    }

    fn into_domain(self) -> AppResult<Revision> {
        let fields = stored_fields(&self.fields, &self.hash);
        Ok(Revision {
            hash: self.hash,
            variant_id: self.variant_id,
            seq: self.seq,
            parent: self.parent,
            content: VariantContent {
                name: self.name,
                fields,
                tags: from_json_text(&self.tags)?,
                rule: self.rule.as_deref().map(from_json_text).transpose()?,
                devices: from_json_text(&self.devices)?,
                locale: self.locale,
                priority: self.priority,
                starts_at: self.starts_at.map(time::from_db),
                ends_at: self.ends_at.map(time::from_db),
            },
            quality: from_json_text(&self.quality)?,
            author: self.author,
            status: parse_status(&self.status)?,
            created_at: time::from_db(self.created_at),
        })
    }
}

pub fn insert(conn: &mut DbConnection, record: &VariantRecord, first: &Revision) -> AppResult<()> {
    diesel::insert_into(variants::table)
        .values(VariantRow::from_domain(record))
        .execute(conn)?;
    insert_revision(conn, first)
}

pub fn insert_revision(conn: &mut DbConnection, revision: &Revision) -> AppResult<()> {
    diesel::insert_into(variant_revisions::table)
        .values(RevisionRow::from_domain(revision))
        .execute(conn)?;
    Ok(())
}

/// Sets the revision's workflow status (the status of a revision it held when it was latest).
pub fn set_revision_status(
    conn: &mut DbConnection,
    hash: &str,
    status: VariantStatus,
) -> AppResult<()> {
    diesel::update(variant_revisions::table.find(hash))
        .set(variant_revisions::status.eq(status.as_str()))
        .execute(conn)?;
    Ok(())
}

/// Replaces the stored quality of a revision (conflict checks change as the entry changes).
pub fn set_revision_quality(
    conn: &mut DbConnection,
    hash: &str,
    quality: &crate::domain::quality::Quality,
) -> AppResult<()> {
    diesel::update(variant_revisions::table.find(hash))
        .set(variant_revisions::quality.eq(to_json_text(quality)))
        .execute(conn)?;
    Ok(())
}

/// Saves `record` if the stored version is still `expected_version`; otherwise `CONFLICT`.
pub fn update_checked(
    conn: &mut DbConnection,
    record: &VariantRecord,
    expected_version: i32,
) -> AppResult<()> {
    let changed = diesel::update(
        variants::table
            .filter(variants::id.eq(&record.id))
            .filter(variants::version.eq(expected_version)),
    )
    .set(VariantRow::from_domain(record))
    .execute(conn)?;
    if changed == 0 {
        return Err(AppError::conflict(format!(
            "variant {} was changed by someone else (expected version {expected_version}); reload and try again",
            record.id
        )));
    }
    Ok(())
}

/// Every variant's id and version: what the search index is reconciled against at start.
/// (Variants of deleted entries are left out: they are not searchable.)
pub fn versions(conn: &mut DbConnection) -> AppResult<Vec<(String, i32)>> {
    use super::schema::entries;
    Ok(variants::table
        .inner_join(entries::table)
        .filter(entries::deleted_at.is_null())
        .select((variants::id, variants::version))
        .load(conn)?)
}

pub fn record(conn: &mut DbConnection, id: &str) -> AppResult<Option<VariantRecord>> {
    variants::table
        .find(id)
        .select(VariantRow::as_select())
        .first(conn)
        .optional()?
        .map(VariantRow::into_domain)
        .transpose()
}

pub fn revision(conn: &mut DbConnection, hash: &str) -> AppResult<Option<Revision>> {
    let mut revision = variant_revisions::table
        .find(hash)
        .select(RevisionRow::as_select())
        .first(conn)
        .optional()?
        .map(RevisionRow::into_domain)
        .transpose()?;
    super::renames::apply_to_revisions(conn, &mut revision.iter_mut().collect::<Vec<_>>())?;
    Ok(revision)
}

/// Revisions by id, queried in chunks to stay under the backends' bound-parameter limits.
fn revisions_by_hash(
    conn: &mut DbConnection,
    hashes: Vec<String>,
) -> AppResult<HashMap<String, Revision>> {
    let mut out = HashMap::with_capacity(hashes.len());
    for chunk in hashes.chunks(1000) {
        let rows = variant_revisions::table
            .filter(variant_revisions::hash.eq_any(chunk))
            .select(RevisionRow::as_select())
            .load(conn)?;
        for row in rows {
            let revision = row.into_domain()?;
            out.insert(revision.hash.clone(), revision);
        }
    }
    super::renames::apply_to_revisions(conn, &mut out.values_mut().collect::<Vec<_>>())?;
    Ok(out)
}

/// Joins each record with its latest revision.
fn with_latest(conn: &mut DbConnection, records: Vec<VariantRecord>) -> AppResult<Vec<Variant>> {
    let mut latest = revisions_by_hash(
        conn,
        records.iter().map(|r| r.current_revision.clone()).collect(),
    )?;
    records
        .into_iter()
        .map(|record| {
            let rev = latest
                .remove(&record.current_revision)
                .ok_or_else(|| AppError::internal("variant without its revision"))?;
            Ok(Variant {
                record,
                latest: rev,
            })
        })
        .collect()
}

pub fn get(conn: &mut DbConnection, id: &str) -> AppResult<Option<Variant>> {
    match record(conn, id)? {
        Some(r) => Ok(with_latest(conn, vec![r])?.pop()),
        None => Ok(None),
    }
}

/// The variants of these entries, oldest first.
pub fn of_entries(conn: &mut DbConnection, entry_ids: &[String]) -> AppResult<Vec<Variant>> {
    let records = variants::table
        .filter(variants::entry_id.eq_any(entry_ids))
        .order((variants::created_at.asc(), variants::id.asc()))
        .select(VariantRow::as_select())
        .load(conn)?
        .into_iter()
        .map(VariantRow::into_domain)
        .collect::<AppResult<Vec<_>>>()?;
    with_latest(conn, records)
}

/// The variants of a brand's live (not deleted) entries that are not archived, each with its
/// latest revision: one query for the variants, one per thousand for their revisions.
pub fn unarchived_of_brand(conn: &mut DbConnection, brand_id: &str) -> AppResult<Vec<Variant>> {
    let records = variants::table
        .inner_join(entries::table)
        .filter(entries::brand_id.eq(brand_id))
        .filter(entries::deleted_at.is_null())
        .filter(variants::status.ne(VariantStatus::Archived.as_str()))
        .order((variants::created_at.asc(), variants::id.asc()))
        .select(VariantRow::as_select())
        .load(conn)?
        .into_iter()
        .map(VariantRow::into_domain)
        .collect::<AppResult<Vec<_>>>()?;
    with_latest(conn, records)
}

/// Every variant waiting for review (IN_REVIEW), longest waiting first.
pub fn in_review(conn: &mut DbConnection) -> AppResult<Vec<Variant>> {
    let records = variants::table
        .filter(variants::status.eq(VariantStatus::InReview.as_str()))
        .order((variants::updated_at.asc(), variants::id.asc()))
        .select(VariantRow::as_select())
        .load(conn)?
        .into_iter()
        .map(VariantRow::into_domain)
        .collect::<AppResult<Vec<_>>>()?;
    with_latest(conn, records)
}

/// Every revision of a variant, newest first.
pub fn revisions(conn: &mut DbConnection, variant_id: &str) -> AppResult<Vec<Revision>> {
    let mut revisions = variant_revisions::table
        .filter(variant_revisions::variant_id.eq(variant_id))
        .order(variant_revisions::seq.desc())
        .select(RevisionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(RevisionRow::into_domain)
        .collect::<AppResult<Vec<_>>>()?;
    super::renames::apply_to_revisions(conn, &mut revisions.iter_mut().collect::<Vec<_>>())?;
    Ok(revisions)
}

/// The published variants of these entries: the input of a preview.
pub fn published_of_entries(
    conn: &mut DbConnection,
    entry_ids: &[String],
) -> AppResult<Vec<PublishedVariant>> {
    let rows = variants::table
        .inner_join(entries::table)
        .inner_join(
            variant_revisions::table
                .on(variants::published_revision.eq(variant_revisions::hash.nullable())),
        )
        .filter(variants::entry_id.eq_any(entry_ids))
        .select(PublishedRow::as_select())
        .load(conn)?;
    published(conn, rows)
}

/// The published variants of every entry of a brand, each joined with its published revision
/// in one query: the input of the brand's delivery snapshot.
pub fn published_of_brand(
    conn: &mut DbConnection,
    brand_id: &str,
) -> AppResult<Vec<PublishedVariant>> {
    let rows = variants::table
        .inner_join(entries::table)
        .inner_join(
            variant_revisions::table
                .on(variants::published_revision.eq(variant_revisions::hash.nullable())),
        )
        .filter(entries::brand_id.eq(brand_id))
        .select(PublishedRow::as_select())
        .load(conn)?;
    published(conn, rows)
}

/// Published rows as delivery reads them: under the fields' current names.
fn published(conn: &mut DbConnection, rows: Vec<PublishedRow>) -> AppResult<Vec<PublishedVariant>> {
    let logs = super::renames::logs(conn)?;
    rows.into_iter()
        .map(|row| {
            let log = logs.get(&row.content_type_id).cloned();
            let created = time::from_db(row.revision_created_at);
            let mut variant = row.into_domain()?;
            if let Some(log) = log {
                apply_renames(&mut variant.fields, created, &log);
            }
            Ok(variant)
        })
        .collect()
}

#[derive(Queryable, Selectable)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct PublishedRow {
    #[diesel(select_expression = variants::id)]
    id: String,
    #[diesel(select_expression = variants::entry_id)]
    entry_id: String,
    #[diesel(select_expression = variants::created_at)]
    created_at: chrono::NaiveDateTime,
    #[diesel(select_expression = variant_revisions::hash)]
    revision: String,
    #[diesel(select_expression = variant_revisions::name)]
    name: String,
    #[diesel(select_expression = variant_revisions::fields)]
    fields: String,
    #[diesel(select_expression = variant_revisions::tags)]
    tags: String,
    #[diesel(select_expression = variant_revisions::rule)]
    rule: Option<String>,
    #[diesel(select_expression = variant_revisions::devices)]
    devices: String,
    #[diesel(select_expression = variant_revisions::locale)]
    locale: Option<String>,
    #[diesel(select_expression = variant_revisions::priority)]
    priority: i32,
    #[diesel(select_expression = variant_revisions::starts_at)]
    starts_at: Option<chrono::NaiveDateTime>,
    #[diesel(select_expression = variant_revisions::ends_at)]
    ends_at: Option<chrono::NaiveDateTime>,
    #[diesel(select_expression = variant_revisions::quality)]
    quality: String,
    #[diesel(select_expression = variant_revisions::created_at)]
    revision_created_at: chrono::NaiveDateTime,
    #[diesel(select_expression = entries::content_type_id)]
    content_type_id: String,
}

impl PublishedRow {
    fn into_domain(self) -> AppResult<PublishedVariant> {
        let quality: Quality = from_json_text(&self.quality)?;
        let fields = stored_fields(&self.fields, &self.revision);
        Ok(PublishedVariant {
            id: self.id,
            entry_id: self.entry_id,
            created_at: time::from_db(self.created_at),
            revision: self.revision,
            name: self.name,
            fields,
            tags: from_json_text(&self.tags)?,
            targeting: Targeting {
                rule: self.rule,
                devices: from_json_text(&self.devices)?,
                locale: self.locale,
                priority: self.priority,
                starts_at: self.starts_at.map(time::from_db),
                ends_at: self.ends_at.map(time::from_db),
            },
            quality: quality.score,
        })
    }
}
