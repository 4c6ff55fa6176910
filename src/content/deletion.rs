//! Deleting entries, content types and assets (editors of the brand, admins).
//!
//! Each is refused with `CONFLICT` while something uses it, naming what: an entry while one of
//! its variants is published or another entry's live or latest revision references it; a content type while it has entries; an asset while the latest or
//! published revision of a non-archived variant shows it. Entries and content types are deleted
//! softly (`store::entries`, `store::content_types`): a deleted entry leaves delivery (answered
//! like an unknown key), editors' lists and search, while its revisions, audit rows and usage stay
//! for auditors. An asset's row is deleted; its bytes stay, keyed by content.

use serde_json::Value;

use super::{audit_event, Content};
use crate::auth::{Action, Principal};
use crate::domain::brand::Brand;
use crate::domain::content_type::FieldKind;
use crate::domain::entry::Entry;
use crate::domain::variant::VariantStatus;
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

/// The non-archived variants of the brand whose latest or published revision shows the asset.
fn asset_users(conn: &mut DbConnection, brand: &Brand, asset_id: &str) -> AppResult<Vec<String>> {
    let entries = store::entries::of_brands(conn, std::slice::from_ref(&brand.id))?;
    let types = store::content_types::of_brand(conn, &brand.id)?;
    let asset_fields = |entry: &Entry| -> Vec<String> {
        types
            .iter()
            .find(|t| t.id == entry.content_type_id)
            .map(|t| {
                t.fields
                    .iter()
                    .filter(|f| f.kind == FieldKind::Asset)
                    .map(|f| f.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut users = Vec::new();
    for entry in &entries {
        let names = asset_fields(entry);
        if names.is_empty() {
            continue;
        }
        let ids = [entry.id.clone()];
        let published = store::variants::published_of_entries(conn, &ids)?;
        for v in store::variants::of_entries(conn, &ids)? {
            if v.record.status == VariantStatus::Archived {
                continue;
            }
            let live = published.iter().find(|p| p.id == v.record.id);
            let shows = shows(&v.latest.content.fields, &names, asset_id)
                || live.is_some_and(|p| shows(&p.fields, &names, asset_id));
            if shows {
                users.push(format!(
                    "variant \"{}\" of entry `{}`",
                    v.latest.content.name, entry.key
                ));
            }
        }
    }
    Ok(users)
}

/// The non-archived variants of other entries whose latest or published revision references
/// `target` through a REFERENCE field.
fn referrers(conn: &mut DbConnection, brand: &Brand, target: &Entry) -> AppResult<Vec<String>> {
    let types = store::content_types::of_brand(conn, &brand.id)?;
    let entries = store::entries::of_brands(conn, std::slice::from_ref(&brand.id))?;
    let mut users = Vec::new();
    for entry in entries.iter().filter(|e| e.id != target.id) {
        let Some(ct) = types.iter().find(|t| t.id == entry.content_type_id) else {
            continue;
        };
        if !ct.fields.iter().any(|f| f.kind == FieldKind::Reference) {
            continue;
        }
        let ids = [entry.id.clone()];
        let published = store::variants::published_of_entries(conn, &ids)?;
        let names = |fields: &Value| ct.references(fields).iter().any(|r| r.key == target.key);
        for v in store::variants::of_entries(conn, &ids)? {
            if v.record.status == VariantStatus::Archived {
                continue;
            }
            let live = published.iter().find(|p| p.id == v.record.id);
            if names(&v.latest.content.fields) || live.is_some_and(|p| names(&p.fields)) {
                users.push(format!(
                    "variant \"{}\" of entry `{}`",
                    v.latest.content.name, entry.key
                ));
            }
        }
    }
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
