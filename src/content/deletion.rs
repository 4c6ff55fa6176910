//! Deleting entries, content types and assets (editors of the brand, admins).
//!
//! Each is refused with `CONFLICT` while something uses it, naming what: an entry while one of
//! its variants is published or another entry's live or latest revision references it; a content type while it has entries; an asset while the latest or
//! published revision of a non-archived variant shows it. Entries and content types are deleted
//! softly (`store::entries`, `store::content_types`): a deleted entry leaves delivery (answered
//! like an unknown key), editors' lists and search, while its revisions, audit rows and usage stay
//! for auditors. An asset's row is deleted; its bytes stay, keyed by content.

use serde_json::Value;
use std::collections::HashMap;

use super::{audit_event, Content};
use crate::auth::{Action, Principal};
use crate::domain::brand::Brand;
use crate::domain::content_type::{ContentType, FieldKind};
use crate::domain::entry::Entry;
use crate::domain::variant::{Variant, VariantStatus};
use crate::error::{AppError, AppResult};
use crate::store::changes::Change;
use crate::store::{self, DbConnection};

/// At most this many users are named in a refusal (with the count of the rest).
const NAMED: usize = 20;

fn in_use(what: &str, users: &[String], total: usize) -> AppError {
    let mut named = users
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if total > NAMED {
        named.push_str(&format!(" and {} more", total - NAMED));
    }
    AppError::conflict(format!("{what} is in use by {named}"))
}

/// Loads the brand of an object the caller wants to delete, hiding what they may not see.
fn authorize_in(
    conn: &mut DbConnection,
    who: &Principal,
    brand_id: &str,
    not_found: impl Fn() -> AppError,
) -> AppResult<Brand> {
    who.user()?;
    let brand = store::brands::by_id(conn, brand_id)?;
    if !who.scope().contains(&brand.slug) {
        return Err(not_found());
    }
    who.authorize(Action::EditContent, Some(&brand.slug))?;
    Ok(brand)
}

impl Content {
    pub async fn delete_entry(&self, who: &Principal, id: &str) -> AppResult<bool> {
        let (who, id) = (who.clone(), id.to_string());
        self.db
            .write(move |conn| {
                let not_found = || AppError::not_found(format!("entry {id} does not exist"));
                let entry = store::entries::live_by_id(conn, &id)?.ok_or_else(not_found)?;
                let brand = authorize_in(conn, &who, &entry.brand_id, not_found)?;
                let variants = store::variants::of_entries(conn, std::slice::from_ref(&entry.id))?;
                let mut users: Vec<String> = variants
                    .iter()
                    .filter(|v| v.record.published_revision.is_some())
                    .filter(|v| v.record.status != VariantStatus::Archived)
                    .map(|v| format!("published variant \"{}\"", v.latest.content.name))
                    .collect();
                users.extend(referrers(conn, &brand, &entry)?);
                if !users.is_empty() {
                    let what = format!("entry `{}`", entry.key);
                    return Err(in_use(&what, &users, users.len()));
                }
                store::entries::soft_delete(conn, &entry)?;
                let event = audit_event(&who, "deleteEntry", &entry.id, Some(&brand.slug));
                store::audit::append(conn, event)?;
                let mut changes: Vec<Change> = variants
                    .into_iter()
                    .map(|v| Change::Variant(v.record.id))
                    .collect();
                changes.push(Change::Brand(brand.id.clone()));
                store::changes::record(conn, &changes)
            })
            .await?;
        self.listener.committed().await;
        Ok(true)
    }

    pub async fn delete_content_type(&self, who: &Principal, id: &str) -> AppResult<bool> {
        let (who, id) = (who.clone(), id.to_string());
        self.db
            .write(move |conn| {
                let not_found = || AppError::not_found(format!("content type {id} does not exist"));
                if store::content_types::is_deleted(conn, &id)? {
                    return Err(not_found());
                }
                let ct = store::content_types::by_id(conn, &id)?;
                let brand = authorize_in(conn, &who, &ct.brand_id, not_found)?;
                let (keys, count) = store::entries::keys_of_type(conn, &ct.id, NAMED as i64)?;
                if count > 0 {
                    let users: Vec<String> = keys.iter().map(|k| format!("entry `{k}`")).collect();
                    let what = format!("content type `{}`", ct.name);
                    return Err(in_use(&what, &users, count as usize));
                }
                store::content_types::soft_delete(conn, &ct)?;
                let event = audit_event(&who, "deleteContentType", &ct.id, Some(&brand.slug));
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::Brand(brand.id.clone())])
            })
            .await?;
        self.listener.committed().await;
        Ok(true)
    }

    /// Deletes an image from a brand: the one named, or the only brand of the caller's that holds
    /// it (`BAD_INPUT` when several do and none is named).
    pub async fn delete_asset(
        &self,
        who: &Principal,
        id: &str,
        brand: Option<String>,
    ) -> AppResult<bool> {
        let (who, id) = (who.clone(), id.to_string());
        self.db
            .write(move |conn| {
                let (asset, brand) = asset_of_caller(conn, &who, &id, brand.as_deref())?;
                let users = asset_users(conn, &brand, &asset.id)?;
                if !users.is_empty() {
                    return Err(in_use(&format!("asset {}", asset.id), &users, users.len()));
                }
                store::assets::delete(conn, &brand.id, &asset.id)?;
                let event = audit_event(&who, "deleteAsset", &asset.id, Some(&brand.slug));
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::Brand(brand.id.clone())])
            })
            .await?;
        self.listener.committed().await;
        Ok(true)
    }
}

