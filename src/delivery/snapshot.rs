//! The published state of every brand, compiled for resolution.
//!
//! A [`Snapshot`] is immutable: rules are parsed and compiled once, when it is built, and
//! requests only read it. Changes build a new brand snapshot and swap the whole map atomically,
//! so a request sees either the old state or the new one, never a mix, and never waits for a
//! writer.

use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

use super::delivered::DeliveredContent;
use super::delivered_assets::images;
use crate::domain::asset::Asset;
use crate::domain::audience::AudienceRules;
use crate::domain::brand::Brand;
use crate::domain::entry::Entry;
use crate::domain::resolution::{rank_order, Candidate};
use crate::domain::rule::Rule;
use crate::domain::targeting::{Standing, Targeting};
use crate::domain::variant::PublishedVariant;
use crate::usage::ServedVariant;

/// A variant's published revision, ready to resolve and to deliver.
#[derive(Debug)]
pub struct LiveVariant {
    pub id: String,
    pub name: String,
    /// What an answer serving it delivers, built once (see `delivery::delivered`).
    pub delivered: Arc<DeliveredContent>,
    /// The rule is shared by every variant of the build whose rule is the same (see
    /// [`RuleCache`]).
    pub targeting: Targeting,
    pub quality: f64,
    pub created_at: DateTime<Utc>,
    /// The ASSET fields that are set: (field name, asset id).
    pub assets: Vec<(String, String)>,
    /// What an impression of this revision records; built once, shared by every impression.
    pub served: Arc<ServedVariant>,
}

/// Where a variant is served: its brand's slug and its entry's key.
#[derive(Debug, Clone, Copy)]
pub struct ServedIn<'a> {
    pub brand: &'a str,
    pub entry_key: &'a str,
}

impl LiveVariant {
    /// Compiles a published variant (taking it apart rather than copying); a stored rule that
    /// no longer parses (which saving prevents) makes the variant unservable rather than serving
    /// it to everyone.
    pub fn compile(
        p: PublishedVariant,
        rules: &mut RuleCache,
        asset_fields: &[String],
        served_in: ServedIn<'_>,
    ) -> Option<LiveVariant> {
        // A list field's images in order, each under the field's name.
        let assets = asset_fields
            .iter()
            .flat_map(|name| {
                let ids = match p.fields.get(name) {
                    Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
                    Some(v) => v.as_str().into_iter().collect(),
                    None => Vec::new(),
                };
                ids.into_iter()
                    .map(move |id| (name.clone(), id.to_string()))
            })
            .collect();
        let targeting = match p.targeting.try_map_rule(|text| rules.compile(text)) {
            Ok(targeting) => targeting,
            Err(e) => {
                tracing::error!(variant = %p.id, error = %e, "stored rule does not parse; not serving");
                return None;
            }
        };
        let served = Arc::new(ServedVariant {
            brand: served_in.brand.to_string(),
            entry_id: p.entry_id,
            entry_key: served_in.entry_key.to_string(),
            variant_id: p.id.clone(),
            variant_name: p.name.clone(),
            revision: p.revision.clone(),
            ..ServedVariant::default()
        });
        let delivered =
            DeliveredContent::new(p.id.clone(), p.name.clone(), p.fields, p.tags, p.revision);
        Some(LiveVariant {
            id: p.id,
            name: p.name,
            delivered: Arc::new(delivered),
            targeting,
            quality: p.quality,
            created_at: p.created_at,
            assets,
            served,
        })
    }

    /// Sizes the variant's images for every device from the brand's assets, once per build.
    fn size_images(&mut self, assets: &HashMap<String, Asset>) {
        let images = images(&self.assets, assets);
        Arc::make_mut(&mut self.delivered).images = images;
    }

    pub fn candidate(&self) -> Candidate<'_> {
        let standing = Standing {
            quality: self.quality,
            created_at: self.created_at,
            published: true,
            archived: false,
        };
        self.targeting.candidate(&self.id, &self.name, standing)
    }
}

/// Compiled rules by their stored JSON text, for one build: audiences are reused across many
/// entries (the same segment, the same tier), and each distinct rule is parsed, compiled and held
/// once. A rule seen before costs one hash of its text and no allocation.
#[derive(Default)]
pub struct RuleCache {
    // Fx: the cache is built from our own stored rules, so speed beats flood resistance.
    compiled: rustc_hash::FxHashMap<String, Option<Arc<Rule>>>,
    /// The brand's audiences, inlined into the rules that name them.
    audiences: AudienceRules,
}

/// Why a stored rule could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum StoredRuleError {
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Rule(#[from] crate::domain::rule::RuleError),
}

impl RuleCache {
    /// A cache for rules that may name these audiences.
    pub fn with_audiences(audiences: AudienceRules) -> RuleCache {
        RuleCache {
            compiled: Default::default(),
            audiences,
        }
    }

