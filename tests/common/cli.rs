//! What the tests that run the `vary` binary share: a free port, `vary serve --demo` as a child
//! that dies with its test, and a scratch PostgreSQL database.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `vary serve` child that is killed when the test ends, also when it fails, so no server
/// outlives its test (and holds the files, locks and the test runner's output it inherited).
pub struct Server(std::process::Child);

impl std::ops::Deref for Server {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        &self.0
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `vary` (a command naming its data dir and database) as `serve --demo` on `port` until
/// `/readyz` answers; returns the server and, on a first start, the alpine delivery key it
/// printed.
pub fn serve_demo(mut vary: Command, port: u16) -> (Server, Option<String>) {
    use std::io::BufRead;
    let mut child = Server(
        vary.args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(key) = line.trim().strip_prefix("alpine ") {
                let _ = tx.send(key.trim().to_string());
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while ureq::get(&format!("http://127.0.0.1:{port}/readyz"))
        .call()
        .is_err()
    {
        assert!(Instant::now() < deadline, "vary serve did not become ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    (child, rx.recv_timeout(Duration::from_secs(2)).ok())
}

/// A fresh PostgreSQL database (on `VARY_TEST_POSTGRES_URL`'s server), dropped at the end.
pub struct PgScratch {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgScratch {
    /// None when `VARY_TEST_POSTGRES_URL` is not set.
    pub fn create() -> Option<PgScratch> {
        use diesel::{Connection, RunQueryDsl};
        let admin_url = std::env::var("VARY_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let name = format!("vary_cli_{}", vary::ids::random_token(12).to_lowercase());
        let mut conn = diesel::PgConnection::establish(&admin_url).expect("connect to PostgreSQL");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("create database");
        let mut url = url::Url::parse(&admin_url).expect("a postgres:// URL");
        url.set_path(&name);
        Some(PgScratch {
            admin_url,
            name,
            url: url.to_string(),
        })
    }
}

impl Drop for PgScratch {
    fn drop(&mut self) {
        use diesel::{Connection, RunQueryDsl};
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}
