//! `updateAsset`: an image's alt text and focal point, edited after upload (editors of the
//! brand, admins). The snapshot's copy follows through the change log; cropped renditions are
//! named by their focal point (`assets::blob::BlobKey::Cropped`), so after the point moves new
//! crops are made and served, and the stale ones never are.

use super::assets::{parse_alt, parse_focal};
use super::deletion::asset_of_caller;
use super::{audit_event, Content};
use crate::auth::Principal;
use crate::domain::asset::Asset;
use crate::error::AppResult;
use crate::store::{self, changes::Change};

/// What `updateAsset` changes; what is absent stays. An empty `alt` clears it.
#[derive(Debug, Clone, Default)]
pub struct AssetUpdate {
    pub brand: Option<String>,
    pub alt: Option<String>,
    pub focal_x: Option<f64>,
    pub focal_y: Option<f64>,
}

impl Content {
    pub async fn update_asset(
        &self,
        who: &Principal,
        id: &str,
        update: AssetUpdate,
    ) -> AppResult<Asset> {
        let focal = parse_focal(update.focal_x, update.focal_y)?;
        let alt = update.alt.map(|a| parse_alt(Some(a))).transpose()?;
        let (who, id) = (who.clone(), id.to_string());
        let asset = self
            .db
            .write(move |conn| {
                let (mut asset, brand) = asset_of_caller(conn, &who, &id, update.brand.as_deref())?;
                if let Some(alt) = alt {
                    asset.alt = alt;
                }
                if let Some(focal) = focal {
                    asset.focal = Some((focal.x(), focal.y()));
                }
                store::assets::update_metadata(conn, &asset)?;
                let mut event = audit_event(&who, "updateAsset", &asset.id, Some(&brand.slug));
                event.note = Some(format!(
                    "alt: {:?}; focal: {:?}",
                    asset.alt.as_deref().unwrap_or(""),
                    asset.focal
                ));
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::Brand(brand.id.clone())])?;
                Ok(asset)
            })
            .await?;
        self.listener.committed().await;
        Ok(asset)
    }
}
