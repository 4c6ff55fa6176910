//! `GET /api/reports/usage`: the usage report as CSV or JSON, streamed.
//!
//! Everything that can be refused (token, role, parameters, brand) is checked before the answer
//! starts. Then the database hands rows one by one to an encoder on the blocking pool, which
//! sends chunks down a small channel to the response: the report is never held in memory, and
//! a client that goes away stops the query.

use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::stream;
use serde::Deserialize;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

use super::reports::{parse_format, Format};
use super::{auth, error_response, State};
use crate::auth::{Action, Principal};
use crate::content::audit::parse_bound;
use crate::content::usage::UsageFilter;
use crate::error::{AppError, AppResult};
use crate::usage::report::{csv_header, csv_row, parse_group_by, UsageDimension, UsageRow};

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

fn parse_params(params: &UsageParams) -> AppResult<(UsageFilter, Format)> {
    let format = parse_format(params.format.as_deref())?;
    let required = |v: &Option<String>, name: &str| {
        v.clone()
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| AppError::bad_input(format!("`{name}` is required")))
    };
    let brand = required(&params.brand, "brand")?;
    let from = parse_bound(&required(&params.from, "from")?, false)?;
    let to = parse_bound(&required(&params.to, "to")?, true)?;
    let group_by = match &params.group_by {
        None => UsageDimension::ALL.to_vec(),
        Some(raw) => parse_group_by(raw).map_err(AppError::bad_input)?,
    };
    Ok((UsageFilter::new(brand, from, to, group_by)?, format))
}

/// Runs the report, sending encoded chunks to `tx` until done or the client leaves.
async fn produce(
    state: State,
    who: Principal,
    filter: UsageFilter,
    format: Format,
    tx: mpsc::Sender<Chunk>,
) {
    let encoder = Arc::new(Mutex::new(Encoder::new(format)));
    let (rows_encoder, rows_tx) = (encoder.clone(), tx.clone());
    let outcome = state
        .content
        .usage_report_each(&who, filter, move |row| {
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
    let prepared = async {
        let who = auth::principal(&req, &state)?;
        who.authorize(Action::ReadReports, params.brand.as_deref())?;
        let (filter, format) = parse_params(&params)?;
        state
            .content
            .authorize_usage_report(&who, &filter.brand)
            .await?;
        let kept_since = state.content.usage_kept_since(&who, &filter.brand).await?;
        Ok::<_, AppError>((who, filter, format, kept_since))
    };
    let (who, filter, format, kept_since) = match prepared.await {
        Ok(p) => p,
        Err(e) => return error_response(&e),
    };
    let (tx, rx) = mpsc::channel::<Chunk>(4);
    actix_web::rt::spawn(produce(state.clone(), who, filter, format, tx));
    let body = stream::unfold(rx, |mut rx| async move {
        let chunk = rx.recv().await?;
        Some((
            chunk.map_err(actix_web::error::ErrorInternalServerError),
            rx,
        ))
    });
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Json => ("application/json", "json"),
    };
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
