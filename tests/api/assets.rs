//! Assets over HTTP: uploads in every accepted format, every refused kind of file, storage by
//! content hash, renditions with their cache headers, and who may upload; hostile metadata
//! (zlib bombs in PNG chunks, an oversized EXIF) and hostile multipart bodies (huge, control
//! characters, too many parts) answered quickly.

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use serde_json::{json, Value};
use std::io::{Cursor, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

/// A small photo-like picture: a gradient with a little noise.
pub(crate) fn picture(width: u32, height: u32) -> DynamicImage {
    let mut seed = 7u32;
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = ((seed >> 16) % 9) as u8;
        Rgb([
            (x * 200 / width) as u8 + n,
            (y * 200 / height) as u8 + n,
            120,
        ])
    }))
}

pub(crate) fn encoded(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let img = match format {
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(img.to_rgb8()),
        _ => DynamicImage::ImageRgba8(img.to_rgba8()),
    };
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A PNG whose header claims 100 000 × 100 000 pixels.
fn bomb() -> Vec<u8> {
    let mut png = encoded(&picture(1, 1), ImageFormat::Png);
    png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
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

/// A JPEG whose EXIF says "rotate 90° to display".
fn rotated_jpeg(img: &DynamicImage) -> Vec<u8> {
    let jpeg = encoded(img, ImageFormat::Jpeg);
    let tiff = b"MM\x00\x2A\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00";
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// `png` with a chunk of type `kind` holding `data` inserted right after `IHDR`.
fn png_with_chunk(png: &[u8], kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = png[..33].to_vec();
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
    out.extend_from_slice(&png[33..]);
    out
}

/// A zlib stream that inflates to `mib` MiB of zeros at about 1000:1 (a decompression bomb):
/// one MiB of zeros deflated with a sync flush, which ends on a byte boundary, repeated.
fn zlib_zeros(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut deflate = Compress::new(Compression::best(), false);
    let mut piece = Vec::with_capacity(64 << 10);
    deflate
        .compress_vec(&vec![0; 1 << 20], &mut piece, FlushCompress::Sync)
        .unwrap();
    let mut out = vec![0x78, 0xDA];
    for _ in 0..mib {
        out.extend_from_slice(&piece);
    }
    out.extend_from_slice(&[0x03, 0x00]); // an empty final block
    let adler = ((((mib << 20) % 65_521) as u32) << 16) | 1;
    out.extend_from_slice(&adler.to_be_bytes());
    out
}

/// EXIF (TIFF) data that says "rotate 90° to display", padded with zeros to `len` bytes.
fn rotating_exif(len: usize) -> Vec<u8> {
    let mut exif = b"MM\x00\x2A\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00".to_vec();
    exif.resize(len, 0);
    exif
}

/// A lossless WebP carrying `icc` in an `ICCP` chunk.
fn webp_with_icc(img: &DynamicImage, icc: &[u8]) -> Vec<u8> {
    use image::ImageEncoder;
    let rgba = img.to_rgba8();
    let mut out = Vec::new();
    let mut encoder = image::codecs::webp::WebPEncoder::new_lossless(&mut out);
    encoder.set_icc_profile(icc.to_vec()).unwrap();
    encoder
        .write_image(
            rgba.as_raw(),
            rgba.width(),
            rgba.height(),
            image::ExtendedColorType::Rgba8,
        )
        .unwrap();
    out
}

/// A multipart body: the file (with a name and declared type) and text fields.
fn form(
    file: &[u8],
    file_name: &str,
    declared: &str,
    fields: &[(&str, &str)],
) -> (String, Vec<u8>) {
    let boundary = "vary-test-boundary-7d1c";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {declared}\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) async fn upload_as(
    app: &TestApp,
    token: Option<&str>,
    file: &[u8],
    name: &str,
    declared: &str,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let (content_type, body) = form(file, name, declared, fields);
    let mut request = TestApp::client()
        .post(format!("{}/api/assets", app.base))
        .insert_header(("Content-Type", content_type));
    if let Some(token) = token {
        request = request.insert_header(("Authorization", format!("Bearer {token}")));
    }
    let mut response = request.send_body(body).await.expect("request sent");
    let bytes = response.body().limit(10_000_000).await.expect("body");
    (
        response.status().as_u16(),
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

pub(crate) async fn upload(app: &TestApp, file: &[u8], name: &str, declared: &str) -> (u16, Value) {
    upload_as(
        app,
        Some(app.admin()),
        file,
        name,
        declared,
        &[("brand", "acme"), ("alt", "A test picture")],
    )
    .await
}

/// GET with headers; answers status, headers and body.
pub(crate) async fn fetch(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, awc::http::header::HeaderMap, Vec<u8>) {
    let mut request = TestApp::client().get(format!("{}{}", app.base, path));
    for (name, value) in headers {
        request = request.insert_header((*name, *value));
    }
    let mut response = request.send().await.expect("request sent");
    let bytes = response
        .body()
        .limit(50_000_000)
        .await
        .expect("body")
        .to_vec();
    (
        response.status().as_u16(),
        response.headers().clone(),
        bytes,
    )
}

async fn asset_count(app: &TestApp) -> i64 {
    let answer = app
        .gql(
            Some(app.admin()),
            "{ assets(brand: \"acme\") { totalCount } }",
            json!({}),
        )
        .await;
    answer.data()["assets"]["totalCount"].as_i64().unwrap()
}

fn stored_blobs(app: &TestApp) -> usize {
    std::fs::read_dir(app.data_dir.path().join("assets"))
        .map(|d| d.count())
        .unwrap_or(0)
}

async fn every_accepted_format_uploads_and_is_served(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    let img = picture(900, 600);
    for (format, name, declared, label) in [
        (ImageFormat::Jpeg, "a.jpg", "image/jpeg", "jpeg"),
        (ImageFormat::Png, "a.png", "image/png", "png"),
        (ImageFormat::WebP, "a.webp", "image/webp", "webp"),
        (ImageFormat::Gif, "a.gif", "image/gif", "gif"),
    ] {
        let (status, asset) = upload(&app, &encoded(&img, format), name, declared).await;
        assert_eq!(status, 200, "{label}: {asset}");
        assert_eq!(asset["format"], label);
        assert_eq!(
            (asset["width"].as_u64(), asset["height"].as_u64()),
            (Some(900), Some(600))
        );
        assert_eq!(asset["alt"], "A test picture");
        assert!(asset["dominantColor"].as_str().unwrap().starts_with('#'));
        assert!(!asset["placeholder"].as_str().unwrap().is_empty());
        assert_eq!(asset["renditions"].as_array().unwrap().len(), 10);
        let url = format!("/assets/{}/mobile.webp", asset["id"].as_str().unwrap());
        let (status, headers, body) = fetch(&app, &url, &[]).await;
        assert_eq!(status, 200, "{label}");
        assert_eq!(headers.get("content-type").unwrap(), "image/webp");
        let rendition = image::load_from_memory(&body).unwrap();
        assert_eq!(
            (rendition.width(), rendition.height()),
            (640, 427),
            "{label}"
        );
    }
    assert_eq!(asset_count(&app).await, 4);
}

/// What is sent (label, bytes, file name, declared type) and what must come back (status, code).
type Case = (
    &'static str,
    Vec<u8>,
    &'static str,
    &'static str,
    u16,
    &'static str,
);

async fn bad_files_are_refused_with_their_status_and_nothing_is_stored(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.asset_max_bytes = 200_000).await;
    app.seed_brand("acme").await;
    let jpeg = encoded(&picture(300, 200), ImageFormat::Jpeg);
    let mut polyglot = jpeg.clone();
    polyglot.extend_from_slice(b"PK\x03\x04evil.txtPK\x01\x02PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00\x2e\x00\x00\x00\x10\x00\x00\x00\x00\x00");
    let svg =
        br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec();
    let noise: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let mut lying_webp = webp_with_icc(&picture(30, 20), b"a small profile");
    let iccp = lying_webp.windows(4).position(|w| w == b"ICCP").unwrap();
    lying_webp[iccp + 4..iccp + 8].copy_from_slice(&u32::MAX.to_le_bytes());
    let cases: [Case; 8] = [
        ("svg", svg, "a.svg", "image/svg+xml", 415, "BAD_INPUT"),
        (
            "truncated",
            jpeg[..jpeg.len() / 2].to_vec(),
            "a.jpg",
            "image/jpeg",
            400,
            "BAD_INPUT",
        ),
        (
            "a jpeg that says png",
            jpeg.clone(),
            "a.png",
            "image/png",
            400,
            "BAD_INPUT",
        ),
        (
            "polyglot",
            polyglot,
            "a.jpg",
            "image/jpeg",
            400,
            "BAD_INPUT",
        ),
        (
            "text as png",
            b"just some text".to_vec(),
            "a.png",
            "image/png",
            400,
            "BAD_INPUT",
        ),
        ("bomb", bomb(), "a.png", "image/png", 413, "LIMIT_EXCEEDED"),
        (
            "a webp chunk longer than the file",
            lying_webp,
            "a.webp",
            "image/webp",
            400,
            "BAD_INPUT",
        ),
        (
            "over the byte limit",
            noise,
            "a.jpg",
            "image/jpeg",
            413,
            "LIMIT_EXCEEDED",
        ),
    ];
    for (label, bytes, name, declared, status, code) in cases {
        let (got, body) = upload(&app, &bytes, name, declared).await;
        assert_eq!(got, status, "{label}: {body}");
        assert_eq!(body["error"]["code"], code, "{label}");
    }
    assert_eq!(asset_count(&app).await, 0);
    assert_eq!(stored_blobs(&app), 0);
}

async fn the_same_image_twice_is_stored_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    let png = encoded(&picture(120, 80), ImageFormat::Png);
    let (_, first) = upload(&app, &png, "one.png", "image/png").await;
    let (status, second) = upload(&app, &png, "two.png", "image/png").await;
    assert_eq!(status, 200);
    assert_eq!(first["id"], second["id"]);
    assert_eq!(asset_count(&app).await, 1);
    assert_eq!(stored_blobs(&app), 1);
    let rows = app
        .app
        .db
        .read(|c| vary::store::audit::page(c, Some("acme"), None, None, 0, 100))
        .await
        .unwrap();
    let uploads: Vec<_> = rows.iter().filter(|r| r.action == "asset.upload").collect();
    assert_eq!(uploads.len(), 1, "the new upload is audited once");
    assert_eq!(uploads[0].target, first["id"].as_str().unwrap());
}

async fn renditions_are_cached_forever_with_an_etag_and_304(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    let (_, asset) = upload(
        &app,
        &encoded(&picture(2400, 1600), ImageFormat::Jpeg),
        "a.jpg",
        "image/jpeg",
    )
    .await;
    let base = format!("/assets/{}", asset["id"].as_str().unwrap());
    let (status, headers, body) = fetch(&app, &format!("{base}/desktop.jpg"), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers.get("cache-control").unwrap(),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(headers.get("content-type").unwrap(), "image/jpeg");
    assert_eq!(image::load_from_memory(&body).unwrap().width(), 1920);
    let etag = headers.get("etag").unwrap().to_str().unwrap().to_string();
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "a strong ETag: {etag}"
    );
    let (status, _, body) = fetch(
        &app,
        &format!("{base}/desktop.jpg"),
        &[("If-None-Match", &etag)],
    )
    .await;
    assert_eq!((status, body.len()), (304, 0));

    let (_, headers, _) = fetch(
        &app,
        &format!("{base}/tablet"),
        &[("Accept", "image/avif,image/webp,*/*")],
    )
    .await;
    assert_eq!(headers.get("content-type").unwrap(), "image/webp");
    assert_eq!(headers.get("vary").unwrap(), "Accept");
    let (_, headers, _) = fetch(&app, &format!("{base}/tablet"), &[("Accept", "image/jpeg")]).await;
    assert_eq!(headers.get("content-type").unwrap(), "image/jpeg");

    let (status, _, body) = fetch(&app, &format!("{base}/mobile.webp?aspect=1:1"), &[]).await;
    assert_eq!(status, 200);
    let square = image::load_from_memory(&body).unwrap();
    assert_eq!((square.width(), square.height()), (640, 640));
    assert_eq!(
        fetch(&app, &format!("{base}/mobile.webp?aspect=21:9"), &[])
            .await
            .0,
        400
    );
    assert_eq!(fetch(&app, &format!("{base}/watch.webp"), &[]).await.0, 404);
    assert_eq!(
        fetch(
            &app,
            &format!("/assets/{}/mobile.webp", "0".repeat(64)),
            &[]
        )
        .await
        .0,
        404
    );
    assert_eq!(
        fetch(&app, "/assets/..%2F..%2Fvary.db/mobile.webp", &[])
            .await
            .0,
        404
    );
    assert_eq!(
        fetch(&app, &format!("{base}/..%2F..%2Fvary.db"), &[])
            .await
            .0,
        404
    );
}

async fn a_small_image_is_never_upscaled_and_exif_is_applied(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    let (_, asset) = upload(
        &app,
        &encoded(&picture(300, 200), ImageFormat::Png),
        "s.png",
        "image/png",
    )
    .await;
    for rendition in asset["renditions"].as_array().unwrap() {
        assert_eq!(rendition["width"], 300, "{rendition}");
    }
    let (_, _, body) = fetch(
        &app,
        &format!("/assets/{}/tv.webp", asset["id"].as_str().unwrap()),
        &[],
    )
    .await;
    assert_eq!(image::load_from_memory(&body).unwrap().width(), 300);

    let (status, rotated) = upload(
        &app,
        &rotated_jpeg(&picture(400, 200)),
        "r.jpg",
        "image/jpeg",
    )
    .await;
    assert_eq!(status, 200, "{rotated}");
    assert_eq!(
        (rotated["width"].as_u64(), rotated["height"].as_u64()),
        (Some(200), Some(400))
    );
}

async fn only_the_brands_editors_and_admins_may_upload(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    app.seed_brand("other").await;
    let png = encoded(&picture(64, 64), ImageFormat::Png);
    let fields = [("brand", "acme")];
    assert_eq!(
        upload_as(&app, None, &png, "a.png", "image/png", &fields)
            .await
            .0,
        401
    );
    let outsider = app.user("outsider@test.local", "EDITOR", &["other"]).await;
    assert_eq!(
        upload_as(&app, Some(&outsider), &png, "a.png", "image/png", &fields)
            .await
            .0,
        403
    );
    let reviewer = app.user("reviewer@test.local", "REVIEWER", &["acme"]).await;
    assert_eq!(
        upload_as(&app, Some(&reviewer), &png, "a.png", "image/png", &fields)
            .await
            .0,
        403
    );
    let key = app.delivery_key("acme").await;
    assert_eq!(
        upload_as(&app, Some(&key), &png, "a.png", "image/png", &fields)
            .await
            .0,
        403
    );
    let editor = app.user("editor@test.local", "EDITOR", &["acme"]).await;
    let (status, asset) = upload_as(
        &app,
        Some(&editor),
        &png,
        "a.png",
        "image/png",
        &[("focalX", "0.2"), ("focalY", "0.8")],
    )
    .await;
    assert_eq!(
        status, 200,
        "an editor of one brand need not name it: {asset}"
    );
    assert_eq!(
        (asset["focalX"].as_f64(), asset["focalY"].as_f64()),
        (Some(0.2), Some(0.8))
    );
    let bad_focal = upload_as(
        &app,
        Some(&editor),
        &png,
        "a.png",
        "image/png",
        &[("focalX", "1.5"), ("focalY", "0")],
    )
    .await;
    assert_eq!(bad_focal.0, 400);
}

async fn the_library_lists_newest_first_with_cursors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    for width in [40, 50, 60] {
        upload(
            &app,
            &encoded(&picture(width, 30), ImageFormat::Png),
            "p.png",
            "image/png",
        )
        .await;
    }
    let query = "query($a: String) { assets(brand: \"acme\", first: 2, after: $a) { totalCount pageInfo { hasNextPage endCursor } edges { node { width renditions { device format width url } } } } }";
    let page = app.gql(Some(app.admin()), query, json!({})).await;
    let data = &page.data()["assets"];
    assert_eq!(data["totalCount"], 3);
    assert_eq!(data["edges"][0]["node"]["width"], 60);
    assert_eq!(
        data["edges"][0]["node"]["renditions"][0]["device"],
        "MOBILE"
    );
    let after = data["pageInfo"]["endCursor"].clone();
    let rest = app.gql(Some(app.admin()), query, json!({"a": after})).await;
    let rest = &rest.data()["assets"];
    assert_eq!(rest["edges"].as_array().unwrap().len(), 1);
    assert_eq!(rest["edges"][0]["node"]["width"], 40);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
}

/// A `Banner` content type (title TEXT, image ASSET) in brand `acme` and its entry `banner`;
/// returns the entry id.
pub(crate) async fn banner_entry(app: &TestApp) -> String {
    let admin = Some(app.admin());
    app.gql(
        admin,
        "mutation($i: CreateContentTypeInput!) { createContentType(input: $i) { id } }",
        json!({"i": {"brand": "acme", "name": "Banner", "fields": [{"name": "title", "kind": "TEXT"}, {"name": "image", "kind": "ASSET"}]}}),
    )
    .await
    .data();
    let entry = app
        .gql(
            admin,
            "mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }",
            json!({"i": {"brand": "acme", "key": "banner", "contentType": "Banner"}}),
        )
        .await;
    entry.data()["createEntry"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn asset_fields_must_name_an_asset_of_the_brand_and_weak_images_are_warned(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    app.seed_brand("other").await;
    let admin = Some(app.admin());
    let entry_id = banner_entry(&app).await;
    let png = encoded(&picture(800, 500), ImageFormat::Png);
    let (_, elsewhere) = upload_as(
        &app,
        admin,
        &png,
        "p.png",
        "image/png",
        &[("brand", "other"), ("alt", "x")],
    )
    .await;
    let (_, no_alt) = upload_as(
        &app,
        admin,
        &encoded(&picture(700, 500), ImageFormat::Png),
        "q.png",
        "image/png",
        &[("brand", "acme")],
    )
    .await;
    let create = "mutation($i: CreateVariantInput!) { createVariant(input: $i) { quality { checks { kind severity path } } } }";
    let variant = |image: &Value, devices: Value| json!({"i": {"entryId": entry_id, "name": "v", "fields": {"title": "Hi", "image": image}, "devices": devices}});

    let unknown = app
        .gql(admin, create, variant(&json!("0".repeat(64)), json!(null)))
        .await;
    assert_eq!(unknown.code(), "BAD_INPUT");
    let other_brand = app
        .gql(admin, create, variant(&elsewhere["id"], json!(null)))
        .await;
    assert_eq!(
        other_brand.code(),
        "BAD_INPUT",
        "an asset of another brand is not visible here"
    );

    let answer = app
        .gql(admin, create, variant(&no_alt["id"], json!(["MOBILE"])))
        .await;
    let checks = answer.data()["createVariant"]["quality"]["checks"]
        .as_array()
        .unwrap()
        .clone();
    let kinds: Vec<&str> = checks.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"asset_alt"), "{checks:?}");
    assert!(
        !kinds.contains(&"asset_width"),
        "700 px is enough for MOBILE: {checks:?}"
    );
    let answer = app
        .gql(admin, create, variant(&no_alt["id"], json!(["DESKTOP"])))
        .await;
    let checks = answer.data()["createVariant"]["quality"]["checks"]
        .as_array()
        .unwrap()
        .clone();
    let width = checks
        .iter()
        .find(|c| c["kind"] == "asset_width")
        .expect("a width warning");
    assert_eq!(
        (width["severity"].as_str(), width["path"].as_str()),
        (Some("WARNING"), Some("fields.image"))
    );
}

async fn a_delivered_variant_carries_its_images_sized_for_the_device(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    let entry_id = banner_entry(&app).await;
    let png = encoded(&picture(1200, 600), ImageFormat::Png);
    let (_, asset) = upload(&app, &png, "wide.png", "image/png").await;
    let id = asset["id"].as_str().unwrap().to_string();
    app.published(
        &entry_id,
        json!({"name": "with image", "fields": {"title": "Hi", "image": id}}),
    )
    .await;
    let key = app.delivery_key("acme").await;
    let query = "query($d: Device) { content(brand: \"acme\", key: \"banner\", context: {device: $d}) { variant { assets { field id alt width height url srcset dominantColor placeholder } } } }";
    let mobile = app.gql(Some(&key), query, json!({"d": "MOBILE"})).await;
    let image = &mobile.data()["content"]["variant"]["assets"][0];
    assert_eq!(image["field"], "image");
    assert_eq!(image["id"], id.as_str());
    assert_eq!(image["alt"], "A test picture");
    assert_eq!(
        (image["width"].as_i64(), image["height"].as_i64()),
        (Some(640), Some(320))
    );
    assert_eq!(image["url"], format!("/assets/{id}/mobile.webp"));
    let srcset = image["srcset"].as_str().unwrap();
    assert!(
        srcset.contains("640w") && srcset.contains("1024w") && srcset.contains("1200w"),
        "{srcset}"
    );
    assert_eq!(
        srcset.matches("1200w").count(),
        1,
        "never upscaled, each width once: {srcset}"
    );
    assert!(image["dominantColor"].as_str().unwrap().starts_with('#'));
    let (status, _, bytes) = fetch(&app, image["url"].as_str().unwrap(), &[]).await;
    assert_eq!(status, 200);
    assert!(!bytes.is_empty());
    let desktop = app.gql(Some(&key), query, json!({"d": "DESKTOP"})).await;
    assert_eq!(
        desktop.data()["content"]["variant"]["assets"][0]["width"],
        1200,
        "never upscaled"
    );
}

/// How long an upload takes to be answered, at most, whatever metadata it carries (the same
/// files took 4–6 s and 1.1 GB when their PNG chunks were inflated whole).
const QUICKLY: Duration = Duration::from_secs(2);

async fn zlib_bombs_in_png_chunks_are_never_inflated_and_pixels_stay_srgb(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    let plain = encoded(&picture(300, 200), ImageFormat::Png);
    let (_, reference) = upload(&app, &plain, "plain.png", "image/png").await;
    let gigabyte = zlib_zeros(1024);
    assert!(gigabyte.len() < 2 << 20, "{} bytes", gigabyte.len());
    let chunks: [(&[u8; 4], &[u8]); 3] = [
        (b"iCCP", b"ICC profile\0\0"),
        (b"zTXt", b"Comment\0\0"),
        (b"iTXt", b"XML:com.adobe.xmp\0\x01\0\0\0"),
    ];
    for (kind, header) in chunks {
        let label = String::from_utf8_lossy(kind);
        let png = png_with_chunk(&plain, kind, &[header, &gigabyte[..]].concat());
        let started = Instant::now();
        let (status, asset) = upload(&app, &png, "bomb.png", "image/png").await;
        assert_eq!(status, 200, "{label}: {asset}");
        assert!(
            started.elapsed() < QUICKLY,
            "{label}: {:?}",
            started.elapsed()
        );
        assert_eq!(
            asset["dominantColor"], reference["dominantColor"],
            "{label}: the pixels are taken as sRGB"
        );
        let started = Instant::now();
        let url = format!(
            "/assets/{}/desktop.jpg?aspect=1:1",
            asset["id"].as_str().unwrap()
        );
        let (status, _, body) = fetch(&app, &url, &[]).await;
        assert_eq!(status, 200, "{label}");
        assert!(
            started.elapsed() < QUICKLY,
            "{label}: {:?}",
            started.elapsed()
        );
        assert!(image::load_from_memory(&body).is_ok());
    }
    assert_eq!(asset_count(&app).await, 4);
}

async fn an_oversized_exif_is_read_in_place_and_its_orientation_applied(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    let plain = encoded(&picture(300, 200), ImageFormat::Png);
    let png = png_with_chunk(&plain, b"eXIf", &rotating_exif(8 << 20));
    let started = Instant::now();
    let (status, asset) = upload(&app, &png, "exif.png", "image/png").await;
    assert_eq!(status, 200, "{asset}");
    assert!(started.elapsed() < QUICKLY, "{:?}", started.elapsed());
    assert_eq!(
        (asset["width"].as_u64(), asset["height"].as_u64()),
        (Some(200), Some(300))
    );
}

async fn text_parts_are_capped_and_must_be_text_without_control_characters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    let png = encoded(&picture(64, 64), ImageFormat::Png);
    let long = "a".repeat(4097);
    let many = vec![("x", "1"); 17];
    type Fields<'a> = &'a [(&'a str, &'a str)];
    let cases: [(&str, Fields, u16, &str); 8] = [
        (
            "a long alt",
            &[("brand", "acme"), ("alt", &long)],
            413,
            "LIMIT_EXCEEDED",
        ),
        (
            "a long unknown part",
            &[("brand", "acme"), ("note", &long)],
            413,
            "LIMIT_EXCEEDED",
        ),
        ("17 parts", &many, 413, "LIMIT_EXCEEDED"),
        (
            "NUL in alt",
            &[("brand", "acme"), ("alt", "a\0b")],
            400,
            "BAD_INPUT",
        ),
        (
            "BEL in alt",
            &[("brand", "acme"), ("alt", "ding\u{7}")],
            400,
            "BAD_INPUT",
        ),
        (
            "DEL in alt",
            &[("brand", "acme"), ("alt", "x\u{7f}")],
            400,
            "BAD_INPUT",
        ),
        ("ESC in brand", &[("brand", "ac\u{1b}me")], 400, "BAD_INPUT"),
        (
            "NUL in focalX",
            &[("brand", "acme"), ("focalX", "0.5\0"), ("focalY", "0.5")],
            400,
            "BAD_INPUT",
        ),
    ];
    for (label, fields, status, code) in cases {
        let (got, body) =
            upload_as(&app, Some(app.admin()), &png, "a.png", "image/png", fields).await;
        assert_eq!(got, status, "{label}: {body}");
        assert_eq!(body["error"]["code"], code, "{label}");
    }
    let (_, mut two_files) = form(&png, "a.png", "image/png", &[("brand", "acme")]);
    let (content_type, second) = form(&png, "b.png", "image/png", &[]);
    let closing = b"--vary-test-boundary-7d1c--\r\n";
    two_files.truncate(two_files.len() - closing.len());
    two_files.extend_from_slice(&second);
    let mut response = TestApp::client()
        .post(format!("{}/api/assets", app.base))
        .insert_header(("Content-Type", content_type))
        .insert_header(("Authorization", format!("Bearer {}", app.admin())))
        .send_body(two_files)
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400, "two files");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "BAD_INPUT");
    assert_eq!(asset_count(&app).await, 0);
    assert_eq!(stored_blobs(&app), 0);

    let lines = "line one\r\n\tline two";
    let fields = [("brand", "acme"), ("alt", lines)];
    let (status, asset) =
        upload_as(&app, Some(app.admin()), &png, "a.png", "image/png", &fields).await;
    assert_eq!(status, 200, "tab, CR and LF are text: {asset}");
    assert_eq!(asset["alt"], lines);
}

