//! Blobs in an S3-compatible object store, through the `object_store` crate.
//!
//! `asset_store = "s3://BUCKET/PREFIX"` puts every original and rendition under PREFIX, so that
//! every node serves every asset. Credentials and region come from the usual `AWS_*` variables;
//! `s3_endpoint` (`VARY_S3_ENDPOINT`) names a store other than AWS, addressed path-style.
//!
//! [`BlobStore`] is synchronous and called from the blocking pool, while `object_store` is
//! async: the store owns a small runtime of its own and waits on it, so it works whatever runtime
//! (or none) its caller has. Every request has a timeout and few retries, so a dead store is told
//! in seconds, as [`StoreUnavailable`]. A PUT is atomic (a reader sees the whole object or
//! none) and conditional on the key being free: the first write wins. A background probe asks
//! the store every [`PROBE_EVERY`] whether it answers; [`BlobStore::healthy`] reads its last
//! answer, for `/readyz`.

use std::fmt;
use std::io;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ::object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use ::object_store::path::Path;
use ::object_store::{
    BackoffConfig, ClientConfigKey, Error as OsError, ObjectStore, ObjectStoreExt, PutMode,
    PutPayload, RetryConfig,
};
use tokio::runtime::Runtime;

use super::blob::{BlobKey, BlobStore, StoreUnavailable};

/// How long one request may take, from connecting to the end of its body (a 25 MiB original).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting may take: a store that does not answer is told quickly.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Retries of a failed request, and the time after which none is tried.
const RETRIES: usize = 2;
const RETRY_WITHIN: Duration = Duration::from_secs(4);
/// How often the store is probed, and how long a probe may take.
pub const PROBE_EVERY: Duration = Duration::from_secs(2);
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// The key the probe asks about; it need not exist (a 404 is an answer).
const PROBE_KEY: &str = ".vary-probe";

/// Where assets live in an object store: `s3://BUCKET` or `s3://BUCKET/PREFIX`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// Without leading or trailing `/`; empty for the bucket's root.
    pub prefix: String,
}

impl FromStr for S3Location {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| {
            format!("{why}: expected s3://BUCKET or s3://BUCKET/PREFIX (bucket: 3-63 lower-case letters, digits, '.' and '-'; prefix: letters, digits, '.', '_', '-' and '/')")
        };
        let rest = text
            .strip_prefix("s3://")
            .ok_or_else(|| bad("not an s3:// URL"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let edge = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
            && edge(bucket.bytes().next())
            && edge(bucket.bytes().last());
        if !bucket_ok {
            return Err(bad("not a bucket name"));
        }
        let prefix = prefix.trim_matches('/');
        let segment_ok = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        };
        if !prefix.is_empty() && !prefix.split('/').all(segment_ok) {
            return Err(bad("not a prefix"));
        }
        Ok(S3Location {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
        })
    }
}

impl fmt::Display for S3Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

/// An object store to keep assets in: where, and which server (AWS when `endpoint` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Settings {
    pub location: S3Location,
    pub endpoint: Option<String>,
}

/// Checks an endpoint: an `http://` or `https://` URL naming a host, with no credentials, query
/// or fragment. Answers it without a trailing `/`.
pub fn parse_endpoint(text: &str) -> Result<String, String> {
    let bad = || "expected an http:// or https:// URL such as http://127.0.0.1:9000".to_string();
    let url = url::Url::parse(text).map_err(|_| bad())?;
    let plain = url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() || !plain {
        return Err(bad());
    }
    Ok(text.trim_end_matches('/').to_owned())
}

/// Blobs as objects under a prefix of an S3 bucket.
pub struct S3BlobStore {
    store: AmazonS3,
    prefix: String,
    healthy: Arc<AtomicBool>,
    /// Taken (and shut down without waiting) when the store is dropped.
    runtime: Option<Runtime>,
}

impl S3BlobStore {
    /// A store for `settings`; starts its health probe. Nothing is asked of the store yet, so
    /// an unreachable one does not stop start-up (it is reported as not healthy).
    pub fn connect(settings: &S3Settings) -> Result<S3BlobStore, String> {
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(1),
                base: 2.0,
            },
            max_retries: RETRIES,
            retry_timeout: RETRY_WITHIN,
        };
        let store = build(settings, REQUEST_TIMEOUT, CONNECT_TIMEOUT, retry)?;
        let once = RetryConfig {
            max_retries: 0,
            ..RetryConfig::default()
        };
        let probe = build(settings, PROBE_TIMEOUT, PROBE_TIMEOUT, once)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("vary-s3")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the object store's runtime: {e}"))?;
        let prefix = settings.location.prefix.clone();
        let healthy = Arc::new(AtomicBool::new(false));
        runtime.spawn(probe_forever(
            probe,
            object_path(&prefix, PROBE_KEY),
            healthy.clone(),
            settings.location.to_string(),
        ));
        Ok(S3BlobStore {
            store,
            prefix,
            healthy,
            runtime: Some(runtime),
        })
    }

    fn path(&self, key: &BlobKey) -> Path {
        object_path(&self.prefix, &key.name())
    }

    /// Runs `work` on the store's runtime and waits for it (callers are on blocking threads).
    fn wait<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, OsError>>,
    ) -> io::Result<T> {
        let runtime = self
            .runtime
            .as_ref()
            .expect("the runtime lives as long as the store");
        runtime.block_on(work).map_err(StoreUnavailable::io)
    }
}