/// The caller's row of an image (in `brand`, or in the only brand of theirs that holds it),
/// after checking they may edit that brand's content.
pub(crate) fn asset_of_caller(
    conn: &mut DbConnection,
    who: &Principal,
    id: &str,
    brand: Option<&str>,
) -> AppResult<(crate::domain::asset::Asset, Brand)> {
    who.user()?;
    let not_found = || AppError::not_found(format!("asset {id} does not exist"));
    let visible: Vec<Brand> = store::brands::all(conn)?
        .into_iter()
        .filter(|b| who.scope().contains(&b.slug))
        .filter(|b| brand.is_none_or(|slug| b.slug == slug))
        .collect();
    let ids: Vec<String> = visible.iter().map(|b| b.id.clone()).collect();
    let mut rows = store::assets::in_brands(conn, id, &ids)?;
    if rows.len() > 1 {
        return Err(AppError::bad_input(format!(
            "asset {id} is in several of your brands: name the brand"
        )));
    }
    let asset = rows.pop().ok_or_else(not_found)?;
    let brand = visible
        .into_iter()
        .find(|b| b.id == asset.brand_id)
        .ok_or_else(not_found)?;
    who.authorize(Action::EditContent, Some(&brand.slug))?;
    Ok((asset, brand))
}

/// The brand's non-archived variants of live entries, each with its entry, its content type and
/// its published revision's fields (when published): the brand's variants and their published
/// revisions in two queries, whatever the number of entries.
fn brand_variants(conn: &mut DbConnection, brand: &Brand) -> AppResult<Vec<BrandVariant>> {
    let entries: HashMap<String, Entry> =
        store::entries::of_brands(conn, std::slice::from_ref(&brand.id))?
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect();
    let types: HashMap<String, ContentType> = store::content_types::of_brand(conn, &brand.id)?
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect();
    let mut published: HashMap<String, Value> =
        store::variants::published_of_brand(conn, &brand.id)?
            .into_iter()
            .map(|p| (p.id, p.fields))
            .collect();
    let variants = store::variants::unarchived_of_brand(conn, &brand.id)?;
    Ok(variants
        .into_iter()
        .filter_map(|variant| {
            let entry = entries.get(&variant.record.entry_id)?.clone();
            let content_type = types.get(&entry.content_type_id)?.clone();
            let live = published.remove(&variant.record.id);
            Some(BrandVariant {
                entry,
                content_type,
                variant,
                live,
            })
        })
        .collect())
}

/// One non-archived variant, as `brand_variants` answers it.
struct BrandVariant {
    entry: Entry,
    content_type: ContentType,
    variant: Variant,
    /// The published revision's fields, when it has one.
    live: Option<Value>,
}

impl BrandVariant {
    /// Whether the latest or the published revision's fields satisfy `uses`.
    fn either_revision(&self, uses: impl Fn(&Value) -> bool) -> bool {
        uses(&self.variant.latest.content.fields) || self.live.as_ref().is_some_and(&uses)
    }

    fn describe(&self) -> String {
        format!(
            "variant \"{}\" of entry `{}`",
            self.variant.latest.content.name, self.entry.key
        )
    }
}

/// The non-archived variants of the brand whose latest or published revision shows the asset.
fn asset_users(conn: &mut DbConnection, brand: &Brand, asset_id: &str) -> AppResult<Vec<String>> {
    let users = brand_variants(conn, brand)?
        .into_iter()
        .filter(|v| {
            let names: Vec<String> = v
                .content_type
                .fields
                .iter()
                .filter(|f| f.kind == FieldKind::Asset)
                .map(|f| f.name.clone())
                .collect();
            !names.is_empty() && v.either_revision(|fields| shows(fields, &names, asset_id))
        })
        .map(|v| v.describe())
        .collect();
    Ok(users)
}

/// The non-archived variants of other entries whose latest or published revision references
/// `target` through a REFERENCE field.
fn referrers(conn: &mut DbConnection, brand: &Brand, target: &Entry) -> AppResult<Vec<String>> {
    let users = brand_variants(conn, brand)?
        .into_iter()
        .filter(|v| v.entry.id != target.id)
        .filter(|v| {
            let ct = &v.content_type;
            ct.fields.iter().any(|f| f.kind == FieldKind::Reference)
                && v.either_revision(|fields| {
                    ct.references(fields).iter().any(|r| r.key == target.key)
                })
        })
        .map(|v| v.describe())
        .collect();
    Ok(users)
}

/// Whether one of the ASSET fields `names` of `fields` is (or lists) the asset.
fn shows(fields: &Value, names: &[String], asset_id: &str) -> bool {
    names.iter().any(|name| match fields.get(name) {
        Some(Value::String(id)) => id == asset_id,
        Some(Value::Array(ids)) => ids.iter().any(|id| id.as_str() == Some(asset_id)),
        _ => false,
    })
}
