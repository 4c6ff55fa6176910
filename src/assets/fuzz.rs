//! Property tests over hostile bytes: random files, and small real PNG, JPEG, WebP and GIF files
//! mutated (bytes flipped or set, lengths overwritten, ranges cut or inserted, the file
//! truncated; most often PNG chunk CRCs and the WebP RIFF size are made true again afterwards,
//! so mutations reach the chunk parsers instead of stopping at a checksum). Whatever the bytes, `sniff`, `probe`, `decode`
//! and `decode_at_least` must answer, never panic, and refuse with a typed client error
//! (`Unsupported`, `Invalid`, `TooLarge`), never `Internal`; an image they accept is within the
//! limits.
//!
//! The default run is short (256 cases each) so it runs with every `cargo test`; a longer run
//! sets `PROPTEST_CASES`, e.g. `PROPTEST_CASES=20000 cargo test --lib assets::fuzz`.

use image::{DynamicImage, GenericImageView, ImageFormat};
use proptest::prelude::*;
use proptest::test_runner::Config;

use super::decode::{decode, decode_at_least, probe};
use super::sniff::{sniff, Claim};
use super::testimages::{
    crc32, encode, exif_with_orientation, gradient, jpeg_with_icc, jpeg_with_orientation,
    png_with_chunk, translucent, zlib_of,
};
use super::{AssetError, AssetLimits};

/// Small limits, so a mutated header claiming a large image is cheap to refuse or decode.
const LIMITS: AssetLimits = AssetLimits {
    max_bytes: 1 << 20,
    max_pixels: 1 << 20,
    max_side: 4096,
};

/// The seeds: one small file per format and a few with the metadata the decoders parse.
fn corpus() -> &'static [Vec<u8>] {
    static CORPUS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(|| {
        let photo = gradient(24, 16);
        let p3 = moxcms::ColorProfile::new_display_p3().encode().expect("P3");
        let mut iccp = b"P3\0\0".to_vec();
        iccp.extend_from_slice(&zlib_of(&p3));
        let png = encode(&photo, ImageFormat::Png);
        let tagged_png = png_with_chunk(&png, b"iCCP", &iccp);
        let tagged_png = png_with_chunk(&tagged_png, b"eXIf", &exif_with_orientation(6));
        let tagged_png = png_with_chunk(
            &tagged_png,
            b"zTXt",
            &[b"k\0\0".as_ref(), &zlib_of(b"hi")].concat(),
        );
        vec![
            png,
            tagged_png,
            encode(&translucent(9, 7), ImageFormat::Png),
            encode(&photo, ImageFormat::Jpeg),
            jpeg_with_icc(&photo, &p3),
            jpeg_with_orientation(&photo, 6),
            encode(&photo, ImageFormat::WebP),
            lossy_webp(&photo),
            encode(&translucent(9, 7), ImageFormat::Gif),
        ]
    })
}

