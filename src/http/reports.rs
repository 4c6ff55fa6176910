//! Streamed reports: `GET /api/reports/audit` (filtered like `auditLog`) as CSV or JSON, read
//! from the database in chunks and written as they come, so a large report never sits in memory.

use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::stream::{self, Stream};
use serde::Deserialize;

use super::{auth, error_response, State};
use crate::auth::{Action, Principal};
use crate::content::audit::{parse_bound, AuditEntry, AuditFilter, MAX_AUDIT_PAGE};
use crate::error::{AppError, AppResult};
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

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Csv,
    Json,
}

pub(super) fn parse_format(raw: Option<&str>) -> AppResult<Format> {
    match raw.unwrap_or("csv") {
        "csv" => Ok(Format::Csv),
        "json" => Ok(Format::Json),
        other => Err(AppError::bad_input(format!(
            "format `{other}` is not csv or json"
        ))),
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
    who: Principal,
    filter: AuditFilter,
    format: Format,
) -> impl Stream<Item = Result<web::Bytes, actix_web::Error>> {
    let header = match format {
        Format::Csv => csv::header(&AUDIT_COLUMNS),
        Format::Json => b"[".to_vec(),
    };
    // State: (after_seq, rows written so far, finished)
    stream::unfold(
        (0i64, 0usize, false, Some(header)),
        move |(after, written, done, header)| {
            let (state, who, filter) = (state.clone(), who.clone(), filter.clone());
            async move {
                if let Some(header) = header {
                    return Some((Ok(web::Bytes::from(header)), (after, written, done, None)));
                }
                if done {
                    return None;
                }
                let rows = match state
                    .content
                    .audit_rows(&who, filter, after, MAX_AUDIT_PAGE)
                    .await
                {
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
    let prepared = (|| {
        let who = auth::principal(&req, &state)?;
        who.authorize(Action::ReadReports, params.brand.as_deref())?;
        let format = parse_format(params.format.as_deref())?;
        let filter = AuditFilter {
            brand: params.brand.clone(),
            actor: params.actor.clone().filter(|a| !a.is_empty()),
            action: params.action.clone().filter(|a| !a.is_empty()),
            from: params
                .from
                .as_deref()
                .map(|f| parse_bound(f, false))
                .transpose()?,
            to: params
                .to
                .as_deref()
                .map(|t| parse_bound(t, true))
                .transpose()?,
        };
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if from > to {
                return Err(AppError::bad_input("`from` must not be after `to`"));
            }
        }
        Ok((who, format, filter))
    })();
    let (who, format, filter) = match prepared {
        Ok(p) => p,
        Err(e) => return error_response(&e),
    };
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Json => ("application/json", "json"),
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"vary-audit.{extension}\""),
        ))
        .streaming(audit_stream(state.clone(), who, filter, format))
}
