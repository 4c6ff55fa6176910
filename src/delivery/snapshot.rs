//! The published state of every brand, compiled for resolution.
//!
//! A [`Snapshot`] is immutable: rules are parsed and compiled once, when it is built, and
//! requests only read it. Changes build a new brand snapshot and swap the whole map atomically,
//! so a request sees either the old state or the new one, never a mix, and never waits for a
//! writer.

use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::domain::asset::Asset;
use crate::domain::brand::Brand;
use crate::domain::device::Device;
use crate::domain::resolution::{rank_order, Candidate};
use crate::domain::rule::Rule;
use crate::domain::entry::Entry;
use crate::domain::variant::{Revision, VariantRecord};

/// A variant's published revision, ready to resolve and to deliver.
#[derive(Debug)]
pub struct LiveVariant {
    pub id: String,
    pub name: String,
    pub revision: String,
    pub fields: Value,
    pub tags: Vec<String>,
    /// Shared by every variant of the build whose rule is the same (see [`RuleCache`]).
    pub rule: Option<Arc<Rule>>,
    pub devices: Vec<Device>,
    pub locale: Option<String>,
    pub priority: i32,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub quality: f64,
    pub created_at: DateTime<Utc>,
    /// The ASSET fields that are set: (field name, asset id).
    pub assets: Vec<(String, String)>,
}

impl LiveVariant {
    /// Compiles a published revision (taking it apart rather than copying); a stored rule that
    /// no longer parses (which saving prevents) makes the variant unservable rather than serving
    /// it to everyone.
    pub fn compile(revision: Revision, created_at: DateTime<Utc>, rules: &mut RuleCache, asset_fields: &[String]) -> Option<LiveVariant> {
        let c = revision.content;
        let assets = asset_fields
            .iter()
            .filter_map(|name| c.fields.get(name).and_then(|v| v.as_str()).map(|id| (name.clone(), id.to_string())))
            .collect();
        let rule = match &c.rule {
            None => None,
            Some(json) => match rules.compile(json) {
                Ok(rule) => rule,
                Err(e) => {
                    tracing::error!(variant = %revision.variant_id, error = %e, "stored rule does not parse; not serving");
                    return None;
                }
            },
        };
        Some(LiveVariant {
            id: revision.variant_id,
            name: c.name,
            revision: revision.hash,
            fields: c.fields,
            tags: c.tags,
            rule,
            devices: c.devices,
            locale: c.locale,
            priority: c.priority,
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            quality: revision.quality.score,
            created_at,
            assets,
        })
    }

    pub fn candidate(&self) -> Candidate<'_> {
        Candidate {
            id: &self.id,
            name: &self.name,
            priority: self.priority,
            rule: self.rule.as_deref(),
            devices: &self.devices,
            locale: self.locale.as_deref(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            quality: self.quality,
            created_at: self.created_at,
            published: true,
            archived: false,
        }
    }
}

/// Compiled rules by their JSON, for one build: audiences are reused across many entries (the
/// same segment, the same tier), and each distinct rule is compiled and held once. Rules are
/// looked up by a structural hash of the JSON and compared by value, so a lookup neither
/// serialises nor allocates.
#[derive(Default)]
pub struct RuleCache {
    /// By the structural hash (already a hash: Fx only spreads it).
    compiled: rustc_hash::FxHashMap<u64, Vec<(Value, Option<Arc<Rule>>)>>,
}

impl RuleCache {
    pub fn compile(&mut self, json: &Value) -> Result<Option<Arc<Rule>>, crate::domain::rule::RuleError> {
        // Fx: the cache is built from our own stored rules, so speed beats flood resistance.
        let mut hasher = rustc_hash::FxHasher::default();
        hash_json(json, &mut hasher);
        let bucket = self.compiled.entry(hasher.finish()).or_default();
        if let Some((_, rule)) = bucket.iter().find(|(seen, _)| seen == json) {
            return Ok(rule.clone());
        }
        let rule = Rule::parse(json)?.map(Arc::new);
        bucket.push((json.clone(), rule.clone()));
        Ok(rule)
    }
}

/// Feeds a JSON value's structure to `state`: equal values hash equally (object keys in their
/// stored order, which `serde_json` keeps sorted).
fn hash_json<H: Hasher>(value: &Value, state: &mut H) {
    match value {
        Value::Null => state.write_u8(0),
        Value::Bool(b) => {
            state.write_u8(1);
            b.hash(state);
        }
        Value::Number(n) => {
            state.write_u8(2);
            match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => u.hash(state),
                (None, Some(i), _) => i.hash(state),
                (None, None, f) => f.map(f64::to_bits).hash(state),
            }
        }
        Value::String(text) => {
            state.write_u8(3);
            text.hash(state);
        }
        Value::Array(items) => {
            state.write_u8(4);
            state.write_usize(items.len());
            items.iter().for_each(|item| hash_json(item, state));
        }
        Value::Object(map) => {
            state.write_u8(5);
            state.write_usize(map.len());
            for (key, item) in map {
                key.hash(state);
                hash_json(item, state);
            }
        }
    }
}

#[derive(Debug)]
pub struct EntrySnapshot {
    pub id: String,
    pub key: String,
    pub variants: Vec<LiveVariant>,
}

#[derive(Debug)]
pub struct BrandSnapshot {
    pub brand: Brand,
    pub entries: HashMap<String, EntrySnapshot>,
    /// The assets published variants show, by id.
    pub assets: HashMap<String, Asset>,
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
        published: Vec<(VariantRecord, Revision)>,
        asset_fields: &AssetFields,
        assets: Vec<Asset>,
    ) -> BrandSnapshot {
        // Built per rebuild from our own ids: Fx hashing (no flood resistance needed) is faster.
        let mut by_id: rustc_hash::FxHashMap<String, (EntrySnapshot, String)> = entries
            .into_iter()
            .map(|e| (e.id.clone(), (EntrySnapshot { id: e.id, key: e.key, variants: Vec::new() }, e.content_type_id)))
            .collect();
        let mut rules = RuleCache::default();
        for (record, revision) in published {
            if let Some((entry, content_type)) = by_id.get_mut(&record.entry_id) {
                let fields = asset_fields.get(content_type.as_str()).map_or(&[][..], Vec::as_slice);
                entry.variants.extend(LiveVariant::compile(revision, record.created_at, &mut rules, fields));
            }
        }
        let entries = by_id
            .into_values()
            .map(|(mut entry, _)| {
                entry.variants.sort_by(|a, b| rank_order(&a.candidate(), &b.candidate()));
                (entry.key.clone(), entry)
            })
            .collect();
        let assets = assets.into_iter().map(|a| (a.id.clone(), a)).collect();
        BrandSnapshot { brand, entries, assets }
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
        let rule = |tier: i64| json!({"all": [{"attr": "segment", "op": "in", "value": ["skier"]}, {"attr": "tier", "op": "gte", "value": tier}]});
        let first = cache.compile(&rule(3)).unwrap().unwrap();
        let again = cache.compile(&rule(3)).unwrap().unwrap();
        let other = cache.compile(&rule(4)).unwrap().unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert!(!Arc::ptr_eq(&first, &other));
        assert!(cache.compile(&Value::Null).unwrap().is_none());
        assert!(cache.compile(&json!({"attr": "x", "op": "nope", "value": 1})).is_err());
        let float = cache.compile(&json!({"attr": "score", "op": "gt", "value": 0.5})).unwrap().unwrap();
        let int = cache.compile(&json!({"attr": "score", "op": "gt", "value": 1})).unwrap().unwrap();
        assert!(!Arc::ptr_eq(&float, &int));
    }
}
