//! The metadata an upload carries beside its pixels, read under caps.
//!
//! Decoding needs two things besides pixels: the ICC profile (colour) and EXIF's orientation.
//! Only PNG compresses metadata: an `iCCP`, `zTXt` or compressed `iTXt` chunk is a zlib stream,
//! and a megabyte of it inflates to a gigabyte. So a PNG reaches the decoder without those chunks
//! and without `eXIf` ([`decodable`]), and this module reads them itself: the profile is inflated
//! here and the inflating stops at [`MAX_ICC_BYTES`]; text is never inflated, since nothing here
//! shows it; the orientation is read from the `eXIf` chunk in place.
//!
//! JPEG (APP2) and WebP (`ICCP`) store profiles as they are, and no format compresses EXIF, so
//! those cost no more than the upload's own bytes (which `sniff` has checked lie inside the file);
//! profiles from them are held to the same cap. A profile over the cap is ignored, not refused:
//! the pixels are then taken as sRGB, as for a profile that cannot be read ([`super::colour`]).
//! That is what browsers do with a profile they will not read, so the upload still looks as it
//! does to its uploader, and no RGB profile a camera, phone or editor writes comes near the cap
//! (they run from a few hundred bytes to a few hundred kilobytes).

use std::borrow::Cow;
use std::io::Read;
use std::ops::Range;

use image::{metadata::Orientation, ImageDecoder};

use super::SourceFormat;

/// The largest ICC profile used, inflated (moxcms itself refuses profiles of 10 MB or more).
pub const MAX_ICC_BYTES: usize = 4 << 20;

/// PNG chunks kept from the decoder: the compressed ones, and `eXIf`, read here in place.
const READ_HERE: [&[u8; 4]; 4] = [b"iCCP", b"zTXt", b"iTXt", b"eXIf"];

/// What decoding uses of an image's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub orientation: Orientation,
    /// At most [`MAX_ICC_BYTES`]; `None` when absent, unreadable or over the cap.
    pub icc: Option<Vec<u8>>,
}

/// The bytes to give the decoder: a PNG without its compressed metadata chunks and `eXIf`
/// (copied only when it has any), every other format as it is.
pub fn decodable(bytes: &[u8], format: SourceFormat) -> Cow<'_, [u8]> {
    let cut = |chunk: &PngChunk| READ_HERE.contains(&&chunk.kind);
    let cut_len: usize = match format {
        SourceFormat::Png => png_chunks(bytes)
            .filter(|c| cut(c))
            .map(|c| c.whole.len())
            .sum(),
        _ => 0,
    };
    if cut_len == 0 {
        return Cow::Borrowed(bytes);
    }
    let mut kept = Vec::with_capacity(bytes.len() - cut_len);
    let mut end = PNG_SIGNATURE_LEN.min(bytes.len());
    kept.extend_from_slice(&bytes[..end]);
    for chunk in png_chunks(bytes) {
        if !cut(&chunk) {
            kept.extend_from_slice(&bytes[chunk.whole.clone()]);
        }
        end = chunk.whole.end;
    }
    // Whatever follows the last whole chunk goes on as it is, so the decoder sees the same
    // truncation or padding that the original has.
    kept.extend_from_slice(&bytes[end..]);
    Cow::Owned(kept)
}

/// The orientation and the ICC profile of an image. `bytes` are the original bytes (not those
/// of [`decodable`]) and `decoder` reads them, for the formats whose metadata it may read.
pub fn read(bytes: &[u8], format: SourceFormat, decoder: &mut impl ImageDecoder) -> Metadata {
    match format {
        SourceFormat::Png => Metadata {
            orientation: png_orientation(bytes),
            icc: png_icc_profile(bytes),
        },
        _ => Metadata {
            orientation: decoder.orientation().unwrap_or(Orientation::NoTransforms),
            icc: capped_icc(decoder.icc_profile().ok().flatten()),
        },
    }
}

/// `icc`, unless it is over [`MAX_ICC_BYTES`].
pub fn capped_icc(icc: Option<Vec<u8>>) -> Option<Vec<u8>> {
    icc.filter(|profile| {
        let fits = profile.len() <= MAX_ICC_BYTES;
        if !fits {
            tracing::debug!(bytes = profile.len(), "ICC profile over the cap ignored");
        }
        fits
    })
}

/// The profile of the first `iCCP` chunk before the image data, inflated to at most
/// [`MAX_ICC_BYTES`].
fn png_icc_profile(bytes: &[u8]) -> Option<Vec<u8>> {
    let chunk = png_header_chunks(bytes).find(|c| &c.kind == b"iCCP")?;
    // A profile name of 1 to 79 bytes and its NUL, then the compression method (0: zlib).
    let name_len = chunk.data.iter().take(80).position(|&b| b == 0)?;
    let (&method, stream) = chunk.data.get(name_len + 1..)?.split_first()?;
    if name_len == 0 || method != 0 {
        return None;
    }
    inflate_capped(stream, MAX_ICC_BYTES)
}

/// Inflates a zlib stream, giving up as soon as it would exceed `cap` bytes.
fn inflate_capped(zlib: &[u8], cap: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    let read = flate2::read::ZlibDecoder::new(zlib)
        .take(limit)
        .read_to_end(&mut out);
    match read {
        Ok(len) if len <= cap => Some(out),
        Ok(_) => {
            tracing::debug!(cap, "PNG ICC profile inflates past the cap; ignored");
            None
        }
        Err(_) => None,
    }
}

