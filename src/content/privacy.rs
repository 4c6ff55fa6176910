//! A person's data: every stored usage event of one person in one brand (`personData`, auditors
//! and admins) and their deletion (`forgetPerson` and `vary usage forget`, admins).
//!
//! A person is named by their user key, which is hashed exactly as when their events were
//! recorded (`usage::UserKeyHasher`, the deployment's secret) and never stored or audited raw:
//! the audit row of either operation names the hash. Deleting records a
//! `Change::forget_person` in the same transaction, so every node's usage index drops the same
//! events; this node's has before the operation answers.

use chrono::{DateTime, Utc};

use super::{audit_event, Content};
use crate::auth::{Action, Principal};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::audit::AuditEvent;
use crate::store::changes::Change;
use crate::store::DbConnection;
use crate::usage::{UsageEvent, UserKeyHasher};

/// Deletes the events of the person hashed `hash` in brand `slug`, audited by `audit`, and
/// records the change for every node's usage index, in the caller's transaction (the server's
/// `forgetPerson` and the command line's `vary usage forget` alike); answers how many.
pub fn forget_in(
    conn: &mut DbConnection,
    slug: &str,
    hash: &str,
    audit: AuditEvent,
) -> AppResult<usize> {
    store::brands::require(conn, slug)?;
    let deleted = store::usage::forget_person(conn, slug, hash)?;
    store::audit::append(conn, audit)?;
    store::changes::record(conn, &[Change::forget_person(slug, hash)])?;
    Ok(deleted)
}

/// The audit row of a `forgetPerson` by `actor`: it names the hashed key, never the key.
pub fn forget_audit(actor: String, slug: &str, hash: &str) -> AuditEvent {
    AuditEvent {
        actor,
        action: "forgetPerson".into(),
        target: hash.to_string(),
        brand: Some(slug.to_string()),
        ..AuditEvent::default()
    }
}

impl Content {
    /// Finds people's events by `hasher`, the one impressions are recorded with.
    pub fn with_user_keys(mut self, hasher: UserKeyHasher) -> Self {
        self.user_keys = Some(hasher);
        self
    }

    /// Flushes `queue` before deleting a person's events.
    pub fn with_usage_queue(mut self, queue: std::sync::Arc<crate::usage::UsageQueue>) -> Self {
        self.usage_queue = Some(queue);
        self
    }

    /// The hashed user key, as events store it; a blank key names nobody.
    fn person_hash(&self, user_key: &str) -> AppResult<String> {
        let hasher = self
            .user_keys
            .as_ref()
            .ok_or_else(|| AppError::internal("no user key hasher configured"))?;
        hasher
            .hash_opt(Some(user_key))
            .ok_or_else(|| AppError::bad_input("userKey must not be blank"))
    }

    /// Every stored event of the person with `user_key` in `brand`, oldest first (auditors,
    /// admins); audited as `personData`.
    pub async fn person_data(
        &self,
        who: &Principal,
        brand: &str,
        user_key: &str,
    ) -> AppResult<Vec<UsageEvent>> {
        who.authorize(Action::ReadReports, Some(brand))?;
        let hash = self.person_hash(user_key)?;
        let (slug, audit) = (
            brand.to_string(),
            audit_event(who, "personData", &hash, Some(brand)),
        );
        self.db
            .write(move |conn| {
                store::brands::require(conn, &slug)?;
                let events = store::usage::person_events(conn, &slug, &hash)?;
                store::audit::append(conn, audit)?;
                Ok(events)
            })
            .await
    }

    /// Deletes every stored event of the person with `user_key` in `brand` from the database
    /// and (through the change feed) every node's usage index; answers how many (admins).
    /// Events answered before the call are stored first, so none of them stays behind.
    pub async fn forget_person(
        &self,
        who: &Principal,
        brand: &str,
        user_key: &str,
    ) -> AppResult<usize> {
        who.authorize(Action::ForgetPeople, Some(brand))?;
        let hash = self.person_hash(user_key)?;
        if let Some(queue) = &self.usage_queue {
            queue.flush().await.map_err(AppError::unavailable)?;
        }
        let (slug, audit) = (brand.to_string(), forget_audit(who.actor(), brand, &hash));
        let deleted = self
            .db
            .write(move |conn| forget_in(conn, &slug, &hash, audit))
            .await?;
        self.listener.committed().await;
        Ok(deleted)
    }

    /// From when `brand`'s usage reports are complete; `None` when no event of it was ever
    /// deleted for retention.
    pub async fn usage_kept_since(
        &self,
        who: &Principal,
        brand: &str,
    ) -> AppResult<Option<DateTime<Utc>>> {
        who.authorize(Action::ReadContent, Some(brand))?;
        let slug = brand.to_string();
        self.db
            .read(move |conn| store::usage::kept_since(conn, &slug))
            .await
    }
}
