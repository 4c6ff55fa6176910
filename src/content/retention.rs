//! Usage retention: events older than a brand's `policy.usageRetentionDays` are deleted from
//! the database and every node's usage index.
//!
//! Each node runs the job once an hour ([`Content::spawn_usage_retention`]), so it runs at least
//! once a day however nodes come and go; admins can run it at once (`applyUsageRetention`).
//! Nodes running it together do no harm: each batch deletes what is still there. A brand's
//! events go in bounded batches of [`BATCH`] events, oldest first, each in its own short
//! transaction that records the cut (`Change::expire_usage`) for the change feed and moves the
//! brand's `usageKeptSince`; the job pauses between batches, so recording usage and other
//! writes are never held up for long.

use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

use super::Content;
use crate::auth::{Action, Principal};
use crate::domain::brand::Brand;
use crate::error::AppResult;
use crate::store;
use crate::store::audit::AuditEvent;
use crate::store::changes::Change;

/// Events deleted per transaction.
pub const BATCH: usize = 5_000;

/// How often each node runs the job.
pub const INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);

/// How long the job waits after a node starts before its first run.
const FIRST_RUN: std::time::Duration = std::time::Duration::from_secs(60);

/// The pause between two batches, leaving the database to other writers.
const PAUSE: std::time::Duration = std::time::Duration::from_millis(20);

/// The instant before which `brand`'s events are past retention at `now`; `None`: kept forever.
pub fn retention_cut(brand: &Brand, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let days = brand.policy.usage_retention_days?;
    Some(now - Duration::days(days.into()))
}

impl Content {
    /// Applies retention now, to one brand or every brand (admins); answers how many events
    /// were deleted.
    pub async fn apply_usage_retention(
        &self,
        who: &Principal,
        brand: Option<&str>,
    ) -> AppResult<u64> {
        who.authorize(Action::ForgetPeople, brand)?;
        let brands = match brand {
            Some(slug) => {
                let slug = slug.to_string();
                vec![
                    self.db
                        .read(move |conn| store::brands::require(conn, &slug))
                        .await?,
                ]
            }
            None => self.db.read(store::brands::all).await?,
        };
        let now = store::time::now();
        let mut deleted = 0;
        for brand in &brands {
            deleted += self.expire_brand(brand, now).await?;
        }
        Ok(deleted)
    }

    /// Deletes `brand`'s events past retention at `now`, batch by batch; answers how many.
    async fn expire_brand(&self, brand: &Brand, now: DateTime<Utc>) -> AppResult<u64> {
        let Some(before) = retention_cut(brand, now) else {
            return Ok(0);
        };
        let mut deleted = 0u64;
        loop {
            let slug = brand.slug.clone();
            let batch = self
                .db
                .write(move |conn| {
                    let batch = store::usage::expire_batch(conn, &slug, before, BATCH)?;
                    if let Some(batch) = batch {
                        store::changes::record(conn, &[Change::expire_usage(&slug, batch.cut)])?;
                    }
                    Ok(batch)
                })
                .await?;
            let Some(batch) = batch else { break };
            self.listener.committed().await;
            deleted += batch.deleted as u64;
            tokio::time::sleep(PAUSE).await;
        }
        if deleted > 0 {
            self.audit_expiry(brand, before, deleted).await?;
        }
        Ok(deleted)
    }

    /// One audit row per brand and run that deleted anything.
    async fn audit_expiry(
        &self,
        brand: &Brand,
        before: DateTime<Utc>,
        deleted: u64,
    ) -> AppResult<()> {
        let event = AuditEvent {
            actor: "usage retention".into(),
            action: "usage.expire".into(),
            target: brand.slug.clone(),
            brand: Some(brand.slug.clone()),
            note: Some(format!(
                "{deleted} usage events before {} deleted",
                before.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            )),
            ..AuditEvent::default()
        };
        self.db
            .write(move |conn| store::audit::append(conn, event))
            .await
    }

    /// Runs retention for every brand now (the scheduled job); failures are logged.
    pub async fn run_usage_retention(&self) -> u64 {
        let brands = match self.db.read(store::brands::all).await {
            Ok(brands) => brands,
            Err(e) => {
                tracing::warn!(error = %e, "usage retention: cannot list brands");
                return 0;
            }
        };
        let now = store::time::now();
        let mut deleted = 0;
        for brand in brands
            .iter()
            .filter(|b| b.policy.usage_retention_days.is_some())
        {
            match self.expire_brand(brand, now).await {
                Ok(n) => deleted += n,
                Err(e) => tracing::warn!(brand = %brand.slug, error = %e, "usage retention failed"),
            }
        }
        if deleted > 0 {
            tracing::info!(events = deleted, "usage retention deleted old events");
        }
        deleted
    }

    /// Runs [`Content::run_usage_retention`] a minute after start and then every [`INTERVAL`].
    pub fn spawn_usage_retention(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let content = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(FIRST_RUN).await;
            let mut every = tokio::time::interval(INTERVAL);
            loop {
                every.tick().await;
                content.run_usage_retention().await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::brand::BrandPolicy;

    #[test]
    fn the_cut_is_the_retention_before_now() {
        let mut brand = Brand {
            id: "brd_1".into(),
            slug: "alpine".into(),
            name: "Alpine".into(),
            default_locale: "en".into(),
            locales: vec!["en".into()],
            policy: BrandPolicy::default(),
            version: 1,
            preview_url: None,
        };
        let now = Utc::now();
        assert_eq!(retention_cut(&brand, now), None);
        brand.policy.usage_retention_days = Some(30);
        assert_eq!(retention_cut(&brand, now), Some(now - Duration::days(30)));
    }
}
