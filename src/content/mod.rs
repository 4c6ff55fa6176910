//! Authoring operations: the one layer under GraphQL, REST and the CLI that creates and changes
//! content, users and keys.
//!
//! Each operation authorizes the caller first (through [`Principal::authorize`]), checks its
//! input into domain types, and writes in one transaction together with its audit row and the
//! changes it makes to what nodes derive (`store::changes`, recorded last). After the commit and
//! before answering it has this node apply them ([`ChangeListener`], the change feed), so that
//! every request that starts after the answer sees the change; other nodes follow through the
//! feed.

pub mod accounts;
pub mod asset_metadata;
pub mod assets;
pub mod audiences;
pub mod audit;
pub mod brands;
pub mod checks;
pub mod content_types;
pub mod deletion;
pub mod entries;
pub mod experiments;
pub mod keys;
pub mod lookup;
pub mod model_changes;
pub mod privacy;
pub mod references;
pub mod reports;
pub mod retention;
pub mod review;
pub mod search;
pub mod search_sync;
pub mod usage;
pub mod users;
pub mod variants;
pub mod webhooks;
pub mod workflow;

use futures_util::future::BoxFuture;
use std::sync::Arc;

use crate::auth::keyring::KeyRing;
use crate::auth::ratelimit::LoginLimiter;
use crate::auth::sessions::Accounts;
use crate::auth::tokens::SessionTokens;
use crate::auth::Principal;
use crate::store::audit::AuditEvent;
use crate::store::Db;

/// Told after a transaction that recorded changes committed (implemented by `crate::feed`).
pub trait ChangeListener: Send + Sync {
    /// Applies every committed change on this node; resolves when done. Failures are logged
    /// (the change is committed; the feed's poller applies it later).
    fn committed(&self) -> BoxFuture<'_, ()>;
}

/// The authoring service: everything an operation needs, built once by `app`.
#[derive(Clone)]
pub struct Content {
    pub(crate) db: Db,
    pub(crate) tokens: SessionTokens,
    pub(crate) keyring: Arc<KeyRing>,
    /// Every account, for checking sessions without the database (kept by the change feed).
    pub(crate) accounts: Arc<Accounts>,
    pub(crate) limiter: Arc<LoginLimiter>,
    pub(crate) listener: Arc<dyn ChangeListener>,
    /// Woken after a transaction queued webhook deliveries.
    pub(crate) webhook_wake: Arc<tokio::sync::Notify>,
    pub(crate) webhooks_allow_private: bool,
    /// The content index, kept current after every variant change.
    pub(crate) search: Option<Arc<crate::search::ContentIndex>>,
    /// The usage index reports are counted from; the database when there is none.
    pub(crate) usage_index: Option<Arc<crate::usage::UsageIndex>>,
    /// How user keys are hashed when events are recorded: a person's events are found by it.
    pub(crate) user_keys: Option<crate::usage::UserKeyHasher>,
    /// The usage queue, flushed before a person's events are deleted so that none answered
    /// before stays behind.
    pub(crate) usage_queue: Option<Arc<crate::usage::UsageQueue>>,
}

impl Content {
    pub fn new(
        db: Db,
        tokens: SessionTokens,
        keyring: Arc<KeyRing>,
        accounts: Arc<Accounts>,
        limiter: Arc<LoginLimiter>,
        listener: Arc<dyn ChangeListener>,
    ) -> Self {
        Content {
            db,
            tokens,
            keyring,
            accounts,
            limiter,
            listener,
            webhook_wake: Arc::new(tokio::sync::Notify::new()),
            webhooks_allow_private: false,
            search: None,
            usage_index: None,
            user_keys: None,
            usage_queue: None,
        }
    }

    /// Where webhooks may point, and the signal the webhook sender waits on.
    pub fn with_webhooks(mut self, wake: Arc<tokio::sync::Notify>, allow_private: bool) -> Self {
        self.webhook_wake = wake;
        self.webhooks_allow_private = allow_private;
        self
    }

    pub fn tokens(&self) -> &SessionTokens {
        &self.tokens
    }

    pub fn keyring(&self) -> &KeyRing {
        &self.keyring
    }

    /// The key ring, shared (for what outlives a request, such as the CORS check).
    pub fn keyring_handle(&self) -> Arc<KeyRing> {
        self.keyring.clone()
    }

    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }
}

/// An audit event for `who` doing `action` on `target`.
pub(crate) fn audit_event(
    who: &Principal,
    action: &str,
    target: &str,
    brand: Option<&str>,
) -> AuditEvent {
    AuditEvent {
        actor: who.actor(),
        action: action.to_string(),
        target: target.to_string(),
        brand: brand.map(str::to_string),
        ..AuditEvent::default()
    }
}
