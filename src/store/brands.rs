//! Brands table.

use diesel::prelude::*;

use super::schema::brands;
use super::{from_json_text, time, to_json_text, DbConnection};
use crate::domain::brand::{Brand, BrandPolicy};
use crate::error::{AppError, AppResult};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = brands)]
struct BrandRow {
    id: String,
    slug: String,
    name: String,
    default_locale: String,
    locales: String,
    policy: String,
    version: i32,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
    preview_url: Option<String>,
}

impl BrandRow {
    fn into_domain(self) -> AppResult<Brand> {
        Ok(Brand {
            id: self.id,
            slug: self.slug,
            name: self.name,
            default_locale: self.default_locale,
            locales: from_json_text(&self.locales)?,
            policy: from_json_text::<BrandPolicy>(&self.policy)?,
            version: self.version,
            preview_url: self.preview_url,
        })
    }
}

pub fn insert(conn: &mut DbConnection, brand: &Brand) -> AppResult<()> {
    let now = time::to_db(time::now());
    let row = BrandRow {
        id: brand.id.clone(),
        slug: brand.slug.clone(),
        name: brand.name.clone(),
        default_locale: brand.default_locale.clone(),
        locales: to_json_text(&brand.locales),
        policy: to_json_text(&brand.policy),
        version: brand.version,
        created_at: now,
        updated_at: now,
        preview_url: brand.preview_url.clone(),
    };
    diesel::insert_into(brands::table)
        .values(&row)
        .execute(conn)
        .map_err(|e| match AppError::from(e) {
            err if err.code == crate::error::ErrorCode::Conflict => {
                AppError::conflict(format!("brand `{}` already exists", brand.slug))
            }
            err => err,
        })?;
    Ok(())
}

/// Stores name, locales, policy and preview URL, bumping the version.
pub fn update(conn: &mut DbConnection, brand: &Brand) -> AppResult<()> {
    diesel::update(brands::table.find(&brand.id))
        .set((
            brands::name.eq(&brand.name),
            brands::default_locale.eq(&brand.default_locale),
            brands::locales.eq(to_json_text(&brand.locales)),
            brands::policy.eq(to_json_text(&brand.policy)),
            brands::version.eq(brand.version),
            brands::preview_url.eq(&brand.preview_url),
            brands::updated_at.eq(time::to_db(time::now())),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn by_slug(conn: &mut DbConnection, slug: &str) -> AppResult<Option<Brand>> {
    brands::table
        .filter(brands::slug.eq(slug))
        .select(BrandRow::as_select())
        .first(conn)
        .optional()?
        .map(BrandRow::into_domain)
        .transpose()
}

/// The brand with that slug, or `NOT_FOUND`.
pub fn require(conn: &mut DbConnection, slug: &str) -> AppResult<Brand> {
    by_slug(conn, slug)?
        .ok_or_else(|| AppError::not_found(format!("brand `{slug}` does not exist")))
}

pub fn by_id(conn: &mut DbConnection, id: &str) -> AppResult<Brand> {
    brands::table
        .find(id)
        .select(BrandRow::as_select())
        .first(conn)?
        .into_domain()
}

pub fn all(conn: &mut DbConnection) -> AppResult<Vec<Brand>> {
    brands::table
        .order(brands::slug.asc())
        .select(BrandRow::as_select())
        .load(conn)?
        .into_iter()
        .map(BrandRow::into_domain)
        .collect()
}

pub fn count(conn: &mut DbConnection) -> AppResult<i64> {
    Ok(brands::table.count().get_result(conn)?)
}