async fn a_body_that_ends_inside_a_part_is_bad_input_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    let png = encoded(&picture(64, 64), ImageFormat::Png);
    let (content_type, mut body) = form(&png, "a.png", "image/png", &[("brand", "acme")]);
    // No closing boundary: the file's data ends the body, just after a CR LF.
    body.truncate(body.len() - b"\r\n--vary-test-boundary-7d1c--\r\n".len());
    body.extend_from_slice(b"\r\n");
    let started = Instant::now();
    let mut response = TestApp::client()
        .post(format!("{}/api/assets", app.base))
        .insert_header(("Content-Type", content_type))
        .insert_header(("Authorization", format!("Bearer {}", app.admin())))
        .timeout(Duration::from_secs(10))
        .send_body(body)
        .await
        .expect("an answer, not a hang");
    assert!(started.elapsed() < QUICKLY, "{:?}", started.elapsed());
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "BAD_INPUT");
    assert_eq!(asset_count(&app).await, 0);
}

async fn a_file_at_the_byte_limit_with_every_text_part_is_accepted(backend: Backend) {
    let png = encoded(&picture(700, 500), ImageFormat::Png);
    let limit = png.len() as u64;
    let app = TestApp::spawn_with(backend, |c| c.asset_max_bytes = limit).await;
    app.seed_brand("acme").await;
    let alt = "é".repeat(1000);
    let fields = [
        ("brand", "acme"),
        ("alt", alt.as_str()),
        ("focalX", "0.5"),
        ("focalY", "0.5"),
    ];
    let (status, asset) =
        upload_as(&app, Some(app.admin()), &png, "a.png", "image/png", &fields).await;
    assert_eq!(status, 200, "{asset}");
    let mut over = png.clone();
    over.push(0);
    let (status, _) = upload_as(
        &app,
        Some(app.admin()),
        &over,
        "a.png",
        "image/png",
        &fields,
    )
    .await;
    assert_eq!(status, 413);
}

