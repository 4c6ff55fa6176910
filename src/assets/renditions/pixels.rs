//! Packed pixels between decoding, resizing and encoding: a borrowed or resized RGB(A) buffer,
//! and the WebP and JPEG encoders it is handed to.

use std::borrow::Cow;
use std::fmt;

use fast_image_resize::{images::Image, FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::DynamicImage;

use super::{CropBox, RenditionFormat};
use crate::assets::AssetError;

/// Quality of both encoders; the same default as sharp's, so the benchmark compares like work.
const QUALITY: u8 = 80;
/// libwebp's effort (0 fastest … 6 smallest); 4 is libwebp's and sharp's default.
const WEBP_METHOD: i32 = 4;

/// Packed 8-bit pixels, RGB or RGBA, borrowed from the decoded image or owned after a resize.
pub(super) struct Pixels<'a> {
    pub(super) width: u32,
    pub(super) height: u32,
    alpha: bool,
    data: Cow<'a, [u8]>,
}

impl<'a> Pixels<'a> {
    pub(super) fn from_image(image: &'a DynamicImage) -> Result<Pixels<'a>, AssetError> {
        let (alpha, data) = match image {
            DynamicImage::ImageRgb8(buf) => (false, buf.as_raw().as_slice()),
            DynamicImage::ImageRgba8(buf) => (true, buf.as_raw().as_slice()),
            _ => {
                return Err(AssetError::Internal(
                    "renditions need RGB8 or RGBA8 pixels".into(),
                ))
            }
        };
        Ok(Pixels {
            width: image.width(),
            height: image.height(),
            alpha,
            data: Cow::Borrowed(data),
        })
    }

    fn pixel_type(&self) -> PixelType {
        if self.alpha {
            PixelType::U8x4
        } else {
            PixelType::U8x3
        }
    }

    /// These pixels (or the `crop` of them) resized to `width`×`height` with Lanczos3; a plain
    /// copy when nothing changes.
    pub(super) fn resized(
        &self,
        resizer: &mut Resizer,
        crop: Option<CropBox>,
        width: u32,
        height: u32,
    ) -> Result<Pixels<'static>, AssetError> {
        let whole = crop.is_none_or(|c| c.width == self.width && c.height == self.height);
        if whole && width == self.width && height == self.height {
            let data = Cow::Owned(self.data.to_vec());
            return Ok(Pixels {
                width,
                height,
                alpha: self.alpha,
                data,
            });
        }
        let internal = |e: &dyn fmt::Display| AssetError::Internal(format!("resize: {e}"));
        let src = fast_image_resize::images::ImageRef::new(
            self.width,
            self.height,
            &self.data,
            self.pixel_type(),
        )
        .map_err(|e| internal(&e))?;
        let mut dst = Image::new(width, height, self.pixel_type());
        let mut options =
            ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
        if let Some(c) = crop {
            options = options.crop(c.left.into(), c.top.into(), c.width.into(), c.height.into());
        }
        resizer
            .resize(&src, &mut dst, &options)
            .map_err(|e| internal(&e))?;
        Ok(Pixels {
            width,
            height,
            alpha: self.alpha,
            data: Cow::Owned(dst.into_vec()),
        })
    }

    pub(super) fn encode(&self, format: RenditionFormat) -> Result<Vec<u8>, AssetError> {
        match format {
            RenditionFormat::WebP => self.encode_webp(),
            RenditionFormat::Jpeg => self.encode_jpeg(),
        }
    }

    fn encode_webp(&self) -> Result<Vec<u8>, AssetError> {
        let encoder = if self.alpha {
            webp::Encoder::from_rgba(&self.data, self.width, self.height)
        } else {
            webp::Encoder::from_rgb(&self.data, self.width, self.height)
        };
        let mut config =
            webp::WebPConfig::new().map_err(|_| AssetError::Internal("libwebp config".into()))?;
        config.quality = f32::from(QUALITY);
        config.method = WEBP_METHOD;
        let memory = encoder
            .encode_advanced(&config)
            .map_err(|e| AssetError::Internal(format!("webp encoding: {e:?}")))?;
        Ok(memory.to_vec())
    }

    /// Baseline 4:2:0 JPEG with optimised Huffman tables; alpha is flattened onto white.
    fn encode_jpeg(&self) -> Result<Vec<u8>, AssetError> {
        let rgb: Cow<'_, [u8]> = if self.alpha {
            Cow::Owned(flatten_on_white(&self.data))
        } else {
            Cow::Borrowed(&self.data)
        };
        let (w, h) = (u16::try_from(self.width), u16::try_from(self.height));
        let (Ok(w), Ok(h)) = (w, h) else {
            return Err(AssetError::Internal("rendition too large for JPEG".into()));
        };
        let mut out = Vec::with_capacity(rgb.len() / 8);
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, QUALITY);
        encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
        encoder.set_optimized_huffman_tables(true);
        encoder
            .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
            .map_err(|e| AssetError::Internal(format!("jpeg encoding: {e}")))?;
        Ok(out)
    }
}

fn flatten_on_white(rgba: &[u8]) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(rgba.len() / 4 * 3);
    for px in rgba.chunks_exact(4) {
        let a = u32::from(px[3]);
        for &c in &px[..3] {
            rgb.push(((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8);
        }
    }
    rgb
}
