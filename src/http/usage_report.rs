//! `GET /api/reports/usage`: the usage report as CSV or JSON, streamed.
//!
//! Everything that can be refused (token, role, parameters, brand) is checked before the answer
//! starts, once, by `Content::prepare_usage_report`. Then the database hands rows one by one to an encoder on the blocking pool, which
//! sends chunks down a small channel to the response: the report is never held in memory, and
//! a client that goes away stops the query.

use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::stream;
use serde::Deserialize;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

use super::reports::media_type;
use super::{auth, error_response, State};
use crate::content::reports::{ReportFormat as Format, UsageReport, UsageReportParams};
use crate::usage::report::{csv_header, csv_row, UsageRow};

#[derive(Debug, Deserialize)]
pub struct UsageParams {
    brand: Option<String>,
    from: Option<String>,
    to: Option<String>,
    #[serde(rename = "groupBy")]
    group_by: Option<String>,
    format: Option<String>,
}

/// Bytes gathered before a chunk is sent.
const CHUNK_BYTES: usize = 32 * 1024;

/// A chunk of the body, or why the report broke off (actix's error type is not `Send`).
type Chunk = Result<web::Bytes, String>;

/// Encodes rows into chunks.
struct Encoder {
    format: Format,
    buffer: Vec<u8>,
    rows: usize,
}

impl Encoder {
    fn new(format: Format) -> Self {
        let buffer = match format {
            Format::Csv => csv_header(),
            Format::Json => b"[".to_vec(),
        };
        Encoder {
            format,
            buffer,
            rows: 0,
        }
    }

    fn push(&mut self, row: &UsageRow) {
        match self.format {
            Format::Csv => self.buffer.extend(csv_row(row)),
            Format::Json => {
                if self.rows > 0 {
                    self.buffer.push(b',');
                }
                self.buffer
                    .extend(serde_json::to_vec(row).expect("plain data"));
            }
        }
        self.rows += 1;
    }

    fn take(&mut self) -> web::Bytes {
        web::Bytes::from(std::mem::take(&mut self.buffer))
    }

    fn finish(&mut self) -> web::Bytes {
        if self.format == Format::Json {
            self.buffer.push(b']');
        }
        self.take()
    }
}

impl From<UsageParams> for UsageReportParams {
    fn from(p: UsageParams) -> Self {
        UsageReportParams {
            brand: p.brand,
            from: p.from,
            to: p.to,
            group_by: p.group_by,
            format: p.format,
        }
    }
}

/// Runs the report, sending encoded chunks to `tx` until done or the client leaves.
async fn produce(state: State, report: UsageReport, tx: mpsc::Sender<Chunk>) {
    let encoder = Arc::new(Mutex::new(Encoder::new(report.format)));
    let (rows_encoder, rows_tx) = (encoder.clone(), tx.clone());
    let outcome = state
        .content
        .usage_report_rows(report, move |row| {
            let mut encoder = rows_encoder.lock().expect("encoder lock");
            encoder.push(&row);
            encoder.buffer.len() < CHUNK_BYTES || rows_tx.blocking_send(Ok(encoder.take())).is_ok()
        })
        .await;
    let last = match outcome {
        Ok(()) => Ok(encoder.lock().expect("encoder lock").finish()),
        Err(e) => Err(e.message),
    };
    let _ = tx.send(last).await;
}

pub async fn usage(
    state: State,
    req: HttpRequest,
    params: web::Query<UsageParams>,
) -> HttpResponse {
    let prepared = match auth::principal(&req, &state) {
        Ok(who) => {
            let params = params.into_inner().into();
            state.content.prepare_usage_report(&who, params).await
        }
        Err(e) => Err(e),
    };
    let report = match prepared {
        Ok(report) => report,
        Err(e) => return error_response(&e),
    };
    let (content_type, extension) = media_type(report.format);
    let kept_since = report.kept_since;
    let (tx, rx) = mpsc::channel::<Chunk>(4);
    actix_web::rt::spawn(produce(state.clone(), report, tx));
    let body = stream::unfold(rx, |mut rx| async move {
        let chunk = rx.recv().await?;
        Some((
            chunk.map_err(actix_web::error::ErrorInternalServerError),
            rx,
        ))
    });
    let mut response = HttpResponse::Ok();
    response.content_type(content_type).insert_header((
        "Content-Disposition",
        format!("attachment; filename=\"vary-usage.{extension}\""),
    ));
    // From when the brand's usage is complete: absent when retention never deleted any.
    if let Some(since) = kept_since {
        response.insert_header((
            "X-Vary-Usage-Kept-Since",
            since.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        ));
    }
    response.streaming(body)
}
