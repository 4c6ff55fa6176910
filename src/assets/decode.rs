//! Decoding under limits: header first, pixels second, always ending in upright 8-bit sRGB.
//!
//! [`probe`] reads only the header and refuses an image over the dimension or pixel limits, so a
//! 100 000 × 100 000 "bomb" costs a few bytes of reading, never a gigabyte of allocation.
//! [`decode`] then runs the decoder with `image::Limits` (width, height and allocation) as a
//! second fence, takes a GIF's first frame, applies the EXIF orientation and converts to RGB8 or
//! RGBA8. [`decode_at_least`] is the fast path for renditions: a JPEG much wider than the
//! largest width needed is decoded at 1/2, 1/4 or 1/8 scale in the DCT domain, as libvips does.
//!
//! Everything here is CPU-bound and blocking; callers run it on the blocking pool.
//! Colour: an embedded RGB ICC profile is converted to sRGB by [`super::colour`]; untagged pixels
//! are taken as sRGB, and no profile is written to renditions. Metadata is read under caps by
//! [`super::metadata`], and a PNG reaches the decoder without its compressed chunks, so neither
//! the header read nor the decode can inflate a zlib bomb hidden in a profile or a text chunk.

use std::io::Cursor;

use image::{metadata::Orientation, DynamicImage, ImageError, ImageReader, Limits};

use super::{colour, metadata, AssetError, AssetLimits, SourceFormat};

/// Width and height as stored in the file (before EXIF orientation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dimensions {
    pub width: u32,
    pub height: u32,
}

/// Reads the header only and checks it against `limits`.
pub fn probe(
    bytes: &[u8],
    format: SourceFormat,
    limits: &AssetLimits,
) -> Result<Dimensions, AssetError> {
    dimensions(&metadata::decodable(bytes, format), format, limits)
}

/// The header's dimensions, checked; `bytes` are as [`metadata::decodable`] gives them.
fn dimensions(
    bytes: &[u8],
    format: SourceFormat,
    limits: &AssetLimits,
) -> Result<Dimensions, AssetError> {
    let (width, height) = reader(bytes, format, limits)
        .into_dimensions()
        .map_err(map_error)?;
    check_dimensions(width, height, limits)?;
    Ok(Dimensions { width, height })
}

fn check_dimensions(width: u32, height: u32, limits: &AssetLimits) -> Result<(), AssetError> {
    if width == 0 || height == 0 {
        return Err(AssetError::Invalid("the image has no pixels".into()));
    }
    let pixels = u64::from(width) * u64::from(height);
    if width > limits.max_side || height > limits.max_side || pixels > limits.max_pixels {
        return Err(AssetError::TooLarge(format!(
            "{width}×{height} is {:.1} megapixels; the limit is {:.1}",
            pixels as f64 / 1e6,
            limits.max_pixels as f64 / 1e6
        )));
    }
    Ok(())
}

fn reader<'a>(
    bytes: &'a [u8],
    format: SourceFormat,
    limits: &AssetLimits,
) -> ImageReader<Cursor<&'a [u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.to_image());
    reader.limits(image_limits(limits));
    reader
}

fn image_limits(limits: &AssetLimits) -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(limits.max_side);
    l.max_image_height = Some(limits.max_side);
    // Room for the largest accepted image at 16 bits × 4 channels, plus decoder scratch.
    l.max_alloc = Some(limits.max_pixels * 8 + 64 * 1024 * 1024);
    l
}

fn map_error(error: ImageError) -> AssetError {
    match error {
        ImageError::Limits(e) => AssetError::TooLarge(e.to_string()),
        ImageError::IoError(e) => AssetError::Invalid(format!("truncated image: {e}")),
        other => AssetError::Invalid(other.to_string()),
    }
}

