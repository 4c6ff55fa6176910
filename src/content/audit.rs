//! Reading the audit log: pages for `auditLog` (either way in time, targets named), chunks for
//! the streamed report (prepared once by [`Content::prepare_audit_report`]), and the chain check
//! behind `vary audit verify` ([`check_chain`], for the operator) and `auditVerification`.
//! Auditors and admins only.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use super::Content;
use crate::auth::{Action, Principal};
use crate::error::{AppError, AppResult};
use crate::store::{self, audit::AuditRow, time, Db};

/// One audit row as the contract names its fields: all strings.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub brand: Option<String>,
    pub revision_before: Option<String>,
    pub revision_after: Option<String>,
    pub note: Option<String>,
    pub hash: String,
    /// A readable name for `target` (an entry key, a variant's name, an e-mail…) when it is
    /// the id of something stored; pages for people carry it, reports do not.
    #[serde(skip)]
    pub target_label: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            seq: r.seq,
            at: time::from_db(r.at).to_rfc3339_opts(SecondsFormat::Micros, true),
            actor: r.actor,
            action: r.action,
            target: r.target,
            brand: r.brand,
            revision_before: r.revision_before,
            revision_after: r.revision_after,
            note: r.note,
            hash: r.hash,
            target_label: None,
        }
    }
}

/// Which rows to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub brand: Option<String>,
    /// Exactly this actor (an e-mail, `key:NAME`, `system`…).
    pub actor: Option<String>,
    /// Exactly this action (`publish`, `user.create`…).
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

pub const MAX_AUDIT_PAGE: i64 = 500;

/// `YYYY-MM-DD` (the whole day, UTC) or an RFC 3339 instant; `end` picks the day's end.
pub fn parse_bound(raw: &str, end: bool) -> AppResult<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Ok(at.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        AppError::bad_input(format!(
            "`{raw}` is neither YYYY-MM-DD nor an RFC 3339 date-time"
        ))
    })?;
    let day = if end {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    Ok(day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
}

/// What checking the whole chain found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainCheck {
    /// Rows in the log.
    pub rows: i64,
    /// The sequence number of the first row that does not verify; `None` when every row does.
    pub first_broken: Option<i64>,
}

/// The chain checked from its first row, for `vary audit verify`: no principal, whoever can run
/// the binary on the database is the operator.
pub async fn check_chain(db: &Db) -> AppResult<ChainCheck> {
    db.read(|conn| {
        Ok(ChainCheck {
            first_broken: store::audit::first_broken(conn)?,
            rows: store::audit::count(conn)?,
        })
    })
    .await
}

impl Content {
    /// The audit chain checked from its first row (as `vary audit verify` does): the sequence
    /// number of the first row that does not verify, or `None` when every row does.
    pub async fn verify_audit_chain(&self, who: &Principal) -> AppResult<Option<i64>> {
        who.authorize(Action::ReadReports, None)?;
        self.db.read(store::audit::first_broken).await
    }

    /// Rows after sequence number `after_seq`, at most `limit`, in time order.
    pub async fn audit_rows(
        &self,
        who: &Principal,
        filter: AuditFilter,
        after_seq: i64,
        limit: i64,
    ) -> AppResult<Vec<AuditEntry>> {
        check_request(who, &filter, limit)?;
        self.read_audit_rows(filter, after_seq, limit).await
    }

    /// [`Self::audit_rows`] once the request was checked (a prepared report's pages).
    pub(super) async fn read_audit_rows(
        &self,
        filter: AuditFilter,
        after_seq: i64,
        limit: i64,
    ) -> AppResult<Vec<AuditEntry>> {
        let rows = self
            .db
            .read(move |conn| {
                store::audit::filtered_page(conn, &row_filter(&filter), false, after_seq, limit)
            })
            .await?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }

    /// A page for people: like [`Self::audit_rows`], newest first when asked (then `after_seq`
    /// bounds from above; 0 starts at the newest row), each target named where it can be.
    pub async fn audit_page(
        &self,
        who: &Principal,
        filter: AuditFilter,
        newest_first: bool,
        after_seq: i64,
        limit: i64,
    ) -> AppResult<Vec<AuditEntry>> {
        check_request(who, &filter, limit)?;
        self.db
            .read(move |conn| {
                let rows = store::audit::filtered_page(
                    conn,
                    &row_filter(&filter),
                    newest_first,
                    after_seq,
                    limit,
                )?;
                let targets: Vec<&str> = rows.iter().map(|r| r.target.as_str()).collect();
                let labels = store::audit_labels::labels(conn, &targets)?;
                Ok(rows
                    .into_iter()
                    .map(|row| {
                        let label = labels.get(&row.target).cloned();
                        AuditEntry {
                            target_label: label,
                            ..AuditEntry::from(row)
                        }
                    })
                    .collect())
            })
            .await
    }
}

fn row_filter(filter: &AuditFilter) -> store::audit::RowFilter<'_> {
    store::audit::RowFilter {
        brand: filter.brand.as_deref(),
        actor: filter.actor.as_deref(),
        action: filter.action.as_deref(),
        from: filter.from,
        to: filter.to,
    }
}

/// Whether `who` may read these rows and the request makes sense.
fn check_request(who: &Principal, filter: &AuditFilter, limit: i64) -> AppResult<()> {
    who.authorize(Action::ReadReports, filter.brand.as_deref())?;
    if !(0..=MAX_AUDIT_PAGE + 1).contains(&limit) {
        return Err(AppError::bad_input(format!(
            "at most {MAX_AUDIT_PAGE} rows per page"
        )));
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        if from > to {
            return Err(AppError::bad_input("`from` must not be after `to`"));
        }
    }
    Ok(())
}
