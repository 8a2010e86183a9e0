//! SQLite storage: the only module that runs SQL.
//!
//! One file in WAL mode with a busy timeout, so the TUI and a CLI run can write the same DB at
//! once. The schema comes from numbered migrations ([`schema`]); a DB from a newer temper, or a
//! file that is not a temper DB, is refused and left untouched, never recreated.

mod prompt_delete;
mod prompts;
mod reference;
mod runs;
pub mod schema;
mod transfer;

pub use prompt_delete::PromptUsage;
pub use prompts::{LabelEvent, LabelMove, PromptSummary, SaveOutcome, Version, VersionInfo};
pub use reference::Reference;
pub use runs::{
    CellInfo, CellRequest, CellRow, NewCell, NewSample, RunInfo, RunStatus, SampleRow, SampleStatus,
};
pub use transfer::{
    ImportReport, TransferError, export_prompt, import_examples, import_path, seed_examples,
};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

/// How long a writer waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything that can go wrong in the store, worded for the user.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "{path} is not a temper database (not SQLite); it was left untouched. Use --db to pick another file"
    )]
    NotSqlite { path: PathBuf },
    #[error(
        "{path} was written by a newer temper (schema {found}, this build knows {known}); it was left untouched. Upgrade temper"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{path} is damaged: {detail}; it was left untouched. Restore a backup or use --db")]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{path} is another application's SQLite database ({why}); it was left untouched. Use --db to pick another file"
    )]
    Foreign { path: PathBuf, why: String },
    #[error("cannot open database {path}: {detail}")]
    Open { path: PathBuf, detail: String },
    #[error("no prompt named {name:?}{}", suggest(.suggestions))]
    UnknownPrompt {
        name: String,
        suggestions: Vec<String>,
    },
    #[error("{name} has no version {number} (latest is {latest})")]
    UnknownVersion {
        name: String,
        number: u32,
        latest: u32,
    },
    #[error("{name} has no label {label:?}{}", suggest(.suggestions))]
    UnknownLabel {
        name: String,
        label: String,
        suggestions: Vec<String>,
    },
    #[error("bad reference {0:?}: use name, name@3 or name:label")]
    BadReference(String),
    #[error("invalid {what}: {why}")]
    Invalid { what: String, why: String },
    #[error("no run #{0}")]
    UnknownRun(i64),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

fn suggest(names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", names.join(", "))
    }
}

/// Shorthand for store results.
pub type Result<T> = std::result::Result<T, StoreError>;

/// `PRAGMA application_id` of a temper DB ("TMPR"): marks the file as ours, so another
/// application's SQLite file is refused instead of migrated (docs/hardening.md).
pub const APPLICATION_ID: i64 = 0x544D_5052;

/// Tables every temper schema has; with `user_version > 0` they identify a DB written before
/// the application id was set.
const TEMPER_TABLES: &[&str] = &["prompts", "prompt_versions", "runs", "samples"];

/// An open temper database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    created: bool,
}

impl Store {
    /// Open (creating if absent) the DB at `path`, migrating an older schema forward.
    ///
    /// A file that is not SQLite, or SQLite with tables but no temper marker, is refused before
    /// anything is written to it (no migration, no WAL switch).
    pub fn open(path: &Path) -> Result<Store> {
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
        let conn = Connection::open_with_flags(path, flags).map_err(|e| open_err(e.to_string()))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            created,
        };
        store
            .conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| store.classify(e))?;
        store.check_identity()?;
        store.configure().map_err(|e| store.classify(e))?;
        store.migrate()?;
        Ok(store)
    }

    /// Whether this open created the file (it did not exist or was empty), so front ends can
    /// say so and seed the example prompts.
    pub fn created(&self) -> bool {
        self.created
    }

    /// Refuse a SQLite file that is not temper's: another application id, or tables without
    /// temper's marker and schema. Only reads, so a refused file is left byte for byte.
    fn check_identity(&self) -> Result<()> {
        let read = |sql: &str| -> Result<i64> {
            self.conn
                .query_row(sql, [], |r| r.get(0))
                .map_err(|e| self.classify(e))
        };
        let app_id = read("PRAGMA application_id")?;
        if app_id == APPLICATION_ID {
            return Ok(());
        }
        let foreign = |why: String| StoreError::Foreign {
            path: self.path.clone(),
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

    /// Where this DB lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&self) -> rusqlite::Result<()> {
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "journal_mode stayed {mode}"
            )));
        }
        self.conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
        )
    }

    /// Map low-level failures on open to the errors a user can act on.
    fn classify(&self, e: rusqlite::Error) -> StoreError {
        let detail = e.to_string();
        let code = e.sqlite_error_code();
        match code {
            Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotSqlite {
                path: self.path.clone(),
            },
            Some(rusqlite::ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
                path: self.path.clone(),
                detail,
            },
            Some(rusqlite::ErrorCode::ReadOnly)
            | Some(rusqlite::ErrorCode::CannotOpen)
            | Some(rusqlite::ErrorCode::PermissionDenied) => StoreError::Open {
                path: self.path.clone(),
                detail: format!("{detail} (is the directory writable?)"),
            },
            _ => StoreError::Open {
                path: self.path.clone(),
                detail,
            },
        }
    }

    fn migrate(&mut self) -> Result<()> {
        let found: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.classify(e))?;
        if found > schema::LATEST {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found,
                known: schema::LATEST,
            });
        }
        let app_id: i64 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if found == schema::LATEST && app_id == APPLICATION_ID {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| StoreError::Open {
                path: self.path.clone(),
                detail: e.to_string(),
            })?;
        // Another process may have migrated while we waited for the write lock.
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
        Ok(())
    }

    /// The schema version of this DB.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub(crate) fn optional<T>(r: rusqlite::Result<T>) -> Result<Option<T>> {
        Ok(r.optional()?)
    }
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

/// Current time as RFC 3339 UTC, the format of every `*_at` column.
pub(crate) fn now() -> String {
    jiff::Timestamp::now().to_string()
}
