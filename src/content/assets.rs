//! Asset operations: upload into a brand's library, list it, and serve renditions.
//!
//! [`AssetLibrary`] joins the pixel pipeline ([`crate::assets::Assets`]: sniff, decode, analyse,
//! blob store, renditions) with the `assets` table. An upload is authorized first, then checked
//! and stored by the pipeline, and only then gets its row, so a refused file leaves nothing and a
//! crash leaves at most an unreferenced blob, never a row without its file. The same image
//! uploaded twice to a brand is one row and one file.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::assets::renditions::{Focal, RenditionKey};
pub use crate::assets::urls::{rendition_url, renditions_of, RenditionInfo};
use crate::assets::{AssetError, AssetId, AssetLimits, Assets, Claim};
use crate::auth::{Action, Principal};
use crate::domain::asset::Asset;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::store::{self, Db};

/// Largest `first` of the `assets` connection.
pub const MAX_PAGE: i64 = 100;
const MAX_ALT_CHARS: usize = 1000;

/// The asset library of every brand.
#[derive(Clone)]
pub struct AssetLibrary {
    db: Db,
    assets: Assets,
}

/// An upload as the HTTP layer hands it over, after streaming it within the byte limit.
#[derive(Debug, Default)]
pub struct Upload {
    pub brand: Option<String>,
    pub alt: Option<String>,
    pub focal_x: Option<f64>,
    pub focal_y: Option<f64>,
    pub bytes: Vec<u8>,
    pub claim: Claim,
}

/// A page of a brand's assets: (cursor, asset) pairs, newest first.
pub struct AssetPage {
    pub assets: Vec<(String, Asset)>,
    pub has_next_page: bool,
    pub total: i64,
}

impl AssetLibrary {
    pub fn new(db: Db, assets: Assets) -> Self {
        AssetLibrary { db, assets }
    }

    pub fn limits(&self) -> &AssetLimits {
        self.assets.limits()
    }

    /// Whether the asset store answers (for `/readyz`).
    pub fn store_healthy(&self) -> bool {
        self.assets.healthy()
    }

    /// Stores an upload in a brand's library (editors of the brand and admins).
    pub async fn upload(&self, who: &Principal, upload: Upload) -> AppResult<Asset> {
        let brand = upload_brand(who, upload.brand.as_deref())?;
        who.authorize(Action::EditContent, Some(&brand))?;
        let focal = parse_focal(upload.focal_x, upload.focal_y)?;
        let alt = parse_alt(upload.alt)?;
        let slug = brand.clone();
        let brand_id = self
            .db
            .read(move |conn| store::brands::require(conn, &brand))
            .await?
            .id;
        let ingested = self
            .assets
            .ingest(upload.bytes, upload.claim)
            .await
            .map_err(asset_error)?;
        let asset = Asset {
            id: ingested.id.to_string(),
            brand_id,
            width: ingested.width,
            height: ingested.height,
            format: ingested.format.as_str().to_owned(),
            bytes: ingested.bytes,
            alt,
            focal: focal.map(|f| (f.x(), f.y())),
            dominant_color: ingested.dominant_color,
            placeholder: ingested.placeholder,
            uploaded_by: who.actor(),
            created_at: store::time::now(),
        };
        let event = store::audit::AuditEvent {
            actor: who.actor(),
            action: "asset.upload".into(),
            target: asset.id.clone(),
            brand: Some(slug),
            ..Default::default()
        };
        self.db
            .write(
                move |conn| match store::assets::find(conn, &asset.brand_id, &asset.id)? {
                    Some(existing) => Ok(existing),
                    None => {
                        store::assets::insert(conn, &asset)?;
                        store::audit::append(conn, event)?;
                        Ok(asset)
                    }
                },
            )
            .await
    }

