//! Colour management: pixels that arrive with an embedded ICC profile are converted to sRGB.
//!
//! Browsers show untagged images as sRGB, and renditions carry no profile (metadata is stripped),
//! so a Display P3 or Adobe RGB photo has to be converted once, right after decoding, or every
//! rendition and the dominant colour would come out dull. The conversion runs through `moxcms`
//! (the colour engine the `image` crate itself uses) with the perceptual intent; RGB profiles only.
//! Grey and CMYK profiles, and profiles that cannot be read, leave the pixels as decoded: they are
//! then taken as sRGB, which is what a browser would do with the same file.

use image::DynamicImage;
use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};

/// Rows converted per step, so the scratch copy stays small however large the image is.
const ROWS_PER_STEP: usize = 64;

/// What [`to_srgb`] did with an image's profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// No profile: the pixels already are (taken as) sRGB.
    Untagged,
    /// The profile described RGB pixels; they were converted to sRGB.
    Converted,
    /// A profile we do not convert from (grey, CMYK, unreadable): pixels left as decoded.
    Ignored,
}

/// Converts an RGB8 or RGBA8 `image` described by the ICC profile `icc` to sRGB, in place.
/// Alpha is kept as it is.
pub fn to_srgb(image: &mut DynamicImage, icc: Option<&[u8]>) -> Conversion {
    let Some(icc) = icc.filter(|bytes| !bytes.is_empty()) else {
        return Conversion::Untagged;
    };
    let Ok(profile) = ColorProfile::new_from_slice(icc) else {
        tracing::debug!("unreadable ICC profile left unconverted");
        return Conversion::Ignored;
    };
    if profile.color_space != DataColorSpace::Rgb {
        return Conversion::Ignored;
    }
    let (layout, channels, width, data) = match image {
        DynamicImage::ImageRgb8(buf) => (Layout::Rgb, 3, buf.width() as usize, &mut **buf),
        DynamicImage::ImageRgba8(buf) => (Layout::Rgba, 4, buf.width() as usize, &mut **buf),
        _ => return Conversion::Ignored,
    };
    let srgb = ColorProfile::new_srgb();
    let Ok(transform) =
        profile.create_transform_8bit(layout, &srgb, layout, TransformOptions::default())
    else {
        tracing::debug!("ICC profile without a usable RGB transform left unconverted");
        return Conversion::Ignored;
    };
    let step = (width * channels * ROWS_PER_STEP).max(channels);
    let mut scratch = Vec::with_capacity(step.min(data.len()));
    for chunk in data.chunks_mut(step) {
        scratch.clear();
        scratch.extend_from_slice(chunk);
        if transform.transform(&scratch, chunk).is_err() {
            // Sizes always match here; should the engine refuse anyway, keep what was decoded.
            chunk.copy_from_slice(&scratch);
            return Conversion::Ignored;
        }
    }
    Conversion::Converted
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    fn display_p3() -> Vec<u8> {
        ColorProfile::new_display_p3()
            .encode()
            .expect("encode P3 profile")
    }

    fn one_pixel(rgb: [u8; 3]) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_pixel(3, 2, Rgb(rgb)))
    }

    #[test]
    fn an_untagged_image_is_left_alone() {
        let mut image = one_pixel([200, 100, 50]);
        assert_eq!(to_srgb(&mut image, None), Conversion::Untagged);
        assert_eq!(image.to_rgb8().get_pixel(0, 0), &Rgb([200, 100, 50]));
    }

    #[test]
    fn display_p3_colours_become_more_saturated_srgb_values() {
        // The same numbers mean a more saturated colour in P3, so in sRGB they move outwards.
        let mut image = one_pixel([200, 100, 50]);
        assert_eq!(
            to_srgb(&mut image, Some(&display_p3())),
            Conversion::Converted
        );
        let px = *image.to_rgb8().get_pixel(2, 1);
        assert!(px[0] > 205 && px[1] < 100 && px[2] < 45, "{px:?}");
    }

    #[test]
    fn grey_stays_grey_and_alpha_is_kept() {
        let mut image =
            DynamicImage::ImageRgba8(RgbaImage::from_pixel(4, 4, Rgba([128, 128, 128, 77])));
        assert_eq!(
            to_srgb(&mut image, Some(&display_p3())),
            Conversion::Converted
        );
        let px = *image.to_rgba8().get_pixel(3, 3);
        assert!(
            px[0].abs_diff(128) <= 1 && px[1].abs_diff(128) <= 1 && px[2].abs_diff(128) <= 1,
            "{px:?}"
        );
        assert_eq!(px[3], 77);
    }

    #[test]
    fn a_broken_profile_is_ignored_not_fatal() {
        let mut image = one_pixel([10, 20, 30]);
        assert_eq!(
            to_srgb(&mut image, Some(b"not an icc profile at all")),
            Conversion::Ignored
        );
        assert_eq!(image.to_rgb8().get_pixel(1, 1), &Rgb([10, 20, 30]));
    }

    #[test]
    fn large_images_are_converted_in_every_row() {
        let mut image = DynamicImage::ImageRgb8(RgbImage::from_pixel(50, 300, Rgb([200, 100, 50])));
        to_srgb(&mut image, Some(&display_p3()));
        let buf = image.to_rgb8();
        assert_eq!(buf.get_pixel(0, 0), buf.get_pixel(49, 299));
        assert_ne!(buf.get_pixel(49, 299), &Rgb([200, 100, 50]));
    }
}
