//! A fresh PostgreSQL database per test, the SQL the node tests and benches read it with, and
//! its connections that listen for changes.

/// A fresh database, dropped when the test ends.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    pub fn create(admin_url: &str) -> PgDatabase {
        let name = format!("vary_nodes_{}", vary::ids::random_token(12).to_lowercase());
        run_sql(admin_url, &format!("CREATE DATABASE {name}"));
        let mut url = url::Url::parse(admin_url).expect("a postgres:// URL");
        url.set_path(&name);
        PgDatabase {
            admin_url: admin_url.to_string(),
            name,
            url: url.to_string(),
        }
    }

    /// How many connections listen for changes.
    pub fn listeners(&self) -> i64 {
        count_of(
            &self.admin_url,
            &format!(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '{}' AND application_name = 'vary-listen'",
                self.name
            ),
        )
    }

    /// `SELECT count(*) FROM {from}`.
    pub fn count(&self, from: &str) -> i64 {
        count_of(&self.url, &format!("SELECT count(*) AS n FROM {from}"))
    }

    /// The first column of the first row of `sql`, as text.
    pub fn scalar(&self, sql: &str) -> String {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct One {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        let mut conn = diesel::PgConnection::establish(&self.url).expect("connect");
        let rows: Vec<One> = diesel::sql_query(format!("SELECT ({sql}) AS v"))
            .load(&mut conn)
            .expect(sql);
        rows[0].v.clone()
    }

    /// Runs `sql` on the test database.
    pub fn execute(&self, sql: &str) {
        run_sql(&self.url, sql);
    }

    /// Ends every connection that listens for changes, as a restarted proxy or an operator would.
    pub fn terminate_listeners(&self) {
        run_sql(
            &self.admin_url,
            &format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND application_name = 'vary-listen'", self.name),
        );
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        run_sql(
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

fn run_sql(url: &str, sql: &str) {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let mut conn = diesel::PgConnection::establish(url).expect("connect to PostgreSQL");
    conn.batch_execute(sql).expect(sql);
}

/// The `n` of the one row `sql` answers on `url`.
fn count_of(url: &str, sql: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = diesel::PgConnection::establish(url).expect("connect");
    let rows: Vec<Count> = diesel::sql_query(sql).load(&mut conn).expect(sql);
    rows[0].n
}
