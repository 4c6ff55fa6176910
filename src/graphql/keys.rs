//! Delivery keys as GraphQL shows them: the token once, at creation; limits and last use in
//! `deliveryKeys`.

use async_graphql::{SimpleObject, ID};
use chrono::{DateTime, Utc};

use crate::content::keys::IssuedKey;
use crate::domain::delivery_key::DeliveryKeyRecord;
use crate::domain::key_limits::KeyLimits;
use crate::domain::origin::Origin;

/// A delivery key just created: the token is shown this once.
#[derive(SimpleObject)]
pub struct DeliveryKey {
    pub id: ID,
    pub name: String,
    pub brand: String,
    pub token: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub allowed_origins: Option<Vec<String>>,
    pub rate_limit: Option<i32>,
    /// A preview key answers with each variant's latest revision (drafts included) and records
    /// nothing.
    pub preview: bool,
}

/// A delivery key as listed (never its token).
#[derive(SimpleObject)]
pub struct DeliveryKeyInfo {
    pub id: ID,
    pub name: String,
    pub brand: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    /// After this instant the key is refused.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether `expiresAt` has passed.
    pub expired: bool,
    /// The only browser origins the key may be used from (null: every `cors_origins` origin).
    pub allowed_origins: Option<Vec<String>>,
    /// Answers per second (null: unlimited).
    pub rate_limit: Option<i32>,
    /// When the key was last used, to within a minute (null: never).
    pub last_used_at: Option<DateTime<Utc>>,
    pub preview: bool,
}

fn origins(limits: &KeyLimits) -> Option<Vec<String>> {
    let list = limits.allowed_origins.as_ref()?;
    Some(list.iter().map(Origin::to_string).collect())
}

fn rate(limits: &KeyLimits) -> Option<i32> {
    limits.rate_limit.map(|r| r.get() as i32)
}

impl DeliveryKey {
    pub fn issued(key: IssuedKey) -> DeliveryKey {
        let r = key.record;
        DeliveryKey {
            expires_at: r.limits.expires_at,
            allowed_origins: origins(&r.limits),
            rate_limit: rate(&r.limits),
            preview: r.preview,
            id: ID(r.id),
            name: r.name,
            brand: r.brand_slug,
            token: key.token,
        }
    }
}

impl From<DeliveryKeyRecord> for DeliveryKeyInfo {
    fn from(k: DeliveryKeyRecord) -> Self {
        DeliveryKeyInfo {
            expires_at: k.limits.expires_at,
            expired: k.limits.expired(Utc::now()),
            allowed_origins: origins(&k.limits),
            rate_limit: rate(&k.limits),
            last_used_at: k.last_used_at,
            preview: k.preview,
            id: ID(k.id),
            name: k.name,
            brand: k.brand_slug,
            created_by: k.created_by,
            created_at: k.created_at,
            revoked: k.revoked_at.is_some(),
            revoked_at: k.revoked_at,
        }
    }
}
