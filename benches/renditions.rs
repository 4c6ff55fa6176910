//! How fast an upload becomes its renditions: a 3000×2000 photo-like JPEG is decoded and turned
//! into all eight renditions (MOBILE, TABLET, DESKTOP and TV, each as WebP and JPEG; OTHER shares
//! DESKTOP's files), on one thread. Criterion's throughput line reads in renditions per second.
//!
//! The input JPEG is written to `VARY_BENCH_INPUT` (default `target/renditions-input.jpg`) so that
//! `benches/sharp/renditions.mjs` can do the same work on the same bytes; `benches/renditions.sh`
//! runs both.

use std::io::Cursor;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use image::{DynamicImage, Rgb, RgbImage};
use vary::assets::decode::decode;
use vary::assets::renditions::{render, Focal, RenditionKey};
use vary::assets::sniff::{sniff, Claim};
use vary::assets::AssetLimits;

const WIDTH: u32 = 3000;
const HEIGHT: u32 = 2000;

/// A smooth two-axis gradient with a soft diagonal band and mild noise: compresses like a photo
/// of sky and landscape, not like flat colour (too easy) or white noise (too hard).
fn photo_like_jpeg() -> Vec<u8> {
    let mut seed = 0x9E37_79B9_u32;
    let img = RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed % 9) as f32 - 4.0;
        let (fx, fy) = (x as f32 / WIDTH as f32, y as f32 / HEIGHT as f32);
        let band = (fx * 7.0 + fy * 3.0).sin() * 40.0;
        let c = |v: f32| (v + noise).clamp(0.0, 255.0) as u8;
        Rgb([
            c(60.0 + 150.0 * fx + band),
            c(110.0 + 90.0 * fy),
            c(200.0 - 120.0 * fy - band),
        ])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode input");
    out.into_inner()
}

fn all_renditions(jpeg: &[u8]) -> usize {
    let limits = AssetLimits::default();
    let format = sniff(jpeg, &Claim::default()).expect("a JPEG");
    let image = decode(jpeg, format, &limits).expect("decodes");
    let rendered = render(&image, &RenditionKey::every_device(), Focal::CENTRE).expect("renders");
    rendered.len()
}

fn input_path() -> std::path::PathBuf {
    std::env::var_os("VARY_BENCH_INPUT")
        .map(Into::into)
        .unwrap_or_else(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into());
            std::path::Path::new(&target).join("renditions-input.jpg")
        })
}

fn renditions(c: &mut Criterion) {
    let jpeg = photo_like_jpeg();
    std::fs::write(input_path(), &jpeg).expect("write the shared input");
    assert_eq!(all_renditions(&jpeg), 8);

    let mut group = c.benchmark_group("renditions");
    group.sample_size(10);
    group.throughput(Throughput::Elements(8));
    group.bench_function("3000x2000 jpeg -> 8 renditions", |b| {
        b.iter(|| all_renditions(&jpeg))
    });
    group.finish();

    // One plain figure for benches/renditions.sh to print beside sharp's; not under `cargo test`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runs = 5;
    let start = Instant::now();
    for _ in 0..runs {
        all_renditions(&jpeg);
    }
    let per_second = f64::from(8 * runs) / start.elapsed().as_secs_f64();
    println!("vary: {per_second:.2} renditions/s (single thread)");
}

criterion_group!(benches, renditions);
criterion_main!(benches);
