//! Both store backends for the tests: a SQLite file in a temp dir always, and a fresh
//! PostgreSQL database when `TEMPER_TEST_PG` names a server (scripts/test-postgres starts one;
//! .ci/run runs `cargo test` under it). Without it the PostgreSQL cases are skipped with a
//! notice, except under CI, where a missing server fails the test instead of passing silently.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A database for one test: a SQLite file or a PostgreSQL database created for it (dropped
/// again when this is dropped).
pub struct TestDb {
    /// What `Store::open` and `--db` take: a file path or a `postgres://` URL.
    pub location: PathBuf,
    pub name: &'static str,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A fresh SQLite file.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        TestDb {
            location: dir.path().join("t.db"),
            name: "sqlite",
            _dir: Some(dir),
            pg: None,
        }
    }

    /// A fresh PostgreSQL database on the `TEMPER_TEST_PG` server, or `None` (with a notice)
    /// when none is configured outside CI.
    pub fn postgres() -> Option<TestDb> {
        let server = pg_server()?;
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "temper_t_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        admin(&server, &format!("CREATE DATABASE {name}"));
        let location = PathBuf::from(with_database(&server, &name));
        Some(TestDb {
            location,
            name: "postgres",
            _dir: None,
            pg: Some((server, name)),
        })
    }

    /// The URL as a string (PostgreSQL) or the path (SQLite).
    pub fn text(&self) -> String {
        self.location.display().to_string()
    }

    /// A client on this PostgreSQL database, for tests that inspect or tamper with it.
    pub fn client(&self) -> Option<postgres::Client> {
        self.pg.as_ref()?;
        Some(postgres::Client::connect(&self.text(), postgres::NoTls).expect("connect"))
    }

    /// A second location of the same kind, for tests that need two databases.
    pub fn sibling(&self) -> TestDb {
        if self.pg.is_some() {
            TestDb::postgres().expect("server")
        } else {
            TestDb::sqlite()
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.pg {
            let _ = try_admin(
                server,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

/// Every backend available here: SQLite, then PostgreSQL when configured.
pub fn backends() -> Vec<TestDb> {
    let mut all = vec![TestDb::sqlite()];
    all.extend(TestDb::postgres());
    all
}

/// The `TEMPER_TEST_PG` URL; `None` with a notice locally, a failure under CI.
pub fn pg_server() -> Option<String> {
    server_from("TEMPER_TEST_PG")
}

/// The URL in `var` (`TEMPER_TEST_PG`, or `TEMPER_TEST_PG_11`/`_12` for the older servers
/// scripts/test-postgres also starts); `None` with a notice locally, a failure under CI.
pub fn server_from(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
            assert!(
                !ci,
                "CI is set but {var} is not: run the tests under scripts/test-postgres"
            );
            // Written to the real stderr (libtest captures only the print macros).
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "note: {var} not set: its PostgreSQL cases skipped (scripts/test-postgres cargo test runs them)"
            );
            None
        }
    }
}

/// The real `temper` binary on `db` with `args`, nothing inherited that changes what it does
/// (no config, no `TEMPER_DB`, no `PGPASSWORD`, HOME in a temp dir, stdin closed).
pub fn temper_on(db: &str, args: &[&str]) -> std::process::Command {
    let home = std::env::temp_dir().join("temper-pg-cli-home");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_temper"));
    cmd.arg("--db")
        .arg(db)
        .args(args)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("TEMPER_DB")
        .env_remove("TEMPER_CONFIG")
        .env_remove("PGPASSWORD")
        .stdin(std::process::Stdio::null());
    cmd
}

/// `url` with its database name replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

fn try_admin(server: &str, sql: &str) -> Result<(), postgres::Error> {
    let mut client = postgres::Client::connect(server, postgres::NoTls)?;
    client.batch_execute(sql)
}

fn admin(server: &str, sql: &str) {
    try_admin(server, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
}
