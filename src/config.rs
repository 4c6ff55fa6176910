//! Configuration: defaults, then a TOML file (`--config`), then `VARY_*` variables, then flags.
//!
//! Raw values are read into [`RawConfig`] and checked once into [`Config`]; a bad value is a
//! [`ConfigError`] naming the key, which `main` prints as one line before exiting with code 2.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::auth::ratelimit::ThrottleRules;

pub mod network;

use network::{CorsOrigins, StringList, TrustedProxies};

/// A configuration value that cannot be used, with the key that holds it.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(key: &str, message: impl Into<String>) -> Self {
        ConfigError {
            key: key.to_string(),
            message: message.into(),
        }
    }
}

/// Configuration as read, before checking.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawConfig {
    pub bind: String,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub jwt_secret: Option<String>,
    pub bootstrap_admin: Option<String>,
    /// Lifetime of a login session token, in seconds.
    pub session_ttl_secs: u64,
    /// Largest accepted `/graphql` request body, in bytes.
    pub max_body_bytes: usize,
    pub graphql_max_depth: usize,
    pub graphql_max_complexity: usize,
    /// Largest number of operations in one batched GraphQL request.
    pub graphql_max_batch: usize,
    /// Most entries one GraphQL request may resolve (keys × aliases, each search's `first`).
    pub graphql_max_answers: usize,
    /// Most fields one GraphQL operation may select once its fragments are expanded.
    pub graphql_max_selections: usize,
    /// Failed sign-ins an account may have within `login_window_secs` before it must wait.
    pub login_max_failures: u32,
    /// Failed sign-ins one address may have within `login_window_secs`; the next is refused.
    pub login_address_max_failures: u32,
    /// The sliding window sign-in failures are counted over, in seconds.
    pub login_window_secs: u64,
    /// Proxies (addresses or CIDR ranges) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Option<StringList>,
    /// Browser origins granted CORS on `/graphql`, `/delivery/…` and `/assets/…` (or `*`).
    pub cors_origins: Option<StringList>,
    /// Size of the database connection pool.
    pub db_pool_size: u32,
    /// Largest accepted upload, in bytes.
    pub asset_max_bytes: u64,
    /// Largest accepted upload, in pixels (width × height).
    pub asset_max_pixels: u64,
    /// Images decoded or rendered at once (0: half the CPUs, at least one).
    pub asset_workers: usize,
    /// Where originals and renditions live: unset for the data dir, or `s3://BUCKET/PREFIX`.
    pub asset_store: Option<String>,
    /// The S3-compatible server to use instead of AWS (path-style), e.g. `http://127.0.0.1:9000`.
    pub s3_endpoint: Option<String>,
    /// Most bytes of the disk cache in front of an object store.
    pub asset_cache_bytes: u64,
    /// Let webhooks target loopback and private networks (off: protects against SSRF).
    pub webhooks_allow_private: bool,
    /// Record an impression for every answer to a delivery key (off: answers carry no
    /// `servedId`, `track` is unavailable; for a deployment that may not track visitors).
    pub usage_recording: bool,
    /// Journal every impression and `track` event before answering (off: `kill -9` may lose the
    /// last moments' usage; for measuring what durability costs).
    pub usage_journal: bool,
    /// The config file itself, and log format, are handled by the CLI; accepted here so one file
    /// can hold every key.
    pub config: Option<PathBuf>,
    pub log_format: Option<String>,
}

impl RawConfig {
    /// Every setting's key, as in a config file (and, upper-cased with `VARY_`, as a variable).
    pub const KEYS: [&'static str; 29] = [
        "bind",
        "data_dir",
        "database_url",
        "jwt_secret",
        "bootstrap_admin",
        "session_ttl_secs",
        "max_body_bytes",
        "graphql_max_depth",
        "graphql_max_complexity",
        "graphql_max_batch",
        "graphql_max_answers",
        "graphql_max_selections",
        "login_max_failures",
        "login_address_max_failures",
        "login_window_secs",
        "trusted_proxies",
        "cors_origins",
        "db_pool_size",
        "asset_max_bytes",
        "asset_max_pixels",
        "asset_workers",
        "asset_store",
        "s3_endpoint",
        "asset_cache_bytes",
        "webhooks_allow_private",
        "usage_recording",
        "usage_journal",
        "config",
        "log_format",
    ];
}

