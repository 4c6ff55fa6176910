//! Variants and their revisions.
//!
//! A variant's content ([`VariantContent`]) is saved as immutable revisions. A revision's id is a
//! SHA-256 over the variant, the revision's sequence number, its parent revision and its content in
//! canonical JSON: it proves exactly what was served, and a rollback to old content still makes a
//! new, distinct revision.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::str::FromStr;

use super::device::Device;
use super::targeting::{Standing, Targeting};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VariantStatus {
    Draft,
    InReview,
    Approved,
    Published,
    Archived,
}

impl VariantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VariantStatus::Draft => "DRAFT",
            VariantStatus::InReview => "IN_REVIEW",
            VariantStatus::Approved => "APPROVED",
            VariantStatus::Published => "PUBLISHED",
            VariantStatus::Archived => "ARCHIVED",
        }
    }
}

impl FromStr for VariantStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "DRAFT" => Ok(VariantStatus::Draft),
            "IN_REVIEW" => Ok(VariantStatus::InReview),
            "APPROVED" => Ok(VariantStatus::Approved),
            "PUBLISHED" => Ok(VariantStatus::Published),
            "ARCHIVED" => Ok(VariantStatus::Archived),
            other => Err(format!("unknown variant status `{other}`")),
        }
    }
}

/// What an editor writes: everything a revision holds. The targeting settings are kept flat, as
/// written (the rule as JSON), and read as one value through [`VariantContent::targeting`].
#[derive(Debug, Clone, PartialEq)]
pub struct VariantContent {
    pub name: String,
    pub fields: Value,
    pub tags: Vec<String>,
    pub rule: Option<Value>,
    pub devices: Vec<Device>,
    pub locale: Option<String>,
    pub priority: i32,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
}

pub const MAX_TAGS: usize = 50;
pub const MAX_PRIORITY: i32 = 1_000_000;

impl VariantContent {
    /// Checks what does not depend on the content type or the brand.
    pub fn check_shape(&self) -> Result<(), String> {
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return Err("name must have 1 to 200 characters".into());
        }
        if self.tags.len() > MAX_TAGS {
            return Err(format!("a variant may have at most {MAX_TAGS} tags"));
        }
        if let Some(tag) = self
            .tags
            .iter()
            .find(|t| t.trim().is_empty() || t.chars().count() > 64)
        {
            return Err(format!("tag `{tag}` must have 1 to 64 characters"));
        }
        if !(-MAX_PRIORITY..=MAX_PRIORITY).contains(&self.priority) {
            return Err(format!(
                "priority must be between -{MAX_PRIORITY} and {MAX_PRIORITY}"
            ));
        }
        if let (Some(start), Some(end)) = (self.starts_at, self.ends_at) {
            if start >= end {
                return Err("startsAt must be before endsAt".into());
            }
        }
        Ok(())
    }

    /// Tags trimmed, without duplicates, in first-seen order; devices sorted and unique.
    pub fn normalise(mut self) -> Self {
        let mut tags: Vec<String> = Vec::with_capacity(self.tags.len());
        for tag in self.tags.iter().map(|t| t.trim().to_string()) {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        self.tags = tags;
        self.devices.sort();
        self.devices.dedup();
        self.name = self.name.trim().to_string();
        self
    }

    /// The targeting settings as one value, the rule as written.
    pub fn targeting(&self) -> Targeting<&Value> {
        Targeting {
            rule: self.rule.as_ref(),
            devices: self.devices.clone(),
            locale: self.locale.clone(),
            priority: self.priority,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        }
    }

    /// The content as canonical JSON (object keys sorted), the input of the revision hash.
    pub fn canonical_json(&self) -> Value {
        json!({
            "name": self.name,
            "fields": self.fields,
            "tags": self.tags,
            "rule": self.rule,
            "devices": self.devices,
            "locale": self.locale,
            "priority": self.priority,
            "startsAt": self.starts_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true)),
            "endsAt": self.ends_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true)),
        })
    }
}

/// The id of a new revision.
pub fn revision_hash(
    variant_id: &str,
    seq: i32,
    parent: Option<&str>,
    content: &VariantContent,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(variant_id.as_bytes());
    hasher.update(b"\n");
    hasher.update(seq.to_be_bytes());
    hasher.update(parent.unwrap_or("").as_bytes());
    hasher.update(b"\n");
    hasher.update(content.canonical_json().to_string().as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> VariantContent {
        VariantContent {
            name: "Skier".into(),
            fields: json!({"title": "Powder", "body": "Fresh snow"}),
            tags: vec!["winter".into()],
            rule: None,
            devices: vec![],
            locale: None,
            priority: 0,
            starts_at: None,
            ends_at: None,
        }
    }

    #[test]
    fn the_revision_hash_depends_on_content_and_position() {
        let a = revision_hash("v1", 1, None, &content());
        assert_eq!(a, revision_hash("v1", 1, None, &content()));
        assert_ne!(a, revision_hash("v1", 2, Some(&a), &content()));
        let mut changed = content();
        changed.fields = json!({"title": "Powder!"});
        assert_ne!(a, revision_hash("v1", 1, None, &changed));
    }

    #[test]
    fn an_empty_schedule_is_refused() {
        let now = Utc::now();
        let c = VariantContent {
            starts_at: Some(now),
            ends_at: Some(now),
            ..content()
        };
        assert!(c.check_shape().is_err());
    }

    #[test]
    fn tags_are_trimmed_and_unique() {
        let c = VariantContent {
            tags: vec![" a".into(), "a".into(), "b".into()],
            ..content()
        }
        .normalise();
        assert_eq!(c.tags, vec!["a", "b"]);
    }
}

/// A reviewer's verdict on the latest revision.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub status: String,
    pub note: Option<String>,
    pub reviewer: String,
}

/// A variant's bookkeeping: where its revisions stand in the workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantRecord {
    pub id: String,
    pub entry_id: String,
    pub status: VariantStatus,
    pub version: i32,
    pub current_revision: String,
    pub published_revision: Option<String>,
    pub review: Option<Review>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One immutable saved state of a variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub hash: String,
    pub variant_id: String,
    pub seq: i32,
    pub parent: Option<String>,
    pub content: VariantContent,
    pub quality: super::quality::Quality,
    pub author: String,
    pub status: VariantStatus,
    pub created_at: DateTime<Utc>,
}

/// A variant's published revision, as delivery compiles its snapshot from it. The targeting's
/// rule stays the JSON text it is stored as: many variants share a rule, and a snapshot finds the
/// ones it has compiled already by their text instead of building (and freeing) a JSON tree for
/// each.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedVariant {
    /// The variant's id.
    pub id: String,
    pub entry_id: String,
    /// When the variant was created (the last tie-break when ranking).
    pub created_at: DateTime<Utc>,
    /// The published revision's hash.
    pub revision: String,
    pub name: String,
    pub fields: Value,
    pub tags: Vec<String>,
    /// The targeting, its audience rule as JSON text.
    pub targeting: Targeting<String>,
    /// The revision's quality score.
    pub quality: f64,
}

/// A variant with its latest revision: what editors see.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub record: VariantRecord,
    pub latest: Revision,
}

impl Variant {
    /// Where the variant stands for ranking: its latest revision's quality, whether it has a
    /// published revision, whether it is archived.
    pub fn standing(&self) -> Standing {
        Standing {
            quality: self.latest.quality.score,
            created_at: self.record.created_at,
            published: self.record.published_revision.is_some(),
            archived: self.record.status == VariantStatus::Archived,
        }
    }
}
