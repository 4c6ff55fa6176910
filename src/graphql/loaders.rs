//! DataLoaders, so that a list of entries with their variants, brands and content types costs a
//! bounded number of queries. One set is made per request, each loader when first asked for (a
//! delivery request never needs one); callers only reach ids they were already allowed to see.
//! Each loader calls one `content` operation (`content::lookup`, `Content::variants_of_entries`).

use async_graphql::dataloader::{DataLoader, Loader};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::content::Content;
use crate::domain::brand::Brand;
use crate::domain::content_type::ContentType;
use crate::domain::entry::Entry;
use crate::domain::variant::Variant;
use crate::error::AppError;

/// One request's loaders.
pub struct Loaders {
    content: Arc<Content>,
    variants_by_entry: OnceLock<DataLoader<VariantsByEntry>>,
    brand_by_id: OnceLock<DataLoader<BrandById>>,
    content_type_by_id: OnceLock<DataLoader<ContentTypeById>>,
    entry_by_id: OnceLock<DataLoader<EntryById>>,
}

impl Loaders {
    pub fn new(content: Arc<Content>) -> Self {
        Loaders {
            content,
            variants_by_entry: OnceLock::new(),
            brand_by_id: OnceLock::new(),
            content_type_by_id: OnceLock::new(),
            entry_by_id: OnceLock::new(),
        }
    }

    pub fn variants_by_entry(&self) -> &DataLoader<VariantsByEntry> {
        self.variants_by_entry
            .get_or_init(|| DataLoader::new(VariantsByEntry(self.content.clone()), tokio::spawn))
    }

    pub fn brand_by_id(&self) -> &DataLoader<BrandById> {
        self.brand_by_id
            .get_or_init(|| DataLoader::new(BrandById(self.content.clone()), tokio::spawn))
    }

    pub fn content_type_by_id(&self) -> &DataLoader<ContentTypeById> {
        self.content_type_by_id
            .get_or_init(|| DataLoader::new(ContentTypeById(self.content.clone()), tokio::spawn))
    }

    pub fn entry_by_id(&self) -> &DataLoader<EntryById> {
        self.entry_by_id
            .get_or_init(|| DataLoader::new(EntryById(self.content.clone()), tokio::spawn))
    }
}

pub struct VariantsByEntry(pub Arc<Content>);
pub struct BrandById(pub Arc<Content>);
pub struct ContentTypeById(pub Arc<Content>);
pub struct EntryById(pub Arc<Content>);

impl Loader<String> for VariantsByEntry {
    type Value = Vec<Variant>;
    type Error = AppError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Vec<Variant>>, AppError> {
        let variants = self.0.variants_of_entries(keys.to_vec()).await?;
        let mut map: HashMap<String, Vec<Variant>> = HashMap::new();
        for v in variants {
            map.entry(v.record.entry_id.clone()).or_default().push(v);
        }
        Ok(map)
    }
}

impl Loader<String> for BrandById {
    type Value = Brand;
    type Error = AppError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Brand>, AppError> {
        let list = self.0.brands_by_ids(keys.to_vec()).await?;
        Ok(list.into_iter().map(|b| (b.id.clone(), b)).collect())
    }
}

impl Loader<String> for ContentTypeById {
    type Value = ContentType;
    type Error = AppError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, ContentType>, AppError> {
        let list = self.0.content_types_by_ids(keys.to_vec()).await?;
        Ok(list.into_iter().map(|c| (c.id.clone(), c)).collect())
    }
}

impl Loader<String> for EntryById {
    type Value = Entry;
    type Error = AppError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Entry>, AppError> {
        let list = self.0.entries_by_ids(keys.to_vec()).await?;
        Ok(list.into_iter().map(|e| (e.id.clone(), e)).collect())
    }
}
