//! Applying changes: a batch is coalesced into what it touches, and only that is rebuilt.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::auth::keyring::KeyRing;
use crate::content::search_sync::{documents_of, sync_search_index};
use crate::delivery::Delivery;
use crate::error::{AppError, AppResult};
use crate::search::ContentIndex;
use crate::store::changes::{Change, LoggedChange};
use crate::store::{self, Db};

/// What one batch of changes touches, each thing once.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    pub brands: BTreeSet<String>,
    pub variants: BTreeSet<String>,
    pub keys: BTreeSet<String>,
}

impl ChangeSet {
    pub fn of(batch: &[LoggedChange]) -> ChangeSet {
        let mut set = ChangeSet::default();
        for change in batch.iter().filter_map(|c| c.change.as_ref()) {
            match change {
                Change::Brand(id) => set.brands.insert(id.clone()),
                Change::Variant(id) => set.variants.insert(id.clone()),
                Change::Key(id) => set.keys.insert(id.clone()),
            };
        }
        set
    }
}

/// What a node derives from the database, and how each part is refreshed.
#[derive(Clone)]
pub struct Targets {
    pub db: Db,
    pub delivery: Arc<Delivery>,
    pub keyring: Arc<KeyRing>,
    /// The content index (none in processes that keep none).
    pub search: Option<Arc<ContentIndex>>,
}

impl Targets {
    /// Everything, from the database: the key ring, every brand's snapshot, and the content
    /// index reconciled by variant version.
    pub async fn rebuild_all(&self) -> AppResult<()> {
        let keys = self.db.read(store::keys::all).await?;
        self.keyring.load(&keys);
        self.delivery.rebuild_all().await?;
        if let Some(index) = &self.search {
            sync_search_index(&self.db, index).await?;
        }
        Ok(())
    }

    /// Refreshes what `set` names.
    pub async fn apply(&self, set: &ChangeSet) -> AppResult<()> {
        if !set.keys.is_empty() {
            let ids: Vec<String> = set.keys.iter().cloned().collect();
            let records = self
                .db
                .read(move |conn| store::keys::by_ids(conn, &ids))
                .await?;
            self.keyring.update(&set.keys, &records);
        }
        for brand in &set.brands {
            self.delivery.rebuild_brand(brand).await?;
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
        Ok(())
    }
}
