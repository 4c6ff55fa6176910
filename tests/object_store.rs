//! Assets in an S3-compatible object store, against a real server (`moto_server`, started by
//! `scripts/test`, which sets `VARY_TEST_S3_ENDPOINT`, `VARY_TEST_S3_BUCKET` and `AWS_*`).
//! Without it these tests say so and return, except under `CI=true`, where they fail. Each test
//! works under a prefix of its own. The start-up checks of `asset_store` need no server.

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use std::io::{Cursor, Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use serde_json::Value;

use helpers::{Backend, TestApp};
use vary::assets::{
    AssetError, AssetId, BlobKey, BlobStore, CachedBlobStore, S3BlobStore, S3Settings,
    StoreUnavailable,
};
use vary::config::{DatabaseUrl, RawConfig};

/// The test server's endpoint and bucket, or `None` (after saying so) when there is none.
fn server() -> Option<(String, String)> {
    let endpoint = std::env::var("VARY_TEST_S3_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty());
    let Some(endpoint) = endpoint else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI must test the object store: set VARY_TEST_S3_ENDPOINT (scripts/test starts moto_server)");
        }
        eprintln!("skipped: VARY_TEST_S3_ENDPOINT is not set (scripts/test starts moto_server)");
        return None;
    };
    assert!(
        std::env::var_os("AWS_ACCESS_KEY_ID").is_some(),
        "VARY_TEST_S3_ENDPOINT needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any value)"
    );
    let bucket = std::env::var("VARY_TEST_S3_BUCKET").unwrap_or_else(|_| "vary-test".into());
    Some((endpoint, bucket))
}

/// `s3://BUCKET/<fresh prefix>` on the test server.
fn fresh_store() -> Option<(String, String)> {
    let (endpoint, bucket) = server()?;
    let url = format!(
        "s3://{bucket}/test-{}",
        vary::ids::random_token(10).to_lowercase()
    );
    Some((url, endpoint))
}

fn settings(url: &str, endpoint: &str) -> S3Settings {
    S3Settings {
        location: url.parse().unwrap(),
        endpoint: Some(endpoint.to_owned()),
    }
}

/// An endpoint where nothing listens.
fn closed_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn blobs_round_trip_and_the_first_write_wins() {
    let Some((url, endpoint)) = fresh_store() else {
        return;
    };
    let store = S3BlobStore::connect(&settings(&url, &endpoint)).unwrap();
    let key = BlobKey::Original(AssetId::of(b"pixels"));
    assert!(!store.exists(&key).unwrap());
    assert_eq!(store.get(&key).unwrap(), None);
    store.put(&key, b"pixels").unwrap();
    store.put(&key, b"other").unwrap();
    assert!(store.exists(&key).unwrap());
    assert_eq!(store.get(&key).unwrap().unwrap(), b"pixels");
    // Another node (another client) sees the same blob.
    let other = S3BlobStore::connect(&settings(&url, &endpoint)).unwrap();
    assert_eq!(other.get(&key).unwrap().unwrap(), b"pixels");
    wait_until("the probe finds the store healthy", || store.healthy());
}

#[test]
fn the_disk_cache_stays_within_its_limit_and_serves_what_it_evicted() {
    let Some((url, endpoint)) = fresh_store() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let remote = S3BlobStore::connect(&settings(&url, &endpoint)).unwrap();
    let store = CachedBlobStore::open(remote, dir.path(), 1000).unwrap();
    let keys: Vec<BlobKey> = (0..8u8)
        .map(|n| BlobKey::Original(AssetId::of(&[n])))
        .collect();
    for (n, key) in keys.iter().enumerate() {
        store.put(key, &[n as u8; 300]).unwrap();
        assert!(store.cached_bytes() <= 1000);
    }
    assert_eq!(store.cached_bytes(), 900);
    let on_disk: u64 = walk(dir.path());
    assert_eq!(on_disk, 900);
    for (n, key) in keys.iter().enumerate() {
        assert_eq!(store.get(key).unwrap().unwrap(), vec![n as u8; 300]);
        assert!(store.cached_bytes() <= 1000);
    }
    assert!(walk(dir.path()) <= 1000);
}

