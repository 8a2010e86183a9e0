//! Opening a store on PostgreSQL: the URL, credentials (URL, `PGPASSWORD`, `.pgpass`; never
//! stored or printed), TLS when the URL asks (`sslmode=require`), errors a user can act on, the
//! minimum server version, and migrations under an advisory lock (docs/postgres.md).

use super::db::{Backend, Db, vals};
use super::pg::{PgConn, detail, off_runtime};
use super::pg_tls::{self, Tls};
use super::{Result, StoreError, schema_pg};
use postgres::config::{Host, SslMode};
use std::str::FromStr;
use std::time::Duration;

/// Oldest server temper runs on (identity columns, `ON CONFLICT`, and a supported release).
pub const MIN_SERVER_VERSION: i64 = 120_000;
/// `pg_advisory_lock` key held while migrating ("TMPR"), so concurrent opens migrate once.
const MIGRATION_LOCK: i64 = 0x544D_5052;
/// How long connecting may take when the URL does not say (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Tables that mark a database as holding temper's schema already.
const TEMPER_TABLES: &[&str] = &["prompts", "prompt_versions", "runs", "samples"];

/// Whether `location` is a PostgreSQL URL rather than a SQLite file path.
pub fn is_postgres_url(location: &str) -> bool {
    let lower = location.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// Where a URL points, for messages: `postgres://user@host:port/db`, without the password.
pub struct Target {
    pub display: String,
    pub server: String,
    pub user: String,
    pub dbname: String,
}

/// Connect to `url`, check the server and migrate; returns the database and whether this
/// open created temper's schema in it.
pub(crate) fn open(url: &str) -> Result<(Db, Target, bool)> {
    let (config, target, tls) = parse(url)?;
    let client = connect(&config, &target, &tls)?;
    let db = Db::new(Backend::Pg(Box::new(PgConn::new(
        client,
        target.server.clone(),
    ))));
    let has_schema = check_version(&db, &target)?;
    let created = migrate(&db, &target, has_schema)?;
    Ok((db, target, created))
}

fn parse(url: &str) -> Result<(postgres::Config, Target, Tls)> {
    let (url, tls) = pg_tls::split_url(url.trim())?;
    let mut config = postgres::Config::from_str(&url).map_err(|e| StoreError::Open {
        path: "postgres URL".into(),
        detail: format!(
            "{} (expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=require])",
            detail(&e)
        ),
    })?;
    if config.get_hosts().is_empty() {
        config.host("localhost");
    }
    if config.get_user().is_none() {
        let user = std::env::var("PGUSER")
            .or_else(|_| std::env::var("USER"))
            .unwrap_or_else(|_| "postgres".into());
        config.user(&user);
    }
    let user = config.get_user().unwrap_or_default().to_string();
    let dbname = config.get_dbname().unwrap_or(&user).to_string();
    config.dbname(&dbname);
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    if config.get_password().is_none()
        && let Some(password) = password_from_env(&host, port, &dbname, &user)
    {
        config.password(password);
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    // TLS only when asked (see pg_tls): `prefer`, the default, connects in plain text.
    config.ssl_mode(match tls {
        Tls::Off => SslMode::Disable,
        _ => SslMode::Require,
    });
    config.application_name("temper");
    let server = format!("{host}:{port}");
    let target = Target {
        display: format!("postgres://{user}@{server}/{dbname}"),
        server,
        user,
        dbname,
    };
    Ok((config, target, tls))
}

/// `PGPASSWORD`, else the first matching line of `PGPASSFILE` or `~/.pgpass`
/// (`host:port:database:user:password`, `*` matches anything).
fn password_from_env(host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    if let Ok(p) = std::env::var("PGPASSWORD")
        && !p.is_empty()
    {
        return Some(p);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let port = port.to_string();
    let wanted = [host, port.as_str(), db, user];
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = split_pgpass(line);
            let matches = fields.len() == 5
                && fields
                    .iter()
                    .zip(wanted)
                    .all(|(f, w)| f == "*" || f == w || (f == "localhost" && w == "127.0.0.1"));
            matches.then(|| fields[4].clone())
        })
}

/// One `.pgpass` line split on unescaped `:` (`\:` and `\\` are literal).
fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields
                .last_mut()
                .into_iter()
                .for_each(|f| f.extend(chars.next())),
            ':' => fields.push(String::new()),
            c => fields.last_mut().into_iter().for_each(|f| f.push(c)),
        }
    }
    fields
}

fn connect(config: &postgres::Config, target: &Target, tls: &Tls) -> Result<postgres::Client> {
    let result = if *tls == Tls::Off {
        off_runtime(|| config.connect(postgres::NoTls))
    } else {
        let rustls = pg_tls::client_config(tls).map_err(|e| StoreError::Open {
            path: target.display.clone().into(),
            detail: format!("cannot set up TLS: {e}"),
        })?;
        let connector = tokio_postgres_rustls::MakeRustlsConnect::new(rustls);
        off_runtime(|| config.connect(connector))
    };
    result.map_err(|e| classify(&e, target, tls))
}