/// Decodes the whole image: header checked first, then pixels, upright, RGB8 or RGBA8.
pub fn decode(
    bytes: &[u8],
    format: SourceFormat,
    limits: &AssetLimits,
) -> Result<DynamicImage, AssetError> {
    let decodable = metadata::decodable(bytes, format);
    dimensions(&decodable, format, limits)?;
    let mut decoder = reader(&decodable, format, limits)
        .into_decoder()
        .map_err(map_error)?;
    let metadata = metadata::read(bytes, format, &mut decoder);
    let mut image = DynamicImage::from_decoder(decoder).map_err(map_error)?;
    image.apply_orientation(metadata.orientation);
    let mut image = to_srgb8(image);
    colour::to_srgb(&mut image, metadata.icc.as_deref());
    Ok(image)
}

/// Converts any decoded colour type to RGB8, or RGBA8 when the image has alpha.
pub fn to_srgb8(image: DynamicImage) -> DynamicImage {
    match image {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => image,
        other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.to_rgba8()),
        other => DynamicImage::ImageRgb8(other.to_rgb8()),
    }
}

/// Decodes an image at least `min_width` pixels wide once upright (or at full size when smaller):
/// JPEGs at least twice as wide as needed are decoded at a reduced DCT scale.
///
/// `min_width` is told the upright width and height and answers the width needed.
pub fn decode_at_least(
    bytes: &[u8],
    format: SourceFormat,
    limits: &AssetLimits,
    min_width: impl Fn(u32, u32) -> u32,
) -> Result<DynamicImage, AssetError> {
    if format == SourceFormat::Jpeg {
        let dims = probe(bytes, format, limits)?;
        if let Some(image) = decode_jpeg_scaled(bytes, dims, min_width) {
            return Ok(image);
        }
    }
    decode(bytes, format, limits)
}

/// The scaled JPEG path; `None` when scaling would not help or the file needs the general path
/// (CMYK, 16-bit, an error this decoder reports but the main one may tolerate).
fn decode_jpeg_scaled(
    bytes: &[u8],
    dims: Dimensions,
    min_width: impl Fn(u32, u32) -> u32,
) -> Option<DynamicImage> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().ok()?;
    let orientation = decoder
        .exif_data()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let (upright_width, upright_height) = if swaps_axes(orientation) {
        (dims.height, dims.width)
    } else {
        (dims.width, dims.height)
    };
    let min_width = min_width(upright_width, upright_height);
    if upright_width < min_width.saturating_mul(2) {
        return None;
    }
    let ratio = f64::from(min_width) / f64::from(upright_width);
    let want_w = (f64::from(dims.width) * ratio).ceil() as u16;
    let want_h = (f64::from(dims.height) * ratio).ceil() as u16;
    let (w, h) = decoder.scale(want_w.max(1), want_h.max(1)).ok()?;
    let pixels = decoder.decode().ok()?;
    let info = decoder.info()?;
    let mut image = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => {
            DynamicImage::ImageRgb8(image::RgbImage::from_raw(w.into(), h.into(), pixels)?)
        }
        jpeg_decoder::PixelFormat::L8 => DynamicImage::ImageRgb8(
            DynamicImage::ImageLuma8(image::GrayImage::from_raw(w.into(), h.into(), pixels)?)
                .to_rgb8(),
        ),
        _ => return None,
    };
    image.apply_orientation(orientation);
    if image.width() < min_width {
        return None;
    }
    let icc = metadata::capped_icc(decoder.icc_profile());
    colour::to_srgb(&mut image, icc.as_deref());
    Some(image)
}