impl Default for RawConfig {
    fn default() -> Self {
        RawConfig {
            bind: "127.0.0.1:8080".into(),
            data_dir: None,
            database_url: None,
            jwt_secret: None,
            bootstrap_admin: None,
            session_ttl_secs: 3600,
            max_body_bytes: 256 * 1024,
            graphql_max_depth: 16,
            graphql_max_complexity: 2000,
            graphql_max_batch: 10,
            graphql_max_answers: 1000,
            graphql_max_selections: 5000,
            login_max_failures: 5,
            login_address_max_failures: 100,
            login_window_secs: 15 * 60,
            trusted_proxies: None,
            cors_origins: None,
            db_pool_size: 8,
            asset_max_bytes: 25 * 1024 * 1024,
            asset_max_pixels: 50_000_000,
            asset_workers: 0,
            asset_store: None,
            s3_endpoint: None,
            asset_cache_bytes: 1 << 30,
            webhooks_allow_private: false,
            usage_recording: true,
            usage_journal: true,
            config: None,
            log_format: None,
        }
    }
}

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// needs a file path".into());
            }
            if path == ":memory:" {
                return Err("an in-memory SQLite database is not supported: name a file".into());
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        Err("expected sqlite://PATH or postgres://…".into())
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }
}

/// An admin to create at start when no user exists (`VARY_BOOTSTRAP_ADMIN=email:password`).
#[derive(Clone)]
pub struct BootstrapAdmin {
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for BootstrapAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BootstrapAdmin({}, <password>)", self.email)
    }
}

/// Checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database: DatabaseUrl,
    /// `None` means: use (or create) the secret kept in the data dir.
    pub jwt_secret: Option<Secret>,
    pub bootstrap_admin: Option<BootstrapAdmin>,
    pub session_ttl_secs: u64,
    pub max_body_bytes: usize,
    pub graphql_max_depth: usize,
    pub graphql_max_complexity: usize,
    pub graphql_max_batch: usize,
    pub graphql_max_answers: usize,
    pub graphql_max_selections: usize,
    pub login_throttle: ThrottleRules,
    pub trusted_proxies: TrustedProxies,
    pub cors_origins: CorsOrigins,
    pub db_pool_size: u32,
    pub asset_limits: crate::assets::AssetLimits,
    pub asset_workers: usize,
    /// `None`: blobs in the data dir.
    pub asset_store: Option<crate::assets::S3Settings>,
    pub asset_cache_bytes: u64,
    pub webhooks_allow_private: bool,
    pub usage_recording: bool,
    pub usage_journal: bool,
}

/// A secret that never prints.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<secret>")
    }
}

/// Options given on the command line, which win over every other source (`cli` fills them in).
#[derive(Debug, Default, Serialize)]
pub struct CliOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

impl Config {
    /// Reads every source in order and checks the result.
    pub fn load(file: Option<&Path>, overrides: CliOverrides) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(RawConfig::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError::new(
                    "config",
                    format!("{} is not a readable file", path.display()),
                ));
            }
            figment = figment.merge(Toml::file(path));
        }
        // Only the variables that name a setting: others (VARY_TEST_*, VARY_BIN …) belong to tools.
        let env = Env::prefixed("VARY_").only(&RawConfig::KEYS);
        let figment = figment.merge(env).merge(Serialized::globals(overrides));
        let raw: RawConfig = figment.extract().map_err(|e| {
            let key = e.path.join(".");
            let key = if key.is_empty() {
                "config".to_string()
            } else {
                key
            };
            ConfigError::new(&key, e.kind.to_string())
        })?;
        Config::check(raw)
    }

    /// Turns raw values into typed ones, naming the first key that is wrong.
    pub fn check(raw: RawConfig) -> Result<Config, ConfigError> {
        let (bind, data_dir, database) = location(&raw)?;
        let jwt_secret = match &raw.jwt_secret {
            Some(s) if s.len() < 32 => {
                return Err(ConfigError::new(
                    "jwt_secret",
                    "must be at least 32 characters",
                ));
            }
            other => other.clone().map(Secret),
        };
        let bootstrap_admin = raw
            .bootstrap_admin
            .as_deref()
            .map(parse_bootstrap)
            .transpose()?;
        check_request_limits(&raw)?;
        let trusted_proxies = TrustedProxies::parse(&raw.trusted_proxies.unwrap_or_default())?;
        let cors_origins = CorsOrigins::parse(&raw.cors_origins.unwrap_or_default())?;
        positive("db_pool_size", raw.db_pool_size as usize)?;
        positive("asset_max_bytes", raw.asset_max_bytes as usize)?;
        positive("asset_max_pixels", raw.asset_max_pixels as usize)?;
        positive("asset_cache_bytes", raw.asset_cache_bytes as usize)?;
        let asset_store = asset_store(raw.asset_store.as_deref(), raw.s3_endpoint.as_deref())?;
        Ok(Config {
            bind,
            data_dir,
            database,
            jwt_secret,
            bootstrap_admin,
            session_ttl_secs: raw.session_ttl_secs,
            max_body_bytes: raw.max_body_bytes,
            graphql_max_depth: raw.graphql_max_depth,
            graphql_max_complexity: raw.graphql_max_complexity,
            graphql_max_batch: raw.graphql_max_batch,
            graphql_max_answers: raw.graphql_max_answers,
            graphql_max_selections: raw.graphql_max_selections,
            login_throttle: ThrottleRules {
                account_failures: raw.login_max_failures,
                address_failures: raw.login_address_max_failures,
                window: std::time::Duration::from_secs(raw.login_window_secs),
                ..ThrottleRules::default()
            },
            trusted_proxies,
            cors_origins,
            db_pool_size: raw.db_pool_size,
            asset_limits: crate::assets::AssetLimits {
                max_bytes: raw.asset_max_bytes,
                max_pixels: raw.asset_max_pixels,
                ..crate::assets::AssetLimits::default()
            },
            asset_workers: raw.asset_workers,
            asset_store,
            asset_cache_bytes: raw.asset_cache_bytes,
            webhooks_allow_private: raw.webhooks_allow_private,
            usage_recording: raw.usage_recording,
            usage_journal: raw.usage_journal,
        })
    }
}