/// The orientation in the first `eXIf` chunk before the image data.
fn png_orientation(bytes: &[u8]) -> Orientation {
    png_header_chunks(bytes)
        .find(|c| &c.kind == b"eXIf")
        .and_then(|c| Orientation::from_exif_chunk(c.data))
        .unwrap_or(Orientation::NoTransforms)
}

const PNG_SIGNATURE_LEN: usize = 8;

/// One chunk of a PNG: its type, its data, and where the whole chunk (length to CRC) lies.
struct PngChunk<'a> {
    kind: [u8; 4],
    data: &'a [u8],
    whole: Range<usize>,
}

/// The chunks of a PNG in file order, up to `IEND`; stops early at a chunk that runs past the
/// end of the bytes.
fn png_chunks(bytes: &[u8]) -> impl Iterator<Item = PngChunk<'_>> {
    let mut at = Some(PNG_SIGNATURE_LEN);
    std::iter::from_fn(move || {
        let start = at.take()?;
        let len = u32::from_be_bytes(bytes.get(start..start + 4)?.try_into().ok()?) as usize;
        let kind: [u8; 4] = bytes.get(start + 4..start + 8)?.try_into().ok()?;
        let end = start.checked_add(12)?.checked_add(len)?;
        bytes.get(start..end)?;
        let data = &bytes[start + 8..end - 4];
        if &kind != b"IEND" {
            at = Some(end);
        }
        Some(PngChunk {
            kind,
            data,
            whole: start..end,
        })
    })
}

/// The chunks before the first `IDAT`: where a decoder looks for `iCCP` and `eXIf`.
fn png_header_chunks(bytes: &[u8]) -> impl Iterator<Item = PngChunk<'_>> {
    png_chunks(bytes).take_while(|c| &c.kind != b"IDAT")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assets::testimages::{
        encode, exif_with_orientation, gradient, png_with_chunk, zlib_of, zlib_zeros,
    };
    use image::ImageFormat;

    fn png() -> Vec<u8> {
        encode(&gradient(8, 4), ImageFormat::Png)
    }

    fn iccp(stream: &[u8]) -> Vec<u8> {
        let mut data = b"ICC profile\0\0".to_vec();
        data.extend_from_slice(stream);
        data
    }

    #[test]
    fn a_png_without_metadata_is_not_copied() {
        let png = png();
        assert!(matches!(
            decodable(&png, SourceFormat::Png),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn compressed_chunks_and_exif_are_cut_and_the_rest_kept_in_order() {
        let plain = png();
        let tagged = png_with_chunk(&plain, b"iCCP", &iccp(&zlib_of(b"profile")));
        let tagged = png_with_chunk(&tagged, b"zTXt", b"Comment\0\0x");
        let tagged = png_with_chunk(&tagged, b"eXIf", &exif_with_orientation(6));
        assert_eq!(&*decodable(&tagged, SourceFormat::Png), &plain[..]);
        assert!(matches!(
            decodable(&tagged, SourceFormat::Jpeg),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_png_profile_is_inflated() {
        let png = png_with_chunk(&png(), b"iCCP", &iccp(&zlib_of(b"a tiny profile")));
        assert_eq!(
            png_icc_profile(&png).as_deref(),
            Some(&b"a tiny profile"[..])
        );
    }

    #[test]
    fn a_profile_that_inflates_past_the_cap_is_dropped_after_the_cap() {
        let bomb = png_with_chunk(&png(), b"iCCP", &iccp(&zlib_zeros(64 << 20)));
        let started = std::time::Instant::now();
        assert_eq!(png_icc_profile(&bomb), None);
        assert!(
            started.elapsed().as_millis() < 1000,
            "{:?}",
            started.elapsed()
        );
        let fits = png_with_chunk(&png(), b"iCCP", &iccp(&zlib_zeros(MAX_ICC_BYTES)));
        assert_eq!(png_icc_profile(&fits).map(|p| p.len()), Some(MAX_ICC_BYTES));
    }

    #[test]
    fn a_broken_profile_stream_or_header_reads_as_none() {
        for data in [
            iccp(b"not zlib at all"),
            b"\0\0xxxx".to_vec(),
            b"no terminator".to_vec(),
            b"name\0\x01xx".to_vec(),
        ] {
            let png = png_with_chunk(&png(), b"iCCP", &data);
            assert_eq!(png_icc_profile(&png), None, "{data:?}");
        }
    }

    #[test]
    fn the_orientation_is_read_from_exif_in_place() {
        let png = png_with_chunk(&png(), b"eXIf", &exif_with_orientation(6));
        assert_eq!(png_orientation(&png), Orientation::Rotate90);
        assert_eq!(png_orientation(&self::png()), Orientation::NoTransforms);
    }

    #[test]
    fn profiles_over_the_cap_are_ignored_whatever_their_format() {
        assert_eq!(capped_icc(Some(vec![0; MAX_ICC_BYTES + 1])), None);
        assert_eq!(capped_icc(Some(vec![1; 3])), Some(vec![1; 3]));
    }

    #[test]
    fn chunk_walking_survives_truncation() {
        let png = png();
        for cut in 0..png.len() {
            let _ = decodable(&png[..cut], SourceFormat::Png);
            let _ = png_icc_profile(&png[..cut]);
            let _ = png_orientation(&png[..cut]);
        }
    }
}
