//! A delivery key as stored (never its token, only the token's hash): `store::keys` reads and
//! writes it, `auth::keyring` admits requests by it, `content::keys` creates and revokes it.

use chrono::{DateTime, Utc};

use super::key_limits::KeyLimits;

/// One delivery key.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryKeyRecord {
    pub id: String,
    pub brand_slug: String,
    pub name: String,
    pub token_hash: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub limits: KeyLimits,
    pub last_used_at: Option<DateTime<Utc>>,
    /// A preview key: answers from the latest revisions, recording nothing.
    pub preview: bool,
}