impl BlobStore for S3BlobStore {
    fn put(&self, key: &BlobKey, bytes: &[u8]) -> io::Result<()> {
        let path = self.path(key);
        let payload = PutPayload::from(bytes.to_vec());
        self.wait(async {
            match self.store.head(&path).await {
                Ok(_) => return Ok(()),
                Err(OsError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
            // Only when the key is free (If-None-Match: *): the first write wins.
            match self
                .store
                .put_opts(&path, payload, PutMode::Create.into())
                .await
            {
                Ok(_) | Err(OsError::AlreadyExists { .. }) => Ok(()),
                Err(e) => Err(e),
            }
        })
    }

    fn get(&self, key: &BlobKey) -> io::Result<Option<Vec<u8>>> {
        let path = self.path(key);
        self.wait(async {
            match self.store.get(&path).await {
                Ok(found) => Ok(Some(found.bytes().await?.to_vec())),
                Err(OsError::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        })
    }

    fn exists(&self, key: &BlobKey) -> io::Result<bool> {
        let path = self.path(key);
        self.wait(async {
            match self.store.head(&path).await {
                Ok(_) => Ok(true),
                Err(OsError::NotFound { .. }) => Ok(false),
                Err(e) => Err(e),
            }
        })
    }

    fn healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }
}

impl Drop for S3BlobStore {
    fn drop(&mut self) {
        // Without waiting: the store may be dropped on an async thread, where waiting panics.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A client for `settings` with these timeouts and retries. Credentials, region and the other
/// `AWS_*` settings (a proxy, say) come from the environment; an error never holds them.
fn build(
    settings: &S3Settings,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryConfig,
) -> Result<AmazonS3, String> {
    let millis = |d: Duration| format!("{}ms", d.as_millis());
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(&settings.location.bucket)
        .with_config(
            AmazonS3ConfigKey::Client(ClientConfigKey::Timeout),
            millis(timeout),
        )
        .with_config(
            AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout),
            millis(connect_timeout),
        )
        .with_retry(retry);
    if let Some(endpoint) = &settings.endpoint {
        builder = builder
            .with_endpoint(endpoint)
            .with_virtual_hosted_style_request(false)
            .with_allow_http(endpoint.starts_with("http://"));
    }
    builder
        .build()
        .map_err(|e| format!("cannot use the object store {}: {e}", settings.location))
}

fn object_path(prefix: &str, name: &str) -> Path {
    if prefix.is_empty() {
        Path::from(name)
    } else {
        Path::from(format!("{prefix}/{name}"))
    }
}

/// Asks the store about [`PROBE_KEY`] every [`PROBE_EVERY`]; any answer (found or not) is
/// healthy, an error or no answer within [`PROBE_TIMEOUT`] is not. Logs each change.
async fn probe_forever(store: AmazonS3, path: Path, healthy: Arc<AtomicBool>, label: String) {
    let mut last: Option<bool> = None;
    loop {
        let answer = tokio::time::timeout(PROBE_TIMEOUT, store.head(&path)).await;
        let (ok, cause) = match answer {
            Ok(Ok(_) | Err(OsError::NotFound { .. })) => (true, String::new()),
            Ok(Err(e)) => (false, e.to_string()),
            Err(_) => (false, "no answer within the probe's timeout".to_owned()),
        };
        healthy.store(ok, Ordering::Relaxed);
        if last != Some(ok) {
            if ok {
                tracing::info!(store = %label, "the asset store answers");
            } else {
                tracing::warn!(store = %label, %cause, "the asset store is unavailable");
            }
            last = Some(ok);
        }
        tokio::time::sleep(PROBE_EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_parsed_strictly() {
        let at = |t: &str| t.parse::<S3Location>();
        assert_eq!(
            at("s3://assets/vary/prod/").unwrap(),
            S3Location {
                bucket: "assets".into(),
                prefix: "vary/prod".into()
            }
        );
        assert_eq!(at("s3://my.bucket-1").unwrap().prefix, "");
        for bad in [
            "",
            "assets",
            "s3:/assets",
            "file:///tmp",
            "s3://",
            "s3://ab",
            "s3://Assets/x",
            "s3://-assets",
            "s3://assets/a//b",
            "s3://assets/../x",
            "s3://assets/x?y=1",
            "s3://key:secret@assets/x",
            "s3://assets/a b",
        ] {
            assert!(at(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn endpoints_must_be_plain_http_urls() {
        assert_eq!(
            parse_endpoint("http://127.0.0.1:9000/").unwrap(),
            "http://127.0.0.1:9000"
        );
        assert!(parse_endpoint("https://s3.example.com").is_ok());
        for bad in [
            "127.0.0.1:9000",
            "ftp://x",
            "http://",
            "http://user:pw@host",
            "http://h?x=1",
        ] {
            assert!(parse_endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn object_names_sit_under_the_prefix() {
        let id = crate::assets::AssetId::of(b"a");
        let key = BlobKey::Original(id.clone());
        assert_eq!(
            object_path("vary/prod", &key.name()).as_ref(),
            format!("vary/prod/{id}/original")
        );
        assert_eq!(
            object_path("", &key.name()).as_ref(),
            format!("{id}/original")
        );
    }
}
