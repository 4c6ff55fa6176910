//! Images the tests make themselves: a photo-like gradient, the four formats, and the hostile
//! files (a truncated image, a bomb header, a polyglot, an EXIF-rotated JPEG, PNG chunks holding
//! zlib bombs).
#![allow(dead_code)]

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

/// A smooth colour gradient with a little deterministic noise, like a photo's sky.
pub fn gradient(width: u32, height: u32) -> DynamicImage {
    let mut seed = 0x2545_F491_u32;
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed % 17) as i32 - 8;
        let channel = |v: u32| (v as i32 + noise).clamp(0, 255) as u8;
        Rgb([
            channel(x * 255 / width.max(1)),
            channel(y * 255 / height.max(1)),
            channel(160),
        ])
    }))
}

/// A half-transparent image, for the alpha paths.
pub fn translucent(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgba8(RgbaImage::from_fn(width, height, |x, _| {
        Rgba([200, 30, 30, if x < width / 2 { 255 } else { 0 }])
    }))
}

pub fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let img = match format {
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(img.to_rgb8()),
        _ => DynamicImage::ImageRgba8(img.to_rgba8()),
    };
    img.write_to(&mut out, format).expect("encode test image");
    out.into_inner()
}

/// A valid PNG whose header claims `width`×`height` (the pixel data is one row of a 1×1 image).
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = encode(&gradient(1, 1), ImageFormat::Png);
    // IHDR data starts at 16: width, height, then the rest; its CRC covers type + data.
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// A JPEG whose EXIF says how to turn it for display (6: rotate 90° clockwise).
pub fn jpeg_with_orientation(img: &DynamicImage, orientation: u16) -> Vec<u8> {
    let jpeg = encode(img, ImageFormat::Jpeg);
    let tiff = exif_with_orientation(orientation);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// EXIF (TIFF) data holding only an orientation tag, as a PNG `eXIf` chunk carries it.
pub fn exif_with_orientation(orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\x00\x2A\x00\x00\x00\x08\x00\x01".to_vec();
    tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]);
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    tiff
}

/// `png` with a chunk of type `kind` holding `data` inserted right after `IHDR`, where `iCCP`,
/// text and `eXIf` chunks usually sit.
pub fn png_with_chunk(png: &[u8], kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = png[..33].to_vec();
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
    out.extend_from_slice(&png[33..]);
    out
}

/// `data` as a zlib stream.
pub fn zlib_of(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).expect("compress in memory");
    z.finish().expect("compress in memory")
}

/// A zlib stream that inflates to `len` zero bytes (whole MiB) at about 1000:1, the payload of a
/// decompression bomb, made without ever holding the zeros: one MiB of zeros is deflated with a
/// sync flush (which ends on a byte boundary) and that piece, which only refers back to zeros,
/// is repeated.
pub fn zlib_zeros(len: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    const PIECE: usize = 1 << 20;
    assert_eq!(len % PIECE, 0, "whole MiB only");
    let mut deflate = Compress::new(Compression::best(), false);
    let mut piece = Vec::with_capacity(64 << 10);
    deflate
        .compress_vec(&vec![0; PIECE], &mut piece, FlushCompress::Sync)
        .expect("deflate zeros");
    assert_eq!(deflate.total_in(), PIECE as u64);
    let mut out = Vec::with_capacity(piece.len() * (len / PIECE) + 8);
    out.extend_from_slice(&[0x78, 0xDA]);
    for _ in 0..len / PIECE {
        out.extend_from_slice(&piece);
    }
    out.extend_from_slice(&[0x03, 0x00]); // an empty final block
    let adler = (((len % 65_521) as u32) << 16) | 1;
    out.extend_from_slice(&adler.to_be_bytes());
    out
}

/// `image` followed by a small stored ZIP archive: a JPEG+ZIP polyglot.
pub fn with_zip_appended(mut image: Vec<u8>) -> Vec<u8> {
    let offset = image.len() as u32;
    let (name, data) = (b"evil.txt", b"not a picture");
    let crc = crc32(data);
    let mut local = b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec();
    local.extend_from_slice(&crc.to_le_bytes());
    local.extend_from_slice(&(data.len() as u32).to_le_bytes());
    local.extend_from_slice(&(data.len() as u32).to_le_bytes());
    local.extend_from_slice(&(name.len() as u16).to_le_bytes());
    local.extend_from_slice(&[0, 0]);
    local.extend_from_slice(name);
    local.extend_from_slice(data);
    let mut central = b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec();
    central.extend_from_slice(&crc.to_le_bytes());
    central.extend_from_slice(&(data.len() as u32).to_le_bytes());
    central.extend_from_slice(&(data.len() as u32).to_le_bytes());
    central.extend_from_slice(&(name.len() as u16).to_le_bytes());
    central.extend_from_slice(&[0; 12]);
    central.extend_from_slice(&offset.to_le_bytes());
    central.extend_from_slice(name);
    let central_at = offset + local.len() as u32;
    let mut end = b"PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00".to_vec();
    end.extend_from_slice(&(central.len() as u32).to_le_bytes());
    end.extend_from_slice(&central_at.to_le_bytes());
    end.extend_from_slice(&[0, 0]);
    image.extend_from_slice(&local);
    image.extend_from_slice(&central);
    image.extend_from_slice(&end);
    image
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

/// A JPEG carrying the ICC profile `icc` (an APP2 segment, as cameras and editors write it).
pub fn jpeg_with_icc(img: &DynamicImage, icc: &[u8]) -> Vec<u8> {
    use image::ImageEncoder;
    let rgb = img.to_rgb8();
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    encoder
        .set_icc_profile(icc.to_vec())
        .expect("JPEG takes ICC profiles");
    encoder
        .write_image(
            rgb.as_raw(),
            rgb.width(),
            rgb.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("encode test JPEG");
    out
}

/// A lossless WebP carrying the ICC profile `icc` (an `ICCP` chunk).
pub fn webp_with_icc(img: &DynamicImage, icc: &[u8]) -> Vec<u8> {
    use image::ImageEncoder;
    let rgba = img.to_rgba8();
    let mut out = Vec::new();
    let mut encoder = image::codecs::webp::WebPEncoder::new_lossless(&mut out);
    encoder
        .set_icc_profile(icc.to_vec())
        .expect("WebP takes ICC profiles");
    encoder
        .write_image(
            rgba.as_raw(),
            rgba.width(),
            rgba.height(),
            image::ExtendedColorType::Rgba8,
        )
        .expect("encode test WebP");
    out
}
