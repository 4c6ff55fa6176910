//! The composition root: builds configuration, database, services and schema once, and hands
//! them out explicitly. No global state.

use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::assets::{open_store, Assets};
use crate::auth::keyring::KeyRing;
use crate::auth::ratelimit::LoginLimiter;
use crate::auth::sessions::Accounts;
use crate::auth::tokens::{load_or_create_secret, SessionTokens};
use crate::config::Config;
use crate::content::assets::AssetLibrary;
use crate::content::Content;
use crate::delivery::usage::UsageRecorder;
use crate::delivery::Delivery;
use crate::feed::{ChangeFeed, Targets};
use crate::graphql::admission::AdmissionLimits;
use crate::graphql::parse_cache::DocumentCache;
use crate::graphql::typed::TypedSchemas;
use crate::graphql::{build_schema, Limits, VarySchema};
use crate::index_store;
use crate::metrics::Metrics;
use crate::search::{ContentIndex, SearchError, CONTENT_WRITER};
use crate::store::usage::DbUsageSink;
use crate::store::{self, Db};
use crate::usage::journal::JournalError;
use crate::usage::{
    self, Journal, JournalConfig, QueueConfig, UsageIndex, UsageQueue, UsageSink, UserKeyHasher,
    USAGE_WRITER,
};
use crate::webhooks::WebhookSender;

/// Everything a running Vary holds.
pub struct App {
    pub config: Config,
    pub db: Db,
    pub content: Arc<Content>,
    pub delivery: Arc<Delivery>,
    pub assets: Arc<AssetLibrary>,
    pub schema: VarySchema,
    /// Each brand's typed delivery schema, following its content types.
    pub typed: TypedSchemas,
    /// Parsed documents of the query texts apps send again and again.
    pub documents: DocumentCache,
    pub metrics: Arc<Metrics>,
    /// Usage events on their way to the database.
    pub usage: Arc<UsageQueue>,
    /// Where queued usage events wait until committed (none when another process holds it).
    pub journal: Option<Arc<Journal>>,
    /// The usage index reports are counted from (derived from the database).
    pub usage_index: Arc<UsageIndex>,
    /// The content index behind `search` and `searchContent`.
    pub search: Arc<ContentIndex>,
    /// This node's place in the change log.
    pub feed: Arc<ChangeFeed>,
    /// This process's id in the change log (random per start).
    pub node: String,
    /// This node's webhook sender, drained at shutdown.
    pub webhooks: Arc<WebhookSender>,
    ready: AtomicBool,
}

/// Where the content index lives.
pub fn search_dir(config: &Config) -> std::path::PathBuf {
    config.data_dir.join("search")
}

/// Opens the content index on disk; a missing, unreadable, outdated or broken one is recreated
/// empty (a broken one moved aside first, see `index_store`) and then rebuilt from the database.
/// Fails when another process holds it.
pub fn open_search_index(config: &Config) -> Result<ContentIndex, SearchError> {
    index_store::open_or_set_aside(
        &search_dir(config),
        "search",
        |dir| ContentIndex::open(dir, CONTENT_WRITER),
        SearchError::is_locked,
    )
}

/// The server's content index. When another process holds the one on disk (a second `vary` on
/// the same data dir, e.g. `vary user add` beside a running server), this one keeps its own in
/// memory.
fn content_index(config: &Config) -> anyhow::Result<ContentIndex> {
    match open_search_index(config) {
        Err(e) if e.is_locked() => {
            tracing::warn!(dir = %search_dir(config).display(), "the search index is in use by another process; keeping one in memory");
            ContentIndex::in_ram(CONTENT_WRITER)
                .map_err(|e| anyhow::anyhow!("cannot create a search index: {e}"))
        }
        other => other.map_err(|e| {
            anyhow::anyhow!(
                "cannot open the search index in {}: {e}",
                search_dir(config).display()
            )
        }),
    }
}

/// Where the usage index lives.
pub fn usage_index_dir(config: &Config) -> std::path::PathBuf {
    config.data_dir.join("usage-index")
}

/// Opens the usage index on disk (a missing, unreadable or broken one is recreated empty, a
/// broken one moved aside first). Fails when another process holds it.
pub fn open_usage_index(config: &Config) -> Result<UsageIndex, usage::index::IndexError> {
    index_store::open_or_set_aside(
        &usage_index_dir(config),
        "usage",
        |dir| UsageIndex::open(dir, USAGE_WRITER),
        usage::index::is_locked,
    )
}