fn lossy_webp(image: &DynamicImage) -> Vec<u8> {
    let rgb = image.to_rgb8();
    webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height())
        .encode(60.0)
        .to_vec()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Set(usize, u8),
    /// A 32-bit field overwritten with a value a length or a dimension could take.
    Word(usize, u32, bool),
    Cut(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    let word = prop_oneof![
        Just(0u32),
        Just(1),
        Just(0xFFFF),
        Just(0x7FFF_FFFF),
        Just(u32::MAX),
        any::<u32>(),
        0u32..70_000,
    ];
    // In-place edits more often than ones that move bytes, so most files still reach a decoder.
    prop_oneof![
        3 => (at, 1u8..=255).prop_map(|(i, m)| Mutation::Flip(i, m)),
        3 => (at, any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        2 => (at, word, any::<bool>()).prop_map(|(i, w, be)| Mutation::Word(i, w, be)),
        1 => (at, 1usize..64).prop_map(|(i, n)| Mutation::Cut(i, n)),
        1 => (at, prop::collection::vec(any::<u8>(), 1..32)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => at.prop_map(Mutation::Truncate),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if bytes.is_empty() {
            break;
        }
        let n = bytes.len();
        match m {
            Mutation::Flip(i, mask) => bytes[i % n] ^= mask,
            Mutation::Set(i, b) => bytes[i % n] = *b,
            Mutation::Word(i, w, big_endian) => {
                let at = i % n.saturating_sub(3).max(1);
                let word = if *big_endian {
                    w.to_be_bytes()
                } else {
                    w.to_le_bytes()
                };
                for (k, b) in word.iter().enumerate() {
                    if let Some(slot) = bytes.get_mut(at + k) {
                        *slot = *b;
                    }
                }
            }
            Mutation::Cut(i, len) => {
                let at = i % n;
                bytes.drain(at..(at + len).min(n));
            }
            Mutation::Insert(i, extra) => {
                let at = i % (n + 1);
                bytes.splice(at..at, extra.iter().copied());
            }
            Mutation::Truncate(i) => bytes.truncate(i % n),
        }
    }
    bytes
}

/// Makes a mutated file's checksums and outer length true again: every PNG chunk's CRC, a
/// WebP's RIFF size. So a mutated chunk is parsed rather than refused at once.
fn fix_up(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.starts_with(b"RIFF") && bytes.len() >= 12 {
        let size = (bytes.len() - 8) as u32;
        bytes[4..8].copy_from_slice(&size.to_le_bytes());
    }
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return bytes;
    }
    let mut at = 8usize;
    while let Some(len) = bytes.get(at..at + 4) {
        let len = u32::from_be_bytes(len.try_into().unwrap()) as usize;
        let Some(end) = at.checked_add(12 + len).filter(|&e| e <= bytes.len()) else {
            break;
        };
        let crc = crc32(&bytes[at + 4..end - 4]);
        bytes[end - 4..end].copy_from_slice(&crc.to_be_bytes());
        at = end;
    }
    bytes
}

fn mutated_file() -> impl Strategy<Value = Vec<u8>> {
    (
        0..corpus().len(),
        prop::collection::vec(mutation(), 1..5),
        prop::bool::weighted(0.75),
    )
        .prop_map(|(seed, mutations, fix)| {
            let bytes = mutate(corpus()[seed].clone(), &mutations);
            if fix {
                fix_up(bytes)
            } else {
                bytes
            }
        })
}

/// Random bytes, most of them behind one of the accepted formats' magic numbers.
fn random_file() -> impl Strategy<Value = Vec<u8>> {
    let magic = prop::sample::select(vec![
        &b""[..],
        b"\xFF\xD8\xFF",
        b"\x89PNG\r\n\x1a\n",
        b"GIF89a",
        b"RIFF\x40\x00\x00\x00WEBPVP8X",
    ]);
    (magic, prop::collection::vec(any::<u8>(), 0..600))
        .prop_map(|(magic, tail)| [magic, &tail[..]].concat())
}

fn ok_or_client_error(result: &Result<impl Sized, AssetError>) -> bool {
    matches!(
        result,
        Ok(_) | Err(AssetError::Unsupported(_) | AssetError::Invalid(_) | AssetError::TooLarge(_))
    )
}

fn within_limits(image: &DynamicImage) -> bool {
    let (w, h) = image.dimensions();
    w <= LIMITS.max_side && h <= LIMITS.max_side && u64::from(w) * u64::from(h) <= LIMITS.max_pixels
}

/// Everything an upload and a rendition do with untrusted bytes, checked as the module doc says.
fn check_upload_path(bytes: &[u8]) -> Result<(), TestCaseError> {
    let sniffed = sniff(bytes, &Claim::default());
    prop_assert!(ok_or_client_error(&sniffed), "sniff: {sniffed:?}");
    let Ok(format) = sniffed else {
        return Ok(());
    };
    let probed = probe(bytes, format, &LIMITS);
    prop_assert!(ok_or_client_error(&probed), "probe: {probed:?}");
    let decoded = decode(bytes, format, &LIMITS);
    prop_assert!(ok_or_client_error(&decoded), "decode: {decoded:?}");
    if let Ok(image) = &decoded {
        prop_assert!(within_limits(image), "{:?}", image.dimensions());
    }
    let scaled = decode_at_least(bytes, format, &LIMITS, |w, _| (w / 4).max(1));
    prop_assert!(ok_or_client_error(&scaled), "decode_at_least: {scaled:?}");
    Ok(())
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_images_are_refused_with_a_client_error_or_decoded_within_limits(
        bytes in mutated_file(),
    ) {
        check_upload_path(&bytes)?;
    }

    #[test]
    fn random_bytes_are_refused_with_a_client_error(bytes in random_file()) {
        check_upload_path(&bytes)?;
    }
}

#[test]
fn every_seed_is_accepted_unmutated() {
    for (i, bytes) in corpus().iter().enumerate() {
        let format = sniff(bytes, &Claim::default()).unwrap_or_else(|e| panic!("seed {i}: {e}"));
        decode(bytes, format, &LIMITS).unwrap_or_else(|e| panic!("seed {i}: {e}"));
    }
}
