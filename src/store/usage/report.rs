//! Usage reports in SQL (`vary export usage`, and the reference the usage index is tested
//! against): the events in range are counted per served row and day, and only those groups are
//! joined to the served rows and summed; the UTC day is cut from the stored time, each backend
//! with its own expression.

use chrono::{DateTime, Utc};
use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Text, Timestamp};

use crate::error::AppResult;
use crate::store::{time, DbConnection};
use crate::usage::report::{UsageCounts, UsageDimension, UsageRow};

#[derive(QueryableByName)]
struct GroupedRow {
    #[diesel(sql_type = Nullable<Text>)]
    entry_key: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    variant_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    variant_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    revision: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    device: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    day: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    locale: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    experiment_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    arm_id: Option<String>,
    #[diesel(sql_type = BigInt)]
    impressions: i64,
    #[diesel(sql_type = BigInt)]
    clicks: i64,
    #[diesel(sql_type = BigInt)]
    conversions: i64,
    #[diesel(sql_type = Double)]
    conversion_value: f64,
}

impl From<GroupedRow> for UsageRow {
    fn from(g: GroupedRow) -> UsageRow {
        let key = crate::usage::report::GroupKey {
            entry_key: g.entry_key,
            variant_id: g.variant_id,
            variant_name: g.variant_name,
            revision: g.revision,
            device: g.device,
            day: g.day,
            locale: g.locale,
            experiment_id: g.experiment_id,
            arm_id: g.arm_id,
        };
        UsageRow::new(
            key,
            UsageCounts {
                impressions: g.impressions,
                clicks: g.clicks,
                conversions: g.conversions,
                conversion_value: g.conversion_value,
            },
        )
    }
}

/// The SQL expression that holds a dimension in the outer query of [`report_sql`]: a column of
/// the served row, or the day the inner query cut from the stored time.
fn dimension_sql(dimension: UsageDimension) -> &'static str {
    match dimension {
        UsageDimension::Entry => "s.entry_key",
        UsageDimension::Variant => "s.variant_id",
        UsageDimension::Revision => "s.revision",
        UsageDimension::Device => "s.device",
        UsageDimension::Day => "g.day",
        UsageDimension::Locale => "s.locale",
        UsageDimension::Experiment => "s.experiment_id",
        UsageDimension::Arm => "s.arm_id",
    }
}

/// What a row answers for a dimension: its column, except that the experiment and arm, stored
/// empty outside experiments, answer null there (rows still sort by the stored value, so the
/// empty one comes first on both backends, as in the usage index).
fn answer_sql(dimension: UsageDimension) -> String {
    match dimension {
        UsageDimension::Experiment | UsageDimension::Arm => {
            format!("NULLIF({}, '')", dimension_sql(dimension))
        }
        other => dimension_sql(other).to_string(),
    }
}

/// The UTC day of the stored time `e.at`, `YYYY-MM-DD`, as the connection's backend says it.
fn day_sql(conn: &DbConnection) -> &'static str {
    match conn {
        // Diesel stores a SQLite timestamp as `YYYY-MM-DD HH:MM:SS.ffffff`.
        DbConnection::Sqlite(_) => "substr(e.at, 1, 10)",
        DbConnection::Postgres(_) => "to_char(e.at, 'YYYY-MM-DD')",
    }
}

/// The grouping SQL, in two steps: the brand's events in the time range are counted per served
/// row (and day, when asked for) without touching any text, then those few groups are joined to
/// their served rows and summed per the dimensions asked for. Clicks and conversions count the
/// distinct impressions they name: a click copies its impression's served row, so an impression's
/// clicks all fall in one inner group and summing the groups counts each answer once. Every
/// expression comes from the fixed tables above, never from input.
fn report_sql(dimensions: &[UsageDimension], day: &str) -> String {
    let has = |d| dimensions.contains(&d);
    let column = |d: UsageDimension, name: &str| {
        if has(d) {
            format!("{} AS {name}", answer_sql(d))
        } else {
            format!("CAST(NULL AS TEXT) AS {name}")
        }
    };
    let variant_name = if has(UsageDimension::Variant) {
        "MAX(s.variant_name)"
    } else {
        "CAST(NULL AS TEXT)"
    };
    let select = [
        column(UsageDimension::Entry, "entry_key"),
        column(UsageDimension::Variant, "variant_id"),
        format!("{variant_name} AS variant_name"),
        column(UsageDimension::Revision, "revision"),
        column(UsageDimension::Device, "device"),
        column(UsageDimension::Day, "day"),
        column(UsageDimension::Locale, "locale"),
        column(UsageDimension::Experiment, "experiment_id"),
        column(UsageDimension::Arm, "arm_id"),
    ];
    let (inner_day, inner_group) = if has(UsageDimension::Day) {
        (format!("{day} AS day"), format!("e.served, {day}"))
    } else {
        (
            "CAST(NULL AS TEXT) AS day".to_string(),
            "e.served".to_string(),
        )
    };
    let groups: Vec<&str> = UsageDimension::ALL
        .into_iter()
        .filter(|d| has(*d))
        .map(dimension_sql)
        .collect();
    let tail = if groups.is_empty() {
        // Without GROUP BY an aggregate answers one row even over no events.
        "HAVING COUNT(*) > 0".to_string()
    } else {
        format!("GROUP BY {list} ORDER BY {list}", list = groups.join(", "))
    };
    format!(
        "SELECT {}, \
         CAST(SUM(g.impressions) AS BIGINT) AS impressions, \
         CAST(SUM(g.clicks) AS BIGINT) AS clicks, \
         CAST(SUM(g.conversions) AS BIGINT) AS conversions, \
         CAST(SUM(g.conversion_value) AS DOUBLE PRECISION) AS conversion_value \
         FROM (SELECT e.served AS served, {inner_day}, \
                 COUNT(CASE WHEN e.kind = 'impression' THEN 1 END) AS impressions, \
                 COUNT(DISTINCT CASE WHEN e.kind = 'click' THEN e.impression_id END) AS clicks, \
                 COUNT(DISTINCT CASE WHEN e.kind = 'conversion' THEN e.impression_id END) \
                   AS conversions, \
                 COALESCE(SUM(CASE WHEN e.kind = 'conversion' THEN e.value END), 0.0) \
                   AS conversion_value \
               FROM usage_events e \
               WHERE e.brand = $1 AND e.at >= $2 AND e.at < $3 \
               GROUP BY {inner_group}) g \
         JOIN usage_served s ON s.id = g.served {tail}",
        select.join(", ")
    )
}

/// Streams the report's rows, in the order of their dimension values, to `each`; stops early
/// when `each` answers `false`.
pub fn report_each(
    conn: &mut DbConnection,
    brand: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    dimensions: &[UsageDimension],
    mut each: impl FnMut(UsageRow) -> bool,
) -> AppResult<()> {
    let query = diesel::sql_query(report_sql(dimensions, day_sql(conn)))
        .bind::<Text, _>(brand)
        .bind::<Timestamp, _>(time::to_db(from))
        .bind::<Timestamp, _>(time::to_db(to));
    for row in query.load_iter::<GroupedRow, DefaultLoadingMode>(conn)? {
        if !each(row?.into()) {
            break;
        }
    }
    Ok(())
}

/// The whole report in memory (GraphQL answers; exports use [`report_each`]).
pub fn report(
    conn: &mut DbConnection,
    brand: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    dimensions: &[UsageDimension],
) -> AppResult<Vec<UsageRow>> {
    let mut rows = Vec::new();
    report_each(conn, brand, from, to, dimensions, |row| {
        rows.push(row);
        true
    })?;
    Ok(rows)
}