/// The server's usage index; as with the content index, one in memory when another process
/// holds the one on disk.
fn usage_index(config: &Config) -> anyhow::Result<UsageIndex> {
    match open_usage_index(config) {
        Err(e) if usage::index::is_locked(&e) => {
            tracing::warn!(dir = %usage_index_dir(config).display(), "the usage index is in use by another process; keeping one in memory");
            UsageIndex::in_ram(USAGE_WRITER)
                .map_err(|e| anyhow::anyhow!("cannot create a usage index: {e}"))
        }
        other => other.map_err(|e| {
            anyhow::anyhow!(
                "cannot open the usage index in {}: {e}",
                usage_index_dir(config).display()
            )
        }),
    }
}

/// Where the usage journal lives.
pub fn usage_journal_dir(config: &Config) -> std::path::PathBuf {
    config.data_dir.join("usage-journal")
}

/// Events handed to the sink at once while the journal is replayed.
const REPLAY_BATCH: usize = 5_000;

/// Opens the usage journal and, before anything is served, stores what a previous process
/// journaled but may not have committed (it was killed). When another process on the same data
/// dir holds the journal (e.g. `vary user add` beside a server), this one runs without.
async fn usage_journal(
    config: &Config,
    sink: Arc<dyn UsageSink>,
) -> anyhow::Result<Option<Arc<Journal>>> {
    let dir = usage_journal_dir(config);
    let journal = match Journal::open(&dir, JournalConfig::default()) {
        Ok(journal) => Arc::new(journal),
        Err(JournalError::Locked(_)) => {
            tracing::warn!(dir = %dir.display(), "the usage journal is in use by another process; this one records usage without it");
            return Ok(None);
        }
        Err(e) => anyhow::bail!("cannot open the usage journal in {}: {e}", dir.display()),
    };
    let replaying = journal.clone();
    let replayed =
        tokio::task::spawn_blocking(move || replaying.replay(sink.as_ref(), REPLAY_BATCH))
            .await??;
    if replayed > 0 {
        tracing::info!(events = replayed, "replayed the usage journal");
    }
    if !config.usage_journal {
        tracing::warn!("the usage journal is off: a process killed with kill -9 loses the impressions and track events of its last moments");
        journal.close();
        return Ok(None);
    }
    Ok(Some(journal))
}

/// The secret sessions, `servedId`s and hashed user keys are signed with: the configured one;
/// else, on SQLite (one node), the one in `<data-dir>/jwt-secret`; else, on PostgreSQL, the one
/// every node shares in the database (a node's `jwt-secret` file, when it has one, is adopted by
/// the first node so that an upgraded deployment keeps its sessions).
async fn signing_secret(config: &Config, db: &Db) -> anyhow::Result<String> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(secret.0.clone());
    }
    if matches!(config.database, crate::config::DatabaseUrl::Sqlite(_)) {
        return load_or_create_secret(&config.data_dir);
    }
    let file = config.data_dir.join("jwt-secret");
    let candidate = if file.exists() {
        load_or_create_secret(&config.data_dir)?
    } else {
        crate::ids::random_token(64)
    };
    let db = db.clone();
    let secret = tokio::task::spawn_blocking(move || {
        db.read_blocking(|conn| store::secrets::get_or_insert(conn, "jwt", &candidate))
    })
    .await??;
    Ok(secret)
}

/// How user keys are hashed when usage is recorded, from the deployment's signing secret: the
/// same in every node and in the command line's `vary usage forget`.
pub async fn user_key_hasher(config: &Config, db: &Db) -> anyhow::Result<UserKeyHasher> {
    let secret = signing_secret(config, db).await?;
    Ok(hasher_of(&secret))
}

fn hasher_of(secret: &str) -> UserKeyHasher {
    UserKeyHasher::new(&Sha256::digest(
        format!("vary user-key hash\n{secret}").as_bytes(),
    ))
}

