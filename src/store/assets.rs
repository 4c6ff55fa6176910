//! Assets table: one row per image per brand; the bytes live in the blob store.

use diesel::prelude::*;

use super::schema::assets;
use super::{time, DbConnection};
use crate::domain::asset::Asset;
use crate::error::{AppError, AppResult};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = assets)]
struct AssetRow {
    id: String,
    brand_id: String,
    width: i32,
    height: i32,
    format: String,
    bytes: i64,
    alt: Option<String>,
    focal_x: Option<f64>,
    focal_y: Option<f64>,
    dominant_color: String,
    placeholder: String,
    uploaded_by: String,
    created_at: chrono::NaiveDateTime,
}

impl AssetRow {
    fn from_domain(asset: &Asset) -> AppResult<AssetRow> {
        let int = |v: u32| i32::try_from(v).map_err(AppError::internal);
        Ok(AssetRow {
            id: asset.id.clone(),
            brand_id: asset.brand_id.clone(),
            width: int(asset.width)?,
            height: int(asset.height)?,
            format: asset.format.clone(),
            bytes: i64::try_from(asset.bytes).map_err(AppError::internal)?,
            alt: asset.alt.clone(),
            focal_x: asset.focal.map(|f| f.0),
            focal_y: asset.focal.map(|f| f.1),
            dominant_color: asset.dominant_color.clone(),
            placeholder: asset.placeholder.clone(),
            uploaded_by: asset.uploaded_by.clone(),
            created_at: time::to_db(asset.created_at),
        })
    }

    fn into_domain(self) -> Asset {
        Asset {
            id: self.id,
            brand_id: self.brand_id,
            width: self.width.max(0) as u32,
            height: self.height.max(0) as u32,
            format: self.format,
            bytes: self.bytes.max(0) as u64,
            alt: self.alt,
            focal: self.focal_x.zip(self.focal_y),
            dominant_color: self.dominant_color,
            placeholder: self.placeholder,
            uploaded_by: self.uploaded_by,
            created_at: time::from_db(self.created_at),
        }
    }
}

pub fn insert(conn: &mut DbConnection, asset: &Asset) -> AppResult<()> {
    diesel::insert_into(assets::table)
        .values(AssetRow::from_domain(asset)?)
        .execute(conn)?;
    Ok(())
}

/// The brand's row for this image, if it has one.
pub fn find(conn: &mut DbConnection, brand_id: &str, id: &str) -> AppResult<Option<Asset>> {
    Ok(assets::table
        .find((brand_id, id))
        .select(AssetRow::as_select())
        .first(conn)
        .optional()?
        .map(AssetRow::into_domain))
}

/// The oldest row for this image in any brand (renditions are served by id alone).
pub fn first_by_id(conn: &mut DbConnection, id: &str) -> AppResult<Option<Asset>> {
    Ok(assets::table
        .filter(assets::id.eq(id))
        .order(assets::created_at.asc())
        .select(AssetRow::as_select())
        .first(conn)
        .optional()?
        .map(AssetRow::into_domain))
}

/// Where a page starts: after the asset created at this instant with this id.
#[derive(Debug, Clone)]
pub struct After {
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub id: String,
}

/// One page of a brand's assets, newest first, plus the brand's total.
pub fn page(
    conn: &mut DbConnection,
    brand_id: &str,
    after: Option<&After>,
    limit: i64,
) -> AppResult<(Vec<Asset>, i64)> {
    let mut query = assets::table
        .filter(assets::brand_id.eq(brand_id))
        .into_boxed();
    if let Some(after) = after {
        let at = time::to_db(after.created_at);
        query = query.filter(
            assets::created_at.lt(at).or(assets::created_at
                .eq(at)
                .and(assets::id.lt(after.id.clone()))),
        );
    }
    let rows = query
        .order((assets::created_at.desc(), assets::id.desc()))
        .limit(limit)
        .select(AssetRow::as_select())
        .load(conn)?;
    let total: i64 = assets::table
        .filter(assets::brand_id.eq(brand_id))
        .count()
        .get_result(conn)?;
    Ok((rows.into_iter().map(AssetRow::into_domain).collect(), total))
}

/// The brand's assets with these ids (chunked under the parameter limits).
pub fn of_brand_by_ids(
    conn: &mut DbConnection,
    brand_id: &str,
    ids: &[String],
) -> AppResult<Vec<Asset>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let rows: Vec<AssetRow> = assets::table
            .filter(assets::brand_id.eq(brand_id))
            .filter(assets::id.eq_any(chunk))
            .select(AssetRow::as_select())
            .load(conn)?;
        out.extend(rows.into_iter().map(AssetRow::into_domain));
    }
    Ok(out)
}

/// The rows of this image in the given brands.
pub fn in_brands(conn: &mut DbConnection, id: &str, brand_ids: &[String]) -> AppResult<Vec<Asset>> {
    Ok(assets::table
        .filter(assets::id.eq(id))
        .filter(assets::brand_id.eq_any(brand_ids))
        .order(assets::created_at.asc())
        .select(AssetRow::as_select())
        .load(conn)?
        .into_iter()
        .map(AssetRow::into_domain)
        .collect())
}

/// Deletes the brand's row for this image (the bytes stay in the blob store: other brands may
/// hold the same image, and renditions are keyed by content).
pub fn delete(conn: &mut DbConnection, brand_id: &str, id: &str) -> AppResult<()> {
    diesel::delete(assets::table.find((brand_id, id))).execute(conn)?;
    Ok(())
}

/// Writes an asset's editable metadata: alt text and focal point.
pub fn update_metadata(conn: &mut DbConnection, asset: &Asset) -> AppResult<()> {
    diesel::update(assets::table.find((&asset.brand_id, &asset.id)))
        .set((
            assets::alt.eq(&asset.alt),
            assets::focal_x.eq(asset.focal.map(|f| f.0)),
            assets::focal_y.eq(asset.focal.map(|f| f.1)),
        ))
        .execute(conn)?;
    Ok(())
}
