//! Webhooks and their delivery outbox. A delivery row is written in the same transaction as the
//! change it announces, so no event is lost; the sender works through due rows.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{brands, webhook_deliveries, webhooks};
use super::{from_json_text, time, to_json_text, DbConnection};
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub id: String,
    pub brand_slug: String,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: String,
    pub webhook_id: String,
    pub event: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

pub const PENDING: &str = "PENDING";
pub const DELIVERED: &str = "DELIVERED";
pub const FAILED: &str = "FAILED";

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
struct DeliveryRow {
    id: String,
    webhook_id: String,
    event: String,
    payload: String,
    status: String,
    attempts: i32,
    last_status: Option<i32>,
    last_error: Option<String>,
    next_attempt_at: chrono::NaiveDateTime,
    created_at: chrono::NaiveDateTime,
    delivered_at: Option<chrono::NaiveDateTime>,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        Delivery {
            id: r.id,
            webhook_id: r.webhook_id,
            event: r.event,
            payload: r.payload,
            status: r.status,
            attempts: r.attempts,
            last_status: r.last_status,
            last_error: r.last_error,
            next_attempt_at: time::from_db(r.next_attempt_at),
            created_at: time::from_db(r.created_at),
            delivered_at: r.delivered_at.map(time::from_db),
        }
    }
}

pub fn insert(conn: &mut DbConnection, brand_id: &str, hook: &Webhook) -> AppResult<()> {
    diesel::insert_into(webhooks::table)
        .values((
            webhooks::id.eq(&hook.id),
            webhooks::brand_id.eq(brand_id),
            webhooks::url.eq(&hook.url),
            webhooks::events.eq(to_json_text(&hook.events)),
            webhooks::secret.eq(&hook.secret),
            webhooks::created_by.eq(&hook.created_by),
            webhooks::created_at.eq(time::to_db(hook.created_at)),
            webhooks::active.eq(true),
        ))
        .execute(conn)?;
    Ok(())
}

type HookTuple = (
    String,
    String,
    String,
    String,
    String,
    String,
    chrono::NaiveDateTime,
);

fn to_hook(t: HookTuple) -> AppResult<Webhook> {
    Ok(Webhook {
        id: t.0,
        brand_slug: t.1,
        url: t.2,
        events: from_json_text(&t.3)?,
        secret: t.4,
        created_by: t.5,
        created_at: time::from_db(t.6),
    })
}

/// Active webhooks, optionally of one brand (by id).
pub fn active(conn: &mut DbConnection, brand_id: Option<&str>) -> AppResult<Vec<Webhook>> {
    let mut query = webhooks::table
        .inner_join(brands::table)
        .filter(webhooks::active.eq(true))
        .into_boxed();
    if let Some(brand_id) = brand_id {
        query = query.filter(webhooks::brand_id.eq(brand_id.to_string()));
    }
    let rows: Vec<HookTuple> = query
        .order(webhooks::created_at.asc())
        .select((
            webhooks::id,
            brands::slug,
            webhooks::url,
            webhooks::events,
            webhooks::secret,
            webhooks::created_by,
            webhooks::created_at,
        ))
        .load(conn)?;
    rows.into_iter().map(to_hook).collect()
}

/// Stops a webhook; false when no active webhook has that id.
pub fn deactivate(conn: &mut DbConnection, id: &str) -> AppResult<bool> {
    let changed = diesel::update(webhooks::table.find(id).filter(webhooks::active.eq(true)))
        .set(webhooks::active.eq(false))
        .execute(conn)?;
    Ok(changed > 0)
}

/// Queues `event` for every active webhook of the brand subscribed to it; returns how many.
pub fn enqueue(
    conn: &mut DbConnection,
    brand_id: &str,
    event: &str,
    payload: &serde_json::Value,
) -> AppResult<usize> {
    let hooks = active(conn, Some(brand_id))?;
    let now = time::to_db(time::now());
    let mut queued = 0;
    for hook in hooks.iter().filter(|h| h.events.iter().any(|e| e == event)) {
        let id = crate::ids::new_id("dlv");
        let mut body = payload.clone();
        body["deliveryId"] = serde_json::json!(id);
        let row = DeliveryRow {
            id,
            webhook_id: hook.id.clone(),
            event: event.to_string(),
            payload: body.to_string(),
            status: PENDING.into(),
            attempts: 0,
            last_status: None,
            last_error: None,
            next_attempt_at: now,
            created_at: now,
            delivered_at: None,
        };
        diesel::insert_into(webhook_deliveries::table)
            .values(&row)
            .execute(conn)?;
        queued += 1;
    }
    Ok(queued)
}

/// Pending deliveries whose time has come, oldest first, with their webhook's URL and secret.
pub fn due(conn: &mut DbConnection, limit: i64) -> AppResult<Vec<(Delivery, String, String)>> {
    let rows: Vec<(DeliveryRow, String, String)> = webhook_deliveries::table
        .inner_join(webhooks::table)
        .filter(webhook_deliveries::status.eq(PENDING))
        .filter(webhooks::active.eq(true))
        .filter(webhook_deliveries::next_attempt_at.le(time::to_db(time::now())))
        .order(webhook_deliveries::next_attempt_at.asc())
        .limit(limit)
        .select((DeliveryRow::as_select(), webhooks::url, webhooks::secret))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(d, url, secret)| (Delivery::from(d), url, secret))
        .collect())
}

/// Records an attempt's outcome.
pub fn record_attempt(
    conn: &mut DbConnection,
    id: &str,
    status: &str,
    attempts: i32,
    http_status: Option<i32>,
    error: Option<String>,
    next_attempt_at: DateTime<Utc>,
) -> AppResult<()> {
    let delivered_at = (status == DELIVERED).then(|| time::to_db(time::now()));
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(status),
            webhook_deliveries::attempts.eq(attempts),
            webhook_deliveries::last_status.eq(http_status),
            webhook_deliveries::last_error.eq(error),
            webhook_deliveries::next_attempt_at.eq(time::to_db(next_attempt_at)),
            webhook_deliveries::delivered_at.eq(delivered_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The latest deliveries of a webhook, newest first.
pub fn deliveries(
    conn: &mut DbConnection,
    webhook_id: &str,
    limit: i64,
) -> AppResult<Vec<Delivery>> {
    let rows: Vec<DeliveryRow> = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .order(webhook_deliveries::created_at.desc())
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Delivery::from).collect())
}
