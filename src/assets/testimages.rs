//! Images the tests make themselves: a photo-like gradient, the four formats, and the hostile
//! files (a truncated image, a bomb header, a polyglot, an EXIF-rotated JPEG).
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

/// A JPEG whose EXIF says "rotate 90° clockwise to display" (orientation 6).
pub fn jpeg_with_orientation(img: &DynamicImage, orientation: u16) -> Vec<u8> {
    let jpeg = encode(img, ImageFormat::Jpeg);
    let mut tiff = b"MM\x00\x2A\x00\x00\x00\x08\x00\x01".to_vec();
    tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]);
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
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
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
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
