//! Experiments as rows: arms as JSON text, the audience as the rule's JSON text, names of status,
//! mode and goal in lower case. A unique partial index keeps one RUNNING experiment per entry,
//! also against two nodes starting one at once; [`update_checked`] compares the version, so a
//! stale write is a `CONFLICT`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::experiments;
use super::{time, DbConnection};
use crate::domain::experiment::report::ArmCounts;
use crate::domain::experiment::{
    Arm, ArmTarget, Experiment, ExperimentGoal, ExperimentMode, ExperimentStatus,
};
use crate::error::{AppError, AppResult};
use crate::usage::report::ExperimentNames;

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = experiments, treat_none_as_null = true)]
struct ExperimentRow {
    id: String,
    brand_id: String,
    entry_id: String,
    name: String,
    hypothesis: Option<String>,
    audience: Option<String>,
    arms: String,
    goal: String,
    mode: String,
    status: String,
    min_people_per_arm: i32,
    started_at: Option<NaiveDateTime>,
    stopped_at: Option<NaiveDateTime>,
    winner: Option<String>,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// An arm as stored in the `arms` JSON text.
#[derive(Serialize, Deserialize)]
struct StoredArm {
    id: String,
    name: String,
    variant: Option<String>,
    weight: u32,
}

fn to_row(e: &Experiment) -> ExperimentRow {
    let arms: Vec<StoredArm> = e
        .arms
        .iter()
        .map(|a| StoredArm {
            id: a.id.clone(),
            name: a.name.clone(),
            variant: a.variant().map(str::to_string),
            weight: a.weight,
        })
        .collect();
    ExperimentRow {
        id: e.id.clone(),
        brand_id: e.brand_id.clone(),
        entry_id: e.entry_id.clone(),
        name: e.name.clone(),
        hypothesis: e.hypothesis.clone(),
        audience: e.audience.as_ref().map(|a| a.to_string()),
        arms: serde_json::to_string(&arms).expect("arms serialize"),
        goal: e.goal.as_str().into(),
        mode: e.mode.as_str().into(),
        status: e.status.as_str().into(),
        min_people_per_arm: e.min_people_per_arm.min(i32::MAX as u32) as i32,
        started_at: e.started_at.map(time::to_db),
        stopped_at: e.stopped_at.map(time::to_db),
        winner: e.winner.clone(),
        version: e.version,
        created_at: time::to_db(e.created_at),
        updated_at: time::to_db(e.updated_at),
    }
}

fn from_row(r: ExperimentRow) -> AppResult<Experiment> {
    let unreadable = |what: &str| AppError::internal(format!("experiment {}: bad {what}", r.id));
    let arms: Vec<StoredArm> = serde_json::from_str(&r.arms).map_err(|_| unreadable("arms"))?;
    let audience = match &r.audience {
        Some(text) => Some(serde_json::from_str(text).map_err(|_| unreadable("audience"))?),
        None => None,
    };
    Ok(Experiment {
        goal: ExperimentGoal::parse(&r.goal).ok_or_else(|| unreadable("goal"))?,
        mode: ExperimentMode::parse(&r.mode).ok_or_else(|| unreadable("mode"))?,
        status: ExperimentStatus::parse(&r.status).ok_or_else(|| unreadable("status"))?,
        arms: arms
            .into_iter()
            .map(|a| Arm {
                id: a.id,
                name: a.name,
                target: a.variant.map_or(ArmTarget::Ranked, ArmTarget::Variant),
                weight: a.weight,
            })
            .collect(),
        audience,
        id: r.id,
        brand_id: r.brand_id,
        entry_id: r.entry_id,
        name: r.name,
        hypothesis: r.hypothesis,
        min_people_per_arm: r.min_people_per_arm.max(1) as u32,
        started_at: r.started_at.map(time::from_db),
        stopped_at: r.stopped_at.map(time::from_db),
        winner: r.winner,
        version: r.version,
        created_at: time::from_db(r.created_at),
        updated_at: time::from_db(r.updated_at),
    })
}

/// Whether a database error is the one-running-per-entry index refusing a second.
fn is_second_running(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

fn second_running() -> AppError {
    AppError::conflict("the entry already has a RUNNING experiment; stop it first")
}

pub fn insert(conn: &mut DbConnection, e: &Experiment) -> AppResult<()> {
    diesel::insert_into(experiments::table)
        .values(to_row(e))
        .execute(conn)?;
    Ok(())
}

/// Writes `e` where its stored version is still `expected_version`; `CONFLICT` otherwise, and
/// when it would make a second RUNNING experiment on its entry.
pub fn update_checked(
    conn: &mut DbConnection,
    e: &Experiment,
    expected_version: i32,
) -> AppResult<()> {
    let changed = diesel::update(
        experiments::table
            .filter(experiments::id.eq(&e.id))
            .filter(experiments::version.eq(expected_version)),
    )
    .set(to_row(e))
    .execute(conn)
    .map_err(|error| {
        if is_second_running(&error) {
            second_running()
        } else {
            error.into()
        }
    })?;
    if changed == 0 {
        return Err(AppError::conflict(format!(
            "experiment {} was changed by someone else (expected version {expected_version}); reload and try again",
            e.id
        )));
    }
    Ok(())
}

pub fn by_id(conn: &mut DbConnection, id: &str) -> AppResult<Option<Experiment>> {
    experiments::table
        .find(id)
        .select(ExperimentRow::as_select())
        .first(conn)
        .optional()?
        .map(from_row)
        .transpose()
}

/// A brand's experiments, optionally of one entry and in one status, newest first.
pub fn of_brand(
    conn: &mut DbConnection,
    brand_id: &str,
    entry_id: Option<&str>,
    status: Option<ExperimentStatus>,
) -> AppResult<Vec<Experiment>> {
    let mut query = experiments::table
        .filter(experiments::brand_id.eq(brand_id))
        .select(ExperimentRow::as_select())
        .order((experiments::created_at.desc(), experiments::id.desc()))
        .into_boxed();
    if let Some(entry) = entry_id {
        query = query.filter(experiments::entry_id.eq(entry.to_string()));
    }
    if let Some(status) = status {
        query = query.filter(experiments::status.eq(status.as_str()));
    }
    query.load(conn)?.into_iter().map(from_row).collect()
}

/// The names of every experiment of the brand `brand_slug` and of their arms, for usage rows.
pub fn names_of_brand(conn: &mut DbConnection, brand_slug: &str) -> AppResult<ExperimentNames> {
    let brand = super::brands::require(conn, brand_slug)?;
    let mut names = ExperimentNames::default();
    for e in of_brand(conn, &brand.id, None, None)? {
        names.add(
            (&e.id, &e.name),
            e.arms.iter().map(|a| (a.id.as_str(), a.name.as_str())),
        );
    }
    Ok(names)
}

/// A brand's RUNNING experiments: what its delivery snapshot serves.
pub fn running_of_brand(conn: &mut DbConnection, brand_id: &str) -> AppResult<Vec<Experiment>> {
    of_brand(conn, brand_id, None, Some(ExperimentStatus::Running))
}

/// Every RUNNING experiment, of every brand (the BANDIT refresh).
pub fn running(conn: &mut DbConnection) -> AppResult<Vec<Experiment>> {
    experiments::table
        .filter(experiments::status.eq(ExperimentStatus::Running.as_str()))
        .select(ExperimentRow::as_select())
        .load(conn)?
        .into_iter()
        .map(from_row)
        .collect()
}

/// One group of an experiment's events: an arm and an event kind.
#[derive(QueryableByName, Debug, Clone, PartialEq)]
pub struct ArmKindCounts {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub arm_id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub kind: String,
    /// Distinct hashed user keys.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub people: i64,
    /// Distinct answers (impressions).
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub answers: i64,
    #[diesel(sql_type = diesel::sql_types::Double)]
    pub value: f64,
}

/// An experiment's events counted per arm and kind in one grouped query: the served rows of the
/// experiment (an index on `usage_served.experiment_id`) joined with their events since it
/// started. Only the unit the mode reports is made distinct (people in FIXED mode, answers in
/// BANDIT mode): distinct counts are the query's cost.
pub fn counts(
    conn: &mut DbConnection,
    brand_slug: &str,
    experiment: &Experiment,
    since: NaiveDateTime,
) -> AppResult<Vec<ArmKindCounts>> {
    use diesel::sql_types::{Text, Timestamp};
    let (people, answers) = match experiment.mode {
        ExperimentMode::Fixed => ("COUNT(DISTINCT e.user_key_hash)", "0"),
        ExperimentMode::Bandit => ("0", "COUNT(DISTINCT e.impression_id)"),
    };
    let sql = format!(
        "SELECT s.arm_id AS arm_id, e.kind AS kind, \
                CAST({people} AS BIGINT) AS people, CAST({answers} AS BIGINT) AS answers, \
                CAST(COALESCE(SUM(e.value), 0) AS DOUBLE PRECISION) AS value \
         FROM usage_served s JOIN usage_events e ON e.served = s.id \
         WHERE s.experiment_id = $1 AND e.brand = $2 AND e.at >= $3 \
         GROUP BY s.arm_id, e.kind"
    );
    Ok(diesel::sql_query(sql)
        .bind::<Text, _>(&experiment.id)
        .bind::<Text, _>(brand_slug)
        .bind::<Timestamp, _>(since)
        .load(conn)?)
}

/// Adds up the store's groups into each arm's counts: people (FIXED) or answers (BANDIT) from
/// impressions, converters from the goal's events, the value from conversions.
pub fn arm_counts(experiment: &Experiment, groups: &[ArmKindCounts]) -> Vec<ArmCounts> {
    let unit = |g: &ArmKindCounts| match experiment.mode {
        ExperimentMode::Fixed => g.people.max(0) as u64,
        ExperimentMode::Bandit => g.answers.max(0) as u64,
    };
    experiment
        .arms
        .iter()
        .map(|arm| {
            let mut counts = ArmCounts::default();
            for g in groups.iter().filter(|g| g.arm_id == arm.id) {
                match g.kind.as_str() {
                    "impression" => counts.people = unit(g),
                    kind if kind == experiment.goal.as_str() => counts.converters = unit(g),
                    _ => {}
                }
                if g.kind == "conversion" {
                    counts.conversion_value = g.value;
                }
            }
            counts
        })
        .collect()
}