/// Where to listen and where the data lives: `bind`, `data_dir` and `database_url`.
fn location(raw: &RawConfig) -> Result<(SocketAddr, PathBuf, DatabaseUrl), ConfigError> {
    let bind: SocketAddr = raw.bind.parse().map_err(|_| {
        ConfigError::new(
            "bind",
            format!("`{}` is not an address like 127.0.0.1:8080", raw.bind),
        )
    })?;
    let data_dir = raw
        .data_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("./vary-data"));
    if data_dir.as_os_str().is_empty() {
        return Err(ConfigError::new("data_dir", "must not be empty"));
    }
    let database = match &raw.database_url {
        Some(url) => DatabaseUrl::parse(url).map_err(|m| ConfigError::new("database_url", m))?,
        None => DatabaseUrl::Sqlite(data_dir.join("vary.db")),
    };
    Ok((bind, data_dir, database))
}

/// The bounds on sessions, GraphQL requests and sign-in throttling: none may be zero.
fn check_request_limits(raw: &RawConfig) -> Result<(), ConfigError> {
    positive("session_ttl_secs", raw.session_ttl_secs as usize)?;
    positive("max_body_bytes", raw.max_body_bytes)?;
    positive("graphql_max_depth", raw.graphql_max_depth)?;
    positive("graphql_max_complexity", raw.graphql_max_complexity)?;
    positive("graphql_max_batch", raw.graphql_max_batch)?;
    positive("graphql_max_answers", raw.graphql_max_answers)?;
    positive("graphql_max_selections", raw.graphql_max_selections)?;
    positive("login_max_failures", raw.login_max_failures as usize)?;
    positive(
        "login_address_max_failures",
        raw.login_address_max_failures as usize,
    )?;
    positive("login_window_secs", raw.login_window_secs as usize)
}

fn positive(key: &str, value: usize) -> Result<(), ConfigError> {
    if value == 0 {
        return Err(ConfigError::new(key, "must be greater than zero"));
    }
    Ok(())
}

/// The object store `asset_store` names (`None` when unset or empty: the data dir).
fn asset_store(
    store: Option<&str>,
    endpoint: Option<&str>,
) -> Result<Option<crate::assets::S3Settings>, ConfigError> {
    let endpoint = endpoint
        .filter(|e| !e.is_empty())
        .map(crate::assets::object_store::parse_endpoint)
        .transpose()
        .map_err(|m| ConfigError::new("s3_endpoint", m))?;
    let Some(store) = store.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let location = store
        .parse()
        .map_err(|m| ConfigError::new("asset_store", m))?;
    Ok(Some(crate::assets::S3Settings { location, endpoint }))
}

fn parse_bootstrap(value: &str) -> Result<BootstrapAdmin, ConfigError> {
    let (email, password) = value
        .split_once(':')
        .ok_or_else(|| ConfigError::new("bootstrap_admin", "expected email:password"))?;
    if !email.contains('@') || password.len() < 8 {
        return Err(ConfigError::new(
            "bootstrap_admin",
            "expected email:password with an e-mail address and a password of at least 8 characters",
        ));
    }
    Ok(BootstrapAdmin {
        email: email.to_string(),
        password: password.to_string(),
    })
}

#[cfg(test)]
mod tests;