async fn a_huge_text_part_is_refused_early_and_the_server_stops_reading(backend: Backend) {
    // A byte limit over the body's length, so that the part's own cap is what refuses it.
    let app = TestApp::spawn_with(backend, |c| c.asset_max_bytes = 256 << 20).await;
    app.seed_brand("acme").await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    for chunked in [false, true] {
        let (addr, token) = (addr.clone(), app.admin().to_owned());
        let sent =
            actix_web::rt::task::spawn_blocking(move || stream_huge_alt(&addr, &token, chunked))
                .await
                .unwrap();
        assert_eq!(sent.status, 413, "chunked: {chunked}, {sent:?}");
        assert_eq!(sent.body["error"]["code"], "LIMIT_EXCEEDED");
        assert_eq!(sent.body["error"]["message"], "`alt` is over 4096 bytes");
        assert!(
            sent.written_when_answered < 64 << 20,
            "answered only after {} bytes (chunked: {chunked})",
            sent.written_when_answered
        );
        assert!(
            !sent.finished,
            "the server read the whole body (chunked: {chunked})"
        );
    }
    assert_eq!(asset_count(&app).await, 0);
}

/// What a client streaming a huge upload saw.
#[derive(Debug)]
struct Streamed {
    status: u16,
    body: Value,
    /// Body bytes written when the answer had arrived.
    written_when_answered: u64,
    /// Whether the whole body could be written: the server read it all.
    finished: bool,
}

