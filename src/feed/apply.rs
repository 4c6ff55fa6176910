//! Applying changes: a batch is coalesced into what it touches, and only that is rebuilt.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::usage_index;
use crate::auth::keyring::KeyRing;
use crate::auth::sessions::Accounts;
use crate::content::search_sync::{documents_of, sync_search_index};
use crate::delivery::Delivery;
use crate::error::{AppError, AppResult};
use crate::search::ContentIndex;
use crate::store::changes::{Change, LoggedChange};
use crate::store::{self, Db};
use crate::usage::UsageIndex;

/// What one batch of changes touches, each thing once.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    pub brands: BTreeSet<String>,
    pub variants: BTreeSet<String>,
    pub keys: BTreeSet<String>,
    pub users: BTreeSet<String>,
    /// What happened to the usage events, in the log's order: batches other nodes stored and
    /// deletions (every node's, this one's included). Order matters: a deletion reaches only
    /// the events indexed before it.
    pub usage: Vec<UsageChange>,
}

/// One change to the usage events a node's usage index must follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageChange {
    /// Events another node stored, by the change id naming their batch.
    Stored(i64),
    /// A person's events deleted: the brand and the hashed user key.
    Forgotten { brand: String, hash: String },
    /// A brand's events before an instant deleted.
    Expired {
        brand: String,
        before: chrono::DateTime<chrono::Utc>,
    },
}

impl ChangeSet {
    /// What `batch` touches on node `node` (whose own usage batches are indexed already).
    pub fn of(batch: &[LoggedChange], node: &str) -> ChangeSet {
        let mut set = ChangeSet::default();
        for logged in batch {
            match &logged.change {
                Some(Change::Brand(id)) => {
                    set.brands.insert(id.clone());
                }
                Some(Change::Variant(id)) => {
                    set.variants.insert(id.clone());
                }
                Some(Change::Key(id)) => {
                    set.keys.insert(id.clone());
                }
                Some(Change::User(id)) => {
                    set.users.insert(id.clone());
                }
                Some(Change::Usage(by)) if by != node => {
                    set.usage.push(UsageChange::Stored(logged.id))
                }
                Some(change @ Change::ForgetPerson(_)) => {
                    if let Some((brand, hash)) = change.forgotten_person() {
                        set.usage.push(UsageChange::Forgotten {
                            brand: brand.to_owned(),
                            hash: hash.to_owned(),
                        });
                    }
                }
                Some(change @ Change::ExpireUsage(_)) => {
                    if let Some((brand, before)) = change.expired_usage() {
                        set.usage.push(UsageChange::Expired {
                            brand: brand.to_owned(),
                            before,
                        });
                    }
                }
                Some(Change::Usage(_)) | None => {}
            }
        }
        set
    }
}

/// What a node derives from the database, and how each part is refreshed.
#[derive(Clone)]
pub struct Targets {
    pub db: Db,
    /// This process's id in the change log (its own usage batches are indexed as stored).
    pub node: String,
    pub delivery: Arc<Delivery>,
    pub keyring: Arc<KeyRing>,
    /// Every account, for checking sessions.
    pub accounts: Arc<Accounts>,
    /// The content index (none in processes that keep none).
    pub search: Option<Arc<ContentIndex>>,
    /// The usage index reports count from.
    pub usage: Option<Arc<UsageIndex>>,
}

impl Targets {
    /// Everything, from the database, as of change `position`: the key ring, every brand's
    /// snapshot, the content index reconciled by variant version, and the usage index checked
    /// against the events stored up to `position`.
    pub async fn rebuild_all(&self, position: i64) -> AppResult<()> {
        self.rebuild_served().await?;
        if let Some(index) = &self.usage {
            usage_index::rebuild_if_stale(&self.db, index, position).await?;
        }
        Ok(())
    }

    /// What requests are answered from: the key ring, the accounts, every brand's snapshot, and
    /// the content index reconciled by variant version.
    pub async fn rebuild_served(&self) -> AppResult<()> {
        let keys = self.db.read(store::keys::all).await?;
        self.keyring.load(&keys);
        let accounts = self.db.read(store::users::accounts).await?;
        self.accounts.load(&accounts);
        self.delivery.rebuild_all().await?;
        if let Some(index) = &self.search {
            sync_search_index(&self.db, index).await?;
        }
        Ok(())
    }

    /// Refreshes what `set` names. Brands' snapshots come first, so a key made for a new brand
    /// in the same batch never admits a request the snapshot cannot answer yet.
    pub async fn apply(&self, set: &ChangeSet) -> AppResult<()> {
        for brand in &set.brands {
            self.delivery.rebuild_brand(brand).await?;
        }
        if !set.brands.is_empty() || !set.variants.is_empty() {
            self.delivery.forget_latest();
        }
        if !set.keys.is_empty() {
            let ids: Vec<String> = set.keys.iter().cloned().collect();
            let records = self
                .db
                .read(move |conn| store::keys::by_ids(conn, &ids))
                .await?;
            self.keyring.update(&set.keys, &records);
        }
        if !set.users.is_empty() {
            let ids: Vec<String> = set.users.iter().cloned().collect();
            let records = self
                .db
                .read(move |conn| store::users::accounts_by_ids(conn, &ids))
                .await?;
            self.accounts.update(&set.users, &records);
        }
        if let (Some(index), false) = (&self.search, set.variants.is_empty()) {
            let ids: Vec<String> = set.variants.iter().cloned().collect();
            let (docs, missing) = self.db.read(move |conn| documents_of(conn, &ids)).await?;
            for doc in docs {
                index.upsert(doc).map_err(AppError::from)?;
            }
            for id in missing {
                index.delete(&id).map_err(AppError::from)?;
            }
        }
        if let (Some(index), false) = (&self.usage, set.usage.is_empty()) {
            usage_index::follow(&self.db, index, &set.usage).await?;
        }
        Ok(())
    }
}
