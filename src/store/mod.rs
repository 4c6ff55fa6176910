//! The database adapter: one diesel code path for SQLite and PostgreSQL.
//!
//! [`DbConnection`] is a diesel `MultiConnection` over both backends; queries are written once
//! against it. [`Db`] owns the pools and runs every call on the blocking thread pool, so the async
//! executor never waits on the database. SQLite gets a single-connection write pool (writes are
//! serialised anyway, and one writer never meets `SQLITE_BUSY` upgrading a read transaction) and a
//! read pool; PostgreSQL uses one pool for both (opened, set up and closed in `pools`). One file
//! per aggregate holds its queries and the row ↔ domain conversions.

pub mod assets;
pub mod audiences;
pub mod audit;
pub mod audit_labels;
pub mod brands;
pub mod changes;
pub mod content_types;
pub mod entries;
pub mod experiments;
pub mod keys;
mod pools;
pub mod renames;
pub mod schema;
pub mod secrets;
pub mod time;
pub mod usage;
pub mod users;
pub mod variants;
pub mod webhooks;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::sync::Arc;

use crate::config::DatabaseUrl;
use crate::error::{AppError, AppResult};
use pools::{Pool, Pools};

pub use pools::ConnectionManager;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend; queries are written once against this type.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// The database: pools plus the blocking-pool bridge. Clones share the pools; when the last
/// clone goes, the pools are closed on that thread (see [`Pools`]).
#[derive(Clone)]
pub struct Db {
    pools: Arc<Pools>,
    backend: &'static str,
}

impl Db {
    /// Opens the pools. For SQLite the file's directory must exist.
    pub fn connect(url: &DatabaseUrl, pool_size: u32) -> anyhow::Result<Db> {
        Ok(Db {
            pools: Arc::new(Pools::open(url, pool_size)?),
            backend: url.backend_name(),
        })
    }

    fn read_pool(&self) -> &Pool {
        self.pools.read()
    }

    fn write_pool(&self) -> &Pool {
        self.pools.write()
    }

    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// Applies pending migrations; returns the names of those applied.
    pub fn migrate(&self) -> anyhow::Result<Vec<String>> {
        let mut conn = self.write_pool().get()?;
        let applied = match &mut *conn {
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
            DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        }
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
        Ok(applied.iter().map(|m| m.to_string()).collect())
    }

    /// Runs read-only work on the blocking pool.
    pub async fn read<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    {
        let pool = self.read_pool().clone();
        run_blocking(move || {
            let mut conn = pool.get().map_err(AppError::unavailable)?;
            work(&mut conn)
        })
        .await
    }

    /// Runs work that changes data in one transaction on the blocking pool: all of it is
    /// stored, or none.
    pub async fn write<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    {
        let pool = self.write_pool().clone();
        run_blocking(move || {
            let mut conn = pool.get().map_err(AppError::unavailable)?;
            conn.transaction(|conn| work(conn))
        })
        .await
    }

    /// Synchronous access for the CLI and start-up (not on an async executor).
    pub fn write_blocking<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> AppResult<T>,
    ) -> AppResult<T> {
        let mut conn = self.write_pool().get().map_err(AppError::unavailable)?;
        conn.transaction(|conn| work(conn))
    }

    /// Synchronous read-only access for the CLI and start-up (not on an async executor).
    pub fn read_blocking<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> AppResult<T>,
    ) -> AppResult<T> {
        let mut conn = self.read_pool().get().map_err(AppError::unavailable)?;
        work(&mut conn)
    }

    /// Whether the database takes writes: a table is created in a transaction that is rolled
    /// back, so a read-only file, a full disk or a read-only server shows here, not at the next
    /// editor's save.
    pub async fn writable(&self) -> bool {
        let pool = self.write_pool().clone();
        run_blocking(move || {
            let mut conn = pool.get().map_err(AppError::unavailable)?;
            let probe = conn.transaction::<(), DieselError, _>(|conn| {
                conn.batch_execute("CREATE TABLE vary_write_probe (x INTEGER)")?;
                Err(DieselError::RollbackTransaction)
            });
            match probe {
                Err(DieselError::RollbackTransaction) => Ok(()),
                Err(other) => Err(AppError::from(other)),
                Ok(()) => Ok(()),
            }
        })
        .await
        .is_ok()
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.read(|conn| conn.batch_execute("SELECT 1").map_err(AppError::from))
            .await
            .is_ok()
    }
}

pub(crate) async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)?
}

