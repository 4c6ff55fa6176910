//! What an answer serves, built once: a published revision's content and its images for every
//! device are made when the snapshot is built ([`DeliveredContent`], shared through an `Arc`),
//! and an answer only picks the device ([`DeliveredVariant`]). Nothing is copied per request but
//! the reference count.

use serde_json::Value;
use std::ops::Deref;
use std::sync::Arc;

use super::delivered_assets::DeliveredAsset;
use crate::domain::device::Device;

/// A published revision as delivered: its content, and its images sized for each device.
#[derive(Debug, Clone)]
pub struct DeliveredContent {
    pub id: String,
    pub name: String,
    pub fields: Value,
    pub tags: Vec<String>,
    pub revision: String,
    /// The images of its ASSET fields for each device, in [`Device::ALL`]'s order.
    pub images: [Vec<DeliveredAsset>; Device::ALL.len()],
}

impl DeliveredContent {
    /// Content without images (until [`super::delivered_assets::images`] sizes them).
    pub fn new(
        id: String,
        name: String,
        fields: Value,
        tags: Vec<String>,
        revision: String,
    ) -> Self {
        DeliveredContent {
            id,
            name,
            fields,
            tags,
            revision,
            images: Default::default(),
        }
    }
}

/// The variant an answer serves: the shared content, seen from the visitor's device.
#[derive(Debug, Clone)]
pub struct DeliveredVariant {
    pub content: Arc<DeliveredContent>,
    /// The device the images are sized for (an unknown device gets OTHER's, i.e. DESKTOP's).
    pub device: Device,
}

impl DeliveredVariant {
    pub fn new(content: Arc<DeliveredContent>, device: Option<Device>) -> Self {
        DeliveredVariant {
            content,
            device: device.unwrap_or(Device::Other),
        }
    }

    /// One image per ASSET field that is set (a list field's in order), sized for the device.
    pub fn assets(&self) -> &[DeliveredAsset] {
        // `Device::ALL` lists the devices in their declaration order.
        &self.content.images[self.device as usize]
    }
}

impl Deref for DeliveredVariant {
    type Target = DeliveredContent;

    fn deref(&self) -> &DeliveredContent {
        &self.content
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_index_their_images_in_declaration_order() {
        for (index, device) in Device::ALL.into_iter().enumerate() {
            assert_eq!(device as usize, index);
        }
    }
}
