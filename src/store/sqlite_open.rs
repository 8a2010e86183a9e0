//! Opening a store on a SQLite file: refuse what is not temper's before writing anything, switch
//! to WAL, and migrate under `BEGIN IMMEDIATE` (see docs/hardening.md).

use super::db::{Backend, Db};
use super::{APPLICATION_ID, Result, Store, StoreError, TEMPER_TABLES, schema};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Open (creating if absent) the SQLite DB at `path`, migrating an older schema forward.
pub(super) fn open(path: &Path) -> Result<Store> {
    let open_err = |detail: String| StoreError::Open {
        path: path.to_path_buf(),
        detail,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| open_err(format!("cannot create {}: {e}", dir.display())))?;
    }
    check_header(path)?;
    let created = std::fs::metadata(path).map_or(true, |m| m.len() == 0);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(|e| open_err(e.to_string()))?;
    let path = path.to_path_buf();
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| classify(&path, e))?;
    check_identity(&conn, &path)?;
    configure(&conn).map_err(|e| classify(&path, e))?;
    migrate(&mut conn, &path)?;
    Ok(Store {
        db: Db::new(Backend::Sqlite(conn)),
        path,
        created,
    })
}

/// Refuse a SQLite file that is not temper's: another application id, or tables without
/// temper's marker and schema. Only reads, so a refused file is left byte for byte.
fn check_identity(conn: &Connection, path: &Path) -> Result<()> {
    let read = |sql: &str| -> Result<i64> {
        conn.query_row(sql, [], |r| r.get(0))
            .map_err(|e| classify(path, e))
    };
    let app_id = read("PRAGMA application_id")?;
    if app_id == APPLICATION_ID {
        return Ok(());
    }
    let foreign = |why: String| StoreError::Foreign {
        path: path.to_path_buf(),
        why,
    };
    if app_id != 0 {
        return Err(foreign(format!("application_id {app_id:#x}")));
    }
    let tables = read("SELECT count(*) FROM sqlite_master WHERE type = 'table'")?;
    if tables == 0 {
        return Ok(());
    }
    let list = TEMPER_TABLES
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(",");
    let ours = read(&format!(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ({list})"
    ))?;
    if read("PRAGMA user_version")? > 0 && ours == TEMPER_TABLES.len() as i64 {
        return Ok(());
    }
    Err(foreign(format!(
        "{tables} table(s), none of them marked as temper's"
    )))
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "journal_mode stayed {mode}"
        )));
    }
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
    )?;
    // The last connection to close would checkpoint the WAL into the main file and delete it,
    // and the next process recreate it: five fsyncs, most of a short command's wall time.
    // The WAL stays instead (SQLite checkpoints it every 1000 pages while writing); readers,
    // `temper db copy` and backups through SQLite see every commit either way.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )?;
    Ok(())
}

/// Map low-level failures on open to the errors a user can act on.
fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    let detail = e.to_string();
    let path: PathBuf = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotSqlite { path },
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => StoreError::Corrupt { path, detail },
        Some(rusqlite::ErrorCode::ReadOnly)
        | Some(rusqlite::ErrorCode::CannotOpen)
        | Some(rusqlite::ErrorCode::PermissionDenied) => StoreError::Open {
            path,
            detail: format!("{detail} (is the directory writable?)"),
        },
        _ => StoreError::Open { path, detail },
    }
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| classify(path, e))?;
    if found > schema::LATEST {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            known: schema::LATEST,
        });
    }
    let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if found == schema::LATEST && app_id == APPLICATION_ID {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
    // Another process may have migrated while we waited for the write lock.
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        if i as i64 + 1 == schema::OUTPUT_HASH_MIGRATION {
            super::output_hash::backfill(
                &|sql, params| super::db::sqlite_query(&tx, sql, params),
                &|sql, params| {
                    Ok(tx.execute(sql, rusqlite::params_from_iter(params.iter()))? as u64)
                },
            )?;
        }
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.commit()?;
    Ok(())
}

/// Refuse a non-empty file that does not start with the SQLite magic, before SQLite touches it.
fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return Ok(()); // absent: SQLite creates it; unreadable: open reports why
    };
    let mut header = [0u8; 16];
    let read = file.read(&mut header).unwrap_or(0);
    if read == 0 {
        return Ok(());
    }
    if read < 16 || &header != b"SQLite format 3\0" {
        return Err(StoreError::NotSqlite {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}