/// Opens the database (creating the data dir) and applies pending migrations.
pub fn open_database(config: &Config) -> anyhow::Result<Db> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        anyhow::anyhow!("cannot create data dir {}: {e}", config.data_dir.display())
    })?;
    let db = Db::connect(&config.database, config.db_pool_size)?;
    let applied = db.migrate()?;
    if !applied.is_empty() {
        tracing::info!(
            count = applied.len(),
            backend = db.backend(),
            "applied migrations"
        );
    }
    Ok(db)
}

/// The asset library: blobs in the data dir or the object store (see `assets::open_store`), rows
/// in the database.
fn asset_library(config: &Config, db: &Db) -> anyhow::Result<AssetLibrary> {
    let store = open_store(
        config.asset_store.as_ref(),
        &config.data_dir,
        config.asset_cache_bytes,
    )?;
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = if config.asset_workers == 0 {
        (cpus / 2).max(1)
    } else {
        config.asset_workers
    };
    Ok(AssetLibrary::new(
        db.clone(),
        Assets::new(store, config.asset_limits, workers),
    ))
}

/// The GraphQL schema, the typed delivery schemas and the parse cache, with the configured
/// limits.
fn schemas(
    config: &Config,
    content: &Arc<Content>,
    delivery: &Arc<Delivery>,
    assets: &Arc<AssetLibrary>,
) -> (VarySchema, TypedSchemas, DocumentCache) {
    let limits = Limits {
        max_depth: config.graphql_max_depth,
        max_complexity: config.graphql_max_complexity,
    };
    let schema = build_schema(content.clone(), delivery.clone(), assets.clone(), limits);
    let typed = TypedSchemas::new(delivery.clone(), limits);
    let admission = AdmissionLimits {
        max_selections: config.graphql_max_selections as u64,
        max_answers: config.graphql_max_answers as u64,
    };
    (schema, typed, DocumentCache::new(1024, admission))
}

/// The usage pipeline: the index reports are counted from, the journal (replayed before
/// anything is served) and the queue in front of the database.
struct UsagePipeline {
    index: Arc<UsageIndex>,
    journal: Option<Arc<Journal>>,
    queue: Arc<UsageQueue>,
}

async fn usage_pipeline(config: &Config, db: &Db, node: &str) -> anyhow::Result<UsagePipeline> {
    let index = Arc::new(usage_index(config)?);
    let sink: Arc<dyn UsageSink> =
        Arc::new(DbUsageSink::new(db.clone(), Some(index.clone()), node));
    let journal = usage_journal(config, sink.clone()).await?;
    let queue = Arc::new(match &journal {
        Some(journal) => UsageQueue::start_journaled(sink, QueueConfig::default(), journal.clone()),
        None => UsageQueue::start(sink, QueueConfig::default()),
    });
    Ok(UsagePipeline {
        index,
        journal,
        queue,
    })
}

/// Delivery over the database and the content index, recording usage unless configured off.
fn delivery(
    config: &Config,
    db: &Db,
    secret: &str,
    search: &Arc<ContentIndex>,
    usage: &Arc<UsageQueue>,
) -> Arc<Delivery> {
    let served_key = Sha256::digest(format!("vary served-id key\n{secret}").as_bytes());
    let mut delivery = Delivery::new(db.clone(), &served_key).with_search(search.clone());
    if config.usage_recording {
        delivery = delivery.with_usage(UsageRecorder {
            queue: usage.clone(),
            hasher: hasher_of(secret),
        });
    } else {
        tracing::warn!(
            "usage recording is off: delivery answers record no impressions and carry no servedId"
        );
    }
    Arc::new(delivery)
}

/// Starts what runs beside the requests: the webhook sender, the key-use flusher, the bootstrap
/// admin, the change feed (caught up before anything is served) with its poller and listener,
/// usage retention and the bandit refresh.
async fn start_background(
    config: &Config,
    content: &Arc<Content>,
    delivery: &Arc<Delivery>,
    feed: &Arc<ChangeFeed>,
    sender: &Arc<WebhookSender>,
) -> anyhow::Result<()> {
    tokio::spawn(sender.clone().run());
    tokio::spawn(crate::content::keys::run_key_use_flusher(content.clone()));
    if let Some(admin) = &config.bootstrap_admin {
        if content
            .bootstrap_admin(&admin.email, &admin.password)
            .await?
        {
            tracing::info!(email = %admin.email, "created the bootstrap admin");
        }
    }
    feed.start().await?;
    ChangeFeed::spawn_poller(feed);
    content.spawn_usage_retention();
    delivery.spawn_bandit_refresh();
    if let crate::config::DatabaseUrl::Postgres(url) = &config.database {
        crate::feed::listen::spawn(url.clone(), feed);
    }
    Ok(())
}

