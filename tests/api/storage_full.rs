//! A full disk, for real: the data dir (SQLite database, indexes, usage journal, assets) on a
//! small tmpfs that a filler file fills to the last byte. Writes answer `UNAVAILABLE` saying
//! "storage full", reads go on, and once the filler is deleted writes work again.
//!
//! Mounting needs root (CI runs as root): as root a failed mount fails the test; as another
//! user the test says it was skipped.

use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::assets::{encoded, fetch, picture, upload};
use crate::helpers::{hero, Backend, TestApp};

/// A tmpfs mounted on a temporary directory, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(megabytes: u64) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|status| status.success());
        if mounted {
            return Some(Tmpfs { dir });
        }
        // SAFETY: a plain system call without arguments.
        let root = unsafe { libc::geteuid() } == 0;
        assert!(!root, "running as root, yet a tmpfs cannot be mounted");
        eprintln!("skipped: mounting a tmpfs needs root");
        None
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Writes zeros to `path` until the file system has no byte left.
fn fill(path: &Path) {
    let mut file = std::fs::File::create(path).expect("filler");
    for chunk in [1 << 20, 4096, 1] {
        let zeros = vec![0u8; chunk];
        while file.write_all(&zeros).is_ok() {}
    }
    let _ = file.sync_all();
}

fn assert_storage_full(status: u16, body: &Value, what: &str) {
    let code = body["errors"][0]["extensions"]["code"]
        .as_str()
        .or_else(|| body["error"]["code"].as_str());
    let message = body["errors"][0]["message"]
        .as_str()
        .or_else(|| body["error"]["message"].as_str())
        .unwrap_or("");
    assert_eq!(code, Some("UNAVAILABLE"), "{what}: {status} {body}");
    assert!(message.contains("storage full"), "{what}: {body}");
}

async fn create_entry(app: &TestApp, key: &str) -> Value {
    app.gql(
        Some(app.admin()),
        "mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }",
        json!({"i": {"brand": "acme", "key": key, "contentType": "Hero"}}),
    )
    .await
    .body
}

#[actix_web::test]
async fn a_full_disk_refuses_writes_as_storage_full_serves_reads_and_recovers() {
    let Some(tmpfs) = Tmpfs::mount(64) else {
        return;
    };
    let data: PathBuf = tmpfs.path().join("data");
    let app = TestApp::spawn_with(Backend::Sqlite, |raw| {
        raw.data_dir = Some(data.clone());
        raw.database_url = Some(format!("sqlite://{}/vary.db", data.display()));
    })
    .await;
    let entry = app.seed_brand("acme").await;
    app.published(&entry, json!({"name": "all", "fields": hero("Hi")}))
        .await;
    let key = app.delivery_key("acme").await;
    let png = encoded(&picture(64, 48), image::ImageFormat::Png);
    let (status, asset) = upload(&app, &png, "before.png", "image/png").await;
    assert_eq!(status, 200, "{asset}");

    let filler = tmpfs.path().join("filler");
    fill(&filler);

    // The database may still have room in its write-ahead log for a few small writes; the
    // first write that needs the disk to grow is refused as storage full, never INTERNAL.
    let mut refused = None;
    for i in 0..200 {
        let body = create_entry(&app, &format!("full-{i}")).await;
        if body.get("errors").is_some() {
            refused = Some(body);
            break;
        }
    }
    let refused = refused.expect("a full disk refuses a write within 200 entries");
    assert_storage_full(200, &refused, "createEntry");
    let other = encoded(&picture(80, 60), image::ImageFormat::Png);
    let (status, body) = upload(&app, &other, "full.png", "image/png").await;
    assert_eq!(status, 503, "{body}");
    assert_storage_full(status, &body, "upload");

    // Reads go on: the editor's list, delivery, a rendition never made before.
    let entries = app
        .gql(
            Some(app.admin()),
            "{ entries(brand: \"acme\") { edges { node { key } } } }",
            json!({}),
        )
        .await;
    let edges = &entries.data()["entries"]["edges"];
    assert!(edges.as_array().is_some_and(|e| !e.is_empty()), "{edges}");
    let content = app.content(&key, "acme", "home-hero", json!({})).await;
    assert_eq!(content["variant"]["fields"]["title"], "Hi", "{content}");
    let id = asset["id"].as_str().unwrap();
    let (status, _, bytes) =
        fetch(&app, &format!("/assets/{id}/mobile.webp?aspect=1:1"), &[]).await;
    assert_eq!(status, 200);
    assert!(!bytes.is_empty());
    let (status, _) = app.get("/healthz").await;
    assert_eq!(status, 200);

    std::fs::remove_file(&filler).unwrap();
    let body = create_entry(&app, "after").await;
    assert!(body.get("errors").is_none(), "{body}");
    let (status, body) = upload(&app, &other, "after.png", "image/png").await;
    assert_eq!(status, 200, "{body}");
    drop(app);
}
