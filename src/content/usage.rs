//! Usage reports: impressions, clicks and conversions of a brand, grouped by the dimensions
//! asked for, for `usageReport`, `GET /api/reports/usage` and `vary export usage`. Auditors and
//! admins only. The rows are counted from the usage index when the app has one (the server
//! does), else from the database; both hold the same events and give the same rows. The REST
//! report is prepared once (`content::reports`) and then run without checking again.

use chrono::{DateTime, Utc};
use std::sync::Arc;

use super::Content;
use crate::auth::{Action, Principal};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::usage::report::ExperimentNames;
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
    /// Whether the rows name experiments or arms (and so need their names looked up).
    fn names_experiments(&self) -> bool {
        self.group_by
            .iter()
            .any(|d| matches!(d, UsageDimension::Experiment | UsageDimension::Arm))
    }

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
        let rows = Arc::new(std::sync::Mutex::new(Vec::new()));
        let into = rows.clone();
        self.usage_report_each(who, filter, move |row| {
            into.lock().expect("rows lock").push(row);
            true
        })
        .await?;
        let rows = std::mem::take(&mut *rows.lock().expect("rows lock"));
        Ok(rows)
    }

    /// The names of the brand's experiments and arms, when the report's rows show them.
    async fn experiment_names(&self, filter: &UsageFilter) -> AppResult<ExperimentNames> {
        if !filter.names_experiments() {
            return Ok(ExperimentNames::default());
        }
        let brand = filter.brand.clone();
        self.db
            .read(move |conn| store::experiments::names_of_brand(conn, &brand))
            .await
    }

    /// Hands the report's rows one by one to `each` on the blocking pool, never holding the whole
    /// report; `each` answers `false` to stop (e.g. the client went away).
    pub async fn usage_report_each(
        &self,
        who: &Principal,
        filter: UsageFilter,
        each: impl FnMut(UsageRow) -> bool + Send + 'static,
    ) -> AppResult<()> {
        self.authorize_usage_report(who, &filter.brand).await?;
        self.run_usage_report(filter, each).await
    }

    /// [`Self::usage_report_each`] once the caller and the brand were checked (a prepared
    /// report).
    pub(super) async fn run_usage_report(
        &self,
        filter: UsageFilter,
        mut each: impl FnMut(UsageRow) -> bool + Send + 'static,
    ) -> AppResult<()> {
        let names = self.experiment_names(&filter).await?;
        let mut each = move |mut row: UsageRow| {
            names.name(&mut row);
            each(row)
        };
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