/// Sends an upload whose `alt` part is 200 MB over a plain socket, with a declared length or
/// chunked, quickly until the answer comes and then slowly (64 KiB per 10 ms, so the rest would
/// take half a minute): a server that goes on reading takes the whole body, one that stops
/// makes a write fail.
fn stream_huge_alt(addr: &str, token: &str, chunked: bool) -> Streamed {
    const FILLER: usize = 200 << 20;
    let boundary = "huge-part";
    let head = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\n");
    let tail = format!("\r\n--{boundary}--\r\n");
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {}", head.len() + FILLER + tail.len())
    };
    let request = format!(
        "POST /api/assets HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\n{framing}\r\n\r\n"
    );
    let mut socket = TcpStream::connect(addr).unwrap();
    socket
        .set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = socket.try_clone().unwrap();
    reader
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let written = Arc::new(AtomicU64::new(0));
    let answered = Arc::new(AtomicBool::new(false));
    let response = {
        let (written, answered) = (written.clone(), answered.clone());
        std::thread::spawn(move || {
            let (status, body) = read_response(&mut reader);
            answered.store(true, Ordering::SeqCst);
            (status, body, written.load(Ordering::SeqCst))
        })
    };
    let piece = vec![b'a'; 64 << 10];
    let mut finished = socket.write_all(request.as_bytes()).is_ok();
    let mut send = |data: &[u8]| {
        let framed = if chunked {
            [format!("{:x}\r\n", data.len()).as_bytes(), data, b"\r\n"].concat()
        } else {
            data.to_vec()
        };
        let ok = socket.write_all(&framed).is_ok();
        written.fetch_add(data.len() as u64, Ordering::SeqCst);
        ok
    };
    finished = finished && send(head.as_bytes());
    for _ in 0..FILLER / piece.len() {
        if !finished {
            break;
        }
        if answered.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(10));
        }
        finished = send(&piece);
    }
    finished = finished && send(tail.as_bytes());
    if chunked && finished {
        finished = socket.write_all(b"0\r\n\r\n").is_ok();
    }
    let (status, body, written_when_answered) = response.join().unwrap();
    Streamed {
        status,
        body,
        written_when_answered,
        finished,
    }
}

