//! Reading and checking configuration.

use super::*;

#[test]
fn every_setting_is_listed_in_keys() {
    let value = serde_json::to_value(RawConfig::default()).unwrap();
    let mut fields: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut keys = RawConfig::KEYS.to_vec();
    fields.sort();
    keys.sort();
    assert_eq!(fields, keys);
}

#[test]
fn a_bad_bind_address_names_the_key() {
    let raw = RawConfig {
        bind: "nowhere".into(),
        ..RawConfig::default()
    };
    let err = Config::check(raw).unwrap_err();
    assert_eq!(err.key, "bind");
}

#[test]
fn the_database_defaults_to_sqlite_in_the_data_dir() {
    let raw = RawConfig {
        data_dir: Some("/tmp/x".into()),
        ..RawConfig::default()
    };
    let config = Config::check(raw).unwrap();
    assert_eq!(
        config.database,
        DatabaseUrl::Sqlite("/tmp/x/vary.db".into())
    );
}

#[test]
fn an_unknown_database_scheme_is_refused() {
    let raw = RawConfig {
        database_url: Some("mysql://x".into()),
        ..RawConfig::default()
    };
    assert_eq!(Config::check(raw).unwrap_err().key, "database_url");
}

#[test]
fn the_asset_store_is_the_data_dir_or_an_s3_url() {
    let check = |store: Option<&str>, endpoint: Option<&str>| {
        Config::check(RawConfig {
            asset_store: store.map(str::to_owned),
            s3_endpoint: endpoint.map(str::to_owned),
            ..RawConfig::default()
        })
    };
    assert!(check(None, None).unwrap().asset_store.is_none());
    assert!(check(Some(""), None).unwrap().asset_store.is_none());
    let s3 = check(Some("s3://assets/vary"), Some("http://127.0.0.1:9000/")).unwrap();
    let settings = s3.asset_store.unwrap();
    assert_eq!(settings.location.prefix, "vary");
    assert_eq!(settings.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
    assert_eq!(s3.asset_cache_bytes, 1 << 30);
    for bad in ["/var/assets", "s3://", "s3://B/x", "https://assets/x"] {
        assert_eq!(check(Some(bad), None).unwrap_err().key, "asset_store");
    }
    let endpoint = check(Some("s3://assets"), Some("localhost:9000"));
    assert_eq!(endpoint.unwrap_err().key, "s3_endpoint");
}

#[test]
fn a_short_jwt_secret_is_refused() {
    let raw = RawConfig {
        jwt_secret: Some("short".into()),
        ..RawConfig::default()
    };
    assert_eq!(Config::check(raw).unwrap_err().key, "jwt_secret");
}
