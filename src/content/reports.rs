//! The streamed reports (`GET /api/reports/audit`, `GET /api/reports/usage`) prepared once:
//! the request's raw parameters are authorized and parsed into a report before the answer
//! starts, so everything that can be refused is refused with its code; the rows are then read
//! from the prepared report, page by page or row by row, without checking again.

use chrono::{DateTime, Utc};

use super::audit::{parse_bound, AuditEntry, AuditFilter, MAX_AUDIT_PAGE};
use super::usage::UsageFilter;
use super::Content;
use crate::auth::{Action, Principal};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::usage::report::parse_group_by;
use crate::usage::{UsageDimension, UsageRow};

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Csv,
    Json,
}

impl ReportFormat {
    /// `csv` (also when absent) or `json`.
    pub fn parse(raw: Option<&str>) -> AppResult<ReportFormat> {
        match raw.unwrap_or("csv") {
            "csv" => Ok(ReportFormat::Csv),
            "json" => Ok(ReportFormat::Json),
            other => Err(AppError::bad_input(format!(
                "format `{other}` is not csv or json"
            ))),
        }
    }
}

/// The audit report's parameters as the request gives them.
#[derive(Debug, Clone, Default)]
pub struct AuditReportParams {
    pub brand: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub format: Option<String>,
}

/// An audit report its caller may read, its filter checked.
#[derive(Debug, Clone)]
pub struct AuditReport {
    pub format: ReportFormat,
    filter: AuditFilter,
}

/// The usage report's parameters as the request gives them (`brand`, `from`, `to` required).
#[derive(Debug, Clone, Default)]
pub struct UsageReportParams {
    pub brand: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Comma-separated dimensions; absent: all.
    pub group_by: Option<String>,
    pub format: Option<String>,
}

/// A usage report its caller may read, of a brand that exists.
#[derive(Debug, Clone)]
pub struct UsageReport {
    pub format: ReportFormat,
    /// From when the brand's usage is complete; `None` when retention never deleted any.
    pub kept_since: Option<DateTime<Utc>>,
    filter: UsageFilter,
}

impl Content {
    /// Authorizes the audit report and parses its parameters.
    pub fn prepare_audit_report(
        &self,
        who: &Principal,
        params: AuditReportParams,
    ) -> AppResult<AuditReport> {
        who.authorize(Action::ReadReports, params.brand.as_deref())?;
        let format = ReportFormat::parse(params.format.as_deref())?;
        let bound = |raw: Option<String>, end| raw.map(|r| parse_bound(&r, end)).transpose();
        let filter = AuditFilter {
            brand: params.brand,
            actor: params.actor.filter(|a| !a.is_empty()),
            action: params.action.filter(|a| !a.is_empty()),
            from: bound(params.from, false)?,
            to: bound(params.to, true)?,
        };
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if from > to {
                return Err(AppError::bad_input("`from` must not be after `to`"));
            }
        }
        Ok(AuditReport { format, filter })
    }

    /// The report's next page: at most [`MAX_AUDIT_PAGE`] rows after sequence number
    /// `after_seq`, in time order.
    pub async fn audit_report_page(
        &self,
        report: &AuditReport,
        after_seq: i64,
    ) -> AppResult<Vec<AuditEntry>> {
        self.read_audit_rows(report.filter.clone(), after_seq, MAX_AUDIT_PAGE)
            .await
    }

    /// Authorizes the usage report, parses its parameters and checks that the brand exists.
    pub async fn prepare_usage_report(
        &self,
        who: &Principal,
        params: UsageReportParams,
    ) -> AppResult<UsageReport> {
        who.authorize(Action::ReadReports, params.brand.as_deref())?;
        let format = ReportFormat::parse(params.format.as_deref())?;
        let filter = usage_filter(params)?;
        let slug = filter.brand.clone();
        let kept_since = self
            .db
            .read(move |conn| {
                store::brands::require(conn, &slug)?;
                store::usage::kept_since(conn, &slug)
            })
            .await?;
        Ok(UsageReport {
            format,
            kept_since,
            filter,
        })
    }

    /// Hands the prepared report's rows one by one to `each` on the blocking pool (see
    /// [`Content::usage_report_each`]).
    pub async fn usage_report_rows(
        &self,
        report: UsageReport,
        each: impl FnMut(UsageRow) -> bool + Send + 'static,
    ) -> AppResult<()> {
        self.run_usage_report(report.filter, each).await
    }
}

/// The usage report's filter from its raw parameters, the first fault named.
fn usage_filter(params: UsageReportParams) -> AppResult<UsageFilter> {
    let required = |v: Option<String>, name: &str| {
        v.filter(|s| !s.trim().is_empty())
            .ok_or_else(|| AppError::bad_input(format!("`{name}` is required")))
    };
    let brand = required(params.brand, "brand")?;
    let from = parse_bound(&required(params.from, "from")?, false)?;
    let to = parse_bound(&required(params.to, "to")?, true)?;
    let group_by = match &params.group_by {
        None => UsageDimension::ALL.to_vec(),
        Some(raw) => parse_group_by(raw).map_err(AppError::bad_input)?,
    };
    UsageFilter::new(brand, from, to, group_by)
}