impl From<DieselError> for AppError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => AppError::not_found("not found"),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                AppError::conflict("an object with that name or key already exists")
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                AppError::bad_input("a referenced object does not exist")
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                AppError::unavailable(format!(
                    "the database connection was lost: {}",
                    info.message()
                ))
            }
            DieselError::DatabaseError(kind, info) => match database_failure(info.message()) {
                Some(error) => error,
                None => AppError::internal(DieselError::DatabaseError(kind, info)),
            },
            other => AppError::internal(other),
        }
    }
}

/// Database failures a caller can act on, told by the message both backends give: text the
/// database cannot store is the caller's (`BAD_INPUT`); a full disk, a read-only database or a
/// lost server is the operator's (`UNAVAILABLE`, with what is wrong).
fn database_failure(message: &str) -> Option<AppError> {
    let lower = message.to_ascii_lowercase();
    if lower.contains("invalid byte sequence") && lower.contains("0x00") {
        return Some(AppError::bad_input(
            "text may not hold NUL or other control characters",
        ));
    }
    let unavailable = |what: &str| Some(AppError::unavailable_because(what, message));
    if lower.contains("database or disk is full") || lower.contains("no space left on device") {
        return unavailable("storage full: the database cannot grow; free disk space");
    }
    if lower.contains("disk i/o error") {
        return unavailable("the database's storage cannot be written (I/O error); check the disk");
    }
    if lower.contains("readonly database") || lower.contains("read-only") {
        return unavailable("the database is read-only; writes cannot be stored");
    }
    if lower.contains("server closed the connection")
        || lower.contains("terminating connection")
        || lower.contains("connection refused")
        || lower.contains("no connection to the server")
        || lower.contains("could not connect")
    {
        return unavailable("the database cannot be reached");
    }
    None
}

/// JSON stored as text: encode.
pub(crate) fn to_json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data always serialises")
}

/// How deeply stored JSON may nest and still be read. Values deeper than serde_json's default
/// limit (128) were once accepted on the way in, so stored text is read without that limit, up
/// to a depth that is still safe for a thread's stack (measured from the text before parsing).
const MAX_STORED_DEPTH: usize = 1024;

/// JSON stored as text: decode; a bad value in the database is an internal error.
pub(crate) fn from_json_text<T: serde::de::DeserializeOwned>(text: &str) -> AppResult<T> {
    let depth = crate::domain::input::text_depth(text);
    if depth > MAX_STORED_DEPTH {
        return Err(AppError::internal(format!(
            "stored JSON nests {depth} levels deep"
        )));
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    deserializer.disable_recursion_limit();
    let value = T::deserialize(&mut deserializer).map_err(AppError::internal)?;
    deserializer.end().map_err(AppError::internal)?;
    Ok(value)
}

/// A variant's stored field values, read so that one unreadable row never fails a whole list:
/// text that cannot be read is logged and shown as no values (`{}`), which an editor can fill in
/// again; the stored text stays as it is until the next save.
pub(crate) fn stored_fields(text: &str, revision: &str) -> serde_json::Value {
    match from_json_text(text) {
        Ok(value) => value,
        Err(_) => {
            tracing::warn!(
                revision,
                "a revision's stored fields cannot be read; shown empty"
            );
            serde_json::Value::Object(serde_json::Map::new())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn database_failures_a_caller_can_act_on_get_their_codes() {
        let code = |message: &str| database_failure(message).map(|e| (e.code, e.message));
        let nul = code("invalid byte sequence for encoding \"UTF8\": 0x00").unwrap();
        assert_eq!(nul.0, ErrorCode::BadInput);
        for (message, says) in [
            ("database or disk is full", "storage full"),
            (
                "could not extend file \"base/16384/2619\": No space left on device",
                "storage full",
            ),
            ("attempt to write a readonly database", "read-only"),
            ("disk I/O error", "cannot be written"),
            (
                "cannot execute INSERT in a read-only transaction",
                "read-only",
            ),
            (
                "server closed the connection unexpectedly",
                "cannot be reached",
            ),
            (
                "terminating connection due to administrator command",
                "cannot be reached",
            ),
        ] {
            let (code, shown) = code(message).unwrap_or_else(|| panic!("{message}"));
            assert_eq!(code, ErrorCode::Unavailable, "{message}");
            assert!(shown.contains(says), "{message}: {shown}");
        }
        assert!(code("syntax error at or near \"SELEC\"").is_none());
    }

    #[test]
    fn stored_json_deeper_than_serdes_default_is_read_and_far_deeper_is_refused() {
        let nested = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let value: serde_json::Value = from_json_text(&nested(130)).unwrap();
        assert!(value.is_array());
        assert!(from_json_text::<serde_json::Value>(&nested(100_000)).is_err());
        let fields = stored_fields(&format!("{{\"a\": {}}}", nested(100_000)), "rev");
        assert_eq!(fields, serde_json::json!({}));
    }
}