/// Reads one HTTP response with a `Content-Length`: its status and JSON body (0 and null when
/// the connection ends first).
fn read_response(reader: &mut TcpStream) -> (u16, Value) {
    let (mut buf, mut chunk) = (Vec::new(), [0u8; 8192]);
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
                let body =
                    serde_json::from_slice(&buf[end + 4..end + 4 + len]).unwrap_or(Value::Null);
                return (status, body);
            }
        }
        match reader.read(&mut chunk) {
            Ok(0) | Err(_) => return (0, Value::Null),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

backend_tests!(
    a_delivered_variant_carries_its_images_sized_for_the_device,
    every_accepted_format_uploads_and_is_served,
    bad_files_are_refused_with_their_status_and_nothing_is_stored,
    the_same_image_twice_is_stored_once,
    renditions_are_cached_forever_with_an_etag_and_304,
    a_small_image_is_never_upscaled_and_exif_is_applied,
    only_the_brands_editors_and_admins_may_upload,
    the_library_lists_newest_first_with_cursors,
    asset_fields_must_name_an_asset_of_the_brand_and_weak_images_are_warned,
    zlib_bombs_in_png_chunks_are_never_inflated_and_pixels_stay_srgb,
    an_oversized_exif_is_read_in_place_and_its_orientation_applied,
    text_parts_are_capped_and_must_be_text_without_control_characters,
    a_file_at_the_byte_limit_with_every_text_part_is_accepted,
    a_body_that_ends_inside_a_part_is_bad_input_at_once,
    a_huge_text_part_is_refused_early_and_the_server_stops_reading,
);
