//! Streamed reports: `GET /api/reports/audit` (filtered like `auditLog`) as CSV or JSON, read
//! from the database in chunks and written as they come, so a large report never sits in memory.
//! `content::reports` authorizes and parses the request once, before the answer starts.

use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::stream::{self, Stream};
use serde::Deserialize;

use super::{auth, error_response, State};
use crate::content::audit::{AuditEntry, MAX_AUDIT_PAGE};
use crate::content::reports::{AuditReport, AuditReportParams, ReportFormat as Format};
use crate::usage::csv::{self, Cell};

#[derive(Debug, Deserialize)]
pub struct AuditParams {
    brand: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

impl From<AuditParams> for AuditReportParams {
    fn from(p: AuditParams) -> Self {
        AuditReportParams {
            brand: p.brand,
            actor: p.actor,
            action: p.action,
            from: p.from,
            to: p.to,
            format: p.format,
        }
    }
}

/// The answer's content type and file extension.
pub(super) fn media_type(format: Format) -> (&'static str, &'static str) {
    match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Json => ("application/json", "json"),
    }
}

const AUDIT_COLUMNS: [&str; 9] = [
    "at",
    "actor",
    "action",
    "target",
    "brand",
    "revisionBefore",
    "revisionAfter",
    "note",
    "hash",
];

/// One audit row as a CSV line. Actors (even the e-mail typed in a failed login) and notes are
/// what someone typed: a value a spreadsheet would compute is escaped like every CSV cell Vary
/// writes ([`csv::escape_text`]).
fn audit_csv(e: &AuditEntry) -> Vec<u8> {
    csv::record(&[
        Cell::Text(&e.at),
        Cell::Text(&e.actor),
        Cell::Text(&e.action),
        Cell::Text(&e.target),
        Cell::optional(&e.brand),
        Cell::optional(&e.revision_before),
        Cell::optional(&e.revision_after),
        Cell::optional(&e.note),
        Cell::Text(&e.hash),
    ])
}

/// Pages through the audit log, yielding encoded chunks.
fn audit_stream(
    state: State,
    report: AuditReport,
) -> impl Stream<Item = Result<web::Bytes, actix_web::Error>> {
    let format = report.format;
    let header = match format {
        Format::Csv => csv::header(&AUDIT_COLUMNS),
        Format::Json => b"[".to_vec(),
    };
    // State: (after_seq, rows written so far, finished)
    stream::unfold(
        (0i64, 0usize, false, Some(header)),
        move |(after, written, done, header)| {
            let (state, report) = (state.clone(), report.clone());
            async move {
                if let Some(header) = header {
                    return Some((Ok(web::Bytes::from(header)), (after, written, done, None)));
                }
                if done {
                    return None;
                }
                let rows = match state.content.audit_report_page(&report, after).await {
                    Ok(rows) => rows,
                    Err(e) => {
                        return Some((
                            Err(actix_web::error::ErrorInternalServerError(e.message)),
                            (after, written, true, None),
                        ))
                    }
                };
                let last = rows.len() < MAX_AUDIT_PAGE as usize;
                let next_after = rows.last().map_or(after, |r| r.seq);
                let mut out = Vec::new();
                for (i, row) in rows.iter().enumerate() {
                    match format {
                        Format::Csv => out.extend(audit_csv(row)),
                        Format::Json => {
                            if written + i > 0 {
                                out.push(b',');
                            }
                            out.extend(serde_json::to_vec(row).expect("plain data"));
                        }
                    }
                }
                if last && format == Format::Json {
                    out.push(b']');
                }
                Some((
                    Ok(web::Bytes::from(out)),
                    (next_after, written + rows.len(), last, None),
                ))
            }
        },
    )
}

pub async fn audit(
    state: State,
    req: HttpRequest,
    params: web::Query<AuditParams>,
) -> HttpResponse {
    let prepared = auth::principal(&req, &state).and_then(|who| {
        state
            .content
            .prepare_audit_report(&who, params.into_inner().into())
    });
    let report = match prepared {
        Ok(report) => report,
        Err(e) => return error_response(&e),
    };
    let (content_type, extension) = media_type(report.format);
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"vary-audit.{extension}\""),
        ))
        .streaming(audit_stream(state.clone(), report))
}