/// A failed connection as the user can act on it.
fn classify(e: &postgres::Error, target: &Target, tls: &Tls) -> StoreError {
    use postgres::error::SqlState;
    let text = detail(e);
    let (host, port) = target
        .server
        .rsplit_once(':')
        .unwrap_or((&target.server, "5432"));
    if *tls != Tls::Off
        && e.as_db_error().is_none()
        && let Some(why) = pg_tls::explain(&text, tls)
    {
        return StoreError::Open {
            path: target.display.clone().into(),
            detail: why,
        };
    }
    match e.code() {
        Some(c) if *c == SqlState::INVALID_PASSWORD => StoreError::Auth {
            target: target.display.clone(),
            detail: format!(
                "password authentication failed for user {:?}; check the password in the URL, PGPASSWORD or ~/.pgpass",
                target.user
            ),
        },
        Some(c) if *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => StoreError::Auth {
            target: target.display.clone(),
            detail: format!("{text}; ask the server's admin to allow this user and host (pg_hba.conf)"),
        },
        Some(c) if *c == SqlState::INVALID_CATALOG_NAME => StoreError::NoDatabase {
            target: target.display.clone(),
            create: format!(
                "createdb -h {host} -p {port} -U {} {}  (or in psql: CREATE DATABASE \"{}\";)",
                target.user, target.dbname, target.dbname
            ),
        },
        _ if text.contains("password missing") => StoreError::Auth {
            target: target.display.clone(),
            detail: "the server asks for a password and none was given; put it in the URL, PGPASSWORD or ~/.pgpass".into(),
        },
        _ if e.as_db_error().is_none() => StoreError::Unreachable {
            target: target.display.clone(),
            detail: text,
            check: format!("pg_isready -h {host} -p {port}"),
        },
        _ => StoreError::Open {
            path: target.display.clone().into(),
            detail: text,
        },
    }
}

/// Refuse a server older than [`MIN_SERVER_VERSION`]; returns whether `temper_schema` exists
/// (one round trip for both, as every command opens the store).
fn check_version(db: &Db, target: &Target) -> Result<bool> {
    let row = db.query_one(
        "SELECT current_setting('server_version_num'), to_regclass('temper_schema')::text",
        &[],
    )?;
    let found: String = row.get(0)?;
    let has_schema = row.get::<Option<String>>(1)?.is_some();
    let found: i64 = found.trim().parse().unwrap_or(0);
    if found < MIN_SERVER_VERSION {
        return Err(StoreError::ServerTooOld {
            target: target.display.clone(),
            found: version_text(found),
            minimum: version_text(MIN_SERVER_VERSION),
        });
    }
    Ok(has_schema)
}

fn version_text(num: i64) -> String {
    if num >= 100_000 {
        format!("{}.{}", num / 10_000, num % 10_000)
    } else {
        format!("{}.{}.{}", num / 10_000, num / 100 % 100, num % 100)
    }
}

/// Apply pending migrations under the advisory lock; returns whether the schema was created.
/// A database already at this build's schema is not locked at all (the common case).
fn migrate(db: &Db, target: &Target, has_schema: bool) -> Result<bool> {
    let latest = schema_pg::MIGRATIONS.len() as i64;
    if has_schema {
        let found: i64 = db
            .query_one("SELECT version FROM temper_schema", &[])?
            .get(0)?;
        if found == latest {
            return Ok(false);
        }
    }
    db.query("SELECT pg_advisory_lock(?1)", vals![MIGRATION_LOCK])?;
    let result = migrate_locked(db, target);
    let unlocked = db.query("SELECT pg_advisory_unlock(?1)", vals![MIGRATION_LOCK]);
    let created = result?;
    unlocked?;
    Ok(created)
}

fn migrate_locked(db: &Db, target: &Target) -> Result<bool> {
    // Another process may have created or migrated the schema while we waited for the lock.
    let has_meta = db
        .query_one("SELECT to_regclass('temper_schema')::text", &[])?
        .get::<Option<String>>(0)?
        .is_some();
    let mut created = false;
    if !has_meta {
        let list = TEMPER_TABLES
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(",");
        let theirs: i64 = db
            .query_one(
                &format!(
                    "SELECT count(*) FROM information_schema.tables
                     WHERE table_schema = current_schema() AND table_name IN ({list})"
                ),
                &[],
            )?
            .get(0)?;
        if theirs > 0 {
            return Err(StoreError::Foreign {
                path: target.display.clone().into(),
                why: format!("{theirs} table(s) named like temper's but no temper_schema table"),
            });
        }
        db.batch(
            "CREATE TABLE temper_schema (version BIGINT NOT NULL);
             INSERT INTO temper_schema(version) VALUES (0);",
        )?;
        created = true;
    }
    let found: i64 = db
        .query_one("SELECT version FROM temper_schema", &[])?
        .get(0)?;
    let latest = schema_pg::MIGRATIONS.len() as i64;
    if found > latest {
        return Err(StoreError::TooNew {
            path: target.display.clone().into(),
            found,
            known: latest,
        });
    }
    for (i, sql) in schema_pg::MIGRATIONS
        .iter()
        .enumerate()
        .skip(found as usize)
    {
        let tx = db.begin()?;
        tx.batch(sql)?;
        if i as i64 + 1 == super::schema::OUTPUT_HASH_MIGRATION {
            super::output_hash::backfill(&|sql, p| tx.query(sql, p), &|sql, p| tx.execute(sql, p))?;
        }
        tx.execute("UPDATE temper_schema SET version = ?1", vals![i as i64 + 1])?;
        tx.commit()?;
    }
    Ok(created)
}

#[cfg(test)]
#[path = "pg_open_tests.rs"]
mod tests;