impl App {
    /// Builds every service: migrates, loads keys, compiles the delivery snapshot, creates
    /// the bootstrap admin when configured.
    pub async fn build(config: Config) -> anyhow::Result<App> {
        let db = {
            let config = config.clone();
            tokio::task::spawn_blocking(move || open_database(&config)).await??
        };
        let secret = signing_secret(&config, &db).await?;
        let node = crate::ids::random_token(16);
        let usage = usage_pipeline(&config, &db, &node).await?;
        let search = Arc::new(content_index(&config)?);
        let delivery = delivery(&config, &db, &secret, &search, &usage.queue);
        let keyring = Arc::new(KeyRing::default());
        let accounts = Arc::new(Accounts::default());
        let feed = Arc::new(ChangeFeed::new(
            db.clone(),
            Targets {
                db: db.clone(),
                node: node.clone(),
                delivery: delivery.clone(),
                keyring: keyring.clone(),
                accounts: accounts.clone(),
                search: Some(search.clone()),
                usage: Some(usage.index.clone()),
            },
        ));
        let webhook_wake = Arc::new(tokio::sync::Notify::new());
        let content = Arc::new(
            Content::new(
                db.clone(),
                SessionTokens::new(secret.as_bytes(), config.session_ttl_secs),
                keyring,
                accounts,
                Arc::new(LoginLimiter::new(config.login_throttle)),
                feed.clone(),
            )
            .with_webhooks(webhook_wake.clone(), config.webhooks_allow_private)
            .with_search(search.clone())
            .with_usage_index(usage.index.clone())
            .with_user_keys(hasher_of(&secret))
            .with_usage_queue(usage.queue.clone()),
        );
        let sender = Arc::new(WebhookSender::new(
            db.clone(),
            webhook_wake,
            config.webhooks_allow_private,
        ));
        start_background(&config, &content, &delivery, &feed, &sender).await?;
        let assets = Arc::new(asset_library(&config, &db)?);
        let (schema, typed, documents) = schemas(&config, &content, &delivery, &assets);
        Ok(App {
            config,
            db,
            content,
            delivery,
            assets,
            schema,
            typed,
            documents,
            metrics: Arc::new(Metrics::new()),
            usage: usage.queue,
            journal: usage.journal,
            usage_index: usage.index,
            search,
            feed,
            node,
            webhooks: sender,
            ready: AtomicBool::new(true),
        })
    }

    /// Whether start-up finished (migrations, bootstrap admin, snapshot), the node is not
    /// shutting down, and it is at most [`crate::feed::MAX_LAG`] behind the change log.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire) && self.feed.is_current()
    }

    /// Marks the app as not ready, e.g. while shutting down.
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Release);
    }

    /// After the server stopped taking requests: lets the webhook sends under way finish and
    /// be recorded (claiming no more), writes every queued usage event (then empties the journal
    /// of them) and commits the search index.
    pub async fn shutdown(&self) {
        self.set_ready(false);
        let within = crate::webhooks::SEND_TIMEOUT + std::time::Duration::from_secs(5);
        if !self.webhooks.drain(within).await {
            tracing::warn!(
                "webhook sends still under way at shutdown; their claims lapse with the lease"
            );
        }
        if let Err(e) = self.content.flush_key_uses().await {
            tracing::warn!(error = %e.message, "could not record when delivery keys were used");
        }
        self.usage.shutdown().await;
        if let Some(journal) = self.journal.clone() {
            let _ = tokio::task::spawn_blocking(move || journal.close()).await;
        }
        let index = self.usage_index.clone();
        match tokio::task::spawn_blocking(move || index.shutdown()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not commit the usage index on shutdown")
            }
            Err(e) => tracing::warn!(error = %e, "the usage index shutdown panicked"),
        }
        if let Err(e) = self.search.shutdown().await {
            tracing::warn!(error = %e, "could not commit the search index on shutdown");
        }
    }
}
