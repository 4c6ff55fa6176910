//! Delivery's answers served as they are: `Resolved`, `DeliveredVariant`, `DeliveredAsset` and
//! `ResolvedReference` are GraphQL objects over delivery's own structs, so an answer is never
//! copied field by field into a second struct; the variant's content is the snapshot's, shared.

use async_graphql::{Object, ID};

use crate::delivery::references::ResolvedReference;
use crate::delivery::{DeliveredAsset, DeliveredVariant, Resolved};

/// The variant an app should show for one key.
#[Object]
impl Resolved {
    async fn key(&self) -> &str {
        &self.key
    }
    async fn variant(&self) -> Option<&DeliveredVariant> {
        self.variant.as_ref()
    }
    /// Names this impression for `track`; only in answers to delivery keys.
    async fn served_id(&self) -> Option<&str> {
        self.served_id.as_deref()
    }
    /// Why this variant (or none) was chosen, in words.
    async fn reason(&self) -> &str {
        &self.reason
    }
    /// The entries the variant's REFERENCE fields name, each resolved for the same context (its
    /// own impression, `servedId` and reason), in field and list order; nested as deep as the
    /// query asks, at most 5 levels.
    async fn references(&self) -> &[ResolvedReference] {
        &self.references
    }
}

/// A published variant as delivered: the published revision's content.
#[Object]
impl DeliveredVariant {
    async fn id(&self) -> ID {
        ID(self.id.clone())
    }
    async fn name(&self) -> &str {
        &self.name
    }
    async fn fields(&self) -> async_graphql::Json<&serde_json::Value> {
        async_graphql::Json(&self.fields)
    }
    async fn tags(&self) -> &[String] {
        &self.tags
    }
    /// The revision served, for audits.
    async fn revision(&self) -> &str {
        &self.revision
    }
    /// One per ASSET field that is set, sized for the context's device.
    #[graphql(name = "assets")]
    async fn sized_assets(&self) -> &[DeliveredAsset] {
        self.assets()
    }
}

/// An image of a delivered variant: `url` is the WebP rendition for the context's device (an
/// unknown device gets DESKTOP's), `width`/`height` are that rendition's, `srcset` lists every width.
#[Object]
impl DeliveredAsset {
    async fn field(&self) -> &str {
        &self.field
    }
    async fn id(&self) -> ID {
        ID(self.id.clone())
    }
    async fn alt(&self) -> Option<&str> {
        self.alt.as_deref()
    }
    async fn width(&self) -> i32 {
        self.width as i32
    }
    async fn height(&self) -> i32 {
        self.height as i32
    }
    async fn url(&self) -> &str {
        &self.url
    }
    async fn srcset(&self) -> &str {
        &self.srcset
    }
    async fn dominant_color(&self) -> &str {
        &self.dominant_color
    }
    async fn placeholder(&self) -> &str {
        &self.placeholder
    }
}

/// An entry a delivered variant references, resolved for the same context.
#[Object]
impl ResolvedReference {
    /// The REFERENCE field.
    async fn field(&self) -> &str {
        &self.field
    }
    /// The position in a list field; 0 for a single reference.
    async fn index(&self) -> i32 {
        self.index as i32
    }
    async fn resolved(&self) -> &Resolved {
        &self.resolved
    }
}
