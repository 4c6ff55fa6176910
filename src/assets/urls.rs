//! Where renditions are served and what they measure: the URLs and sizes both the editors'
//! `Asset` and the delivered `DeliveredAsset` report.

use super::renditions::{rendition_size, Aspect, Focal, RenditionFormat};
use crate::domain::asset::Asset;
use crate::domain::device::Device;

/// One rendition as an Asset lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct RenditionInfo {
    pub device: Device,
    pub format: RenditionFormat,
    pub width: u32,
    pub height: u32,
    pub url: String,
}

/// The renditions an asset offers: every device, WebP and JPEG, at its width (never upscaled).
pub fn renditions_of(asset: &Asset, aspect: Option<Aspect>) -> Vec<RenditionInfo> {
    let mut out = Vec::with_capacity(Device::ALL.len() * 2);
    for device in Device::ALL {
        let (width, height) = rendition_size(asset.width, asset.height, device, aspect);
        for format in RenditionFormat::ALL {
            let mut url = rendition_url(&asset.id, device, format, aspect);
            if aspect.is_some() {
                // A crop's URL names the focal point it is cut around, so caches holding a crop
                // of an earlier point (served `immutable`) are never asked for this one.
                let focal = asset
                    .focal
                    .and_then(|(x, y)| Focal::new(x, y))
                    .unwrap_or_default();
                let (x, y) = focal.basis_points();
                url.push_str(&format!("&focal={x}x{y}"));
            }
            out.push(RenditionInfo {
                device,
                format,
                width,
                height,
                url,
            });
        }
    }
    out
}

/// `/assets/{id}/{device}.{ext}`, with `?aspect=` when cropped.
pub fn rendition_url(
    id: &str,
    device: Device,
    format: RenditionFormat,
    aspect: Option<Aspect>,
) -> String {
    let device = device.as_str().to_ascii_lowercase();
    let mut url = format!("/assets/{id}/{device}.{}", format.extension());
    if let Some(aspect) = aspect {
        url.push_str("?aspect=");
        url.push_str(aspect.as_str());
    }
    url
}

/// An image as delivered with a variant: the WebP rendition for one device, and a `srcset`
/// over every distinct width.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveredImage {
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub srcset: String,
}

/// The delivered images of `asset`, one per device in [`Device::ALL`]'s order (OTHER's is
/// DESKTOP's size), sharing one `srcset`: made once per snapshot, not per request.
pub fn delivered_images(asset: &Asset) -> [DeliveredImage; Device::ALL.len()] {
    let mut seen: Vec<u32> = Vec::with_capacity(Device::ALL.len());
    let mut srcset = Vec::with_capacity(Device::ALL.len());
    for d in [Device::Mobile, Device::Tablet, Device::Desktop, Device::Tv] {
        let (w, _) = rendition_size(asset.width, asset.height, d, None);
        if !seen.contains(&w) {
            seen.push(w);
            srcset.push(format!(
                "{} {w}w",
                rendition_url(&asset.id, d, RenditionFormat::WebP, None)
            ));
        }
    }
    let srcset = srcset.join(", ");
    Device::ALL.map(|device| {
        let (width, height) = rendition_size(asset.width, asset.height, device, None);
        DeliveredImage {
            url: rendition_url(&asset.id, device, RenditionFormat::WebP, None),
            width,
            height,
            srcset: srcset.clone(),
        }
    })
}