fn swaps_axes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assets::metadata::MAX_ICC_BYTES;
    use crate::assets::peak::peak_heap;
    use crate::assets::testimages::{
        encode, exif_with_orientation, gradient, jpeg_with_icc, jpeg_with_orientation,
        png_claiming, png_with_chunk, translucent, webp_with_icc, zlib_zeros,
    };
    use image::{GenericImageView, ImageFormat};
    use std::time::{Duration, Instant};

    fn limits() -> AssetLimits {
        AssetLimits::default()
    }

    #[test]
    fn a_bomb_header_is_refused_before_decoding() {
        let bomb = png_claiming(100_000, 100_000);
        assert!(matches!(
            decode(&bomb, SourceFormat::Png, &limits()),
            Err(AssetError::TooLarge(_))
        ));
    }

    #[test]
    fn the_pixel_limit_is_configurable() {
        let png = encode(&gradient(300, 200), ImageFormat::Png);
        let small = AssetLimits {
            max_pixels: 50_000,
            ..limits()
        };
        assert!(matches!(
            probe(&png, SourceFormat::Png, &small),
            Err(AssetError::TooLarge(_))
        ));
        assert!(probe(&png, SourceFormat::Png, &limits()).is_ok());
    }

    #[test]
    fn exif_orientation_is_applied() {
        let jpeg = jpeg_with_orientation(&gradient(80, 40), 6);
        let image = decode(&jpeg, SourceFormat::Jpeg, &limits()).unwrap();
        assert_eq!(image.dimensions(), (40, 80));
    }

    #[test]
    fn gif_gives_its_first_frame_and_alpha_survives() {
        let gif = encode(&translucent(20, 10), ImageFormat::Gif);
        let image = decode(&gif, SourceFormat::Gif, &limits()).unwrap();
        assert_eq!(image.dimensions(), (20, 10));
        assert!(image.color().has_alpha());
    }

    #[test]
    fn sixteen_bit_png_ends_in_eight_bit() {
        let img = DynamicImage::ImageRgb16(gradient(16, 16).to_rgb16());
        let mut png = Cursor::new(Vec::new());
        img.write_to(&mut png, ImageFormat::Png).unwrap();
        let image = decode(png.get_ref(), SourceFormat::Png, &limits()).unwrap();
        assert!(matches!(image, DynamicImage::ImageRgb8(_)));
    }

    #[test]
    fn a_wide_jpeg_is_decoded_at_reduced_scale() {
        let jpeg = encode(&gradient(2000, 1000), ImageFormat::Jpeg);
        let image = decode_at_least(&jpeg, SourceFormat::Jpeg, &limits(), |_, _| 400).unwrap();
        assert_eq!(image.dimensions(), (500, 250));
    }

    #[test]
    fn reduced_scale_respects_orientation() {
        let jpeg = jpeg_with_orientation(&gradient(2000, 1000), 6);
        let image = decode_at_least(&jpeg, SourceFormat::Jpeg, &limits(), |_, _| 200).unwrap();
        assert_eq!(image.dimensions(), (250, 500));
    }

    #[test]
    fn garbage_after_a_valid_header_is_invalid() {
        let mut png = encode(&gradient(64, 64), ImageFormat::Png);
        let len = png.len();
        for b in &mut png[60..len - 20] {
            *b = 0x5A;
        }
        assert!(matches!(
            decode(&png, SourceFormat::Png, &limits()),
            Err(AssetError::Invalid(_))
        ));
    }

    #[test]
    fn an_embedded_display_p3_profile_is_converted_on_both_paths() {
        let flat = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            1600,
            800,
            image::Rgb([200, 100, 50]),
        ));
        let p3 = moxcms::ColorProfile::new_display_p3().encode().unwrap();
        let jpeg = jpeg_with_icc(&flat, &p3);
        let untagged = encode(&flat, ImageFormat::Jpeg);
        let centre =
            |img: DynamicImage| *img.to_rgb8().get_pixel(img.width() / 2, img.height() / 2);
        let plain = centre(decode(&untagged, SourceFormat::Jpeg, &limits()).unwrap());
        let full = centre(decode(&jpeg, SourceFormat::Jpeg, &limits()).unwrap());
        let scaled =
            centre(decode_at_least(&jpeg, SourceFormat::Jpeg, &limits(), |_, _| 200).unwrap());
        assert!(
            full[0] > plain[0] + 5 && full[2] + 5 < plain[2],
            "P3 {full:?} vs untagged {plain:?}"
        );
        for c in 0..3 {
            assert!(
                full[c].abs_diff(scaled[c]) <= 3,
                "full {full:?} vs scaled {scaled:?}"
            );
        }
    }

    /// Decodes `bytes` and answers the image, the time taken and the most heap held at once.
    fn decode_measured(bytes: &[u8], format: SourceFormat) -> (DynamicImage, Duration, usize) {
        let started = Instant::now();
        let (image, peak) = peak_heap(|| decode(bytes, format, &limits()));
        (image.expect("decodes"), started.elapsed(), peak)
    }

    const MIB: usize = 1 << 20;

    #[test]
    fn a_png_profile_that_inflates_to_a_gigabyte_is_ignored_quickly_in_little_memory() {
        let plain = encode(&gradient(64, 48), ImageFormat::Png);
        let mut iccp = b"ICC profile\0\0".to_vec();
        iccp.extend_from_slice(&zlib_zeros(1 << 30));
        assert!(iccp.len() < 2 * MIB, "{} bytes", iccp.len());
        let bomb = png_with_chunk(&plain, b"iCCP", &iccp);
        let (image, took, peak) = decode_measured(&bomb, SourceFormat::Png);
        let untagged = decode(&plain, SourceFormat::Png, &limits()).unwrap();
        assert_eq!(image.as_bytes(), untagged.as_bytes(), "taken as sRGB");
        assert!(took < Duration::from_secs(1), "{took:?}");
        // The profile is inflated up to the cap, in a buffer that may double once.
        assert!(peak < 2 * MAX_ICC_BYTES + 2 * MIB, "{peak} bytes");
    }

    #[test]
    fn compressed_text_bombs_are_never_inflated() {
        let plain = encode(&gradient(64, 48), ImageFormat::Png);
        let zeros = zlib_zeros(1 << 30);
        let ztxt = [&b"Comment\0\0"[..], &zeros].concat();
        let itxt = [&b"XML:com.adobe.xmp\0\x01\0\0\0"[..], &zeros].concat();
        for (kind, data) in [(b"zTXt", ztxt), (b"iTXt", itxt)] {
            let bomb = png_with_chunk(&plain, kind, &data);
            let (image, took, peak) = decode_measured(&bomb, SourceFormat::Png);
            assert_eq!(image.dimensions(), (64, 48));
            assert!(took < Duration::from_secs(1), "{took:?}");
            assert!(peak < 2 * MIB, "{} bytes", peak);
        }
    }

    #[test]
    fn an_oversized_exif_costs_no_copy_and_its_orientation_still_counts() {
        let plain = encode(&gradient(64, 48), ImageFormat::Png);
        let mut exif = exif_with_orientation(6);
        exif.resize(20 * MIB, 0);
        let png = png_with_chunk(&plain, b"eXIf", &exif);
        let (image, took, peak) = decode_measured(&png, SourceFormat::Png);
        assert_eq!(image.dimensions(), (48, 64));
        assert!(took < Duration::from_secs(1), "{took:?}");
        assert!(peak < 2 * MIB, "{peak} bytes");
    }

    #[test]
    fn profiles_over_the_cap_in_jpeg_and_webp_are_ignored() {
        let flat = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            64,
            48,
            image::Rgb([200, 100, 50]),
        ));
        let mut huge = moxcms::ColorProfile::new_display_p3().encode().unwrap();
        huge.resize(MAX_ICC_BYTES + 1, 0);
        for (format, tagged, plain) in [
            (
                SourceFormat::Jpeg,
                jpeg_with_icc(&flat, &huge),
                encode(&flat, ImageFormat::Jpeg),
            ),
            (
                SourceFormat::WebP,
                webp_with_icc(&flat, &huge),
                encode(&flat, ImageFormat::WebP),
            ),
        ] {
            let want = decode(&plain, format, &limits()).unwrap().to_rgb8();
            let (image, took, _) = decode_measured(&tagged, format);
            assert_eq!(image.to_rgb8(), want, "{format:?}");
            assert!(took < Duration::from_secs(1), "{took:?}");
            let scaled = decode_at_least(&tagged, format, &limits(), |_, _| 16).unwrap();
            assert!(scaled.width() >= 16);
        }
    }
}
