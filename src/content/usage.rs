//! Usage reports: impressions, clicks and conversions of a brand, grouped by the dimensions
//! asked for, for `usageReport`, `GET /api/reports/usage` and `vary export usage`. Auditors and
//! admins only. The rows are counted from the usage index when the app has one (the server
//! does), else from the database; both hold the same events and give the same rows.

use chrono::{DateTime, Utc};
use std::sync::Arc;

use super::Content;
use crate::auth::{Action, Principal};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::usage::{UsageDimension, UsageIndex, UsageRow};

/// Which events a report covers and how it groups them.
#[derive(Debug, Clone)]
pub struct UsageFilter {
    pub brand: String,
    /// Inclusive.
    pub from: DateTime<Utc>,
    /// Exclusive.
    pub to: DateTime<Utc>,
    pub group_by: Vec<UsageDimension>,
}

impl UsageFilter {
    /// Refuses a range that ends before it starts.
    pub fn new(
        brand: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        group_by: Vec<UsageDimension>,
    ) -> AppResult<Self> {
        if from > to {
            return Err(AppError::bad_input("`from` must not be after `to`"));
        }
        let mut dimensions: Vec<UsageDimension> = Vec::with_capacity(group_by.len());
        for d in group_by {
            if !dimensions.contains(&d) {
                dimensions.push(d);
            }
        }
        Ok(UsageFilter {
            brand,
            from,
            to,
            group_by: dimensions,
        })
    }
}

impl Content {
    /// Counts reports from `index` instead of the database.
    pub fn with_usage_index(mut self, index: Arc<UsageIndex>) -> Self {
        self.usage_index = Some(index);
        self
    }

    /// Checks that `who` may read the brand's usage and that the brand exists.
    pub async fn authorize_usage_report(&self, who: &Principal, brand: &str) -> AppResult<()> {
        who.authorize(Action::ReadReports, Some(brand))?;
        let slug = brand.to_string();
        self.db
            .read(move |conn| store::brands::require(conn, &slug).map(|_| ()))
            .await
    }

    /// The whole report (GraphQL).
    pub async fn usage_report(
        &self,
        who: &Principal,
        filter: UsageFilter,
    ) -> AppResult<Vec<UsageRow>> {
        self.authorize_usage_report(who, &filter.brand).await?;
        if let Some(index) = self.usage_index.clone() {
            return crate::store::run_blocking(move || {
                index
                    .report(&filter.brand, filter.from, filter.to, &filter.group_by)
                    .map_err(AppError::internal)
            })
            .await;
        }
        self.db
            .read(move |conn| {
                store::usage::report(
                    conn,
                    &filter.brand,
                    filter.from,
                    filter.to,
                    &filter.group_by,
                )
            })
            .await
    }

    /// Hands the report's rows one by one to `each` on the blocking pool, never holding the whole
    /// report; `each` answers `false` to stop (e.g. the client went away).
    pub async fn usage_report_each(
        &self,
        who: &Principal,
        filter: UsageFilter,
        mut each: impl FnMut(UsageRow) -> bool + Send + 'static,
    ) -> AppResult<()> {
        self.authorize_usage_report(who, &filter.brand).await?;
        if let Some(index) = self.usage_index.clone() {
            // The index answers groups, never events: as many rows as the report has.
            return crate::store::run_blocking(move || {
                let rows = index
                    .report(&filter.brand, filter.from, filter.to, &filter.group_by)
                    .map_err(AppError::internal)?;
                for row in rows {
                    if !each(row) {
                        break;
                    }
                }
                Ok(())
            })
            .await;
        }
        self.db
            .read(move |conn| {
                store::usage::report_each(
                    conn,
                    &filter.brand,
                    filter.from,
                    filter.to,
                    &filter.group_by,
                    each,
                )
            })
            .await
    }
}
