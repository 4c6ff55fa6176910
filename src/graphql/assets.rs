//! `Asset` and `assets(brand, first, after)`: a brand's image library as a Relay connection
//! (anyone who may read the brand's content). Uploads go through `POST /api/assets`.

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use std::sync::Arc;

use super::types::{principal, Device, PageInfo};
use crate::content::assets::{renditions_of, AssetLibrary};
use crate::domain::asset::Asset as DomainAsset;

fn library<'a>(ctx: &'a Context<'_>) -> &'a Arc<AssetLibrary> {
    ctx.data_unchecked::<Arc<AssetLibrary>>()
}

/// An uploaded image.
pub struct Asset(pub DomainAsset);

/// One file an asset is served as.
#[derive(SimpleObject)]
pub struct Rendition {
    pub device: Device,
    /// `webp` or `jpeg`.
    pub format: String,
    pub width: i32,
    pub height: i32,
    /// Relative to the server: `/assets/{id}/{device}.{webp|jpg}`.
    pub url: String,
}

#[Object]
impl Asset {
    /// The SHA-256 of the original file.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Upright width of the original, in pixels.
    async fn width(&self) -> i32 {
        self.0.width as i32
    }
    async fn height(&self) -> i32 {
        self.0.height as i32
    }
    /// The original's format: `jpeg`, `png`, `webp` or `gif`.
    async fn format(&self) -> &str {
        &self.0.format
    }
    /// Size of the original file.
    async fn bytes(&self) -> i32 {
        i32::try_from(self.0.bytes).unwrap_or(i32::MAX)
    }
    async fn alt(&self) -> Option<&str> {
        self.0.alt.as_deref()
    }
    async fn focal_x(&self) -> Option<f64> {
        self.0.focal.map(|f| f.0)
    }
    async fn focal_y(&self) -> Option<f64> {
        self.0.focal.map(|f| f.1)
    }
    /// `#rrggbb`.
    async fn dominant_color(&self) -> &str {
        &self.0.dominant_color
    }
    /// A BlurHash to paint while the image loads.
    async fn placeholder(&self) -> &str {
        &self.0.placeholder
    }
    async fn uploaded_by(&self) -> &str {
        &self.0.uploaded_by
    }
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    /// Every device's WebP and JPEG.
    async fn renditions(&self) -> Vec<Rendition> {
        renditions_of(&self.0, None)
            .into_iter()
            .map(|r| Rendition {
                device: r.device.into(),
                format: r.format.as_str().to_owned(),
                width: r.width as i32,
                height: r.height as i32,
                url: r.url,
            })
            .collect()
    }
}

#[derive(SimpleObject)]
pub struct AssetEdge {
    pub cursor: String,
    pub node: Asset,
}

#[derive(SimpleObject)]
pub struct AssetConnection {
    pub edges: Vec<AssetEdge>,
    pub page_info: PageInfo,
    pub total_count: i32,
}

#[derive(Default)]
pub struct AssetQuery;

#[Object]
impl AssetQuery {
    /// A brand's assets, newest first (Relay cursor connection; `first` up to 100, default 20).
    async fn assets(
        &self,
        ctx: &Context<'_>,
        brand: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AssetConnection> {
        let had_cursor = after.is_some();
        let page = library(ctx)
            .list(principal(ctx), brand, first, after)
            .await?;
        let edges: Vec<AssetEdge> = page
            .assets
            .into_iter()
            .map(|(cursor, a)| AssetEdge {
                cursor,
                node: Asset(a),
            })
            .collect();
        let page_info = PageInfo {
            has_next_page: page.has_next_page,
            has_previous_page: had_cursor,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        };
        Ok(AssetConnection {
            edges,
            page_info,
            total_count: page.total as i32,
        })
    }
}