/// Bytes of the files under `dir`, two levels deep (`<id>/<name>`).
fn walk(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            for file in std::fs::read_dir(path).unwrap() {
                total += file.unwrap().metadata().unwrap().len();
            }
        }
    }
    total
}

#[test]
fn a_store_that_is_down_is_unavailable_within_seconds() {
    let Some((url, _)) = fresh_store() else {
        return;
    };
    let store = S3BlobStore::connect(&settings(&url, &closed_endpoint())).unwrap();
    let key = BlobKey::Original(AssetId::of(b"x"));
    for attempt in [
        store.put(&key, b"x").map(|_| ()),
        store.get(&key).map(|_| ()),
        store.exists(&key).map(|_| ()),
    ] {
        let started = Instant::now();
        let error = attempt.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(6));
        assert!(StoreUnavailable::is(&error), "{error}");
        assert!(matches!(
            AssetError::from(error),
            AssetError::Unavailable(_)
        ));
    }
    std::thread::sleep(probe_wait());
    assert!(!store.healthy());
}

/// A stand-in store that answers every request `404` until `stop` is set; then nothing listens.
fn answering_server() -> (String, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stopping = stop.clone();
    std::thread::spawn(move || {
        while !stopping.load(Ordering::Relaxed) {
            let Ok((mut socket, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            socket.set_nonblocking(false).unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8];
            while !head.ends_with(b"\r\n\r\n") && socket.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let _ = socket.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (endpoint, stop)
}

#[test]
fn the_health_probe_notices_a_store_going_away_within_seconds() {
    if server().is_none() {
        return;
    }
    let (endpoint, stop) = answering_server();
    let store = S3BlobStore::connect(&settings("s3://vary-test/probe", &endpoint)).unwrap();
    wait_until("the store is healthy", || store.healthy());
    stop.store(true, Ordering::Relaxed);
    let stopped = Instant::now();
    wait_until("the store is unhealthy", || !store.healthy());
    assert!(stopped.elapsed() < Duration::from_secs(10));
}

/// Long enough for the health probe to have answered at least once.
fn probe_wait() -> Duration {
    vary::assets::object_store::PROBE_EVERY + Duration::from_millis(500)
}

fn picture(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 90])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

/// Uploads `file` to brand `acme` as admin; answers status and body.
async fn upload(app: &TestApp, file: &[u8]) -> (u16, Value) {
    let boundary = "vary-s3-test-boundary";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"brand\"\r\n\r\nacme\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut response = TestApp::client()
        .post(format!("{}/api/assets", app.base))
        .insert_header((
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        ))
        .insert_header(("Authorization", format!("Bearer {}", app.admin())))
        .send_body(body)
        .await
        .expect("request sent");
    let bytes = response.body().limit(1 << 20).await.expect("body");
    (
        response.status().as_u16(),
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// GETs `path`; answers status and body bytes.
async fn fetch(app: &TestApp, path: &str) -> (u16, Vec<u8>) {
    let mut response = TestApp::client()
        .get(format!("{}{}", app.base, path))
        .send()
        .await
        .expect("request sent");
    let bytes = response.body().limit(50_000_000).await.expect("body");
    (response.status().as_u16(), bytes.to_vec())
}

fn database_url(app: &TestApp) -> String {
    match &app.app.config.database {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
    }
}

fn in_store(url: &str, endpoint: &str) -> impl FnOnce(&mut RawConfig) {
    let (url, endpoint) = (url.to_owned(), endpoint.to_owned());
    move |raw| {
        raw.asset_store = Some(url);
        raw.s3_endpoint = Some(endpoint);
    }
}

/// Two nodes on one database and one object store, with data dirs of their own: what is
/// uploaded on A is served by B, renditions made on demand from the original included.
async fn an_upload_on_one_node_is_served_by_another(backend: Backend) {
    let Some((url, endpoint)) = fresh_store() else {
        return;
    };
    let a = TestApp::spawn_with(backend, in_store(&url, &endpoint)).await;
    a.seed_brand("acme").await;
    let shared = database_url(&a);
    let b = TestApp::spawn_with(backend, |raw| {
        in_store(&url, &endpoint)(raw);
        raw.database_url = Some(shared);
    })
    .await;
    let (status, asset) = upload(&a, &picture(1200, 800)).await;
    assert_eq!(status, 200, "{asset}");
    let id = asset["id"].as_str().unwrap();
    assert!(!a.data_dir.path().join("assets").exists());

    let (status, body) = fetch(&b, &format!("/assets/{id}/mobile.webp")).await;
    assert_eq!(status, 200);
    assert_eq!(image::load_from_memory(&body).unwrap().width(), 640);
    // A square crop is never made in the background: B makes it from the original it fetches.
    let (status, body) = fetch(&b, &format!("/assets/{id}/tablet.jpg?aspect=1:1")).await;
    assert_eq!(status, 200);
    let square = image::load_from_memory(&body).unwrap();
    assert_eq!((square.width(), square.height()), (800, 800));
    let cached = b.data_dir.path().join("asset-cache").join(id);
    assert!(cached.join("original").is_file());
    // Crops are stored under their focal point (`tablet.jpg.1x1.f<x>x<y>`).
    let crop_cached = std::fs::read_dir(&cached).unwrap().any(|file| {
        let name = file.unwrap().file_name();
        name.to_string_lossy().starts_with("tablet.jpg.1x1.f")
    });
    assert!(crop_cached, "no square crop in {}", cached.display());

    let store = S3BlobStore::connect(&settings(&url, &endpoint)).unwrap();
    let id: AssetId = id.parse().unwrap();
    let original = tokio::task::spawn_blocking(move || store.get(&BlobKey::Original(id)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        original.unwrap().len() as u64,
        asset["bytes"].as_u64().unwrap()
    );
    let (status, body) = fetch(&b, "/readyz").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

/// A store that cannot be reached: the upload is `UNAVAILABLE` (503) quickly, no row is made,
/// and `/readyz` says the node is not ready.
async fn an_upload_while_the_store_is_down_is_unavailable_and_stores_nothing(backend: Backend) {
    let Some((url, _)) = fresh_store() else {
        return;
    };
    let app = TestApp::spawn_with(backend, in_store(&url, &closed_endpoint())).await;
    app.seed_brand("acme").await;
    let started = Instant::now();
    let (status, body) = upload(&app, &picture(300, 200)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "UNAVAILABLE");
    assert!(started.elapsed() < Duration::from_secs(8));
    let answer = app
        .gql(
            Some(app.admin()),
            "{ assets(brand: \"acme\") { totalCount } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(answer.data()["assets"]["totalCount"], 0);
    let (status, body) = fetch(&app, "/readyz").await;
    assert_eq!(status, 503);
    let readiness: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(readiness["assets"], false);
}

backend_tests!(
    an_upload_on_one_node_is_served_by_another,
    an_upload_while_the_store_is_down_is_unavailable_and_stores_nothing,
);

fn vary_with(vars: &[(&str, &str)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vary"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--bind", "127.0.0.1:0"]);
    for (name, value) in vars {
        cmd.env(name, value);
    }
    cmd.output().unwrap()
}

#[test]
fn a_malformed_asset_store_stops_start_up_naming_the_key() {
    for bad in [
        "/var/lib/vary",
        "s3://",
        "s3://Bucket/x",
        "https://bucket/x",
    ] {
        let out = vary_with(&[("VARY_ASSET_STORE", bad)]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("asset_store"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    let out = vary_with(&[
        ("VARY_ASSET_STORE", "s3://assets/vary"),
        ("VARY_S3_ENDPOINT", "localhost:9000"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("s3_endpoint"));
    let out = vary_with(&[("VARY_ASSET_CACHE_BYTES", "0")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("asset_cache_bytes"));
}
