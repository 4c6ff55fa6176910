//! `track` (delivery keys) and `usageReport` (auditors and admins).

use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use std::sync::Arc;

use super::types::{content, principal};
use crate::content::usage::UsageFilter;
use crate::delivery::usage::TrackEvent;
use crate::delivery::Delivery;
use crate::usage::{UsageDimension as Dimension, UsageKind, UsageRow as Row};

/// What a usage report can group by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum UsageDimension {
    Entry,
    Variant,
    Revision,
    Device,
    Day,
    Locale,
    Experiment,
    Arm,
}

impl From<UsageDimension> for Dimension {
    fn from(d: UsageDimension) -> Dimension {
        match d {
            UsageDimension::Entry => Dimension::Entry,
            UsageDimension::Variant => Dimension::Variant,
            UsageDimension::Revision => Dimension::Revision,
            UsageDimension::Device => Dimension::Device,
            UsageDimension::Day => Dimension::Day,
            UsageDimension::Locale => Dimension::Locale,
            UsageDimension::Experiment => Dimension::Experiment,
            UsageDimension::Arm => Dimension::Arm,
        }
    }
}

/// One group of a usage report; dimensions not grouped by are null.
#[derive(SimpleObject)]
pub struct UsageRow {
    pub entry_key: Option<String>,
    pub variant_id: Option<ID>,
    pub variant_name: Option<String>,
    /// The revision served: ties the row to the exact content shown.
    pub revision: Option<String>,
    pub device: Option<String>,
    /// `YYYY-MM-DD`, UTC.
    pub day: Option<String>,
    pub locale: Option<String>,
    /// The experiment an enrolled answer counted in (null outside experiments).
    pub experiment_id: Option<ID>,
    pub experiment_name: Option<String>,
    /// The experiment's arm the answer counted in (null outside experiments).
    pub arm_id: Option<ID>,
    pub arm_name: Option<String>,
    pub impressions: i64,
    /// Answers (servedIds) of the group with at least one click.
    pub clicks: i64,
    /// Answers (servedIds) of the group with at least one conversion.
    pub conversions: i64,
    /// The sum of the values of every conversion (one resent with the same `id` counts once).
    pub conversion_value: f64,
    /// clicks / impressions (0 without impressions).
    pub ctr: f64,
    /// conversions / impressions (0 without impressions).
    pub conversion_rate: f64,
}

impl From<Row> for UsageRow {
    fn from(r: Row) -> Self {
        UsageRow {
            entry_key: r.entry_key,
            variant_id: r.variant_id.map(ID),
            variant_name: r.variant_name,
            revision: r.revision,
            device: r.device,
            day: r.day,
            locale: r.locale,
            experiment_id: r.experiment_id.map(ID),
            experiment_name: r.experiment_name,
            arm_id: r.arm_id.map(ID),
            arm_name: r.arm_name,
            impressions: r.impressions,
            clicks: r.clicks,
            conversions: r.conversions,
            conversion_value: r.conversion_value,
            ctr: r.ctr,
            conversion_rate: r.conversion_rate,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TrackKind {
    Click,
    Conversion,
}

/// A click or conversion on an answer that carried `servedId`.
#[derive(InputObject)]
pub struct TrackInput {
    pub served_id: String,
    pub kind: TrackKind,
    /// A conversion's value (any finite number).
    pub value: Option<f64>,
    /// The client's name for this event, unique per brand (1 to 200 bytes): an event sent again
    /// with the same id is accepted but counted once, so a retried batch counts once.
    pub id: Option<String>,
}

#[derive(SimpleObject)]
pub struct TrackRejection {
    /// The position of the refused event in `events`.
    pub index: i32,
    pub code: String,
    pub message: String,
}

#[derive(SimpleObject)]
pub struct TrackResult {
    pub accepted: i32,
    pub rejected: Vec<TrackRejection>,
}

#[derive(Default)]
pub struct UsageQuery;

#[Object]
impl UsageQuery {
    /// Impressions, clicks and conversions of a brand in `[from, to)`, grouped (auditors, admins).
    async fn usage_report(
        &self,
        ctx: &Context<'_>,
        brand: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        group_by: Vec<UsageDimension>,
    ) -> Result<Vec<UsageRow>> {
        let filter = UsageFilter::new(
            brand,
            from,
            to,
            group_by.into_iter().map(Into::into).collect(),
        )?;
        let rows = content(ctx).usage_report(principal(ctx), filter).await?;
        Ok(rows.into_iter().map(UsageRow::from).collect())
    }
}

#[derive(Default)]
pub struct UsageMutation;

#[Object]
impl UsageMutation {
    /// Attaches clicks and conversions to `servedId`s (delivery keys). Unknown or forged ones are
    /// listed in `rejected`; the rest are recorded.
    async fn track(&self, ctx: &Context<'_>, events: Vec<TrackInput>) -> Result<TrackResult> {
        let events = events
            .into_iter()
            .map(|e| TrackEvent {
                served_id: e.served_id,
                kind: match e.kind {
                    TrackKind::Click => UsageKind::Click,
                    TrackKind::Conversion => UsageKind::Conversion,
                },
                value: e.value,
                id: e.id,
            })
            .collect();
        let outcome = ctx
            .data_unchecked::<Arc<Delivery>>()
            .track(principal(ctx), events)
            .await?;
        Ok(TrackResult {
            accepted: outcome.accepted as i32,
            rejected: outcome
                .rejected
                .into_iter()
                .map(|r| TrackRejection {
                    index: r.index as i32,
                    code: r.code.as_str().to_string(),
                    message: r.message,
                })
                .collect(),
        })
    }
}
