//! Webhooks and their delivery outbox. A delivery row is written in the same transaction as the
//! change it announces, so no event is lost. Senders (one per node) claim due rows for a lease,
//! so each delivery is attempted by one node at a time, and record each attempt under the claim.

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

/// Whether any delivery is due and unclaimed (as [`claim_due`] would take it): a read, so idle
/// senders never take the write lock.
pub fn any_due(conn: &mut DbConnection) -> AppResult<bool> {
    let now = time::to_db(time::now());
    let due = webhook_deliveries::table
        .inner_join(webhooks::table)
        .filter(webhook_deliveries::status.eq(PENDING))
        .filter(webhooks::active.eq(true))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(
            webhook_deliveries::claimed_until
                .is_null()
                .or(webhook_deliveries::claimed_until.lt(now)),
        )
        .select(webhook_deliveries::id);
    Ok(diesel::select(diesel::dsl::exists(due)).get_result(conn)?)
}

/// One statement that claims up to parameter 4 deliveries for the claim named by parameter 1
/// until parameter 2: pending, due at parameter 3, of an active webhook, and unclaimed or with a
/// lease that ended before parameter 3, oldest first (the rows [`any_due`] looks for).
/// Written as SQL because its subquery reads the table it updates; on PostgreSQL the candidates
/// are locked `FOR UPDATE ... SKIP LOCKED`, so concurrent claimers take different rows without
/// waiting on each other, and on SQLite the write lock serialises claimers.
fn claim_sql(postgres: bool) -> String {
    let (p, lock) = match postgres {
        true => ("$", " FOR UPDATE OF d SKIP LOCKED"),
        false => ("?", ""),
    };
    format!(
        "UPDATE webhook_deliveries SET claimed_by = {p}1, claimed_until = {p}2 WHERE id IN (\
         SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
         WHERE d.status = '{PENDING}' AND w.active AND d.next_attempt_at <= {p}3 \
         AND (d.claimed_until IS NULL OR d.claimed_until < {p}3) \
         ORDER BY d.next_attempt_at LIMIT {p}4{lock})"
    )
}

/// Claims up to `limit` due deliveries for `claim` (a name no other claim has) until `until`,
/// and returns them, oldest first, with their webhook's URL and secret.
pub fn claim_due(
    conn: &mut DbConnection,
    claim: &str,
    until: DateTime<Utc>,
    limit: i64,
) -> AppResult<Vec<(Delivery, String, String)>> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    let now = time::to_db(time::now());
    diesel::sql_query(claim_sql(matches!(conn, DbConnection::Postgres(_))))
        .bind::<Text, _>(claim)
        .bind::<Timestamp, _>(time::to_db(until))
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .execute(conn)?;
    let rows: Vec<(DeliveryRow, String, String)> = webhook_deliveries::table
        .inner_join(webhooks::table)
        .filter(webhook_deliveries::status.eq(PENDING))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(webhook_deliveries::claimed_by.eq(claim))
        .order(webhook_deliveries::next_attempt_at.asc())
        .select((DeliveryRow::as_select(), webhooks::url, webhooks::secret))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(d, url, secret)| (Delivery::from(d), url, secret))
        .collect())
}

/// What one attempt at a delivery came to.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub status: &'static str,
    pub attempts: i32,
    pub http_status: Option<i32>,
    pub error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
}

/// Records an attempt's outcome and releases the claim. Only the claim's holder writes: false
/// (and nothing written) when `claim` no longer holds the delivery because its lease ended and
/// another sender took it, whose record is not overwritten.
pub fn record_attempt(
    conn: &mut DbConnection,
    id: &str,
    claim: &str,
    attempt: &Attempt,
) -> AppResult<bool> {
    let delivered_at = (attempt.status == DELIVERED).then(|| time::to_db(time::now()));
    let changed = diesel::update(webhook_deliveries::table.find(id))
        .filter(webhook_deliveries::claimed_by.eq(claim))
        .set((
            webhook_deliveries::status.eq(attempt.status),
            webhook_deliveries::attempts.eq(attempt.attempts),
            webhook_deliveries::last_status.eq(attempt.http_status),
            webhook_deliveries::last_error.eq(&attempt.error),
            webhook_deliveries::next_attempt_at.eq(time::to_db(attempt.next_attempt_at)),
            webhook_deliveries::delivered_at.eq(delivered_at),
            webhook_deliveries::claimed_by.eq(None::<String>),
            webhook_deliveries::claimed_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// A delivery with the slug of its webhook's brand and whether that webhook is still active.
pub fn find_delivery(
    conn: &mut DbConnection,
    id: &str,
) -> AppResult<Option<(Delivery, String, bool)>> {
    let row: Option<(DeliveryRow, String, bool)> = webhook_deliveries::table
        .inner_join(webhooks::table.inner_join(brands::table))
        .filter(webhook_deliveries::id.eq(id))
        .select((DeliveryRow::as_select(), brands::slug, webhooks::active))
        .first(conn)
        .optional()?;
    Ok(row.map(|(d, slug, active)| (Delivery::from(d), slug, active)))
}

/// Queues a failed delivery again as if new: pending, no attempts, due now and unclaimed, so the
/// next sender round takes it. The last attempt's status and error stay until a new attempt
/// replaces them. False (nothing written) when the delivery is not failed.
pub fn redeliver(conn: &mut DbConnection, id: &str) -> AppResult<bool> {
    let changed = diesel::update(webhook_deliveries::table.find(id))
        .filter(webhook_deliveries::status.eq(FAILED))
        .set((
            webhook_deliveries::status.eq(PENDING),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(time::to_db(time::now())),
            webhook_deliveries::delivered_at.eq(None::<chrono::NaiveDateTime>),
            webhook_deliveries::claimed_by.eq(None::<String>),
            webhook_deliveries::claimed_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(changed == 1)
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
