//! The images delivered variants show: each content type's ASSET fields, the assets published
//! variants name (loaded into the snapshot), and a variant's images sized for the visitor's device.

use serde_json::Value;
use std::collections::HashMap;

use super::snapshot::{AssetFields, BrandSnapshot, LiveVariant};
use super::DeliveredAsset;
use crate::domain::content_type::{ContentType, FieldKind};
use crate::domain::device::Device;
use crate::domain::entry::Entry;
use crate::domain::variant::PublishedVariant;

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

/// The images of a variant's ASSET fields, sized for the device.
pub(super) fn delivered_assets(
    bs: &BrandSnapshot,
    live: &LiveVariant,
    device: Option<Device>,
) -> Vec<DeliveredAsset> {
    live.assets
        .iter()
        .filter_map(|(field, id)| {
            let asset = bs.assets.get(id)?;
            let image = crate::assets::urls::delivered_image(asset, device);
            Some(DeliveredAsset {
                field: field.clone(),
                id: id.clone(),
                alt: asset.alt.clone(),
                width: image.width,
                height: image.height,
                url: image.url,
                srcset: image.srcset,
                dominant_color: asset.dominant_color.clone(),
                placeholder: asset.placeholder.clone(),
            })
        })
        .collect()
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
