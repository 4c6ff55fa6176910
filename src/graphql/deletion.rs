//! Deleting entries, content types and assets, and editing an asset's metadata, in GraphQL.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::assets::Asset;
use super::types::{content, principal};
use crate::content::asset_metadata::AssetUpdate;

/// An image's editable metadata; what is absent stays (an empty `alt` clears it).
#[derive(InputObject)]
pub struct UpdateAssetInput {
    /// The brand whose library holds the image, when several of the caller's do.
    pub brand: Option<String>,
    pub alt: Option<String>,
    /// Both or neither, each between 0 and 1; cropped renditions follow.
    pub focal_x: Option<f64>,
    pub focal_y: Option<f64>,
}

#[derive(Default)]
pub struct DeletionMutation;

#[Object]
impl DeletionMutation {
    /// Deletes an entry with no published variant (CONFLICT naming them otherwise). It leaves
    /// delivery, editors' lists and search; its revisions, audit rows and usage stay.
    async fn delete_entry(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        Ok(content(ctx).delete_entry(principal(ctx), &id).await?)
    }

    /// Deletes a content type with no entries (CONFLICT naming them otherwise).
    async fn delete_content_type(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        Ok(content(ctx)
            .delete_content_type(principal(ctx), &id)
            .await?)
    }

    /// Deletes an image from a brand's library unless a non-archived variant shows it
    /// (CONFLICT naming them).
    async fn delete_asset(&self, ctx: &Context<'_>, id: ID, brand: Option<String>) -> Result<bool> {
        Ok(content(ctx)
            .delete_asset(principal(ctx), &id, brand)
            .await?)
    }

    /// Edits an image's alt text and focal point.
    async fn update_asset(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateAssetInput,
    ) -> Result<Asset> {
        let update = AssetUpdate {
            brand: input.brand,
            alt: input.alt,
            focal_x: input.focal_x,
            focal_y: input.focal_y,
        };
        let asset = content(ctx)
            .update_asset(principal(ctx), &id, update)
            .await?;
        Ok(Asset(asset))
    }
}
