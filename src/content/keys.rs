//! Delivery keys: creating (with their limits), revoking and listing them, and writing down when
//! each was last used.
//!
//! The key ring (`auth::keyring`) notes each use in memory; [`Content::flush_key_uses`] hands the
//! uses noted since the last flush to the database, and [`run_key_use_flusher`] calls it once a
//! minute (and the server once more on shutdown), so a key's `lastUsedAt` costs no database write
//! per request. `deliveryKeys` shows the later of the stored time and this node's own note.

use chrono::{DateTime, TimeZone, Utc};
use std::sync::Arc;
use std::time::Duration;

use super::{audit_event, Content};
use crate::auth::keyring::{new_token, token_hash};
use crate::auth::{Action, Principal};
use crate::domain::key_limits::KeyLimits;
use crate::error::{AppError, AppResult};
use crate::store::changes::Change;
use crate::store::{self, keys::DeliveryKeyRecord, time};

/// How often the uses noted in memory are written to the database.
pub const KEY_USE_FLUSH: Duration = Duration::from_secs(60);

/// A delivery key just made; the only time its token is seen.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub record: DeliveryKeyRecord,
    pub token: String,
}

/// What `createDeliveryKey` asks for, as given.
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    pub brand: String,
    pub name: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub allowed_origins: Option<Vec<String>>,
    pub rate_limit: Option<i64>,
    /// A preview key (see [`DeliveryKeyRecord::preview`]).
    pub preview: bool,
}

impl NewKey {
    pub fn named(brand: &str, name: &str) -> NewKey {
        NewKey {
            brand: brand.into(),
            name: name.into(),
            ..NewKey::default()
        }
    }
}

impl Content {
    /// Makes a key for one brand; `BAD_INPUT` for a blank or long name, a past expiry, a rate
    /// under 1 or an origin that is not one.
    pub async fn create_delivery_key(&self, who: &Principal, new: NewKey) -> AppResult<IssuedKey> {
        who.authorize(Action::ManageKeys, Some(&new.brand))?;
        let name = new.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::bad_input(
                "a key needs a name of 1 to 100 characters",
            ));
        }
        let now = time::now();
        let limits = KeyLimits::parse(new.expires_at, new.allowed_origins, new.rate_limit, now)
            .map_err(AppError::bad_input)?;
        let token = new_token();
        let record = DeliveryKeyRecord {
            id: crate::ids::new_id("key"),
            brand_slug: new.brand.clone(),
            name,
            token_hash: token_hash(&token),
            created_by: who.actor(),
            created_at: now,
            revoked_at: None,
            limits,
            last_used_at: None,
            preview: new.preview,
        };
        let event = audit_event(who, "key.create", &record.id, Some(&new.brand));
        let saved = record.clone();
        self.db
            .write(move |conn| {
                let brand = store::brands::require(conn, &saved.brand_slug)?;
                store::keys::insert(conn, &brand.id, &saved)?;
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::Key(saved.id.clone())])
            })
            .await?;
        self.listener.committed().await;
        Ok(IssuedKey { record, token })
    }

    /// Revokes a key; it is refused by every request that starts after this answers.
    pub async fn revoke_delivery_key(&self, who: &Principal, id: &str) -> AppResult<bool> {
        who.authorize(Action::ManageKeys, None)?;
        let event = audit_event(who, "key.revoke", id, None);
        let id = id.to_string();
        let revoked = self
            .db
            .write(move |conn| {
                if !store::keys::revoke(conn, &id)? {
                    return Err(AppError::not_found(format!("no live delivery key {id}")));
                }
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::Key(id.clone())])?;
                Ok(true)
            })
            .await?;
        self.listener.committed().await;
        Ok(revoked)
    }

    /// Every key (of `brand`, when given), with the latest use this node knows of.
    pub async fn delivery_keys(
        &self,
        who: &Principal,
        brand: Option<String>,
    ) -> AppResult<Vec<DeliveryKeyRecord>> {
        who.authorize(Action::ManageKeys, None)?;
        let all = self.db.read(store::keys::all).await?;
        let uses = self.keyring.uses();
        Ok(all
            .into_iter()
            .filter(|k| brand.as_ref().is_none_or(|b| &k.brand_slug == b))
            .map(|mut k| {
                let noted = uses.get(&k.id).and_then(|u| unix(u.unix_secs));
                k.last_used_at = k.last_used_at.max(noted);
                k
            })
            .collect())
    }

    /// Writes the uses noted since the last flush; how many keys were written.
    pub async fn flush_key_uses(&self) -> AppResult<usize> {
        let uses: Vec<(String, DateTime<Utc>)> = self
            .keyring
            .take_unflushed()
            .into_iter()
            .filter_map(|(id, used)| Some((id, unix(used.unix_secs)?)))
            .collect();
        if uses.is_empty() {
            return Ok(0);
        }
        let count = uses.len();
        self.db
            .write(move |conn| store::keys::record_use(conn, &uses))
            .await?;
        Ok(count)
    }
}

fn unix(secs: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(secs, 0).single()
}

/// Flushes key uses every [`KEY_USE_FLUSH`] for as long as the process runs; a failed write is
/// logged and its uses are lost (the next use of the key is noted again).
pub async fn run_key_use_flusher(content: Arc<Content>) {
    let mut tick = tokio::time::interval(KEY_USE_FLUSH);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        if let Err(e) = content.flush_key_uses().await {
            tracing::warn!(error = %e.message, "could not record when delivery keys were used");
        }
    }
}
