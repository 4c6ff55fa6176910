//! Settings at start-up: a bad value stops `vary serve` with one line naming its key, lists
//! read from variables and files, unrelated `VARY_` variables ignored, a config file read.

use super::vary;

#[test]
fn a_bad_setting_stops_start_up_with_one_line_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = vary(dir.path())
        .args(["serve", "--bind", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bind"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let out = vary(dir.path())
        .env("VARY_DATABASE_URL", "mysql://nope")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("database_url"));
}

/// `trusted_proxies` and `cors_origins` are lists: comma-separated in a variable, an array in
/// a file; a malformed item stops start-up naming its key.
#[test]
fn proxy_and_origin_lists_are_read_and_their_mistakes_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = vary(dir.path())
        .env("VARY_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16")
        .env(
            "VARY_CORS_ORIGINS",
            "https://shop.example,http://localhost:5173",
        )
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (variable, value, key) in [
        (
            "VARY_TRUSTED_PROXIES",
            "10.0.0.1,not-an-address",
            "trusted_proxies",
        ),
        ("VARY_TRUSTED_PROXIES", "10.0.0.0/40", "trusted_proxies"),
        ("VARY_CORS_ORIGINS", "shop.example", "cors_origins"),
        (
            "VARY_CORS_ORIGINS",
            "*,https://shop.example",
            "cors_origins",
        ),
    ] {
        let out = vary(dir.path())
            .env(variable, value)
            .arg("migrate")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(key), "{value}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    let file = dir.path().join("vary.toml");
    std::fs::write(
        &file,
        "cors_origins = [\"*\"]\ntrusted_proxies = [\"::1\"]\n",
    )
    .unwrap();
    let out = vary(dir.path())
        .arg("--config")
        .arg(&file)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn unrelated_vary_variables_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let out = vary(dir.path())
        .env("VARY_TEST_POSTGRES_URL", "postgres://x")
        .env("VARY_BIN", "/x")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_config_file_is_read_and_its_mistakes_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vary.toml");
    std::fs::write(&file, "bind = \"127.0.0.1:0\"\nsession_ttl_secs = 0\n").unwrap();
    let out = vary(dir.path())
        .arg("--config")
        .arg(&file)
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("session_ttl_secs"));
    std::fs::write(&file, "no_such_key = 1\n").unwrap();
    let out = vary(dir.path())
        .arg("--config")
        .arg(&file)
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no_such_key"));
}
