//! The images delivered variants show: each content type's ASSET fields, the assets published
//! variants name (loaded with the snapshot), and a variant's images sized for every device when
//! the snapshot is built (an answer picks its device's, see `delivered`).

use serde_json::Value;
use std::collections::HashMap;

use super::snapshot::AssetFields;
use crate::domain::asset::Asset;
use crate::domain::content_type::{ContentType, FieldKind};
use crate::domain::device::Device;
use crate::domain::entry::Entry;
use crate::domain::variant::PublishedVariant;

/// An image of a delivered variant, sized for one device.
#[derive(Debug, Clone)]
pub struct DeliveredAsset {
    pub field: String,
    pub id: String,
    pub alt: Option<String>,
    pub width: u32,
    pub height: u32,
    pub url: String,
    pub srcset: String,
    pub dominant_color: String,
    pub placeholder: String,
}

/// The names of each content type's ASSET fields, by content type id.
pub(super) fn asset_fields(content_types: &[ContentType]) -> AssetFields {
    content_types
        .iter()
        .map(|ct| {
            let names = ct
                .fields
                .iter()
                .filter(|f| f.kind == FieldKind::Asset)
                .map(|f| f.name.clone())
                .collect();
            (ct.id.clone(), names)
        })
        .collect()
}

/// The images of a variant's ASSET fields (`(field, asset id)`, see `LiveVariant::assets`) for
/// each device, in [`Device::ALL`]'s order: made once, when the snapshot is built. An asset the
/// brand no longer has is left out.
pub(super) fn images(
    named: &[(String, String)],
    assets: &HashMap<String, Asset>,
) -> [Vec<DeliveredAsset>; Device::ALL.len()] {
    let mut out: [Vec<DeliveredAsset>; Device::ALL.len()] = Default::default();
    for (field, id) in named {
        let Some(asset) = assets.get(id) else {
            continue;
        };
        let sized = crate::assets::urls::delivered_images(asset);
        for (images, image) in out.iter_mut().zip(sized) {
            images.push(DeliveredAsset {
                field: field.clone(),
                id: id.clone(),
                alt: asset.alt.clone(),
                width: image.width,
                height: image.height,
                url: image.url,
                srcset: image.srcset,
                dominant_color: asset.dominant_color.clone(),
                placeholder: asset.placeholder.clone(),
            });
        }
    }
    out
}

/// The ids of the assets that published variants' ASSET fields name.
pub(super) fn referenced_assets(
    entries: &[Entry],
    published: &[PublishedVariant],
    asset_fields: &AssetFields,
) -> Vec<String> {
    let types: HashMap<&str, &str> = entries
        .iter()
        .map(|e| (e.id.as_str(), e.content_type_id.as_str()))
        .collect();
    let mut ids: Vec<String> = published
        .iter()
        .filter_map(|variant| {
            let names = asset_fields.get(*types.get(variant.entry_id.as_str())?)?;
            Some(
                names
                    .iter()
                    .flat_map(|n| match variant.fields.get(n) {
                        Some(Value::Array(items)) => items.iter().collect(),
                        Some(v) => vec![v],
                        None => Vec::new(),
                    })
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
        .collect();
    ids.sort();
    ids.dedup();
    ids
}
