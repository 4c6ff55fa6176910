//! What an upload looks like at a glance: its dominant colour and a BlurHash placeholder.
//!
//! Both are computed from one thumbnail at most 64 pixels wide, so their cost does not grow with
//! the upload. The dominant colour is the mean of the most populated cell of a 16×16×16 colour
//! histogram (transparent pixels ignored), which names the colour a viewer sees most of rather
//! than the muddy average of everything.

use fast_image_resize::{images::Image, FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, RgbaImage};

use super::AssetError;

const THUMBNAIL_WIDTH: u32 = 64;

/// The colour and the placeholder of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// `#rrggbb`.
    pub dominant_color: String,
    /// A BlurHash string (4×3 components, or 3×4 for portraits).
    pub placeholder: String,
}

/// Analyses an upright RGB8 or RGBA8 image.
pub fn analyse(image: &DynamicImage) -> Result<Analysis, AssetError> {
    let thumb = thumbnail(image)?;
    let (cx, cy) = if thumb.width() >= thumb.height() {
        (4, 3)
    } else {
        (3, 4)
    };
    let placeholder = blurhash::encode(cx, cy, thumb.width(), thumb.height(), thumb.as_raw())
        .map_err(|e| AssetError::Internal(format!("blurhash: {e}")))?;
    Ok(Analysis {
        dominant_color: dominant_color(&thumb),
        placeholder,
    })
}

fn thumbnail(image: &DynamicImage) -> Result<RgbaImage, AssetError> {
    let (w, h) = (image.width(), image.height());
    if w <= THUMBNAIL_WIDTH {
        return Ok(image.to_rgba8());
    }
    let th = ((u64::from(h) * u64::from(THUMBNAIL_WIDTH) / u64::from(w)) as u32).max(1);
    let pixel_type = if image.color().has_alpha() {
        PixelType::U8x4
    } else {
        PixelType::U8x3
    };
    let mut dst = Image::new(THUMBNAIL_WIDTH, th, pixel_type);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    Resizer::new()
        .resize(image, &mut dst, &options)
        .map_err(|e| AssetError::Internal(format!("thumbnail: {e}")))?;
    let small = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(
            RgbaImage::from_raw(THUMBNAIL_WIDTH, th, dst.into_vec()).expect("size"),
        )
    } else {
        DynamicImage::ImageRgb8(
            image::RgbImage::from_raw(THUMBNAIL_WIDTH, th, dst.into_vec()).expect("size"),
        )
    };
    Ok(small.to_rgba8())
}

fn dominant_color(thumb: &RgbaImage) -> String {
    let mut counts = vec![(0u32, [0u64; 3]); 4096];
    for px in thumb.pixels().filter(|p| p[3] >= 128) {
        let cell = (usize::from(px[0] >> 4) << 8)
            | (usize::from(px[1] >> 4) << 4)
            | usize::from(px[2] >> 4);
        let (n, sums) = &mut counts[cell];
        *n += 1;
        for c in 0..3 {
            sums[c] += u64::from(px[c]);
        }
    }
    let (n, sums) = counts
        .iter()
        .max_by_key(|(n, _)| *n)
        .copied()
        .unwrap_or_default();
    if n == 0 {
        return "#ffffff".to_owned();
    }
    let mean = |c: usize| (sums[c] / u64::from(n)) as u8;
    format!("#{:02x}{:02x}{:02x}", mean(0), mean(1), mean(2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    #[test]
    fn a_mostly_red_picture_is_red() {
        let img = RgbImage::from_fn(300, 200, |x, _| {
            if x < 220 {
                Rgb([200, 20, 20])
            } else {
                Rgb([10, 10, 240])
            }
        });
        let analysis = analyse(&DynamicImage::ImageRgb8(img)).unwrap();
        assert_eq!(analysis.dominant_color, "#c81414");
    }

    #[test]
    fn the_placeholder_is_a_short_blurhash() {
        let analysis = analyse(&crate::assets::testimages::gradient(500, 300)).unwrap();
        assert!(analysis.placeholder.len() < 40, "{}", analysis.placeholder);
        assert!(blurhash::decode(&analysis.placeholder, 8, 6, 1.0).is_ok());
    }

    #[test]
    fn transparent_pixels_do_not_count() {
        let analysis = analyse(&crate::assets::testimages::translucent(100, 20)).unwrap();
        assert!(
            analysis.dominant_color.starts_with("#c81"),
            "{}",
            analysis.dominant_color
        );
    }
}