    /// A brand's assets, newest first (Relay cursor; `first` up to 100, default 20).
    pub async fn list(
        &self,
        who: &Principal,
        brand: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<AssetPage> {
        who.authorize(Action::ReadContent, Some(&brand))?;
        let limit = match first {
            None => 20,
            Some(n) if (0..=MAX_PAGE as i32).contains(&n) => i64::from(n),
            Some(_) => {
                return Err(AppError::bad_input(format!(
                    "`first` must be between 0 and {MAX_PAGE}"
                )))
            }
        };
        let after = after.as_deref().map(parse_cursor).transpose()?;
        self.db
            .read(move |conn| {
                let brand = store::brands::require(conn, &brand)?;
                let (mut rows, total) =
                    store::assets::page(conn, &brand.id, after.as_ref(), limit + 1)?;
                let has_next_page = rows.len() as i64 > limit;
                rows.truncate(limit as usize);
                let assets = rows.into_iter().map(|a| (cursor_of(&a), a)).collect();
                Ok(AssetPage {
                    assets,
                    has_next_page,
                    total,
                })
            })
            .await
    }

    /// Whether the brand's library holds this asset (for ASSET fields).
    pub async fn belongs_to(&self, brand_id: String, id: String) -> AppResult<bool> {
        self.db
            .read(move |conn| Ok(store::assets::find(conn, &brand_id, &id)?.is_some()))
            .await
    }

    /// A rendition's bytes (anyone may fetch; the id is unguessable). Made now when missing.
    pub async fn rendition(&self, id: &str, key: RenditionKey) -> AppResult<Vec<u8>> {
        let missing = || AppError::not_found("no such asset");
        let asset_id: AssetId = id.parse().map_err(|_| missing())?;
        let id = id.to_owned();
        let asset = self
            .db
            .read(move |conn| store::assets::first_by_id(conn, &id))
            .await?
            .ok_or_else(missing)?;
        let focal = asset
            .focal
            .and_then(|(x, y)| Focal::new(x, y))
            .unwrap_or_default();
        self.assets
            .rendition(&asset_id, key, focal)
            .await
            .map_err(asset_error)
    }
}

/// The brand named, or the only brand of an editor who names none.
fn upload_brand(who: &Principal, named: Option<&str>) -> AppResult<String> {
    if let Some(brand) = named.map(str::trim).filter(|b| !b.is_empty()) {
        return Ok(brand.to_owned());
    }
    match who.user()?.brands.as_slice() {
        [only] => Ok(only.clone()),
        _ => Err(AppError::bad_input("name the `brand` the asset belongs to")),
    }
}

pub(crate) fn parse_focal(x: Option<f64>, y: Option<f64>) -> AppResult<Option<Focal>> {
    match (x, y) {
        (None, None) => Ok(None),
        (Some(x), Some(y)) => Focal::new(x, y)
            .map(Some)
            .ok_or_else(|| AppError::bad_input("`focalX` and `focalY` must be between 0 and 1")),
        _ => Err(AppError::bad_input(
            "give both `focalX` and `focalY`, or neither",
        )),
    }
}

pub(crate) fn parse_alt(alt: Option<String>) -> AppResult<Option<String>> {
    let alt = alt.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty());
    if alt
        .as_ref()
        .is_some_and(|a| a.chars().count() > MAX_ALT_CHARS)
    {
        return Err(AppError::bad_input(format!(
            "`alt` is longer than {MAX_ALT_CHARS} characters"
        )));
    }
    Ok(alt)
}

fn cursor_of(asset: &Asset) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "{}\n{}",
        asset.created_at.timestamp_micros(),
        asset.id
    ))
}

fn parse_cursor(cursor: &str) -> AppResult<store::assets::After> {
    let bad = || AppError::bad_input("`after` is not a cursor this API gave out");
    let text =
        String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?).map_err(|_| bad())?;
    let (micros, id) = text.split_once('\n').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let created_at = chrono::DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
    Ok(store::assets::After {
        created_at,
        id: id.to_owned(),
    })
}

/// The pipeline's refusals as the contract's errors: 415, 400, 413, 404, 503 when the object
/// store fails or the disk is full; causes of internal failures are logged, never shown.
pub fn asset_error(error: AssetError) -> AppError {
    match error {
        AssetError::Unsupported(m) => AppError::unsupported_media_type(m),
        AssetError::Invalid(m) => AppError::bad_input(m),
        AssetError::TooLarge(m) => AppError::new(ErrorCode::LimitExceeded, m),
        AssetError::NotFound => AppError::not_found("no such asset"),
        AssetError::Unavailable(cause) => AppError::unavailable_because(
            "the asset store is unavailable; try again shortly",
            cause,
        ),
        AssetError::StorageFull(cause) => AppError::unavailable_because(
            "storage full: the asset cannot be stored; free disk space",
            cause,
        ),
        AssetError::Internal(cause) => AppError::internal(cause),
    }
}