    pub fn compile(&mut self, text: String) -> Result<Option<Arc<Rule>>, StoredRuleError> {
        if let Some(rule) = self.compiled.get(text.as_str()) {
            return Ok(rule.clone());
        }
        let json: Value = serde_json::from_str(&text)?;
        let rule = Rule::parse_with(&json, &self.audiences)?.map(Arc::new);
        self.compiled.insert(text, rule.clone());
        Ok(rule)
    }
}

#[derive(Debug)]
pub struct EntrySnapshot {
    pub id: String,
    pub key: String,
    pub variants: Vec<LiveVariant>,
    /// The entry's RUNNING experiment, if any (see `delivery::experiments`).
    pub experiment: Option<Arc<super::experiments::EntryExperiment>>,
}

#[derive(Debug)]
pub struct BrandSnapshot {
    pub brand: Brand,
    pub entries: HashMap<String, EntrySnapshot>,
    /// What each published variant references (see `delivery::references`).
    pub references: super::references::ReferenceIndex,
    /// The brand's content types, and each entry's (key → content type id), for typed delivery.
    pub content_types: Arc<[crate::domain::content_type::ContentType]>,
    pub entry_types: HashMap<String, String>,
}

/// The names of each content type's ASSET fields, by content type id.
pub type AssetFields = HashMap<String, Vec<String>>;

impl BrandSnapshot {
    /// Compiles a brand's entries and published revisions (pure: no I/O).
    /// Each entry's variants are kept in serving order ([`rank_order`]), which lets resolution
    /// stop at the first eligible one.
    pub fn compile(
        brand: Brand,
        entries: Vec<Entry>,
        published: Vec<PublishedVariant>,
        asset_fields: &AssetFields,
        assets: Vec<Asset>,
        audiences: AudienceRules,
    ) -> BrandSnapshot {
        // Built per rebuild from our own ids: Fx hashing (no flood resistance needed) is faster.
        let mut by_id: rustc_hash::FxHashMap<String, (EntrySnapshot, String)> = entries
            .into_iter()
            .map(|e| {
                (
                    e.id.clone(),
                    (
                        EntrySnapshot {
                            id: e.id,
                            key: e.key,
                            variants: Vec::new(),
                            experiment: None,
                        },
                        e.content_type_id,
                    ),
                )
            })
            .collect();
        let mut rules = RuleCache::with_audiences(audiences);
        let assets: HashMap<String, Asset> =
            assets.into_iter().map(|a| (a.id.clone(), a)).collect();
        for variant in published {
            if let Some((entry, content_type)) = by_id.get_mut(&variant.entry_id) {
                let fields = asset_fields
                    .get(content_type.as_str())
                    .map_or(&[][..], Vec::as_slice);
                let served_in = ServedIn {
                    brand: &brand.slug,
                    entry_key: &entry.key,
                };
                let mut live = LiveVariant::compile(variant, &mut rules, fields, served_in);
                if let Some(live) = &mut live {
                    live.size_images(&assets);
                }
                entry.variants.extend(live);
            }
        }
        let entries = by_id
            .into_values()
            .map(|(mut entry, _)| {
                entry
                    .variants
                    .sort_by(|a, b| rank_order(&a.candidate(), &b.candidate()));
                (entry.key.clone(), entry)
            })
            .collect();
        BrandSnapshot {
            brand,
            entries,
            references: Default::default(),
            content_types: Arc::new([]),
            entry_types: HashMap::new(),
        }
    }

    pub fn variant_count(&self) -> usize {
        self.entries.values().map(|e| e.variants.len()).sum()
    }
}

/// Every brand's published state, by slug.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    pub brands: HashMap<String, Arc<BrandSnapshot>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_rules_are_compiled_once_and_different_ones_apart() {
        let mut cache = RuleCache::default();
        let rule = |tier: i64| {
            json!({"all": [{"attr": "segment", "op": "in", "value": ["skier"]}, {"attr": "tier", "op": "gte", "value": tier}]}).to_string()
        };
        let first = cache.compile(rule(3)).unwrap().unwrap();
        let again = cache.compile(rule(3)).unwrap().unwrap();
        let other = cache.compile(rule(4)).unwrap().unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert!(!Arc::ptr_eq(&first, &other));
        assert!(cache.compile("null".into()).unwrap().is_none());
        assert!(matches!(
            cache.compile(r#"{"attr": "x", "op": "nope", "value": 1}"#.into()),
            Err(StoredRuleError::Rule(_))
        ));
        assert!(matches!(
            cache.compile("{not json".into()),
            Err(StoredRuleError::Json(_))
        ));
        let float = cache
            .compile(r#"{"attr": "score", "op": "gt", "value": 0.5}"#.into())
            .unwrap()
            .unwrap();
        let int = cache
            .compile(r#"{"attr": "score", "op": "gt", "value": 1}"#.into())
            .unwrap()
            .unwrap();
        assert!(!Arc::ptr_eq(&float, &int));
    }
}
